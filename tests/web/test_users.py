"""User management by the street administrator through the pages: create, role, reset
password, disable and enable, only within the administrator's street office, every change
recorded; refusals in Chinese leave the database as it was."""
from __future__ import annotations

from sqlalchemy import select

from election.models import AccountChange, User
from tests.conftest import PASSWORD, csrf_token, login

NEW_PASSWORD = "violet-harbour-42"


def _admin(app):
    client = app.test_client()
    login(client, "a_street_admin")
    return client


def _create(client, world, **overrides):
    data = {"username": "desk_wang", "display_name": "王发票", "role": "clerk",
            "community": str(world["a"]["community"].id), "password": NEW_PASSWORD,
            "csrf_token": csrf_token(client, "/users")}
    data.update(overrides)
    return client.post("/users", data=data)


def test_admin_creates_a_user_of_own_community_who_can_log_in(app, world, db):
    client = _admin(app)
    page = client.get("/users").get_data(as_text=True)
    table = page.split('id="users"')[1].split("</table>")[0]
    assert "a_clerk" in table and "b_clerk" not in table and "a_street_admin" not in table
    assert _create(client, world).status_code == 302
    user = db.scalar(select(User).where(User.username == "desk_wang"))
    assert user.role == "clerk" and user.community_id == world["a"]["community"].id
    change = db.scalar(select(AccountChange).where(AccountChange.username == "desk_wang"))
    assert change.kind == "accounts.user_created" and change.actor == "a_street_admin"
    assert change.street_office == "东街道"
    other = app.test_client()
    assert login(other, "desk_wang", NEW_PASSWORD).status_code == 302
    assert "甲社区" in other.get("/").get_data(as_text=True)


def test_a_community_of_another_street_is_refused(app, world, db):
    client = _admin(app)
    response = _create(client, world, community=str(world["b"]["community"].id))
    assert response.status_code == 400  # not one of the form's choices
    assert db.scalar(select(User).where(User.username == "desk_wang")) is None


def test_weak_password_and_taken_name_refused_in_chinese(app, world, db):
    client = _admin(app)
    page = _create(client, world, password="12345678").get_data(as_text=True)
    assert "密码太容易被猜中" in page
    page = _create(client, world, username="a_clerk").get_data(as_text=True)
    assert "用户名“a_clerk”已存在" in page
    page = _create(client, world, role="committee", community="").get_data(as_text=True)
    assert "须属于本街道（东街道）的一个社区" in page
    assert db.scalar(select(User).where(User.username == "desk_wang")) is None
    assert db.scalars(select(AccountChange)).all() == []


def test_street_admin_role_cannot_be_given(app, world):
    client = _admin(app)
    assert _create(client, world, role="street_admin").status_code == 400


def test_role_change_reset_and_disable_end_the_users_sessions(app, world, db):
    clerk = world["a"]["users"]["clerk"]
    victim = app.test_client()
    login(victim, "a_clerk")
    assert victim.get("/").status_code == 200
    client = _admin(app)
    url = f"/users/{clerk.id}"
    response = client.post(url + "/role", data={"role": "counter", "community": str(world["a"]["community"].id),
                                                "csrf_token": csrf_token(client, url)})
    assert response.status_code == 302
    assert victim.get("/").status_code == 302  # signed out by the change
    db.rollback()  # a fresh snapshot of what the pages wrote
    db.expire_all()
    assert db.get(User, clerk.id).role == "counter"

    page = client.post(url + "/password", data={"password": NEW_PASSWORD, "again": "other-thing-99",
                                                "csrf_token": csrf_token(client, url)}, follow_redirects=True)
    assert "两次输入的新密码不一致" in page.get_data(as_text=True)
    client.post(url + "/password", data={"password": NEW_PASSWORD, "again": NEW_PASSWORD,
                                         "csrf_token": csrf_token(client, url)})
    assert login(app.test_client(), "a_clerk", PASSWORD).status_code == 200  # old password refused
    assert login(app.test_client(), "a_clerk", NEW_PASSWORD).status_code == 302

    page = client.post(url + "/status", data={"reason": "", "csrf_token": csrf_token(client, url)},
                       follow_redirects=True).get_data(as_text=True)
    assert "停用用户须填写原因" in page
    client.post(url + "/status", data={"reason": "已调离", "csrf_token": csrf_token(client, url)})
    assert login(app.test_client(), "a_clerk", NEW_PASSWORD).status_code == 200  # disabled: refused
    client.post(url + "/status", data={"csrf_token": csrf_token(client, url)})
    assert login(app.test_client(), "a_clerk", NEW_PASSWORD).status_code == 302

    db.rollback()
    kinds = [c.kind for c in db.scalars(select(AccountChange).order_by(AccountChange.id))]
    assert kinds == ["accounts.role_changed", "accounts.password_reset", "accounts.user_disabled",
                     "accounts.user_enabled"]
    page = client.get("/users").get_data(as_text=True)
    assert "发票员，甲社区 → 计票员，甲社区" in page and "已调离" in page
    assert NEW_PASSWORD not in page


def test_other_streets_users_self_and_other_roles_answer_404_or_403(app, world):
    client = _admin(app)
    assert client.get(f"/users/{world['b']['users']['clerk'].id}").status_code == 404
    assert client.get(f"/users/{world['a']['users']['street_admin'].id}").status_code == 404
    assert client.get(f"/users/{world['a']['users']['auditor'].id}").status_code == 200
    committee = app.test_client()
    login(committee, "a_committee")
    assert committee.get("/users").status_code == 403


def test_user_pages_in_english(app, world):
    client = _admin(app)
    page = client.get("/users?lang=en").get_data(as_text=True)
    assert "User management" in page and "用户管理" not in page
