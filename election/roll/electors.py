"""Who the electors of an election are, by its method (election/rules/methods.py): every
registered voter (直选), the designated household representatives (户代表选举), or the
serving 居民代表 (居民代表选举). Turnout, the validity of a round, the thresholds' base and
who may take a paper at the desk all come from here, so the method is never a label."""
from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ..db import begin_write
from ..errors import UserError
from ..ledger.events import record_event
from ..models import Election, Household, HouseholdRep, Representative, Resident
from ..protocol import event_kinds as ek
from ..rounds import meeting_vote
from ..rules.methods import basis_line, designation_problems, method_of
from .register import voters_query


def electors_query(election: Election) -> Select[Resident]:
    """The electors of the election as a query over Resident."""
    q: Select[Resident] = voters_query(election)
    if election.method == "household":
        reps = select(HouseholdRep.resident_id).where(HouseholdRep.election_id == election.id)
        return q.where(Resident.id.in_(reps))
    if election.method == "representative":
        reps = select(Representative.resident_id).where(Representative.election_id == election.id,
                                                        Representative.status == "serving")
        return q.where(Resident.id.in_(reps))
    return q


def electors_count(db: Session, election: Election) -> int:
    return db.scalar(select(func.count()).select_from(electors_query(election).subquery())) or 0


def round_electors(db: Session, election: Election, round_number: int) -> int:
    """The base of a round's turnout and validity (RULES.md "Validity"): the method's electors;
    a meeting's motion's, those present when its first paper was handed out."""
    vote = meeting_vote(db, election, round_number)
    return (vote.electors or 0) if vote is not None else electors_count(db, election)


def is_elector(db: Session, election: Election, resident: Resident) -> bool:
    return db.scalar(electors_query(election).where(Resident.id == resident.id).with_only_columns(Resident.id)) is not None


def basis(db: Session, election: Election) -> str:
    """"选举方式：…；参加投票和当选票数以…计算（… N 人）。" for pages, notices and reports."""
    return basis_line(election.method, electors_count(db, election))


def not_elector_reason(db: Session, election: Election, resident: Resident) -> str:
    """Why a registered voter gets no paper under the election's method (Chinese)."""
    m = method_of(election.method)
    if election.method == "household":
        rep = household_rep_of(db, election, resident.household_id)
        if rep is None:
            return f"本次为{m.name_zh}，本户尚未推选户代表"
        return f"本次为{m.name_zh}，本户户代表为{rep.resident.name}，每户一张选票"
    return f"本次为{m.name_zh}，只有{m.electors_zh}领取选票"


def household_rep_of(db: Session, election: Election, household_id: int) -> HouseholdRep | None:
    return db.scalar(select(HouseholdRep).where(HouseholdRep.election_id == election.id,
                                                HouseholdRep.household_id == household_id))


def household_reps(db: Session, election: Election) -> list[tuple[Household, HouseholdRep | None]]:
    """Every household of the roll with its designated representative (or None)."""
    reps = {r.household_id: r for r in db.scalars(select(HouseholdRep).where(HouseholdRep.election_id == election.id))}
    households = db.scalars(select(Household).where(Household.election_id == election.id).order_by(Household.number))
    return [(h, reps.get(h.id)) for h in households]


def designate(db: Session, election: Election, household_number: str, voter: str, designation: str,
              actor: str) -> HouseholdRep:
    """Record a household's representative (户代表) with its written designation.
    ``voter``: the representative's voter number or exact name within the household."""
    # Household representatives are the electors under the household method; under any
    # method they may jointly nominate (RULES.md "channels"), so they can always be recorded.
    begin_write(db)
    household = db.scalar(select(Household).where(Household.election_id == election.id,
                                                  Household.number == household_number.strip()))
    if household is None:
        raise UserError(f"户号“{household_number.strip()[:40]}”不在本次选举的居民名单中")
    members = list(db.scalars(select(Resident).where(Resident.household_id == household.id)))
    entry = voter.strip()
    chosen = [r for r in members if entry in (r.name, str(r.voter_number))]
    if len(chosen) != 1:
        raise UserError(f"户号 {household.number}：户代表“{entry[:40]}”须为本户一名居民的姓名或选民证号"
                        + ("（同名，请填选民证号）" if len(chosen) > 1 else ""))
    person = chosen[0]
    rep = household_rep_of(db, election, household.id)
    problems = designation_problems([r.id for r in members if r.is_voter], [r.id for r in members], person.id,
                                    designation, rep.resident_id if rep else None)
    if problems:
        raise UserError(*(f"户号 {household.number}：{p}" for p in problems))
    if rep is None:
        rep = HouseholdRep(election_id=election.id, household_id=household.id, resident_id=person.id,
                           designation=designation.strip()[:500], recorded_by=actor)
        db.add(rep)
    else:
        rep.designation = designation.strip()[:500]
    db.flush()
    record_event(db, election, ek.ROLL_HOUSEHOLD_REP_DESIGNATED, {"household": household.number}, actor)
    return rep


def withdraw(db: Session, election: Election, household_number: str, actor: str) -> None:
    """Withdraw a household's designation (before its representative took a paper)."""
    from ..models import Issuance

    begin_write(db)
    household = db.scalar(select(Household).where(Household.election_id == election.id,
                                                  Household.number == household_number.strip()))
    rep = household_rep_of(db, election, household.id) if household else None
    if rep is None:
        raise UserError(f"户号“{household_number.strip()[:40]}”没有已推选的户代表")
    if db.scalar(select(Issuance.id).where(Issuance.election_id == election.id, Issuance.voter_id == rep.resident_id)):
        raise UserError(f"户号 {household_number.strip()}：户代表已领取选票，不能撤销推选")
    db.delete(rep)
    db.flush()
    record_event(db, election, ek.ROLL_HOUSEHOLD_REP_WITHDRAWN, {"household": household_number.strip()}, actor)
