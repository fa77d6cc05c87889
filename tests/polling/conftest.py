"""Fixtures for polling: an election with voters and formal candidates, and a station."""
from __future__ import annotations

import pytest

from election.polling.stations import create_station
from tests.factories import add_voters
from tests.polling.helpers import add_candidates, open_polling_day


@pytest.fixture
def poll(db, world):
    election = world["a"]["election"]
    voters = add_voters(db, election, 40)
    names = add_candidates(db, election, voters[:20])
    station = create_station(db, election, "t", "第一投票站", desks=2, boxes=2)
    db.commit()
    open_polling_day(db, election)
    return {"election": election, "voters": voters, "names": names, "station": station,
            "desks": list(station.desks), "boxes": list(station.boxes), "users": world["a"]["users"]}
