"""Who is on the roll: eligibility on election day, registration by application
(非户籍常住居民、社区工作者), status changes with their reasons, one-roll-only flags and
the overview counts. Every change is an event with the resident id and masked ID only."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, contains_eager

from ..db import begin_write, of_election
from ..decisions import Cited, adopted_decisions, cited_decision
from ..errors import NotFound, UserError
from ..ledger.events import record_event
from ..models import CATEGORIES, STATUSES, Election, Meeting, MeetingDecision, Resident, RollApplication
from ..protocol import event_kinds as ek
from ..rules import eligibility as rules
from ..rules.rulebook import Rulebook
from ..settings import rulebook_of

CATEGORY_LABELS = {"hukou": rules.HUJI_LOCAL, "resident": rules.HUJI_RESIDENT, "worker": rules.HUJI_WORKER}
# Status changes the committee may make by hand; "registered" is "restored" (恢复登记).
CHANGES = {
    "registered": "恢复登记",
    "removed": "除名",
    "deceased": "死亡",
    "moved_out": "迁出",
    "deprived": "被剥夺政治权利",
    "no_capacity": "无民事行为能力",
}


def adult_cutoff(election_day: date, min_age: int = 18) -> date:
    """The latest birth date that is of full age on election day (29 Feb -> 1 Mar rule)."""
    try:
        return election_day.replace(year=election_day.year - min_age)
    except ValueError:
        return date(election_day.year - min_age, 2, 28)


def work_since_of(db: Session, resident: Resident) -> date | None:
    return db.scalar(
        select(RollApplication.since)
        .where(RollApplication.resident_id == resident.id, RollApplication.kind == "worker")
        .order_by(RollApplication.id.desc()).limit(1)
    )


def judge(election: Election, *, birth_date: date, category: str, residence_since: date | None,
          work_since: date | None = None, deprived: bool = False, basis: str = "",
          book=None, recommendation: str | None = None) -> rules.Eligibility:
    """The eligibility rule with the parameters of the election's rulebook."""
    book = book or rulebook_of(election)
    return rules.check(
        birth_date=birth_date, election_day=election.election_day,
        category=CATEGORY_LABELS.get(category, category), residence_since=residence_since,
        work_since=work_since, deprived_of_political_rights=deprived, deprivation_basis=basis,
        min_age=book.voter_min_age, residence_months=book.nonhukou_residence_months,
        worker_months=book.community_worker_months,
        # A recommendation is looked at when the application is made; a registered worker keeps it.
        worker_needs_recommendation=book.community_worker_recommendation and recommendation is not None,
        resident_needs_consent=book.nonhukou_consent_required and recommendation is not None,
        recommendation=recommendation or "",
    )


def judge_resident(db: Session, election: Election, resident: Resident) -> rules.Eligibility:
    return judge(
        election, birth_date=resident.birth_date, category=resident.category,
        residence_since=resident.residence_since,
        work_since=work_since_of(db, resident) if resident.category == "worker" else None,
        deprived=resident.status == "deprived", basis=resident.status_basis,
    )


def resident_of(db: Session, election: Election, resident_id: int) -> Resident:
    return of_election(db, Resident, resident_id, election.id, NotFound(resident_id))


def _event_kind(election: Election, before_freeze: str, after_freeze: str) -> str:
    # After the freeze every change is a recorded decision of the committee.
    return after_freeze if election.roll_frozen_at is not None else before_freeze


def _require_decision(election: Election, reason: str) -> None:
    if election.roll_frozen_at is not None and not reason.strip():
        raise UserError("选民名单已冻结：变更须填写选举委员会的决定及理由")


def change_status(db: Session, election: Election, resident: Resident, status: str, reason: str,
                  actor: str, basis: str = "") -> Resident:
    """Remove, mark deceased / moved out / deprived, or restore a resident; reason required."""
    begin_write(db)
    problems = []
    if status not in CHANGES:
        problems.append(f"状态“{status}”无效，可选：{'、'.join(CHANGES.values())}")
    if not reason.strip():
        problems.append("请填写变更理由（将记入事件记录）")
    if status == "deprived" and not basis.strip():
        problems.append("被剥夺政治权利须填写依据（如判决书文号）")
    if status == "no_capacity":
        if not rulebook_of(election).exclude_no_legal_capacity:
            problems.append(f"本选举规则不因无民事行为能力而不列入选民名单"
                            f"（{Rulebook.label('exclude_no_legal_capacity')}为否）")
        elif not basis.strip():
            problems.append("无民事行为能力须填写依据（如法院认定的判决书文号）")
    if status == resident.status:
        problems.append(f"{resident.name}的状态已是“{STATUSES[status]}”")
    if status == "registered" and resident.category == "resident" and not _has_approved(db, resident):
        problems.append(f"{resident.name}为非户籍常住居民，须先登记申请（申请登记页面）")
    if problems:
        raise UserError(*problems)
    before = resident.status
    resident.status = status
    resident.status_basis = basis.strip() if status in ("deprived", "no_capacity") else ""
    if status == "registered":
        resident.double_registration = False  # restoring is the committee's decision on the flag too
    resident.eligible = judge_resident(db, election, resident).eligible
    record_event(
        db, election, _event_kind(election, ek.ROLL_STATUS_CHANGED, ek.ROLL_STATUS_CHANGED_BY_DECISION),
        {"resident": resident.id, "id_masked": resident.id_masked, "from": before, "to": status,
         "basis": resident.status_basis},
        actor, reason.strip(),
    )
    return resident


