"""A committee may change the rulebook before the roll is published (and after, by a
recorded decision): the verifier must hold the bundle to the last recorded rulebook, and
still catch a rulebook.json that matches no recorded one."""
from __future__ import annotations

import io
import json
import zipfile

from election.protocol.verify import verify_bundle
from election.setup.service import change_rulebook
from tests.factories import new_election
from tests.ledger.helpers import export, simulate


def _checks(data: bytes) -> dict[str, bool]:
    return {c.name_en: c.ok for c in verify_bundle(data)}


def test_bundle_verifies_after_a_recorded_rulebook_change(db):
    election = new_election(db)
    change_rulebook(db, "committee", election, {"proxy_max_per_holder": 2})
    db.commit()
    simulate(db, election, voters=60, seed=3)
    db.commit()
    checks = _checks(export(db, election, auditor=False))
    assert checks["rulebook"] is True, checks


def test_bundle_carries_the_rulebook_in_force(db):
    election = new_election(db)
    change_rulebook(db, "committee", election, {"proxy_max_per_holder": 2})
    db.commit()
    simulate(db, election, voters=60, seed=3)
    db.commit()
    data = export(db, election, auditor=False)
    files = dict((n, zipfile.ZipFile(io.BytesIO(data)).read(n)) for n in zipfile.ZipFile(io.BytesIO(data)).namelist())
    rulebook = json.loads(files["rulebook.json"])
    assert rulebook["proxy_max_per_holder"] == 2
