"""Demo step: an election committee of 7 (with its full selection result and chair), the
推选片区 proposed from the roll's households, and a valid meeting with a winner per area.
Tolerates an empty roll (does nothing) and a roll too small for areas (committee only)."""
from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

from sqlalchemy.orm import Session

from .. import clock
from ..errors import UserError
from ..models import Election, Resident
from .areas import propose_areas
from .committee import entries, record_result
from .meetings import record_area_meeting
from .people import residents_of

ACTOR = "demo"


def _unique_named(people: list[Resident]) -> list[Resident]:
    counts = Counter(p.name for p in people)
    return [p for p in people if counts[p.name] == 1]


def add_demo_representatives(db: Session, election: Election, rng: random.Random) -> list[str]:
    """Returns a short Chinese summary of what was added (empty when the roll is empty)."""
    everyone = residents_of(db, election)
    adults = [p for p in everyone if p.is_voter] or everyone
    candidates = _unique_named(adults)
    done: list[str] = []
    if len(candidates) >= 9 and not entries(db, election):
        chosen = rng.sample(candidates, 9)
        votes = sorted(rng.sample(range(60, 200), 9), reverse=True)
        text = "\n".join(f"{p.name} {v}" for p, v in zip(chosen, votes))
        record_result(db, election, "residents_meeting", text, 7, chosen[0].name, ACTOR)
        done.append(f"选举委员会7人，主任{chosen[0].name}")
    try:
        areas = propose_areas(db, election, ACTOR)
    except UserError:
        return done
    held = min(clock.today(), election.election_day - timedelta(days=25))
    for area in areas:
        pool = _unique_named(residents_of(db, election, household_ids=[m.household_id for m in area.members]))
        if not pool:
            continue
        n = len(area.members)
        present = rng.randint(n // 2 + 1, n)
        nominees = rng.sample(pool, min(len(pool), rng.choice((2, 3))))
        first = rng.randint(present // 2 + 1, present)
        rest = present - first
        lines = [f"{nominees[0].name} {first}"]
        for p in nominees[1:]:
            share = rng.randint(0, min(rest, first - 1))
            rest -= share
            lines.append(f"{p.name} {share}")
        record_area_meeting(db, election, area.id, present, "\n".join(lines), held, ACTOR)
    done.append(f"推选片区{len(areas)}个，各选出居民代表1名")
    return done
