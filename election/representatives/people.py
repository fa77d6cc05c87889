"""Finding residents by what the committee writes on a form: "姓名 票数" lines, a name
alone, or a name with the last four characters of the ID number when names repeat."""
from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import UserError
from ..models import Election, Household, Resident

_LINE = re.compile(r"^\s*(\S+?)(?:[\s（(]+([0-9Xx]{4})[)）]?)?\s+(\d+)\s*(?:票)?\s*$")
_NAME = re.compile(r"^\s*(\S+?)(?:[\s（(]+([0-9Xx]{4})[)）]?)?\s*$")


def label_of(resident: Resident, duplicated: bool) -> str:
    """The name, with the ID's last four characters when another person has the same name."""
    return f"{resident.name}（{resident.id_masked[-4:]}）" if duplicated else resident.name


def parse_vote_lines(text: str) -> list[tuple[str, str, int]]:
    """Lines "姓名 票数" (optionally "姓名 1234 票数") -> (name, id_tail, votes)."""
    out: list[tuple[str, str, int]] = []
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _LINE.match(line.replace("：", " ").replace(":", " "))
        if not match:
            problems.append(f"得票第{number}行“{line.strip()}”格式不对，应为“姓名 票数”（重名时“姓名 身份证后4位 票数”）")
            continue
        out.append((match.group(1), (match.group(2) or "").upper(), int(match.group(3))))
    if problems:
        raise UserError(*problems)
    if not out:
        raise UserError("请填写至少一名被推选人及其得票（每行“姓名 票数”）")
    return out


def parse_name(text: str) -> tuple[str, str]:
    match = _NAME.match(text or "")
    if not match:
        raise UserError(f"“{text}”不是一个姓名（重名时写“姓名 身份证后4位”）")
    return match.group(1), (match.group(2) or "").upper()


def residents_of(db: Session, election: Election, household_ids: Sequence[int] | None = None,
                 group_name: str | None = None) -> list[Resident]:
    query = select(Resident).where(Resident.election_id == election.id)
    if household_ids is not None:
        query = query.where(Resident.household_id.in_(list(household_ids)))
    if group_name is not None:
        query = query.join(Household, Household.id == Resident.household_id).where(
            (Resident.group_name == group_name) | (Household.group_name == group_name)
        )
    return list(db.scalars(query.order_by(Resident.id)))


def resolve(pool: Sequence[Resident], name: str, tail: str, where: str) -> Resident:
    """The one resident of `pool` so named; a Chinese message naming `where` otherwise."""
    same = [r for r in pool if r.name == name and (not tail or r.id_masked.upper().endswith(tail))]
    if not same:
        raise UserError(f"“{name}{('（' + tail + '）') if tail else ''}”不是{where}的居民，不能作为被推选人")
    if len(same) > 1:
        raise UserError(f"{where}有{len(same)}名居民叫“{name}”，请写“{name} 身份证后4位”加以区分")
    return same[0]


def resolve_votes(pool: Sequence[Resident], lines: list[tuple[str, str, int]], where: str) -> list[tuple[Resident, int]]:
    problems: list[str] = []
    out: list[tuple[Resident, int]] = []
    seen: set[int] = set()
    for name, tail, votes in lines:
        try:
            person = resolve(pool, name, tail, where)
        except UserError as error:
            problems += error.messages
            continue
        if person.id in seen:
            problems.append(f"“{name}”在得票中出现了两次")
            continue
        seen.add(person.id)
        out.append((person, votes))
    if problems:
        raise UserError(*problems)
    return out
