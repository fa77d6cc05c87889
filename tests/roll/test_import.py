"""Importing the roll: every error reported and nothing written (Must show 1), 10,000
residents in one transaction with exact age eligibility (Must show 2), ID numbers
unreadable in the database file (Must show 3), file formats and encodings."""
from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from election import clock
from election.errors import UserError
from election.models import ElectionEvent, Household, Resident
from election.pii import PersonalData
from election.roll.demo import generate_rows
from election.roll.importing import import_roll
from election.rules import roll_rows as rr
from tests.conftest import DATA_KEY, PG_URL
from tests.factories import make_id
from tests.races import OtherWriter
from tests.roll.helpers import csv_bytes, row, xlsx_bytes

TODAY = clock.today()


def count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def test_twelve_kinds_of_errors_all_reported_with_rows_and_roll_stays_empty(world, db):
    """Rule: a file with any bad row is refused whole (roll_rows.check_rows, house rule 'database left as it was')."""
    election = world["a"]["election"]
    good = make_id(date(1980, 5, 1))
    rows = [
        row("张三", good),                                                       # 2 valid
        row("", make_id(date(1981, 1, 1), seq=13)),                             # 3 empty_field
        row("李四", "32010219800501123"),                                        # 4 id_format (17 chars)
        row("王五", good[:17] + ("0" if good[17] != "0" else "1")),              # 5 id_checksum
        row("赵六", "320102" + "19801340" + "1234"),                             # 6 id_birth_date (month 13)
        row("钱七", make_id(date(1982, 2, 2), male=False, seq=14), sex="男"),     # 7 sex_mismatch
        row("孙八", make_id(date(1983, 3, 3), seq=15), sex="M"),                  # 8 sex_value
        row("周九", good),                                                       # 9 duplicate_in_file
        row("吴十", make_id(date(1984, 4, 4), seq=16), category="外地"),          # 10 category_value
        row("郑一", make_id(date(1985, 5, 5), seq=17), category="非户籍常住", since="2020-13-45"),  # 11 date_format
        row("冯二", make_id(date(1986, 6, 6), seq=18), category="非户籍常住",
            since=(TODAY + timedelta(days=30)).isoformat()),                    # 12 date_future
        row("陈三", make_id(date(1987, 7, 7), seq=19), phone="12345"),            # 13 phone_format
        row("褚四", make_id(date(1988, 8, 8), seq=20), group="无"),               # 14 group_value
        row("卫五", make_id(date(1989, 9, 9), seq=21), household="0002", 楼栋="-"),  # 15 building_value
        row("蒋六", make_id(date(1990, 10, 10), seq=22), household="0001", 室号="909"),  # 16 household_conflict
        row("沈7", make_id(date(1991, 11, 11), seq=23)),                          # 17 name_value
        row("韩八", make_id(date(1992, 12, 12), seq=24), category="非户籍常住"),   # 18 residence_date_missing
    ]
    with pytest.raises(UserError) as caught:
        import_roll(db, election, DATA_KEY, csv_bytes(rows), "bad.csv", "tester", today=TODAY)
    db.rollback()
    found = {(e.code, e.row_number) for e in caught.value.rows}
    expected = {
        (rr.E_EMPTY, 3), (rr.E_ID_FORMAT, 4), (rr.E_ID_CHECKSUM, 5), (rr.E_ID_BIRTH, 6), (rr.E_SEX_MISMATCH, 7),
        (rr.E_SEX_VALUE, 8), (rr.E_DUP_FILE, 9), (rr.E_CATEGORY, 10), (rr.E_DATE_FORMAT, 11),
        (rr.E_DATE_FUTURE, 12), (rr.E_PHONE, 13), (rr.E_GROUP, 14), (rr.E_BUILDING, 15),
        (rr.E_HOUSEHOLD_CONFLICT, 16), (rr.E_NAME, 17), (rr.E_RESIDENCE_MISSING, 18),
    }
    assert expected <= found
    assert len({code for code, _ in found}) >= 12
    assert all(e.message.startswith(f"第{e.row_number}行“{e.column}”") for e in caught.value.rows)
    assert "整个文件未导入" in caught.value.messages[0]
    # Plain ID numbers never appear in an error message.
    assert all(good not in e.message and good not in e.value for e in caught.value.rows)
    assert count(db, Resident) == 0 and count(db, Household) == 0
    assert db.scalar(select(func.count(ElectionEvent.id)).where(ElectionEvent.kind == "roll.imported")) == 0


