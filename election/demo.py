"""A complete demo community for trying Juxuan: street office, community, election and
a user for every role. Later capabilities add their part (roll, candidates, ...) here.

The demo password is printed by `juxuan demo` and documented in the README; it is for
a local demo database only.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import clock
from .accounts.service import create_user
from .models import Community
from .setup.service import ElectionDraft, create_community, create_election

DEMO_PASSWORD = "juxuan-demo"
STREET = "示范街道办事处"
DEMO_USERS = (
    ("street", "street_admin", "街道管理员"),
    ("committee", "committee", "选举委员会"),
    ("clerk", "clerk", "发票员"),
    ("counter", "counter", "计票员"),
    ("scrutineer", "scrutineer", "监票员"),
    ("auditor", "auditor", "审计员"),
)


@dataclass
class DemoResult:
    community_name: str
    election_id: int
    logins: list[tuple[str, str, str]] = field(default_factory=list)
    election_day: date | None = None


def has_data(db: Session) -> bool:
    return db.scalar(select(Community.id).limit(1)) is not None


def build_demo(
    db: Session, data_key: str, households: int = 300, seed: int = 1, today: date | None = None
) -> DemoResult:
    today = today or clock.today()
    suffix = "" if not has_data(db) else f"{seed}"
    community = create_community(db, f"示范社区{suffix}", STREET, households)
    election = create_election(
        db, "demo", community,
        ElectionDraft(
            title=f"{community.name}第十二届居民委员会换届选举",
            election_day=today + timedelta(days=30),
            method="direct", preset="national",
            jwh_deputies=1, jwh_members=3, jdw_deputies=0, jdw_members=2,
        ),
        data_key,
    )
    result = DemoResult(community.name, election.id, election_day=election.election_day)
    for name, role, label in DEMO_USERS:
        username = f"{name}{suffix}"
        create_user(db, username, DEMO_PASSWORD, role, label, community, STREET)
        result.logins.append((username, DEMO_PASSWORD, label))
    import random

    from .roll.demo import add_demo_roll

    add_demo_roll(db, election, data_key, households, random.Random(seed), today=today)
    # Representatives need the roll's households: keep this after the roll step.

    from .representatives.demo import add_demo_representatives

    add_demo_representatives(db, election, random.Random(seed))
    from .polling.demo import add_demo_polling

    add_demo_polling(db, election, random.Random(seed))
    from .nomination.demo import add_demo_candidates

    add_demo_candidates(db, election, random.Random(seed), today=today)
    return result
