"""居民小组 in their own order: 第一, 第二, …, 第十, 第十一 (or 1组, 2组, …, 10组), never the
code-point order that puts 第三 before 第二. Chinese numerals are read by cn2an."""
from __future__ import annotations

import re
from collections.abc import Iterable

import cn2an
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Election, Resident

_NUMBER = re.compile(r"[〇零一二两三四五六七八九十百千]+|\d+")


def group_key(name: str | None) -> tuple[int, float, str]:
    """Sort key of a group name: numbered groups by their number, then the rest by name."""
    text = name or ""
    match = _NUMBER.search(text)
    if match:
        try:
            return (0, float(cn2an.cn2an(match.group(), "smart")), text)
        except (ValueError, KeyError):  # not a well-formed numeral (e.g. 十十): by name
            pass
    return (1, 0.0, text)


def groups_of(db: Session, election: Election) -> list[str]:
    """The election's 居民小组 in their order (for the per-group prints)."""
    return sorted_groups(db.scalars(select(Resident.group_name).where(Resident.election_id == election.id).distinct()))


def sorted_groups(names: Iterable[str | None]) -> list[str]:
    """Distinct group names in their order."""
    return sorted({n or "" for n in names}, key=group_key)
