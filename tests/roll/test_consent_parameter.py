"""nonhukou_consent_required ([V art.13]: a resident without local hukou is registered on
application "经村民会议或者村民代表会议同意"): with the parameter on, an application without
the meeting's consent is refused naming it, and one with it registers and keeps the
reference; off (the default), the months of residence suffice."""
from __future__ import annotations

from datetime import timedelta

import pytest

from election.roll.register import apply_for_registration
from election.rules.rulebook import Rulebook
from tests.polling.helpers import add_voters


@pytest.mark.parametrize("required", [True, False])
def test_a_non_hukou_residents_application(world, db, required):
    election = world["a"]["election"]
    a, b = add_voters(db, election, 2)
    for r in (a, b):
        r.status, r.eligible, r.category = "pending", False, "hukou"
    election.rulebook = Rulebook().with_changes(nonhukou_consent_required=required).to_dict()
    db.commit()
    since = election.election_day - timedelta(days=400)
    application = apply_for_registration(db, election, a, "resident", since, True, "a_committee")
    assert (application.result == "approved") is not required
    if required:
        assert "须经居民会议或居民代表会议同意" in application.reasons and not a.is_voter
    consented = apply_for_registration(db, election, b, "resident", since, True, "a_committee",
                                       recommendation="居民代表会议决定（2026）第 4 号")
    assert consented.result == "approved" and b.is_voter and "第 4 号" in consented.recommendation
