"""The demo roll: realistic residents through the same import path, then registered and carded."""
from __future__ import annotations

import random
from collections import Counter

from sqlalchemy import select

from election.models import Household, Resident
from election.pii import PersonalData
from election.roll.demo import add_demo_roll
from election.roll.register import overview
from election.rules import idcard
from tests.conftest import DATA_KEY


def test_demo_roll_is_realistic_and_ready_for_the_desk(world, db):
    election = world["a"]["election"]
    report = add_demo_roll(db, election, DATA_KEY, 260, random.Random(5))
    db.commit()
    counts = overview(db, election)
    assert counts.households == 260 and counts.residents == report.rows
    assert counts.under_age > 0 and counts.voters > counts.residents // 2
    per_group = Counter(db.scalars(select(Household.group_name).where(Household.election_id == election.id)))
    assert len(per_group) == 3 and max(per_group.values()) <= 150  # 居民小组 of 100–150 households (last may be smaller)
    residents = list(db.scalars(select(Resident)))
    pii = PersonalData(DATA_KEY)
    for r in residents[:50]:
        card = idcard.parse(pii.decrypt(r.id_cipher))  # valid GB 11643 check digit
        assert card.birth_date == r.birth_date and card.sex == r.sex
    nonlocal_voters = [r for r in residents if r.category == "resident" and r.is_voter]
    assert nonlocal_voters, "some 非户籍常住 residents applied and were registered"
    voters = [r for r in residents if r.is_voter]
    assert all(r.card_code and r.voter_number for r in voters)
    assert not [r for r in residents if not r.is_voter and r.card_code]
