"""Communities, elections, bodies and the rulebook (issue: foundation)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from election import clock
from election.errors import UserError
from election.ledger.events import as_chain_event, events_of
from election.protocol.chain import verify_chain
from election.settings import rulebook_of
from election.setup.service import ElectionDraft, change_rulebook, create_community, create_election
from tests.conftest import DATA_KEY


def draft(**changes) -> ElectionDraft:
    base = dict(title="换届选举", election_day=clock.today() + timedelta(days=30), method="direct",
                preset="national", jwh_deputies=1, jwh_members=3, jdw_deputies=0, jdw_members=2)
    base.update(changes)
    return ElectionDraft(**base)


def test_election_starts_its_chain_with_a_genesis(db):
    community = create_community(db, "甲社区", "东街道", 300)
    election = create_election(db, "tester", community, draft(), DATA_KEY)
    db.commit()
    events = events_of(db, election)
    assert [e.kind for e in events] == ["ledger.chain_started", "election.created"]
    assert events[0].payload["rulebook"] == rulebook_of(election).fingerprint()
    assert verify_chain([as_chain_event(e) for e in events]) == []


@pytest.mark.parametrize("changes, fragment", [
    ({"jwh_members": 4}, "奇数"),          # 1 + 1 + 4 = 6 members: even
    ({"jwh_members": 9}, "5"),              # 11 members: above 9
    ({"jwh_deputies": 3}, "副主任"),         # more vice-chairs than 2
    ({"jdw_members": 5}, "3"),              # supervisory 6 members: above 5
    ({"jdw_deputies": 2}, "副主任"),
])
def test_bodies_outside_the_bounds_are_refused_with_the_numbers(db, changes, fragment):
    community = create_community(db, "甲社区", "东街道", 300)
    with pytest.raises(UserError) as caught:
        create_election(db, "tester", community, draft(**changes), DATA_KEY)
    assert any(fragment in m for m in caught.value.messages), caught.value.messages


def test_unknown_preset_and_method_are_named(db):
    community = create_community(db, "甲社区", "东街道", 300)
    with pytest.raises(UserError) as caught:
        create_election(db, "tester", community, draft(preset="mars", method="lottery"), DATA_KEY)
    text = " ".join(caught.value.messages)
    assert "mars" in text and "lottery" in text


def test_rulebook_changes_before_publication_are_logged(db):
    community = create_community(db, "甲社区", "东街道", 300)
    election = create_election(db, "tester", community, draft(), DATA_KEY)
    change_rulebook(db, "tester", election, {"proxy_max_per_holder": 2})
    db.commit()
    assert rulebook_of(election).proxy_max_per_holder == 2
    assert events_of(db, election)[-1].kind == "rulebook.changed"


def test_inconsistent_rulebook_is_refused_and_nothing_changes(db):
    community = create_community(db, "甲社区", "东街道", 300)
    election = create_election(db, "tester", community, draft(), DATA_KEY)
    db.commit()
    with pytest.raises(UserError) as caught:
        change_rulebook(db, "tester", election, {"margin_jwh_weiyuan_min": 4, "margin_jwh_weiyuan_max": 2})
    db.rollback()
    assert "margin_jwh_weiyuan_min" in " ".join(caught.value.messages)
    assert rulebook_of(election).margin_jwh_weiyuan_min == 1


def test_frozen_rulebook_needs_a_recorded_decision(db):
    community = create_community(db, "甲社区", "东街道", 300)
    election = create_election(db, "tester", community, draft(), DATA_KEY)
    election.roll_published_on = clock.today()
    db.commit()
    with pytest.raises(UserError, match="冻结"):
        change_rulebook(db, "tester", election, {"proxy_max_per_holder": 2})
    db.rollback()
    change_rulebook(db, "tester", election, {"proxy_max_per_holder": 2}, reason="第3次会议决定")
    db.commit()
    last = events_of(db, election)[-1]
    assert last.kind == "rulebook.decided" and last.reason == "第3次会议决定"


def test_two_rulebook_changes_at_once_both_hold(app, db, monkeypatch):
    """Two committee members change two rules at once: both changes hold, on both databases.
    Each read the rulebook as a reader and wrote the whole rulebook after: on SQLite the
    second writer's lock upgrade failed at once ("database is locked"); on PostgreSQL the
    second wrote its change over the rulebook it had read, undoing the first's. The write
    lock and the election's row are taken, and the election read again, before the read."""
    from election.models import Election
    from election.setup import service
    from tests.races import meet_after, race

    community = create_community(db, "甲社区", "东街道", 300)
    election = create_election(db, "tester", community, draft(), DATA_KEY)
    db.commit()
    meet_after(monkeypatch, service, "rulebook_of")  # after the rulebook was read, before it is written

    def change(rules: dict):
        def act(s):
            change_rulebook(s, "tester", s.get(Election, election.id), rules)
            s.commit()
            return "changed"
        return act

    outcomes = race(app.extensions["juxuan.sessions"], [change({"proxy_max_per_holder": 2}),
                                                        change({"withdrawal_days_before": 4})])
    assert outcomes == ["changed", "changed"]
    db.rollback()
    db.refresh(election)
    assert (rulebook_of(election).proxy_max_per_holder, rulebook_of(election).withdrawal_days_before) == (2, 4)
    assert [e.kind for e in events_of(db, election)].count("rulebook.changed") == 2
