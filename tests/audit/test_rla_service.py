"""Issue 14 through the services on a real database: commitment before the seed, one
audit per round, the rulebook's risk limit, whole-paper blind entry compared through the
count's own rules, escalation, the hand count replacing the result, the street office
refused while the audit is unconcluded, and records frozen after publication."""
from __future__ import annotations

import math
from fractions import Fraction

import pytest

from election.audit import service
from election.counting.tables import bundle_round
from election.errors import UserError
from election.ledger.events import events_of
from election.models import Audit, AuditCode
from election.protocol import rla
from election.settings import box_keys
from tests.audit import seeding
from tests.conftest import DATA_KEY
from tests.counting.builder import board_as_counted
from tests.factories import second_entry
from tests.ledger.helpers import export, simulated
from tests.races import OtherWriter
from tools.verify import run

SEED = "3141 5926 5358 9793 2384 6"


def _boxes(db, election, round_number: int | None = None) -> dict[str, list[str]]:
    """The papers of a round (default: the last published) as they lie in each sealed box,
    stood in for by the records' D in order."""
    names = box_keys(db, election)
    number = bundle_round(db, election, round_number)
    out: dict[str, list[str]] = {}
    for d, b in sorted(db.query(AuditCode.d_hash, AuditCode.box_id).filter(
            AuditCode.election_id == election.id, AuditCode.state == "counted", AuditCode.round_number == number)):
        out.setdefault(names[b], []).append(d)
    return out


def _record_of(db, election, draw):
    """Play the auditor holding the paper: its D and its whole marks (the page never shows
    the record; the test reads the paper's true marks from it)."""
    audit = db.get(Audit, draw.audit_id)
    d = _boxes(db, election, audit.round_number)[draw.box][draw.position - 1]
    marks = db.get(AuditCode, (election.id, d)).marks
    return d, {"state": "found", "posts": {p: dict(m) for p, m in marks.items()}}


def _sealed(db, election, counts: dict[str, int] | None = None, round_number: int | None = None) -> None:
    counts = counts or {b: len(ds) for b, ds in _boxes(db, election, round_number).items()}
    seeding.commit(db, election, round_number)
    service.enter_manifest(db, election, {b: str(n) for b, n in counts.items()}, "scrutineer", round_number)
    service.seal(db, election, DATA_KEY, "committee", round_number)


def _enter_all(db, election, audit, change=None) -> list[int]:
    """Enter every pending draw as the paper reads; ``change(entry)`` may alter a paper
    (returns True when it did). Returns the indexes changed."""
    changed = []
    for draw in service.draws_of(db, audit):
        if draw.d_hash is not None:
            continue
        d, entry = _record_of(db, election, draw)
        if change is not None and change(entry):
            changed.append(draw.index)
        service.record_draw(db, election, audit, draw.index, d, entry, "auditor")
    return changed


def test_seed_is_refused_before_the_records_and_manifest_are_sealed(db):
    e = simulated(db).election
    with pytest.raises(UserError, match="尚未封存"):
        seeding.start(db, e, SEED, "auditor")
    with pytest.raises(UserError, match="尚未录入票箱清单"):
        service.seal(db, e, DATA_KEY, "committee")
    counts = {b: len(ds) for b, ds in _boxes(db, e).items()}
    service.enter_manifest(db, e, {b: str(n) for b, n in counts.items()}, "scrutineer")
    with pytest.raises(UserError, match="尚未封存"):
        seeding.start(db, e, SEED, "auditor")
    seeding.commit(db, e)
    service.seal(db, e, DATA_KEY, "committee")
    audit = seeding.start(db, e, SEED, "auditor")
    kinds = [ev.kind for ev in events_of(db, e)]
    assert kinds.index("audit.seed_committed") < kinds.index("audit.records_committed") \
        < kinds.index("audit.head_sealed") < kinds.index("audit.dice_rolled") < kinds.index("audit.started")
    assert kinds.index("audit.manifest_recorded") < kinds.index("audit.records_committed")
    assert audit.papers == sum(counts.values()) and audit.boxes == counts
    assert audit.seed == rla.combined_seed(SEED, seeding.SECRET)


