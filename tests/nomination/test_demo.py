"""The demo step: a differential, published list built through the real services."""
from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from election.models import Nomination
from election.nomination import service
from election.nomination.demo import add_demo_candidates
from election.settings import posts_of, rulebook_of
from tests.factories import Roll, make_election


def test_demo_candidates_are_differential_confirmed_and_published(db):
    election = make_election(db, days=30)
    roll = Roll(db, election)
    for i, (surname, given) in enumerate((s, g) for s in "王李张刘陈杨黄赵吴周" for g in "伟芳敏静"):
        roll.add(surname + given, "女" if given in "芳静" else "男")
    roll.add("未成年", voter=False)
    lists = add_demo_candidates(db, election, random.Random(3))
    db.commit()
    assert service.check_list(db, election).errors == []
    rb = rulebook_of(election)
    for post in posts_of(election):
        low, high = service.margins(rb, post.key)
        assert post.seats + low <= len(lists[post.key]) <= post.seats + high
    jwh = [c for key, cs in lists.items() if key.startswith("jwh_") for c in cs]
    assert any(c.resident.sex == "女" for c in jwh)
    chair = lists["jdw_zhuren"]
    assert all(service.chair_confirmed(db, c) for c in chair)
    event = service.latest_publication(db, election)
    assert date.fromisoformat(event.payload["published_on"]) <= election.election_day - timedelta(days=rb.candidate_list_days_before)
    channels = set(db.scalars(select(Nomination.channel)))
    assert {"self", "joint", "party"} <= channels


def test_the_demo_is_one_transaction_its_caller_commits_or_undoes(db):
    """Every step of the demo (community, election, roll, representatives, polling set-up,
    candidates) runs in the one transaction its first write took (begin_write): the services'
    own begin_write goes on in it and commits nothing of the demo halfway, so `juxuan demo`'s
    rollback on a refusal leaves no half-built community."""
    from election.demo import build_demo
    from election.models import Community, ElectionEvent
    from tests.conftest import DATA_KEY

    build_demo(db, DATA_KEY, households=120, seed=3)
    assert db.scalar(select(Nomination.id).limit(1)) is not None
    db.rollback()
    assert db.scalar(select(Community.id).limit(1)) is None
    assert db.scalar(select(ElectionEvent.id).limit(1)) is None