def test_ten_thousand_residents_in_one_transaction_exact_at_the_18th_birthday(world, db):
    """Rule: 18 or older on election day [L2018 art.8]; born on election day 18 years before is eligible."""
    election = world["a"]["election"]
    election.election_day = day = date(TODAY.year + 1, 6, 15)
    db.commit()
    rows = generate_rows(4000, random.Random(7), TODAY, limit=10_000)
    assert len(rows) == 10_000
    on_day = date(day.year - 18, 6, 15)
    rows[0] = row("刚满十八", make_id(on_day, seq=91), household=rows[0]["户号"], 楼栋=rows[0]["楼栋"],
                  单元=rows[0]["单元"], 室号=rows[0]["室号"], group=rows[0]["居民小组"])
    rows[1] = row("差一天", make_id(on_day + timedelta(days=1), seq=92), household=rows[1]["户号"],
                  楼栋=rows[1]["楼栋"], 单元=rows[1]["单元"], 室号=rows[1]["室号"], group=rows[1]["居民小组"])
    report = import_roll(db, election, DATA_KEY, xlsx_bytes(rows), "roll.xlsx", "tester", today=TODAY)
    db.commit()
    assert report.rows == 10_000 and count(db, Resident) == 10_000
    assert db.scalar(select(func.count(ElectionEvent.id)).where(ElectionEvent.kind == "roll.imported")) == 1
    by_name = {r.name: r for r in db.scalars(select(Resident).where(Resident.name.in_(("刚满十八", "差一天"))))}
    assert by_name["刚满十八"].eligible is True and by_name["刚满十八"].is_voter
    assert by_name["差一天"].eligible is False and not by_name["差一天"].is_voter
    # Every 本社区户籍 resident: eligible exactly when the 18th birthday is on or before election day.
    for birth, eligible in db.execute(select(Resident.birth_date, Resident.eligible)
                                      .where(Resident.category == "hukou")):
        assert eligible == ((birth.year + 18, birth.month, birth.day) <= (day.year, day.month, day.day))


def test_id_numbers_are_not_readable_in_the_sqlite_file(world, db, schema):
    """Privacy rule (DESIGN.md): ID numbers encrypted at rest, looked up by keyed hash."""
    if PG_URL:
        pytest.skip("raw file check applies to the SQLite lane only")
    election = world["a"]["election"]
    rows = generate_rows(30, random.Random(3), TODAY)
    import_roll(db, election, DATA_KEY, csv_bytes(rows), "r.csv", "tester", today=TODAY)
    db.commit()
    db.connection().exec_driver_sql("PRAGMA wal_checkpoint(FULL)")
    db.commit()
    path = Path(schema.removeprefix("sqlite:///"))
    raw = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    ids = [r["公民身份号码"] for r in rows]
    assert rows[0]["姓名"].encode("utf-8") in raw  # the file really holds the roll
    assert not [i for i in ids if i.encode("ascii") in raw]
    phones = [r["联系电话"] for r in rows if r["联系电话"]]
    assert phones and not [p for p in phones if p.encode("ascii") in raw]
    pii = PersonalData(DATA_KEY)
    stored = db.scalar(select(Resident).where(Resident.id_hash == pii.lookup_hash(ids[0])))
    assert stored is not None and pii.decrypt(stored.id_cipher) == ids[0]
    assert stored.id_masked == ids[0][:4] + "*" * 10 + ids[0][-4:]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_each_encoding_imports_the_same_names(world, db, encoding):
    election = world["a"]["election"]
    rows = [row("欧阳娜", make_id(date(1970, 1, 2), male=False), sex="女"), row("张伟", make_id(date(1971, 3, 4)))]
    content = csv_bytes(rows).decode("utf-8").encode(encoding)
    report = import_roll(db, election, DATA_KEY, content, "r.csv", "tester", today=TODAY)
    db.commit()
    assert report.rows == 2
    assert sorted(db.scalars(select(Resident.name))) == sorted(["欧阳娜", "张伟"])


def test_extra_columns_warned_dry_run_writes_nothing(world, db):
    election = world["a"]["election"]
    content = xlsx_bytes([row("张伟", make_id(date(1971, 3, 4)))], extra_header=("民族",))
    report = import_roll(db, election, DATA_KEY, content, "r.xlsx", "tester", dry_run=True, today=TODAY)
    db.rollback()
    assert report.rows == 1 and [w.column for w in report.warnings] == ["民族"]
    assert count(db, Resident) == 0


def test_second_import_refuses_a_person_already_on_the_roll(world, db):
    """Rule: one person is on the roll once (duplicate_on_roll)."""
    election = world["a"]["election"]
    person = make_id(date(1970, 1, 2))
    import_roll(db, election, DATA_KEY, csv_bytes([row("张伟", person)]), "a.csv", "t", today=TODAY)
    db.commit()
    with pytest.raises(UserError) as caught:
        import_roll(db, election, DATA_KEY, csv_bytes([row("张伟", person, household="0009")]), "b.csv", "t", today=TODAY)
    assert [(e.code, e.row_number) for e in caught.value.rows] == [(rr.E_DUP_ROLL, 2)]


