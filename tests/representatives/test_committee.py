"""The election committee: seating from the original result and 依次递补 (RULES.md
"Election committee"; seed 中办 2010 §14, V art.12)."""
from __future__ import annotations

import pytest

from election.errors import UserError
from election.ledger.events import events_of
from election.representatives import committee as svc
from election.representatives.people import residents_of
from tests.conftest import DATA_KEY
from tests.factories import build_roll


def _result(db, election, n=9):
    build_roll(db, election, DATA_KEY, [40])
    people, seen = [], set()
    for p in residents_of(db, election):
        if p.name not in seen:
            seen.add(p.name)
            people.append(p)
        if len(people) == n:
            break
    text = "\n".join(f"{p.name} {100 - 5 * k}" for k, p in enumerate(people))
    return people, text


def test_member_nominated_withdraws_and_next_takes_the_seat(db, world):
    """Must show 3: member_becomes_candidate withdraws the member, seats the 8th of the
    original result, and writes both events to the log."""
    election = world["a"]["election"]
    people, text = _result(db, election)
    svc.record_result(db, election, "residents_meeting", text, 7, people[0].name, "a_committee")
    db.commit()
    assert [m.name for m in svc.committee_members(db, election)] == [p.name for p in people[:7]]
    messages = svc.member_becomes_candidate(db, election, people[2].id, "nomination")
    db.commit()
    assert messages == [
        f"{people[2].name}因被提名为候选人，退出选举委员会",
        f"{people[7].name}按原推选结果得票（65票）依次递补为选举委员会成员",
    ]
    members = svc.committee_members(db, election)
    assert [m.name for m in members] == [p.name for k, p in enumerate(people[:8]) if k != 2]
    assert members[0].is_chair and members[-1].by_succession
    log = events_of(db, election)[-2:]
    assert [e.kind for e in log] == ["committee.member_withdrew", "committee.member_seated"]
    assert log[0].payload["person"] == people[2].name and log[1].payload["person"] == people[7].name
    # not (or no longer) a member: nothing happens
    assert svc.member_becomes_candidate(db, election, people[2].id, "nomination") == []
    assert svc.member_becomes_candidate(db, election, people[8].id, "nomination") == []


def test_chair_withdrawing_leaves_the_chair_to_the_committee(db, world):
    election = world["a"]["election"]
    people, text = _result(db, election)
    svc.record_result(db, election, "groups", text, 7, people[0].name, "x")
    messages = svc.member_becomes_candidate(db, election, people[0].id, "x")
    assert "须重新推选主任" in messages[-1]
    assert not any(m.is_chair for m in svc.committee_members(db, election))
    svc.choose_chair(db, election, people[1].name, "x")
    assert [m.name for m in svc.committee_members(db, election) if m.is_chair] == [people[1].name]
    with pytest.raises(UserError, match="不是选举委员会现任成员"):
        svc.choose_chair(db, election, people[0].name, "x")


def test_size_bounds_from_the_rulebook(db, world):
    election = world["a"]["election"]
    people, text = _result(db, election)
    with pytest.raises(UserError, match="选举委员会人数应为5至9人的单数，实际为6人"):
        svc.record_result(db, election, "residents_meeting", text, 6, people[0].name, "x")
    with pytest.raises(UserError, match="不是推选产生的选举委员会成员"):
        svc.record_result(db, election, "residents_meeting", text, 5, people[6].name, "x")


def test_the_committee_cites_the_meeting_that_chose_it(db, world):
    """[V art.12] committee_meeting_decision_required: refused (naming the rule and its source)
    until an adopted decision of the chosen kind of meeting exists and is cited; a decision of
    another kind of meeting is refused; the event names the decision relied on. Off, a cited
    decision is still checked and recorded."""
    from election.rules.rulebook import Rulebook
    from tests.roll.test_consent_parameter import _decision

    election = world["a"]["election"]
    people, text = _result(db, election)
    election.rulebook = Rulebook().with_changes(committee_meeting_decision_required=True).to_dict()
    db.commit()
    with pytest.raises(UserError, match=r"选举委员会由居民会议推选产生（.*\[V art\.12\]）：本选举尚无居民会议通过的决定"):
        svc.record_result(db, election, "residents_meeting", text, 7, people[0].name, "x")
    reps = _decision(db, election, "representatives", adopted=True)
    residents = _decision(db, election, "residents", adopted=True, number=2)
    db.commit()
    with pytest.raises(UserError, match="请选择推选选举委员会的会议决定"):
        svc.record_result(db, election, "residents_meeting", text, 7, people[0].name, "x")
    with pytest.raises(UserError, match="不是居民会议的决定"):
        svc.record_result(db, election, "residents_meeting", text, 7, people[0].name, "x", reps.id)
    assert svc.entries(db, election) == []
    svc.record_result(db, election, "residents_meeting", text, 7, people[0].name, "x", residents.id)
    ev = next(e for e in reversed(events_of(db, election)) if e.kind == "committee.result_recorded")
    assert ev.payload["decision"] == {"meeting": residents.meeting_id, "number": 2}
    assert len([e for e in svc.entries(db, election) if e.seated]) == 7
