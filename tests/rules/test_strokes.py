"""姓氏笔画 ordering (RULES.md "ballot order": surname strokes): count, then 横竖撇点折."""

from election.rules import strokes


def test_brief_example_order() -> None:
    names = ["王", "丁", "欧阳", "李", "马", "万", "司马"]
    assert strokes.sort_names(names) == ["丁", "万", "马", "王", "司马", "李", "欧阳"]


def test_same_count_ordered_by_stroke_shapes() -> None:
    # all three have 3 strokes: 三 111, 万 153, 上 211
    assert strokes.stroke_sequence("三") == "111"
    assert strokes.sort_names(["上", "万", "三"]) == ["三", "万", "上"]


def test_sequences_of_known_characters() -> None:
    assert strokes.stroke_sequence("王") == "1121"
    assert strokes.stroke_sequence("李") == "1234521"
    assert strokes.stroke_sequence("张") == "5153154"
    assert strokes.stroke_count("欧") == 8


def test_compound_surname_is_one_unit() -> None:
    # single surname 欧 sorts before the whole 欧阳 family, whatever the given name
    assert strokes.sort_names(["欧阳一", "欧强"]) == ["欧强", "欧阳一"]
    assert strokes.split_surname("司马光") == ("司马", "光")
    assert strokes.split_surname("马光") == ("马", "光")


def test_given_names_break_ties() -> None:
    assert strokes.sort_names(["王五", "王二", "王一"]) == ["王一", "王二", "王五"]


def test_characters_without_data_go_last_by_code_point() -> None:
    assert strokes.sort_names(["b", "王", "a"]) == ["王", "a", "b"]
    assert strokes.missing_characters("王a") == ["a"]


def test_common_surnames_all_have_stroke_sequences() -> None:
    sample = "王李张刘陈杨黄赵周吴徐孙朱马胡郭林何高梁郑罗宋谢唐韩曹许邓萧冯曾程蔡彭潘袁于董余苏叶吕魏蒋田杜丁沈姜范江傅钟卢汪戴崔任陆廖姚方金邱夏谭韦贾邹石熊孟秦阎薛侯雷白龙段郝孔邵史毛常万顾赖武康贺严尹钱施牛洪龚"
    missing = [c for c in sample if strokes.stroke_sequence(c) is None]
    assert missing == []


def test_coverage_of_tongyong_guifan_table() -> None:
    table = strokes.tongyong_guifan()
    assert len(table) == 8105 and len(set(table)) == 8105
    with_count = sum(strokes.stroke_count(c) is not None for c in table)
    assert with_count == 8105
    with_sequence = sum(strokes.stroke_sequence(c) is not None for c in table)
    assert with_sequence == 7971  # 6,770 listed + 1,201 derived; see data/README.md


def test_counts_are_the_mainland_counts() -> None:
    # Unihan's zh-Hans value, not the traditional count CLDR used (与 4, 修 10)
    assert strokes.stroke_count("与") == 3
    assert strokes.stroke_count("修") == 9


def test_derived_sequences_fill_the_gaps_and_match_the_counts() -> None:
    table = set(strokes.tongyong_guifan())
    listed = strokes._read("stroke_order.txt")
    derived = [line.split("\t") for line in strokes._read("stroke_order_derived.txt").splitlines()
               if line and not line.startswith("#")]
    assert len(derived) == 1201
    listed_chars = {line.split("\t")[0] for line in listed.splitlines() if line and not line.startswith("#")}
    for ch, seq in derived:
        assert ch in table and ch not in listed_chars
        assert set(seq) <= set("12345")
        assert strokes._counts()[ch] == len(seq)
    # 玕 = 王 (1121) beside 干 (112); 芼 = 艹 (122) over 毛 (3115)
    assert strokes.stroke_sequence("玕") == "1121112"
    assert strokes.stroke_sequence("芼") == "1223115"
    # beyond the BMP, built like its traditional form 訏 with 言 on the left as 讠: 45 + 于 112
    assert strokes.stroke_sequence("𬣙") == "45112"


def test_a_derived_character_sorts_by_its_strokes_not_its_code_point() -> None:
    # 7 strokes each: 玕 starts 横 (1121112), 吽 竖 (2513112), 沚 点 (4412121), whatever their code points
    assert strokes.sort_names(["沚", "吽", "玕"]) == ["玕", "吽", "沚"]
