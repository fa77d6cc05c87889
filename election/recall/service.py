"""A recall from proposal to result: the proposal with its reasons, signed by at least the
rulebook's share of the voters (recall_propose_voters) or of the representatives
(recall_propose_reps), every signer checked against the roll and counted once; the
member's written defence (申辩); the vote's totals checked against the rulebook (valid with
more than recall_turnout of the registered voters voting, carried with more than
recall_approve of the votes cast); when carried the seat is vacant. Each step an event.

The vote on secret paper (call_vote, publish_vote) is a round of the election of kind
"recall": one paper per voter printed by Juxuan with the election's receipt and audit codes,
handed out, deposited, counted, reconciled, published, bundled, verified and audited by the
same machinery as the election's rounds; the tally decides the question (rules.question)
and its outcome is this recall's. Totals entered by hand (record_vote) remain for a vote
held and counted elsewhere."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..clock import today
from ..counting import result as counting
from ..db import begin_write, of_election
from ..errors import UserError
from ..ledger.events import record_event
from ..mandates import service as mandates
from ..models import Candidate, Election, Recall, RecallSignature, Representative, Resident, Round, RoundResult
from ..protocol import event_kinds as ek
from ..roll.lookup import resolve_voter
from ..roll.register import voters_query
from ..rounds import latest_round
from ..rules.recall import recall_vote, request
from ..rules.rulebook import Rulebook
from ..rules.shares import share_text
from ..settings import posts_of, rulebook_of

BASES = {"voters": "选民", "representatives": "居民代表"}


def _base_total(db: Session, election: Election, base: str) -> int:
    if base == "voters":
        return db.scalar(select(func.count()).select_from(voters_query(election).subquery())) or 0
    return db.scalar(select(func.count(Representative.id)).where(
        Representative.election_id == election.id, Representative.status == "serving")) or 0


def propose(db: Session, election: Election, member_key: str, reasons: str, base: str, signers_text: str,
            actor: str) -> Recall:
    """File a recall proposal; refused (nothing stored) below the share, naming each signer
    who is not on the roll, not a representative, or signed twice."""
    begin_write(db)
    if base not in BASES:
        raise UserError(f"联名人须为{'或'.join(BASES.values())}")
    if not reasons.strip():
        raise UserError("罢免要求须写明理由")
    member = mandates.serving_mandate(db, election, member_key)
    if db.scalar(select(Recall.id).where(Recall.election_id == election.id, Recall.post == member.post,
                                         Recall.resident_id == member.resident_id, Recall.status == "proposed")):
        raise UserError(f"对{member.name}的罢免要求已提出，尚待投票")
    lines = [" ".join(x.split()) for x in signers_text.splitlines() if x.strip()]
    problems: list[str] = []
    signers: dict[int, Resident] = {}
    reps = set(db.scalars(select(Representative.resident_id).where(
        Representative.election_id == election.id, Representative.status == "serving")))
    for n, line in enumerate(lines, start=1):
        try:
            person = resolve_voter(db, election, line, role=f"第 {n} 行联名人")
        except UserError as error:
            problems += error.messages
            continue
        if base == "representatives" and person.id not in reps:
            problems.append(f"第 {n} 行联名人{person.name}不是现任居民代表")
        elif person.id in signers:
            problems.append(f"第 {n} 行联名人{person.name}重复签名，只计一次")
        else:
            signers[person.id] = person
    total = _base_total(db, election, base)
    book = rulebook_of(election)
    key = "recall_propose_voters" if base == "voters" else "recall_propose_reps"
    check = request(f"罢免{member.name}（{BASES[base]}联名）", len(signers), max(total, len(signers), 1), getattr(book, key))
    if not check.enough:
        raise UserError(check.message + f"（{Rulebook.label(key)}）", *problems)
    row = Recall(election_id=election.id, post=member.post, resident_id=member.resident_id, reasons=reasons.strip(),
                 base=base, signers=len(signers), base_total=total, filed_on=today(), created_by=actor)
    db.add(row)
    db.flush()
    for rid in sorted(signers):
        db.add(RecallSignature(recall_id=row.id, resident_id=rid))
    db.flush()
    record_event(db, election, ek.RECALL_PETITION_FILED, {
        "recall": row.id, "post": member.post, "person": str(member.resident_id), "name": member.name,
        "base": base, "signers": len(signers), "total": total, "share": share_text(getattr(book, key)),
        "not_counted": problems,
    }, actor, check.message)
    return row


def recall_of(db: Session, election: Election, recall_id: int) -> Recall:
    return of_election(db, Recall, recall_id, election.id, UserError("该罢免要求不存在"))


def person_of(db: Session, recall: Recall) -> Resident:
    """The member the recall is about."""
    return db.get_one(Resident, recall.resident_id)


def recalls_of(db: Session, election: Election) -> list[Recall]:
    return list(db.scalars(select(Recall).where(Recall.election_id == election.id).order_by(Recall.id.desc())))


def record_defence(db: Session, election: Election, recall_id: int, text: str, actor: str) -> Recall:
    begin_write(db)
    row = recall_of(db, election, recall_id)
    if row.status != "proposed":
        raise UserError("罢免投票已进行，不能再记录申辩意见")
    if not text.strip():
        raise UserError("请填写被罢免人的申辩意见")
    row.defence = text.strip()
    record_event(db, election, ek.RECALL_DEFENCE_RECORDED, {"recall": row.id, "length": len(row.defence)}, actor)
    db.flush()
    return row


def record_vote(db: Session, election: Election, recall_id: int, voted: int, in_favour: int, voted_on: date,
                actor: str) -> Recall:
    """The vote's totals against the registered voters of the roll; carried: the seat is vacant."""
    begin_write(db)
    row = recall_of(db, election, recall_id)
    mandates.lock_member(db, row.resident_id)  # before the event: the seat may be vacated after it
    db.refresh(row)
    if row.status == "voting":
        raise UserError("该罢免已以表决票投票，结果由计票产生，不能另行录入投票结果")
    if row.status != "proposed":
        raise UserError("该罢免要求的投票结果已记录")
    registered = _base_total(db, election, "voters")
    if not 0 <= in_favour <= voted <= registered:
        raise UserError(f"投票人数 {voted}、赞成票 {in_favour} 须满足 0 ≤ 赞成 ≤ 投票 ≤ 登记选民 {registered}")
    if voted_on > today():
        raise UserError(f"投票日期{voted_on.isoformat()}晚于今天：投票后再记录结果")
    if voted_on < row.filed_on:
        raise UserError("投票日期不能早于罢免要求提出的日期")
    book = rulebook_of(election)
    result = recall_vote(registered, voted, in_favour, book.recall_turnout, book.recall_approve)
    row.registered, row.voted, row.in_favour, row.voted_on = registered, voted, in_favour, voted_on
    row.status = "carried" if result.carried else ("failed" if result.valid else "void")
    row.message = result.message
    db.flush()
    record_event(db, election, ek.RECALL_VOTE_RECORDED, {
        "recall": row.id, "post": row.post, "person": str(row.resident_id), "registered": registered, "voted": voted,
        "in_favour": in_favour, "valid": result.valid, "carried": result.carried, "voted_on": voted_on.isoformat(),
        "turnout": share_text(book.recall_turnout),
        "approve": share_text(book.recall_approve),
    }, actor, result.message)
    if result.carried:
        mandates.vacate(db, election, f"{row.post}:{row.resident_id}", "recalled", voted_on,
                        f"罢免投票（{result.message}）", actor)
    return row


