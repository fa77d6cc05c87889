"""Must show 1: an election in the DATABASE -> bundle export -> the independent verifier
passes; ten tamperings of that exported bundle each fail with their own named check
(docs/PROTOCOL.md §9). Tamperings that need a valid seal are done by an insider holding
the election key (decrypted from the database), so only the semantic check can catch them."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from election.ledger import keys
from election.ledger.events import events_of
from election.protocol import bundle, signing
from tests.conftest import DATA_KEY
from tests.ledger.helpers import export, simulated
from tests.races import OtherWriter
from tools.verify import recount, run

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def exported(db):
    sim = simulated(db)
    data = export(db, sim.election, auditor=True)
    key = keys.private_key(db, sim.election, DATA_KEY)
    return sim, data, key


def _failed(data: bytes) -> dict[str, str]:
    return {c.name_en: c.detail for c in run(data) if not c.ok}


def _reseal(files: dict[str, bytes], key) -> bytes:
    return bundle.write_files(bundle.seal_files(files, key, "2026-11-25"))


def _json(files, name):
    return json.loads(files[name])


def _put(files, name, value):
    files[name] = bundle.canonical_json(value) + b"\n"


def _records(files):
    return [json.loads(line) for line in files["records.jsonl"].splitlines() if line.strip()]


def _put_records(files, recs):
    files["records.jsonl"] = b"".join(bundle.canonical_json(r) + b"\n" for r in sorted(recs, key=lambda r: r["d"]))


def change_one_choice(files, sim):
    recs = _records(files)
    post = "jwh_zhuren"
    a, b = sim.candidates[post][:2]
    r = next(r for r in recs if r["marks"][post]["approve"] in ([a], [b]))
    r["marks"][post]["approve"] = [b] if r["marks"][post]["approve"] == [a] else [a]
    _put_records(files, recs)


def drop_receipt(files, sim):
    dep = _json(files, "deposits.json")
    box = dep["boxes"]["A"]
    box["receipts"] = box["receipts"][1:]
    dep["boxes"]["A"] = {**box, "count": len(box["receipts"]),
                         "root": bundle.merkle.root(box["receipts"])}
    dep["root"] = bundle.merkle.root([r for b in sorted(dep["boxes"]) for r in dep["boxes"][b]["receipts"]])
    _put(files, "deposits.json", dep)


def add_record(files, sim):
    recs = _records(files)
    recs.append({"d": "ab" * 32, "box": "A", "marks": recs[0]["marks"]})
    _put_records(files, recs)


def duplicate_record(files, sim):
    recs = sorted(_records(files), key=lambda r: r["d"])
    recs[1] = dict(recs[0])  # one record twice, another lost: the box count still matches
    files["records.jsonl"] = b"".join(bundle.canonical_json(r) + b"\n" for r in recs)


def change_result(files, sim):
    t = _json(files, "totals.json")
    a, b = sim.candidates["jwh_zhuren"][:2]
    t["posts"]["jwh_zhuren"][a] -= 5
    t["posts"]["jwh_zhuren"][b] += 5
    _put(files, "totals.json", t)


def forge_manifest(files, sim):
    m = _json(files, "manifest.json")
    m[0]["receipts"] = sorted(m[0]["receipts"][1:] + ["00" * 32])
    _put(files, "manifest.json", m)


def change_rulebook(files, sim):
    rb = _json(files, "rulebook.json")
    rb["min_box_size"] = int(rb["min_box_size"]) + 1
    _put(files, "rulebook.json", rb)


def break_merkle(files, sim):
    dep = _json(files, "deposits.json")
    dep["boxes"]["C"]["root"] = "00" * 32
    _put(files, "deposits.json", dep)


def deposit_spoiled(files, sim):
    dep = _json(files, "deposits.json")
    spoiled = _json(files, "spoiled.json")
    box = dep["boxes"]["C"]
    box["receipts"] = sorted(box["receipts"][1:] + [spoiled[0]])
    dep["boxes"]["C"] = {**box, "root": bundle.merkle.root(box["receipts"])}
    dep["root"] = bundle.merkle.root([r for b in sorted(dep["boxes"]) for r in dep["boxes"][b]["receipts"]])
    _put(files, "deposits.json", dep)


SEALED = [
    (change_one_choice, "recount", "jwh_zhuren/"),
    (drop_receipt, "boxes", "票箱 A：投入存根"),
    (add_record, "records_in_manifest", "不在印刷清单中"),
    (duplicate_record, "records_unique", "出现 2 次"),
    (change_result, "totals", "jwh_zhuren"),
    (forge_manifest, "manifest", "摘要与印刷时记入事件链的摘要不符"),
    (change_rulebook, "rulebook", "与创世记录中的"),
    (break_merkle, "merkle", "票箱 C 的默克尔根"),
    (deposit_spoiled, "deposits", "作废或未用"),
]


def test_clean_export_passes_every_check(exported):
    """PROTOCOL.md §9: the bundle exported from the database passes every check,
    including the recount with the rules' tally and the audit-free auditor checks."""
    sim, data, _ = exported
    checks = run(data)
    assert [c.name_en for c in checks if not c.ok] == []
    assert {"recount", "records_in_manifest", "merkle", "reconcile", "bundle_index"} <= {c.name_en for c in checks}


