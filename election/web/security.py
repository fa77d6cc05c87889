"""What every response and every session gets: security headers, session lifetimes and
revocation, and the client's address behind a trusted reverse proxy.

- Headers on every response: a Content-Security-Policy that allows only this site's own
  scripts (inline scripts carry the request's nonce, `csp_nonce()` in templates), no
  framing (``frame-ancestors 'none'`` and X-Frame-Options DENY), nosniff, and
  Referrer-Policy ``no-referrer`` so a receipt URL never travels in a Referer header.
- Sessions: the cookie names the user and the session generation it was issued under
  (User.get_id); logging out or changing the password moves the generation on in the
  database, so every earlier cookie of that user fails in every process. A session also
  ends after SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS after login.
- ``JUXUAN_TRUSTED_PROXIES=N`` believes the last N X-Forwarded-For/-Proto hops (werkzeug's
  ProxyFix), so rate limits and login throttles see the resident's address, not the proxy's.
"""
from __future__ import annotations

import secrets

from flask import Flask, Response, flash, g, request, session
from flask_babel import gettext as _
from werkzeug.middleware.proxy_fix import ProxyFix

from .. import clock

LOGIN_AT, SEEN_AT = "_jx_login_at", "_jx_seen_at"


def now() -> float:
    """Seconds since the epoch on the project clock (tests move it instead of waiting)."""
    return clock.now().timestamp()


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def start_session() -> None:
    """Called right after login_user: the session's clock starts now."""
    session.permanent = True
    session[LOGIN_AT] = session[SEEN_AT] = int(now())


def _expired(app: Flask) -> bool:
    t = now()
    login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
    if not isinstance(login_at, int) or not isinstance(seen_at, int):
        return True  # a cookie from before these limits, or forged without them
    return (t - login_at > app.config["SESSION_MAX_HOURS"] * 3600
            or t - seen_at > app.config["SESSION_IDLE_MINUTES"] * 60)


def init_security(app: Flask) -> None:
    proxies = int(app.config.get("TRUSTED_PROXIES", 0) or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=0)  # type: ignore[method-assign]
    app.config["PERMANENT_SESSION_LIFETIME"] = int(app.config["SESSION_MAX_HOURS"] * 3600)
    # The cookie is signed again only when the session changed (SEEN_AT moves every 30 s
    # at most): Flask would otherwise re-sign and re-send a permanent session's cookie on
    # every request to push its expiry on, which the server-side limits below make moot
    # (the cookie set at login expires SESSION_MAX_HOURS later, the login's own limit).
    app.config["SESSION_REFRESH_EACH_REQUEST"] = False
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.before_request
    def _no_nul():
        # A NUL byte is in no name or text; PostgreSQL cannot even compare one (DataError).
        values = list(request.args.values()) + (list(request.form.values()) if request.method == "POST" else [])
        if any("\x00" in v for v in values):
            from flask import render_template

            return render_template("error.html", code=400,
                                   message=_("提交的内容含有空字符（U+0000），不允许使用，请删除后重试。")), 400
        return None

    @app.before_request
    def _session_limits():
        if "_user_id" not in session or request.endpoint == "static":
            return None
        if _expired(app):
            # Signed out; a page that needs a login sends the user to it as usual.
            session.clear()
            flash(_("登录已超时，请重新登录。"), "info")
            return None
        t = int(now())
        if t - session[SEEN_AT] >= 30:  # no new cookie on every request
            session[SEEN_AT] = t
        return None

    @app.after_request
    def _headers(response: Response) -> Response:
        nonce = csp_nonce()
        response.headers.setdefault("Content-Security-Policy", (
            "default-src 'self'; "
            f"script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; "
            "style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data: blob:; "
            "connect-src 'self'; "
            "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
        ))
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