def _has_approved(db: Session, resident: Resident) -> bool:
    return (db.scalar(
        select(func.count(RollApplication.id))
        .where(RollApplication.resident_id == resident.id, RollApplication.result == "approved")
    ) or 0) > 0


CONSENT_MEETINGS = {"residents": "居民会议", "representatives": "居民代表会议"}


def consent_decisions(db: Session, election: Election) -> list[Cited]:
    """The adopted decisions of this election's 居民会议 and 居民代表会议: what a non-hukou
    resident's registration may rely on (nonhukou_consent_required, [V art.13])."""
    return adopted_decisions(db, election, CONSENT_MEETINGS)


def consent_label(decision: MeetingDecision, meeting: Meeting) -> str:
    return (f"{meeting.held_on.isoformat()}{CONSENT_MEETINGS.get(meeting.kind, meeting.kind)}“{meeting.title}”"
            f"第{decision.number}项：{decision.motion}")


def _consent(db: Session, election: Election, decision_id: int | None) -> Cited:
    """The meeting's consent a non-hukou resident's registration relies on, where the
    rulebook asks for it: refused, naming the rule and its source, until such a decision
    exists and is chosen."""
    return cited_decision(db, election, CONSENT_MEETINGS, decision_id,
                          requirement="非户籍常住居民登记须经居民会议或居民代表会议同意",
                          rule_field="nonhukou_consent_required", purpose="同意登记")


def apply_for_registration(db: Session, election: Election, resident: Resident, kind: str, since: date,
                           declared_single: bool, actor: str, note: str = "",
                           recommendation: str = "", decision_id: int | None = None) -> RollApplication:
    """Record an application; register the resident when the rules are met, else record why not.

    A non-hukou resident, where the rulebook asks for the meeting's consent, names the
    adopted decision of the 居民会议 or 居民代表会议 (``decision_id``): the application is
    refused until one exists, and records which one it relies on."""
    begin_write(db)
    problems = []
    if kind not in ("resident", "worker"):
        problems.append("申请类别须为“非户籍常住居民”或“社区工作者”")
    if since is None:
        problems.append("请填写居住（工作）起始日期")
    if not declared_single and rulebook_of(election).one_roll_only:
        problems.append(f"申请人须声明未在其他地方登记为选民（{Rulebook.label('one_roll_only')}）")
    if resident.status not in ("pending", "registered", "ineligible"):
        problems.append(f"{resident.name}当前状态为“{STATUSES[resident.status]}”，不能申请登记")
    if problems:
        raise UserError(*problems)
    _require_decision(election, note)
    consent = None
    if kind == "resident" and rulebook_of(election).nonhukou_consent_required:
        consent = _consent(db, election, decision_id)
        recommendation = consent_label(*consent)
    verdict = judge(
        election, birth_date=resident.birth_date, category=kind,
        residence_since=since if kind == "resident" else resident.residence_since,
        work_since=since if kind == "worker" else None,
        recommendation=recommendation,
    )
    application = RollApplication(
        election_id=election.id, resident_id=resident.id, kind=kind, since=since,
        declared_single=declared_single, result="approved" if verdict.eligible else "refused",
        reasons="；".join(verdict.reasons), entered_by=actor, recommendation=recommendation.strip()[:500],
    )
    db.add(application)
    before = resident.status
    if verdict.eligible and not resident.double_registration:
        resident.category = kind
        if kind == "resident":
            resident.residence_since = since
        resident.status = "registered"
        resident.eligible = True
    elif not verdict.eligible and resident.status == "pending":
        resident.status = "ineligible"
    db.flush()
    record_event(
        db, election, _event_kind(election, ek.ROLL_APPLICATION_DECIDED, ek.ROLL_APPLICATION_DECIDED_BY_DECISION),
        {"resident": resident.id, "id_masked": resident.id_masked, "application": application.id,
         "kind": kind, "since": since.isoformat(), "result": application.result,
         **({"recommendation": application.recommendation} if application.recommendation else {}),
         **({"consent": {"meeting": consent[1].id, "number": consent[0].number}} if consent else {}),
         "from": before, "to": resident.status},
        actor, note.strip() or application.reasons,
    )
    return application


