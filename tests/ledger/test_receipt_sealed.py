"""The receipt page answers from the sealed public bundle, not the live database: a code
is found only once its round's bundle is sealed, and the page's inclusion path leads to the
box root in that sealed bundle, under the head that signs it; `python -m tools.verify
--receipt CODE public.zip` checks the same receipt offline."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from election.protocol import bundle, codes, merkle
from election.publication import published as publication
from tests.conftest import DATA_KEY
from tests.ledger.helpers import simulated
from tools.bench_receipt import bench_receipt

ROOT = Path(__file__).resolve().parents[2]


def test_receipt_page_proves_inclusion_in_the_sealed_bundle(app, db, tmp_path):
    sim = simulated(db)
    client = app.test_client()
    r, t = next(iter(sim.deposited_codes.items()))
    before = client.get("/r/" + codes.human(t)).get_data(as_text=True)
    assert "未查到计入记录" in before  # counted in the database, but nothing sealed yet
    out = publication.publish_bundle(db, sim.election, DATA_KEY, "committee", app.instance_path)
    db.commit()
    html = client.get("/r/" + codes.human(t)).get_data(as_text=True)
    assert "已计入" in html and r in html
    files = bundle.read_files(publication.bundle_path(app.instance_path, sim.election, 1).read_bytes())
    boxes = json.loads(files["deposits.json"])["boxes"]
    box = next(b for b, o in boxes.items() if r in o["receipts"])
    path = [tuple(li.split(" ", 1)) for li in __import__("re").findall(r"<li><code>([LR] [0-9a-f]{64})</code></li>", html)]
    assert merkle.verify_inclusion(r, path, boxes[box]["root"]) and boxes[box]["root"] in html
    head = json.loads(files["head.sig"])["statement"]["head"]
    assert head == out.head and head in html
    public = tmp_path / "public.zip"
    public.write_bytes(bundle.write_files(files))
    res = subprocess.run([sys.executable, "-m", "tools.verify", "--receipt", codes.human(t), str(public)], cwd=ROOT,
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stdout[-2000:]
    assert f"in box {box}" in res.stdout and all(f"{side} {sib}" in res.stdout for side, sib in path)
    never = codes.human(codes.new_code())
    res = subprocess.run([sys.executable, "-m", "tools.verify", "--receipt", never, str(public)], cwd=ROOT,
                         capture_output=True, text=True)
    assert res.returncode == 1 and "receipt" in res.stdout


def test_receipt_page_follows_a_bundle_sealed_again(app, db):
    """The box trees and the summary are kept per version of the sealed file: a bundle
    sealed again (a new head) is what the next lookup answers from, never the kept copy."""
    sim = simulated(db)
    client = app.test_client()
    r, t = next(iter(sim.deposited_codes.items()))
    first = publication.publish_bundle(db, sim.election, DATA_KEY, "committee", app.instance_path)
    db.commit()
    assert first.head in client.get("/r/" + codes.human(t)).get_data(as_text=True)
    again = publication.publish_bundle(db, sim.election, DATA_KEY, "committee", app.instance_path)
    db.commit()
    assert again.head != first.head
    html = client.get("/r/" + codes.human(t)).get_data(as_text=True)
    assert again.head in html and first.head not in html and r in html
    summary = publication.published_summary(app.instance_path, sim.election, 1)
    assert summary is not None and summary.head == again.head


def test_bench_receipt_small():
    out = bench_receipt(2000, pages=20)
    assert out["deposits"] == 2000 and out["p99_ms"] > 0 and out["ratio"] > 0
    assert out["pages"] == 20 and out["page_p99_ms"] > 0