def test_the_seed_needs_the_auditors_commitment_before_the_seal_the_dice_after_and_the_reveal(db):
    """docs/AUDIT.md §3: no single party chooses the seed. The auditor's commitment must come
    before the seal (one made after serves only a new seal), the dice after it before two named
    witnesses and once, and the revealed secret must hash to the commitment."""
    e = simulated(db).election
    counts = {b: len(ds) for b, ds in _boxes(db, e).items()}
    service.enter_manifest(db, e, {b: str(n) for b, n in counts.items()}, "scrutineer")
    with pytest.raises(UserError, match="种子承诺“abc”无效"):
        service.commit_seed(db, e, "abc", "auditor")
    service.seal(db, e, DATA_KEY, "committee")
    with pytest.raises(UserError, match="封存之前审计员没有提交种子承诺"):
        service.record_dice(db, e, SEED, seeding.WITNESSES, "auditor")
    seeding.commit(db, e)  # after the seal: it serves only a new seal
    assert service.seed_steps(db, e, 1).late_commitment is not None
    with pytest.raises(UserError, match="封存之前审计员没有提交种子承诺"):
        service.record_dice(db, e, SEED, seeding.WITNESSES, "auditor")
    service.seal(db, e, DATA_KEY, "committee")
    with pytest.raises(UserError, match="尚未公开掷骰"):
        service.start_audit(db, e, seeding.SECRET, "auditor")
    with pytest.raises(UserError, match="见证人须至少 2 位"):
        service.record_dice(db, e, SEED, "王监票", "auditor")
    with pytest.raises(UserError, match="至少需要 20 位数字"):
        service.record_dice(db, e, "123456", seeding.WITNESSES, "auditor")
    assert service.record_dice(db, e, SEED, "王监票\n李代表、赵居民", "auditor") == ["王监票", "李代表", "赵居民"]
    with pytest.raises(UserError, match="每次封存只掷一次"):
        service.record_dice(db, e, "2718 2818 2845 9045 2353 6", seeding.WITNESSES, "auditor")
    with pytest.raises(UserError, match="与封存前提交的承诺.*不符"):
        service.start_audit(db, e, "9999 2135 6237 3095 0488", "auditor")
    audit = service.start_audit(db, e, seeding.SECRET, "auditor")
    assert audit.seed == rla.combined_seed(SEED, seeding.SECRET)
    started = [ev for ev in events_of(db, e) if ev.kind == "audit.started"][-1].payload
    assert started["dice"] == rla.normalise_seed(SEED) and started["reveal"] == rla.normalise_seed(seeding.SECRET)
    assert started["witnesses"] == ["王监票", "李代表", "赵居民"]
    parts = service.audit_json(db, e, 1)["audits"][0]["seed_parts"]
    assert parts["commitment"] == rla.seed_commitment(seeding.SECRET) and parts["dice"] == started["dice"]


def test_the_manifest_refuses_a_bad_count_and_names_the_box(db):
    e = simulated(db).election
    boxes = list(_boxes(db, e))
    with pytest.raises(UserError) as err:
        service.enter_manifest(db, e, {boxes[0]: "十", "Z": "3"}, "scrutineer")
    text = "；".join(err.value.messages)
    assert f"票箱“{boxes[0]}”的选票张数“十”无效" in text and "票箱“Z”不是本次选举的票箱" in text


def test_records_changed_after_sealing_refuse_the_seed(db):
    e = simulated(db).election
    _sealed(db, e)
    code = db.query(AuditCode).filter(AuditCode.election_id == e.id, AuditCode.state == "counted").first()
    code.marks = {**code.marks, "jwh_zhuren": {"approve": [], "oppose": [], "write_ins": [], "unreadable": True}}
    db.flush()
    with pytest.raises(UserError, match="封存后被更改"):
        seeding.start(db, e, SEED, "auditor")


def test_one_audit_per_round_and_the_rulebooks_risk_limit(db):
    e = simulated(db).election
    _sealed(db, e)
    with pytest.raises(UserError, match="不超过规则集规定的 1/20"):
        seeding.start(db, e, SEED, "auditor", Fraction(1, 10))
    audit = seeding.start(db, e, SEED, "auditor", Fraction(1, 100))
    assert audit.risk_limit == "1/100"
    # A second audit (seed shopping) is refused while the first is open, sealed or not.
    with pytest.raises(UserError, match="尚未结束"):
        seeding.start(db, e, "2718 2818 2845 9045 2353 6", "auditor")
    with pytest.raises(UserError, match="尚未结束"):
        service.seal(db, e, DATA_KEY, "committee")
    _enter_all(db, e, audit)
    ev = service.conclude(db, e, audit, "auditor")
    assert ev.status == "confirmed"
    # After it concluded, a new audit needs a new seal: the old one served its audit.
    with pytest.raises(UserError, match="尚未封存"):
        seeding.start(db, e, "2718 2818 2845 9045 2353 6", "auditor")


