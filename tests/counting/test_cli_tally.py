"""`juxuan tally SCENARIO.json`: the engine on a scenario file, JSON out; errors in Chinese
naming the field path, exit status 1."""
from __future__ import annotations

import json
import re
from pathlib import Path

from election.cli import main

TALLY_MD = Path(__file__).resolve().parents[2] / "docs" / "TALLY.md"


def _run(app, path):
    return app.test_cli_runner().invoke(main, ["tally", str(path)])


def test_tally_prints_result_of_worked_example(app, tmp_path):
    """docs/TALLY.md example 1: 张建国 110 votes elected with the 101-vote majority line."""
    scenario = re.search(r"```json scenario\n(.*?)```", TALLY_MD.read_text(encoding="utf-8"), re.S).group(1)
    path = tmp_path / "s.json"
    path.write_text(scenario, encoding="utf-8")
    result = _run(app, path)
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["posts"]["jwh_zhuren"]["threshold"]["min_votes"] == 101
    assert out["posts"]["jwh_zhuren"]["elected"] == [{"person": "a", "name": "张建国", "votes": 110}]


def test_tally_refuses_bad_field_with_path(app, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"rulebook": "national", "posts": [{"key": "p", "body": "jwh", "title": "主任", "seats": 0, "rank": 1}],
                                "candidates": [], "papers": []}), encoding="utf-8")
    result = _run(app, path)
    assert result.exit_code == 1
    assert "posts[0].seats" in result.output and "至少为 1" in result.output


def test_tally_refuses_invalid_json_and_missing_file(app, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{", encoding="utf-8")
    result = _run(app, path)
    assert result.exit_code == 1 and "不是有效的 JSON" in result.output
    result = _run(app, tmp_path / "none.json")
    assert result.exit_code == 1 and "无法读取场景文件" in result.output and "文件不存在" in result.output


def test_tally_refuses_directory_and_bad_path_in_chinese(app, tmp_path):
    """A directory, or a path through a file, is told in Chinese like a missing file (exit 1),
    not with the command framework's English usage error (exit 2)."""
    result = _run(app, tmp_path)
    assert result.exit_code == 1 and "无法读取场景文件" in result.output and "这是一个目录，不是文件" in result.output
    plain = tmp_path / "f.json"
    plain.write_text("{}", encoding="utf-8")
    result = _run(app, plain / "inner.json")
    assert result.exit_code == 1 and "路径中有一段不是目录" in result.output
    assert "Error" not in result.output and "Traceback" not in result.output


def test_tally_reads_a_file_with_a_byte_order_mark(app, tmp_path):
    """A scenario saved by Windows Notepad (UTF-8 with BOM) was refused as "not JSON"."""
    scenario = re.search(r"```json scenario\n(.*?)```", TALLY_MD.read_text(encoding="utf-8"), re.S).group(1)
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + scenario.encode("utf-8"))
    result = _run(app, path)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["posts"]["jwh_zhuren"]["elected"][0]["votes"] == 110


def test_tally_refuses_an_empty_file_and_a_key_given_twice(app, tmp_path):
    """An empty file is said to be empty; {"count": 1, "count": 9} silently counted 9 papers
    (the last key wins in JSON parsers): refused, naming the key."""
    path = tmp_path / "empty.json"
    path.write_text("  \n", encoding="utf-8")
    result = _run(app, path)
    assert result.exit_code == 1 and "是空的" in result.output
    scenario = re.search(r"```json scenario\n(.*?)```", TALLY_MD.read_text(encoding="utf-8"), re.S).group(1)
    path.write_text(scenario.replace('{"count": 110,', '{"count": 1, "count": 110,'), encoding="utf-8")
    result = _run(app, path)
    assert result.exit_code == 1 and "字段“count”出现了两次" in result.output, result.output
    assert "Traceback" not in result.output
