"""Preset parameters that must change behaviour (issue 16, "every preset parameter changes
behaviour or is removed"): each test runs the same action under the preset that sets the
parameter and under the national defaults, and asserts the difference — so it fails when
the parameter is ignored."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from election.errors import UserError
from election.models import ElectionEvent, Resident
from election.nomination import service as nomination
from election.polling import issuance
from election.representatives import committee as committee_svc
from election.representatives.people import residents_of
from election.roll import electors
from election.roll.register import apply_for_registration, change_status
from election.rules.presets import PRESETS
from tests.conftest import DATA_KEY
from tests.factories import add_voters, build_roll


def _preset(db, election, name: str) -> None:
    election.rulebook = PRESETS[name].to_dict()
    db.commit()


@pytest.mark.parametrize("preset,withdraws", [("zhejiang", True), ("national", False)])
def test_committee_member_withdraws_when_a_near_relative_is_nominated(db, world, preset, withdraws):
    """committee_relative_withdraws [P:ZJ]: the spouse of a sitting election-committee member
    is nominated; in Zhejiang the member withdraws and the next of the original result is
    seated (依次递补); nationally the member stays."""
    election = world["a"]["election"]
    build_roll(db, election, DATA_KEY, [40, 40])
    _preset(db, election, preset)
    everyone = residents_of(db, election)
    counts: dict[str, int] = {}
    for p in everyone:
        counts[p.name] = counts.get(p.name, 0) + 1
    people = [p for p in everyone if counts[p.name] == 1 and p.is_voter]  # names that identify one person
    names = [p.name for p in people[:9]]
    committee_svc.record_result(db, election, "residents_meeting", "\n".join(f"{n} {90 - k}" for k, n in enumerate(names)),
                                7, names[0], "a_committee")
    member, spouse = people[1], people[12]
    nomination.add_relation(db, election, "a_committee", member.name, spouse.name, "spouse")
    db.commit()
    result = nomination.nominate(db, election, "a_committee", "jwh_weiyuan", spouse.name, "self", "自荐书")
    db.commit()
    seated = {m.resident_id for m in committee_svc.committee_members(db, election)}
    assert (member.id not in seated) is withdraws
    assert (people[7].id in seated) is withdraws  # the 8th of the original result moves up
    assert any("退出选举委员会" in n for n in result.notes) is withdraws


@pytest.mark.parametrize("preset,accepted", [("zhejiang", False), ("national", True)])
def test_proxy_to_a_relative_only(db, world, preset, accepted):
    """proxy_relatives_only [P:ZJ] [V]: a proxy to a voter who is not a registered near
    relative is refused in Zhejiang and accepted nationally; a spouse is accepted in both."""
    election = world["a"]["election"]
    voters = add_voters(db, election, 4)
    _preset(db, election, preset)
    signed = election.election_day - timedelta(days=10)
    if accepted:
        issuance.authorise_proxy(db, election, "a_committee", voters[0], voters[1], signed)
    else:
        with pytest.raises(UserError, match="只能委托近亲属"):
            issuance.authorise_proxy(db, election, "a_committee", voters[0], voters[1], signed)
    db.rollback()
    nomination.add_relation(db, election, "a_committee", str(voters[2].voter_number), str(voters[3].voter_number), "spouse")
    issuance.authorise_proxy(db, election, "a_committee", voters[2], voters[3], signed)


@pytest.mark.parametrize("preset,excluded", [("beijing", True), ("national", False)])
def test_persons_without_legal_capacity(db, world, preset, excluded):
    """exclude_no_legal_capacity [P:BJ]: Beijing takes a person found without legal capacity
    (with the court's document) off the roll of voters; nationally the change is refused."""
    election = world["a"]["election"]
    person = add_voters(db, election, 1)[0]
    _preset(db, election, preset)
    if excluded:
        with pytest.raises(UserError, match="须填写依据"):
            change_status(db, election, person, "no_capacity", "法院认定", "a_committee")
        change_status(db, election, person, "no_capacity", "法院认定", "a_committee", basis="（2026）某民特 12 号")
        assert not person.is_voter and person.status_basis
    else:
        with pytest.raises(UserError, match="不因无民事行为能力"):
            change_status(db, election, person, "no_capacity", "法院认定", "a_committee", basis="（2026）某民特 12 号")
        db.rollback()
        assert db.get(Resident, person.id).is_voter


@pytest.mark.parametrize("preset", ["jiangsu", "national"])
def test_community_worker_needs_a_recommendation(db, world, preset):
    """community_worker_recommendation [P:JS]: a community worker of 8 months applies without
    a recommendation: refused in Jiangsu (the reason names it), registered nationally; with a
    recommendation Jiangsu registers and keeps who recommended."""
    election = world["a"]["election"]
    a, b = add_voters(db, election, 2)
    for r in (a, b):
        r.status, r.eligible, r.category = "pending", False, "hukou"
    _preset(db, election, preset)
    since = election.election_day - timedelta(days=250)
    app = apply_for_registration(db, election, a, "worker", since, True, "a_committee")
    assert (app.result == "approved") is (preset == "national")
    if preset == "jiangsu":
        assert "须经推荐" in app.reasons
        ok = apply_for_registration(db, election, b, "worker", since, True, "a_committee",
                                    recommendation="街道社区服务中心推荐（推荐函第 5 号）")
        assert ok.result == "approved" and b.is_voter and "推荐函" in ok.recommendation


def test_joint_nomination_by_household_representatives(db, world):
    """nomination_min_household_signers [RULES.md channels]: 5 households' representatives
    may nominate jointly; 4 are refused naming the rule; a signer who is not a household's
    representative is refused; with the parameter at 4, the 4 suffice."""
    election = world["a"]["election"]
    voters = add_voters(db, election, 12)
    from election.models import Household

    for k, v in enumerate(voters):
        h = Household(election_id=election.id, number=f"J{k:02d}", building="3栋")
        db.add(h)
        db.flush()
        v.household_id = h.id
    db.commit()
    for k in range(6):
        electors.designate(db, election, f"J{k:02d}", voters[k].name, "本户书面推选", "a_committee")
    db.commit()
    reps = [str(v.voter_number) for v in voters[:6]]
    with pytest.raises(UserError, match="至少 5 户"):
        nomination.nominate(db, election, "a_committee", "jwh_weiyuan", str(voters[10].voter_number),
                            "household_joint", "联名推荐书", reps[:4])
    db.rollback()
    with pytest.raises(UserError, match="不是已推选的户代表"):
        nomination.nominate(db, election, "a_committee", "jwh_weiyuan", str(voters[10].voter_number),
                            "household_joint", "联名推荐书", reps[:4] + [str(voters[8].voter_number)])
    db.rollback()
    nomination.nominate(db, election, "a_committee", "jwh_weiyuan", str(voters[10].voter_number),
                        "household_joint", "联名推荐书", reps[:5])
    db.commit()
    election.rulebook = PRESETS["national"].with_changes(nomination_min_household_signers=4).to_dict()
    db.commit()
    nomination.nominate(db, election, "a_committee", "jwh_weiyuan", str(voters[11].voter_number),
                        "household_joint", "联名推荐书", reps[:4])
    assert db.scalar(select(ElectionEvent).where(ElectionEvent.kind == "nomination.nominated")) is not None
