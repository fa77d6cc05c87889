"""Users and their roles. A user of a community sees that community only; street-office
roles (街道管理员, 审计员) see the communities of their street office."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow

ROLES = {
    "street_admin": "街道管理员",
    "committee": "选举委员会",
    "clerk": "发票员",
    "counter": "计票员",
    "scrutineer": "监票员",
    "auditor": "审计员",
}
STREET_ROLES = frozenset({"street_admin", "auditor"})


class SignedIn:
    """Flask-Login's protocol, written out so models stay free of Flask: for the account's
    row (User) and for the logged-in user a request reads (accounts.service.Principal)."""

    __slots__ = ()
    id: int
    role: str
    active: bool
    session_generation: int

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}.{self.session_generation}"

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)


class User(SignedIn, Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("community.id"), index=True)
    street_office: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Every session cookie carries the generation it was issued under; logging out or
    # changing the password moves it on, so every earlier cookie of the user stops working.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")



class LoginFailure(Base):
    """One wrong password, kept for the throttle window: per account (``username``) and per
    client address, shared by every app process through the database."""

    __tablename__ = "login_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class RateCounter(Base):
    """Hits of one client on one limited page within one fixed window (a minute), shared by
    every app process: the receipt lookup's limit holds across gunicorn workers."""

    __tablename__ = "rate_counter"

    bucket: Mapped[str] = mapped_column(String(20), primary_key=True)
    client: Mapped[str] = mapped_column(String(64), primary_key=True)
    window: Mapped[int] = mapped_column(Integer, primary_key=True)
    hits: Mapped[int] = mapped_column(Integer, default=0)


class AccountChange(Base):
    """One change a street administrator made to a user (created, role, password reset,
    disabled, enabled), kept for the street office's record: rows are added, never changed.
    ``kind`` is named ``accounts.what_happened`` like the election events."""

    __tablename__ = "account_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(80))
    username: Mapped[str] = mapped_column(String(80), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(String(200), default="")
    street_office: Mapped[str] = mapped_column(String(100), index=True)
