"""An election in the database, simulated end to end, and its exported bundles.
No users are made here (argon2 hashing is slow): tests that log in use `world`."""
from __future__ import annotations

from election.audit.simulate import Simulated, simulate
from election.publication.bundle import export_bundle
from tests.conftest import DATA_KEY
from tests.factories import new_election


def simulated(db, world=None, voters: int = 120, seed: int = 7) -> Simulated:
    election = world["a"]["election"] if world else new_election(db)
    sim = simulate(db, election, voters=voters, seed=seed)
    db.commit()
    return sim


def export(db, election, auditor: bool = True) -> bytes:
    out = export_bundle(db, election, DATA_KEY, "committee", auditor=auditor)
    db.commit()
    return out.data
