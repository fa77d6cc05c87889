"""Importing households and residents from a file: every row checked by the rules
(election.rules.roll_rows), the whole file refused on any error, otherwise written in one
transaction with bulk inserts. ID and phone numbers are encrypted before they are stored."""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Table, func, select, text, update
from sqlalchemy.orm import Session

from .. import clock
from ..bulk import gc_paused, insert_columns, insert_many
from ..db import begin_write, is_sqlite
from ..errors import UserError
from ..ledger.events import record_event
from ..models import Election, Household, Resident
from ..pii import PersonalData
from ..protocol import event_kinds as ek
from ..rules import idcard
from ..rules.phrase import phrase
from ..rules.roll_rows import RollCheck, RollRow, RowChecker, RowError, RowWarning
from ..settings import rulebook_of
from .files import Table as Upload
from .files import open_table
from .glyphs import row_warnings
from .register import adult_cutoff, judge

# The tables themselves for the bulk writes: a Core executemany, without the ORM's per-row
# bulk-insert bookkeeping (bulk inserts fire no mapper events either way).
_RESIDENT_TABLE: Table = Resident.__table__  # type: ignore[assignment]
_HOUSEHOLD_TABLE: Table = Household.__table__  # type: ignore[assignment]

_HOUSEHOLD_KEYS = ("election_id", "number", "building", "unit", "room", "group_name")

CATEGORY_CODES = {"本社区户籍": "hukou", "非户籍常住": "resident"}
_STATUS_OF = {"hukou": "registered", "resident": "pending"}


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
    """Every row checked as it is read; the clean rows kept (small files: the import
    itself streams, see import_roll). ``progress(rows checked, rows in the file)``."""
    table = open_table(content, filename)
    checker = RowChecker(table.header, on_roll=_on_roll(db, election, pii), today=today)
    if not checker.header_ok:
        return RollCheck([], checker.errors, checker.warnings)
    with gc_paused():
        clean = [row for row in map(checker.check, _counted(table, progress)) if row is not None]
    return RollCheck(clean, checker.errors, checker.warnings)


CHUNK = 500  # residents checked, encrypted and inserted per step (one progress report each)


def _on_roll(db: Session, election: Election, pii: PersonalData) -> Callable[[str], bool] | None:
    """Whether a plain ID number is already on this election's roll, which holds keyed
    hashes of them (None when the roll is empty: nothing to ask)."""
    existing = set(db.scalars(select(Resident.id_hash).where(Resident.election_id == election.id)))
    return (lambda number: pii.lookup_hash(number) in existing) if existing else None


def _counted(table: Upload, progress: Callable[[int, int], None] | None) -> Iterator[dict]:
    """The table's rows, with ``progress(done, total)`` from the first on and every CHUNK."""
    report = progress or (lambda _done, _total: None)
    report(0, table.total)
    done = 0
    for done, raw in enumerate(table.rows, start=1):
        yield raw
        if done % CHUNK == 0:
            report(done, table.total)
    if done % CHUNK:
        report(done, table.total)


