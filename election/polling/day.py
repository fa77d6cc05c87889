"""When papers may be handed out: on the round's voting day, after the roll is frozen and
the round's papers are printed (issue 17: 3,946 papers were once issued a month early with
nothing frozen or printed).

The day is the project clock's local date (election.clock.today), never the machine's. A
committee that must hand out papers on another day (a polling day moved by the street
office, a rehearsal on a test instance) records an override for that round and that date,
with its reason, as a ledger event; it holds for that date only.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import ScalarSelect

from .. import clock
from ..db import begin_write
from ..errors import UserError
from ..ledger.events import record_event
from ..models import Election, ElectionEvent, PrintBatch, Round
from ..protocol import event_kinds as ek
from ..rounds import day_of

OVERRIDE = ek.POLLING_DAY_OVERRIDDEN


def override_for(db: Session, election: Election, number: int, day: date) -> ElectionEvent | None:
    """The committee's recorded override for this round and date, if any."""
    for event in db.scalars(select(ElectionEvent).where(ElectionEvent.election_id == election.id,
                                                        ElectionEvent.kind == OVERRIDE)
                            .order_by(ElectionEvent.seq.desc())):
        if event.payload.get("round") == number and event.payload.get("day") == day.isoformat():
            return event
    return None


def check_polling_day(db: Session, election: Election, rnd: Round, today: date | None = None) -> None:
    """Refuse handing out papers of ``rnd`` unless today is its voting day (or an override
    for today is recorded), the roll is frozen and the round's papers are printed."""
    check_polling_day_of(db, election, rnd.number, today)


def check_polling_day_of(db: Session, election: Election, number: int, today: date | None = None,
                         read: tuple[date | None, object | None] | None = None) -> None:
    """`check_polling_day` for a round known by number: one statement reads the round's own
    day and whether it is printed, unless ``read`` brings them (held_on, any print batch id)
    from a statement the caller ran anyway (the check-in's one locking read)."""
    today = today or clock.today()
    if read is None:
        read = db.execute(select(*polling_day_columns(election.id, number))).one()
    held_on, printed = read
    problems = []
    if election.roll_frozen_at is None:
        problems.append("选民名单尚未冻结：名单冻结后才能发放选票")
    if printed is None:
        problems.append(f"第 {number} 轮的选票尚未印制：印制后才能发放选票")
    voting_day = held_on or election.election_day
    if today != voting_day and override_for(db, election, number, today) is None:
        problems.append(f"今天（{clock.cn_date(today)}）不是第 {number} 轮的投票日（{clock.cn_date(voting_day)}），"
                        "不能发放选票；确需今天投票，须由选举委员会登记改期并写明理由")
    if problems:
        raise UserError(*problems)


def polling_day_columns(election_id: Any, number: Any) -> tuple[ScalarSelect[Any], ScalarSelect[Any]]:
    """The two values the polling-day check reads, as scalar subqueries (a check-in puts
    them in its own statement): the round's own day, and one print batch of the round."""
    return (
        select(Round.held_on).where(Round.election_id == election_id, Round.number == number).scalar_subquery(),
        select(PrintBatch.id).where(PrintBatch.election_id == election_id, PrintBatch.round_number == number)
        .limit(1).scalar_subquery(),
    )


def record_override(db: Session, election: Election, rnd: Round, actor: str, reason: str,
                    today: date | None = None) -> ElectionEvent:
    """The committee allows handing out papers of ``rnd`` today, for a stated reason (the
    write lock first: desks may be writing)."""
    begin_write(db)
    today = today or clock.today()
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise UserError("请写明今天发放选票的理由（例如街道办事处批准改期的文号），至少 4 个字")
    if today == day_of(election, rnd):
        raise UserError("今天就是投票日，不需要登记改期")
    if override_for(db, election, rnd.number, today) is not None:
        raise UserError(f"今天（{clock.cn_date(today)}）的发放已经登记过")
    return record_event(db, election, OVERRIDE, {"round": rnd.number, "day": today.isoformat()}, actor, reason)
