"""After a round's close of poll (polling.closed: the committee's close, or the first paper
counted) the desks and boxes refuse the round's papers: no paper issued (desk or mobile box),
handed out, exchanged for a spoiled one or deposited, each refusal naming the round, the moment and the act, with the
database as it was. The bundle's verifiers refuse a close that is not the last word on the
papers issued and deposited (caf796b, 195b75a); the app refuses first. A close of poll and a
check-in at the same moment give one consistent outcome on both databases: the check-in is
before the close and in its hourly counts, or it is refused."""
from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import func, select

from election.errors import UserError
from election.models import Election, ElectionEvent, Issuance, Receipt, Round
from election.polling import deposit, handout, issuance, turnout
from election.polling.stations import create_station, register_mobile_voter
from election.protocol import codes
from election.protocol import event_kinds as ek
from tests.conftest import csrf_token, login
from tests.races import SUITE_TRIALS, meet_after, race, rendezvous

from .helpers import issue_and_hand_out, polling_day, print_capturing

CLOSED = "轮投票已于"


def _issued(db, election, number: int = 1) -> int:
    db.rollback()
    return db.scalar(select(func.count()).select_from(Issuance).where(
        Issuance.election_id == election.id, Issuance.round_number == number))


def _recorded(db, election, kind: str, field: str) -> int:
    """The papers the close's hourly events of round 1 count (issued, or deposited)."""
    db.rollback()
    return sum(p[field] for p in db.scalars(select(ElectionEvent.payload).where(
        ElectionEvent.election_id == election.id, ElectionEvent.kind == kind)) if int(p.get("round", 1)) == 1)


def _refusal(call) -> str:
    with pytest.raises(UserError) as caught:
        call()
    return "；".join(caught.value.messages)


def _receipt(db, election, t_qr: str) -> Receipt:
    db.rollback()
    return db.get_one(Receipt, (election.id, codes.receipt_hash(election.uid, codes.parse(t_qr))))


def test_after_the_close_of_poll_desks_and_boxes_refuse_the_round(db, poll, monkeypatch) -> None:
    election, desk, box, voters = poll["election"], poll["desks"][0], poll["boxes"][0], poll["voters"]
    mobile = create_station(db, election, "t", "流动票箱一", boxes=1, mobile=True, scrutineers=["甲", "乙", "丙"])
    register_mobile_voter(db, election, "t", mobile.boxes[0].id, voters[30], "年老体弱")
    db.commit()
    papers = print_capturing(db, election, 6, monkeypatch)
    issue_and_hand_out(db, election, desk, voters[20], papers[0][0])
    deposit.deposit(db, election, box.id, papers[0][0])
    issue_and_hand_out(db, election, desk, voters[21], papers[1][0])  # not deposited before the close
    turnout.close_of_poll(db, election, "a_committee", 1)
    assert _issued(db, election) == 2

    # A check-in (the common one, and with the round posted by the desk page), a mobile box's
    # paper, a paper handed out, a stub deposited: each refused, nothing written.
    for call in (lambda: issuance.issue_ballot(db, election, desk.id, voters[22].id, "a_clerk"),
                 lambda: issuance.issue_ballot(db, election, desk.id, voters[22].id, "a_clerk", round_number=1),
                 lambda: issuance.issue_mobile(db, election, mobile.boxes[0].id, voters[30].id, "a_scrutineer")):
        message = _refusal(call)
        assert message.startswith("第 1 " + CLOSED) and message.endswith("截止（已闭票），不能再发放选票"), message
    message = _refusal(lambda: handout.hand_out(db, election, poll["station"].id, papers[2][0]))
    assert message.startswith("第 1 " + CLOSED) and message.endswith("不能再发出选票"), message
    message = _refusal(lambda: deposit.deposit(db, election, box.id, papers[1][0]))
    assert message.startswith("第 1 " + CLOSED) and message.endswith("不能再投入票箱"), message
    message = _refusal(lambda: deposit.spoil(db, election, poll["station"].id, *papers[1]))
    assert message.startswith("第 1 " + CLOSED) and message.endswith("不能再写错换票"), message
    [answer] = deposit.deposit_batch(db, election, mobile.boxes[0].id, [{"id": "1", "code": papers[3][0]}])
    assert answer["status"] == "refused" and CLOSED in answer["message"], answer
    assert _issued(db, election) == 2
    assert _receipt(db, election, papers[1][0]).state == "printed"
    assert _receipt(db, election, papers[2][0]).handed_station_id is None
    assert _recorded(db, election, ek.POLLING_ISSUANCE_HOUR_RECORDED, "issued") == 2
    assert _recorded(db, election, ek.POLLING_DEPOSIT_HOUR_RECORDED, "deposited") == 1
    # The papers not used are still voided at close.
    deposit.void_unused(db, election, *papers[4])
    assert _receipt(db, election, papers[4][0]).state == "unused"


