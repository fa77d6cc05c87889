"""The list of 居民代表: who serves for which area, resignations and by-elections (补选),
each with its date and reason, and the printed 居民代表名单公告."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ballots.notices import notice_bytes

from .. import clock
from ..clock import cn_date
from ..db import of_election
from ..errors import UserError
from ..ledger.events import record_event, write_at_head
from ..models import REP_STATUSES, Election, RepArea, Representative, Resident
from ..protocol import event_kinds as ek
from .committee import committee_members
from .people import parse_name, residents_of, resolve


@dataclass(frozen=True)
class RosterLine:
    rep: Representative
    name: str
    sex: str
    area_label: str
    status_label: str
    change: str


def _area_label(area: RepArea) -> str:
    return area.group_name or f"第{area.number}片区"


def roster(db: Session, election: Election) -> list[RosterLine]:
    rows = db.execute(
        select(Representative, Resident, RepArea)
        .join(Resident, Resident.id == Representative.resident_id)
        .join(RepArea, RepArea.id == Representative.area_id)
        .where(Representative.election_id == election.id)
        .order_by(RepArea.number, Representative.id)
    ).all()
    names = {rep.id: person.name for rep, person, _ in rows}
    lines = []
    for rep, person, area in rows:
        change = ""
        if rep.status != "serving":
            change = f"{rep.ended_on}因{rep.end_reason}{REP_STATUSES[rep.status]}"
        if rep.replaces_id:
            change = (change + "；" if change else "") + f"{rep.since}补选，接替{names.get(rep.replaces_id, '')}（{rep.by_election_reason}）"
        lines.append(RosterLine(rep, person.name, person.sex, _area_label(area), REP_STATUSES[rep.status], change))
    return lines


def serving_count(db: Session, election: Election) -> int:
    return sum(1 for line in roster(db, election) if line.rep.status == "serving")


def _rep(db: Session, election: Election, rep_id: int) -> Representative:
    return of_election(db, Representative, rep_id, election.id, UserError("该居民代表不存在"))


def resign(db: Session, election: Election, rep_id: int, on: date, reason: str, actor: str) -> Representative:
    write_at_head(db, election)
    rep = _rep(db, election, rep_id)
    person = db.get_one(Resident, rep.resident_id)
    if rep.status != "serving":
        raise UserError(f"{person.name}已不在任，不能再次辞去")
    if not reason.strip():
        raise UserError(f"请填写{person.name}辞去居民代表的原因")
    if on < rep.since:
        raise UserError(f"辞去日期{on}早于其担任居民代表的日期{rep.since}")
    rep.status, rep.ended_on, rep.end_reason = "resigned", on, reason.strip()
    db.flush()
    record_event(db, election, ek.REPRESENTATIVES_RESIGNED,
                 {"representative": person.name, "area": rep.area_id, "on": on.isoformat()}, actor, reason.strip())
    return rep


def replace(db: Session, election: Election, rep_id: int, successor: str, on: date, reason: str,
            actor: str, votes: int | None = None) -> Representative:
    """补选: `successor` (a resident of the same area) takes the place of rep `rep_id`."""
    write_at_head(db, election)
    old = _rep(db, election, rep_id)
    old_person = db.get_one(Resident, old.resident_id)
    if old.status == "replaced":
        raise UserError(f"{old_person.name}的位置已经补选过")
    if not reason.strip():
        raise UserError("请填写补选的原因（如：原代表辞去、迁出）")
    area = db.get_one(RepArea, old.area_id)
    name, tail = parse_name(successor)
    person = resolve(residents_of(db, election, household_ids=[m.household_id for m in area.members]),
                     name, tail, _area_label(area))
    if person.id == old.resident_id:
        raise UserError(f"{person.name}就是被替代的居民代表本人")
    if on < old.since:
        raise UserError(f"补选日期{on}早于原代表担任的日期{old.since}")
    if old.status == "serving":
        old.ended_on, old.end_reason = on, reason.strip()
    old.status = "replaced"
    new = Representative(election_id=election.id, area_id=area.id, resident_id=person.id, votes=votes,
                         since=on, replaces_id=old.id, by_election_reason=reason.strip())
    db.add(new)
    db.flush()
    record_event(db, election, ek.REPRESENTATIVES_REPLACED,
                 {"area": area.number, "previous": old_person.name, "successor": person.name,
                  "on": on.isoformat(), "votes": votes}, actor, reason.strip())
    return new


def notice_pdf(db: Session, election: Election) -> bytes:
    """The 居民代表名单公告 (serving representatives, changes shown) as an A4 PDF, signed by
    the election committee with its members named (the 主任 marked) once it is formed."""
    committee_names = [m.name + ("（主任）" if m.is_chair else "") for m in committee_members(db, election)]
    lines = roster(db, election)
    if not lines:
        raise UserError("还没有推选出居民代表，无法打印名单公告")
    serving = [ln for ln in lines if ln.rep.status == "serving"]
    # The size check (representatives_total_warning) is for the committee's page: a posted
    # notice states who was chosen, not how the number compares with a guideline.
    subtitle = [f"根据各推选片区（居民小组）推选会议的结果，{election.community.name}居民代表共{len(serving)}名，现予公告。"]
    rows = [[str(k), ln.area_label, ln.name, ln.sex, ln.status_label, ln.change or "—"] for k, ln in enumerate(lines, start=1)]
    footer = [f"{election.community.name}居民选举委员会"]
    if committee_names:
        footer.append("成员：" + "、".join(committee_names))
    footer.append(cn_date(clock.today()))
    return notice_bytes(
        "居民代表名单公告", subtitle, ["序号", "片区", "姓名", "性别", "状态", "变动情况"], rows, footer,
    )
