"""User management by a street administrator: create a user, change a user's role, reset a
password, disable or enable a user — only the users of the administrator's own street
office (its communities' users and its auditors). Every change is written to
``account_change`` and to the ``election.accounts`` log, and a password reset or a
disabling ends every session of the user at once.

Another street administrator is never managed here (that is `juxuan create-user`'s work,
done by whoever runs the server), nor the administrator's own account.
"""
from __future__ import annotations

import logging

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..db import begin_write
from ..errors import UserError
from ..models import ROLES, STREET_ROLES, AccountChange, Community, User
from .service import create_user, end_sessions, password_problems, store_password

log = logging.getLogger("election.accounts")

# The roles a street administrator may give: the community roles and the street's auditor.
MANAGED_ROLES = {role: label for role, label in ROLES.items() if role != "street_admin"}
CHANGE_LABELS = {
    "accounts.user_created": "建立用户",
    "accounts.role_changed": "修改角色",
    "accounts.password_reset": "重置密码",
    "accounts.user_disabled": "停用",
    "accounts.user_enabled": "启用",
}


def _office(admin: User) -> str:
    if admin.role != "street_admin" or not admin.street_office:
        raise UserError("只有街道管理员可以管理用户")
    return admin.street_office


def own_communities(db: Session, admin: User) -> list[Community]:
    """The communities of the administrator's street office, by name."""
    return list(db.scalars(select(Community).where(Community.street_office == _office(admin))
                           .order_by(Community.name)))


def managed_users(db: Session, admin: User) -> list[User]:
    """The users the administrator manages: of the street office's communities, and its auditors."""
    office = _office(admin)
    communities = select(Community.id).where(Community.street_office == office)
    return list(db.scalars(
        select(User).where(or_(User.community_id.in_(communities),
                               (User.role == "auditor") & (User.street_office == office)))
        .order_by(User.community_id, User.username)))


def managed_user(db: Session, admin: User, user_id: int) -> User | None:
    """The user when the administrator manages them; None otherwise (the page answers 404)."""
    user = db.get(User, user_id)
    if user is None or user.id == admin.id:
        return None
    return user if any(u.id == user.id for u in managed_users(db, admin)) else None


def changes(db: Session, admin: User, limit: int = 50) -> list[AccountChange]:
    """The street office's latest account changes, newest first."""
    return list(db.scalars(select(AccountChange).where(AccountChange.street_office == _office(admin))
                           .order_by(AccountChange.id.desc()).limit(limit)))


def _record(db: Session, admin: User, user: User, kind: str, detail: str) -> None:
    db.add(AccountChange(actor=admin.username, username=user.username, kind=kind, detail=detail,
                         street_office=_office(admin)))
    db.flush()
    # The log line names who did what to whom, never a password.
    log.info("%s by %s: %s (%s)", kind, admin.username, user.username, detail)


def _scope(db: Session, admin: User, role: str, community_id: int | None) -> Community | None:
    """The community a user of ``role`` belongs to, checked against the administrator's own."""
    if role not in MANAGED_ROLES:
        raise UserError(f"角色“{ROLES.get(role, role)}”不能在此设置，可选：{'、'.join(MANAGED_ROLES.values())}")
    if role in STREET_ROLES:
        return None
    community = db.get(Community, community_id) if community_id else None
    if community is None or community.street_office != _office(admin):
        raise UserError(f"{ROLES[role]}须属于本街道（{_office(admin)}）的一个社区，请选择社区")
    return community


def _where(user: User, community: Community | None) -> str:
    return community.name if community is not None else (user.street_office or "")


def create(db: Session, admin: User, username: str, display_name: str, role: str,
           community_id: int | None, password: str) -> User:
    """A new user of the administrator's street office (an auditor) or of one of its communities."""
    community = _scope(db, admin, role, community_id)
    begin_write(db)
    user = create_user(db, (username or "").strip(), password, role, (display_name or "").strip(),
                       community, _office(admin) if role in STREET_ROLES else None)
    _record(db, admin, user, "accounts.user_created", f"{ROLES[role]}，{_where(user, community)}")
    return user


def set_role(db: Session, admin: User, user: User, role: str, community_id: int | None) -> None:
    """Give a managed user another role (and, for a community role, the community)."""
    community = _scope(db, admin, role, community_id)
    before = f"{user.role_label}，{_where(user, db.get(Community, user.community_id) if user.community_id else None)}"
    after = f"{ROLES[role]}，{_where(user, community)}"
    if before == after:
        raise UserError(f"用户“{user.username}”已是{after}，没有变化")
    begin_write(db)
    user.role = role
    user.community_id = community.id if community is not None else None
    user.street_office = _office(admin) if role in STREET_ROLES else None
    # A changed role takes effect now, not at the user's next login.
    end_sessions(db, user.id)
    _record(db, admin, user, "accounts.role_changed", f"{before} → {after}")


def reset_password(db: Session, admin: User, user: User, password: str, again: str) -> None:
    """Set a new password the administrator hands to the user; every session of the user ends."""
    problems = password_problems(password, user.username, user.display_name)
    if password != again:
        problems.append("两次输入的新密码不一致")
    if problems:
        raise UserError(*problems)
    store_password(db, user, password)
    _record(db, admin, user, "accounts.password_reset", "由街道管理员重置")


def set_active(db: Session, admin: User, user: User, active: bool, reason: str = "") -> None:
    """Disable a user (every session ends, login refused) or enable them again."""
    if user.active == active:
        raise UserError(f"用户“{user.username}”已是{'启用' if active else '停用'}状态")
    reason = (reason or "").strip()
    if not active and not reason:
        raise UserError("停用用户须填写原因")
    begin_write(db)
    user.active = active
    if not active:
        end_sessions(db, user.id)
    _record(db, admin, user, "accounts.user_enabled" if active else "accounts.user_disabled", reason[:200])
