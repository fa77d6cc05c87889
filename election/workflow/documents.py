"""The legal calendar as a printed notice: each deadline, its kind, the requirement in
words and how far the election has got, dated the day it is printed."""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from ballots.notices import notice_bytes

from ..clock import cn_date
from ..models import Election
from ..wording import plain_rule
from .stages import calendar

KIND_LABELS = {"by": "截止", "on": "当日", "until": "期满"}


def calendar_pdf(db: Session, election: Election, day: date) -> bytes:
    """法定时间表 as of ``day``."""
    return notice_bytes(
        f"{election.title}法定时间表",
        [f"选举日 {cn_date(election.election_day)} · 截至 {cn_date(day)}"],
        ["日期", "事项", "类型", "要求", "进度"],
        # The requirement in words; where it comes from stays on the page's 依据 detail.
        [[cn_date(line.deadline.date), line.deadline.label, KIND_LABELS.get(line.deadline.kind, line.deadline.kind),
          plain_rule(line.deadline.rule) or "—", line.status_text] for line in calendar(db, election, day)],
        [f"{election.community.name}居民选举委员会", cn_date(day)],
    )
