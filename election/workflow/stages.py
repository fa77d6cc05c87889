"""Where an election stands: the ten stages in legal order, read from the database.

Each stage says whether it is done, under way or not started, its deadline from
election.rules.calendar (computed from election day and the rulebook), what is still
missing, and the endpoint of the next action. Nothing here is stored: the state is
derived from the records every capability writes, so it can never disagree with them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import clock
from ..accounts.service import can_see
from ..mandates.chosen import conflicts
from ..models import AuditCode, Candidate, Election, ElectionEvent, Issuance, Objection, Proxy, Resident, User
from ..models.counting import Filing, RoundResult
from ..models.ledger import Audit
from ..models.polling import PrintBatch
from ..models.representatives import CommitteeEntry, RepArea, Representative
from ..nomination.service import PUBLISHED
from ..rounds import latest_round, round_label
from ..rules.calendar import Stage as Deadline
from ..rules.calendar import deadlines, late_warning
from ..rules.phrase import phrase
from ..settings import rulebook_of

DONE, ACTIVE, TODO, LATE = "done", "active", "todo", "late"
STATUS_LABELS = {DONE: "已完成", ACTIVE: "进行中", TODO: "未开始"}
# The stages' names, their pages' actions, what may be missing and what must come first:
# one table each, which the election page passes through _() and tools/translate.py reads
# (pybabel cannot see them as msgids).
STAGE_LABELS = {
    "committee": "选举委员会", "roll": "选民登记", "representatives": "居民代表", "nomination": "提名",
    "candidates": "候选人公告", "printing": "印制选票", "voting": "投票", "counting": "计票", "result": "结果",
    "filing": "备案与审计",
}
ACTIONS = {
    "committee": "录入选举委员会", "roll": "管理选民名单", "representatives": "推选居民代表", "nomination": "登记提名",
    "candidates": "公布候选人名单", "printing": "印制选票", "voting": "投票站与发票", "counting": "计票",
    "result": "公布结果", "filing": "备案",
}
MISSING = {
    "committee": "尚未录入选举委员会推选结果", "residents": "导入居民名单", "roll": "公布选民名单",
    "representatives": "推选居民代表", "nomination": "登记被提名人", "candidates": "公布正式候选人名单",
    "printing": "印制选票", "voting": "设立投票站并发放选票", "counting": "录入选票", "result": "公布选举结果",
    "filing": "报街道办事处备案", "audit": "街道风险限制审计",
}
FIRST = {
    "committee": "须先导入居民名单（选举委员会成员按名单核对）", "representatives": "须先导入居民名单",
    "nomination": "须先导入居民名单（被提名人须为登记选民）", "candidates": "须先登记被提名人",
    "printing": "须先公布正式候选人名单", "voting": "须先印制选票", "counting": "须先发放选票",
    "result": "须先录入选票", "filing": "须先公布选举结果",
}


@dataclass
class StageView:
    key: str
    label: str
    status: str
    deadline: date | None = None
    deadline_text: str = ""
    missing: list[str] = field(default_factory=list)
    endpoint: str = ""
    action: str = ""
    late: bool = False
    # What must come first, in words, when the stage cannot be done yet (its page would
    # refuse): such a stage is never offered as the next step.
    blocked: str = ""

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def legal_deadlines(election: Election) -> list[Deadline]:
    rb = rulebook_of(election)
    return deadlines(
        election.election_day,
        roll_published_on=election.roll_published_on,
        roll_days=rb.roll_published_days_before,
        objection_days=rb.objection_window_days,
        objection_decision_days=rb.objection_decision_days,
        candidate_list_days=rb.candidate_list_days_before,
        withdrawal_days=rb.withdrawal_days_before,
        proxy_days=rb.proxy_days_before,
        complaint_days=rb.complaint_window_days,
        handover_days=rb.handover_days,
    )


def _count(db: Session, column, *where) -> int:
    return db.scalar(select(func.count()).select_from(column.table).where(*where)) or 0


def stages(db: Session, election: Election, today: date | None = None) -> list[StageView]:
    today = today or clock.today()
    eid = election.id
    by_key = {d.key: d for d in legal_deadlines(election)}
    committee = _count(db, CommitteeEntry.id, CommitteeEntry.election_id == eid)
    residents = _count(db, Resident.id, Resident.election_id == eid)
    areas = _count(db, RepArea.id, RepArea.election_id == eid)
    reps = _count(db, Representative.id, Representative.election_id == eid)
    nominees = _count(db, Candidate.id, Candidate.election_id == eid)
    formal = _count(db, Candidate.id, Candidate.election_id == eid, Candidate.status == "formal")
    batches = _count(db, PrintBatch.id, PrintBatch.election_id == eid)
    issued = _count(db, Issuance.id, Issuance.election_id == eid)
    counted = _count(db, AuditCode.d_hash, AuditCode.election_id == eid, AuditCode.state == "counted")
    results = _count(db, RoundResult.id, RoundResult.election_id == eid)
    filings = _count(db, Filing.id, Filing.election_id == eid)
    received = _count(db, Filing.id, Filing.election_id == eid, Filing.received_by.is_not(None))
    audits_done = _count(db, Audit.id, Audit.election_id == eid, Audit.status.in_(("confirmed", "full_count")))

    def state(done: bool, begun: bool) -> str:
        return DONE if done else ACTIVE if begun else TODO

    def view(key: str, status: str, missing: list[str], endpoint: str, deadline: date | None = None) -> StageView:
        return StageView(key, STAGE_LABELS[key], status, deadline=deadline, missing=missing, endpoint=endpoint,
                         action=ACTIONS[key])

    views = [
        view("committee", state(committee > 0, False), [] if committee else [MISSING["committee"]],
             "representatives.committee"),
        view("roll", state(election.roll_published_on is not None, residents > 0),
             ([] if residents else [MISSING["residents"]]) + ([] if election.roll_published_on else [MISSING["roll"]]),
             "roll.index", by_key["roll_published"].date),
        view("representatives", state(reps > 0, areas > 0), [] if reps else [MISSING["representatives"]],
             "representatives.areas"),
        view("nomination", state(formal > 0, nominees > 0), [] if nominees else [MISSING["nomination"]],
             "nomination.index"),
        view("candidates", state(formal > 0, nominees > 0), [] if formal else [MISSING["candidates"]],
             "nomination.publish", by_key["candidates_published"].date),
        view("printing", state(batches > 0, False), [] if batches else [MISSING["printing"]], "polling.overview"),
        view("voting", state(issued > 0 and counted > 0, issued > 0), [] if issued else [MISSING["voting"]],
             "polling.overview", election.election_day),
        view("counting", state(results > 0, counted > 0), [] if counted else [MISSING["counting"]],
             "counting.overview", election.election_day),
        _result_stage(db, election, results),
        view("filing", state(received > 0 and audits_done > 0, filings > 0),
             ([] if filings else [MISSING["filing"]]) + ([] if audits_done else [MISSING["audit"]]),
             "counting.overview", by_key["filing"].date),
    ]
    # The real dependencies: what each stage's page needs before it can be done.
    ready = {"committee": residents > 0, "representatives": residents > 0, "nomination": residents > 0,
             "candidates": nominees > 0, "printing": formal > 0, "voting": batches > 0, "counting": issued > 0,
             "result": counted > 0, "filing": results > 0}
    for stage in views:
        if stage.status != DONE and not ready.get(stage.key, True):
            stage.blocked = FIRST[stage.key]
        if stage.deadline:
            stage.deadline_text = f"须于 {cn_day(stage.deadline)}前完成"
            stage.late = stage.status != DONE and today > stage.deadline
    return views


def round_step(db: Session, election: Election) -> tuple[str, str, str] | None:
    """What is left before the committees are complete, once a result is published:
    (what to do, endpoint, action) — a later round to nominate for, to vote and count, or the
    committee's decision on the woman member; None when nothing is left (issue 16: every
    outcome has a next step, named until the committee is complete)."""
    latest = db.scalar(select(RoundResult).where(RoundResult.election_id == election.id)
                       .order_by(RoundResult.round_number.desc()).limit(1))
    if latest is None:
        return None
    rnd = latest_round(db, election)
    if rnd is not None and rnd.number > latest.round_number:
        if rnd.status == "nominating":
            return (phrase("第 %(n)s 轮另行选举：提名补足候选人并公布名单", n=rnd.number), "nomination.round_page", "提名另行选举候选人")
        return (phrase("第 %(n)s 轮（%(kind)s）：印制选票、投票、计票并公布结果", n=rnd.number, kind=round_label(rnd.kind, rnd.number)),
                "polling.overview", phrase("进行第 %(n)s 轮投票", n=rnd.number))
    if latest.result.get("woman", {}).get("status") == "needs_decision":
        return (phrase("居民委员会名额已满而无妇女当选：选举委员会决定妇女成员办法"), "counting.overview", phrase("作出决定"))
    if latest.result.get("next_round") == "nomination":
        return (phrase("选举委员会另行提名候选人"), "nomination.round_page", "提名另行选举候选人")
    return None


def _result_stage(db: Session, election: Election, results: int) -> StageView:
    step = round_step(db, election) if results else None
    return StageView("result", STAGE_LABELS["result"], DONE if results and step is None else ACTIVE if results else TODO,
                     deadline=election.election_day,
                     missing=[MISSING["result"]] if not results else [step[0]] if step else [],
                     endpoint=step[1] if step else "counting.overview", action=step[2] if step else ACTIONS["result"])


def next_stage(views: list[StageView]) -> StageView | None:
    """The first stage in legal order that is not done; once a result is published and the
    committees are not complete, the round that completes them comes first (issue 16)."""
    result = next((v for v in views if v.key == "result"), None)
    if result is not None and result.status == ACTIVE:  # active only with a result and a step left
        return result
    # The first stage not done that can be done now: a stage whose page would refuse (the
    # committee before the roll is imported) is passed over for what it waits on.
    return next((v for v in views if v.status != DONE and not v.blocked), None)


def _progress(db: Session, election: Election, today: date, deadlines_: list[Deadline]) -> tuple[dict[str, date], set[str], set[str]]:
    """What the records say of the calendar's steps as of ``today``: the day each dated step
    was done, the steps done, and the steps with nothing to do (never late: no objection
    filed, no proxy asked for) or that cannot be due yet."""
    eid = election.id
    done_on: dict[str, date] = {}
    if election.roll_published_on:
        done_on["roll_published"] = election.roll_published_on
    published = db.scalars(
        select(ElectionEvent.payload).where(ElectionEvent.election_id == eid, ElectionEvent.kind == PUBLISHED)
        .order_by(ElectionEvent.seq)
    ).first()
    if published:
        done_on["candidates_published"] = date.fromisoformat(published["published_on"])
    due = {d.key: d.date for d in deadlines_}
    finished: set[str] = set(done_on)
    idle: set[str] = set()
    if election.roll_published_on is None or not _count(db, Objection.id, Objection.election_id == eid):
        # Objections run from the publication; with none filed there is nothing to decide.
        idle.add("objections_decided")
    if election.roll_published_on is not None and today > due["objections_end"] and not _count(
            db, Objection.id, Objection.election_id == eid, Objection.status == "open"):
        finished.add("objections_decided")
        decided = db.scalar(select(func.max(Objection.decided_on)).where(Objection.election_id == eid))
        if decided is not None:
            done_on["objections_decided"] = decided
    # A proxy signed after the deadline is refused (polling.issuance.register_proxy): those
    # recorded were arranged in time, and with none there is nothing to arrange.
    last_proxy = db.scalar(select(func.max(Proxy.signed_on)).where(Proxy.election_id == eid))
    if last_proxy is None:
        idle.add("proxies_arranged")
    elif today > due["proxies_arranged"]:
        finished.add("proxies_arranged")
        done_on["proxies_arranged"] = last_proxy
    if _count(db, RoundResult.id, RoundResult.election_id == eid):
        finished.add("election_day")
    if _count(db, Filing.id, Filing.election_id == eid):
        finished.add("filing")
    return done_on, finished, idle


def warnings(db: Session, election: Election, today: date | None = None) -> list[str]:
    """The calendar's late steps, in Chinese (the same marks as the calendar and the banner);
    then a 监督委员会 member chosen by a meeting who may not serve beside the elected 居委会
    ([V art.32])."""
    today = today or clock.today()
    late = [late_warning(line.deadline, today, line.done_on) for line in calendar(db, election, today)
            if line.status == LATE or (line.status == DONE and line.days_late)]
    return late + conflicts(db, election)


# The calendar lines that are steps someone must take, and the page where each is taken.
STEP_PAGES = {
    "roll_published": "roll.publication",
    "objections_decided": "roll.objections",
    "candidates_published": "nomination.publish",
    "election_day": "counting.overview",
    "filing": "counting.overview",
}


@dataclass
class CalendarLine:
    """One line of the legal calendar and where the election stands on it."""

    deadline: Deadline
    status: str = ""  # DONE, LATE, or "" (not due yet, nothing to do, or not a step one completes)
    days_late: int = 0
    done_on: date | None = None
    endpoint: str = ""

    @property
    def date_text(self) -> str:
        return cn_day(self.deadline.date)

    @property
    def status_text(self) -> str:
        if self.status == DONE:
            return f"已完成（晚 {self.days_late} 天）" if self.days_late else "已完成"
        if self.status == LATE:
            return f"已逾期 {self.days_late} 天"
        return ""


def cn_day(day: date) -> str:
    return f"{day.month}月{day.day}日"


def calendar(db: Session, election: Election, today: date | None = None) -> list[CalendarLine]:
    """The legal calendar with each step marked done or late as of ``today``."""
    today = today or clock.today()
    deadlines_ = legal_deadlines(election)
    done_on, finished, idle = _progress(db, election, today, deadlines_)
    lines = []
    for d in deadlines_:
        line = CalendarLine(d, endpoint=STEP_PAGES.get(d.key, ""))
        if d.key in finished:
            line.status, line.done_on = DONE, done_on.get(d.key)
            line.days_late = max(0, (line.done_on - d.date).days) if line.done_on else 0
        elif line.endpoint and d.key not in idle and today > d.date:
            line.status, line.days_late = LATE, (today - d.date).days
        lines.append(line)
    return lines


def late_steps(db: Session, election: Election, today: date | None = None) -> list[CalendarLine]:
    """The steps past their deadline and not done: what the banner on every page names."""
    return [line for line in calendar(db, election, today) if line.status == LATE]


def late_of(db: Session, election_id: int, user: User, today: date) -> tuple[Election, list[CalendarLine]] | None:
    """The banner's election and its late steps, for a user who may see the election (None
    for one of another community, or none at all: a banner never tells that it exists)."""
    election = db.get(Election, election_id)
    if election is None or not can_see(user, election.community):
        return None
    return election, late_steps(db, election, today)
