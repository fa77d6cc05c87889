"""Nomination by a meeting (RULES.md "channels": the residents' or representatives' meeting
nominates, nomination_meeting_allowed): the nomination cites an adopted decision of that
kind of meeting recorded here and is refused, naming the nominee, the field and the rule,
without one; the nomination keeps the decision, its event and the published list name it,
and the nomination page shows it."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from election.errors import UserError
from election.ledger.events import events_of
from election.models import Nomination
from election.nomination import service
from election.rules.rulebook import Rulebook
from tests.conftest import csrf_token, login
from tests.factories import Roll, make_election, meeting_decision
from tests.nomination.helpers import full_slate


def test_a_meeting_nomination_is_refused_without_the_meetings_decision(db):
    election = make_election(db)
    roll = Roll(db, election)
    person = roll.add("林会议")
    db.commit()
    entry = str(person.voter_number)
    with pytest.raises(UserError, match=r"居民委员会委员被提名人“\d+”的居民会议提名须引用居民会议通过的提名决定（会议决定）"
                                        r"（.*nomination_meeting_allowed.*\[seed 江苏 §17\]）：本选举尚无居民会议通过的决定"):
        service.nominate(db, election, "committee", "jwh_weiyuan", entry, "residents_meeting", "会议记录")
    reps = meeting_decision(db, election, "representatives", motion=f"提名{person.name}")
    failed = meeting_decision(db, election, "residents", adopted=False, motion=f"提名{person.name}")
    meeting_decision(db, election, "residents", motion="修订居民公约")
    db.commit()
    with pytest.raises(UserError, match="居民会议提名须引用.*请选择提名居民委员会委员候选人的会议决定"):
        service.nominate(db, election, "committee", "jwh_weiyuan", entry, "residents_meeting", "会议记录")
    for wrong in (reps, failed):
        with pytest.raises(UserError, match="居民会议提名：所选会议决定不存在、未通过，或不是居民会议的决定"):
            service.nominate(db, election, "committee", "jwh_weiyuan", entry, "residents_meeting", "",
                             meeting_decision_id=wrong.id)
    assert db.scalar(select(Nomination.id)) is None
    assert not [e for e in events_of(db, election) if e.kind == "nomination.nominated"]


def test_the_rulebook_may_let_no_meeting_nominate(db):
    election = make_election(db)
    election.rulebook = Rulebook().with_changes(nomination_meeting_allowed=False).to_dict()
    person = Roll(db, election).add("林不许")
    decision = meeting_decision(db, election, "representatives", motion=f"提名{person.name}")
    db.commit()
    with pytest.raises(UserError, match=r"居民代表会议提名：本选举规则不允许会议提名（.*nomination_meeting_allowed.*为否）"):
        service.nominate(db, election, "committee", "jdw_weiyuan", str(person.voter_number), "reps_meeting", "",
                         meeting_decision_id=decision.id)


def test_the_cited_decision_is_kept_and_named_in_the_published_list(db):
    election = make_election(db)
    roll = Roll(db, election)
    full_slate(db, election, roll)
    person = roll.add("林提名")
    decision = meeting_decision(db, election, "representatives", number=3, motion=f"提名{person.name}为监督委员会委员候选人")
    db.commit()
    done = service.nominate(db, election, "committee", "jdw_weiyuan", str(person.voter_number), "reps_meeting", "",
                            meeting_decision_id=decision.id)
    assert done.nomination.meeting_decision_id == decision.id
    assert done.nomination.evidence == f"依据{decision_ref(db, decision)}"
    ev = events_of(db, election)[-1]
    assert ev.kind == "nomination.nominated" and ev.payload["decision"] == {"meeting": decision.meeting_id, "number": 3}
    # 监督委员会委员 2 seats, margin +1..+2: the slate's 3 and this one are 4
    service.publish(db, election, "committee", election.election_day - timedelta(days=10))
    listed = next(e for e in reversed(events_of(db, election)) if e.kind == "nomination.list_published")
    mine = next(c for c in listed.payload["candidates"] if c["name"] == "林提名")
    assert mine["source"] == [{"channel": "reps_meeting", "decision": {"meeting": decision.meeting_id, "number": 3}}]
    assert all(c["source"] == [{"channel": "self"}] for c in listed.payload["candidates"]
               if c["post"] == "jwh_weiyuan")


def decision_ref(db, decision) -> str:
    from election.models import Meeting

    meeting = db.get(Meeting, decision.meeting_id)
    return f"{meeting.held_on.isoformat()}居民代表会议“{meeting.title}”第{decision.number}项决定：{decision.motion}"


def test_the_page_offers_the_decisions_and_shows_the_one_cited(app, db, world):
    election = world["a"]["election"]
    person = Roll(db, election).add("林页面")
    decision = meeting_decision(db, election, "residents", number=2, motion="提名林页面为居委会委员候选人")
    db.commit()
    client = app.test_client()
    login(client, "a_committee")
    url = f"/elections/{election.id}/nomination/new"
    form = client.get(url).get_data(as_text=True)
    assert "提名林页面为居委会委员候选人" in form and "居民会议或居民代表会议提名时必选" in form
    data = {"csrf_token": csrf_token(client, url), "post": "jwh_weiyuan", "nominee": str(person.voter_number),
            "channel": "residents_meeting", "evidence": ""}
    refused = client.post(url, data={**data, "decision": ""}, follow_redirects=True).get_data(as_text=True)
    assert "请选择提名居民委员会委员候选人的会议决定" in refused
    page = client.post(url, data={**data, "csrf_token": csrf_token(client, url), "decision": str(decision.id)},
                       follow_redirects=True).get_data(as_text=True)
    assert "已登记提名：林页面" in page
    assert "居民会议提名：依据" in page and "第2项决定：提名林页面为居委会委员候选人" in page


def test_the_published_list_page_and_export_name_the_decision(app, db, world):
    from tests.web.test_exports import fetch

    election = world["a"]["election"]
    roll = Roll(db, election)
    full_slate(db, election, roll)
    person = roll.add("林公布")
    decision = meeting_decision(db, election, "residents", number=5, motion="提名林公布为监督委员会委员候选人")
    service.nominate(db, election, "committee", "jdw_weiyuan", str(person.voter_number), "residents_meeting", "",
                     meeting_decision_id=decision.id)
    service.publish(db, election, "committee", election.election_day - timedelta(days=10))
    db.commit()
    client = app.test_client()
    login(client, "a_committee")
    page = client.get(f"/elections/{election.id}/nomination/publish").get_data(as_text=True)
    assert "林公布 <small class=\"muted source\">居民会议提名（依据" in page and "第5项决定：提名林公布为监督委员会委员候选人" in page
    rows = fetch(client, f"/elections/{election.id}/nomination/candidates.xlsx")["正式候选人"]
    mine = next(r for r in rows[1:] if r[2] == "林公布")
    assert mine[-1].startswith("居民会议提名（依据") and "第5项决定" in mine[-1]
    assert {r[-1] for r in rows[1:] if r[2] != "林公布" and r[0].startswith("居民委员会")} == {"自荐"}
