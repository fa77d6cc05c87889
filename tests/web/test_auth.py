"""Login, logout and CSRF through the real forms."""
from __future__ import annotations

from tests.conftest import PASSWORD, csrf_token, login


def test_login_page_is_chinese_by_default(app):
    page = app.test_client().get("/login").get_data(as_text=True)
    assert "登录居选" in page and 'lang="zh-CN"' in page


def test_login_page_in_english_on_request(app):
    page = app.test_client().get("/login?lang=en").get_data(as_text=True)
    assert "Sign in to Juxuan" in page and 'lang="en"' in page


def test_login_then_home_lists_own_community(app, world):
    client = app.test_client()
    response = login(client, "a_committee")
    assert response.status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "甲社区" in home and "乙社区" not in home


def test_wrong_password_is_refused_in_chinese(app, world):
    client = app.test_client()
    response = login(client, "a_committee", "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still signed out


def test_post_without_csrf_token_is_refused(app, world):
    """Must show 4: a form post without its CSRF token is refused (400), nothing changes."""
    client = app.test_client()
    response = client.post("/login", data={"username": "a_committee", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302
    login(client, "a_street_admin")
    response = client.post("/communities/new", data={"name": "丙社区", "street_office": "东街道", "households": "5"})
    assert response.status_code == 400
    assert "丙社区" not in client.get("/").get_data(as_text=True)


def test_logout_needs_post_with_token(app, world):
    client = app.test_client()
    login(client, "a_clerk")
    assert client.get("/logout").status_code == 405
    token = csrf_token(client, "/")
    client.post("/logout", data={"csrf_token": token})
    assert client.get("/").status_code == 302


def test_open_redirect_after_login_is_ignored(app, world):
    client = app.test_client()
    token = csrf_token(client)
    response = client.post("/login?next=https://evil.example/", data={
        "username": "a_clerk", "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/"
