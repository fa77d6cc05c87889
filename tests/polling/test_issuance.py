"""Issuance at the desk (DESIGN.md ledger step 2, RULES.md Voting: proxy).

One voter, one ballot even under concurrency (BEGIN IMMEDIATE / row lock + UNIQUE);
proxies: at most rulebook.proxy_max_per_holder, arranged >= proxy_days_before days, no
candidate holders, the entrusting voter refused in person."""
from __future__ import annotations

import http.cookiejar
import json
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from election.errors import UserError
from election.models import Candidate, ElectionEvent, Issuance, MobileBoxVoter, Round
from election.polling import issuance
from election.polling.stations import create_station
from tests.conftest import PASSWORD
from tests.polling.helpers import print_capturing

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _count(db, **where) -> int:
    db.rollback()
    q = select(func.count()).select_from(Issuance)
    for k, v in where.items():
        q = q.where(getattr(Issuance, k) == v)
    return db.scalar(q)



@pytest.fixture(autouse=True)
def printed(db, poll, monkeypatch):
    """Papers are handed out only once the round is printed (polling.day)."""
    return print_capturing(db, poll["election"], 2, monkeypatch)


def test_issue_once_then_refused(db, poll) -> None:
    election, desk, voter = poll["election"], poll["desks"][0], poll["voters"][30]
    row = issuance.issue_ballot(db, election, desk.id, voter.id, "a_clerk")
    assert row.voter_id == voter.id and row.desk_id == desk.id
    with pytest.raises(UserError) as info:
        issuance.issue_ballot(db, election, poll["desks"][1].id, voter.id, "a_clerk")
    assert "已领取选票" in info.value.messages[0]
    assert _count(db, voter_id=voter.id) == 1
    # Privacy: no chain event per issuance.
    assert db.scalar(select(func.count()).select_from(ElectionEvent).where(ElectionEvent.kind.like("%issu%"))) == 0


def test_ineligible_voter_refused(db, poll) -> None:
    voter = poll["voters"][31]
    voter.eligible = False
    db.commit()
    with pytest.raises(UserError) as info:
        issuance.issue_ballot(db, poll["election"], poll["desks"][0].id, voter.id, "a_clerk")
    assert "不是本次选举的登记选民" in info.value.messages[0]
    assert _count(db) == 0


def test_each_refusal_of_the_one_statement_check_in_leaves_nothing(db, poll, world) -> None:
    """The common check-in is one insert that happens only where every check holds; each
    case it must not take ends in the step-by-step refusal naming it, nothing written."""
    election, desk, voters = poll["election"], poll["desks"][0], poll["voters"]
    other = create_station(db, world["b"]["election"], "t", "乙站", desks=1, boxes=1)
    mobile = create_station(db, election, "t", "第二投票站", desks=1, boxes=1)
    mobile.mobile = True
    db.add(MobileBoxVoter(election_id=election.id, box_id=poll["boxes"][0].id, voter_id=voters[32].id, reason="行动不便"))
    db.commit()
    other_desk, mobile_desk = other.desks[0].id, mobile.desks[0].id
    cases = [
        (dict(desk_id=other_desk, voter_id=voters[33].id), f"发票台 {other_desk} 不存在"),
        (dict(desk_id=mobile_desk, voter_id=voters[33].id), "流动票箱的选票不经发票台发放"),
        (dict(desk_id=desk.id, voter_id=voters[32].id), "已登记使用流动票箱"),
        (dict(desk_id=desk.id, voter_id=10**6), "不是本次选举的登记选民"),
        (dict(desk_id=desk.id, voter_id=voters[33].id, round_number=2), "第 2 轮投票不存在"),
    ]
    for kwargs, message in cases:
        with pytest.raises(UserError) as info:
            issuance.issue_ballot(db, election, clerk="a_clerk", **kwargs)
        assert message in info.value.messages[0]
    rnd = db.scalars(select(Round).where(Round.election_id == election.id)).one()
    rnd.status = "published"
    db.commit()
    with pytest.raises(UserError) as info:
        issuance.issue_ballot(db, election, desk.id, voters[33].id, "a_clerk")
    assert "投票结果已公布" in info.value.messages[0]
    assert _count(db) == 0