def signers_of(db: Session, recall: Recall) -> list[Resident]:
    return list(db.scalars(select(Resident).join(RecallSignature, RecallSignature.resident_id == Resident.id)
                           .where(RecallSignature.recall_id == recall.id).order_by(Resident.voter_number)))


def round_of_recall(db: Session, election: Election, recall_id: int) -> Round | None:
    """The round of kind "recall" that votes on this recall (its section names it)."""
    for rnd in db.scalars(select(Round).where(Round.election_id == election.id, Round.kind == "recall")
                          .order_by(Round.number)):
        if any(int(info.get("recall", 0)) == recall_id for info in rnd.posts.values()):
            return rnd
    return None


def call_vote(db: Session, election: Election, recall_id: int, held_on: date, actor: str) -> Round:
    """Convene the recall vote on secret paper: a new round of kind "recall" whose one
    section is the member's line (the Candidate row that elected them). Refused while
    another round is open (the desks and boxes serve one round at a time)."""
    begin_write(db)
    row = recall_of(db, election, recall_id)
    if row.status == "voting":
        raise UserError("该罢免要求已在投票中")
    if row.status != "proposed":
        raise UserError("该罢免要求的投票结果已记录")
    latest = latest_round(db, election)
    if latest is None or latest.status != "published":
        which = f"第 {latest.number} 轮" if latest is not None else "第 1 轮"
        raise UserError(f"{which}投票尚未公布结果，须待本轮结束后再进行罢免投票")
    if held_on < today():
        raise UserError(f"罢免投票日期{held_on.isoformat()}早于今天")
    if held_on < row.filed_on:
        raise UserError("罢免投票日期不能早于罢免要求提出的日期")
    member = mandates.serving_mandate(db, election, f"{row.post}:{row.resident_id}")
    candidate = db.scalar(select(Candidate).where(Candidate.election_id == election.id, Candidate.post == row.post,
                                                 Candidate.resident_id == row.resident_id))
    if candidate is None:  # elected as a write-in: the paper's line still needs a row
        candidate = Candidate(election_id=election.id, resident_id=row.resident_id, post=row.post, status="formal")
        db.add(candidate)
        db.flush()
    post = next(p for p in posts_of(election) if p.key == row.post)
    question = f"罢免{post.name_zh}{member.name}"
    section = {"seats": 1, "candidates": [candidate.id], "reserved_woman_seats": 0, "question": question,
               "recall": row.id}
    rnd = Round(election_id=election.id, number=latest.number + 1, kind="recall", status="open", held_on=held_on,
                posts={row.post: section})
    db.add(rnd)
    row.status = "voting"
    db.flush()
    record_event(db, election, ek.RECALL_VOTE_CALLED, {
        "recall": row.id, "round": rnd.number, "post": row.post, "person": str(row.resident_id),
        "question": question, "held_on": held_on.isoformat(),
    }, actor, question)
    return rnd