def test_person_on_another_communitys_roll_is_flagged_not_registered(world, db):
    """Rule: registered in one place only [V art.13]: both rolls show the flag."""
    person = make_id(date(1970, 1, 2))
    import_roll(db, world["b"]["election"], DATA_KEY, csv_bytes([row("张伟", person)]), "b.csv", "t", today=TODAY)
    db.commit()
    report = import_roll(db, world["a"]["election"], DATA_KEY, csv_bytes([row("张伟", person)]), "a.csv", "t", today=TODAY)
    db.commit()
    assert report.flagged == 1
    both = list(db.scalars(select(Resident).order_by(Resident.election_id)))
    assert [r.double_registration for r in both] == [True, True]
    mine = next(r for r in both if r.election_id == world["a"]["election"].id)
    assert mine.status == "pending" and not mine.is_voter


def test_a_wrong_row_after_batches_were_written_leaves_the_database_as_it_was(world, db):
    """All or nothing with a streamed import: the rows before a wrong one far down the file
    were already inserted (CHUNK at a time), and another roll's flag already set; the wrong
    row takes all of it back, inside the caller's transaction, which stays usable."""
    from election.roll.importing import CHUNK

    person = make_id(date(1970, 1, 2))
    import_roll(db, world["b"]["election"], DATA_KEY, csv_bytes([row("张伟", person)]), "b.csv", "t", today=TODAY)
    db.commit()
    election = world["a"]["election"]
    rows = [row("张伟", person)] + [row("李娜", make_id(date(1980, 1, 1) + timedelta(days=i), seq=i), household=f"h{i}")
                                   for i in range(2 * CHUNK + 10)]
    rows.append(row("王芳", "110101199003071235"))  # a wrong check digit in the last row
    counts = lambda: (db.scalar(select(func.count()).select_from(Resident)),  # noqa: E731
                      db.scalar(select(func.count()).select_from(Household)),
                      db.scalar(select(func.count()).select_from(ElectionEvent)))
    before = counts()
    with pytest.raises(UserError) as caught:
        import_roll(db, election, DATA_KEY, csv_bytes(rows), "a.csv", "t", today=TODAY)
    assert [(e.code, e.row_number) for e in caught.value.rows] == [(rr.E_ID_CHECKSUM, len(rows) + 1)]
    assert counts() == before
    assert [r.double_registration for r in db.scalars(select(Resident))] == [False]
    db.commit()
    assert counts() == before


def test_unreadable_files_are_refused_in_chinese(world, db):
    election = world["a"]["election"]
    with pytest.raises(UserError, match="不受支持"):
        import_roll(db, election, DATA_KEY, b"x", "roll.pdf", "t", today=TODAY)
    with pytest.raises(UserError, match="无法读取Excel"):
        import_roll(db, election, DATA_KEY, b"not a zip", "roll.xlsx", "t", today=TODAY)
    with pytest.raises(UserError) as caught:
        import_roll(db, election, DATA_KEY, "姓名,性别\n张伟,男\n".encode(), "roll.csv", "t", today=TODAY)
    assert {e.code for e in caught.value.rows} == {rr.E_MISSING_COLUMN}
    assert all(e.row_number == 1 and "缺少必填列" in e.message for e in caught.value.rows)


def test_an_import_holds_the_write_lock_from_its_first_read(world, db, schema):
    """SQLite: an import that read the roll as a reader and only then wrote failed with
    "database is locked" when anyone else (a login, a desk) committed in between, since a
    WAL reader cannot become the writer over a newer snapshot. The import takes the write
    lock before its first read: another writer meanwhile waits (here: is refused at once,
    with no busy wait) and the import completes."""
    if not schema.startswith("sqlite"):
        pytest.skip("PostgreSQL's readers never upgrade: row locks and constraints do the work")

    election = world["a"]["election"]
    db.commit()
    other = OtherWriter(schema, election.id)

    def meanwhile(done: int, total: int) -> None:
        if done == 0:  # after the roll's hashes were read, before the first insert
            other.attempt()

    try:
        report = import_roll(db, election, DATA_KEY, csv_bytes([row("张三", make_id(date(1980, 5, 1)))]), "名册.csv",
                             "a_committee", today=TODAY, progress=meanwhile)
        db.commit()
    finally:
        other.close()
    assert other.outcome == ["database is locked"]
    assert report.rows == 1 and count(db, Resident) == 1
