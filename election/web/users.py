"""User management pages of the street administrator: the street office's users, a new
user, and one user's role, password and status (election.accounts.manage). A user of
another street office, another street administrator, or oneself answers 404."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired

from ..accounts import manage
from ..errors import UserError
from ..models import User
from .access import roles
from .choices import options
from .db import get_db
from .feedback import form_errors, refuse, submit

bp = Blueprint("users", __name__)


class NewUserForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(message=_l("请填写用户名"))])
    display_name = StringField(_l("姓名"), validators=[DataRequired(message=_l("请填写姓名"))])
    role = SelectField(_l("角色"), choices=options(manage.MANAGED_ROLES))
    community = SelectField(_l("所属社区"), choices=[])
    password = PasswordField(_l("初始密码"), validators=[DataRequired(message=_l("请填写初始密码"))])


class RoleForm(FlaskForm):
    role = SelectField(_l("角色"), choices=options(manage.MANAGED_ROLES))
    community = SelectField(_l("所属社区"), choices=[])


class ResetForm(FlaskForm):
    password = PasswordField(_l("新密码"), validators=[DataRequired(message=_l("请填写新密码"))])
    again = PasswordField(_l("再次输入新密码"), validators=[DataRequired(message=_l("请再次输入新密码"))])


class StatusForm(FlaskForm):
    reason = StringField(_l("停用原因"))


def _community_choices(db) -> list:
    # The first option is "none" for the street's auditor, who belongs to no community.
    return options([("", _("（审计员不属于社区）"))] + [(str(c.id), c.name) for c in manage.own_communities(db, current_user)])


def _community_id(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@bp.route("/users", methods=["GET", "POST"])
@roles("street_admin")
def index():
    db = get_db()
    form = NewUserForm()
    form.community.choices = _community_choices(db)
    if form.validate_on_submit():
        try:
            user = manage.create(db, current_user, form.username.data, form.display_name.data, form.role.data,
                                 _community_id(form.community.data), form.password.data)
            db.commit()
        except UserError as error:
            refuse(error)
        else:
            flash(_("用户“%(name)s”已建立，请将初始密码当面交给本人，并请其登录后修改。", name=user.username), "info")
            return redirect(url_for("users.index"))
    elif form.errors:
        form_errors(form)
    form.password.data = ""
    return render_template("users/index.html", form=form, users=manage.managed_users(db, current_user),
                           communities={c.id: c.name for c in manage.own_communities(db, current_user)},
                           changes=manage.changes(db, current_user), labels=manage.CHANGE_LABELS), (400 if form.errors else 200)


def _managed_or_404(user_id: int) -> User:
    user = manage.managed_user(get_db(), current_user, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users/<int:user_id>", methods=["GET"])
@roles("street_admin")
def user(user_id: int):
    db = get_db()
    target = _managed_or_404(user_id)
    role_form = RoleForm(role=target.role, community=str(target.community_id or ""))
    role_form.community.choices = _community_choices(db)
    return render_template("users/user.html", target=target, role_form=role_form, reset_form=ResetForm(),
                           status_form=StatusForm(),
                           community=next((c.name for c in manage.own_communities(db, current_user)
                                           if c.id == target.community_id), ""))


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@roles("street_admin")
def change_role(user_id: int):
    target = _managed_or_404(user_id)
    form = RoleForm()
    form.community.choices = _community_choices(get_db())
    submit(form, lambda db: manage.set_role(db, current_user, target, form.role.data, _community_id(form.community.data)),
           _("角色已修改，该用户需重新登录。"))
    return redirect(url_for("users.user", user_id=user_id))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@roles("street_admin")
def reset_password(user_id: int):
    target = _managed_or_404(user_id)
    form = ResetForm()
    submit(form, lambda db: manage.reset_password(db, current_user, target, form.password.data, form.again.data),
           _("密码已重置，该用户在所有设备上的登录均已结束；请将新密码当面交给本人。"))
    return redirect(url_for("users.user", user_id=user_id))


@bp.route("/users/<int:user_id>/status", methods=["POST"])
@roles("street_admin")
def change_status(user_id: int):
    target = _managed_or_404(user_id)
    form = StatusForm()
    submit(form, lambda db: manage.set_active(db, current_user, target, not target.active, form.reason.data or ""),
           lambda: _("用户已启用。") if target.active else _("用户已停用，其登录均已结束。"))
    return redirect(url_for("users.user", user_id=user_id))
