"""The day a later round (再次投票 / 另行选举) is voted, printed on its papers.

Publishing a result makes the next round on the same day as the round just counted (in
practice a re-vote or run-off is often held at once). The committee may set another day
before the round's first paper is printed: not before the round it follows, and within the
rulebook's `runoff_within_days` of the election day (RULES.md "run-off": within 15 (BJ) or
30 (SH, ZJ) days). RULES.md sets no window of its own for a re-vote among the tied; it is
held to the same one, because a run-off held back for it must still fall within the window.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import begin_write
from ..errors import UserError
from ..ledger.events import record_event
from ..models import Election, PrintBatch, Round
from ..protocol import event_kinds as ek
from ..roll.publication import cn_date
from ..rounds import check_open, day_of, round_of, term_ends
from ..settings import rulebook_of


def set_round_date(db: Session, election: Election, number: int, day: date, actor: str) -> Round:
    """Set the day round ``number`` (2 or later) is voted; refused once its papers are printed."""
    begin_write(db)
    if number == 1:
        raise UserError("第 1 轮在选举日投票；选举日须在选举设置中修改")
    check_open(db, election, number)
    rnd = round_of(db, election, number)
    if db.scalar(select(PrintBatch.id).where(PrintBatch.election_id == election.id,
                                             PrintBatch.round_number == number).limit(1)) is not None:
        raise UserError(f"第 {number} 轮选票已经印制，选票上印有投票日期{cn_date(day_of(election, rnd))}，不能再改")
    before = day_of(election, round_of(db, election, number - 1))
    if day < before:
        raise UserError(f"第 {number} 轮投票日期{cn_date(day)}早于第 {number - 1} 轮的投票日期{cn_date(before)}")
    if rnd.kind == "byelection":
        end = term_ends(election)
        if day >= end:
            raise UserError(f"补选日期{cn_date(day)}已在本届任期届满（{cn_date(end)}）之后")
        rnd.held_on = day
        record_event(db, election, ek.ROUND_DATE_SET, {"round": number, "held_on": day.isoformat()}, actor)
        db.flush()
        return rnd
    days = rulebook_of(election).runoff_within_days
    latest = election.election_day + timedelta(days=days)
    if day > latest:
        raise UserError(f"另行选举须在选举日后 {days} 天内进行（规则“另行选举须在多少天内进行”），"
                        f"再次投票也不能晚于此日：第 {number} 轮投票日期最晚为{cn_date(latest)}，收到{cn_date(day)}")
    rnd.held_on = day
    record_event(db, election, ek.ROUND_DATE_SET, {"round": number, "held_on": day.isoformat()}, actor)
    db.flush()
    return rnd
