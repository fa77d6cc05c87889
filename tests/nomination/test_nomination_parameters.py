"""Rulebook parameters of nomination, each changed to show the difference it makes:
nomination_self_allowed, one_person_two_bodies ([V art.32]: a candidate for one body only —
where the rulebook allows both, the list is published and the tally's higher post decides)
and withdrawal_days_before ([P:ZJ]: written withdrawal at least 3 days before)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from election.errors import UserError
from election.nomination import service
from election.rules.rulebook import Rulebook
from tests.factories import Roll, make_election
from tests.nomination.helpers import full_slate


def _election(db, **changes):
    election = make_election(db)
    election.rulebook = Rulebook().with_changes(**changes).to_dict()
    db.commit()
    return election


@pytest.mark.parametrize("allowed", [True, False])
def test_self_nomination(db, allowed):
    election = _election(db, nomination_self_allowed=allowed)
    person = Roll(db, election).add("王一")
    if allowed:
        assert service.nominate(db, election, "committee", "jwh_zhuren", str(person.voter_number), "self", "自荐书")
    else:
        with pytest.raises(UserError, match="不允许自荐"):
            service.nominate(db, election, "committee", "jwh_zhuren", str(person.voter_number), "self", "自荐书")


@pytest.mark.parametrize("allowed", [False, True])
def test_one_person_for_both_bodies(db, allowed):
    election = _election(db, one_person_two_bodies=allowed)
    roll = Roll(db, election)
    slate = full_slate(db, election, roll)
    both = slate["jwh_weiyuan"][0]
    service.nominate(db, election, "committee", "jdw_weiyuan", str(both.voter_number), "self", "自荐书")
    db.commit()
    day = election.election_day - timedelta(days=7)
    if allowed:
        assert both.id in {c.resident_id for c in service.publish(db, election, "committee", day)["jdw_weiyuan"]}
    else:
        with pytest.raises(UserError, match="同时是居委会和居务监督委员会的候选人"):
            service.publish(db, election, "committee", day)


@pytest.mark.parametrize("days", [3, 1])
def test_written_withdrawal_two_days_before(db, days):
    election = _election(db, withdrawal_days_before=days)
    roll = Roll(db, election)
    full_slate(db, election, roll)
    extra = roll.add("冯一")
    result = service.nominate(db, election, "committee", "jwh_weiyuan", str(extra.voter_number), "self", "自荐书")
    db.commit()
    two_days_before = election.election_day - timedelta(days=2)
    if days == 3:
        with pytest.raises(UserError, match="不足 3 天，书面退出最迟于"):
            service.withdraw(db, election, "committee", result.candidate.id, "书面退出申请", two_days_before)
    else:
        service.withdraw(db, election, "committee", result.candidate.id, "书面退出申请", two_days_before)
        assert result.candidate.status == "withdrawn"


# The default slate's margin per post (candidates - seats): 主任 +1, 副主任 +1, 委员 +1,
# 监督委员会主任 +1, 监督委员会委员 +1 (tests/nomination/helpers.SLATE).
MARGIN_KEYS = ["jwh_zhuren", "jwh_fu_zhuren", "jwh_weiyuan", "jdw_zhuren", "jdw_weiyuan"]


@pytest.mark.parametrize("key", MARGIN_KEYS)
@pytest.mark.parametrize("side", ["min", "max"])
def test_each_margin_decides_the_list(db, key, side):
    """margin_<post>_min / _max ([P:SH]): the slate publishes under the defaults; a minimum of
    +2, or a maximum of +0 (with 等额 allowed), refuses that post's +1 by name."""
    changes: dict = {"margin_" + key + "_min": 2, "margin_" + key + "_max": 3} if side == "min" else \
        {"margin_" + key + "_min": 0, "margin_" + key + "_max": 0, "uncontested_allowed": True}
    election = _election(db, **changes)
    full_slate(db, election, Roll(db, election))
    db.commit()
    day = election.election_day - timedelta(days=7)
    with pytest.raises(UserError) as refused:
        service.publish(db, election, "committee", day)
    db.rollback()
    name = service.post_of(election, key).name_zh
    assert [m for m in refused.value.messages if m.startswith(f"{name}：")], refused.value.messages
    election.rulebook = Rulebook().to_dict()
    db.commit()
    assert service.publish(db, election, "committee", day)


@pytest.mark.parametrize("limited", [True, False])
def test_a_signer_supports_as_many_as_there_are_seats(db, limited):
    """signer_limit_equals_seats (common practice): the same ten voters sign for two 主任
    nominees (one seat) — the second is refused where a signer supports at most as many
    nominees as seats, accepted otherwise."""
    election = _election(db, signer_limit_equals_seats=limited)
    roll = Roll(db, election)
    signers = [str(roll.add(f"签名人{i}").voter_number) for i in range(10)]
    a, b = roll.add("王甲"), roll.add("李乙")
    service.nominate(db, election, "committee", "jwh_zhuren", str(a.voter_number), "joint", "联名推荐书", signers)
    db.commit()
    if limited:
        with pytest.raises(UserError):
            service.nominate(db, election, "committee", "jwh_zhuren", str(b.voter_number), "joint", "联名推荐书", signers)
    else:
        assert service.nominate(db, election, "committee", "jwh_zhuren", str(b.voter_number), "joint", "联名推荐书", signers)
