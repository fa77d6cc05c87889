"""one_roll_only ([V art.13] [P:SZ]: a person is on one roll only; applicants declare it):
with the parameter on, an application without the declaration is refused and a person on
another current roll waits for the committee (both rolls flagged); with it off, neither."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from election import clock
from election.errors import UserError
from election.models import Resident
from election.roll.importing import import_roll
from election.roll.register import apply_for_registration
from election.rules.rulebook import Rulebook
from tests.conftest import DATA_KEY
from tests.factories import add_voters, make_id
from tests.roll.helpers import csv_bytes, row

TODAY = clock.today()


def _rulebook(db, election, one_roll_only: bool) -> None:
    election.rulebook = Rulebook().with_changes(one_roll_only=one_roll_only).to_dict()
    db.commit()


@pytest.mark.parametrize("one_roll_only", [True, False])
def test_person_on_another_roll(world, db, one_roll_only):
    person = make_id(date(1970, 1, 2))
    import_roll(db, world["b"]["election"], DATA_KEY, csv_bytes([row("张伟", person)]), "b.csv", "t", today=TODAY)
    _rulebook(db, world["a"]["election"], one_roll_only)
    report = import_roll(db, world["a"]["election"], DATA_KEY, csv_bytes([row("张伟", person)]), "a.csv", "t", today=TODAY)
    db.commit()
    assert report.flagged == (1 if one_roll_only else 0)
    both = list(db.scalars(select(Resident).order_by(Resident.election_id)))
    assert [r.double_registration for r in both] == [one_roll_only, one_roll_only]
    mine = next(r for r in both if r.election_id == world["a"]["election"].id)
    assert mine.is_voter is not one_roll_only


@pytest.mark.parametrize("one_roll_only", [True, False])
def test_application_without_the_declaration(world, db, one_roll_only):
    election = world["a"]["election"]
    (person,) = add_voters(db, election, 1)
    person.status, person.eligible, person.category = "pending", False, "hukou"
    _rulebook(db, election, one_roll_only)
    since = election.election_day - timedelta(days=400)
    if one_roll_only:
        with pytest.raises(UserError, match="申请人须声明未在其他地方登记为选民"):
            apply_for_registration(db, election, person, "resident", since, False, "a_committee")
    else:
        application = apply_for_registration(db, election, person, "resident", since, False, "a_committee")
        assert application.result == "approved" and person.is_voter
