"""Rulebook parameters of the primary (RULES.md "primary (预选)" [P:ZJ]), each changed to
show the difference it makes: primary_when_over_max (a primary when nominees exceed the
maximum, or consultation and written withdrawal instead), primary_proxy_allowed and
primary_mobile_box_allowed (no proxies or mobile boxes in a primary by default)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from election.errors import UserError
from election.nomination import service
from election.rules.rulebook import Rulebook
from tests.factories import Roll, make_election
from tests.nomination.helpers import full_slate


def _over_max(db, **changes):
    """The default slate and 3 more 委员 nominees: 7 for 3 seats, at most 6."""
    election = make_election(db)
    roll = Roll(db, election)
    full_slate(db, election, roll)
    for n in ("冯一", "陈二", "褚三"):
        service.nominate(db, election, "committee", "jwh_weiyuan", str(roll.add(n).voter_number), "self", "自荐书")
    election.rulebook = Rulebook().with_changes(**changes).to_dict()
    db.commit()
    return election, service.candidates_of(db, election, "jwh_weiyuan")


@pytest.mark.parametrize("primary", [True, False])
def test_over_the_maximum_a_primary_or_withdrawals(db, primary):
    election, nominees = _over_max(db, primary_when_over_max=primary)
    day = election.election_day - timedelta(days=6)
    with pytest.raises(UserError, match="须先进行预选" if primary else "须经酝酿协商由被提名人书面退出"):
        service.publish(db, election, "committee", day)
    db.rollback()
    votes = {c.id: v for c, v in zip(nominees, (50, 40, 30, 20, 15, 12, 10))}
    if primary:
        result = service.record_primary(db, election, "committee", "jwh_weiyuan", votes)
        assert len(result.advanced) == 6
    else:
        with pytest.raises(UserError, match="本选举规则不进行预选"):
            service.record_primary(db, election, "committee", "jwh_weiyuan", votes)
        db.rollback()
        service.withdraw(db, election, "committee", nominees[-1].id, "书面退出申请", day - timedelta(days=1))
    db.commit()
    assert len(service.publish(db, election, "committee", day)["jwh_weiyuan"]) == 6


@pytest.mark.parametrize("key,how", [("primary_proxy_allowed", "by_proxy"), ("primary_mobile_box_allowed", "by_mobile_box")])
@pytest.mark.parametrize("allowed", [False, True])
def test_proxies_and_mobile_boxes_in_a_primary(db, key, how, allowed):
    election, nominees = _over_max(db, **{key: allowed})
    votes = {c.id: v for c, v in zip(nominees, (50, 40, 30, 20, 15, 12, 10))}
    if allowed:
        result = service.record_primary(db, election, "committee", "jwh_weiyuan", votes, 60, **{how: 4})
        assert len(result.advanced) == 6
    else:
        with pytest.raises(UserError, match=f"本次预选有 4 人.*{key}）为否），须重新预选"):
            service.record_primary(db, election, "committee", "jwh_weiyuan", votes, 60, **{how: 4})
        db.rollback()
        assert len(service.record_primary(db, election, "committee", "jwh_weiyuan", votes, 60).advanced) == 6
