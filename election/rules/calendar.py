"""Legal deadlines computed from election day, and lateness warnings.

RULES.md: roll published >= 20 days before; objections within 5 days of publication,
decided within 3 days [V] [P:BJ,SH,ZJ]; candidate list >= 5 days before [P:BJ,SH,ZJ];
written withdrawal and proxies arranged >= 3 days before [P:ZJ]; complaints within 3 days
of the announcement (practice, parameter); hand-over within 10 days [V]; 备案 with the street
office (days not given in RULES.md: a parameter, default 15, marked unconfirmed).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .phrase import phrase

D = dt.timedelta


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    date: dt.date
    rule: str
    kind: str  # "by": must be done on or before date; "on": the day itself; "until": a period ends


# Each stage's name, by key (a page shows it through the English catalogue: tools/translate.py).
LABELS: dict[str, str] = {
    "roll_published": "公布选民名单",
    "objections_end": "对选民名单提出异议截止",
    "objections_decided": "异议处理决定并公布",
    "candidates_published": "公布正式候选人名单",
    "withdrawal_end": "候选人书面申请退出截止",
    "proxies_arranged": "委托投票办理完毕并公布",
    "election_day": "选举日（投票、公开计票、当场公布结果）",
    "complaints_end": "对选举结果投诉期满",
    "handover": "新老班子工作移交",
    "filing": "选举结果报街道办事处备案",
    "warning": "异议处理晚于选举日",
}


def deadlines(
    election_day: dt.date,
    *,
    roll_published_on: dt.date | None = None,
    roll_days: int = 20,
    objection_days: int = 5,
    objection_decision_days: int = 3,
    candidate_list_days: int = 5,
    withdrawal_days: int = 3,
    proxy_days: int = 3,
    complaint_days: int = 3,
    handover_days: int = 10,
    filing_days: int = 15,
) -> list[Stage]:
    """Every stage in date order. Objection dates run from the actual publication day when
    given, else from the latest lawful publication day."""
    roll_by = election_day - D(days=roll_days)
    published = roll_published_on or roll_by
    objection_end = published + D(days=objection_days)
    decision_by = objection_end + D(days=objection_decision_days)
    stages = [
        Stage("roll_published", LABELS["roll_published"], roll_by, f"选举日前至少{roll_days}日 [V][P:BJ,SH,ZJ]", "by"),
        Stage("objections_end", LABELS["objections_end"], objection_end, f"名单公布之日起{objection_days}日内 [V][P:BJ,SH,ZJ]", "until"),
        Stage("objections_decided", LABELS["objections_decided"], decision_by, f"收到异议后{objection_decision_days}日内 [V][P:BJ,SH,ZJ]", "by"),
        Stage("candidates_published", LABELS["candidates_published"], election_day - D(days=candidate_list_days), f"选举日前至少{candidate_list_days}日 [P:BJ,SH,ZJ]", "by"),
        # A window that closes (the nomination service refuses a later withdrawal), not a task.
        Stage("withdrawal_end", LABELS["withdrawal_end"], election_day - D(days=withdrawal_days), f"选举日前{withdrawal_days}日 [P:ZJ]", "until"),
        Stage("proxies_arranged", LABELS["proxies_arranged"], election_day - D(days=proxy_days), f"选举日前至少{proxy_days}日 [P:BJ,ZJ]", "by"),
        Stage("election_day", LABELS["election_day"], election_day, "[V art.15]", "on"),
        Stage("complaints_end", LABELS["complaints_end"], election_day + D(days=complaint_days), f"公布结果后{complaint_days}日内（参数）", "until"),
        Stage("handover", LABELS["handover"], election_day + D(days=handover_days), f"选举后{handover_days}日内 [V]", "by"),
        Stage("filing", LABELS["filing"], election_day + D(days=filing_days), f"选举后{filing_days}日内（天数待确认，参数）", "by"),
    ]
    if decision_by >= election_day:
        stages.append(Stage("warning", LABELS["warning"], decision_by, "名单公布过晚：异议处理须在选举日前完成", "on"))
    return sorted(stages, key=lambda s: s.date)


def late_warning(stage: Stage, today: dt.date, done_on: dt.date | None) -> str:
    """The warning for a step someone must take by ``stage.date``: done after the deadline,
    or past it and not done ("" when neither). Which steps are owed at all (an objection
    filed, a proxy approved) is the caller's to say: a step with nothing to do is never late."""
    if done_on is not None and done_on > stage.date:
        return phrase("“%(label)s”于%(done)s完成，晚于期限%(date)s（%(rule)s）", label=stage.label,
                      done=done_on.isoformat(), date=stage.date.isoformat(), rule=stage.rule)
    if done_on is None and today > stage.date:
        return phrase("“%(label)s”期限%(date)s已过，尚未完成（%(rule)s）", label=stage.label,
                      date=stage.date.isoformat(), rule=stage.rule)
    return ""
