"""Shared fixtures: a real database per test run (SQLite file, or a fresh PostgreSQL
database when JUXUAN_TEST_DATABASE_URL is set), emptied after every test; the app; a
test client that logs in through the real, CSRF-protected login form."""
from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from datetime import time as dtime

import pytest
from argon2 import PasswordHasher
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from election import clock
from election.accounts import service as accounts_service
from election.accounts.service import create_user
from election.app import create_app
from election.db import make_engine
from election.models import Base
from election.setup.service import ElectionDraft, create_community, create_election

PG_URL = os.environ.get("JUXUAN_TEST_DATABASE_URL")

# The project clock (election.clock) is pinned for every test, so that no test reads the
# machine's date or zone: a fixed day, at the local time JUXUAN_TEST_CLOCK names (HH:MM in
# the committee's zone; 10:00 by default). CI runs the suite again at 23:30 and 00:30 Beijing
# time, where the UTC date and the local date differ or are about to.
TEST_DAY = date(2026, 6, 15)


def pinned_moment() -> datetime:
    hours, minutes = (int(part) for part in os.environ.get("JUXUAN_TEST_CLOCK", "10:00").split(":"))
    return datetime.combine(TEST_DAY, dtime(hours, minutes), tzinfo=clock.zone())


clock.pin(pinned_moment())  # before the test modules are imported: their module-level "today"


@pytest.fixture(autouse=True)
def project_clock():
    """Every test starts at the pinned moment; the clock then runs on in real time."""
    clock.pin(pinned_moment())
    yield
    clock.pin(pinned_moment())

# Argon2id with its production cost (64 MiB, 3 passes) makes every test user cost tens of
# milliseconds, seconds under load. Tests keep the algorithm and lower the cost; the
# production parameters are argon2-cffi's defaults, set in election.accounts.service.
accounts_service._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "correct-horse-9"
# One Fernet key for the run: the app and the services under test must agree on it.
DATA_KEY = Fernet.generate_key().decode("ascii")


def pytest_report_header(config) -> str:
    return f"juxuan database lane: {'postgresql' if PG_URL else 'sqlite'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if not PG_URL:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'juxuan-test.db'}"
        return
    # A database of our own: parallel runs on one server never see each other's rows.
    with own_pg_database("juxuan_t_") as url:
        yield url


@contextmanager
def own_pg_database(prefix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database on the lane's server, dropped afterwards."""
    name = f"{prefix}{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def schema(database_url: str) -> str:
    engine = make_engine(database_url)
    Base.metadata.create_all(engine)
    engine.dispose()
    return database_url


def empty_all_tables(engine) -> None:
    tables = [t.name for t in Base.metadata.sorted_tables]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            # A session a test forgot to close would block TRUNCATE forever: fail instead.
            conn.execute(text("SET LOCAL lock_timeout = '20s'"))
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture
def app(schema: str, tmp_path):
    app = create_app({
        "DATABASE_URL": schema,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "test-" + uuid.uuid4().hex,
        "TESTING": True,
        "DATA_KEY": DATA_KEY,
    })
    yield app
    engine = app.extensions["juxuan.engine"]
    empty_all_tables(engine)
    engine.dispose()


@pytest.fixture
def db(app):
    session = app.extensions["juxuan.sessions"]()
    yield session
    session.close()


CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, url: str = "/login") -> str:
    match = CSRF.search(client.get(url).get_data(as_text=True))
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def login(client, username: str, password: str = PASSWORD):
    token = csrf_token(client)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def finish_job(client, response, polls: list | None = None) -> str:
    """Follow a job's progress page (election/web/jobs.py) until the job is over, as the
    page's script does; returns the finished page. ``polls`` collects each progress answer."""
    assert response.status_code == 302, response.status_code
    url = response.headers["Location"]
    assert "/jobs/" in url, url
    for _ in range(1200):
        state = client.get(url + "/progress").get_json()
        if polls is not None:
            polls.append(state)
        if state["state"] != "running":
            break
        time.sleep(0.05)
    return client.get(url).get_data(as_text=True)


@pytest.fixture
def world(db):
    """Two communities, each with an election and a user for every role."""
    out: dict = {}
    for key, name, street in (("a", "甲社区", "东街道"), ("b", "乙社区", "西街道")):
        community = create_community(db, name, street, 400)
        election = create_election(db, "test", community, ElectionDraft(
            title=f"{name}换届选举", election_day=clock.today() + timedelta(days=40),
            method="direct", preset="national",
            jwh_deputies=1, jwh_members=3, jdw_deputies=0, jdw_members=2,
        ), DATA_KEY)
        users = {}
        for role in ("street_admin", "committee", "clerk", "counter", "scrutineer", "auditor"):
            users[role] = create_user(db, f"{key}_{role}", PASSWORD, role, community=community)
        out[key] = {"community": community, "election": election, "users": users}
    db.commit()
    return out


@pytest.fixture
def fresh_url(tmp_path):
    """An empty database of the lane's kind: a new SQLite file, or a new PostgreSQL database."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    with own_pg_database("juxuan_r_") as url:
        yield url
