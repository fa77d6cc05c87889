"""Must show 3: the street office's risk-limiting comparison audit (PROTOCOL.md §8).
An audit whose papers match their records confirms with the documented sample size
(n = ceil(-2γ ln α / μ) for the smallest diluted margin); one with a planted discrepancy
(a paper read differently from its record) escalates. Seed, sample and conclusion are
ledger events, and the auditor bundle's audit.json reproduces from the seed."""
from __future__ import annotations

import math
from fractions import Fraction

import pytest

from election.audit import service
from election.errors import UserError
from election.ledger.events import events_of
from election.models import AuditCode
from election.protocol import rla
from tests.ledger.helpers import export, simulated
from tools.verify import run

SEED = "3141 5926 5358 9793 2384 6"


def _record_of(db, election, draw):
    """Play the auditor holding the paper: the test reads the paper's true marks from the
    record (the page never shows it)."""
    from election.ledger.publish import box_keys

    names = box_keys(db, election)
    rows = sorted((d, b) for d, b in db.query(AuditCode.d_hash, AuditCode.box_id)
                  .filter(AuditCode.election_id == election.id, AuditCode.state == "counted"))
    in_box = [d for d, b in rows if names[b] == draw.box]
    d = in_box[draw.position - 1]  # the sealed box's order, stood in for by the sorted D list
    marks = db.get(AuditCode, (election.id, d)).marks
    return d, {p: sorted(m["approve"] + m["write_ins"]) for p, m in marks.items()}


def _enter_all(db, election, audit, plant: tuple[str, str] | None = None) -> int | None:
    """Enter every pending draw as the paper reads. ``plant`` = (winner, loser) of
    jwh_zhuren: on the first paper whose record approves the winner, the paper is read
    as approving the loser instead (a two-vote overstatement). Returns its draw index."""
    planted = None
    for draw in service.draws_of(db, audit):
        if draw.d_hash is not None:
            continue
        d, paper = _record_of(db, election, draw)
        if plant is not None and planted is None and paper["jwh_zhuren"] == [plant[0]]:
            paper["jwh_zhuren"] = [plant[1]]
            planted = draw.index
        service.record_draw(db, election, audit, draw.index, d, paper, "auditor")
    return planted


def test_sample_size_is_the_documented_formula(db):
    sim = simulated(db)
    e = sim.election
    audit = service.start_audit(db, e, SEED, "auditor")
    mu = min(a.diluted_margin for a in service.assertions_for(db, e))
    expected = math.ceil(-2 * rla.DEFAULT_GAMMA * math.log(0.05) / mu)
    assert audit.sample_size == expected == len(service.draws_of(db, audit))
    assert 0 < expected < audit.papers
    assert audit.risk_limit == "1/20"  # rulebook.rla_risk_limit
    first = rla.draw_sample(SEED, audit.boxes, 1)[0]
    d0 = service.draws_of(db, audit)[0]
    assert (d0.box, d0.position) == (first.box, first.position)


def test_matching_papers_confirm_the_outcome(db):
    sim = simulated(db)
    e = sim.election
    audit = service.start_audit(db, e, SEED, "auditor")
    _enter_all(db, e, audit)
    outcome = service.conclude(db, e, audit, "auditor")
    assert outcome.confirmed and audit.status == "confirmed"
    kinds = [ev.kind for ev in events_of(db, e)]
    assert "audit_started" in kinds and "audit_confirmed" in kinds
    db.commit()
    data = export(db, e)
    checks = {c.name_en: c for c in run(data)}
    assert checks["audit_sample"].ok and all(c.ok for c in checks.values())


def test_planted_discrepancy_escalates(db):
    sim = simulated(db)
    e = sim.election
    audit = service.start_audit(db, e, SEED, "auditor")
    first_size = audit.sample_size
    winner, loser = sim.candidates["jwh_zhuren"][:2]
    assert _enter_all(db, e, audit, plant=(winner, loser)) is not None
    outcome = service.conclude(db, e, audit, "auditor")
    assert not outcome.confirmed
    assert audit.status in ("escalated", "full_count")
    if audit.status == "escalated":
        assert audit.sample_size > first_size == outcome.sampled
        assert len(service.draws_of(db, audit)) == audit.sample_size
    assert any(ev.kind == f"audit_{audit.status}" for ev in events_of(db, e))
    # The extra draws continue the same seeded sequence: the verifier reproduces them.
    db.commit()
    assert {c.name_en: c.ok for c in run(export(db, e))}["audit_sample"]


def test_unknown_paper_counts_as_overstatement_and_bad_seed_is_refused(db):
    sim = simulated(db)
    e = sim.election
    with pytest.raises(UserError) as err:
        service.start_audit(db, e, "1234", "auditor")
    assert "20" in err.value.messages[0]
    audit = service.start_audit(db, e, SEED, "auditor", Fraction(1, 10))
    draw = service.draws_of(db, audit)[0]
    service.record_draw(db, e, audit, draw.index, "ff" * 32, {}, "auditor")
    out = service.evaluate(db, e, audit)
    assert any(r.o2 == 1 for r in out.risks)
    with pytest.raises(UserError):
        service.conclude(db, e, audit, "auditor")  # papers still to enter
