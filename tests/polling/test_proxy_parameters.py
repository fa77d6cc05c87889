"""proxy_candidates_may_hold ([P:BJ, SH, ZJ]: candidates hold no proxies), changed to show
the difference it makes: a formal candidate as the holder is refused by default and accepted
where the rulebook allows it."""
from __future__ import annotations

from datetime import timedelta

import pytest

from election.errors import UserError
from election.models import Candidate
from election.polling import issuance
from election.rules.rulebook import Rulebook
from tests.factories import add_voters


@pytest.mark.parametrize("may_hold", [False, True])
def test_a_candidate_holding_a_proxy(db, world, may_hold):
    election = world["a"]["election"]
    voter, holder = add_voters(db, election, 2)
    db.add(Candidate(election_id=election.id, resident_id=holder.id, post="jwh_weiyuan", status="formal", ballot_order=1))
    election.rulebook = Rulebook().with_changes(proxy_candidates_may_hold=may_hold).to_dict()
    db.commit()
    signed = election.election_day - timedelta(days=10)
    if may_hold:
        assert issuance.authorise_proxy(db, election, "a_committee", voter, holder, signed).holder_id == holder.id
    else:
        with pytest.raises(UserError, match="是候选人，规则规定候选人不得接受委托"):
            issuance.authorise_proxy(db, election, "a_committee", voter, holder, signed)
