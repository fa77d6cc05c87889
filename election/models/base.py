"""The declarative base shared by every model, with a naming convention for constraints
so that Alembic migrations name them the same way on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, MetaData
from sqlalchemy.orm import DeclarativeBase

from .. import clock

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: DateTime(timezone=True)}


def utcnow() -> datetime:
    """The project clock's current moment (election.clock.now), in UTC."""
    return clock.now()


def utcnow_hour() -> datetime:
    """Now, cut to the hour: what an issuance keeps of its time (issue 15)."""
    return utcnow().replace(minute=0, second=0, microsecond=0)