def test_matching_papers_confirm_with_the_documented_size_and_verify(db):
    e = simulated(db).election
    _sealed(db, e)
    audit = seeding.start(db, e, SEED, "auditor")
    plan, _ = service.plan_for(db, e, audit)
    mu = min(a.diluted_margin for a in plan.assertions)
    assert audit.sample_size == min(audit.papers, math.ceil(-2 * rla.DEFAULT_GAMMA * math.log(0.05) / mu))
    if audit.status == "full_count":
        pytest.skip("the simulated margins are too small for a sample")  # pragma: no cover
    _enter_all(db, e, audit)
    ev = service.conclude(db, e, audit, "auditor")
    assert ev.status == "confirmed" and audit.status == "confirmed" and ev.differences == ()
    db.commit()
    checks = {c.name_en: c for c in run(export(db, e))}
    assert all(c.ok for c in checks.values()), [c for c in checks.values() if not c.ok]
    assert checks["audit_recompute"].ok


def test_a_paper_read_differently_escalates_and_the_street_office_waits(db):
    e = simulated(db).election
    _sealed(db, e)
    audit = seeding.start(db, e, SEED, "auditor")
    first = audit.sample_size
    state = {"done": False}
    winner = [x.person_id for x in service.reported(db, e, 1).result.post("jwh_zhuren").elected]
    assert winner

    def flip(entry):  # the first paper for the 主任 winner is blank on the paper
        z = entry["posts"]["jwh_zhuren"]
        if not state["done"] and z["approve"] == winner:
            entry["posts"]["jwh_zhuren"] = {**z, "approve": []}
            state["done"] = True
            return True
        return False

    assert _enter_all(db, e, audit, flip)
    # Open: the street office may not countersign.
    assert "尚未得出确认结论" in service.countersign_blocker(db, e, audit.round_number)
    ev = service.conclude(db, e, audit, "auditor")
    assert len(ev.differences) == 1 and ev.differences[0].counted == ("jwh_zhuren",)
    assert any(r.o2 == 1 and r.assertion.post == "jwh_zhuren" for r in ev.risks)  # a two-vote overstatement
    if ev.status != "confirmed":  # the smallest-margin assertion decides the sample; others may absorb it
        assert ev.status in ("escalated", "full_count")
        assert "尚未得出确认结论" in service.countersign_blocker(db, e, audit.round_number)
    if ev.status == "escalated":
        assert audit.sample_size > first and len(service.draws_of(db, audit)) == audit.sample_size


def test_missing_paper_and_unknown_d_are_the_worst_case(db):
    e = simulated(db).election
    _sealed(db, e)
    audit = seeding.start(db, e, SEED, "auditor")
    draws = service.draws_of(db, audit)
    service.record_draw(db, e, audit, draws[0].index, "", {"state": "missing", "posts": {}}, "auditor")
    service.record_draw(db, e, audit, draws[1].index, "ff" * 32, {"state": "found", "posts": {}}, "auditor")
    with pytest.raises(UserError, match="已录入"):
        service.record_draw(db, e, audit, draws[1].index, "ff" * 32, {"state": "found", "posts": {}}, "auditor")
    ev = service.evaluate(db, e, audit)
    assert [d.index for d in ev.differences] == [draws[0].index, draws[1].index]
    assert all(r.o2 == 2 for r in ev.risks)
    with pytest.raises(UserError, match="未录入"):
        service.conclude(db, e, audit, "auditor")


