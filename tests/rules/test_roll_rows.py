"""Roll import validation (RULES.md "Voter roll"; template columns of the roll import)."""

import datetime as dt

from election.rules import roll_rows as rr
from tests.factories import id_number, with_check_digit

TODAY = dt.date(2026, 3, 1)
HEADER = list(rr.COLUMNS)


def nth_id(k: int, male: bool = True) -> str:
    """The k-th distinct valid ID (born 1980 onwards, 17th digit odd for 男)."""
    born = dt.date(1980, 1, 1) + dt.timedelta(days=k // 400)
    return id_number(born, (k % 400) * 2 + (1 if male else 0), "320102")


def row(**kw: object) -> dict:
    base = {
        "姓名": "张三", "性别": "男", "公民身份号码": with_check_digit("32010219800101123"), "户号": "H1",
        "楼栋": "1栋", "单元": "1单元", "室号": "101", "居民小组": "第1居民小组",
        "户籍类别": "本社区户籍", "居住起始日期": "", "联系电话": "13812345678", "备注": "",
    }
    base.update(kw)
    return base


def codes(result: rr.RollCheck) -> list[tuple[int, str, str]]:
    return [(e.row_number, e.column, e.code) for e in result.errors]


def test_clean_row_passes() -> None:
    r = rr.check_rows(HEADER, [row()], today=TODAY)
    assert r.ok and r.rows[0].birth_date == dt.date(1980, 1, 1) and r.rows[0].row_number == 2


def test_missing_required_column_and_extra_column_warning() -> None:
    header = [c for c in HEADER if c != "公民身份号码"] + ["微信"]
    r = rr.check_rows(header, [row()], today=TODAY)
    assert (1, "公民身份号码", rr.E_MISSING_COLUMN) in codes(r)
    assert [w.code for w in r.warnings] == [rr.W_EXTRA_COLUMN] and "微信" in r.warnings[0].message


def test_empty_required_field_named_per_field() -> None:
    r = rr.check_rows(HEADER, [row(姓名="", 居民小组="")], today=TODAY)
    assert (2, "姓名", rr.E_EMPTY) in codes(r) and (2, "居民小组", rr.E_EMPTY) in codes(r)
    assert "第2行“姓名”" in r.errors[0].message


def test_id_errors_are_masked() -> None:
    good = with_check_digit("32010219800101123")
    bad_check = good[:17] + ("1" if good[17] != "1" else "2")
    r = rr.check_rows(HEADER, [row(公民身份号码="123"), row(公民身份号码=bad_check), row(公民身份号码=with_check_digit("32010219800231123"))], today=TODAY)
    assert codes(r) == [(2, "公民身份号码", rr.E_ID_FORMAT), (3, "公民身份号码", rr.E_ID_CHECKSUM), (4, "公民身份号码", rr.E_ID_BIRTH)]
    assert r.errors[1].value == "3201**********" + bad_check[-4:]
    assert all(bad_check not in e.message for e in r.errors)


def test_sex_value_and_mismatch() -> None:
    r = rr.check_rows(HEADER, [row(性别="M"), row(性别="女", 户号="H2", 室号="102", 公民身份号码=nth_id(5))], today=TODAY)
    assert codes(r) == [(2, "性别", rr.E_SEX_VALUE), (3, "性别", rr.E_SEX_MISMATCH)]


def test_duplicates_in_file_and_on_roll() -> None:
    a = with_check_digit("32010219800101123")
    b = with_check_digit("32010219800101133")
    r = rr.check_rows(HEADER, [row(), row(), row(公民身份号码=b)], existing_ids=[b], today=TODAY)
    assert codes(r) == [(3, "公民身份号码", rr.E_DUP_FILE), (4, "公民身份号码", rr.E_DUP_ROLL)]
    assert "第2行" in r.errors[0].message and a not in r.errors[0].message


def test_dates_accepted_forms_malformed_and_future() -> None:
    ok_forms = ["2020-03-01", "2020/3/1", "2020年3月1日", dt.date(2020, 3, 1), dt.datetime(2020, 3, 1, 0, 0)]
    rows = [row(户籍类别="非户籍常住", 居住起始日期=v) for v in ok_forms]
    for k, r_ in enumerate(rows):
        r_["公民身份号码"] = nth_id(k)
    r = rr.check_rows(HEADER, rows, today=TODAY)
    assert r.ok, r.errors
    assert {x.residence_since for x in r.rows} == {dt.date(2020, 3, 1)}
    bad = rr.check_rows(HEADER, [row(居住起始日期="2020-02-30"), row(居住起始日期="2027-01-01", 户号="H2", 室号="102", 公民身份号码=with_check_digit("32010219800101133"))], today=TODAY)
    assert codes(bad) == [(2, "居住起始日期", rr.E_DATE_FORMAT), (3, "居住起始日期", rr.E_DATE_FUTURE)]


def test_category_phone_group_building() -> None:
    r = rr.check_rows(HEADER, [row(户籍类别="外地"), row(联系电话="12345", 户号="H2", 室号="102", 公民身份号码=with_check_digit("32010219800101133"))], today=TODAY)
    assert codes(r) == [(2, "户籍类别", rr.E_CATEGORY), (3, "联系电话", rr.E_PHONE)]
    assert rr.check_rows(HEADER, [row(联系电话="025-84561234")], today=TODAY).ok
    r2 = rr.check_rows(HEADER, [row(居民小组="无", 楼栋="-")], today=TODAY)
    assert (2, "居民小组", rr.E_GROUP) in codes(r2) and (2, "楼栋", rr.E_BUILDING) in codes(r2)


def test_household_with_conflicting_address() -> None:
    r = rr.check_rows(HEADER, [row(), row(公民身份号码=with_check_digit("32010219800101133"), 室号="202")], today=TODAY)
    assert codes(r) == [(3, "户号", rr.E_HOUSEHOLD_CONFLICT)]
    assert "第2行" in r.errors[0].message


def test_at_least_twelve_distinct_error_codes() -> None:
    all_codes = {v for k, v in vars(rr).items() if k.startswith("E_")}
    assert len(all_codes) >= 12


def test_ten_thousand_rows_all_accepted() -> None:
    rows = []
    for k in range(10_000):
        rows.append(row(公民身份号码=nth_id(k), 户号=f"H{k}", 室号=str(k)))
    r = rr.check_rows(HEADER, rows, today=TODAY)
    assert len(r.rows) == 10_000, r.errors[:3]


def _checked_state(checker: rr.RowChecker, rows: list) -> tuple:
    return (rows, checker.errors, checker.warnings, checker.households, checker.first_row_of_id, checker.row_number)


def test_check_many_is_check_row_by_row() -> None:
    """A batch checked column-wise (check_many) gives what check gives row by row: the same
    clean rows, errors, households, ID numbers and row numbers, on batches where every row
    is clean and on batches with one slip of any kind among clean rows."""
    import random

    rng = random.Random(5)
    fast = 0
    slips = [
        {"姓名": ""}, {"姓名": "张3"}, {"姓名": "张\n三"}, {"性别": "M"}, {"性别": "女"}, {"公民身份号码": "123"},
        {"公民身份号码": with_check_digit("32010219800231123")}, {"公民身份号码": " " + nth_id(1)},
        {"公民身份号码": nth_id(1).lower()}, {"户籍类别": "外来"}, {"户籍类别": "非户籍常住", "居住起始日期": ""},
        {"居住起始日期": "2020/3/1"}, {"居住起始日期": "2020-02-30"}, {"居住起始日期": "2030-01-01"},
        {"居住起始日期": dt.date(2020, 1, 1)}, {"联系电话": "025-12345678"}, {"联系电话": "+86 138 1234 5678"},
        {"联系电话": "12345"}, {"联系电话": 13812345678}, {"居民小组": "无"}, {"楼栋": "-"}, {"楼栋": "x" * 21},
        {"室号": "999"}, {"户号": "H0"}, {"备注": None}, {"姓名": "", "性别": "", "公民身份号码": "", "户号": "", "楼栋": "",
                                                     "单元": "", "室号": "", "居民小组": "", "户籍类别": "", "联系电话": ""},
    ]
    for trial in range(60):
        count = rng.randrange(1, 12)
        batch = []
        for i in range(count):
            k = trial * 20 + i
            house = f"H{k // 3}"
            batch.append(row(公民身份号码=nth_id(k, male=True), 户号=house, 室号=str(100 + k // 3),
                             居住起始日期=rng.choice(["", "2019-05-01", "2018-1-9"]), 联系电话=rng.choice(["", "13912345678"])))
        if trial % 3:
            batch[rng.randrange(count)].update(rng.choice(slips))
        if trial % 7 == 0:
            batch.append(dict(batch[0]))  # an ID number twice
        seen = [nth_id(trial * 20 + 5)] if trial % 5 == 0 else []
        one, many = (rr.RowChecker(HEADER, existing_ids=seen, today=TODAY) for _ in range(2))
        one.check(row(公民身份号码=nth_id(9999), 户号="H0"))  # a row before the batch
        many.check(row(公民身份号码=nth_id(9999), 户号="H0"))
        by_row = [r for r in map(one.check, batch) if r is not None]
        if trial % 3 == 0 and trial % 7 and trial % 5:  # a clean batch: the column-wise check passes it
            assert rr.RowChecker(HEADER, today=TODAY)._all_clean(batch) is not None
            fast += 1
        assert _checked_state(many, many.check_many(batch)) == _checked_state(one, by_row), (trial, batch)
    assert fast >= 5
