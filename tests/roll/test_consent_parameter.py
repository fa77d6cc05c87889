"""nonhukou_consent_required ([V art.13]: a resident without local hukou is registered on
application "经村民会议或者村民代表会议同意"): with the parameter on, an application is
refused (UserError naming the rule and its source) until an adopted decision of a 居民会议 or
居民代表会议 exists and is chosen — a decision not adopted, or of a 居民小组会议, is refused —
and the registration records which decision it relies on (the application and its event);
off (the default), the months of residence suffice."""
from __future__ import annotations

from datetime import timedelta

import pytest

from election.errors import UserError
from election.ledger.events import events_of
from election.models import MeetingDecision
from election.roll.register import apply_for_registration
from election.rules.rulebook import Rulebook
from tests.factories import add_voters, meeting_decision


def _decision(db, election, kind: str, adopted: bool, number: int = 1) -> MeetingDecision:
    """A meeting's recorded decision (the meetings service's own tests cover recording it)."""
    return meeting_decision(db, election, kind, adopted, number)


@pytest.mark.parametrize("required", [True, False])
def test_a_non_hukou_residents_application(world, db, required):
    election = world["a"]["election"]
    a, b = add_voters(db, election, 2)
    for r in (a, b):
        r.status, r.eligible, r.category = "pending", False, "hukou"
    election.rulebook = Rulebook().with_changes(nonhukou_consent_required=required).to_dict()
    db.commit()
    since = election.election_day - timedelta(days=400)
    if not required:
        application = apply_for_registration(db, election, a, "resident", since, True, "a_committee")
        assert application.result == "approved" and a.is_voter and "consent" not in events_of(db, election)[-1].payload
        return
    with pytest.raises(UserError, match=r"须经居民会议或居民代表会议同意（.*\[V art\.13\]）：本选举尚无"):
        apply_for_registration(db, election, a, "resident", since, True, "a_committee")
    rejected = _decision(db, election, "residents", adopted=False)
    group = _decision(db, election, "group", adopted=True)
    db.commit()
    for decision in (rejected, group):
        with pytest.raises(UserError, match="本选举尚无"):
            apply_for_registration(db, election, a, "resident", since, True, "a_committee", decision_id=decision.id)
    consent = _decision(db, election, "representatives", adopted=True, number=4)
    db.commit()
    with pytest.raises(UserError, match="请选择同意登记的会议决定"):
        apply_for_registration(db, election, a, "resident", since, True, "a_committee")
    with pytest.raises(UserError, match="不存在、未通过"):
        apply_for_registration(db, election, a, "resident", since, True, "a_committee", decision_id=rejected.id)
    assert not a.is_voter
    consented = apply_for_registration(db, election, b, "resident", since, True, "a_committee", decision_id=consent.id)
    assert consented.result == "approved" and b.is_voter
    assert "居民代表会议" in consented.recommendation and "第4项" in consented.recommendation
    ev = events_of(db, election)[-1]
    assert ev.payload["consent"] == {"meeting": consent.meeting_id, "number": 4}
