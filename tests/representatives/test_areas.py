"""推选片区 from the database (RULES.md "Representatives": 1 per 30–50 households)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from election.errors import UserError
from election.models import RepArea, RepAreaHousehold
from election.representatives import areas as svc
from election.rules.partition import Household as RuleHousehold
from election.rules.partition import order_households
from tests.conftest import DATA_KEY
from tests.factories import build_roll


def test_proposed_areas_cover_every_household_exactly_once(db, world):
    """Must show 1: a generated community from the database, areas stored, each household in
    exactly one area, every area within rep_households_min..max, contiguous in address order."""
    election = world["a"]["election"]
    households = build_roll(db, election, DATA_KEY, [44, 18, 63, 27, 90, 31, 12])
    areas = svc.propose_areas(db, election, "a_committee")
    db.commit()
    stored = db.scalars(select(RepAreaHousehold).join(RepArea).where(RepArea.election_id == election.id)).all()
    assert sorted(m.household_id for m in stored) == sorted(h.id for h in households)
    assert len({m.household_id for m in stored}) == len(households)
    ordered = [int(h.household_id) for h in order_households(
        [RuleHousehold(str(h.id), h.building, h.unit, h.room) for h in households])]
    position = {hid: k for k, hid in enumerate(ordered)}
    for area in areas:
        assert 30 <= len(area.members) <= 50
        ks = sorted(position[m.household_id] for m in area.members)
        assert ks == list(range(ks[0], ks[0] + len(ks)))
        assert area.explanation.startswith(f"第{area.number}片区") and f"共{len(area.members)}户" in area.explanation
    overview = svc.overview(db, election)
    assert overview.total_seats == len(areas)
    assert "少于一般要求的50名" in overview.warning


def test_adjust_moves_edge_households_and_refuses_out_of_bounds(db, world):
    election = world["a"]["election"]
    build_roll(db, election, DATA_KEY, [40, 40, 40])
    svc.propose_areas(db, election, "x")
    db.commit()
    first, second = svc.adjust_area(db, election, 1, 2, 5, "x", "按楼道习惯调整")
    db.commit()
    assert (len(first.members), len(second.members)) == (35, 45)
    assert "共35户" in first.explanation and "共45户" in second.explanation
    with pytest.raises(UserError) as refused:
        svc.adjust_area(db, election, 1, 2, 6, "x")
    db.rollback()
    assert "调整后第1片区：该片区共29户，少于下限30户" in refused.value.messages[0]
    assert [len(a.members) for a in svc.areas_of(db, election)] == [35, 45, 40]
    with pytest.raises(UserError, match="不相邻"):
        svc.adjust_area(db, election, 1, 3, 1, "x")


def test_too_few_households_refused_with_the_numbers(db, world):
    election = world["a"]["election"]
    build_roll(db, election, DATA_KEY, [20])
    with pytest.raises(UserError, match="全社区共20户，少于每个片区的下限30户"):
        svc.propose_areas(db, election, "x")
    assert db.scalar(select(func.count(RepArea.id))) == 0
