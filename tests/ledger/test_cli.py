"""`juxuan bundle export --election ID --public OUT --auditor OUT` (one seal, two cuts:
the same signed head) and `juxuan demo --simulate --voters N --seed S` (a whole election
end to end, published, verifiable)."""
from __future__ import annotations

import re

from election.cli import main
from election.models import Election
from election.protocol import bundle
from election.protocol.verify_ctx import Pins
from tests.ledger.helpers import simulated
from tools.verify import run


def test_bundle_export_writes_public_and_auditor_bundles(app, db, tmp_path):
    sim = simulated(db)
    pub, aud = tmp_path / "p.zip", tmp_path / "a.zip"
    res = app.test_cli_runner().invoke(main, ["bundle", "export", "--election", str(sim.election.id),
                                             "--public", str(pub), "--auditor", str(aud)])
    assert res.exit_code == 0, res.output
    p, a = bundle.read_files(pub.read_bytes()), bundle.read_files(aud.read_bytes())
    assert "records.jsonl" in a and "records.jsonl" not in p
    assert p["head.sig"] == a["head.sig"]
    assert all(c.ok for c in run(pub.read_bytes())) and all(c.ok for c in run(aud.read_bytes()))


def test_bundle_export_refuses_unknown_election(app, db, tmp_path):
    res = app.test_cli_runner().invoke(main, ["bundle", "export", "--election", "9999", "--public", str(tmp_path / "x.zip")])
    assert res.exit_code == 1 and "9999" in res.output


def test_demo_simulate_runs_a_whole_election(app, db):
    res = app.test_cli_runner().invoke(main, ["demo", "--simulate", "--voters", "60", "--seed", "3", "--households", "20"])
    assert res.exit_code == 0, res.output
    assert "模拟选举" in res.output
    sim = db.query(Election).filter(Election.title == "模拟社区3换届选举").one()
    data = app.test_client().get(f"/e/{sim.id}/bundle.zip").data
    checks = run(data)
    assert checks and all(c.ok for c in checks), [c for c in checks if not c.ok]
    # Published as the committee would: the chain's result event, the winners on the public page.
    result_event = next(c for c in checks if c.name_en == "result_event")
    assert "尚未公布" not in result_event.detail, result_event.detail
    page = app.test_client().get(f"/e/{sim.id}/result").get_data(as_text=True)
    assert "当选" in page
    # What the street office copies from the page pins the bundle (the head was "#N hash", which
    # --expect-head refused as a remade history).
    head = re.search(r'<code id="head">([0-9a-f]{64})</code>', page).group(1)
    key = re.search(r"<dt>选举公钥指纹</dt><dd><code>([^<]+)</code>", page).group(1)
    assert all(c.ok for c in run(data, Pins(key=key, head=head)))
    # In the demo's street office: its auditor may audit it.
    assert sim.community.street_office == "示范街道办事处"


def test_demo_simulate_after_make_run(app, db):
    """README: `make run` builds the demo, then `juxuan demo --simulate --voters 300 --seed 1`:
    the demo is not built twice (a second roll with the same seed has no eligible voter)."""
    runner = app.test_cli_runner()
    assert runner.invoke(main, ["demo", "--if-empty", "--households", "30"]).exit_code == 0
    res = runner.invoke(main, ["demo", "--simulate", "--voters", "40", "--seed", "1", "--households", "30"])
    assert res.exit_code == 0, res.output
    assert "数据库已有社区，不再建立示范社区" in res.output and "模拟选举" in res.output and "Traceback" not in res.output


def test_bundle_export_names_its_round_and_refuses_a_round_that_is_not(app, db, tmp_path):
    sim = simulated(db)
    out = tmp_path / "r1.zip"
    args = ["bundle", "export", "--election", str(sim.election.id), "--public", str(out)]
    res = app.test_cli_runner().invoke(main, args + ["--round", "1"])
    assert res.exit_code == 0 and "轮次 / round 1" in res.output
    assert all(c.ok for c in run(out.read_bytes()))
    res = app.test_cli_runner().invoke(main, args + ["--round", "2"])
    assert res.exit_code == 1 and "第 2 轮投票不存在" in res.output