def test_full_hand_count_replaces_the_result(db):
    """A manifest with more papers than records makes every margin vanish: a hand count;
    its tally (here: the records' own marks plus the blank papers) becomes the result."""
    e = simulated(db).election
    boxes = _boxes(db, e)
    counts = {b: len(ds) for b, ds in boxes.items()}
    big = max(counts, key=lambda b: counts[b])
    counts[big] += 400  # papers the count never recorded
    _sealed(db, e, counts)
    audit = seeding.start(db, e, SEED, "auditor")
    assert audit.status == "full_count" and service.draws_of(db, audit) == []
    assert "尚未得出确认结论" in service.countersign_blocker(db, e, audit.round_number)
    entries = {b: [{"state": "found", "posts": dict(db.get(AuditCode, (e.id, d)).marks)} for d in ds]
               for b, ds in boxes.items()}
    with pytest.raises(UserError, match="人工清点"):
        service.record_hand_count(db, e, audit, entries, "auditor")
    entries[big] += [{"state": "found", "posts": {}}] * 400
    result = service.record_hand_count(db, e, audit, entries, "auditor")
    assert audit.status == "hand_counted" and result.papers_returned == sum(counts.values())
    assert any(ev.kind == "audit.hand_counted" for ev in events_of(db, e))

    # A hand count once ordered binds: no reopening of the result, no second audit (docs/AUDIT.md §3).
    from election.counting.result import reopen_result

    with pytest.raises(UserError, match="全面人工计票.*不能重新开启"):
        reopen_result(db, e, audit.round_number, "想按机器计票重新审计", "committee")
    _sealed(db, e, counts)
    with pytest.raises(UserError, match="已决定全面人工计票.*不能开始新的审计"):
        seeding.start(db, e, "2718 2818 2845 9045 2353 6", "auditor")
    assert [a.id for a in service.audits_of(db, e, audit.round_number)] == [audit.id]


def test_records_cannot_change_after_publication_without_a_recorded_reopening(db):
    from election.counting.result import explain_board, publish_result, reopen_result
    from election.counting.service import resolve_mismatch

    e = simulated(db).election
    board_as_counted(db, e, 1)
    code = db.query(AuditCode).filter(AuditCode.election_id == e.id, AuditCode.state == "counted").first()
    changed = {**code.marks, "jwh_zhuren": {"approve": [], "oppose": [], "write_ins": [], "unreadable": True}}
    publish_result(db, e, 1, "committee")
    second_entry(db, e, code.d_hash, changed, "c2")
    with pytest.raises(UserError, match="结果已公布，计票记录不能再更改"):
        resolve_mismatch(db, e, code.d_hash, "second", "committee", "核对纸质选票")
    assert db.get(AuditCode, (e.id, code.d_hash)).marks != changed
    with pytest.raises(UserError, match="请写明更正的原因"):
        reopen_result(db, e, 1, " ", "committee")
    reopen_result(db, e, 1, "第二次录入与纸质选票一致，更正第一次录入", "committee")
    # Records sealed for an audit while the result stands withdrawn: the verifiers refuse
    # them (result_reopened_not_published_again), so the app does first.
    db.commit()
    events_before = len(events_of(db, e))
    with pytest.raises(UserError, match="尚未重新公布"):
        _sealed(db, e)
    db.rollback()
    assert len(events_of(db, e)) == events_before
    resolve_mismatch(db, e, code.d_hash, "second", "committee", "核对纸质选票")
    assert db.get(AuditCode, (e.id, code.d_hash)).marks == changed
    explain_board(db, e, 1, "计票板按更正前的记录填写，差一张", "committee")
    publish_result(db, e, 1, "committee")
    kinds = [ev.kind for ev in events_of(db, e)]
    assert kinds.count("result.published") == 2 and kinds.index("result.reopened") < len(kinds) - 1


def test_a_draw_holds_the_write_lock_from_its_first_read(db, schema, monkeypatch):
    """SQLite: record_draw read the draw and the audit as a reader and wrote the entry and its
    event after, so anyone committing in between (a login, another desk) made the write fail
    with "database is locked". The write lock is taken first: another writer meanwhile is
    refused (at once, no busy wait) and the draw is entered."""

    if not schema.startswith("sqlite"):
        pytest.skip("PostgreSQL's readers never upgrade: row locks and constraints do the work")
    e = simulated(db).election
    _sealed(db, e)
    audit = seeding.start(db, e, SEED, "auditor")
    draw = service.draws_of(db, audit)[0]
    d, entry = _record_of(db, e, draw)
    db.commit()
    other = OtherWriter(schema, e.id)
    real = service.d_from_scan

    def meanwhile(*args, **kwargs):  # after the draw and the audit were read, before anything is written
        other.attempt()
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "d_from_scan", meanwhile)
    try:
        service.record_draw(db, e, audit, draw.index, d, entry, "auditor")
        db.commit()
    finally:
        other.close()
    assert other.outcome == ["database is locked"]
    assert service.draws_of(db, audit)[0].d_hash == d
    entered = [ev.payload for ev in events_of(db, e) if ev.kind == "audit.draw_entered"]
    assert entered == [{"audit": audit.id, "round": audit.round_number, "index": draw.index}]
