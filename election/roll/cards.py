"""Voter numbers and card codes (选民证), the voter-card PDF, and the two look-ups the
check-in desk uses: by the scanned card code and by a typed search."""
from __future__ import annotations

import base64
import io
import secrets
from collections.abc import Callable
from typing import BinaryIO

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ballots.voter_cards import CardHeader, VoterCard, render_voter_cards

from ..db import begin_write
from ..errors import UserError
from ..ledger.events import record_event
from ..models import Election, Household, PollingStation, Resident
from ..pii import PersonalData
from ..protocol import event_kinds as ek
from ..rules import idcard
from .glyphs import refuse_unprintable
from .groups import group_key
from .publication import cn_date, committee_name
from .register import voters_query

DEFAULT_STATION = "第一投票站"


def default_station(db: Session, election: Election) -> str:
    """The station printed on the card of a group no line assigns: the election's only fixed
    station when it has one (the demo's is 社区活动中心投票站: cards sent its voters to a
    第一投票站 that did not exist), else 第一投票站."""
    names = db.scalars(select(PollingStation.name).where(PollingStation.election_id == election.id,
                                                         PollingStation.mobile.is_(False))).all()
    return names[0] if len(names) == 1 else DEFAULT_STATION


def new_card_code() -> str:
    """16 base32 characters (80 random bits): short enough for a small QR, unguessable."""
    return base64.b32encode(secrets.token_bytes(10)).decode("ascii")


def assign_cards(db: Session, election: Election, actor: str) -> int:
    """Give every registered voter without one a voter number and a card code."""
    # The write lock (SQLite), then the waiting voters' rows (PostgreSQL; the rows this acts
    # on, in one order), and only then the highest number: a second assignment at once waits
    # for the first's rows, no longer finds them waiting, and numbers after the first's
    # numbers. It used to number the same voters again, overwriting the card codes already
    # given (SQLite: the second writer refused, a 500). Not the election's row first: a roll
    # change locks its resident, then the chain head (docs/ARCHITECTURE.md, lock order).
    begin_write(db)
    todo = sorted(db.scalars(
        voters_query(election).where(Resident.voter_number.is_(None)).join(Household)
        .order_by(Household.number, Resident.id).with_for_update(of=Resident)
    ), key=lambda r: group_key(r.group_name))  # 第一, 第二, … 第十: numbers follow the groups
    highest = db.scalar(select(func.max(Resident.voter_number)).where(Resident.election_id == election.id)) or 0
    for n, resident in enumerate(todo, start=highest + 1):
        resident.voter_number = n
        resident.card_code = new_card_code()
    db.flush()
    if todo:
        record_event(db, election, ek.ROLL_CARDS_ASSIGNED,
                     {"count": len(todo), "first_number": highest + 1, "last_number": highest + len(todo)}, actor)
    return len(todo)


def voter_number_text(resident: Resident) -> str:
    return f"{resident.voter_number:05d}" if resident.voter_number else ""


def any_card_assigned(db: Session, election: Election) -> bool:
    """Whether voter numbers and card codes have been assigned (to anyone) yet."""
    return db.scalar(select(Resident.id).where(Resident.election_id == election.id,
                                               Resident.card_code.is_not(None)).limit(1)) is not None


def render_cards(db: Session, election: Election, out: BinaryIO, stations: dict[str, str] | None = None,
                 group: str | None = None, progress: Callable[[int, int], None] | None = None,
                 resident_id: int | None = None) -> int:
    """Print the cards of registered voters with a card; `stations` maps 居民小组 to a station name.
    ``group`` prints one 居民小组's cards, ``resident_id`` one voter's (a lost card reprinted).
    ``progress(done, total)`` counts the cards drawn."""
    stations = stations or {}
    query = voters_query(election).where(Resident.card_code.is_not(None)).order_by(Resident.voter_number)
    if group:
        query = query.where(Resident.group_name == group)
    if resident_id is not None:
        query = query.where(Resident.id == resident_id)
    refuse_unprintable(db.scalars(query), "选民证")
    fallback = default_station(db, election)
    cards = [
        VoterCard(r.name, r.group_name, stations.get(r.group_name, fallback), voter_number_text(r), r.card_code)
        for r in db.scalars(query)
    ]
    if not cards:
        raise UserError("还没有分配选民编号的选民：请先“分配选民编号和选民证码”")
    header = CardHeader(election.title, committee_name(election), f"选举日 {cn_date(election.election_day)}")
    return render_voter_cards(header, cards, out, progress)


def card_pdf(db: Session, election: Election, resident_id: int) -> bytes:
    """One voter's card as a PDF (a lost or damaged card reprinted: the same card code)."""
    out = io.BytesIO()
    render_cards(db, election, out, resident_id=resident_id)
    return out.getvalue()


def find_voter_by_card(db: Session, election: Election, card_code: str) -> Resident | None:
    """The resident whose card carries `card_code` (case and blanks ignored), or None."""
    code = "".join(card_code.split()).upper()
    if not code:
        return None
    return db.scalar(select(Resident).where(Resident.election_id == election.id, Resident.card_code == code))


def search_voters(db: Session, election: Election, text: str, limit: int = 50,
                  pii: PersonalData | None = None) -> list[Resident]:
    """Residents matching a name (part), a 居民小组, a masked ID (or its last 4), or a voter number;
    with `pii`, a full ID number is found by its keyed hash (never compared in plain)."""
    text = text.strip()
    if not text:
        return []
    conditions = [Resident.name.contains(text), Resident.group_name == text, Resident.id_masked == text.upper()]
    if pii is not None and len(idcard.normalize(text)) == 18:
        conditions.append(Resident.id_hash == pii.lookup_hash(idcard.normalize(text)))
    if len(text) == 4:
        conditions.append(Resident.id_masked.endswith(text.upper()))
    if text.isdigit() and len(text) <= 9:  # a voter number, never an ID number (INTEGER range)
        conditions.append(Resident.voter_number == int(text))
    return list(db.scalars(
        select(Resident).where(Resident.election_id == election.id, or_(*conditions))
        .order_by(Resident.group_name, Resident.name, Resident.id).limit(limit)
    ))
