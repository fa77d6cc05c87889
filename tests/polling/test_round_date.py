"""The day a later round is voted (polling.round_date): RULES.md "run-off" is held within the
rulebook's runoff_within_days (national: 30) of the election day, so a run-off on another day
prints that day on its papers. By default the next round is on the day of the round it
follows; the committee may move it before the first paper of the round is printed."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from election.errors import UserError
from election.models import ElectionEvent
from election.polling import deposit
from election.polling.round_date import set_round_date
from election.roll.publication import cn_date
from election.rounds import current_round
from tests.conftest import csrf_token, login
from tests.counting.voting import setup, vote_round

from .helpers import print_capturing

# Round 1: 委员 (3 seats) elects 2, so round 2 is a run-off for the third (test_later_rounds).
FIRST = {"jwh_zhuren": [0], "jwh_fu_zhuren": [0], "jwh_weiyuan": [0, 1], "jdw_zhuren": [0], "jdw_weiyuan": [0, 1]}


@pytest.fixture
def runoff(db, world, monkeypatch):
    w = setup(db, world["a"]["election"])
    vote_round(db, w, monkeypatch, 1, w.voters[:24], lambda i: FIRST)
    return w


def _printed_date(db, election, monkeypatch) -> str:
    pdf = io.BytesIO()
    (stub, body), = print_capturing(db, election, 1, monkeypatch, round_number=2, out=pdf)
    deposit.void_unused(db, election, stub, body)
    db.commit()
    return PdfReader(io.BytesIO(pdf.getvalue())).pages[0].extract_text().replace("\n", "")


def test_next_round_is_on_the_same_day_by_default(db, runoff, monkeypatch):
    """Publishing round 1 makes round 2 on the day of round 1 (the election day); its paper says so."""
    e = runoff.election
    rnd = current_round(db, e)
    assert (rnd.number, rnd.kind, rnd.held_on) == (2, "runoff", e.election_day)
    event = db.scalar(select(ElectionEvent).where(ElectionEvent.kind == "round.created"))
    assert event.payload["held_on"] == e.election_day.isoformat()
    assert cn_date(e.election_day) in _printed_date(db, e, monkeypatch)


def test_a_runoff_on_another_day_within_the_window_prints_that_day(db, runoff, monkeypatch):
    """Rule: run-off within 30 days (national). The committee sets day +7; the paper carries it."""
    e = runoff.election
    later = e.election_day + timedelta(days=7)
    set_round_date(db, e, 2, later, "a_committee")
    db.commit()
    assert current_round(db, e).held_on == later
    event = db.scalar(select(ElectionEvent).where(ElectionEvent.kind == "round.date_set"))
    assert (event.payload["round"], event.payload["held_on"]) == (2, later.isoformat())
    text = _printed_date(db, e, monkeypatch)
    assert cn_date(later) in text and cn_date(e.election_day) not in text


@pytest.mark.parametrize("days,needle", [
    (31, "另行选举须在选举日后 30 天内进行"),  # the rulebook's window, named
    (-1, "早于第 1 轮的投票日期"),  # before the round it follows
])
def test_a_day_outside_the_rules_is_refused(db, runoff, days, needle):
    e = runoff.election
    with pytest.raises(UserError, match=needle):
        set_round_date(db, e, 2, e.election_day + timedelta(days=days), "a_committee")
    db.rollback()
    assert current_round(db, e).held_on == e.election_day
    assert db.scalar(select(ElectionEvent).where(ElectionEvent.kind == "round.date_set")) is None


def test_round_1_and_a_printed_round_keep_their_day(db, runoff, monkeypatch):
    """Round 1 is voted on the election day (set with the election); once a round's papers
    are printed, the day on them cannot change."""
    e = runoff.election
    with pytest.raises(UserError, match="第 1 轮在选举日投票"):
        set_round_date(db, e, 1, e.election_day, "a_committee")
    db.rollback()
    _printed_date(db, e, monkeypatch)
    with pytest.raises(UserError, match="第 2 轮选票已经印制"):
        set_round_date(db, e, 2, e.election_day + timedelta(days=3), "a_committee")
    db.rollback()
    assert current_round(db, e).held_on == e.election_day


def test_the_committee_sets_the_day_on_the_polling_page(app, db, runoff, monkeypatch):
    """The polling page shows round 2's day with a labelled date field until it is printed;
    a day outside the window is refused with the rule's message."""
    e = runoff.election
    client = app.test_client()
    login(client, "a_committee")
    page = f"/elections/{e.id}/polling"
    html = client.get(page).get_data(as_text=True)
    assert 'for="held_on"' in html and f'value="{e.election_day.isoformat()}"' in html
    later = e.election_day + timedelta(days=5)
    res = client.post(f"/elections/{e.id}/polling/round-date",
                      data={"held_on": later.isoformat(), "round": "2", "csrf_token": csrf_token(client, page)},
                      follow_redirects=True)
    assert f"第 2 轮投票日期已定为 {later.isoformat()}" in res.get_data(as_text=True)
    res = client.post(f"/elections/{e.id}/polling/round-date",
                      data={"held_on": (e.election_day + timedelta(days=40)).isoformat(), "round": "2",
                            "csrf_token": csrf_token(client, page)}, follow_redirects=True)
    assert "另行选举须在选举日后 30 天内进行" in res.get_data(as_text=True)
    db.rollback()
    assert current_round(db, e).held_on == later
    _printed_date(db, e, monkeypatch)
    html = client.get(page).get_data(as_text=True)
    assert 'name="held_on"' not in html and later.isoformat() in html and "已印在选票上" in html