def test_fifty_concurrent_checkins_over_http_issue_exactly_one(app, db, poll) -> None:
    """Two desks at the same moment: exactly one succeeds (50 requests, 1 Issuance, 49 refusals)."""
    election, desk, voter = poll["election"], poll["desks"][0], poll["voters"][32]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        token = CSRF.search(opener.open(base + "/login").read().decode()).group(1)
        opener.open(base + "/login", urllib.parse.urlencode({"username": "a_clerk", "password": PASSWORD, "csrf_token": token}).encode())
        page = opener.open(f"{base}/elections/{election.id}/polling/desks/{desk.id}?scan={voter.card_code}").read().decode()
        assert voter.name in page and "可以领取选票" in page
        token = CSRF.search(page).group(1)
        body = urllib.parse.urlencode({"voter_id": voter.id, "csrf_token": token}).encode()
        results: list[tuple[int, str]] = []
        lock = threading.Lock()
        start = threading.Barrier(50)

        def fire() -> None:
            req = urllib.request.Request(f"{base}/elections/{election.id}/polling/desks/{desk.id}/issue", data=body,
                                         headers={"Accept": "application/json"})
            start.wait()
            try:
                with opener.open(req, timeout=60) as resp:
                    out = (resp.status, resp.read().decode())
            except urllib.error.HTTPError as error:
                out = (error.code, error.read().decode())
            with lock:
                results.append(out)

        threads = [threading.Thread(target=fire) for _ in range(50)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        server.shutdown()
    assert len(results) == 50
    ok = [r for r in results if r[0] == 200]
    refused = [r for r in results if r[0] == 409]
    assert len(ok) == 1 and len(refused) == 49, [r[0] for r in results]
    assert all("已领取选票" in json.loads(r[1])["message"] for r in refused)
    assert _count(db, voter_id=voter.id) == 1


def test_proxy_holder_collects_three_refused_fourth_and_in_person(db, poll) -> None:
    election, desk, v = poll["election"], poll["desks"][0], poll["voters"]
    holder = v[25]
    day = election.election_day - timedelta(days=5)
    for entrusting in v[26:29]:
        issuance.authorise_proxy(db, election, "a_committee", entrusting, holder, day)
    db.commit()
    # The rulebook's maximum (3) refuses a fourth authorisation.
    with pytest.raises(UserError) as info:
        issuance.authorise_proxy(db, election, "a_committee", v[29], holder, day)
    assert "最多接受 3 人委托" in "".join(info.value.messages)
    db.rollback()
    for entrusting in v[26:29]:
        row = issuance.issue_ballot(db, election, desk.id, entrusting.id, "a_clerk", collected_by_id=holder.id)
        assert row.collected_by_id == holder.id
    # A 4th ballot: the holder has no approved authorisation for this voter.
    with pytest.raises(UserError) as info:
        issuance.issue_ballot(db, election, desk.id, v[29].id, "a_clerk", collected_by_id=holder.id)
    assert "没有经批准的委托" in info.value.messages[0]
    assert _count(db, collected_by_id=holder.id) == 3
    # The entrusting voter cannot vote in person (a fresh one, not yet collected for).
    other = v[33]
    issuance.authorise_proxy(db, election, "a_committee", other, v[34], day)
    db.commit()
    with pytest.raises(UserError) as info:
        issuance.issue_ballot(db, election, desk.id, other.id, "a_clerk")
    assert "已委托他人投票" in info.value.messages[0]
    # The holder still votes for themselves.
    issuance.issue_ballot(db, election, desk.id, holder.id, "a_clerk")
    assert _count(db) == 4


def test_proxy_rules_refusals(db, poll) -> None:
    election, v = poll["election"], poll["voters"]
    late = election.election_day - timedelta(days=1)
    with pytest.raises(UserError) as info:
        issuance.authorise_proxy(db, election, "a_committee", v[30], v[31], late)
    assert "至少提前 3 天" in "".join(info.value.messages)
    candidate = db.scalar(select(Candidate).where(Candidate.election_id == election.id))
    holder = db.get(type(v[0]), candidate.resident_id)
    with pytest.raises(UserError) as info:
        issuance.authorise_proxy(db, election, "a_committee", v[30], holder, election.election_day - timedelta(days=10))
    assert "候选人不得接受委托" in "".join(info.value.messages)


def test_desk_page_search_and_issue_over_http(app, db, poll) -> None:
    from tests.conftest import csrf_token, login
    client = app.test_client()
    login(client, "a_clerk")
    election, desk, voter = poll["election"], poll["desks"][1], poll["voters"][35]
    url = f"/elections/{election.id}/polling/desks/{desk.id}"
    page = client.get(url + "?q=" + urllib.parse.quote(voter.name)).get_data(as_text=True)
    assert voter.name in page and voter.id_masked in page
    token = csrf_token(client, url)
    resp = client.post(url + "/issue", data={"voter_id": voter.id, "csrf_token": token}, follow_redirects=True)
    assert f"已向 {voter.name} 发出一张选票" in resp.get_data(as_text=True)
    resp = client.post(url + "/issue", data={"voter_id": voter.id, "csrf_token": token}, follow_redirects=True)
    assert "已领取选票" in resp.get_data(as_text=True)
    assert _count(db, voter_id=voter.id) == 1
    # In English the desk says the voter's state and the refusal in English (they stayed
    # Chinese: "可以领取选票", "…已领取选票", "拒绝：此选票已在本投票站发出…").
    fresh = poll["voters"][36]
    page = client.get(url + "?lang=en&q=" + urllib.parse.quote(fresh.name)).get_data(as_text=True)
    assert "May receive a paper" in page and "可以领取选票" not in page
    resp = client.post(url + "/issue", data={"voter_id": voter.id, "csrf_token": token}, follow_redirects=True)
    assert f"{voter.name} has already received a paper" in resp.get_data(as_text=True)
    client.get(url + "?lang=zh")
    # Another community's clerk cannot see this desk.
    other = app.test_client()
    login(other, "b_clerk")
    assert other.get(url).status_code == 404
