"""The Python verifier and the browser verifier (tools/verify/web, run by Node's test
runner) on the same vectors and the same forged bundles: they agree on every check both
run (the browser one leaves out the two that need the rules engine, and the audit's).
Also: docs/vectors are what tests/protocol/vectors.py makes, and the Python verifier
passes them with every pin."""
from __future__ import annotations

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
BROWSER_NOT_RUN = ("winners", "recount", "audit_sample", "recount_format", "recount_trustees", "recount_papers",
                   "recount_selections", "recount_seats", "recount_invalid_posts",
                   "recount_decryption", "recount_totals", "meeting_decisions", "recall_votes",
                   "vacancies")  # JuxuanVerify.NOT_RUN


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
    ]
    for name, forge, check in forgeries.FORGERIES:
        out.append((name, forgeries.forged(built, forge), {}, check))
    remade, _ = forgeries.remade_chain(built)
    out.append(("remade_chain", remade, {"key": fp, "head": head}, "pin_key"))
    out.append(("truncated_chain", forgeries.truncated_chain(built), {"key": fp, "head": built.parts.chain[-2].hash}, "pin_head"))
    out.append(("office_forged", forgeries.office_forged(built), {"officeKey": office}, "pin_office_key"))
    r = built.parts.deposits["B"][2]
    from election.protocol import codes

    out.append(("receipt", bundle.write_bundle(bundle.public(built.parts)), {"receipt": codes.human(built.receipt_codes[r])}, None))
    listed = []
    for name, data, pins, must_fail in out:
        (folder / f"{name}.zip").write_bytes(data)
        py = Pins(pins.get("key"), pins.get("head"), pins.get("officeKey"), pins.get("receipt"))
        verdict = {c.name_en: c.ok for c in verify_bundle(data, py)}
        # The browser verifier has no rules engine: a changed winner fails its result_event check.
        js_fail = "result_event" if must_fail in BROWSER_NOT_RUN else must_fail
        if must_fail:
            assert verdict[must_fail] is False and verdict[js_fail] is False, (name, verdict)
        listed.append({"name": name, "file": f"{name}.zip", "pins": pins, "python": verdict, "must_fail": js_fail})
    (folder / "cases.json").write_text(json.dumps(listed, ensure_ascii=False), "utf-8")
    return listed


@pytest.mark.skipif(NODE is None, reason="node (>= 20) is not installed")
def test_browser_verifier_agrees_under_node(tmp_path: Path) -> None:
    listed = cases(tmp_path)
    assert len(listed) >= 18
    res = subprocess.run([NODE, "--test", str(ROOT / "tools" / "verify" / "web" / "test")], cwd=ROOT,
                         env={**os.environ, "JUXUAN_FORGED_DIR": str(tmp_path)}, capture_output=True, text=True,
                         timeout=300)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]
    assert f"# pass {6 + len(listed)}" in res.stdout, res.stdout[-1500:]