def recompute_eligibility(db: Session, election: Election) -> int:
    """Recompute every resident's eligibility for the current election day; returns voters."""
    residents = list(db.scalars(select(Resident).where(Resident.election_id == election.id)))
    workers = dict(db.execute(
        select(RollApplication.resident_id, RollApplication.since)
        .where(RollApplication.election_id == election.id, RollApplication.kind == "worker")
        .order_by(RollApplication.id)
    ).all())
    book = rulebook_of(election)
    for r in residents:
        r.eligible = judge(
            election, birth_date=r.birth_date, category=r.category, residence_since=r.residence_since,
            work_since=workers.get(r.id), deprived=r.status == "deprived", basis=r.status_basis, book=book,
        ).eligible
    db.flush()
    return sum(1 for r in residents if r.is_voter)


def flag_double_registrations(db: Session, election: Election, hashes: list[str], today: date) -> set[str]:
    """Hashes already on the roll of another current election; both sides get the flag."""
    others = select(Election.id).where(Election.id != election.id, Election.election_day >= today)
    found: set[str] = set()
    for start in range(0, len(hashes), 500):
        chunk = hashes[start:start + 500]
        found.update(db.scalars(
            select(Resident.id_hash).where(Resident.election_id.in_(others), Resident.id_hash.in_(chunk))
        ))
    if found:
        db.execute(
            update(Resident).where(Resident.election_id.in_(others), Resident.id_hash.in_(sorted(found)))
            .values(double_registration=True)
        )
    return found


@dataclass(frozen=True)
class Overview:
    residents: int
    registered: int
    voters: int
    under_age: int
    flagged: int
    pending: int
    households: int


def voters_query(election: Election):
    """The election's voters (registered and eligible) as a query over Resident; the same
    test on one resident is is_voter_of."""
    return select(Resident).where(Resident.election_id == election.id, Resident.is_voter)


def is_voter_of(resident: Resident | None, election: Election) -> bool:
    """Whether this resident is a voter of this election (registered and eligible)."""
    return resident is not None and resident.election_id == election.id and resident.is_voter


def overview(db: Session, election: Election) -> Overview:
    def count(*where) -> int:
        return db.scalar(select(func.count(Resident.id)).where(Resident.election_id == election.id, *where)) or 0

    from ..models import Household

    cutoff = adult_cutoff(election.election_day, rulebook_of(election).voter_min_age)
    return Overview(
        residents=count(),
        registered=count(Resident.status == "registered"),
        voters=count(Resident.is_voter),
        under_age=count(Resident.birth_date > cutoff),
        flagged=count(Resident.double_registration.is_(True)),
        pending=count(Resident.status == "pending"),
        households=db.scalar(select(func.count(Household.id)).where(Household.election_id == election.id)) or 0,
    )


def listing(db: Session, election: Election) -> list[Resident]:
    """Every resident on the roll, by 居民小组, household and name (the roll's export)."""
    from ..models import Household
    from .groups import group_key

    return sorted(db.scalars(
        select(Resident).join(Household, Household.id == Resident.household_id)
        .options(contains_eager(Resident.household))
        .where(Resident.election_id == election.id)
        .order_by(Household.number, Resident.name, Resident.id)
    ), key=lambda r: group_key(r.group_name))


def applications_of(db: Session, election: Election) -> list[RollApplication]:
    """The applications for registration, newest first (the applications page)."""
    return list(db.scalars(select(RollApplication).where(RollApplication.election_id == election.id)
                           .order_by(RollApplication.id.desc())))


def applications_for(db: Session, resident: Resident) -> list[RollApplication]:
    """One resident's applications for registration, oldest first (the resident's page)."""
    return list(db.scalars(select(RollApplication).where(RollApplication.resident_id == resident.id)
                           .order_by(RollApplication.id)))


def awaiting_registration(db: Session, election: Election) -> list[Resident]:
    """Residents an application may be made for: pending or found ineligible, by group and name."""
    return list(db.scalars(select(Resident).where(
        Resident.election_id == election.id, Resident.status.in_(("pending", "ineligible")))
        .order_by(Resident.group_name, Resident.name)))


def category_label(resident: Resident) -> str:
    return CATEGORIES.get(resident.category, resident.category)
