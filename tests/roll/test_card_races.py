"""Two desks press "分配选民编号和选民证码" at once: the waiting voters are numbered once,
on both databases (tests/races.py)."""

from __future__ import annotations

import threading

from sqlalchemy import select

from election.ledger.events import events_of
from election.models import Election, Resident
from election.roll import cards
from tests.factories import add_voters
from tests.races import race, rendezvous


def test_assigning_cards_twice_at_once_numbers_each_voter_once(app, db, world, monkeypatch) -> None:
    """One assignment numbers the four waiting voters 3 to 6 (after the two numbered before)
    with one event; the other finds nobody waiting. PostgreSQL used to number them twice:
    both read the same waiting voters and highest number, and the second overwrote the
    first's card codes (cards already printed no longer scanned) and recorded a second
    roll.cards_assigned; SQLite refused the second writer's upgrade (database is locked, a
    500). A hook holds each side at its first card code (after the waiting voters and the
    highest number are read) until the other arrives there too, or for a moment when it
    cannot (it waits for the voters' locks, which the first holds)."""
    election = world["a"]["election"]
    voters = add_voters(db, election, 6)
    for r in voters[2:]:
        r.voter_number, r.card_code = None, None
    db.commit()
    election_id = election.id
    meet = rendezvous()
    waited = threading.local()
    real = cards.new_card_code

    def card_code_after_the_reads() -> str:
        if not getattr(waited, "done", False):
            waited.done = True
            meet()
        return real()

    monkeypatch.setattr(cards, "new_card_code", card_code_after_the_reads)

    def assign(s):
        n = cards.assign_cards(s, s.get(Election, election_id), "c")
        s.commit()
        return str(n)

    outcomes = race(app.extensions["juxuan.sessions"], [assign, assign])
    assert sorted(outcomes) == ["0", "4"], outcomes
    db.rollback()
    db.expire_all()  # the voters above were loaded in this session
    rows = list(db.scalars(select(Resident).where(Resident.election_id == election_id).order_by(Resident.id)))
    assert [r.voter_number for r in rows] == [1, 2, 3, 4, 5, 6]
    assert len({r.card_code for r in rows}) == 6 and all(r.card_code for r in rows)
    events = [e for e in events_of(db, election) if e.kind == "roll.cards_assigned"]
    assert [(e.payload["first_number"], e.payload["last_number"]) for e in events] == [(3, 6)]