def import_roll(db: Session, election: Election, data_key: str, content: bytes, filename: str, actor: str,
                *, dry_run: bool = False, today: date | None = None,
                progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Check the file and, unless `dry_run`, write every resident; raises UserError (with
    `rows` = every RowError) when any row is wrong, and the database is left as it was.

    One pass over the file, never the whole roll in memory: each row is checked as it is
    read, and while no row has been wrong, the clean rows are encrypted and inserted
    CHUNK at a time inside a savepoint; the first wrong row stops the writing (the rest
    is still checked, so every error is reported) and the savepoint is rolled back.
    ``progress(done, total)`` out of the file's rows."""
    today = today or clock.today()
    if not dry_run:
        # The write lock from the first read (SQLite): the roll's hashes read below and the
        # inserts are one snapshot, so a login or a desk writing meanwhile cannot make the
        # first insert's upgrade from reader to writer fail ("database is locked").
        begin_write(db)
    if election.roll_frozen_at is not None:
        raise UserError("选民名单已冻结，不能再导入；个别变更请在居民详情页记录决定")
    pii = PersonalData(data_key)
    table = open_table(content, filename)
    checker = RowChecker(table.header, on_roll=_on_roll(db, election, pii), today=today)
    def refused(n: int) -> str:
        return phrase("文件“%(file)s”有%(n)s处错误，整个文件未导入，选民名单未作任何改动。请改正后重新上传。", file=filename, n=n)

    if not checker.header_ok:
        raise UserError(refused(len(checker.errors)), rows=checker.errors)
    report = ImportReport(filename, 0, 0, warnings=list(checker.warnings), dry_run=dry_run)
    writer = _Writer(db, election, pii, report, today, write=not dry_run)
    savepoint = None if dry_run else db.begin_nested()
    try:
        with gc_paused(), _sqlite_cache(db, dry_run):
            raws: list[dict] = []

            def check_and_write() -> None:
                rows = checker.check_many(raws)
                if checker.errors:
                    return  # a wrong row: nothing more is written, the rest is still checked
                report.warnings.extend(row_warnings(rows))
                writer.write(rows)

            for raw in _counted(table, progress):
                raws.append(raw)
                if len(raws) == CHUNK:
                    check_and_write()
                    raws = []
            check_and_write()
            if checker.errors:
                raise UserError(refused(len(checker.errors)), rows=checker.errors)
            if not report.rows:
                raise UserError(f"文件“{filename}”没有数据行")
            report.households = len(checker.households)
            if not dry_run:
                writer.flag_doubles()
                writer.record(content, actor, filename)
    except BaseException:
        if savepoint is not None and savepoint.is_active:
            savepoint.rollback()
        raise
    if savepoint is not None:
        savepoint.commit()
    return report


# SQLite's page cache while a roll is written (KiB): the residents' nine indexes take keys in
# random order (the ID hashes), and with the default 2 MB most inserts of a large roll miss
# the cache (100,000 rows: 5.2 s of SQLite CPU with 2 MB, 3.5 s with 8 MB, 3.2 s with 16 MB);
# each MB more is a MB more of the import's peak memory.
_IMPORT_CACHE_KIB = 8 * 1024


@contextmanager
def _sqlite_cache(db: Session, dry_run: bool) -> Iterator[None]:
    """A larger page cache on this SQLite connection for the import, as it was afterwards."""
    if dry_run or not is_sqlite(db):
        yield
        return
    before = db.execute(text("PRAGMA cache_size")).scalar()
    db.execute(text(f"PRAGMA cache_size=-{_IMPORT_CACHE_KIB}"))
    try:
        yield
    finally:
        db.execute(text(f"PRAGMA cache_size={int(before or -2000)}"))


class _Writer:
    """The rows of an import judged, counted into the report and (unless a dry run)
    encrypted and inserted, a batch at a time."""

    def __init__(self, db: Session, election: Election, pii: PersonalData, report: ImportReport, today: date,
                 *, write: bool) -> None:
        self.db, self.election, self.pii, self.report, self.today, self.write_rows = db, election, pii, report, today, write
        self.book = rulebook_of(election)
        self.cutoff = adult_cutoff(election.election_day, self.book.voter_min_age)
        self.household_ids: dict[str, int] = dict(db.execute(
            select(Household.number, Household.id).where(Household.election_id == election.id)
        ).all()) if write else {}
        self.households_added = 0
        self.judged: dict[tuple[bool, str, date | None], bool] = {}
        # Residents of the election before the import: whoever is above it was added now.
        self.last_before = db.scalar(select(func.max(Resident.id)).where(Resident.election_id == election.id)) or 0

    def write(self, rows: list[RollRow]) -> None:
        if not rows:
            return
        db, election, pii, report, book = self.db, self.election, self.pii, self.report, self.book
        report.rows += len(rows)
        # Column by column (zip(*rows) transposes the batch in C): a map or a C-level call per
        # column rather than Python statements per row.
        (_, names, sexes, numbers, births, household_nos, buildings, units, rooms, groups, category_labels,
         sinces, phones, notes) = zip(*rows)
        categories = list(map(CATEGORY_CODES.__getitem__, category_labels))
        # The rule looks at the birth date only through the age on election day, which is
        # whether it is after the cutoff: judged once per (under age, category, residence
        # since) -- a few hundred keys for a roll of 100,000 instead of a call per row.
        under_age = list(map(self.cutoff.__lt__, births))
        keys = list(zip(under_age, categories, sinces))
        judged = self.judged
        for key, birth in zip(keys, births):
            if key not in judged:
                judged[key] = judge(election, birth_date=birth, category=key[1], residence_since=key[2],
                                    book=book).eligible
        report.under_age += sum(under_age)
        # 本社区户籍 are registered; 非户籍常住 wait for their application (and a person also on
        # another current roll waits for the committee's decision: flag_doubles).
        statuses = list(map(_STATUS_OF.__getitem__, categories))
        registered = statuses.count("registered")
        report.registered += registered
        report.pending += len(rows) - registered
        if not self.write_rows:
            return
        ids = self.household_ids
        new: dict[str, tuple[int, str, str, str, str, str]] = {}
        for row in rows:
            if row.household_no not in ids and row.household_no not in new:
                new[row.household_no] = (election.id, row.household_no, row.building, row.unit, row.room, row.group)
        if new:
            # Plain executemany: RETURNING over many batches costs quadratic time in SQLAlchemy 2.1.
            insert_many(db, _HOUSEHOLD_TABLE, _HOUSEHOLD_KEYS, list(new.values()))
            ids.update(db.execute(select(_HOUSEHOLD_TABLE.c.number, _HOUSEHOLD_TABLE.c.id).where(
                _HOUSEHOLD_TABLE.c.election_id == election.id, _HOUSEHOLD_TABLE.c.number.in_(list(new)))).all())
            self.households_added += len(new)
        mask_phone = idcard.mask_phone
        insert_columns(db, _RESIDENT_TABLE, {
            "household_id": map(ids.__getitem__, household_nos),
            "name": names, "sex": sexes, "birth_date": births,
            "id_cipher": pii.encrypt_many(numbers), "id_hash": pii.lookup_hashes(numbers),
            "id_masked": idcard.mask_ids(numbers),
            "phone_cipher": pii.encrypt_many(phones),
            "phone_masked": [mask_phone(phone) if phone else "" for phone in phones],
            "group_name": groups, "category": categories, "residence_since": sinces, "notes": notes,
            "status": statuses, "eligible": map(judged.__getitem__, keys),
        }, {"election_id": election.id, "status_basis": "", "double_registration": False})

    def flag_doubles(self) -> None:
        """A person is on one roll only (one_roll_only, [V art.13] [P:SZ]): each resident just
        added who is also on another current election's roll waits for the committee
        (pending, flagged) and is flagged there too; where the rulebook does not say so, nobody
        waits. Two set-based statements over the (election, ID hash) index once the rows are
        in, instead of a lookup per batch."""
        if not self.book.one_roll_only:
            return
        db, election, report = self.db, self.election, self.report
        others = select(Election.id).where(Election.id != election.id, Election.election_day >= self.today)
        on_others = select(Resident.id_hash).where(Resident.election_id.in_(others))
        added = (Resident.election_id == election.id, Resident.id > self.last_before)
        doubles = db.execute(select(Resident.category, func.count()).where(*added, Resident.id_hash.in_(on_others))
                             .group_by(Resident.category)).all()
        if not doubles:
            return
        db.execute(update(Resident).where(*added, Resident.id_hash.in_(on_others))
                   .values(double_registration=True, status="pending").execution_options(synchronize_session=False))
        db.execute(update(Resident).where(Resident.election_id.in_(others), Resident.id_hash.in_(
            select(Resident.id_hash).where(*added))).values(double_registration=True)
            .execution_options(synchronize_session=False))
        were_registered = sum(n for category, n in doubles if category == "hukou")
        report.flagged = sum(n for _, n in doubles)
        report.registered -= were_registered
        report.pending += were_registered

    def record(self, content: bytes, actor: str, filename: str) -> None:
        """The import's ledger event, naming every resident it added (id and masked number)."""
        db, election, report = self.db, self.election, self.report
        # Streamed (yield_per) rather than buffered: a roll of 100,000 held once, as the list.
        added = [[rid, masked] for rid, masked in db.execute(select(Resident.id, Resident.id_masked).where(
            Resident.election_id == election.id, Resident.id > self.last_before).order_by(Resident.id)
            .execution_options(yield_per=5000))]
        record_event(
            db, election, ek.ROLL_IMPORTED,
            {
                "file_sha256": hashlib.sha256(content).hexdigest(), "rows": report.rows,
                "households_added": self.households_added, "registered": report.registered,
                "pending": report.pending, "double_registration": report.flagged,
                "added": added,
            },
            actor, f"导入文件 {filename}",
        )
