"""Issue 14, must show 3 (verifier): the auditor bundle's audit is recomputed, and a
bundle the server sealed with its own key still fails, under the named check, when the
audit's status does not follow from its findings or when an audit of the round is hidden."""
from __future__ import annotations

from election.audit import service
from election.models import Audit, AuditDraw
from tests.audit import seeding
from tests.audit.test_rla_service import SEED, _enter_all, _sealed
from tests.ledger.helpers import export, simulated
from tools.verify import run


def _checks(db, e) -> dict:
    db.commit()
    return {c.name_en: c for c in run(export(db, e))}


def _enter_with_five_blank_zhuren(db, e, audit: Audit) -> None:
    """Every draw entered, five papers read blank for 主任 where the records have the winner."""
    winner = [x.person_id for x in service.reported(db, e, 1).result.post("jwh_zhuren").elected]
    assert winner
    state = {"n": 0}

    def blank_zhuren(entry):
        z = entry["posts"]["jwh_zhuren"]
        if state["n"] < 5 and z["approve"] == winner:
            entry["posts"]["jwh_zhuren"] = {**z, "approve": []}
            state["n"] += 1
            return True
        return False

    _enter_all(db, e, audit, blank_zhuren)


def test_status_that_does_not_follow_from_the_findings_fails_audit_recompute(db):
    e = simulated(db).election
    _sealed(db, e)
    audit = seeding.start(db, e, SEED, "auditor")
    _enter_with_five_blank_zhuren(db, e, audit)
    ev = service.conclude(db, e, audit, "auditor")
    assert ev.status != "confirmed"
    honest = _checks(db, e)
    assert honest["audit_recompute"].ok and honest["audit_count"].ok and honest["audit_commitment"].ok
    # A dishonest server marks the audit confirmed and seals the bundle with its own key.
    audit.status = "confirmed"
    checks = _checks(db, e)
    assert not checks["audit_recompute"].ok and "结果得到确认" in checks["audit_recompute"].detail
    # Everything the server's key can vouch for still passes: only the recomputation catches it.
    assert checks["chain"].ok and checks["head_signature"].ok and checks["bundle_index"].ok


def test_a_hidden_second_audit_fails_audit_count(db):
    e = simulated(db).election
    _sealed(db, e)
    first = seeding.start(db, e, SEED, "auditor")
    _enter_all(db, e, first)
    assert service.conclude(db, e, first, "auditor").status == "confirmed"
    _sealed(db, e)
    second = seeding.start(db, e, "2718 2818 2845 9045 2353 6", "auditor")
    _enter_all(db, e, second)
    service.conclude(db, e, second, "auditor")
    assert _checks(db, e)["audit_count"].ok
    # The server drops the first audit from what it publishes.
    db.query(AuditDraw).filter(AuditDraw.audit_id == first.id).delete()
    db.query(Audit).filter(Audit.id == first.id).delete()
    checks = _checks(db, e)
    assert not checks["audit_count"].ok and "有审计未公布" in checks["audit_count"].detail


def test_an_audit_started_before_any_seal_fails_audit_commitment(db):
    """Forged order: audit rows and an audit_started event without a seal before them."""
    from election.ledger.events import record_event

    e = simulated(db).election
    audit = Audit(election_id=e.id, round_number=1, seed="1" * 20, risk_limit="1/20", papers=10,
                  boxes={"A": 10}, sample_size=0, status="confirmed", started_by="x")
    db.add(audit)
    db.flush()
    record_event(db, e, "audit.started", {"audit": audit.id, "round": 1, "seed": "1" * 20, "boxes": {"A": 10}}, "x")
    checks = _checks(db, e)
    assert not checks["audit_commitment"].ok and "之前没有封存" in checks["audit_commitment"].detail
    assert not checks["audit_recompute"].ok


