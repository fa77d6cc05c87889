"""Creating users and checking passwords. Argon2id (memory-hard) via argon2-cffi."""
from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import UserError
from ..models import ROLES, STREET_ROLES, Community, User

_hasher = PasswordHasher()
_USERNAME = re.compile(r"^[A-Za-z0-9_.-]{3,80}$")
MIN_PASSWORD = 8


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def create_user(
    db: Session,
    username: str,
    password: str,
    role: str,
    display_name: str = "",
    community: Community | None = None,
    street_office: str | None = None,
) -> User:
    problems = []
    if not _USERNAME.match(username or ""):
        problems.append("用户名须为 3–80 个字母、数字或 _ . - 字符")
    elif db.scalar(select(User.id).where(User.username == username)):
        problems.append(f"用户名“{username}”已存在")
    if len(password or "") < MIN_PASSWORD:
        problems.append(f"密码至少 {MIN_PASSWORD} 位")
    if role not in ROLES:
        problems.append(f"角色“{role}”不存在，可选：{'、'.join(ROLES)}")
    elif role in STREET_ROLES:
        street_office = street_office or (community.street_office if community else None)
        if not street_office:
            problems.append(f"{ROLES[role]}须指定所属街道办事处")
    elif community is None:
        problems.append(f"{ROLES[role]}须指定所属社区")
    if problems:
        raise UserError(*problems)
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=hash_password(password),
        role=role,
        community_id=None if role in STREET_ROLES else community.id,
        street_office=street_office if role in STREET_ROLES else None,
    )
    db.add(user)
    db.flush()
    return user


def authenticate(db: Session, username: str, password: str) -> User | None:
    user = db.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        # Spend the same work on unknown names so timing does not reveal which exist.
        _hasher.hash(password or "")
        return None
    try:
        _hasher.verify(user.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def can_see(user: User, community: Community) -> bool:
    if user.role in STREET_ROLES:
        return community.street_office == user.street_office
    return user.community_id == community.id
