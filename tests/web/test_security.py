"""Sessions that end, login throttling, the password policy, security headers, the size
limit's error page, logs without codes, and limits shared by processes (issue 17)."""
from __future__ import annotations

import logging

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from election import logs
from election.accounts import service as accounts
from election.accounts.service import change_password, create_user, password_problems
from election.app import create_app
from election.errors import UserError
from election.models import LoginFailure, User
from election.protocol import codes
from election.web import security
from tests.conftest import DATA_KEY, PASSWORD, csrf_token, login


def _cookie(client) -> str:
    return client.get_cookie("session").value


def _client_with(app, cookie: str):
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other


def test_old_cookie_fails_after_logout(app, world):
    client = app.test_client()
    assert login(client, "a_committee").status_code == 302
    stolen = _cookie(client)
    assert _client_with(app, stolen).get("/").status_code == 200  # the copy works while logged in
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert client.get("/").status_code == 302
    replay = _client_with(app, stolen).get("/")
    assert replay.status_code == 302 and "/login" in replay.headers["Location"]


def test_logout_ends_every_session_of_the_user(app, world):
    desk1, desk2 = app.test_client(), app.test_client()
    login(desk1, "a_clerk")
    login(desk2, "a_clerk")
    desk1.post("/logout", data={"csrf_token": csrf_token(desk1, "/")})
    assert desk2.get("/").status_code == 302


def test_password_change_ends_sessions_and_checks_policy(app, db, world):
    phone, laptop = app.test_client(), app.test_client()
    login(phone, "a_committee")
    login(laptop, "a_committee")
    token = csrf_token(laptop, "/account/password")
    weak = laptop.post("/account/password", data={"csrf_token": token, "current": PASSWORD,
                                                   "new": "12345678", "again": "12345678"})
    assert weak.status_code == 200 and "太容易被猜中" in weak.get_data(as_text=True)
    assert phone.get("/").status_code == 200  # a refused change ends nothing
    done = laptop.post("/account/password", data={"csrf_token": token, "current": PASSWORD,
                                                   "new": "amber-lantern-47", "again": "amber-lantern-47"})
    assert done.status_code == 302
    assert phone.get("/").status_code == 302 and laptop.get("/").status_code == 302
    assert login(app.test_client(), "a_committee").status_code == 200  # the old password is gone
    assert login(app.test_client(), "a_committee", "amber-lantern-47").status_code == 302


def test_idle_timeout_and_absolute_lifetime(app, world, monkeypatch):
    t = [1_000_000.0]
    monkeypatch.setattr(security, "now", lambda: t[0])
    app.config.update(SESSION_IDLE_MINUTES=30, SESSION_MAX_HOURS=2.5)
    client = app.test_client()
    login(client, "a_committee")
    for _ in range(5):  # active every 29 minutes: the idle limit never strikes...
        t[0] += 29 * 60
        assert client.get("/").status_code == 200
    t[0] += 29 * 60  # ...but 2 h 54 min after login the 2.5-hour lifetime does
    expired = client.get("/")
    assert expired.status_code == 302 and "/login" in expired.headers["Location"]
    login(client, "a_committee")
    t[0] += 31 * 60
    assert client.get("/").status_code == 302  # idle for 31 minutes


def test_session_cookie_is_secure_when_configured(schema, tmp_path, world):
    app = create_app({"DATABASE_URL": schema, "INSTANCE_PATH": str(tmp_path / "i"), "SECRET_KEY": "s",
                      "DATA_KEY": DATA_KEY, "SESSION_COOKIE_SECURE": True, "TESTING": True})
    client = app.test_client()
    response = login(client, "a_committee")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "max-age=31536000" in client.get("/login").headers["Strict-Transport-Security"]


def test_security_headers_on_every_kind_of_response(app, world):
    client = app.test_client()
    login(client, "a_committee")
    election = world["a"]["election"]
    for url in ("/", "/login", "/r", f"/e/{election.id}/result", "/no-such-page", "/healthz"):
        response = client.get(url)
        csp = response.headers.get("Content-Security-Policy", "")
        assert "frame-ancestors 'none'" in csp and "script-src 'self' 'nonce-" in csp, url
        assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0], url
        assert response.headers["X-Frame-Options"] == "DENY", url
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        assert response.headers["Referrer-Policy"] == "no-referrer", url


