"""Rulebook parameters of the representatives stage, each changed to show the difference it
makes: group_households_min/max ([seed 江苏 §8] 100–150 households per 居民小组) and
rep_total_larger_may_exceed ([seed 江苏 §9]: 50–100 representatives, larger communities may
decide more)."""
from __future__ import annotations

import pytest

from election.errors import UserError
from election.representatives import areas as svc
from election.rules.rulebook import Rulebook
from tests.conftest import DATA_KEY
from tests.factories import build_roll


def _rulebook(db, election, **changes) -> None:
    election.rulebook = Rulebook().with_changes(**changes).to_dict()
    db.commit()


@pytest.mark.parametrize("bounds,expected", [
    ((100, 150), ["第1居民小组共60户，少于居民小组户数下限100户", "第2居民小组共40户，少于居民小组户数下限100户"]),
    ((30, 55), ["第1居民小组共60户，多于居民小组户数上限55户"]),
    ((40, 60), []),
])
def test_group_sizes_outside_the_rulebook_are_named(db, world, bounds, expected):
    election = world["a"]["election"]
    build_roll(db, election, DATA_KEY, [50, 50], per_group=60)
    _rulebook(db, election, group_households_min=bounds[0], group_households_max=bounds[1])
    svc.set_method(db, election, "groups", "x")
    svc.group_areas(db, election, 3, "x")
    warning = svc.overview(db, election).warning or ""
    parts = [p for p in warning.split("；") if "居民小组共" in p]
    assert parts == expected


@pytest.mark.parametrize("may_exceed", [True, False])
def test_more_representatives_than_the_maximum(db, world, may_exceed):
    """Two groups of 3 representatives make 6; with rep_total_max at 5 a larger community may
    decide more (a warning asking for the decision), or, where the rulebook says no, the
    constituencies are refused."""
    election = world["a"]["election"]
    build_roll(db, election, DATA_KEY, [50, 50], per_group=60)
    _rulebook(db, election, rep_total_min=2, rep_total_max=5, rep_per_group_min=2,
              rep_total_larger_may_exceed=may_exceed)
    svc.set_method(db, election, "groups", "x")
    db.commit()
    if may_exceed:
        svc.group_areas(db, election, 3, "x")
        assert "多于一般要求的5名（规模较大的社区经决定可适当增加" in (svc.overview(db, election).warning or "")
    else:
        with pytest.raises(UserError, match="共需推选居民代表6名，多于.*rep_total_larger_may_exceed"):
            svc.group_areas(db, election, 3, "x")
        db.rollback()
        assert svc.group_areas(db, election, 2, "x")  # 4 fit


@pytest.mark.parametrize("preset,accepted", [("shanghai", False), ("national", True)])
def test_an_election_committee_of_five(db, world, preset, accepted):
    """committee_size_min ([P:SH] 7–9; nationally 5–9): five members seated by the residents'
    meeting are refused in Shanghai and accepted nationally."""
    from election.representatives import committee as committee_svc
    from election.representatives.people import residents_of
    from election.rules.presets import PRESETS

    election = world["a"]["election"]
    build_roll(db, election, DATA_KEY, [40])
    election.rulebook = PRESETS[preset].to_dict()
    db.commit()
    everyone = residents_of(db, election)
    counts: dict[str, int] = {}
    for p in everyone:
        counts[p.name] = counts.get(p.name, 0) + 1
    names = [p.name for p in everyone if counts[p.name] == 1][:7]
    votes = "\n".join(f"{n} {90 - k}" for k, n in enumerate(names))
    if accepted:
        seated = committee_svc.record_result(db, election, "residents_meeting", votes, 5, names[0], "a_committee")
        assert sum(1 for e in seated if e.seated) == 5
    else:
        with pytest.raises(UserError, match="7"):
            committee_svc.record_result(db, election, "residents_meeting", votes, 5, names[0], "a_committee")


@pytest.mark.parametrize("bounds,areas", [((30, 50), 2), ((55, 65), 1)])
def test_households_per_representative(db, world, bounds, areas):
    """rep_households_min/max ([seed 江苏 §9] 30–50): 60 households make two areas by default,
    one where a representative may stand for 55–65."""
    election = world["a"]["election"]
    build_roll(db, election, DATA_KEY, [60])
    _rulebook(db, election, rep_households_min=bounds[0], rep_households_max=bounds[1])
    assert len(svc.propose_areas(db, election, "x")) == areas


@pytest.mark.parametrize("maximum", [5, 6])
def test_representatives_per_group(db, world, maximum):
    """rep_per_group_max ([seed 江苏 §9] 3–5): six a group refused by default, accepted at 6."""
    election = world["a"]["election"]
    build_roll(db, election, DATA_KEY, [50, 50], per_group=60)
    _rulebook(db, election, rep_per_group_max=maximum)
    svc.set_method(db, election, "groups", "x")
    if maximum == 5:
        with pytest.raises(UserError, match="每个居民小组推选6名居民代表，不在3至5名之间"):
            svc.group_areas(db, election, 6, "x")
    else:
        assert [a.seats for a in svc.group_areas(db, election, 6, "x")] == [6, 6]


@pytest.mark.parametrize("turnout,valid", [("1/2", True), ("3/5", False)])
def test_representative_meeting_turnout(db, world, turnout, valid):
    """rep_election_turnout ([seed 江苏 §9]: more than half of the area's households): 21 of
    40 households take part — valid above 1/2, refused above 3/5 (24 needed)."""
    from datetime import date

    from election.representatives.meetings import record_area_meeting, residents_of

    election = world["a"]["election"]
    build_roll(db, election, DATA_KEY, [50, 50], per_group=60)
    _rulebook(db, election, rep_election_turnout=turnout)
    svc.set_method(db, election, "groups", "x")
    areas = svc.group_areas(db, election, 3, "x")
    people = list(residents_of(db, election, household_ids=[m.household_id for m in areas[1].members]))
    seen, chosen = set(), []
    for p in people:
        if p.name not in seen:
            seen.add(p.name)
            chosen.append(p)
    # 21 households present, 3 seats: at most 63 votes (17 + 16 + 15 + 14 = 62).
    votes = "\n".join(f"{p.name} {17 - k}" for k, p in enumerate(chosen[:4]))
    if valid:
        record_area_meeting(db, election, areas[1].id, 21, votes, date(2026, 11, 2), "x")
    else:
        with pytest.raises(UserError):
            record_area_meeting(db, election, areas[1].id, 21, votes, date(2026, 11, 2), "x")


@pytest.mark.parametrize("turnout,valid", [("1/2", True), ("3/5", False)])
def test_group_leader_meeting_turnout(db, world, turnout, valid):
    """group_leader_turnout ([seed 江苏 §8]: more than half of the group's households): 31 of
    60 households — valid above 1/2, refused above 3/5 (37 needed)."""
    from datetime import date

    from election.representatives.meetings import record_group_leader, residents_of

    election = world["a"]["election"]
    build_roll(db, election, DATA_KEY, [60], per_group=60)
    _rulebook(db, election, group_leader_turnout=turnout)
    person = residents_of(db, election, group_name="第1居民小组")[0]
    args = (db, election, "第1居民小组", "households", 31, f"{person.name} 20", date(2026, 11, 2), "x")
    if valid:
        assert record_group_leader(*args)
    else:
        with pytest.raises(UserError, match="推选无效"):
            record_group_leader(*args)
