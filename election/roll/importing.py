"""Importing households and residents from a file: every row checked by the rules
(election.rules.roll_rows), the whole file refused on any error, otherwise written in one
transaction with bulk inserts. ID and phone numbers are encrypted before they are stored."""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from .. import clock
from ..bulk import gc_paused
from ..errors import UserError
from ..ledger.events import record_event
from ..models import Election, Household, Resident
from ..pii import PersonalData
from ..rules import idcard
from ..rules.roll_rows import RollCheck, RowError, RowWarning, check_rows
from ..settings import rulebook_of
from .files import open_table
from .glyphs import row_warnings
from .register import adult_cutoff, flag_double_registrations, judge

# The tables themselves for the bulk writes: a Core executemany, without the ORM's per-row
# bulk-insert bookkeeping (bulk inserts fire no mapper events either way).
_RESIDENT_TABLE: Table = Resident.__table__  # type: ignore[assignment]
_HOUSEHOLD_TABLE: Table = Household.__table__  # type: ignore[assignment]

CATEGORY_CODES = {"本社区户籍": "hukou", "非户籍常住": "resident"}


@dataclass
class ImportReport:
    filename: str
    rows: int
    households: int
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowWarning] = field(default_factory=list)
    dry_run: bool = False
    registered: int = 0
    pending: int = 0
    under_age: int = 0
    flagged: int = 0


def check_file(db: Session, election: Election, pii: PersonalData, content: bytes, filename: str,
               today: date, progress: Callable[[int, int], None] | None = None) -> RollCheck:
    """Every row checked as it is read (never the whole file as rows in memory);
    ``progress(rows checked, rows in the file)`` from the first row on."""
    table = open_table(content, filename)
    existing_hashes = set(db.scalars(select(Resident.id_hash).where(Resident.election_id == election.id)))
    # check_rows asks about each plain number; the roll holds keyed hashes of them.
    on_roll = (lambda number: pii.lookup_hash(number) in existing_hashes) if existing_hashes else None
    report = progress or (lambda _done, _total: None)

    def counted() -> Iterator[dict]:
        report(0, table.total)
        done = 0
        for done, raw in enumerate(table.rows, start=1):
            yield raw
            if done % CHUNK == 0:
                report(done, table.total)
        if done % CHUNK:
            report(done, table.total)

    with gc_paused():
        return check_rows(table.header, counted(), on_roll=on_roll, today=today)


CHUNK = 500  # residents encrypted and inserted per step (one progress report each)


def import_roll(db: Session, election: Election, data_key: str, content: bytes, filename: str, actor: str,
                *, dry_run: bool = False, today: date | None = None,
                progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Check the file and, unless `dry_run`, write every resident; raises UserError (with
    `rows` = every RowError) when any row is wrong, before anything is written.
    ``progress(done, total)`` out of the file's rows: checked, then written (a dry run
    reports the checked rows)."""
    today = today or clock.today()
    report_progress = progress or (lambda _done, _total: None)
    if election.roll_frozen_at is not None:
        raise UserError("选民名单已冻结，不能再导入；个别变更请在居民详情页记录决定")
    pii = PersonalData(data_key)
    # One figure from the first row on: out of the file's rows, the first half is the check,
    # the second half the writing (a dry run only checks).
    rows_in_file = [0]

    def on_check(done: int, total: int) -> None:
        rows_in_file[0] = total
        report_progress(done if dry_run else done // 2, total)

    check = check_file(db, election, pii, content, filename, today, on_check)
    if not check.ok:
        raise UserError(
            f"文件“{filename}”有{len(check.errors)}处错误，整个文件未导入，选民名单未作任何改动。请改正后重新上传。",
            rows=check.errors,
        )
    if not check.rows:
        raise UserError(f"文件“{filename}”没有数据行")
    total = len(check.rows)
    shown = rows_in_file[0]
    half = shown // 2
    report = ImportReport(filename, total, len({r.household_no for r in check.rows}),
                          warnings=[*check.warnings, *row_warnings(check.rows)], dry_run=dry_run)
    hashes = [pii.lookup_hash(r.id_number) for r in check.rows]
    book = rulebook_of(election)
    # A person is on one roll only (one_roll_only, [V art.13] [P:SZ]): who is on another
    # current roll waits for the committee; where the rulebook does not say so, nobody waits.
    flagged = flag_double_registrations(db, election, hashes, today) if not dry_run and book.one_roll_only else set()
    cutoff = adult_cutoff(election.election_day, book.voter_min_age)
    judged = []
    for row, id_hash in zip(check.rows, hashes):
        category = CATEGORY_CODES[row.category]
        verdict = judge(election, birth_date=row.birth_date, category=category,
                        residence_since=row.residence_since, book=book)
        double = id_hash in flagged
        # 本社区户籍 are registered; 非户籍常住 wait for their application; a person already on
        # another roll waits for the committee's decision instead of being registered twice.
        status = "registered" if category == "hukou" and not double else "pending"
        report.registered += status == "registered"
        report.pending += status == "pending"
        report.flagged += double
        report.under_age += row.birth_date > cutoff
        judged.append((row, id_hash, category, status, verdict.eligible, double))
    if dry_run:
        return report

    household_ids = dict(db.execute(
        select(Household.number, Household.id).where(Household.election_id == election.id)
    ).all())
    new_households = {}
    for row in check.rows:
        if row.household_no not in household_ids and row.household_no not in new_households:
            new_households[row.household_no] = {
                "election_id": election.id, "number": row.household_no, "building": row.building,
                "unit": row.unit, "room": row.room, "group_name": row.group,
            }
    if new_households:
        # Plain executemany: RETURNING over many batches costs quadratic time in SQLAlchemy 2.1.
        db.execute(insert(_HOUSEHOLD_TABLE), list(new_households.values()))
        household_ids = dict(db.execute(
            select(Household.number, Household.id).where(Household.election_id == election.id)
        ).all())
    for start in range(0, total, CHUNK):
        db.execute(insert(_RESIDENT_TABLE), [
            {
                "election_id": election.id, "household_id": household_ids[row.household_no], "name": row.name,
                "sex": row.sex, "birth_date": row.birth_date, "id_cipher": pii.encrypt(row.id_number),
                "id_hash": id_hash, "id_masked": idcard.mask_id(row.id_number), "phone_cipher": pii.encrypt(row.phone),
                "phone_masked": idcard.mask_phone(row.phone) if row.phone else "", "group_name": row.group,
                "category": category, "residence_since": row.residence_since, "notes": row.note, "status": status,
                "status_basis": "", "eligible": eligible, "double_registration": double,
            }
            for row, id_hash, category, status, eligible, double in judged[start:start + CHUNK]
        ])
        written = min(start + CHUNK, total)
        report_progress(half + (shown - half) * written // total, shown)
    mine = set(hashes)
    added = [(rid, masked) for rid, masked, id_hash in db.execute(
        select(Resident.id, Resident.id_masked, Resident.id_hash).where(Resident.election_id == election.id)
    ) if id_hash in mine]
    record_event(
        db, election, "roll.imported",
        {
            "file_sha256": hashlib.sha256(content).hexdigest(), "rows": total,
            "households_added": len(new_households), "registered": report.registered,
            "pending": report.pending, "double_registration": report.flagged,
            "added": sorted([rid, masked] for rid, masked in added),
        },
        actor, f"导入文件 {filename}",
    )
    return report
