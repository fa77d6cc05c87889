"""doubtful_by_committee ([P:ZJ]: 无法辨认的选票由选举委员会认定; RULES.md "unreadable"):
where the rulebook says so, a counter cannot record a post as unreadable — the paper goes to
the committee, whose member records it with the decision's note (an event naming the round,
box and posts, never the paper's D or marks); nationally the counter records it at once."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from election.counting.service import enter_scanned
from election.errors import UserError
from election.models import AuditCode, ElectionEvent
from election.rules.rulebook import Rulebook
from tests.conftest import DATA_KEY, csrf_token, login

from .builder import build, entry_fields, mix_boxes


def _events(db, election) -> list[ElectionEvent]:
    return list(db.scalars(select(ElectionEvent).where(ElectionEvent.election_id == election.id,
                                                       ElectionEvent.kind == "counting.doubtful_paper_decided")))


@pytest.mark.parametrize("by_committee", [True, False])
def test_an_unreadable_post_is_the_committees_decision(db, world, by_committee):
    election = world["a"]["election"]
    b = build(db, election, DATA_KEY, voters=20, papers=4, boxes=1)
    election.rulebook = Rulebook().with_changes(doubtful_by_committee=by_committee).to_dict()
    db.commit()
    box = b.boxes[0]
    fields = entry_fields(b, {"jwh_fu_zhuren": {0: "1"}}, unreadable=("jwh_zhuren",))
    if by_committee:
        with pytest.raises(UserError, match="由选举委员会认定（doubtful_by_committee）"):
            enter_scanned(db, election, box.id, b.scans[0], fields, "a_counter", 1)
        db.rollback()
        enter_scanned(db, election, box.id, b.scans[0], fields, "a_committee", 1, decision="委员会三人核看，主任栏涂改无法辨认")
    else:
        enter_scanned(db, election, box.id, b.scans[0], fields, "a_counter", 1)
    db.commit()
    record = db.scalar(select(AuditCode).where(AuditCode.state == "counted"))
    assert record.marks["jwh_zhuren"]["unreadable"] is True
    events = _events(db, election)
    if by_committee:
        assert [(e.payload["posts"], e.payload["box"], e.reason) for e in events] == [
            (["jwh_zhuren"], box.label, "委员会三人核看，主任栏涂改无法辨认")]
        assert record.d_hash not in str(events[0].payload)
    else:
        assert events == []
    # A readable paper is the counters' as before.
    enter_scanned(db, election, box.id, b.scans[1], entry_fields(b, {"jwh_zhuren": {0: "1"}}), "a_counter", 1)


def test_the_entry_page_takes_the_decision_from_a_committee_member_only(app, db, world):
    election = world["a"]["election"]
    b = build(db, election, DATA_KEY, voters=20, papers=4, boxes=1)
    election.rulebook = Rulebook().with_changes(doubtful_by_committee=True).to_dict()
    db.commit()
    url = f"/elections/{election.id}/counting/1/entry"
    box = b.boxes[0]
    form = entry_fields(b, {}, unreadable=("jwh_zhuren",))
    counter = app.test_client()
    login(counter, "a_counter")
    token = csrf_token(counter, url)
    mix_boxes(counter, url, token, [box])
    page = counter.get(f"{url}?box={box.id}").get_data(as_text=True)
    assert 'id="doubtful-rule"' in page and 'name="doubtful_note"' not in page
    refused = counter.post(url, data={"csrf_token": token, "box": str(box.id), "scan": b.scans[0], **form,
                                      "doubtful_note": "计票人自行认定"}, follow_redirects=True)
    assert "由选举委员会认定" in refused.get_data(as_text=True)
    committee = app.test_client()
    login(committee, "a_committee")
    token = csrf_token(committee, url)
    assert 'name="doubtful_note"' in committee.get(f"{url}?box={box.id}").get_data(as_text=True)
    done = committee.post(url, data={"csrf_token": token, "box": str(box.id), "scan": b.scans[0], **form,
                                     "doubtful_note": "委员会认定无法辨认"})
    assert done.status_code == 302
    assert [e.reason for e in _events(db, election)] == ["委员会认定无法辨认"]
