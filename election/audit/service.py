"""The street office's risk-limiting comparison audit (docs/PROTOCOL.md §8, protocol/rla.py)
of one round's papers (the round of that round's bundle; default the last published).

start_audit: a dice seed and a risk limit; the sample size from the reported margins
(majority assertion per winner of a majority post, plurality assertion per winner and
loser) and the draws by box and position. record_draw: the auditor scans the drawn
paper's audit QR and enters its marks *blind* (the record is never shown first).
conclude: compare with the records, measure the risk, confirm or escalate (more draws,
up to a full hand count). Seed, sample, findings and conclusion go into the ledger.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import UserError
from ..ledger.events import record_event
from ..ledger.publish import box_keys, bundle_round, post_table
from ..ledger.recount import tally_records, to_paper
from ..models import Audit, AuditCode, AuditDraw, Election, Round, RoundResult
from ..protocol import rla
from ..protocol.bundle import Record
from ..protocol.codes import CodeError, audit_hash, parse_audit_qr
from ..rules.rulebook import Rulebook


def _records(db: Session, election: Election, round_number: int) -> list[Record]:
    names = box_keys(db, election)
    rows = db.execute(select(AuditCode.d_hash, AuditCode.box_id, AuditCode.marks).where(
        AuditCode.election_id == election.id, AuditCode.round_number == round_number, AuditCode.state == "counted")).all()
    return [Record(d, names[b], dict(m or {})) for d, b, m in rows if b is not None]


def approvals(marks: Mapping[str, Any] | None, seats: Mapping[str, int]) -> dict[str, set[str]]:
    """Approvals per post of one paper as the tally counts them: nothing for an unreadable
    or overvoted post (PROTOCOL.md §8: a blank or invalid post approves nobody)."""
    out: dict[str, set[str]] = {}
    for post, pm in to_paper(marks).marks.items():
        appr = set(pm.approve | pm.write_ins)
        if pm.unreadable or len(appr) > seats.get(post, 0) or (appr & pm.oppose):
            appr = set()
        out[post] = appr
    return out


def assertions_for(db: Session, election: Election, records: list[Record] | None = None,
                   round_number: int | None = None) -> list[rla.Assertion]:
    """The assertions that make the reported winners of a round the winners."""
    number = bundle_round(db, election, round_number)
    records = _records(db, election, number) if records is None else records
    posts = post_table(db, election, number)
    votes = tally_records(records, posts, election.rulebook)
    n = len(records)
    if n == 0:
        raise UserError(f"第 {number} 轮尚无计票记录，无法开始风险限制审计")
    published = db.scalar(select(RoundResult).where(RoundResult.election_id == election.id,
                                                    RoundResult.round_number == number))
    from ..rules.bodies import BodiesConfig

    rb = Rulebook.from_dict(election.rulebook)
    cfg = BodiesConfig.build(election.jwh_deputies, election.jwh_members, election.jdw_deputies, election.jdw_members, rb)
    # Only the first round's "more than half" is a majority assertion: a re-vote is decided
    # by most votes, and a run-off's "at least 1/3 of its papers" is checked by the recount.
    later = _kind(db, election, number) != "main"
    threshold = {s.key: "plurality" if later else s.threshold for s in cfg.post_specs(rb)}
    out: list[rla.Assertion] = []
    for post, info in posts.items():
        v = votes[post]
        ranked = sorted(v, key=lambda c: -v[c])
        if published is not None:
            winners = [e["person"] for e in published.result["posts"].get(post, {}).get("elected", [])]
        else:
            winners = [c for c in ranked[: info["seats"]]
                       if threshold.get(post) != "majority" or 2 * v[c] > n]
        losers = [c for c in ranked if c not in winners]
        if threshold.get(post) == "majority":
            out += rla.majority_assertions(post, winners, v, n)
        out += rla.plurality_assertions(post, winners, losers, v, n)
    return out


def sample_size_for(assertions: list[rla.Assertion], risk_limit: float, papers: int) -> int:
    """The documented size (PROTOCOL.md §8, no expected discrepancies) of the assertion
    with the smallest diluted margin; a full hand count when a margin is not positive."""
    if not assertions:
        return 0
    mu = min(a.diluted_margin for a in assertions)
    if mu <= 0:
        return papers
    return min(papers, rla.sample_size(mu, risk_limit))


def _kind(db: Session, election: Election, number: int) -> str:
    return db.scalar(select(Round.kind).where(Round.election_id == election.id, Round.number == number)) or "main"


def current_audit(db: Session, election: Election, round_number: int | None = None) -> Audit | None:
    """The latest audit of a round (of any round when none is given)."""
    query = select(Audit).where(Audit.election_id == election.id)
    if round_number is not None:
        query = query.where(Audit.round_number == round_number)
    return db.scalar(query.order_by(Audit.id.desc()).limit(1))


def draws_of(db: Session, audit: Audit) -> list[AuditDraw]:
    return list(db.scalars(select(AuditDraw).where(AuditDraw.audit_id == audit.id).order_by(AuditDraw.index)))


def start_audit(db: Session, election: Election, seed: str, actor: str, risk_limit: Fraction | None = None,
                round_number: int | None = None) -> Audit:
    """Start an audit of a round (default: the last published) from a public dice seed;
    the draws are stored and recorded."""
    try:
        clean = rla.normalise_seed(seed)
    except ValueError as exc:
        raise UserError(f"随机种子：{exc}") from None
    alpha = Rulebook.from_dict(election.rulebook).rla_risk_limit if risk_limit is None else Fraction(risk_limit)
    if not 0 < alpha < 1:
        raise UserError(f"风险上限须在 0 与 1 之间，实际为 {alpha}")
    number = bundle_round(db, election, round_number)
    records = _records(db, election, number)
    assertions = assertions_for(db, election, records, number)
    boxes = dict(Counter(r.box for r in records))
    n = sample_size_for(assertions, float(alpha), len(records))
    audit = Audit(election_id=election.id, round_number=number, seed=clean,
                  risk_limit=f"{alpha.numerator}/{alpha.denominator}",
                  papers=len(records), boxes=boxes, sample_size=n, status="open", started_by=actor)
    db.add(audit)
    db.flush()
    _add_draws(db, audit, 1, n)
    record_event(db, election, "audit_started", {
        "audit": audit.id, "round": number, "seed": clean, "risk_limit": audit.risk_limit, "papers": len(records), "boxes": boxes,
        "sample_size": n, "min_diluted_margin": str(round(min((a.diluted_margin for a in assertions), default=0), 6)),
    }, actor, "街道办事处风险限制审计：开始抽样")
    return audit


def _add_draws(db: Session, audit: Audit, start: int, n: int) -> None:
    for d in rla.draw_sample(audit.seed, audit.boxes, n, start):
        db.add(AuditDraw(audit_id=audit.id, index=d.index, box=d.box, position=d.position))
    db.flush()


def record_draw(db: Session, election: Election, audit: Audit, index: int, scanned: str,
                paper: dict[str, list[str]], actor: str) -> AuditDraw:
    """The auditor's reading of drawn paper ``index``: the scanned body QR and the
    approvals per post. The record is not consulted here (blind entry)."""
    draw = db.scalar(select(AuditDraw).where(AuditDraw.audit_id == audit.id, AuditDraw.index == index))
    if draw is None:
        raise UserError(f"第 {index} 次抽取不存在")
    if audit.status in ("confirmed", "full_count"):
        raise UserError("本次审计已结束，不能再录入")
    text = scanned.strip()
    try:
        d = text.lower() if len(text) == 64 and all(c in "0123456789abcdefABCDEF" for c in text) else audit_hash(election.uid, parse_audit_qr(text))
    except CodeError as exc:
        raise UserError(f"第 {index} 次抽取（票箱 {draw.box} 第 {draw.position} 张）：审计码无法识别：{exc}") from None
    posts = post_table(db, election, audit.round_number)
    unknown = [p for p in paper if p not in posts]
    if unknown:
        raise UserError(f"未知职位：{'、'.join(unknown)}")
    draw.d_hash = d
    draw.paper = {p: sorted(str(x) for x in paper.get(p, [])) for p in posts}
    draw.recorded_by = actor
    db.flush()
    return draw


def evaluate(db: Session, election: Election, audit: Audit) -> rla.AuditOutcome:
    """Compare every entered draw with record D (a draw whose D has no record in its
    box counts as a two-vote overstatement) and measure the risk."""
    posts = post_table(db, election, audit.round_number)
    seats = {p: int(i["seats"]) for p, i in posts.items()}
    names = box_keys(db, election)
    draws = [d for d in draws_of(db, audit) if d.d_hash is not None]
    recs = {d: (names.get(b), m) for d, b, m in db.execute(select(AuditCode.d_hash, AuditCode.box_id, AuditCode.marks).where(
        AuditCode.election_id == election.id, AuditCode.round_number == audit.round_number, AuditCode.state == "counted",
        AuditCode.d_hash.in_([d.d_hash for d in draws] or [""])))}
    comparisons = []
    for d in draws:
        rec = recs.get(d.d_hash)
        record = approvals(rec[1], seats) if rec is not None and rec[0] == d.box else None
        comparisons.append((record, {p: set(v) for p, v in (d.paper or {}).items()}))
    return rla.evaluate(assertions_for(db, election, round_number=audit.round_number), comparisons, audit.papers,
                        float(Fraction(audit.risk_limit)))


def conclude(db: Session, election: Election, audit: Audit, actor: str) -> rla.AuditOutcome:
    """Confirm the outcome, or escalate: more draws (continuing the seed's sequence), or a
    full hand count when the sample would reach every paper."""
    pending = [d.index for d in draws_of(db, audit) if d.d_hash is None]
    if pending:
        raise UserError(f"还有 {len(pending)} 张抽中的选票未录入（第 {pending[0]} 次抽取起）")
    outcome = evaluate(db, election, audit)
    findings = sum(1 for r in outcome.risks for _ in range(r.o1 + r.o2))
    if outcome.confirmed:
        audit.status = "confirmed"
    elif outcome.full_count:
        audit.status = "full_count"
    else:
        audit.status = "escalated"
        have = len(draws_of(db, audit))
        _add_draws(db, audit, have + 1, outcome.next_size - have)
        audit.sample_size = outcome.next_size
    audit.conclusion = outcome.message
    record_event(db, election, "audit_" + audit.status, {
        "audit": audit.id, "round": audit.round_number, "drawn": outcome.sampled, "overstatements": findings,
        "risks": {r.assertion.label: f"{r.risk:.6f}" for r in outcome.risks}, "next_sample_size": audit.sample_size,
        "message": outcome.message,
    }, actor, "街道办事处风险限制审计：结论")
    db.flush()
    return outcome


def audit_json(db: Session, election: Election, round_number: int = 1) -> dict[str, Any] | None:
    """audit.json of a round's auditor bundle: seed, risk limit, draws in order and findings."""
    audit = current_audit(db, election, round_number)
    if audit is None:
        return None
    draws = draws_of(db, audit)
    return {
        "seed": audit.seed, "risk_limit": audit.risk_limit, "papers": audit.papers, "status": audit.status,
        "draws": [[d.box, d.position] for d in draws],
        "findings": [{"index": d.index, "d": d.d_hash, "paper": d.paper} for d in draws if d.d_hash is not None],
        "conclusion": audit.conclusion,
    }