def test_the_first_paper_counted_closes_the_desks(db, poll, monkeypatch) -> None:
    """The count's own close (turnout.close_before_counting, before its first event) marks the
    round closed as the committee's does."""
    election, desk = poll["election"], poll["desks"][0]
    print_capturing(db, election, 2, monkeypatch)
    issuance.issue_ballot(db, election, desk.id, poll["voters"][20].id, "a_clerk")
    turnout.close_before_counting(db, election, "a_counter", 1)
    db.commit()
    message = _refusal(lambda: issuance.issue_ballot(db, election, desk.id, poll["voters"][21].id, "a_clerk"))
    assert message.startswith("第 1 " + CLOSED), message
    assert _issued(db, election) == 1


def test_a_close_before_round_one_was_printed_holds_once_it_is(db, poll, monkeypatch) -> None:
    """Round 1 has no row before its first print: the close is carried onto the row printing makes."""
    election = poll["election"]
    assert db.scalar(select(Round).where(Round.election_id == election.id)) is None
    turnout.close_of_poll(db, election, "a_committee", 1)
    election = db.get_one(Election, election.id)  # the scrub's storage rewrite let the session go
    print_capturing(db, election, 2, monkeypatch)
    assert db.scalar(select(Round.poll_closed_at).where(Round.election_id == election.id)) is not None
    message = _refusal(lambda: issuance.issue_ballot(db, election, poll["desks"][0].id, poll["voters"][20].id, "a_clerk"))
    assert message.startswith("第 1 " + CLOSED), message
    assert _issued(db, election) == 0


def test_a_runoff_closed_refuses_its_papers_by_its_number(db, world, monkeypatch) -> None:
    from tests.counting.voting import setup, vote_round

    from .test_round_date import FIRST

    w = setup(db, world["a"]["election"])
    vote_round(db, w, monkeypatch, 1, w.voters[:24], lambda i: FIRST)
    election, desk = w.election, w.station.desks[0]
    print_capturing(db, election, 2, monkeypatch, round_number=2)
    with polling_day(db, election, 2):
        issuance.issue_ballot(db, election, desk.id, w.voters[0].id, "a_clerk", round_number=2)
        turnout.close_of_poll(db, election, "a_committee", 2)
        election = db.get_one(Election, election.id)
        message = _refusal(lambda: issuance.issue_ballot(db, election, desk.id, w.voters[1].id, "a_clerk"))
    assert message.startswith("第 2 " + CLOSED) and message.endswith("不能再发放选票"), message
    assert _issued(db, election, 2) == 1


def test_the_desk_and_box_pages_show_the_round_closed(app, db, poll, monkeypatch) -> None:
    election, desk, box, voters = poll["election"], poll["desks"][0], poll["boxes"][0], poll["voters"]
    papers = print_capturing(db, election, 3, monkeypatch)
    issue_and_hand_out(db, election, desk, voters[20], papers[0][0])
    turnout.close_of_poll(db, election, "a_committee", 1)
    client = app.test_client()
    login(client, "a_clerk")
    url = f"/elections/{election.id}/polling/desks/{desk.id}"
    page = client.get(url, query_string={"q": voters[21].name}).get_data(as_text=True)
    assert 'id="poll-closed"' in page and "第 1 轮投票已于" in page and "发给本人一张选票" not in page
    token = csrf_token(client, url)
    resp = client.post(f"{url}/issue", data={"voter_id": voters[21].id, "round": 1, "csrf_token": token},
                       follow_redirects=True)
    assert resp.status_code == 200 and "不能再发放选票" in resp.get_data(as_text=True)
    resp = client.post(f"{url}/issue", data={"voter_id": voters[21].id, "csrf_token": token},
                       headers={"Accept": "application/json"})
    assert resp.status_code == 409 and "不能再发放选票" in resp.get_json()["message"]
    resp = client.post(f"{url}/hand-out", data={"stub": papers[1][0], "csrf_token": token}, follow_redirects=True)
    assert "不能再发出选票" in resp.get_data(as_text=True)
    login(client, "a_scrutineer")
    box_url = f"/elections/{election.id}/polling/boxes/{box.id}"
    page = client.get(box_url).get_data(as_text=True)
    assert 'id="poll-closed"' in page
    resp = client.post(box_url, data={"stub": papers[0][0], "csrf_token": csrf_token(client, box_url)})
    assert resp.status_code == 422 and "不能再投入票箱" in resp.get_data(as_text=True)
    assert _issued(db, election) == 1 and _receipt(db, election, papers[0][0]).state == "printed"


# --- a close of poll and a check-in at the same moment ---------------------------------------