def test_inline_scripts_carry_the_responses_nonce(app, db, world):
    from tests.counting.builder import build

    election = world["a"]["election"]
    build(db, election, DATA_KEY, voters=12, papers=2)
    client = app.test_client()
    login(client, "a_committee")
    response = client.get(f"/elections/{election.id}/counting/1/projector")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    nonce = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in html and "onclick=" not in html


class CountingHasher(PasswordHasher):
    calls = 0

    def verify(self, hash, password):  # noqa: A002 - argon2's signature
        CountingHasher.calls += 1
        return super().verify(hash, password)

    def hash(self, password, *, salt=None):
        CountingHasher.calls += 1
        return super().hash(password, salt=salt)


def test_eleventh_wrong_password_refused_without_hashing(app, db, world, monkeypatch):
    monkeypatch.setattr(accounts, "_hasher", CountingHasher(time_cost=1, memory_cost=8, parallelism=1))
    CountingHasher.calls = 0
    client = app.test_client()
    for n in range(10):
        answer = login(client, "a_committee", f"wrong-{n}")
        assert answer.status_code == 200 and "用户名或密码不正确" in answer.get_data(as_text=True)
    assert CountingHasher.calls == 10
    eleventh = login(client, "a_committee", "wrong-10")
    assert eleventh.status_code == 429
    assert "密码错误已达 10 次" in eleventh.get_data(as_text=True)
    assert CountingHasher.calls == 10  # refused before the hasher was asked
    right = login(client, "a_committee")  # even the right password waits out the window
    assert right.status_code == 429 and CountingHasher.calls == 10
    # Another account from another address is not held up by this one.
    assert login(app.test_client(), "a_clerk").status_code == 302


def test_address_throttle_and_shared_count(app, db, world, schema, tmp_path):
    app.config.update(LOGIN_MAX_FAILURES_PER_ADDRESS=12)
    # A second app on the same database stands for another gunicorn worker.
    other = create_app({"DATABASE_URL": schema, "INSTANCE_PATH": str(tmp_path / "w2"), "SECRET_KEY": "x",
                        "DATA_KEY": DATA_KEY, "TESTING": True, "LOGIN_MAX_FAILURES_PER_ADDRESS": 12})
    statuses = []
    for n in range(14):
        worker = app if n % 2 else other
        client = worker.test_client()
        statuses.append(login(client, f"user{n}", "nope-nope-1").status_code)
    assert statuses[:12] == [200] * 12 and statuses[12:] == [429, 429]
    db.rollback()
    assert db.scalar(select(func.count()).select_from(LoginFailure)) == 12
    other.extensions["juxuan.engine"].dispose()


def test_successful_login_clears_the_accounts_failures(app, db, world):
    client = app.test_client()
    for _ in range(3):
        login(client, "a_clerk", "wrong-wrong")
    assert login(client, "a_clerk").status_code == 302
    db.rollback()
    assert db.scalar(select(func.count()).select_from(LoginFailure).where(LoginFailure.username == "a_clerk")) == 0


@pytest.mark.parametrize("password,why", [
    ("12345678", "太容易被猜中"), ("password", "太容易被猜中"), ("qwertyuiop", "太容易被猜中"),
    ("Password1", "太容易被猜中"), ("a_committee2026", "不能包含用户名"), ("short", "至少 8 位"),
    ("x" * 200, "最多 128 位"),
])
def test_password_policy_refuses_common_and_username_like(db, world, password, why):
    with pytest.raises(UserError) as info:
        create_user(db, "a_committee2", password, "committee", community=world["a"]["community"]) if why != "不能包含用户名" \
            else create_user(db, "a_committee", password, "committee", community=world["a"]["community"])
    assert any(why in m for m in info.value.messages), info.value.messages
    assert password_problems("amber-lantern-47", "a_committee") == []


