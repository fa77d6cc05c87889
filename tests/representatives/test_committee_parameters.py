"""committee_member_withdraws_when_candidate ([seed 中办 2010 §14] [V art.12]), changed to
show the difference it makes: a sitting election-committee member nominated as a candidate
withdraws and the next of the original result is seated (依次递补) — or, where the rulebook
does not ask for it, stays, with a note."""
from __future__ import annotations

import pytest

from election.nomination import service as nomination
from election.representatives import committee as committee_svc
from election.representatives.people import residents_of
from election.rules.rulebook import Rulebook
from tests.conftest import DATA_KEY
from tests.factories import build_roll


@pytest.mark.parametrize("withdraws", [True, False])
def test_a_member_who_becomes_a_candidate(db, world, withdraws):
    election = world["a"]["election"]
    build_roll(db, election, DATA_KEY, [40])
    election.rulebook = Rulebook().with_changes(committee_member_withdraws_when_candidate=withdraws).to_dict()
    db.commit()
    everyone = residents_of(db, election)
    counts: dict[str, int] = {}
    for p in everyone:
        counts[p.name] = counts.get(p.name, 0) + 1
    people = [p for p in everyone if counts[p.name] == 1 and p.is_voter]
    names = [p.name for p in people[:9]]
    committee_svc.record_result(db, election, "residents_meeting", "\n".join(f"{n} {90 - k}" for k, n in enumerate(names)),
                                7, names[0], "a_committee")
    db.commit()
    member = people[2]
    result = nomination.nominate(db, election, "a_committee", "jwh_weiyuan", member.name, "self", "自荐书")
    db.commit()
    seated = {m.resident_id for m in committee_svc.committee_members(db, election)}
    assert (member.id not in seated) is withdraws
    assert (people[7].id in seated) is withdraws  # the 8th of the original result moves up
    if not withdraws:
        assert any("未要求成为候选人的成员退出" in n for n in result.notes)


@pytest.mark.parametrize("changes,size,accepted", [
    ({}, 9, True), ({"committee_size_max": 7}, 9, False),
    ({}, 6, False), ({"committee_size_odd": False}, 6, True),
])
def test_the_committees_size(db, world, changes, size, accepted):
    """committee_size_max and committee_size_odd ([P:ZJ, BJ] 5–9, odd)."""
    from election.errors import UserError

    election = world["a"]["election"]
    build_roll(db, election, DATA_KEY, [40])
    election.rulebook = Rulebook().with_changes(**changes).to_dict()
    db.commit()
    everyone = residents_of(db, election)
    counts: dict[str, int] = {}
    for p in everyone:
        counts[p.name] = counts.get(p.name, 0) + 1
    names = [p.name for p in everyone if counts[p.name] == 1][:11]
    votes = "\n".join(f"{n} {90 - k}" for k, n in enumerate(names))
    if accepted:
        seated = committee_svc.record_result(db, election, "residents_meeting", votes, size, names[0], "a_committee")
        assert sum(1 for e in seated if e.seated) == size
    else:
        with pytest.raises(UserError):
            committee_svc.record_result(db, election, "residents_meeting", votes, size, names[0], "a_committee")
