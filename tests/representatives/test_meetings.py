"""Selection meetings (RULES.md "Representatives and group leaders": valid only when MORE
than half take part; most votes wins; ties re-vote)."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from election.errors import UserError
from election.ledger.events import events_of
from election.models import GroupLeader, Representative, SelectionMeeting
from election.representatives import areas as area_svc
from election.representatives import meetings as svc
from election.representatives import roster
from tests.conftest import DATA_KEY
from tests.factories import build_roll


def _area_with_names(db, election):
    build_roll(db, election, DATA_KEY, [40, 40])
    area = area_svc.propose_areas(db, election, "x")[0]
    people = svc.residents_of(db, election, household_ids=[m.household_id for m in area.members])
    db.commit()
    return area, people


def test_exactly_half_refused_one_more_stands(db, world):
    """Must show 2 (service): 40 households, 20 present is refused and nothing stored; 21 stands."""
    election = world["a"]["election"]
    area, people = _area_with_names(db, election)
    a, b = people[0], next(p for p in people if p.name != people[0].name)
    votes = f"{a.name} 12\n{b.name} 8"
    assert len(area.members) == 40
    with pytest.raises(UserError) as refused:
        svc.record_area_meeting(db, election, area.id, 20, votes, date(2026, 11, 1), "x")
    db.rollback()
    assert "应参加40，实际参加20" in refused.value.messages[0] and "至少需21" in refused.value.messages[0]
    assert db.scalar(select(func.count(SelectionMeeting.id))) == 0
    assert db.scalar(select(func.count(Representative.id))) == 0
    meeting = svc.record_area_meeting(db, election, area.id, 21, votes, date(2026, 11, 1), "x")
    db.commit()
    reps = db.scalars(select(Representative)).all()
    assert [r.resident_id for r in reps] == [a.id] and reps[0].votes == 12
    assert meeting.present == 21 and not meeting.revote_needed
    assert events_of(db, election)[-1].kind == "representatives.meeting_recorded"


def test_nominee_outside_the_area_refused(db, world):
    election = world["a"]["election"]
    area, people = _area_with_names(db, election)
    second = area_svc.areas_of(db, election)[1]
    outsider = svc.residents_of(db, election, household_ids=[m.household_id for m in second.members])[0]
    outsider.name = "区外人"  # a name no resident of area 1 has
    db.commit()
    with pytest.raises(UserError, match=f"“{outsider.name}”不是第1片区的居民"):
        svc.record_area_meeting(db, election, area.id, 30, f"{outsider.name} 20", date(2026, 11, 1), "x")


def test_tie_is_recorded_and_flagged_for_revote_then_revote_elects(db, world):
    election = world["a"]["election"]
    area, people = _area_with_names(db, election)
    a, b = people[0], next(p for p in people if p.name != people[0].name)
    meeting = svc.record_area_meeting(db, election, area.id, 25, f"{a.name} 10\n{b.name} 10", date(2026, 11, 1), "x")
    db.commit()
    assert meeting.revote_needed and "须就得票相等者重新投票" in meeting.message
    assert db.scalar(select(func.count(Representative.id))) == 0
    svc.record_area_meeting(db, election, area.id, 25, f"{a.name} 11\n{b.name} 9", date(2026, 11, 3), "x")
    db.commit()
    assert [r.resident_id for r in db.scalars(select(Representative))] == [a.id]


def test_resign_and_by_election_show_on_the_list(db, world):
    election = world["a"]["election"]
    area, people = _area_with_names(db, election)
    a, b = people[0], next(p for p in people if p.name != people[0].name)
    svc.record_area_meeting(db, election, area.id, 30, f"{a.name} 20", date(2026, 11, 1), "x")
    rep = db.scalar(select(Representative))
    roster.resign(db, election, rep.id, date(2026, 11, 5), "工作调动", "x")
    roster.replace(db, election, rep.id, b.name, date(2026, 11, 9), "原代表辞去", "x", votes=18)
    db.commit()
    lines = roster.roster(db, election)
    assert [(ln.name, ln.status_label) for ln in lines] == [(a.name, "已由补选替代"), (b.name, "在任")]
    assert "2026-11-05因工作调动" in lines[0].change and f"接替{a.name}（原代表辞去）" in lines[1].change
    kinds = [e.kind for e in events_of(db, election)]
    assert "representatives.resigned" in kinds and "representatives.replaced" in kinds


def test_group_leader_more_than_half_of_voters(db, world):
    """居民小组长: valid when more than half of the group's voters take part [seed 江苏 §8]."""
    election = world["a"]["election"]
    build_roll(db, election, DATA_KEY, [40, 40], per_group=50)
    db.commit()
    group = svc.group_names(db, election)[0]
    people = svc.residents_of(db, election, group_name=group)
    assert svc.group_entitled(db, election, group, "voters") == len(people) == 50
    votes = f"{people[0].name} 20"
    with pytest.raises(UserError, match="实际参加25，未超过1/2"):
        svc.record_group_leader(db, election, group, "voters", 25, votes, date(2026, 11, 1), "x")
    db.rollback()
    svc.record_group_leader(db, election, group, "voters", 26, votes, date(2026, 11, 1), "x")
    db.commit()
    assert [(g.group_name, p.id) for g, p in svc.group_leaders(db, election)] == [(group, people[0].id)]
    assert db.scalar(select(func.count(GroupLeader.id))) == 1


def test_one_resignation_entered_twice_at_once_is_recorded_once(app, db, world, monkeypatch):
    """Two clerks enter one representative's resignation at once: resigned once, one event,
    the other refused in Chinese, on both databases. Each read the representative as a reader
    and wrote after: SQLite refused the second writer's lock upgrade at once ("database is
    locked"), PostgreSQL let both pass the check and record the resignation twice. The
    representatives' writers now take the write lock and the chain head first
    (ledger.events.write_at_head)."""
    from election.models import Election
    from tests.races import meet_after, race

    election = world["a"]["election"]
    area, people = _area_with_names(db, election)
    svc.record_area_meeting(db, election, area.id, 30, f"{people[0].name} 20", date(2026, 11, 1), "x")
    db.commit()
    rep_id = db.scalar(select(Representative.id))
    meet_after(monkeypatch, roster, "_rep")  # the representative read, before the resignation is written

    def resign(s):
        roster.resign(s, s.get(Election, election.id), rep_id, date(2026, 11, 5), "工作调动", "x")
        s.commit()
        return "resigned"

    outcomes = race(app.extensions["juxuan.sessions"], [resign, resign])
    assert sorted(outcomes) == ["refused: " + people[0].name + "已不在任，不能再次辞去", "resigned"], outcomes
    db.rollback()
    assert [e.kind for e in events_of(db, election)].count("representatives.resigned") == 1
