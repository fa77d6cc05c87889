"""Creating users, checking passwords and ending sessions. Argon2id (memory-hard) via
argon2-cffi; the password policy asks zxcvbn (its common-password and keyboard-pattern
lists, and the user's own name as a hint); wrong passwords are throttled per account and
per client address through the database, before any hashing, so every app process shares
the count and a flood of guesses cannot saturate the CPU."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session
from zxcvbn import zxcvbn

from ..db import begin_write
from ..errors import UserError
from ..models import ROLES, STREET_ROLES, Community, LoginFailure, SignedIn, User, utcnow

_hasher = PasswordHasher()
_USERNAME = re.compile(r"^[A-Za-z0-9_.-]{3,80}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 128  # Argon2 hashes any length; a megabyte "password" is a CPU attack
MIN_STRENGTH = 3  # zxcvbn's score 0–4: 3 is "safely unguessable" for an online attacker


@dataclass(frozen=True)
class Throttle:
    """How many wrong passwords are allowed within ``window`` before login is refused
    without checking: per account, and per client address (one office behind one address
    has several users, hence the higher number)."""

    per_account: int = 10
    per_address: int = 50
    window: timedelta = timedelta(minutes=15)


def password_problems(password: str, username: str = "", display_name: str = "") -> list[str]:
    """What the password policy finds wrong with a password (empty when it is acceptable)."""
    password = password or ""
    if len(password) < MIN_PASSWORD:
        return [f"密码至少 {MIN_PASSWORD} 位"]
    if len(password) > MAX_PASSWORD:
        return [f"密码最多 {MAX_PASSWORD} 位"]
    lowered = password.lower()
    hints = [h for h in (username, display_name) if h and len(h) >= 3]
    if any(h.lower() in lowered or lowered in h.lower() for h in hints):
        return ["密码不能包含用户名或姓名，也不能是其一部分"]
    if zxcvbn(password, user_inputs=hints)["score"] < MIN_STRENGTH:
        return ["密码太容易被猜中（常见密码、连续数字、键盘顺序或简单变形），请换一个更长、更不规则的密码，例如三个不相关的词加数字"]
    return []


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
    problems += password_problems(password, username, display_name)
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
        community_id=community.id if role not in STREET_ROLES and community is not None else None,
        street_office=street_office if role in STREET_ROLES else None,
    )
    db.add(user)
    db.flush()
    return user


class Throttled(UserError):
    """Too many wrong passwords: refused before the password is looked at."""


def _throttle_check(db: Session, username: str, address: str, throttle: Throttle, now: datetime) -> None:
    since = now - throttle.window
    minutes = int(throttle.window.total_seconds() // 60)
    per_account, per_address = db.execute(select(
        select(func.count()).select_from(LoginFailure)
        .where(LoginFailure.username == username, LoginFailure.at >= since).scalar_subquery(),
        select(func.count()).select_from(LoginFailure)
        .where(LoginFailure.address == address, LoginFailure.at >= since).scalar_subquery(),
    )).one()
    if per_account >= throttle.per_account:
        raise Throttled(f"账户“{username[:80]}”在 {minutes} 分钟内密码错误已达 {throttle.per_account} 次，"
                        f"暂停登录，请 {minutes} 分钟后再试，或请管理员核实")
    if address and per_address >= throttle.per_address:
        raise Throttled(f"这台设备在 {minutes} 分钟内密码错误已达 {throttle.per_address} 次，暂停登录，请 {minutes} 分钟后再试")


def authenticate(db: Session, username: str, password: str, address: str = "",
                 throttle: Throttle = Throttle(), now: datetime | None = None) -> User | None:
    """The user when the password is right, None when not. Raises Throttled, without hashing
    anything, when the account or the address had too many wrong passwords in the window.
    Writes the failure (the caller commits)."""
    now = now or utcnow()
    username, address = username[:80], address[:64]
    _throttle_check(db, username, address, throttle, now)
    user = db.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        # Spend the same work on unknown names so timing does not reveal which exist.
        _hasher.hash(password or "")
        ok = False
    else:
        try:
            ok = _hasher.verify(user.password_hash, password or "")
        except (VerificationError, InvalidHashError):
            ok = False
    # The hash took a while; the write takes SQLite's lock up front (a read transaction
    # upgrading to a write would fail at once under contention).
    begin_write(db)
    if not ok:
        db.execute(delete(LoginFailure).where(LoginFailure.at < now - throttle.window))
        db.add(LoginFailure(username=username, address=address, at=now))
        db.flush()
        return None
    db.execute(delete(LoginFailure).where(LoginFailure.username == username))
    assert user is not None  # ok is True only for a user whose hash matched
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def end_sessions(db: Session, user_id: int) -> None:
    """Every session cookie of the user stops working (logout, password change, deactivation):
    the generation its cookies carry moves on, in the database that every process reads."""
    begin_write(db)
    db.execute(update(User).where(User.id == user_id)
               .values(session_generation=User.session_generation + 1)
               .execution_options(synchronize_session=False))


def change_password(db: Session, user: User, current: str, new: str) -> None:
    """Set a new password after checking the current one; ends every session of the user."""
    try:
        _hasher.verify(user.password_hash, current or "")
    except (VerificationError, InvalidHashError):
        raise UserError("当前密码不正确") from None
    problems = password_problems(new, user.username, user.display_name)
    if new == current:
        problems.append("新密码不能与当前密码相同")
    if problems:
        raise UserError(*problems)
    store_password(db, user, new)
    db.refresh(user)


def store_password(db: Session, user: User, password: str) -> None:
    """Store ``password`` (already checked) as the user's and end every session of the user.
    Hashed before the write lock is taken: argon2 is slow on purpose."""
    digest = hash_password(password)
    begin_write(db)
    db.execute(update(User).where(User.id == user.id).values(password_hash=digest)
               .execution_options(synchronize_session=False))
    end_sessions(db, user.id)


@dataclass(frozen=True, slots=True)
class Principal(SignedIn):
    """Who is logged in, as a request sees them: the account's columns that the views, the
    templates and the scope checks read, from one plain statement (web.access's user loader;
    building a User entity cost more than reading its row). Read-only: whatever changes an
    account (password, role, sessions) works on the row itself (``account_of``)."""

    id: int
    username: str
    display_name: str
    role: str
    community_id: int | None
    street_office: str | None
    active: bool
    session_generation: int


def account_of(db: Session, user_id: int) -> User:
    """The account's row, for what changes it (the logged-in user is a ``Principal``)."""
    return db.get_one(User, user_id)


class _Seer(Protocol):
    @property
    def role(self) -> str: ...
    @property
    def street_office(self) -> str | None: ...
    @property
    def community_id(self) -> int | None: ...


class _Seen(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def street_office(self) -> str: ...


def can_see(user: _Seer, community: _Seen) -> bool:
    if user.role in STREET_ROLES:
        return community.street_office == user.street_office
    return user.community_id == community.id
