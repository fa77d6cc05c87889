"""Login and logout (Flask-Login), with the CSRF-protected login form."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from ..accounts.service import Throttle, Throttled, account_of, authenticate, change_password, end_sessions
from ..errors import UserError
from .access import public, roles
from .db import get_db
from .feedback import refuse
from .security import start_session

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(message=_l("请填写用户名"))])
    password = PasswordField(_l("密码"), validators=[DataRequired(message=_l("请填写密码"))])


def _safe_next(target: str | None) -> str:
    # Only same-site paths: an open redirect after login is a phishing aid.
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    form = LoginForm()
    status = 200 if not form.errors else 400
    if form.validate_on_submit():
        db = get_db()
        try:
            user = authenticate(db, form.username.data.strip(), form.password.data, request.remote_addr or "",
                                _throttle())
        except Throttled as error:
            db.rollback()
            flash(error.messages[0], "error")
            return render_template("auth/login.html", form=form), 429
        db.commit()
        if user is not None:
            session.clear()  # nothing of an earlier visitor's session carries over
            login_user(user)
            start_session()
            return redirect(_safe_next(request.args.get("next")))
        flash(_("用户名或密码不正确。"), "error")

    return render_template("auth/login.html", form=form), status


def _throttle() -> Throttle:
    config = current_app.config
    return Throttle(per_account=int(config.get("LOGIN_MAX_FAILURES", 10)),
                    per_address=int(config.get("LOGIN_MAX_FAILURES_PER_ADDRESS", 50)),
                    window=timedelta(minutes=config.get("LOGIN_WINDOW_MINUTES", 15)))


@bp.route("/logout", methods=["POST"])
@roles()
def logout():
    # Ends every session of this user, everywhere: a copied cookie is worthless now.
    db = get_db()
    end_sessions(db, current_user.id)
    db.commit()
    logout_user()
    session.clear()
    flash(_("已退出登录。"), "info")
    return redirect(url_for("auth.login"))


class PasswordForm(FlaskForm):
    current = PasswordField(_l("当前密码"), validators=[DataRequired(message=_l("请填写当前密码"))])
    new = PasswordField(_l("新密码"), validators=[DataRequired(message=_l("请填写新密码"))])
    again = PasswordField(_l("再次输入新密码"), validators=[DataRequired(message=_l("请再次输入新密码"))])


@bp.route("/account/password", methods=["GET", "POST"])
@roles()
def password():
    """Change one's own password; every session of the user ends, this one too."""
    form = PasswordForm()
    if form.validate_on_submit():
        if form.new.data != form.again.data:
            flash(_("两次输入的新密码不一致。"), "error")
        else:
            db = get_db()
            try:
                change_password(db, account_of(db, current_user.id), form.current.data, form.new.data)
                db.commit()
            except UserError as error:
                db.rollback()
                refuse(error)
            else:
                logout_user()
                session.clear()
                flash(_("密码已修改，所有设备上的登录均已结束，请用新密码登录。"), "info")
                return redirect(url_for("auth.login"))
    return render_template("auth/password.html", form=form), (200 if not form.errors else 400)