def test_change_password_service_moves_the_generation(db, world):
    user = world["a"]["users"]["committee"]
    before = user.session_generation
    with pytest.raises(UserError, match="当前密码不正确"):
        change_password(db, user, "not-it", "amber-lantern-47")
    change_password(db, user, PASSWORD, "amber-lantern-47")
    db.commit()
    assert db.get(User, user.id).session_generation == before + 1


def test_request_over_the_size_limit_gets_the_chinese_page(app, world):
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    client = app.test_client()
    login(client, "a_committee")
    election = world["a"]["election"]
    response = client.post(f"/elections/{election.id}/roll/import", data=b"x" * (2 * 1024 * 1024),
                           content_type="application/octet-stream")
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "太大" in html and "1 MB" in html


def test_receipt_limit_is_shared_by_processes_and_sees_through_a_trusted_proxy(app, db, world, schema, tmp_path):
    app.config.update(RECEIPT_LOOKUP_RATE=0.0, RECEIPT_LOOKUP_BURST=4)
    other = create_app({"DATABASE_URL": schema, "INSTANCE_PATH": str(tmp_path / "w3"), "SECRET_KEY": "y",
                        "DATA_KEY": DATA_KEY, "TESTING": True, "RECEIPT_LOOKUP_RATE": 0.0,
                        "RECEIPT_LOOKUP_BURST": 4, "TRUSTED_PROXIES": 1})
    never = "/r/" + codes.human(codes.new_code())
    env = {"REMOTE_ADDR": "10.9.9.9"}
    statuses = [(app if n % 2 else other).test_client().get(never, environ_base=env).status_code for n in range(6)]
    assert statuses == [200, 200, 200, 200, 429, 429]  # one limit over two "workers"
    # Behind the trusted proxy each resident has a limit of their own...
    proxied = other.test_client()
    assert proxied.get(never, environ_base=env, headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 200
    # ...while an app that trusts no proxy ignores a forged header.
    forged = app.test_client().get(never, environ_base=env, headers={"X-Forwarded-For": "203.0.113.8"})
    assert forged.status_code == 429
    other.extensions["juxuan.engine"].dispose()


def test_log_filter_removes_receipt_codes_and_searches(app, world, caplog):
    code = codes.human(codes.new_code())
    assert logs.scrub(f'127.0.0.1 - "GET /r/{code} HTTP/1.1" 200') == '127.0.0.1 - "GET /r/… HTTP/1.1" 200'
    assert logs.scrub("GET /R/" + code.replace("-", "")) == "GET /R/…"
    assert logs.scrub('"GET /elections/1/polling/desks/2?q=张建国&scan=C1V00001 HTTP/1.1"') == \
        '"GET /elections/1/polling/desks/2?… HTTP/1.1"'
    logger = logging.getLogger("werkzeug")
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logger.info('%s - "GET /r/%s HTTP/1.1" %s', "10.0.0.1", code, 200)
        logger.info('"GET /polling/desks/1?q=%s HTTP/1.1"', "王秀英")
    text = caplog.text
    assert code not in text and "王秀英" not in text and "/r/…" in text


def test_gunicorn_access_log_holds_no_code():
    from types import SimpleNamespace

    from gunicorn.config import Config

    code = codes.human(codes.new_code())
    cfg = Config()
    cfg.set("logger_class", "election.logs.AccessLogger")
    logger = logs.AccessLogger(cfg)
    req = SimpleNamespace(method="GET", path=f"/r/{code}", query="", uri=f"/r/{code}?x=1", version=(1, 1),
                          headers=[("REFERER", f"http://127.0.0.1/r/{code}")])
    resp = SimpleNamespace(status="200 OK", response_length=10, sent=10, headers=[])
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": f"/r/{code}?q=张三", "PATH_INFO": f"/r/{code}",
               "QUERY_STRING": "q=张三", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.0.0.3",
               "HTTP_REFERER": f"http://127.0.0.1/r/{code}"}
    from datetime import timedelta
    atoms = logger.atoms(resp, req, environ, timedelta(seconds=0.01))
    line = '{h} "{r}" {U} {q} {f}'.format(**atoms)
    assert code not in line and "张三" not in line, line
