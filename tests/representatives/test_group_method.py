"""The group method: 3–5 居民代表 per 居民小组 (rulebook rep_per_group_min/max)."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from election.errors import UserError
from election.models import Representative
from election.representatives import areas as svc
from election.representatives.meetings import record_area_meeting, residents_of
from tests.conftest import DATA_KEY
from tests.factories import build_roll


def test_one_constituency_per_group_with_three_seats(db, world):
    election = world["a"]["election"]
    build_roll(db, election, DATA_KEY, [50, 50], per_group=60)
    svc.set_method(db, election, "groups", "x")
    with pytest.raises(UserError, match="每个居民小组推选6名居民代表，不在3至5名之间"):
        svc.group_areas(db, election, 6, "x")
    areas = svc.group_areas(db, election, 3, "x")
    assert [(a.group_name, len(a.members), a.seats) for a in areas] == [("第1居民小组", 60, 3), ("第2居民小组", 40, 3)]
    with pytest.raises(UserError, match="不划分推选片区"):
        svc.propose_areas(db, election, "x")
    seen, people = set(), []
    for p in residents_of(db, election, household_ids=[m.household_id for m in areas[1].members]):
        if p.name not in seen:
            seen.add(p.name)
            people.append(p)
    # 21 households present, 3 seats: at most 63 votes (17 + 16 + 15 + 14 = 62).
    votes = "\n".join(f"{p.name} {17 - k}" for k, p in enumerate(people[:4]))
    record_area_meeting(db, election, areas[1].id, 21, votes, date(2026, 11, 2), "x")
    db.commit()
    assert sorted(r.resident_id for r in db.scalars(select(Representative))) == sorted(p.id for p in people[:3])
    assert svc.overview(db, election).total_seats == 6
