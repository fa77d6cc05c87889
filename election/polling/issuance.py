"""Check-in and issuance at the desk (发票), and proxy authorisations (委托投票).

The server records only that a voter received a paper at a desk and time — never which
paper. Exactly one issuance per voter and round: the write takes the lock first
(`begin_write`: BEGIN IMMEDIATE on SQLite; on PostgreSQL the voter row is locked FOR
UPDATE) and the UNIQUE constraint on Issuance is the final guard.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import Integer, Table, bindparam, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import clock
from ..db import begin_write, is_sqlite
from ..errors import UserError
from ..fields import check_text, length_of
from ..ledger.events import record_event
from ..models import (
    EXTENDED_RELATIONS,
    BallotBox,
    Candidate,
    Desk,
    Election,
    Issuance,
    MeetingAttendance,
    MeetingVote,
    MobileBoxVoter,
    PollingStation,
    Proxy,
    Relation,
    Resident,
    Round,
)
from ..models.base import utcnow_hour
from ..protocol import event_kinds as ek
from ..protocol.codes import scanned_text
from ..roll.cards import find_voter_by_card, search_voters
from ..roll.electors import is_elector, not_elector_reason
from ..roll.lookup import resolve_voter
from ..roll.register import is_voter_of
from ..rounds import (
    ISSUE,
    check_open,
    check_poll_open,
    current_round,
    meeting_vote,
    poll_closed_column,
    poll_closed_refusal,
    round_of,
)
from ..rules.phrase import phrase
from ..rules.rulebook import Rulebook
from ..settings import rulebook_of
from .day import check_polling_day, check_polling_day_of, polling_day_columns

ALREADY = "已领取选票"


def _roll_find(db: Session, election: Election, card_code: str) -> Resident | None:
    return find_voter_by_card(db, election, card_code)


def _roll_search(db: Session, election: Election, text: str) -> list[Resident]:
    return search_voters(db, election, text, limit=30)


@dataclass
class VoterStatus:
    voter: Resident
    eligible: bool
    issued: Issuance | None
    proxy_holder: Resident | None  # this voter entrusted someone: no in-person vote
    holds: list[tuple[Resident, Issuance | None]]  # authorisations this voter holds
    mobile: bool
    # A registered voter who is not an elector under the election's method (户代表选举,
    # 居民代表选举): why no paper, naming the household's representative where there is one.
    not_elector: str = ""

    @property
    def label(self) -> str:
        if self.not_elector:
            return self.not_elector
        if not self.eligible:
            return phrase("不是登记选民")
        if self.issued is not None:
            return ALREADY
        if self.proxy_holder is not None:
            return phrase("已委托%(name)s投票", name=self.proxy_holder.name)
        if self.mobile:
            return phrase("已登记使用流动票箱")
        return phrase("可以领取选票")


def _open_round(db: Session, election: Election, round_number: int | None) -> int:
    """The round a paper is issued for: the one asked (a desk page shows its round), else
    the current round; a published round is refused, and so is one whose poll is closed
    (its row share-locked until commit) and any day but its voting day (polling.day)."""
    current = current_round(db, election) if round_number is None else None
    number = current.number if current is not None else round_number
    check_open(db, election, number, known=current)  # type: ignore[arg-type]
    check_poll_open(db, election.id, number, ISSUE)  # type: ignore[arg-type]
    rnd = current if current is not None else round_of(db, election, number)  # type: ignore[arg-type]
    check_polling_day(db, election, rnd)
    return number  # type: ignore[return-value]


def status_of(db: Session, election: Election, voter: Resident, round_number: int = 1) -> VoterStatus:
    issued = db.scalar(select(Issuance).where(Issuance.election_id == election.id, Issuance.round_number == round_number, Issuance.voter_id == voter.id))
    proxy = db.scalar(select(Proxy).where(Proxy.election_id == election.id, Proxy.voter_id == voter.id))
    holds = []
    for p in db.scalars(select(Proxy).where(Proxy.election_id == election.id, Proxy.holder_id == voter.id).order_by(Proxy.id)):
        entrusting = db.get_one(Resident, p.voter_id)
        iss = db.scalar(select(Issuance).where(Issuance.election_id == election.id, Issuance.round_number == round_number, Issuance.voter_id == p.voter_id))
        holds.append((entrusting, iss))
    mobile = db.scalar(select(MobileBoxVoter.id).where(MobileBoxVoter.election_id == election.id, MobileBoxVoter.voter_id == voter.id)) is not None
    voter_ok = is_voter_of(voter, election)
    vote = meeting_vote(db, election, round_number)
    if vote is not None:  # a meeting's motion: those recorded present (frozen at the first paper)
        not_elector = "" if not voter_ok else _not_present(db, vote, voter)
    else:
        not_elector = "" if not voter_ok or is_elector(db, election, voter) else not_elector_reason(db, election, voter)
    return VoterStatus(voter, voter_ok and not not_elector, issued,
                       db.get(Resident, proxy.holder_id) if proxy else None, holds, mobile, not_elector)


def find_by_card(db: Session, election: Election, scanned: str) -> Resident:
    code = scanned_text(scanned)  # the card QR may be a URL ending in the card code
    voter = _roll_find(db, election, code) if code else None
    if voter is None or voter.election_id != election.id:
        raise UserError(phrase("选民证码“%(code)s”不在本次选举的选民名单中", code=code[:40]))
    return voter


def search(db: Session, election: Election, text: str) -> list[Resident]:
    text = text.strip()
    if not text:
        raise UserError(phrase("请输入姓名、居民小组或身份证号（脱敏）中的文字"))
    return _roll_search(db, election, text)


class ElectionFacts(Protocol):
    """What the common check-in reads of its election (an Election, or the columns the web
    layer read with the login): the rest of `issue_ballot` loads the election itself."""

    @property
    def id(self) -> int: ...
    @property
    def method(self) -> str: ...
    @property
    def roll_frozen_at(self) -> datetime | None: ...
    @property
    def election_day(self) -> date: ...


def issue_ballot(
    db: Session, election: Election | ElectionFacts, desk_id: int, voter_id: int, clerk: str,
    collected_by_id: int | None = None, round_number: int | None = None,
) -> Issuance:
    """Issue one paper of a round (default: the current round) to a voter, or to their
    approved proxy holder. Commits. One per voter and round: a voter who had a paper of
    round 1 gets one of round 2.

    Refusals raise UserError with the database unchanged; a lost race with another desk
    ends in the UNIQUE constraint and the same "已领取选票" refusal. The common check-in
    (the voter in person, direct method, a ballot round on its own voting day) is one
    statement and one commit: an insert that takes place only where every check below
    holds (`_insert_if_clear`). Any other, or one it did not insert, takes the checks
    below: one locking read of everything checked, the polling day's facts included, and
    the insert, or the refusal that names what is wrong.
    """
    begin_write(db)
    try:
        if collected_by_id is None and election.method == "direct" and election.roll_frozen_at is not None:
            row = Issuance(election_id=election.id, voter_id=voter_id, desk_id=desk_id, collected_by_id=None, clerk=clerk)
            if _insert_if_clear(db, election, row, round_number):
                return row
        if not isinstance(election, Election):
            election = db.get_one(Election, election.id)
        found = _checkin_row(db, election, desk_id, voter_id, round_number)
        if found is None:  # no such voter or desk: the step-by-step checks name what is wrong
            _refuse_step_by_step(db, election, desk_id, voter_id, round_number)
        (name, voter_election, voter_ok, station_id, station_election, station_mobile,
         number, status, kind, closed_at, issued, holder, mobile, held_on, printed) = found
        if status is None and number != 1:
            check_open(db, election, number)  # raises: this round does not exist
        if status == "published":
            check_open(db, election, number)  # raises: this round's result is published
        if closed_at is not None:
            raise poll_closed_refusal(number, closed_at, ISSUE)
        if station_election != election.id:
            raise UserError(f"发票台 {desk_id} 不存在")
        if station_mobile:
            raise UserError("流动票箱的选票不经发票台发放，请在流动票箱页面登记")
        if voter_election != election.id or not voter_ok:  # is_voter_of, read in the statement
            raise UserError(f"编号 {voter_id} 的居民不是本次选举的登记选民，不能领取选票")
        if kind == "motion":
            # A meeting's motion: those present at the meeting, in person (no proxy, no
            # mobile box); the first paper freezes who they are.
            if collected_by_id is not None:
                raise UserError(f"{name}：会议表决须本人到会领取表决票，不适用委托投票")
            check_motion_elector(db, election, number, db.get_one(Resident, voter_id))
        # Under the household and representative methods only electors take a paper (two
        # more statements there: the voter, then the elector check; the direct method's
        # check-in keeps its two).
        elif election.method != "direct":
            voter = db.get_one(Resident, voter_id)
            if not is_elector(db, election, voter):
                raise UserError(f"{name}：{not_elector_reason(db, election, voter)}，不能领取选票")
        if issued is not None:
            raise UserError(phrase("%(name)s已领取选票", name=name))
        if kind != "motion":
            if collected_by_id is None and holder is not None:
                raise UserError(phrase("%(name)s已委托他人投票（委托投票已经批准），不能再本人领取选票", name=name))
            if collected_by_id is not None and holder != collected_by_id:
                raise UserError(phrase("没有经批准的委托：%(name)s未委托此人代为投票", name=name))
            if collected_by_id is None and mobile is not None:
                raise UserError(phrase("%(name)s已登记使用流动票箱，应由流动票箱发放选票", name=name))
        # The voting day, roll frozen, round printed: read in the same statement.
        check_polling_day_of(db, election, number, read=(held_on, printed))
        row = Issuance(election_id=election.id, round_number=number, voter_id=voter_id,
                       station_id=station_id, desk_id=desk_id, collected_by_id=collected_by_id, clerk=clerk)
        return _commit_issuance(db, row)
    except Exception:
        db.rollback()
        raise


def check_motion_elector(db: Session, election: Election, number: int, voter: Resident) -> None:
    """A paper of a meeting's motion (round kind "motion") goes only to one recorded present
    at the meeting. The first paper freezes the list: how many were present and the last
    attendance counted are stored on the vote (its row locked FOR UPDATE on PostgreSQL, as
    the door's attend locks it; SQLite holds the write lock already), and later arrivals
    neither take a paper nor change the base."""
    vote = db.scalar(select(MeetingVote).where(MeetingVote.election_id == election.id,
                                               MeetingVote.round_number == number).with_for_update())
    if vote is None:
        raise UserError(f"第 {number} 轮会议表决没有表决事项")
    if vote.electors is None:
        # Those present now: recorded at the door and not recorded leaving (meetings.leave).
        vote.electors, vote.last_attendance = db.execute(
            select(func.count(MeetingAttendance.id), func.coalesce(func.max(MeetingAttendance.id), 0))
            .where(MeetingAttendance.meeting_id == vote.meeting_id, MeetingAttendance.left_at.is_(None))).one()
    why = _not_present(db, vote, voter)
    if why == LEFT:
        raise UserError(f"{voter.name}已登记离场（表决开始时到会 {vote.electors} 人），不能领取“{vote.motion}”的表决票")
    if why:
        raise UserError(f"{voter.name}未在会议登记到会（表决开始时到会 {vote.electors} 人），不能领取“{vote.motion}”的表决票")


LEFT = "已登记离场，不能领取表决票"


def _not_present(db: Session, vote: MeetingVote, voter: Resident) -> str:
    """Why ``voter`` may not take the vote's paper ("" if they may): they must be recorded
    present at the meeting, by the first paper once the list is frozen (an attendance row up
    to ``last_attendance``: a late arrival is not), and not recorded leaving since. One who
    left after the freeze stays among the vote's electors, as one who returned no paper
    (docs/DECISIONS.md); one who left before it was not counted."""
    row = db.execute(select(MeetingAttendance.id, MeetingAttendance.left_at).where(
        MeetingAttendance.meeting_id == vote.meeting_id, MeetingAttendance.resident_id == voter.id)).first()
    if row is not None and row.left_at is not None:
        return LEFT
    if row is None or (vote.last_attendance is not None and row.id > vote.last_attendance):
        return f"未在会议登记到会，不能领取“{vote.motion}”的表决票"
    return ""


def _checkin_query(posted_round: bool, lock: bool):
    """The check-in's one statement, built once per variant with bound parameters (building
    a statement of four subqueries costs more Python than running it)."""
    eid, voter = bindparam("eid", type_=Integer), bindparam("voter", type_=Integer)
    latest = select(Round.number).where(Round.election_id == eid) \
        .order_by(Round.number.desc()).limit(1).scalar_subquery()
    number = bindparam("round", type_=Integer) if posted_round else func.coalesce(latest, 1)
    query = (
        select(
            # Columns, not entities: building three ORM objects cost more than the statement.
            Resident.name, Resident.election_id, Resident.is_voter,
            Desk.station_id, PollingStation.election_id, PollingStation.mobile, number,
            select(Round.status).where(Round.election_id == eid, Round.number == number).scalar_subquery(),
            select(Round.kind).where(Round.election_id == eid, Round.number == number).scalar_subquery(),
            poll_closed_column(eid, number),
            select(Issuance.id).where(Issuance.election_id == eid, Issuance.round_number == number,
                                      Issuance.voter_id == voter).scalar_subquery(),
            select(Proxy.holder_id).where(Proxy.election_id == eid, Proxy.voter_id == voter).scalar_subquery(),
            select(MobileBoxVoter.id).where(MobileBoxVoter.election_id == eid,
                                            MobileBoxVoter.voter_id == voter).scalar_subquery(),
            *polling_day_columns(eid, number),
        )
        .select_from(Resident)
        .join(Desk, Desk.id == bindparam("desk", type_=Integer))
        .join(PollingStation, PollingStation.id == Desk.station_id)
        .where(Resident.id == voter)
    )
    return query.with_for_update(of=Resident) if lock else query


_CHECKIN_QUERIES = {(posted, lock): _checkin_query(posted, lock) for posted in (False, True) for lock in (False, True)}


def _clear_insert(posted_round: bool, lock: bool):
    """The common check-in as one statement: the issuance inserted from a select that
    yields its row only where `issue_ballot`'s checks all hold for a voter in person (the
    caller has seen the direct method and the roll frozen): the voter of this election and
    a voter, the desk's station of this election and not a mobile box, the round (the one
    asked, else the latest, else round 1 before any exists) open (`rounds.check_open`) and
    not a meeting's motion, its poll not closed, no paper of the round yet, no approved proxy, no mobile-box
    registration, the round printed and today its voting day (its own day, else the
    election's). Nothing else decides here: whatever it does not insert goes through the
    checks one by one, which refuse or insert (a recorded change of day, say)."""
    eid, voter = bindparam("eid", type_=Integer), bindparam("voter", type_=Integer)
    latest = select(Round.number).where(Round.election_id == eid) \
        .order_by(Round.number.desc()).limit(1).scalar_subquery()
    number = bindparam("round", type_=Integer) if posted_round else func.coalesce(latest, 1)
    held_on, printed = polling_day_columns(eid, number)
    query = (
        select(eid, number, Resident.id, Desk.station_id, Desk.id, bindparam("collected_by_id", type_=Integer),
               bindparam("issued_at", type_=Issuance.issued_at.type), bindparam("clerk", type_=Issuance.clerk.type),
               bindparam("note", type_=Issuance.note.type))
        .select_from(Resident)
        .join(Desk, Desk.id == bindparam("desk", type_=Integer))
        .join(PollingStation, PollingStation.id == Desk.station_id)
        .outerjoin(Round, (Round.election_id == eid) & (Round.number == number))
        .where(
            Resident.id == voter, Resident.election_id == eid, Resident.is_voter,
            PollingStation.election_id == eid, PollingStation.mobile.is_(False),
            # rounds.check_open: an existing round neither published nor awaiting its
            # nominations, or round 1 before any round exists.
            ((Round.status.is_(None) & (number == 1)) | Round.status.not_in(("published", "nominating"))),
            (Round.kind.is_(None) | (Round.kind != "motion")),
            # The round's poll not closed, read share-locking its row (rounds.poll_closed_column):
            # a close of poll at the same moment waits for this insert's commit, or this
            # statement waits for the close's and inserts nothing.
            poll_closed_column(eid, number).is_(None),
            ~select(Issuance.id).where(Issuance.election_id == eid, Issuance.round_number == number,
                                       Issuance.voter_id == voter).exists(),
            select(Proxy.holder_id).where(Proxy.election_id == eid, Proxy.voter_id == voter).scalar_subquery().is_(None),
            ~select(MobileBoxVoter.id).where(MobileBoxVoter.election_id == eid, MobileBoxVoter.voter_id == voter).exists(),
            printed.is_not(None),
            func.coalesce(held_on, bindparam("election_day", type_=Election.election_day.type))
            == bindparam("today", type_=Election.election_day.type),
        )
    )
    if lock:
        query = query.with_for_update(of=Resident)
    names = ["election_id", "round_number", "voter_id", "station_id", "desk_id", "collected_by_id", "issued_at", "clerk", "note"]
    return insert(_ISSUANCE_TABLE).from_select(names, query, include_defaults=False) \
        .returning(_ISSUANCE_TABLE.c.round_number, _ISSUANCE_TABLE.c.station_id)


def _insert_if_clear(db: Session, election: ElectionFacts, row: Issuance, round_number: int | None) -> bool:
    """Insert and commit ``row`` if the common check-in's checks all hold (`_clear_insert`);
    False, with nothing written and the transaction still open, if they do not. The
    clerk's name passes the field rule first; a lost race ends in the UNIQUE constraint,
    the "已领取选票" refusal."""
    problem = check_text(row.clerk, "clerk", length_of(Issuance.clerk))
    if problem:
        raise UserError(problem)
    issued_at = utcnow_hour()
    params = {"eid": election.id, "voter": row.voter_id, "desk": row.desk_id, "collected_by_id": None,
              "issued_at": issued_at, "clerk": row.clerk, "note": "",
              "election_day": election.election_day, "today": clock.today()}
    if round_number is not None:
        params["round"] = round_number
    try:
        # A Core statement on the session's connection, not through the ORM's execute.
        inserted = db.connection().execute(_CLEAR_INSERTS[(round_number is not None, not is_sqlite(db))], params).first()
        if inserted is None:
            return False
        db.commit()
    except IntegrityError:
        db.rollback()
        raise UserError(ALREADY) from None
    row.round_number, row.station_id, row.issued_at = inserted.round_number, inserted.station_id, issued_at
    return True


def _checkin_row(db: Session, election: Election, desk_id: int, voter_id: int, round_number: int | None):
    """One statement for everything a check-in checks: the voter's name, election and
    whether they are a voter (the row locked FOR UPDATE on PostgreSQL; SQLite holds the
    write lock already), the desk's station, its election and whether it is mobile, the round
    (the one asked, else the latest, else round 1 before any is printed), its status and its
    close of poll (the round's row share-locked on PostgreSQL: rounds.poll_closed_column), and
    the three refusals (issued already, entrusted, mobile box), and what the polling-day
    check reads (the round's own day, whether it is printed). None when the voter or the
    desk does not exist."""
    query = _CHECKIN_QUERIES[(round_number is not None, not is_sqlite(db))]
    params = {"eid": election.id, "voter": voter_id, "desk": desk_id}
    if round_number is not None:
        params["round"] = round_number
    # Columns only: the plain statement on the session's connection, not through the ORM's.
    return db.connection().execute(query, params).one_or_none()


def _refuse_step_by_step(db: Session, election: Election, desk_id: int, voter_id: int,
                         round_number: int | None) -> None:
    """The checks one at a time, in the order a clerk reads them; raises the first refusal."""
    _open_round(db, election, round_number)
    desk = db.get(Desk, desk_id)
    if desk is None or desk.station.election_id != election.id:
        raise UserError(f"发票台 {desk_id} 不存在")
    if desk.station.mobile:
        raise UserError("流动票箱的选票不经发票台发放，请在流动票箱页面登记")
    raise UserError(f"编号 {voter_id} 的居民不是本次选举的登记选民，不能领取选票")


def issue_mobile(db: Session, election: Election, box_id: int, voter_id: int, clerk: str,
                 round_number: int | None = None) -> Issuance:
    """A paper of a round (default: the current round) handed to a registered mobile-box
    voter (recorded under the box's station)."""
    begin_write(db)
    try:
        round_number = _open_round(db, election, round_number)
        if meeting_vote(db, election, round_number) is not None:
            raise UserError("会议表决的表决票在会场发放，不使用流动票箱")
        reg = db.scalar(select(MobileBoxVoter).where(MobileBoxVoter.election_id == election.id, MobileBoxVoter.voter_id == voter_id, MobileBoxVoter.box_id == box_id))
        if reg is None:
            raise UserError(f"编号 {voter_id} 的选民未登记使用这个流动票箱")
        box = db.get_one(BallotBox, box_id)
        row = Issuance(election_id=election.id, round_number=round_number, voter_id=voter_id,
                       station_id=box.station_id, desk_id=None, clerk=clerk)
        return _commit_issuance(db, row)
    except Exception:
        db.rollback()
        raise


# --- proxies ------------------------------------------------------------------------

def authorise_proxy(
    db: Session, election: Election, actor: str, voter: Resident | str, holder: Resident | str, signed_on: date,
) -> Proxy:
    """Record a written authorisation approved by the committee (checks RULES.md: proxy).
    The voter and the holder may be given as the clerk typed them (voter number, name or a
    scan of the voter card: roll.lookup.resolve_voter). The write lock (SQLite) and both
    people's rows (PostgreSQL, lower id first) before the checks read the proxies: two
    authorisations at once are one after the other and the second sees the first."""
    begin_write(db)
    if isinstance(voter, str):
        voter = resolve_voter(db, election, voter, "委托人")
    if isinstance(holder, str):
        holder = resolve_voter(db, election, holder, "受委托人")
    db.execute(select(Resident.id).where(Resident.id.in_(sorted({voter.id, holder.id})))
               .order_by(Resident.id).with_for_update())
    rb = rulebook_of(election)
    errors = []
    if not is_voter_of(voter, election):
        errors.append(f"委托人“{voter.name}”不是本次选举的登记选民")
    if not is_voter_of(holder, election):
        errors.append(f"受委托人“{holder.name}”不是本次选举的登记选民")
    if voter.id == holder.id:
        errors.append("委托人和受委托人不能是同一人")
    if rb.proxy_relatives_only and not db.scalar(select(Relation.id).where(
            Relation.election_id == election.id,
            ((Relation.resident_id == voter.id) & (Relation.relative_id == holder.id))
            | ((Relation.resident_id == holder.id) & (Relation.relative_id == voter.id)),
            Relation.kind.not_in(EXTENDED_RELATIONS))):
        errors.append(f"规则规定只能委托近亲属（{Rulebook.label('proxy_relatives_only')}）："
                      f"“{holder.name}”未登记为“{voter.name}”的近亲属")
    days = (election.election_day - signed_on).days
    if days < rb.proxy_days_before:
        errors.append(f"委托书签署于 {signed_on}，距选举日仅 {days} 天；规则要求至少提前 {rb.proxy_days_before} 天办理")
    if db.scalar(select(Proxy.id).where(Proxy.election_id == election.id, Proxy.voter_id == voter.id)):
        errors.append(f"“{voter.name}”已经委托过他人，不能重复委托")
    if db.scalar(select(Proxy.id).where(Proxy.election_id == election.id, Proxy.voter_id == holder.id)):
        errors.append(f"“{holder.name}”本人已委托他人投票，不能再接受委托（不得转委托）")
    if db.scalar(select(Proxy.id).where(Proxy.election_id == election.id, Proxy.holder_id == voter.id)):
        errors.append(f"“{voter.name}”已接受他人委托，不能再委托他人（不得转委托）")
    held = db.scalar(select(func.count()).select_from(Proxy).where(Proxy.election_id == election.id, Proxy.holder_id == holder.id)) or 0
    if held >= rb.proxy_max_per_holder:
        errors.append(f"“{holder.name}”已接受 {held} 人委托，规则规定每人最多接受 {rb.proxy_max_per_holder} 人委托")
    if not rb.proxy_candidates_may_hold and db.scalar(
        select(Candidate.id).where(Candidate.election_id == election.id, Candidate.resident_id == holder.id, Candidate.status == "formal")
    ):
        errors.append(f"“{holder.name}”是候选人，规则规定候选人不得接受委托")
    if errors:
        raise UserError(*errors)
    row = Proxy(election_id=election.id, voter_id=voter.id, holder_id=holder.id, signed_on=signed_on, approved_by=actor)
    db.add(row)
    db.flush()
    record_event(db, election, ek.POLLING_PROXY_APPROVED, {"voter": voter.id, "holder": holder.id, "signed_on": signed_on.isoformat()}, actor)
    return row


def proxies_of(db: Session, election: Election) -> list[tuple[Proxy, Resident, Resident]]:
    from sqlalchemy.orm import aliased
    v, h = aliased(Resident), aliased(Resident)
    return list(db.execute(
        select(Proxy, v, h).join(v, v.id == Proxy.voter_id).join(h, h.id == Proxy.holder_id)
        .where(Proxy.election_id == election.id).order_by(h.name, v.name)
    ).all())


def _commit_issuance(db: Session, row: Issuance) -> Issuance:
    """Insert and commit one issuance; the UNIQUE (election, round, voter) constraint is the
    last guard, and losing that race is the voter's "already issued" refusal.

    A plain INSERT, not a flush: the unit of work (and its RETURNING of the id) cost more
    than the statement, and nothing reads the id. The row is handed back unattached; its
    one text, the clerk's user name, passes the field rule here as a flush would check it."""
    problem = check_text(row.clerk, "clerk", length_of(Issuance.clerk))
    if problem:
        raise UserError(problem)
    values = {c.key: getattr(row, c.key) for c in _ISSUANCE_VALUES}
    try:
        db.execute(_ISSUANCE_INSERT, values)
        db.commit()
    except IntegrityError:
        db.rollback()
        raise UserError(ALREADY) from None
    return row


_ISSUANCE_TABLE: Table = Issuance.__table__  # type: ignore[assignment]
_ISSUANCE_VALUES = [c for c in _ISSUANCE_TABLE.columns if c.key not in ("id", "issued_at", "note")]
# Of the table, not the mapped class: the session runs it as the plain statement it is (an
# INSERT of the class goes through the ORM's bulk path), built once with bound parameters;
# issued_at and note take their column defaults.
_ISSUANCE_INSERT = insert(_ISSUANCE_TABLE)
_CLEAR_INSERTS = {(posted, lock): _clear_insert(posted, lock) for posted in (False, True) for lock in (False, True)}
