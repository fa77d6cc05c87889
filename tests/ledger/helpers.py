"""An election in the database, simulated end to end, and its exported bundles.
No users are made here (argon2 hashing is slow): tests that log in use `world`."""
from __future__ import annotations

from datetime import timedelta

from election import clock
from election.audit.simulate import Simulated, simulate
from election.publication.bundle import export_bundle
from election.setup.service import ElectionDraft, create_community, create_election
from tests.conftest import DATA_KEY


def new_election(db, name: str = "丙社区", street: str = "东街道"):
    community = create_community(db, name, street, 400)
    return create_election(db, "test", community, ElectionDraft(
        title=f"{name}换届选举", election_day=clock.today() - timedelta(days=1),
        method="direct", preset="national", jwh_deputies=1, jwh_members=3, jdw_deputies=0, jdw_members=2,
    ), DATA_KEY)


def simulated(db, world=None, voters: int = 120, seed: int = 7) -> Simulated:
    election = world["a"]["election"] if world else new_election(db)
    sim = simulate(db, election, voters=voters, seed=seed)
    db.commit()
    return sim


def export(db, election, auditor: bool = True) -> bytes:
    out = export_bundle(db, election, DATA_KEY, "committee", auditor=auditor)
    db.commit()
    return out.data
