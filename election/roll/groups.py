"""居民小组 in their own order: 第一, 第二, …, 第十, 第十一 (or 1组, 2组, …, 10组), never the
code-point order that puts 第三 before 第二. Chinese numerals are read by cn2an."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Election, Resident
from ..wording import group_key

__all__ = ["group_key", "groups_of", "sorted_groups"]


def groups_of(db: Session, election: Election) -> list[str]:
    """The election's 居民小组 in their order (for the per-group prints)."""
    return sorted_groups(db.scalars(select(Resident.group_name).where(Resident.election_id == election.id).distinct()))


def sorted_groups(names: Iterable[str | None]) -> list[str]:
    """Distinct group names in their order."""
    return sorted({n or "" for n in names}, key=group_key)
