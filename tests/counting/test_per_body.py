"""Separate papers per body (paper_layout "per_body", issue 16): each voter takes one paper
of each body; each body's papers are issued, returned, checked and counted on their own —
turnout and the majority base per body — and a paper's entry reads only its body's posts."""
from __future__ import annotations

import json
import shutil
import subprocess

from election.counting.result import enter_board, publish_result, running_tally
from election.counting.service import enter_scanned
from election.polling import deposit, handout, issuance
from tests.polling.helpers import polling_day, print_capturing

from .voting import fields_for, setup

FIRST: dict[str, list[int]] = {"jwh_zhuren": [0], "jwh_fu_zhuren": [0], "jwh_weiyuan": [0, 1, 2],
                               "jdw_zhuren": [0], "jdw_weiyuan": [0, 1]}


def test_per_body_papers_counted_per_body(db, world, monkeypatch):
    """40 voters, 24 take a paper of each body. All 24 居委会 papers come back; 2 voters keep
    their 监督委员会 paper, so 22 come back. Counted as one paper, 46 returned of 24 issued
    would void the round; per body, the 居委会 majority is over 24 (13 votes) and the
    监督委员会's over 22 (12 votes): the 监督委员会主任 with 12 votes is elected, as he would
    not be on a base of 24 or 46."""
    w = setup(db, world["a"]["election"])
    e = w.election
    e.paper_layout = "per_body"
    db.commit()
    jwh = iter(print_capturing(db, e, 25, monkeypatch, body="jwh"))
    jdw = iter(print_capturing(db, e, 25, monkeypatch, body="jdw"))
    desk, boxes = w.station.desks[0], w.station.boxes
    entries = []  # counted once every paper is in: the first paper counted closes the poll
    for i, voter in enumerate(w.voters[:24]):
        with polling_day(db, e, 1):
            issuance.issue_ballot(db, e, desk.id, voter.id, "a_clerk", round_number=1)
        box = boxes[i % len(boxes)]
        for kind, it in (("jwh", jwh), ("jdw", jdw)):
            stub, body = next(it)
            handout.hand_out(db, e, w.station.id, stub)
            if kind == "jdw" and i < 2:
                continue  # taken home
            deposit.deposit(db, e, box.id, stub)
            marks = dict(FIRST)
            if kind == "jdw" and i >= 14:
                marks["jdw_zhuren"] = []  # 12 of the 22 approve the 监督委员会主任's first candidate
            entries.append((box.id, body, marks))
    for it in (jwh, jdw):
        for stub, body in it:
            deposit.void_unused(db, e, stub, body)
    db.commit()
    for box_id, body, marks in entries:
        # The form shows every post; only this paper's body is read.
        enter_scanned(db, e, box_id, body, fields_for(db, e, 1, marks), "a_counter", 1)
        db.commit()
    running = running_tally(db, e, 1)
    enter_board(db, e, 1, {p["key"]: {r["person"]: r["votes"] for r in p["rows"]} for p in running["posts"]},
                "a_scrutineer")
    result = publish_result(db, e, 1, "a_committee").result
    db.commit()
    assert result["valid"] is True, result["reason"]
    assert result["body_papers"] == {"jwh": {"issued": 24, "returned": 24}, "jdw": {"issued": 24, "returned": 22}}
    posts = result["posts"]
    assert posts["jwh_zhuren"]["threshold"]["base"] == 24 and posts["jwh_zhuren"]["threshold"]["min_votes"] == 13
    assert posts["jwh_zhuren"]["valid_papers"] == 24
    assert posts["jdw_zhuren"]["threshold"]["base"] == 22 and posts["jdw_zhuren"]["threshold"]["min_votes"] == 12
    assert posts["jdw_zhuren"]["valid_papers"] == 22
    zhuren = posts["jdw_zhuren"]["elected"]
    assert len(zhuren) == 1 and zhuren[0]["votes"] == 12
    # The result report reconciles each body's posts with that body's papers and shows both.
    import io

    from pypdf import PdfReader

    from election.counting.reports import report_pdf

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(report_pdf(db, e, 1))).pages).replace("\n", "")
    assert "22 张" in text and "24 张" in text  # each body's returned papers on its own line


def test_a_per_body_bundle_verifies(db, world, monkeypatch, tmp_path):
    """The bundle of a per-body round holds both bodies' records (2 × 10 for 10 voters): the
    verifier checks returned <= issued and the turnout per body, as the tally does, and finds
    nothing wrong."""
    from election.publication.bundle import export_bundle
    from tests.conftest import DATA_KEY
    from tools.verify import run

    w = setup(db, world["a"]["election"], voters=20)
    e = w.election
    e.paper_layout = "per_body"
    db.commit()
    jwh = iter(print_capturing(db, e, 11, monkeypatch, body="jwh"))
    jdw = iter(print_capturing(db, e, 11, monkeypatch, body="jdw"))
    desk, box = w.station.desks[0], w.station.boxes[0]
    bodies = []
    for voter in w.voters[:11]:
        with polling_day(db, e, 1):
            issuance.issue_ballot(db, e, desk.id, voter.id, "a_clerk", round_number=1)
        for it in (jwh, jdw):
            stub, body = next(it)
            handout.hand_out(db, e, w.station.id, stub)
            deposit.deposit(db, e, box.id, stub)
            bodies.append(body)
    for body in bodies:  # counted once the poll is over (the first paper closes it in the chain)
        enter_scanned(db, e, box.id, body, fields_for(db, e, 1, FIRST), "a_counter", 1)
        db.commit()
    running = running_tally(db, e, 1)
    enter_board(db, e, 1, {p["key"]: {r["person"]: r["votes"] for r in p["rows"]} for p in running["posts"]},
                "a_scrutineer")
    assert publish_result(db, e, 1, "a_committee").result["valid"] is True
    db.commit()
    data = export_bundle(db, e, DATA_KEY, "committee", auditor=True).data
    assert [f"{c.name_en}: {c.detail}" for c in run(data) if not c.ok] == []
    bounds = next(c for c in run(data) if c.name_en == "bounds")
    assert "居民委员会选票11/20" in bounds.detail and "居务监督委员会选票11/20" in bounds.detail
    node = shutil.which("node")
    if node:  # the browser verifier agrees (run by Node, as tests/protocol/test_two_verifiers does)
        path = tmp_path / "per_body.zip"
        path.write_bytes(data)
        out = subprocess.run([node, "tools/verify/web/cli.js", "--json", str(path)], capture_output=True, text=True,
                             check=False)
        checks = json.loads(out.stdout)
        assert [k for k, ok in checks.items() if not ok] == []
