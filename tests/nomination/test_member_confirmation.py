"""jdw_members_party_confirmed ([seed 江苏 §17]: the 监督委员会's other nominees "经社区党组织
确认"): under the Jiangsu preset the list is not published until the committee has recorded
the community Party organisation's confirmation of every 副主任 and 委员 nominee; under the
national defaults the same list is published as it is and a confirmation is refused."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from election.errors import UserError
from election.models import ElectionEvent
from election.nomination import service
from election.rules.presets import PRESETS
from tests.factories import Roll, make_election
from tests.nomination.helpers import full_slate


def _setup(db, preset: str):
    election = make_election(db)
    election.rulebook = PRESETS[preset].to_dict()
    roll = Roll(db, election)
    slate = full_slate(db, election, roll)
    db.commit()
    return election, slate, roll


def test_jiangsu_needs_the_party_organisations_confirmation_of_members(db):
    election, slate, _roll = _setup(db, "jiangsu")
    day = election.election_day - timedelta(days=7)
    with pytest.raises(UserError) as refused:
        service.publish(db, election, "committee", day)
    db.rollback()
    assert sorted(refused.value.messages) == sorted(
        f"居务监督委员会委员人选{service.label(r)}尚未经社区党组织确认，不能列为正式候选人"
        f"（监督委员会副主任、委员候选人须经社区党组织确认（jdw_members_party_confirmed））"
        for r in slate["jdw_weiyuan"])
    members = service.candidates_of(db, election, "jdw_weiyuan")
    with pytest.raises(UserError, match="请填写社区党组织确认的依据"):
        service.confirm_member(db, election, "committee", members[0].id, " ")
    chair = service.candidates_of(db, election, "jdw_zhuren")[0]
    with pytest.raises(UserError, match="只有居务监督委员会副主任、委员人选由社区党组织确认"):
        service.confirm_member(db, election, "committee", chair.id, "党组织会议纪要")
    db.rollback()
    for c in members[:-1]:
        service.confirm_member(db, election, "committee", c.id, "社区党委会议纪要〔2026〕3号")
    db.commit()
    with pytest.raises(UserError) as still:
        service.publish(db, election, "committee", day)
    db.rollback()
    assert len(still.value.messages) == 1 and members[-1].resident.name in still.value.messages[0]
    service.confirm_member(db, election, "committee", members[-1].id, "社区党委会议纪要〔2026〕3号")
    with pytest.raises(UserError, match="已经社区党组织确认"):
        service.confirm_member(db, election, "committee", members[-1].id, "again")
    db.rollback()
    service.confirm_member(db, election, "committee", members[-1].id, "社区党委会议纪要〔2026〕3号")
    lists = service.publish(db, election, "committee", day)
    db.commit()
    assert len(lists["jdw_weiyuan"]) == 3
    events = list(db.scalars(select(ElectionEvent).where(ElectionEvent.election_id == election.id,
                                                         ElectionEvent.kind == "nomination.member_confirmed")))
    assert len(events) == 3 and events[0].payload["by"] == "社区党组织"


def test_national_publishes_without_the_members_confirmation(db):
    election, _slate, _roll = _setup(db, "national")
    members = service.candidates_of(db, election, "jdw_weiyuan")
    with pytest.raises(UserError, match="jdw_members_party_confirmed"):
        service.confirm_member(db, election, "committee", members[0].id, "纪要")
    db.rollback()
    lists = service.publish(db, election, "committee", election.election_day - timedelta(days=7))
    assert len(lists["jdw_weiyuan"]) == 3


@pytest.mark.parametrize("preset", ["jiangsu", "national"])
def test_a_later_rounds_supervisory_nominees_need_the_same_confirmation(db, preset):
    """A run-off short of 监督委员会 candidates: the chair's nominee always needs the
    confirming document; a member's where the rulebook asks for it (Jiangsu), not nationally."""
    from election.models import Round
    from election.nomination import round_candidates

    election, _slate, roll = _setup(db, preset)
    chair = service.candidates_of(db, election, "jdw_zhuren")[0]
    member = service.candidates_of(db, election, "jdw_weiyuan")[0]
    db.add(Round(election_id=election.id, number=2, kind="runoff", status="nominating",
                 posts={"jdw_zhuren": {"seats": 1, "candidates": [chair.id]},
                        "jdw_weiyuan": {"seats": 1, "candidates": [member.id]}}))
    db.commit()
    newcomer, other = roll.add("韩梅"), roll.add("卫东")
    db.commit()
    with pytest.raises(UserError, match="须由社区党组织提出，经街道党工委或纪工委审核确认"):
        round_candidates.add_candidate(db, election, "jdw_zhuren", str(newcomer.voter_number), "选委会决定", "committee")
    db.rollback()
    round_candidates.add_candidate(db, election, "jdw_zhuren", str(newcomer.voter_number), "选委会决定", "committee",
                                   confirmation="街党工委〔2026〕9号")
    if preset == "jiangsu":
        with pytest.raises(UserError, match="须经社区党组织确认（.*jdw_members_party_confirmed"):
            round_candidates.add_candidate(db, election, "jdw_weiyuan", str(other.voter_number), "选委会决定", "committee")
        db.rollback()
    else:
        round_candidates.add_candidate(db, election, "jdw_weiyuan", str(other.voter_number), "选委会决定", "committee")
        db.commit()
        return
    round_candidates.add_candidate(db, election, "jdw_weiyuan", str(other.voter_number), "选委会决定", "committee",
                                   confirmation="社区党委会议纪要〔2026〕7号")
    db.commit()
