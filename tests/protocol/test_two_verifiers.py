"""The Python verifier and the browser verifier (tools/verify/web, run by Node's test
runner) on the same vectors and the same forged bundles: they agree on every check (the
browser one runs them all, the audit's recomputation included: JuxuanVerify.NOT_RUN is empty).
Also: docs/vectors are what tests/protocol/vectors.py makes, and the Python verifier
passes them with every pin."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from election.protocol import bundle, signing
from election.protocol.verify import Pins, verify_bundle
from tests.protocol import forgeries
from tests.protocol.builder import build
from tests.protocol.vectors import make

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "docs" / "vectors"
NODE = shutil.which("node")
BROWSER_NOT_RUN: tuple[str, ...] = ()  # JuxuanVerify.NOT_RUN: the browser verifier runs every check


def test_vectors_are_current() -> None:
    made = make()
    for name, blob in made.items():
        assert (VECTORS / name).read_bytes() == blob, f"docs/vectors/{name} is stale: python -m tests.protocol.vectors"


def test_python_verifier_passes_the_vectors_with_every_pin() -> None:
    v = json.loads((VECTORS / "vectors.json").read_text("utf-8"))
    pins = Pins(key=v["election_key"], head=v["events"][-1]["hash"], office_key=v["office_key"],
                receipt=v["receipt_example"]["human"])
    for name in ("public.zip", "auditor.zip"):
        checks = verify_bundle((VECTORS / name).read_bytes(), pins)
        assert [c.name_en for c in checks if not c.ok] == []
        assert {"pin_key", "pin_head", "pin_office_key", "receipt", "winners"} <= {c.name_en for c in checks}


_NODE_CHECKS = """const V = require(process.argv[1]);
V.verifyBundle(new Uint8Array(require("fs").readFileSync(process.argv[2])), JSON.parse(process.argv[3])).then((r) =>
  console.log(JSON.stringify({checks: r.checks.map((c) => [c.name, c.name_zh]), not_run: V.NOT_RUN, names_zh: V.NAMES_ZH})));"""


@pytest.mark.skipif(NODE is None, reason="node (>= 20) is not installed")
def test_both_verifiers_have_the_same_checks() -> None:
    """A check in one verifier and not the other fails here: every check the Python verifier
    can report (its registries of names) is run by the browser one under the same Chinese
    name, or listed in JuxuanVerify.NOT_RUN (which lists nothing else); and on the vectors
    with every pin and a receipt both report the same checks in the same order."""
    from election.protocol import verify_audit, verify_between, verify_recount, verify_sample
    from election.protocol.verify_ctx import NAMES_ZH

    v = json.loads((VECTORS / "vectors.json").read_text("utf-8"))
    pins = {"key": v["election_key"], "head": v["events"][-1]["hash"], "officeKey": v["office_key"],
            "receipt": v["receipt_example"]["human"]}
    python_names = {**NAMES_ZH, **verify_audit.NAMES, **verify_recount.NAMES_ZH, **verify_between.NAMES,
                    **verify_sample.NAMES_ZH}
    for name in ("public.zip", "auditor.zip"):
        res = subprocess.run([NODE, "-e", _NODE_CHECKS, str(ROOT / "tools/verify/web/juxuan-verify.js"), str(VECTORS / name),
                              json.dumps(pins)], capture_output=True, text=True, timeout=120, check=True)
        js = json.loads(res.stdout)
        assert tuple(js["not_run"]) == BROWSER_NOT_RUN and set(BROWSER_NOT_RUN) <= set(python_names)
        browser = {n: zh for n, zh in python_names.items() if n not in BROWSER_NOT_RUN}
        assert js["names_zh"] == browser, "a check in one verifier only, or named differently in Chinese"
        py = verify_bundle((VECTORS / name).read_bytes(), Pins(pins["key"], pins["head"], pins["officeKey"], pins["receipt"]))
        assert [[c.name_en, c.name_zh] for c in py if c.name_en not in BROWSER_NOT_RUN] == js["checks"], name
        assert "recount" in {c.name_en for c in py} or name == "public.zip"


def cases(folder: Path) -> list[dict]:
    """Every bundle of the suite with the Python verdicts: good ones, each forgery, the
    re-made and truncated chains and the foreign countersignature with their pins."""
    built = build()
    fp = signing.fingerprint(built.key.public_key())
    office = signing.fingerprint(built.office.public_key())
    head = built.parts.chain[-1].hash
    out: list[tuple[str, bytes, dict, str | None]] = [
        ("auditor", bundle.write_bundle(built.parts), {"key": fp, "head": head, "officeKey": office}, None),
        ("public", bundle.write_bundle(bundle.public(built.parts)), {}, None),
        ("audited", forgeries.forged(built, forgeries.audited()), {}, None),
        ("audited_sealed", forgeries.forged(built, forgeries.sealed_audit()), {}, None),
        ("mobile_box_merged", forgeries.forged(built, forgeries.mobile_box_merged), {}, None),
        ("ids_named_like_prototypes", forgeries.forged(built, forgeries.ids_named_like_prototypes), {}, None),
        ("relation_recorded", forgeries.forged(built, forgeries.relation_recorded), {}, None),
        ("list_recorded", forgeries.forged(built, forgeries.list_recorded), {}, None),
        ("corrected_after_list", forgeries.forged(built, forgeries.corrected_after_list), {}, None),
        ("composition_named", forgeries.forged(built, forgeries.composition_named), {}, None),
        ("writein_named", forgeries.forged(built, forgeries.writein_named), {}, None),
        ("chosen_named", forgeries.forged(built, forgeries.chosen_named), {}, None),
        ("audit_confirmed", forgeries.forged(built, forgeries.audit_confirmed), {}, None),
        ("audit_escalated_confirmed", forgeries.forged(built, forgeries.audit_escalated_confirmed), {}, None),
        ("audit_twice_confirmed", forgeries.forged(built, forgeries.audit_twice_confirmed), {}, None),
        ("audit_escalated_event_honest", forgeries.forged(built, forgeries.audit_escalated_event_honest), {}, None),
        ("audit_after_reopening", forgeries.forged(built, forgeries.audit_after_reopening), {}, None),
        ("meeting_held", forgeries.forged(built, forgeries.meeting_held), {}, None),
        ("result_reopened", forgeries.forged(built, forgeries.result_reopened_and_published_again), {}, None),
    ]
    for name, forge, check in forgeries.FORGERIES:
        out.append((name, forgeries.forged(built, forge), {}, check))
    remade, _ = forgeries.remade_chain(built)
    out.append(("remade_chain", remade, {"key": fp, "head": head}, "pin_key"))
    out.append(("truncated_chain", forgeries.truncated_chain(built), {"key": fp, "head": built.parts.chain[-2].hash}, "pin_head"))
    out.append(("office_forged", forgeries.office_forged(built), {"officeKey": office}, "pin_office_key"))
    # A notice's QR text (JXH:<election>:<seq>:<head>) pinned: this election's, another
    # election's naming a head of this chain, and this election's with another seq.
    public = bundle.write_bundle(bundle.public(built.parts))
    noticed = built.parts.chain[-3]
    uid = built.parts.election_id
    out.append(("pin_notice", public, {"head": f"JXH:{uid}:{noticed.seq}:{noticed.hash}"}, None))
    out.append(("pin_notice_other_election", public, {"head": f"JXH:E-2026-海淀-009:{noticed.seq}:{noticed.hash}"}, "pin_head"))
    out.append(("pin_notice_other_seq", public, {"head": f"JXH:{uid}:{noticed.seq + 1}:{noticed.hash}"}, "pin_head"))
    r = built.parts.deposits["B"][2]
    from election.protocol import codes

    out.append(("receipt", bundle.write_bundle(bundle.public(built.parts)), {"receipt": codes.human(built.receipt_codes[r])}, None))
    out += recount_cases()
    out += forgeries.sample_cases()
    out += forgeries.seats_cases()
    out += forgeries.by_election_cases()
    listed = []
    for name, data, pins, must_fail in out:
        (folder / f"{name}.zip").write_bytes(data)
        py = Pins(pins.get("key"), pins.get("head"), pins.get("officeKey"), pins.get("receipt"))
        verdict = {c.name_en: c.ok for c in verify_bundle(data, py)}
        if must_fail:
            assert must_fail not in BROWSER_NOT_RUN and verdict[must_fail] is False, (name, verdict)
            if must_fail == "audit_recompute" and not name.startswith("sample"):  # sealed and drawn as it should be
                assert verdict["audit_sample"] and verdict["audit_commitment"] and verdict["audit_count"], (name, verdict)
        elif name == "audited":
            assert verdict["audit_sample"] is True, verdict
        elif name == "audited_sealed":
            assert verdict["audit_sample"] and verdict["audit_commitment"] and verdict["audit_count"], verdict
        elif name in ("audit_confirmed", "audit_escalated_confirmed", "audit_twice_confirmed", "audit_escalated_event_honest"):
            assert all(verdict.values()) and "audit_recompute" in verdict, verdict
        elif name == "audit_after_reopening":  # the earlier audit of the records before the reopening: flagged
            assert all(verdict.values()) and "audit_recompute" in verdict, verdict
            detail = next(c.detail for c in verify_bundle(data, py) if c.name_en == "audit_recompute")
            assert "第 1 次审计封存的是重新开启（更正）之前的计票记录" in detail and "未重算" in detail, detail
        elif name.startswith("recount"):
            assert all(verdict.values()) and "recount_sealed" in verdict, (name, verdict)
        elif name == "by_election_of_the_vacancy":  # no close of poll or count in its chain: vacancies alone
            assert verdict["vacancies"] is True, verdict
        elif name == "pin_notice":
            assert all(verdict.values()) and "pin_head" in verdict, verdict
        elif name in ("seats_as_created", "ids_named_like_prototypes", "relation_recorded",
                      "list_recorded", "corrected_after_list", "composition_named", "meeting_held",
                      "writein_named", "chosen_named"):
            assert all(verdict.values()), verdict
        elif name.startswith("sample"):  # no audit events in its chain: only the sample's checks and the recount's
            assert all(ok for n, ok in verdict.items() if n.startswith(("audit_sample_", "recount"))), (name, verdict)
            assert {"audit_sample_decryption", "audit_sample_drawn", "audit_sample_compared"} <= set(verdict)
        listed.append({"name": name, "file": f"{name}.zip", "pins": pins, "python": verdict, "must_fail": must_fail})
    (folder / "cases.json").write_text(json.dumps(listed, ensure_ascii=False), "utf-8")
    return listed


def recount_cases() -> list[tuple[str, bytes, dict, str | None]]:
    """Bundles with a public recount (a real 2-of-3 ceremony over 4 papers), good and forged,
    each forgery re-sealed with the election's key so only the recount's checks can catch it."""
    from election.crypto import ceremony, recount_doc, trustees
    from election.protocol.canonical import canonical_json
    from tests.crypto.forge import forged_paper
    from tools.bench_recount_bundle import recount_files
    from tools.bench_verify import build_bundle

    made: dict[str, dict[str, bytes]] = {}

    def good(records, totals) -> dict[str, bytes]:
        made["files"] = recount_files(records, totals)
        return made["files"]

    auditor = build_bundle(4, boxes=2, extra=good)
    regrouped: dict[str, dict[str, bytes]] = {}

    def split(records, totals) -> dict[str, bytes]:
        # Honestly encrypted and decrypted, but per box where box_totals.json has one group.
        regrouped["files"] = recount_files(records, totals, sorted([r.box] for r in {r.box: r for r in records}.values()))
        return regrouped["files"]

    build_bundle(4, boxes=2, extra=split)
    doc = json.loads(made["files"]["recount.json"])
    papers = [json.loads(line) for line in made["files"][recount_doc.PAPERS].splitlines()]
    key = trustees.joint_key(ceremony.checked_publics(doc["ceremony"], doc["publics"]))
    shape, _ = recount_doc.parse_shapes(doc["shapes"])

    def member(header: dict, lines: list[dict]) -> dict[str, bytes]:
        return {"recount.json": canonical_json(header) + b"\n",
                recount_doc.PAPERS: b"".join(canonical_json(p) + b"\n" for p in lines)}

    def paper(values: dict[str, int], weak: frozenset[str] = frozenset()) -> list[dict]:
        forged = json.loads(json.dumps(papers))
        forged[3] = {**forged_paper(bytes(32), key, papers[3]["d"], shape, values, weak), "box": papers[3]["box"]}
        return forged

    raised = json.loads(json.dumps(doc))
    raised["decrypted"][sorted(raised["decrypted"])[1]] += 1
    wrong_partial = json.loads(json.dumps(doc))
    first = sorted(wrong_partial["partials"][0]["partials"])
    wrong_partial["partials"][0]["partials"][first[0]]["value"] = wrong_partial["partials"][0]["partials"][first[1]]["value"]
    forged_trustee = json.loads(json.dumps(doc))
    forged_trustee["publics"][1]["proofs"][0]["c"] = forged_trustee["publics"][1]["proofs"][1]["c"]

    def changed(change) -> dict:
        out = json.loads(json.dumps(doc))
        change(out)
        return out

    # JSON types and hex as PROTOCOL.md writes them: true is not the index 1 (Python's bool is
    # an int), and hex is lower-case (bytes.fromhex would also read upper case and spaces).
    index_true = changed(lambda d: d["publics"][0].update(index=True))
    upper_hex = changed(lambda d: d["publics"][0]["commitments"].__setitem__(0, d["publics"][0]["commitments"][0].upper()))
    partial_index_true = changed(lambda d: next(p for p in d["partials"] if p["index"] == 1).update(index=True))
    forgeries: list[tuple[str, dict[str, bytes], str]] = [
        ("recount_dropped", member(dict(doc, papers=3), papers[:3]), "recount_papers"),
        ("recount_reordered", member(doc, [papers[1], papers[0], *papers[2:]]), "recount_papers"),
        ("recount_two_for_one", member(doc, paper({"jwh_zhuren/a0": 2})), "recount_selections"),
        ("recount_over_seats", member(doc, paper({"jwh_zhuren/a0": 1, "jwh_zhuren/a1": 1})), "recount_seats"),
        ("recount_invalid_counts", member(doc, paper({"jdw_weiyuan/x": 1, "jdw_weiyuan/o0": 1})), "recount_invalid_posts"),
        ("recount_weak_fiat_shamir", member(doc, paper({"jwh_weiyuan/a1": 1}, frozenset({"jwh_weiyuan/a1"}))),
         "recount_selections"),
        ("recount_wrong_partial", member(wrong_partial, papers), "recount_decryption"),
        ("recount_raised_total", member(raised, papers), "recount_decryption"),
        ("recount_forged_trustee", member(forged_trustee, papers), "recount_trustees"),
        ("recount_regrouped", regrouped["files"], "recount_box_groups"),
        ("recount_trustee_index_true", member(index_true, papers), "recount_trustees"),
        ("recount_upper_hex_commitment", member(upper_hex, papers), "recount_trustees"),
        ("recount_partial_index_true", member(partial_index_true, papers), "recount_decryption"),
    ]
    public = bundle.write_files({k: v for k, v in bundle.read_files(auditor).items() if k not in bundle.AUDITOR_ONLY})

    def audited(sealed: str | None):
        """The audit's commitment, seal and seed after the recount's files: the commitment
        seals ``sealed`` as the papers' SHA-256 (the files' own: "good"), or none."""
        def events(files: dict[str, bytes]) -> list:
            papers = files[recount_doc.PAPERS]
            digest = hashlib.sha256(papers).hexdigest() if sealed == "good" else sealed
            commitment = {"round": 1, "records": 4, "records_digest": "0" * 64, "papers": 4, "manifest": {}}
            if digest is not None:
                commitment["ciphertexts"] = {"papers": papers.count(b"\n"), "sha256": digest}
            return [("audit.records_committed", lambda chain: commitment),
                    ("audit.head_sealed", lambda chain: {"round": 1, "head": chain[-1].hash, "seq": chain[-1].seq}),
                    ("audit.started", lambda chain: {"round": 1, "audit": 1, "seed": "1" * 20, "sealed": chain[-1].hash})]
        return events

    out: list[tuple[str, bytes, dict, str | None]] = [("recount_auditor", auditor, {}, None), ("recount_public", public, {}, None)]
    for name, files, check in forgeries:
        out.append((name, build_bundle(4, boxes=2, extra=lambda records, totals, files=files: files), {}, check))
    # The trustees' joint key fixed in the chain before printing (trustees.key_published): the
    # recount's own, or another ceremony's -- a server running trustees of its own, holding every
    # share, decrypts whatever it likes with proofs that hold (recount_trustees).
    regrouped_doc = json.loads(regrouped["files"]["recount.json"])
    other = trustees.joint_key(ceremony.checked_publics(regrouped_doc["ceremony"], regrouped_doc["publics"])).hex()
    assert other != key.hex()
    for name, joint, check in (("recount_key_as_published", key.hex(), None),
                               ("recount_other_trustees", other, "recount_trustees")):
        published = [("trustees.key_published", lambda chain, joint=joint: {"joint_key": joint, "quorum": 2, "trustees": 3})]
        out.append((name, build_bundle(4, boxes=2, extra=lambda records, totals: made["files"],
                                       more_events=lambda files, published=published: published), {}, check))
    # Sealed before the seed (recount_sealed): the papers as sealed, other papers, none sealed.
    for name, sealed, check in (("recount_sealed_before_seed", "good", None),
                                ("recount_made_after_seed", "ab" * 32, "recount_sealed"),
                                ("recount_never_sealed", None, "recount_sealed")):
        out.append((name, build_bundle(4, boxes=2, extra=lambda records, totals: made["files"], more_events=audited(sealed)),
                    {}, check))
    return out


@pytest.mark.skipif(NODE is None, reason="node (>= 20) is not installed")
def test_browser_verifier_agrees_under_node(tmp_path: Path) -> None:
    listed = cases(tmp_path)
    assert len(listed) >= 18
    res = subprocess.run([NODE, "--test", str(ROOT / "tools" / "verify" / "web" / "test" / "verify.test.js")], cwd=ROOT,
                         env={**os.environ, "JUXUAN_FORGED_DIR": str(tmp_path)}, capture_output=True, text=True,
                         timeout=1200)  # the recount's proofs in JavaScript, on a shared machine
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]
    assert f"# pass {7 + len(listed)}" in res.stdout, res.stdout[-1500:]


@pytest.mark.skipif(NODE is None, reason="node (>= 20) is not installed")
def test_rules_engines_agree_on_random_scenarios(tmp_path: Path) -> None:
    """Seeded random tally scenarios (tests/protocol/tally_cases.py): the browser verifier's
    rules engine gives exactly the Python rules' validity, winners, next round and sections,
    and refuses the same inputs."""
    from tests.protocol.tally_cases import cases as tally_cases

    listed = tally_cases(2000)
    outcomes = {c["python"].get("next_round", "refused") for c in listed}
    assert outcomes == {"new_election", "revote", "runoff", "nomination", "none", "refused"}, outcomes
    (tmp_path / "tally.json").write_text(json.dumps(listed, ensure_ascii=False), "utf-8")
    res = subprocess.run([NODE, "--test", str(ROOT / "tools" / "verify" / "web" / "test" / "rules.test.js")], cwd=ROOT,
                         env={**os.environ, "JUXUAN_TALLY_CASES": str(tmp_path / "tally.json")}, capture_output=True,
                         text=True, timeout=600)
    assert res.returncode == 0 and "# pass 1" in res.stdout, res.stdout[-4000:] + res.stderr[-2000:]


@pytest.mark.skipif(NODE is None, reason="node (>= 20) is not installed")
def test_verifiers_agree_on_fuzzed_bundles(tmp_path: Path) -> None:
    """Hypothesis-mutated bundles (tests/protocol/test_verify_fuzz's mutations, fixed seed),
    as they come and re-sealed with the election's key after a value of tally_input.json,
    totals.json or rulebook.json is replaced (so the rules' checks, not the index, see them):
    the browser verifier gives the Python verdict on every check both run."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as hseed
    from hypothesis import strategies as st

    from tests.protocol import test_verify_fuzz as fz

    built = build()
    listed: list[dict] = []

    def keep(data: bytes) -> None:
        name = f"fuzz{len(listed)}.zip"
        (tmp_path / name).write_bytes(data)
        listed.append({"name": name, "file": name, "pins": {}, "must_fail": None,
                       "python": {c.name_en: c.ok for c in verify_bundle(data)}})

    @st.composite
    def resealed(draw) -> bytes:
        files = dict(fz.FILES)
        name = draw(st.sampled_from(["tally_input.json", "totals.json", "rulebook.json"]))
        files[name] = fz._replace(json.loads(files[name]), draw) + b"\n"
        return forgeries.reseal(built, files)

    common = settings(max_examples=120, deadline=None, database=None, suppress_health_check=list(HealthCheck))

    @hseed(23)
    @common
    @given(fz.mutated())
    def as_they_come(data: bytes) -> None:
        keep(data)

    @hseed(23)
    @common
    @given(resealed())
    def sealed_again(data: bytes) -> None:
        keep(data)

    as_they_come()
    sealed_again()
    assert any(c["python"].get("winners") is False and c["python"].get("bundle_index") for c in listed)
    (tmp_path / "cases.json").write_text(json.dumps(listed, ensure_ascii=False), "utf-8")
    res = subprocess.run([NODE, "--test", str(ROOT / "tools" / "verify" / "web" / "test" / "verify.test.js")], cwd=ROOT,
                         env={**os.environ, "JUXUAN_FORGED_DIR": str(tmp_path)}, capture_output=True, text=True,
                         timeout=1200)
    assert res.returncode == 0 and f"# pass {7 + len(listed)}" in res.stdout, res.stdout[-4000:] + res.stderr[-2000:]


def _audits_agree(tmp_path: Path, planted_per_kind: int, scenarios: int) -> None:
    from tests.protocol.audit_cases import cases as audit_cases

    listed = audit_cases(planted_per_kind, scenarios)
    statuses = {c["python"].get("status", "refused") for c in listed}
    assert statuses == {"confirmed", "escalated", "full_count", "refused"}, statuses
    assert any("decryption" in c["audit"] and c["python"].get("risks") for c in listed)
    (tmp_path / "audits.json").write_text(json.dumps(listed, ensure_ascii=False), "utf-8")
    res = subprocess.run([NODE, "--test", str(ROOT / "tools" / "verify" / "web" / "test" / "audit.test.js")], cwd=ROOT,
                         env={**os.environ, "JUXUAN_AUDIT_CASES": str(tmp_path / "audits.json")}, capture_output=True,
                         text=True, timeout=600)
    assert res.returncode == 0 and "# pass 1" in res.stdout, res.stdout[-4000:] + res.stderr[-2000:]


@pytest.mark.skipif(NODE is None, reason="node (>= 20) is not installed")
def test_audit_recomputations_agree_on_random_audits(tmp_path: Path) -> None:
    """Seeded random audits (tests/protocol/audit_cases.py: planted wrong outcomes and random
    tally scenarios, some compared with the trustees' decryption): the browser verifier's
    audit_recompute reaches the Python verifier's status, posts to hand count, next size and
    every assertion with its risk (within 1e-12 relative), discrepancy counts and size."""
    _audits_agree(tmp_path, 3, 400)


@pytest.mark.soak
@pytest.mark.skipif(NODE is None, reason="node (>= 20) is not installed")
def test_audit_recomputations_agree_on_random_audits_soak(tmp_path: Path) -> None:
    _audits_agree(tmp_path, 20, 3000)


@pytest.mark.skipif(NODE is None, reason="node (>= 20) is not installed")
def test_verifiers_agree_on_fuzzed_audits(tmp_path: Path) -> None:
    """Hypothesis-mutated audits: one value anywhere in the honest confirmed audit
    (forgeries.audit_confirmed: a finding's marks, index or D, a draw, the manifest, the risk
    limit, the status...) replaced by another JSON value of any type, re-sealed with the
    election's key: the browser verifier gives the Python verdict on every check, the audit's
    recomputation included."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as hseed
    from hypothesis import strategies as st

    built = build()
    base = forgeries.audit_found(14)(built)
    assert isinstance(base, dict)
    values = st.recursive(st.none() | st.booleans() | st.integers(-2, 90) | st.text(max_size=6)
                          | st.sampled_from(["missing", "found", "confirmed", "escalated", "1/20", "p1", "zr", "A"]),
                          lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
                          max_leaves=6)
    listed: list[dict] = []

    @st.composite
    def audits(draw) -> bytes:
        doc = json.loads(base["audit.json"])
        node = doc["audits"][0]
        while True:
            keys = sorted(node) if isinstance(node, dict) else list(range(len(node)))
            k = draw(st.sampled_from(keys))
            inner = node[k]
            if isinstance(inner, (dict, list)) and inner and draw(st.integers(0, 3)):
                node = inner
                continue
            node[k] = draw(values)
            break
        from election.protocol.canonical import canonical_json

        return forgeries.reseal(built, {**base, "audit.json": canonical_json(doc) + b"\n"})

    @hseed(29)
    @settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(audits())
    def keep(data: bytes) -> None:
        name = f"audit{len(listed)}.zip"
        (tmp_path / name).write_bytes(data)
        listed.append({"name": name, "file": name, "pins": {}, "must_fail": None,
                       "python": {c.name_en: c.ok for c in verify_bundle(data)}})

    keep()
    failed = [c for c in listed if c["python"].get("audit_recompute") is False]
    assert len(failed) >= 20 and len(listed) - len(failed) >= 20, len(failed)
    (tmp_path / "cases.json").write_text(json.dumps(listed, ensure_ascii=False), "utf-8")
    res = subprocess.run([NODE, "--test", str(ROOT / "tools" / "verify" / "web" / "test" / "verify.test.js")], cwd=ROOT,
                         env={**os.environ, "JUXUAN_FORGED_DIR": str(tmp_path)}, capture_output=True, text=True,
                         timeout=1200)
    assert res.returncode == 0 and f"# pass {7 + len(listed)}" in res.stdout, res.stdout[-6000:] + res.stderr[-2000:]
