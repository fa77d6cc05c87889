"""The demo step on a generated roll: committee of 7 with a chair, every area with a winner."""
from __future__ import annotations

import random

from sqlalchemy import func, select

from election.models import RepArea, Representative
from election.representatives.committee import committee_members
from election.representatives.demo import add_demo_representatives
from tests.conftest import DATA_KEY
from tests.factories import build_roll


def test_demo_step_builds_committee_areas_and_winners(db, world):
    election = world["a"]["election"]
    build_roll(db, election, DATA_KEY, [60, 45, 80, 33])
    summary = add_demo_representatives(db, election, random.Random(3))
    db.commit()
    members = committee_members(db, election)
    assert len(members) == 7 and sum(m.is_chair for m in members) == 1
    areas = db.scalar(select(func.count(RepArea.id)).where(RepArea.election_id == election.id))
    assert areas >= 5 and db.scalar(select(func.count(Representative.id))) == areas
    assert summary[-1] == f"推选片区{areas}个，各选出居民代表1名"


def test_demo_step_tolerates_an_empty_roll(db, world):
    assert add_demo_representatives(db, world["b"]["election"], random.Random(1)) == []
