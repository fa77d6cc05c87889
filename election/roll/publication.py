"""Publishing the voter list (选民名单公告), objections to it (申诉) and freezing the roll.

Publication must come at least `roll_published_days_before` days before election day:
an earlier date is refused (not allowed with a warning), because the objection window
and the committee's decisions must fit before the vote. Publishing also freezes the
rulebook (Election.rulebook_frozen) and writes the roll fingerprint to the ledger.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from ballots.notices import NoticeGroup, render_notice

from .. import clock
from ..clock import cn_date
from ..db import begin_write, of_election
from ..errors import NotFound, UserError
from ..ledger.events import record_event
from ..models import Election, Objection, Resident, utcnow
from ..protocol import event_kinds as ek
from ..protocol.canonical import digest
from ..settings import rulebook_of
from .glyphs import refuse_unprintable
from .groups import group_key
from .register import CHANGES, change_status, recompute_eligibility, resident_of, voters_query


def roll_fingerprint(db: Session, election: Election) -> str:
    """digest of the sorted keyed ID hashes of the registered voters."""
    hashes = sorted(db.scalars(voters_query(election).with_only_columns(Resident.id_hash)))
    return digest(hashes)


def committee_name(election: Election) -> str:
    return f"{election.community.name}居民选举委员会"


def titled(election: Election) -> str:
    """The election's title with the community's name in front once (a title usually has it)."""
    name = election.community.name
    return election.title if election.title.startswith(name) else f"{name}{election.title}"


def latest_publication_day(election: Election) -> date:
    return election.election_day - timedelta(days=rulebook_of(election).roll_published_days_before)


def publish_roll(db: Session, election: Election, on: date, actor: str) -> str:
    """Record the publication date and the roll fingerprint; returns the fingerprint. The write
    lock from the first read (begin_write): the fingerprint is of the roll as published, and
    no one's commit meanwhile makes the write fail with "database is locked" (SQLite)."""
    begin_write(db)
    if election.roll_published_on is not None:
        raise UserError(f"选民名单已于{cn_date(election.roll_published_on)}公布；更正请处理申诉后打印更正公告")
    days = rulebook_of(election).roll_published_days_before
    if on > latest_publication_day(election):
        raise UserError(
            f"公布日期{cn_date(on)}距选举日{cn_date(election.election_day)}仅{(election.election_day - on).days}天，"
            f"按规则须至少提前{days}天（最晚{cn_date(latest_publication_day(election))}）公布。"
            "如确需改期，请先调整选举日。"
        )
    recompute_eligibility(db, election)  # the election day may have moved since the import
    voters = db.scalar(voters_query(election).with_only_columns(Resident.id).limit(1))
    if voters is None:
        raise UserError("名单中还没有选民，不能公布")
    fingerprint = roll_fingerprint(db, election)
    election.roll_published_on = on
    count = len(list(db.scalars(voters_query(election).with_only_columns(Resident.id))))
    record_event(db, election, ek.ROLL_PUBLISHED,
                 {"published_on": on.isoformat(), "voters": count, "roll_fingerprint": fingerprint}, actor)
    return fingerprint


def _groups(db: Session, election: Election, group: str | None = None) -> list[NoticeGroup]:
    by_group: dict[str, list[Resident]] = defaultdict(list)
    query = voters_query(election) if group is None else voters_query(election).where(Resident.group_name == group)
    for r in db.scalars(query.order_by(Resident.group_name, Resident.voter_number, Resident.id)):
        by_group[r.group_name].append(r)
    return [
        NoticeGroup(f"{name}（{len(people)}人）",
                    [[str(n), p.name, p.sex, p.id_masked] for n, p in enumerate(people, start=1)])
        for name, people in sorted(by_group.items(), key=lambda item: group_key(item[0]))
    ]


def render_roll_notice(db: Session, election: Election, out: BinaryIO, amended: bool = False,
                       progress: Callable[[int, int], None] | None = None, group: str | None = None) -> int:
    """The public notice: voters grouped by 居民小组, names and masked ID numbers only.
    ``progress(done, total)`` counts the voters laid out."""
    if election.roll_published_on is None:
        raise UserError("请先登记公布日期，再打印选民名单公告")
    book = rulebook_of(election)
    refuse_unprintable(db.scalars(voters_query(election)), "选民名单更正公告" if amended else "选民名单公告")
    groups = _groups(db, election, group)
    if group is not None and not groups:
        raise UserError(f"“{group}”没有选民，未打印")
    total = sum(len(g.rows) for g in groups)
    deadline = election.roll_published_on + timedelta(days=book.objection_window_days)
    lines = [
        f"根据有关法律法规，经审核，{titled(election)}选民共{total}人，名单公布如下。" if group is None else
        f"根据有关法律法规，经审核，{titled(election)}{group}选民共{total}人，名单公布如下（全社区名单另行公布）。",
        f"选举日：{cn_date(election.election_day)}。对名单有不同意见的，请于{cn_date(deadline)}前向本委员会提出申诉，"
        f"本委员会在收到申诉后{book.objection_decision_days}日内作出处理决定。",
    ]
    if amended:
        decided = db.scalar(select(Objection.id).where(Objection.election_id == election.id,
                                                        Objection.status != "open").limit(1))
        lines.append("本公告为根据申诉处理决定更正后的名单。" if decided else "本公告为更正后的名单。")
    title = "选民名单更正公告" if amended else "选民名单公告"
    return render_notice(title, lines, ["序号", "姓名", "性别", "公民身份号码"], groups,
                         [committee_name(election), cn_date(clock.today() if amended else election.roll_published_on)], out,
                         progress=progress)


