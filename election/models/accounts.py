"""Users and their roles. A user of a community sees that community only; street-office
roles (街道管理员, 审计员) see the communities of their street office."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
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


class User(Base):
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

    # Flask-Login's protocol, written out so models stay free of Flask.
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
        return str(self.id)

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)
