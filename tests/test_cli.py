"""The `juxuan` command line: init-db, create-user, demo, bilingual help."""
from __future__ import annotations

from sqlalchemy import func, select

from election.cli import main
from election.models import Community, Election, User


def run(app, *args: str, input: str | None = None):
    return app.test_cli_runner().invoke(main, list(args), input=input)


def test_help_is_bilingual(app):
    result = app.test_cli_runner().invoke(main, ["demo", "--help"])
    assert "示范社区" in result.output and "demo community" in result.output


def test_demo_creates_a_user_for_every_role_and_prints_logins(app, db):
    result = run(app, "demo", "--households", "120")
    assert result.exit_code == 0, result.output
    roles = set(db.scalars(select(User.role)))
    assert roles == {"street_admin", "committee", "clerk", "counter", "scrutineer", "auditor"}
    assert "juxuan-demo" in result.output and "committee" in result.output
    # The rehearsal command with the demo's own election day (README: polling day before the day).
    day = db.scalar(select(Election.election_day))
    assert f"JUXUAN_CLOCK_AT={day.isoformat()}T08:00+08:00 make run" in result.output
    again = run(app, "demo", "--if-empty")
    assert "不再建立示范社区" in again.output
    assert db.scalar(select(func.count(Community.id))) == 1


def test_create_user_refuses_bad_role_scope(app, db):
    result = run(app, "create-user", "--username", "clerk9", "--role", "clerk", "--password", "longenough1")
    assert result.exit_code == 1
    assert "须指定所属社区" in result.output
    assert db.scalar(select(func.count(User.id))) == 0