def test_export_records_the_bundle_index_event_in_the_db_chain(exported, db):
    """Every byte covered: the bundle's chain is the database chain, ending in bundle_index."""
    sim, data, _ = exported
    rows = events_of(db, sim.election)
    assert rows[-1].kind == "ledger.bundle_exported"
    chain = bundle.read_bundle(data).chain
    assert [e.hash for e in chain] == [r.hash for r in rows]


@pytest.mark.parametrize("change, check, words", SEALED, ids=[c[0].__name__ for c in SEALED])
def test_sealed_tampering_is_named(exported, change, check, words):
    sim, data, key = exported
    files = bundle.read_files(data)
    change(files, sim)
    failed = _failed(_reseal(files, key))
    assert check in failed, failed
    assert words in failed[check]
    assert not set(failed) & {"chain", "head_signature", "bundle_index", "election_key"}


def test_reordered_chain_is_named(exported):
    sim, data, _ = exported
    files = bundle.read_files(data)
    lines = files["chain.jsonl"].splitlines(keepends=True)
    lines[1], lines[2] = lines[2], lines[1]
    files["chain.jsonl"] = b"".join(lines)
    failed = _failed(bundle.write_files(files))
    assert "chain" in failed and "序号" in failed["chain"] or "seq" in failed["chain"]


def test_swapped_key_is_named(exported):
    """An attacker re-signs with their own key: the signature verifies, the genesis fingerprint does not."""
    sim, data, _ = exported
    other = signing.generate_key()
    files = bundle.read_files(data)
    files["election_key.pem"] = signing.public_key_to_pem(other.public_key())
    failed = _failed(_reseal(files, other))
    assert "election_key" in failed and "head_signature" not in failed
    assert "创世记录" in failed["election_key"]


def test_unsealed_edit_is_named_by_the_index(exported):
    sim, data, _ = exported
    files = bundle.read_files(data)
    iss = _json(files, "issuance.json")
    first = sorted(iss)[0]
    iss[first] += 1
    _put(files, "issuance.json", iss)
    failed = _failed(bundle.write_files(files))
    assert "bundle_index" in failed and "issuance.json" in failed["bundle_index"]


def test_each_tampering_has_its_own_message(exported):
    """Ten tamperings, ten different failing checks (no catch-all message)."""
    sim, data, key = exported
    names = set()
    for change, check, _ in SEALED:
        files = bundle.read_files(data)
        change(files, sim)
        failed = _failed(_reseal(files, key))
        names.add(check)
        assert check in failed
    assert len(names) == len(SEALED)