def objection_deadline(election: Election) -> date:
    if election.roll_published_on is None:
        raise UserError("选民名单尚未公布，没有异议期限")
    return election.roll_published_on + timedelta(days=rulebook_of(election).objection_window_days)


def decision_deadline(election: Election, objection: Objection) -> date:
    """The day by which the committee must decide an objection (its filing day + the rule)."""
    return objection.filed_on + timedelta(days=rulebook_of(election).objection_decision_days)


def objections_of(db: Session, election: Election) -> list[Objection]:
    return list(db.scalars(select(Objection).where(Objection.election_id == election.id).order_by(Objection.id)))


def file_objection(db: Session, election: Election, objector: str, text: str, filed_on: date, actor: str,
                   resident_id: int | None = None) -> Objection:
    problems = []
    if election.roll_published_on is None:
        problems.append("选民名单尚未公布，还不能提出申诉")
    elif filed_on > objection_deadline(election):
        problems.append(
            f"申诉期限已过：名单于{cn_date(election.roll_published_on)}公布，申诉须在"
            f"{cn_date(objection_deadline(election))}前提出，本申诉日期为{cn_date(filed_on)}，不予受理"
        )
    elif filed_on < election.roll_published_on:
        problems.append("申诉日期早于名单公布日期")
    if not objector.strip():
        problems.append("请填写申诉人姓名")
    if not text.strip():
        problems.append("请填写申诉内容")
    if problems:
        raise UserError(*problems)
    resident = resident_of(db, election, resident_id) if resident_id else None
    objection = Objection(election_id=election.id, resident_id=resident.id if resident else None,
                          objector=objector.strip(), text=text.strip(), filed_on=filed_on, entered_by=actor)
    db.add(objection)
    db.flush()
    record_event(db, election, ek.ROLL_OBJECTION_FILED,
                 {"objection": objection.id, "filed_on": filed_on.isoformat(),
                  "resident": resident.id if resident else None,
                  "id_masked": resident.id_masked if resident else None}, actor)
    return objection


def objection_of(db: Session, election: Election, objection_id: int) -> Objection:
    return of_election(db, Objection, objection_id, election.id, NotFound(objection_id))


def decide_objection(db: Session, election: Election, objection: Objection, upheld: bool, decision: str,
                     decided_on: date, actor: str, new_status: str = "") -> Objection:
    """Record the committee's decision; an upheld objection may change the resident's status."""
    problems = []
    if objection.status != "open":
        problems.append("该申诉已作出决定")
    if not decision.strip():
        problems.append("请填写处理决定及理由")
    if new_status and new_status not in CHANGES:
        problems.append(f"状态“{new_status}”无效")
    if new_status and objection.resident_id is None:
        problems.append("申诉未指明居民，不能变更登记状态")
    if problems:
        raise UserError(*problems)
    limit = decision_deadline(election, objection)
    objection.status = "upheld" if upheld else "rejected"
    objection.decision = decision.strip()
    objection.decided_on = decided_on
    objection.decided_by = actor
    if upheld and new_status and objection.resident_id is not None:
        resident = resident_of(db, election, objection.resident_id)
        if resident.status != new_status:
            change_status(db, election, resident, new_status, f"申诉处理决定：{decision.strip()}", actor,
                          basis=decision.strip() if new_status == "deprived" else "")
    record_event(db, election, ek.ROLL_OBJECTION_DECIDED,
                 {"objection": objection.id, "result": objection.status, "decided_on": decided_on.isoformat(),
                  "overdue": decided_on > limit, "resident": objection.resident_id,
                  "id_masked": objection.resident.id_masked if objection.resident else None},
                 actor, decision.strip())
    return objection


def freeze_roll(db: Session, election: Election, actor: str, reason: str = "") -> str:
    """Freeze the roll before ballots are issued; later changes are recorded decisions. The
    write lock from the first read (begin_write), as publish_roll."""
    begin_write(db)
    if election.roll_frozen_at is not None:
        raise UserError("选民名单已冻结")
    if election.roll_published_on is None:
        raise UserError("选民名单须先公布，才能冻结")
    open_count = len(list(db.scalars(select(Objection.id).where(
        Objection.election_id == election.id, Objection.status == "open"))))
    if open_count:
        raise UserError(f"还有{open_count}件申诉未作决定，请先处理再冻结名单")
    fingerprint = roll_fingerprint(db, election)
    election.roll_frozen_at = utcnow()
    record_event(db, election, ek.ROLL_FROZEN, {"roll_fingerprint": fingerprint}, actor, reason.strip())
    return fingerprint
