"""Choosing one voter from what a clerk can type: the voter number (选民编号), the name, or a
scan of the voter card (选民证码, the code in the card's QR). Same-name voters are told
apart by 居民小组, birth year and the last characters of the ID number.
"""
from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ..errors import UserError
from ..models import Election, Resident
from .cards import find_voter_by_card, voter_number_text
from .register import voters_query

MAX_SHOWN = 8


def describe(person: Resident) -> str:
    """``张伟（第一居民小组，1956年生，身份证尾号123X，选民编号 0012）``."""
    parts = [person.group_name or "未分组", f"{person.birth_date.year}年生", f"身份证尾号{person.id_masked[-4:]}"]
    if person.voter_number is not None:
        parts.append(f"选民编号 {voter_number_text(person)}")
    return f"{person.name}（{'，'.join(parts)}）"


def _by_number_or_name(db: Session, people: Select, typed: str, role: str, *, off_list: str, kind: str,
                       several_hint: str) -> Resident | None:
    """The one person of ``people`` whose voter number or name is ``typed``; None when neither
    matches (the caller then tries a card scan). An unknown number, or several people of one
    name (listed, to be told apart), is refused."""
    if typed.isdigit() and len(typed) <= 9:
        found = db.scalar(people.where(Resident.voter_number == int(typed)))
        if found is None:
            raise UserError(f"{role}：选民编号 {typed} {off_list}")
        return found
    named = list(db.scalars(people.where(Resident.name == typed).order_by(Resident.voter_number, Resident.id)))
    if len(named) > 1:
        listed = "；".join(describe(p) for p in named[:MAX_SHOWN])
        raise UserError(f"{role}“{typed}”有 {len(named)} 位同名{kind}：{listed}。{several_hint}")
    return named[0] if named else None


def resolve_voter(db: Session, election: Election, text: str, role: str = "选民") -> Resident:
    """The one registered voter ``text`` names (number, name or card scan), or a UserError that
    says what was typed and, for several people of one name, how to tell them apart."""
    typed = " ".join(text.split())
    if not typed:
        raise UserError(f"请填写{role}的选民编号或姓名，或扫描其选民证")
    voters = voters_query(election)
    found = _by_number_or_name(db, voters, typed, role, off_list="不在本次选举的选民名单中", kind="选民",
                               several_hint="请改填其选民编号")
    if found is not None:
        return found
    card = find_voter_by_card(db, election, typed)
    if card is not None and card.id in set(db.scalars(voters.with_only_columns(Resident.id).where(Resident.id == card.id))):
        return card
    someone = db.scalar(select(Resident).where(Resident.election_id == election.id, Resident.name == typed).limit(1))
    if someone is not None:
        raise UserError(f"{role}“{typed}”在居民名册中，但不是本次选举的登记选民")
    raise UserError(f"{role}“{typed[:40]}”不在本次选举的选民名单中：请填写选民编号或完整姓名，或扫描选民证")


def resolve_resident(db: Session, election: Election, text: str, role: str = "居民") -> Resident:
    """The one person of the register (voter or not: an objection may be about someone left
    off the roll) that ``text`` names by voter number, name or card scan; same-name people
    are listed to be told apart, as for voters."""
    typed = " ".join(text.split())
    if not typed:
        raise UserError(f"请填写{role}的选民编号或姓名")
    found = _by_number_or_name(db, select(Resident).where(Resident.election_id == election.id), typed, role,
                               off_list="不在本次选举的名册中；不是选民的居民请填写姓名", kind="居民",
                               several_hint="请改填其选民编号，或在申诉内容中写明是哪一位")
    if found is not None:
        return found
    card = find_voter_by_card(db, election, typed)
    if card is not None:
        return card
    raise UserError(f"{role}“{typed[:40]}”不在本次选举的居民名册中：请填写选民编号或完整姓名，或不填而在申诉内容中写明")