def test_draws_that_do_not_follow_from_the_seed_fail_audit_sample(db):
    e = simulated(db).election
    _sealed(db, e)
    audit = seeding.start(db, e, SEED, "auditor")
    first = service.draws_of(db, audit)[0]
    first.position = first.position % audit.boxes[first.box] + 1  # the server picks another paper
    checks = _checks(db, e)
    assert not checks["audit_sample"].ok and "第 1 次抽取应为" in checks["audit_sample"].detail


def test_the_sample_sizes_are_recomputed_from_the_formula_and_the_findings(db):
    """An honest escalation verifies; a server that drew one paper fewer than the first
    sample's formula gives (its risks met all the same) or stated another size fails
    audit_recompute, sealed with its own key."""
    e = simulated(db).election
    _sealed(db, e)
    audit = seeding.start(db, e, SEED, "auditor")
    first = audit.sample_size
    winner = [x.person_id for x in service.reported(db, e, 1).result.post("jwh_zhuren").elected]
    state = {"done": False}

    def flip(entry):  # one paper blank for the 主任 winner where its record has the winner
        z = entry["posts"]["jwh_zhuren"]
        if not state["done"] and z["approve"] == winner:
            entry["posts"]["jwh_zhuren"] = {**z, "approve": []}
            state["done"] = True
            return True
        return False

    _enter_all(db, e, audit, flip)
    while service.conclude(db, e, audit, "auditor").status == "escalated":
        _enter_all(db, e, audit)
    assert audit.sample_size > first and audit.status == "confirmed"  # escalated, then met
    checks = _checks(db, e)
    assert all(c.ok for c in checks.values()), [c for c in checks.values() if not c.ok]
    # The server says it escalated to one paper fewer.
    audit.sample_size -= 1
    checks = _checks(db, e)
    assert not checks["audit_recompute"].ok and "sample_size" in checks["audit_recompute"].detail
    audit.sample_size += 1
    db.commit()


def test_a_first_sample_smaller_than_the_formula_fails_audit_recompute(db):
    e = simulated(db).election
    _sealed(db, e)
    audit = seeding.start(db, e, SEED, "auditor")
    draws = service.draws_of(db, audit)
    # The server drops the last draw of the first sample (and says so in the audit).
    db.delete(draws[-1])
    audit.sample_size -= 1
    db.flush()
    _enter_all(db, e, audit)
    ev = service.conclude(db, e, audit, "auditor")
    checks = _checks(db, e)
    assert not checks["audit_recompute"].ok and f"首次抽样应为 {len(draws)} 张" in checks["audit_recompute"].detail, ev.status


def test_an_escalated_audit_passed_over_for_a_new_seed_fails(db):
    """Audit shopping (docs/AUDIT.md §3): the first audit escalates (five papers read blank
    for 主任); a dishonest server writes it as confirmed in its database, seals again and
    audits with a new seed until a sample of matching papers confirms. Both the chain's
    conclusion of the first audit and its findings, recomputed, refuse the bundle."""
    e = simulated(db).election
    _sealed(db, e)
    first = seeding.start(db, e, SEED, "auditor")
    _enter_with_five_blank_zhuren(db, e, first)
    assert service.conclude(db, e, first, "auditor").status in ("escalated", "full_count")
    first.status = "confirmed"  # past the service, which refuses a second audit while this one is open
    db.query(AuditDraw).filter(AuditDraw.audit_id == first.id, AuditDraw.d_hash.is_(None)).delete()
    _sealed(db, e)
    second = seeding.start(db, e, "2718 2818 2845 9045 2353 6", "auditor")
    _enter_all(db, e, second)
    assert service.conclude(db, e, second, "auditor").status == "confirmed"
    checks = _checks(db, e)
    assert not checks["audit_count"].ok and "第 1 次审计称结果得到确认" in checks["audit_count"].detail
    assert not checks["audit_recompute"].ok and "第 1 次审计" in checks["audit_recompute"].detail
    assert checks["audit_sample"].ok and checks["audit_commitment"].ok and checks["chain"].ok