def test_cli_passes_clean_and_fails_tampered(exported, tmp_path):
    """tools/verify as a subprocess: exit 0 and 'ok' lines for the clean bundle; exit 1 and
    FAILED with the Chinese and English name for a changed result."""
    sim, data, key = exported
    good = tmp_path / "good.zip"
    good.write_bytes(data)
    ok = subprocess.run([sys.executable, "-m", "tools.verify", str(good)], cwd=ROOT, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "[ok] 重新计票 / recount" in ok.stdout and "FAILED" not in ok.stdout
    files = bundle.read_files(data)
    change_result(files, sim)
    bad = tmp_path / "bad.zip"
    bad.write_bytes(_reseal(files, key))
    res = subprocess.run([sys.executable, "-m", "tools.verify", str(bad)], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 1
    assert "[FAILED] 票数合计 / totals" in res.stdout


def test_cli_recount_prints_the_result_as_json(exported, tmp_path, db):
    sim, data, _ = exported
    path = tmp_path / "b.zip"
    path.write_bytes(data)
    res = subprocess.run([sys.executable, "-m", "tools.verify", "--recount", "--json", str(path)], cwd=ROOT,
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    parts = bundle.read_bundle(data)
    assert out["posts"] == parts.totals["posts"] == recount(data)["posts"]
    assert out["returned"] == len(sim.deposited_codes)
    candidates = {str(c["id"]): c["name"] for c in parts.tally_input["candidates"]}
    assert candidates and {k: out["names"][k] for k in candidates} == candidates
    assert out["titles"] == {p["key"]: p["title"] for p in parts.tally_input["posts"]}


def test_cli_recount_names_each_post_and_person(exported, tmp_path, db):
    """Without --json the recount reads as the result notice does: a post by its title, a
    person by name (the bundle's id in brackets) and votes, Chinese first; no bare id list."""
    _, data, _ = exported
    path = tmp_path / "b.zip"
    path.write_bytes(data)
    res = subprocess.run([sys.executable, "-m", "tools.verify", "--recount", str(path)], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    parts = bundle.read_bundle(data)
    lines = res.stdout.splitlines()
    assert "重新计票" in lines[0]
    for post in parts.tally_input["posts"]:
        assert f"{post['title']}（{post['key']}）" in lines
    for key, votes in parts.totals["posts"].items():
        names = {str(c["id"]): c["name"] for c in parts.tally_input["candidates"]}
        for who, n in votes.items():
            label = f"{names[who]}（{who}）" if who in names else who
            assert f"  {label}：{n} 票 / {n} votes" in lines, (key, who)


def test_public_bundle_has_no_per_paper_marks(db):
    """Must show 2 (bundle half): DESIGN.md — the public bundle has no records, no marks,
    no write-in per paper; per-box totals only for groups of >= min_box_size papers."""
    sim = simulated(db)
    data = export(db, sim.election, auditor=False)
    files = bundle.read_files(data)
    assert "records.jsonl" not in files and "audit.json" not in files
    # tally_input.json may name the people written in (an aggregate, as in the totals), never per paper.
    blob = b"".join(b for n, b in files.items() if n != "tally_input.json")
    assert b'"approve"' not in files["tally_input.json"] and b'"marks"' not in files["tally_input.json"]
    assert b'"approve"' not in blob and b'"write_ins"' not in blob and b'"marks"' not in blob
    assert [c.name_en for c in run(data) if not c.ok] == []
    groups = json.loads(files["box_totals.json"])
    min_size = int(json.loads(files["rulebook.json"])["min_box_size"])
    assert all(g["papers"] >= min_size for g in groups)
    assert any(len(g["boxes"]) > 1 for g in groups)  # box B (small) was merged


def test_schema_names_every_file_an_exported_bundle_holds(exported):
    """docs/bundle.schema.json documents each file of a real auditor bundle."""
    schema = json.loads((ROOT / "docs" / "bundle.schema.json").read_text(encoding="utf-8"))
    sim, data, _ = exported
    files = set(bundle.read_files(data))
    assert files <= set(schema["properties"])
    assert set(schema["required"]) <= files


def test_hourly_counts_of_the_close_of_poll_bound_each_box(db):
    """The close of poll's hourly counts (polling.turnout.close_hours: issued per station,
    deposited per box) agree with the exported bundle; a stub and its record moved from one box
    to another afterwards by an insider holding the election key -- every list, root and count
    re-made -- fails reconcile: the box holds fewer stubs than the chain recorded."""
    from election.polling import turnout
    from election.protocol import merkle

    sim = simulated(db)
    # The simulated count closed the poll first (counting.close_before_counting): nothing left to record.
    assert turnout.close_hours(db, sim.election, "committee", final=True) == 0
    db.commit()
    data = export(db, sim.election, auditor=True)
    assert _failed(data) == {}
    files = bundle.read_files(data)
    dep = _json(files, "deposits.json")
    src, dst = sorted(dep["boxes"])[:2]
    moved = dep["boxes"][src]["receipts"].pop(0)
    dep["boxes"][dst]["receipts"] = sorted([*dep["boxes"][dst]["receipts"], moved])
    for box in (src, dst):
        dep["boxes"][box].update(count=len(dep["boxes"][box]["receipts"]), root=merkle.root(dep["boxes"][box]["receipts"]))
    _put(files, "deposits.json", dep)
    boxes = _json(files, "boxes.json")
    boxes[src].update(deposited=boxes[src]["deposited"] - 1, records=boxes[src]["records"] - 1)
    boxes[dst].update(deposited=boxes[dst]["deposited"] + 1, records=boxes[dst]["records"] + 1)
    _put(files, "boxes.json", boxes)
    recs = _records(files)
    next(r for r in recs if r["box"] == src)["box"] = dst
    _put_records(files, recs)
    failed = _failed(_reseal(files, keys.private_key(db, sim.election, DATA_KEY)))
    assert "reconcile" in failed and "少于链上逐时记录投入的" in failed["reconcile"], failed


def test_close_of_poll_fixes_the_rounds_electors(db):
    """The close of poll records the round's electors (polling.closed) as the tally counts them;
    the exported bundle passes. An insider holding the election key who afterwards raises
    registered_voters in tally_input.json (re-sealed; no result published yet, so no
    result.published to disagree with) fails result_event: the base of turnout was in the chain
    before the count."""
    from election.polling import turnout
    from election.protocol import event_kinds as ek
    from election.roll.electors import electors_count

    sim = simulated(db)
    turnout.close_of_poll(db, sim.election, "committee", 1)
    closed = [e.payload for e in events_of(db, sim.election) if e.kind == ek.POLLING_CLOSED]
    assert [(p["round"], p["registered_voters"]) for p in closed] == [(1, electors_count(db, sim.election))]
    data = export(db, sim.election, auditor=True)
    assert _failed(data) == {}
    files = bundle.read_files(data)
    ti = _json(files, "tally_input.json")
    assert ti["registered_voters"] == closed[0]["registered_voters"]
    ti["registered_voters"] += 5
    _put(files, "tally_input.json", ti)
    failed = _failed(_reseal(files, keys.private_key(db, sim.election, DATA_KEY)))
    assert set(failed) == {"result_event"} and "闭票" in failed["result_event"], failed


def test_an_export_holds_the_write_lock_from_its_first_read(db, schema):
    """SQLite: the export read the database (build_parts) as a reader and wrote only at the
    end (ledger.bundle_exported), so anyone committing in between (a login, a desk, another
    election's count) made that write fail with "database is locked": a WAL reader cannot
    become the writer over a newer snapshot. The export takes the write lock before its first
    read: another writer meanwhile is refused (here at once, with no busy wait) and the
    export completes and verifies."""
    if not schema.startswith("sqlite"):
        pytest.skip("PostgreSQL's readers never upgrade: row locks and constraints do the work")

    from election.publication.bundle import export_bundle

    sim = simulated(db)
    other = OtherWriter(schema, sim.election.id)

    def meanwhile(done: int, total: int) -> None:
        if done == 1:  # after the database was read, before the event is written
            other.attempt()

    try:
        out = export_bundle(db, sim.election, DATA_KEY, "committee", auditor=True, progress=meanwhile)
        db.commit()
    finally:
        other.close()
    assert other.outcome == ["database is locked"]
    assert [c.name_en for c in run(out.data) if not c.ok] == []
    assert events_of(db, sim.election)[-1].kind == "ledger.bundle_exported"


def test_a_unit_that_took_the_write_lock_keeps_it_through_the_export(db, schema):
    """A caller that took the lock (begin_write) and wrote first, as seal_for_countersign
    records its request, stays one transaction through the export: its write is not
    committed halfway (a rollback after the export undoes both), and no one writes between."""
    if not schema.startswith("sqlite"):
        pytest.skip("SQLite's write lock")
    from election.db import begin_write, holds_write
    from election.ledger.events import record_event
    from election.protocol import event_kinds as ek
    from election.publication.bundle import export_bundle

    sim = simulated(db)
    before = len(events_of(db, sim.election))
    db.commit()
    begin_write(db)
    assert holds_write(db)
    record_event(db, sim.election, ek.OFFICE_COUNTERSIGN_REQUESTED,
                 {"round": 1, "street_office": "x", "office_key": "0" * 32}, "auditor", "test")
    export_bundle(db, sim.election, DATA_KEY, "auditor", auditor=True)
    assert holds_write(db)
    db.rollback()
    assert len(events_of(db, sim.election)) == before


def test_the_count_has_the_close_of_poll_before_it_and_raised_issuance_fails(db):
    """Counting a round whose poll the committee did not close records the close first (the
    hourly counts, then polling.closed with the round's electors) before the first counting
    event, and the bundle passes. An insider holding the election key who then claims one more
    paper issued at a station (an unused paper's stub and audit hash off their lists, printed =
    issued + spoiled + unused kept) fails reconcile: the station issued more than the hourly
    counts recorded before the count; one who drops polling.closed (re-linking the chain) and
    raises registered_voters fails result_event."""
    from election.polling import turnout
    from election.protocol import chain
    from election.protocol import event_kinds as ek
    from election.roll.electors import round_electors

    sim = simulated(db)
    evs = events_of(db, sim.election)
    kinds = [e.kind for e in evs]
    first = min(i for i, k in enumerate(kinds) if k in ek.COUNTING_KINDS)
    closed = [i for i, k in enumerate(kinds) if k == ek.POLLING_CLOSED]
    assert len(closed) == 1 and closed[0] < first
    assert evs[closed[0]].payload["registered_voters"] == round_electors(db, sim.election, 1)
    hours = [e.payload for e in evs[:first] if e.kind == ek.POLLING_ISSUANCE_HOUR_RECORDED]
    turnout.close_of_poll(db, sim.election, "committee", 1)  # the committee's close later: no second event
    assert [e.kind for e in events_of(db, sim.election)].count(ek.POLLING_CLOSED) == 1
    data = export(db, sim.election, auditor=True)
    assert _failed(data) == {}
    key = keys.private_key(db, sim.election, DATA_KEY)
    files = bundle.read_files(data)
    issuance = _json(files, "issuance.json")
    assert sum(h["issued"] for h in hours) == sum(issuance.values()) > 0
    station = sorted(issuance)[0]
    issuance[station] += 1
    _put(files, "issuance.json", issuance)
    _put(files, "unused.json", _json(files, "unused.json")[1:])
    _put(files, "voided.json", _json(files, "voided.json")[1:])
    failed = _failed(_reseal(files, key))
    assert set(failed) == {"reconcile"} and "多于计票开始前链上逐时记录" in failed["reconcile"], failed

    files = bundle.read_files(data)
    old = chain.from_jsonl(files["chain.jsonl"])
    out = [old[0]]
    for e in old[1:]:
        if e.kind != ek.POLLING_CLOSED and e.kind != ek.LEDGER_BUNDLE_EXPORTED:
            out.append(chain.append(out[-1], e.kind, e.payload, e.at))
    files["chain.jsonl"] = chain.to_jsonl(out)
    ti = _json(files, "tally_input.json")
    ti["registered_voters"] += 5
    _put(files, "tally_input.json", ti)
    failed = _failed(_reseal(files, key))
    assert set(failed) == {"result_event"} and "没有本轮的闭票事件" in failed["result_event"], failed
