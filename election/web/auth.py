"""Login and logout (Flask-Login), with the CSRF-protected login form."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from ..accounts.service import authenticate
from .access import public, roles
from .db import get_db

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
    if form.validate_on_submit():
        db = get_db()
        user = authenticate(db, form.username.data.strip(), form.password.data)
        db.commit()
        if user is not None:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        flash(_("用户名或密码不正确。"), "error")
    return render_template("auth/login.html", form=form), (200 if not form.errors else 400)


@bp.route("/logout", methods=["POST"])
@roles()
def logout():
    logout_user()
    flash(_("已退出登录。"), "info")
    return redirect(url_for("auth.login"))