def _race_close_and_checkin(app, db, poll, monkeypatch, checkin_first: bool) -> None:
    """One trial per voter on a fresh round 1 is not possible (the close is once): the
    close races one check-in, the others were before it. ``checkin_first``: the check-in holds
    its lock (inserted, not committed) when the close comes; else the close holds its
    (the round marked closed, not committed) when the check-in comes. A hook holds each side
    there until the other arrives, or for a moment when it cannot (waiting for this one's lock)."""
    election, desk, voters = poll["election"], poll["desks"][0], poll["voters"]
    print_capturing(db, election, 4, monkeypatch)
    issuance.issue_ballot(db, election, desk.id, voters[20].id, "a_clerk")
    election_id, desk_id, voter_id = election.id, desk.id, voters[21].id
    meet = rendezvous()
    # Each side's hook: before the first lock it takes (SQLite's write lock, begin_write), or
    # with its locks held (the check-in inserted, the close's round row marked).
    if checkin_first:
        real_begin = turnout.begin_write

        def close_begins(s):
            meet()  # the check-in holds its locks: the close starts now
            real_begin(s)
        monkeypatch.setattr(turnout, "begin_write", close_begins)
        real_insert = issuance._insert_if_clear

        def insert_if_clear(s, *args, **kwargs):
            real_commit = s.commit

            def commit():
                meet()  # inserted, not committed
                real_commit()
            s.commit = commit
            return real_insert(s, *args, **kwargs)
        monkeypatch.setattr(issuance, "_insert_if_clear", insert_if_clear)
    else:
        meet_after(monkeypatch, turnout, "mark_poll_closed", meet=meet)  # the round's row marked, not committed
        real_checkin_begin = issuance.begin_write

        def checkin_begins(s):
            meet()  # the close holds its locks: the check-in starts now
            real_checkin_begin(s)
        monkeypatch.setattr(issuance, "begin_write", checkin_begins)

    def close(s):
        turnout.close_of_poll(s, s.get(Election, election_id), "a_committee", 1)
        return "closed"

    def checkin(s):
        issuance.issue_ballot(s, s.get(Election, election_id), desk_id, voter_id, "a_clerk")
        return "issued"

    outcomes = sorted(race(app.extensions["juxuan.sessions"], [close, checkin]))
    if checkin_first:
        assert outcomes == ["closed", "issued"], outcomes
    else:
        assert outcomes[0] == "closed" and outcomes[1].startswith("refused: 第 1 " + CLOSED), outcomes
    # One consistent outcome: the papers issued are the papers the close counted.
    issued = _issued(db, election)
    assert issued == (2 if checkin_first else 1)
    assert _recorded(db, election, ek.POLLING_ISSUANCE_HOUR_RECORDED, "issued") == issued


@pytest.mark.parametrize("trial", range(max(1, SUITE_TRIALS // 4)))
def test_a_checkin_under_way_when_the_poll_closes_is_counted(app, db, poll, monkeypatch, trial) -> None:
    _race_close_and_checkin(app, db, poll, monkeypatch, checkin_first=True)


@pytest.mark.parametrize("trial", range(max(1, SUITE_TRIALS // 4)))
def test_a_checkin_when_the_close_is_under_way_is_refused(app, db, poll, monkeypatch, trial) -> None:
    _race_close_and_checkin(app, db, poll, monkeypatch, checkin_first=False)


def test_a_deposit_when_the_close_is_under_way_is_refused(app, db, poll, monkeypatch) -> None:
    """The box's side: the close holds the round's row when the stub is scanned."""
    election, box = poll["election"], poll["boxes"][0]
    papers = print_capturing(db, election, 2, monkeypatch)
    issue_and_hand_out(db, election, poll["desks"][0], poll["voters"][20], papers[0][0])
    election_id, box_id = election.id, box.id
    meet = rendezvous()
    meet_after(monkeypatch, turnout, "mark_poll_closed", meet=meet)  # the round's row marked, not committed
    real_own = deposit.own_transaction

    @contextmanager
    def deposit_begins(s):
        meet()  # before the deposit's first lock: the close holds the round's row
        with real_own(s):
            yield

    monkeypatch.setattr(deposit, "own_transaction", deposit_begins)

    def close(s):
        turnout.close_of_poll(s, s.get(Election, election_id), "a_committee", 1)
        return "closed"

    def scan(s):
        deposit.deposit(s, s.get(Election, election_id), box_id, papers[0][0])
        return "deposited"

    outcomes = sorted(race(app.extensions["juxuan.sessions"], [close, scan]))
    assert outcomes[0] == "closed" and outcomes[1].startswith("refused: 第 1 " + CLOSED), outcomes
    assert _receipt(db, election, papers[0][0]).state == "printed"
    assert _recorded(db, election, ek.POLLING_DEPOSIT_HOUR_RECORDED, "deposited") == 0