COUNTED = ("registered", "voted", "agree", "disagree", "abstain", "invalid", "valid", "carried", "turnout", "approve")


def publish_vote(db: Session, election: Election, recall_id: int, actor: str) -> Recall:
    """Publish the recall round's result (counting's own checks and publication), then
    take its decided question as this recall's outcome: carried, the seat is vacant."""
    begin_write(db)
    row = recall_of(db, election, recall_id)
    mandates.lock_member(db, row.resident_id)  # before publish_result's events: the seat may be vacated after them
    db.refresh(row)
    rnd = round_of_recall(db, election, recall_id)
    if row.status != "voting" or rnd is None:
        raise UserError("该罢免要求没有以表决票进行的投票")
    voted_on = rnd.held_on or today()
    if voted_on > today():
        raise UserError(f"罢免投票定于 {voted_on.isoformat()} 举行，投票日前不能公布结果")
    result: RoundResult = counting.publish_result(db, election, rnd.number, actor, question=True)
    q = result.result["question"]
    row.registered, row.voted, row.in_favour, row.voted_on = q["registered"], q["voted"], q["agree"], voted_on
    row.status = "carried" if q["carried"] else ("failed" if q["valid"] else "void")
    row.message = q["message"]
    db.flush()
    payload = {"recall": row.id, "round": rnd.number, "post": row.post, "person": str(row.resident_id),
               **{k: q[k] for k in COUNTED}, "voted_on": voted_on.isoformat()}
    record_event(db, election, ek.RECALL_VOTE_COUNTED, payload, actor, q["message"])
    if q["carried"]:
        mandates.vacate(db, election, f"{row.post}:{row.resident_id}", "recalled", voted_on,
                        f"罢免投票（第 {rnd.number} 轮，{q['message']}）", actor)
    return row
