"""Rounds after the first, end to end through the services: round 1 leaves a seat unfilled,
publishing it makes a run-off (另行选举); the round-2 paper holds only that post and its
candidates; a voter who voted in round 1 gets one round-2 paper, not two; round 2 is
deposited, counted and published; each round's bundle verifies on its own and round 2's
figures hold none of round 1's papers. A tie makes a re-vote (再次投票) instead."""
from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from election.audit import service as audit_service
from election.counting.result import enter_board, publish_result, running_tally
from election.counting.service import enter_scanned
from election.errors import UserError
from election.models import Round
from election.polling import deposit, handout, issuance, printing
from election.polling.close import reconciliation
from election.protocol import bundle
from election.publication.bundle import export_bundle, lookup_receipt
from election.rounds import current_round
from tests.audit import seeding
from tests.audit.test_rla_service import SEED
from tests.conftest import DATA_KEY
from tests.polling.helpers import open_polling_day, print_capturing
from tools.verify import run

from .builder import mix_boxes
from .voting import candidates_of, fields_for, setup, vote_round

FIRST: dict[str, list[int]] = {"jwh_zhuren": [0], "jwh_fu_zhuren": [0], "jwh_weiyuan": [0, 1],
                               "jdw_zhuren": [0], "jdw_weiyuan": [0, 1]}


def _failed(data: bytes) -> list[str]:
    return [f"{c.name_en}: {c.detail}" for c in run(data) if not c.ok]


@pytest.fixture
def runoff(db, world, monkeypatch):
    """Round 1 voted by 24 of 40 voters (one takes the paper home); 委员 has 3 seats and only
    2 candidates get votes, so one seat is left for a run-off."""
    w = setup(db, world["a"]["election"])
    vote_round(db, w, monkeypatch, 1, w.voters[:24], lambda i: FIRST, take_home=1)
    return w


def test_runoff_round_printed_issued_counted_and_bundled(db, runoff, monkeypatch):
    w, e = runoff, runoff.election
    rnd = current_round(db, e)
    assert (rnd.number, rnd.kind, list(rnd.posts)) == (2, "runoff", ["jwh_weiyuan"])
    weiyuan = candidates_of(db, e, "jwh_weiyuan")
    runoff_names = [c.resident.name for c in weiyuan[2:]]
    assert [c.id for c in weiyuan[2:]] == rnd.posts["jwh_weiyuan"]["candidates"]

    # The round-2 paper: the run-off post only, its two candidates, labelled 另行选举.
    pdf = io.BytesIO()
    papers = print_capturing(db, e, 25, monkeypatch, round_number=2, out=pdf)
    open_polling_day(db, e, 2)  # round 2 is voted on its own day (polling.day)
    reader = PdfReader(io.BytesIO(pdf.getvalue()))
    assert len(reader.pages) == 25 * 2  # front and back of each paper
    text = reader.pages[0].extract_text()
    assert "另行选举" in text and "第一轮" not in text
    assert "居民委员会委员" in text and "居民委员会主任" not in text and "居务监督委员会" not in text
    for name in runoff_names:
        assert name in text
    for post, names in w.names.items():
        for name in names:
            if name not in runoff_names:
                assert name not in text, f"{name} ({post}) is not a run-off candidate"
    assert [body for body, _ in printing.ballot_specs(db, e, 2)] == [""]
    e.paper_layout = "per_body"  # a body with no post in the round has no paper
    assert [body for body, _ in printing.ballot_specs(db, e, 2)] == ["jwh"]
    e.paper_layout = "one"
    db.commit()

    # One round-2 paper per voter, also for a voter who voted in round 1; round 1 is closed.
    voter = w.voters[0]
    assert issuance.status_of(db, e, voter, 2).label == "可以领取选票"
    desk = w.station.desks[1]
    issuance.issue_ballot(db, e, desk.id, voter.id, "a_clerk")
    with pytest.raises(UserError, match="已领取选票"):
        issuance.issue_ballot(db, e, desk.id, voter.id, "a_clerk")
    with pytest.raises(UserError, match="第 1 轮投票结果已公布"):
        issuance.issue_ballot(db, e, desk.id, w.voters[30].id, "a_clerk", round_number=1)
    # A round-1 stub taken home cannot go into a round-2 box.
    home_stub, home_body = w.taken_home[1][0]
    with pytest.raises(UserError, match="第 1 轮的选票"):
        deposit.deposit(db, e, w.station.boxes[0].id, home_stub)

    # Round 2 through the helper: voters 0..22 (voter 0 already has a paper: voted by hand).
    box = w.station.boxes[0]
    stub, body = papers[0]
    handout.hand_out(db, e, w.station.id, stub)
    deposit.deposit(db, e, box.id, stub)
    # Counted once the poll is over (the first paper entered closes it in the chain).
    to_count = [(box, body, {"jwh_weiyuan": [0]})]
    rest = iter(papers[1:])
    for i, v in enumerate(w.voters[1:23]):
        issuance.issue_ballot(db, e, w.station.desks[0].id, v.id, "a_clerk")
        s, b = next(rest)
        handout.hand_out(db, e, w.station.id, s)
        if i == 0:  # 写错换票: the spoiled paper is voided, the voter takes the next one
            deposit.spoil(db, e, w.station.id, s, b)
            s, b = next(rest)
            handout.hand_out(db, e, w.station.id, s)
        bx = w.station.boxes[i % 2]
        deposit.deposit(db, e, bx.id, s)
        to_count.append((bx, b, {"jwh_weiyuan": [0 if i < 13 else 1]}))
    for s, b in rest:
        deposit.void_unused(db, e, s, b)
    for bx, b, marks in to_count:
        enter_scanned(db, e, bx.id, b, fields_for(db, e, 2, marks), "a_counter", 2)
        db.commit()
    rec = reconciliation(db, e, 2)
    assert (rec.printed, rec.issued, rec.spoiled, rec.unused) == (25, 23, 1, 1) and rec.findings == []
    assert reconciliation(db, e, 1).issued == 24  # round 1's figures are its own

    running = running_tally(db, e, 2)
    assert running["returned"] == 23 and [p["key"] for p in running["posts"]] == ["jwh_weiyuan"]
    enter_board(db, e, 2, {p["key"]: {r["person"]: r["votes"] for r in p["rows"]} for p in running["posts"]}, "s")
    result = publish_result(db, e, 2, "a_committee").result
    db.commit()
    post = result["posts"]["jwh_weiyuan"]
    assert [(x["name"], x["votes"]) for x in post["elected"]] == [(runoff_names[0], 14)]
    assert result["papers_returned"] == 23 and result["next_round"] == "none"
    with pytest.raises(UserError, match="第 2 轮投票结果已公布"):
        issuance.issue_ballot(db, e, desk.id, w.voters[30].id, "a_clerk")

    # Each round's bundle verifies on its own; round 2's holds no round-1 paper.
    two = export_bundle(db, e, DATA_KEY, "committee", auditor=True)
    db.commit()
    assert two.round_number == 2  # the default: the last published round
    assert _failed(two.data) == []
    files = bundle.read_files(two.data)
    totals = json.loads(files["totals.json"])
    assert totals["round"] == 2 and totals["returned"] == 23 and list(totals["posts"]) == ["jwh_weiyuan"]
    assert sum(json.loads(files["issuance.json"]).values()) == 23
    assert sum(len(m["receipts"]) for m in json.loads(files["manifest.json"])) == 25
    assert len(bundle.parse_records(files["records.jsonl"])) == 23
    one = export_bundle(db, e, DATA_KEY, "committee", auditor=True, round_number=1)
    db.commit()
    assert _failed(one.data) == []
    ones = bundle.read_files(one.data)
    assert json.loads(ones["totals.json"])["returned"] == 23 and sum(json.loads(ones["issuance.json"]).values()) == 24
    # The chain is whole in both: it carries both rounds' manifest events.
    kinds = [json.loads(line)["payload"].get("round") for line in ones["chain.jsonl"].splitlines()
             if json.loads(line)["kind"] == "ballots.printed"]
    assert kinds == [1, 2]

    # A receipt of either round is found, with its own round's box root.
    a1 = lookup_receipt(db, w.papers[1][0][0])
    a2 = lookup_receipt(db, stub)
    assert (a1.found, a1.round_number, a2.found, a2.round_number) == (True, 1, True, 2)
    roots = {r: json.loads(f["deposits.json"])["boxes"] for r, f in ((1, ones), (2, files))}
    assert a1.box_root == roots[1][a1.box]["root"] and a2.box_root == roots[2][a2.box]["root"]

    # The street office audits round 2 by default; its audit.json travels in round 2's bundle.
    from tests.audit.test_rla_service import _sealed

    _sealed(db, e)
    audit = seeding.start(db, e, SEED, "auditor")
    db.commit()
    assert audit.round_number == 2 and audit.papers == 23
    again = export_bundle(db, e, DATA_KEY, "committee", auditor=True, round_number=2)
    db.commit()
    assert "audit.json" in bundle.read_files(again.data) and _failed(again.data) == []
    assert "audit.json" not in bundle.read_files(export_bundle(db, e, DATA_KEY, "c", auditor=True, round_number=1).data)


def test_round_2_bundle_claiming_round_1_fails_the_manifest_check(db, runoff, monkeypatch):
    """The round is part of what is checked: relabelled, a bundle's batches no longer match
    the manifest events the chain records for the round it claims."""
    from election.ledger import keys

    w, e = runoff, runoff.election
    vote_round(db, w, monkeypatch, 2, w.voters[:23], lambda i: {"jwh_weiyuan": [i % 2]})
    data = export_bundle(db, e, DATA_KEY, "committee", auditor=True).data
    db.commit()
    files = bundle.read_files(data)
    totals = json.loads(files["totals.json"])
    totals["round"] = 1
    files["totals.json"] = bundle.canonical_json(totals) + b"\n"
    resealed = bundle.write_files(bundle.seal_files(files, keys.private_key(db, e, DATA_KEY), "2026-11-25"))
    failed = {c.name_en: c.detail for c in run(resealed) if not c.ok}
    assert "manifest" in failed and "印刷时记入事件链的摘要不符" in failed["manifest"]


def test_printing_refuses_a_published_or_missing_round(db, runoff):
    e = runoff.election
    with pytest.raises(UserError, match="第 1 轮投票结果已公布"):
        printing.ballot_specs(db, e, 1)
    with pytest.raises(UserError, match="第 3 轮投票不存在"):
        printing.ballot_specs(db, e, 3)


def test_tie_makes_a_revote_paper(db, world, monkeypatch):
    """委员 (3 seats): A on every paper, B, C and D on two thirds each — all above half, B, C
    and D tied for the last two seats: the next round is a re-vote among them (再次投票)."""
    w = setup(db, world["a"]["election"])
    thirds = ([0, 1, 2], [0, 1, 3], [0, 2, 3])
    vote_round(db, w, monkeypatch, 1, w.voters[:24],
               lambda i: {**FIRST, "jwh_weiyuan": list(thirds[i % 3])})
    rnd = db.scalar(select(Round).where(Round.election_id == w.election.id, Round.number == 2))
    assert rnd.kind == "revote" and list(rnd.posts) == ["jwh_weiyuan"]
    tied = [c.resident.name for c in candidates_of(db, w.election, "jwh_weiyuan")[1:]]
    assert rnd.posts["jwh_weiyuan"]["seats"] == 2
    pdf = io.BytesIO()
    print_capturing(db, w.election, 1, monkeypatch, round_number=2, out=pdf)
    text = PdfReader(io.BytesIO(pdf.getvalue())).pages[0].extract_text()
    assert "再次投票" in text and "另行选举" not in text
    assert all(name in text for name in tied)
    assert candidates_of(db, w.election, "jwh_weiyuan")[0].resident.name not in text


def test_round_2_through_the_pages(app, db, runoff, monkeypatch):
    """The committee prints round-2 papers from the polling page (the round is shown and
    posted), a clerk issues a round-2 paper at the desk once, a counter enters round-2
    papers on round 2's entry page, and the running tally, projector and board follow."""
    import time

    from tests.conftest import csrf_token, login

    w, e = runoff, runoff.election
    runoff_names = [c.resident.name for c in candidates_of(db, e, "jwh_weiyuan")[2:]]
    client = app.test_client()
    login(client, "a_committee")
    page = client.get(f"/elections/{e.id}/polling").get_data(as_text=True)
    assert "第 2 轮 · 另行选举" in page and 'name="round" value="2"' in page
    token = csrf_token(client, f"/elections/{e.id}/polling")
    job = client.post(f"/elections/{e.id}/polling/print", data={"papers": "3", "body": "", "round": "2", "csrf_token": token})
    url = job.headers["Location"]
    assert "第 2 轮" in client.get(url).get_data(as_text=True)
    for _ in range(600):
        state = client.get(url + "/progress").get_json()
        if state["state"] != "running":
            break
        time.sleep(0.1)
    assert state["state"] == "ready", state
    text = PdfReader(io.BytesIO(b"".join(client.get(url + "/download").response))).pages[0].extract_text()
    assert "另行选举" in text and all(name in text for name in runoff_names)

    # Turnout and reconciliation work on round 2; round 1's stay readable, not writable.
    turnout = f"/elections/{e.id}/polling/turnout"
    assert "第 2 轮 · 另行选举" in client.get(turnout).get_data(as_text=True)
    assert client.get(turnout + ".json", query_string={"round": 1}).get_json()["issued"] == 24
    assert client.get(turnout, query_string={"round": 9}).status_code == 404
    reconcile = f"/elections/{e.id}/polling/reconcile"
    old = client.get(reconcile, query_string={"round": 1}).get_data(as_text=True)
    assert "第 1 轮 · 第一轮投票" in old and "只能查看" in old and 'name="explanation"' not in old
    res = client.post(reconcile, data={"round": "1", "code": "x", "message": "m", "explanation": "e",
                                       "csrf_token": csrf_token(client, reconcile)}, follow_redirects=True)
    assert "第 1 轮已结束" in res.get_data(as_text=True)

    voter = w.voters[3]
    db.rollback()
    print_capturing(db, e, 1, monkeypatch, round_number=2)  # round 2 printed: papers may go out
    open_polling_day(db, e, 2)
    login(client, "a_clerk")
    desk = f"/elections/{e.id}/polling/desks/{w.station.desks[0].id}"
    page = client.get(desk, query_string={"q": voter.name}).get_data(as_text=True)
    assert "第 2 轮 · 另行选举" in page and "可以领取选票" in page
    token = csrf_token(client, desk)
    res = client.post(desk + "/issue", data={"voter_id": str(voter.id), "round": "2", "csrf_token": token}, follow_redirects=True)
    assert f"已向 {voter.name} 发出一张选票" in res.get_data(as_text=True)
    res = client.post(desk + "/issue", data={"voter_id": str(voter.id), "round": "2", "csrf_token": token}, follow_redirects=True)
    assert "已领取选票" in res.get_data(as_text=True)
    res = client.post(desk + "/issue", data={"voter_id": str(w.voters[31].id), "round": "1", "csrf_token": token},
                      follow_redirects=True)
    assert "第 1 轮投票结果已公布" in res.get_data(as_text=True)

    db.rollback()
    papers = print_capturing(db, e, 2, monkeypatch, round_number=2)
    box = w.station.boxes[0]
    login(client, "a_counter")
    entry = f"/elections/{e.id}/counting/2/entry"
    page = client.get(entry).get_data(as_text=True)
    assert "第 2 轮 · 另行选举" in page and all(name in page for name in runoff_names)
    token = csrf_token(client, entry)
    mix_boxes(client, entry, token, [box])
    mix_boxes(client, f"/elections/{e.id}/counting/1/entry", token, [box])
    fields = fields_for(db, e, 2, {"jwh_weiyuan": [1]})
    for _stub, body in papers:
        res = client.post(entry, data={"csrf_token": token, "box": str(box.id), "scan": body, **fields})
        assert res.status_code == 302
    # A round-2 paper is not entered on round 1's page (its form shows other posts).
    db.rollback()  # end the test session's read snapshot before it prints
    spare = print_capturing(db, e, 1, monkeypatch, round_number=2)[0][1]
    res = client.post(f"/elections/{e.id}/counting/1/entry", data={"csrf_token": token, "box": str(box.id), "scan": spare},
                      follow_redirects=True)
    assert "此选票是第 2 轮的选票" in res.get_data(as_text=True)
    tally = client.get(f"/elections/{e.id}/counting/2/tally.json").get_json()
    assert tally["round"] == 2 and tally["kind"] == "runoff" and tally["returned"] == 2
    votes = {r["name"]: r["votes"] for r in tally["posts"][0]["rows"]}
    assert votes == {runoff_names[0]: 0, runoff_names[1]: 2}
    for view in ("running", "projector"):
        html = client.get(f"/elections/{e.id}/counting/2/{view}").get_data(as_text=True)
        assert "另行选举" in html and runoff_names[1] in html
    login(client, "a_scrutineer")
    assert "另行选举" in client.get(f"/elections/{e.id}/counting/2/board").get_data(as_text=True)
    overview = client.get(f"/elections/{e.id}/counting").get_data(as_text=True)
    assert "第 1 轮 · 第一轮投票" in overview and "第 2 轮 · 另行选举" in overview


def test_runoff_for_the_woman_member_says_so_on_the_paper(db, runoff, monkeypatch):
    """A run-off round whose post keeps a seat for a woman (妇女委员定位) prints the rule."""
    e = runoff.election
    rnd = current_round(db, e)
    rnd.posts = {"jwh_weiyuan": {**rnd.posts["jwh_weiyuan"], "reserved_woman_seats": 1}}
    db.commit()
    (_, spec), = printing.ballot_specs(db, e, 2)
    assert spec.extra_instructions == ("居民委员会委员：本轮应选 1 名，其中 1 名为妇女委员定位名额，只能选女性。",)
    pdf = io.BytesIO()
    print_capturing(db, e, 1, monkeypatch, round_number=2, out=pdf)
    text = PdfReader(io.BytesIO(pdf.getvalue())).pages[0].extract_text().replace("\n", "")
    assert "妇女委员定位名额" in text


def test_each_round_published_and_checked_on_the_public_pages(app, db, runoff, monkeypatch):
    """The committee seals round 1's and round 2's public bundles from the result page; the
    page shows the latest and links the other; each download verifies; a resident's
    receipt of round 1 is answered with round 1's sealed root; the auditor picks a round."""
    from tests.conftest import csrf_token, finish_job, login

    w, e = runoff, runoff.election
    vote_round(db, w, monkeypatch, 2, w.voters[:23], lambda i: {"jwh_weiyuan": [i % 2]})
    client = app.test_client()
    login(client, "a_committee")
    result = f"/e/{e.id}/result"
    assert 'value="2" selected' in client.get(result).get_data(as_text=True)  # default: the last published
    for number in ("1", "2"):
        res = client.post(f"/e/{e.id}/publish", data={"round": number, "csrf_token": csrf_token(client, result)})
        assert f"第 {number} 轮公示包已签名并发布" in finish_job(client, res)  # sealing runs as a job
    anonymous = app.test_client()
    latest = anonymous.get(result).get_data(as_text=True)
    assert '<span id="round">第 2 轮</span>' in latest and f'href="/e/{e.id}/result?round=1"' in latest
    one = anonymous.get(result, query_string={"round": 1}).get_data(as_text=True)
    assert '<span id="round">第 1 轮</span>' in one
    bundles = {n: anonymous.get(f"/e/{e.id}/bundle.zip", query_string={"round": n}).data for n in (1, 2)}
    for n, data in bundles.items():
        assert _failed(data) == [] and json.loads(bundle.read_files(data)["totals.json"])["round"] == n
    root1 = json.loads(bundle.read_files(bundles[1])["deposits.json"])["root"]
    stub = w.papers[1][0][0]
    page = anonymous.get("/r/" + stub.rsplit("/", 1)[1]).get_data(as_text=True)
    assert "已计入" in page and "第 1 轮投票" in page and root1 in page

    login(client, "a_auditor")
    assert "第 2 轮" in client.get(f"/audit/e/{e.id}").get_data(as_text=True)
    url = f"/audit/e/{e.id}?round=1"
    from tests.audit.test_rla_service import _sealed

    _sealed(db, e, round_number=1)
    audit_service.record_dice(db, e, SEED, seeding.WITNESSES, "a_auditor", round_number=1)
    db.commit()
    client.post(url, data={"reveal": seeding.SECRET, "risk_limit": "", "csrf_token": csrf_token(client, url)})
    db.rollback()
    assert audit_service.current_audit(db, e).round_number == 1
    assert client.get(f"/audit/e/{e.id}?round=7").status_code == 404


def test_runoff_candidates_other_than_the_chain_named_fail_winners(db, runoff, monkeypatch, tmp_path):
    """A run-off's participants are those its round.created event lists (candidate ids, in
    ballot order): tally_input.json naming another candidacy for one of them, re-sealed with
    the election key, fails winners in both verifiers (PROTOCOL.md §9)."""
    import shutil
    import subprocess
    from pathlib import Path

    from election.ledger import keys

    w, e = runoff, runoff.election
    vote_round(db, w, monkeypatch, 2, w.voters[:23], lambda i: {"jwh_weiyuan": [i % 2]})
    data = export_bundle(db, e, DATA_KEY, "committee", auditor=True).data
    db.commit()
    assert _failed(data) == []
    files = bundle.read_files(data)
    ti = json.loads(files["tally_input.json"])
    first = candidates_of(db, e, "jwh_weiyuan")[0]  # a round-1 candidate, not in the run-off
    listed = [c for c in ti["candidates"] if c["post"] == "jwh_weiyuan"]
    assert str(first.id) not in [c["id"] for c in listed]
    listed[-1]["id"] = str(first.id)
    files["tally_input.json"] = bundle.canonical_json(ti) + b"\n"
    resealed = bundle.write_files(bundle.seal_files(files, keys.private_key(db, e, DATA_KEY), "2026-11-25"))
    failed = {c.name_en: c.detail for c in run(resealed) if not c.ok}
    assert list(failed) == ["winners"] and "候选人" in failed["winners"], failed
    node = shutil.which("node")
    if node is not None:
        (tmp_path / "forged.zip").write_bytes(resealed)
        cli = Path(__file__).resolve().parents[2] / "tools" / "verify" / "web" / "cli.js"
        out = subprocess.run([node, str(cli), "--json", str(tmp_path / "forged.zip")], capture_output=True, text=True,
                             timeout=300)
        assert [k for k, ok in json.loads(out.stdout).items() if not ok] == ["winners"], out.stdout


def test_a_recorded_relation_is_in_the_tally_input_and_verifies(db, world, monkeypatch):
    """nomination.add_relation records the pair by resident id (persons, extended); the
    exported round lists it in tally_input.json's relations and passes every check; the same
    bundle with the pair dropped, re-sealed with the election key, fails winners."""
    from election.ledger import keys
    from election.nomination import service as nomination

    w = setup(db, world["a"]["election"])
    a, b = w.voters[30], w.voters[31]
    nomination.add_relation(db, w.election, "committee", str(a.voter_number), str(b.voter_number), "spouse")
    db.commit()
    vote_round(db, w, monkeypatch, 1, w.voters[:24], lambda i: FIRST, take_home=1)
    data = export_bundle(db, w.election, DATA_KEY, "committee", auditor=True, round_number=1).data
    db.commit()
    assert _failed(data) == []
    files = bundle.read_files(data)
    ti = json.loads(files["tally_input.json"])
    assert [str(a.id), str(b.id)] in ti["relations"]
    ti["relations"] = [r for r in ti["relations"] if set(r[:2]) != {str(a.id), str(b.id)}]
    files["tally_input.json"] = bundle.canonical_json(ti) + b"\n"
    resealed = bundle.write_files(bundle.seal_files(files, keys.private_key(db, w.election, DATA_KEY), "2026-11-25"))
    failed = {c.name_en: c.detail for c in run(resealed) if not c.ok}
    assert list(failed) == ["winners"] and "亲属关系" in failed["winners"], failed


def test_round_1_candidates_are_the_list_published_before_printing(db, world, monkeypatch):
    """nomination.publish records each formal candidate's id and person; the round printed
    after it exports and verifies; a candidacy of tally_input.json replaced by one the list
    never had, re-sealed with the election key, fails winners."""
    from datetime import timedelta

    from election.ledger import keys
    from election.ledger.events import events_of, record_event
    from election.nomination import service as nomination
    from election.protocol import event_kinds as ek

    w = setup(db, world["a"]["election"])
    # The list event as nomination.publish writes it (its confirmations and dates are tested
    # in tests/nomination): the formal candidates of every post in ballot order.
    lists = nomination.formal_candidates(db, w.election)
    record_event(db, w.election, ek.NOMINATION_LIST_PUBLISHED, {
        "published_on": (w.election.election_day - timedelta(days=10)).isoformat(),
        "candidates": nomination._list_payload(db, w.election, lists), "warnings": []}, "committee")
    db.commit()
    assert all("candidate" in x and "person" in x for x in events_of(db, w.election)[-1].payload["candidates"])
    vote_round(db, w, monkeypatch, 1, w.voters[:24], lambda i: FIRST, take_home=1)
    data = export_bundle(db, w.election, DATA_KEY, "committee", auditor=True, round_number=1).data
    db.commit()
    assert _failed(data) == []
    files = bundle.read_files(data)
    ti = json.loads(files["tally_input.json"])
    ti["candidates"][-1]["id"] = "999999"
    files["tally_input.json"] = bundle.canonical_json(ti) + b"\n"
    resealed = bundle.write_files(bundle.seal_files(files, keys.private_key(db, w.election, DATA_KEY), "2026-11-25"))
    failed = {c.name_en: c.detail for c in run(resealed) if not c.ok}
    assert list(failed) == ["winners"] and "名单" in failed["winners"], failed


def test_candidate_corrected_after_the_list_verifies_and_old_values_fail(db, world, monkeypatch):
    """The list records each candidate's name and sex; a candidate's name and sex corrected on
    the roll after it (roll.edit, before the freeze) are the chain's roll.resident_corrected:
    the round exports with the new values and every check passes; tally_input.json given the
    list's old name back, re-sealed with the election key, fails winners only."""
    from datetime import timedelta

    from election.ledger import keys
    from election.ledger.events import events_of, record_event
    from election.nomination import service as nomination
    from election.protocol import event_kinds as ek
    from election.roll.edit import edit_resident

    w = setup(db, world["a"]["election"])
    lists = nomination.formal_candidates(db, w.election)
    record_event(db, w.election, ek.NOMINATION_LIST_PUBLISHED, {
        "published_on": (w.election.election_day - timedelta(days=10)).isoformat(),
        "candidates": nomination._list_payload(db, w.election, lists), "warnings": []}, "committee")
    entry = events_of(db, w.election)[-1].payload["candidates"][-1]
    person = next(c.resident for cs in lists.values() for c in cs if str(c.resident_id) == entry["person"])
    assert (entry["name"], entry["sex"]) == (person.name, person.sex)
    old_name = person.name
    edit_resident(db, w.election, person, name="王小明", sex="男" if person.sex == "女" else "女",
                  group=person.group_name, reason="户籍核对", actor="clerk")
    db.commit()
    vote_round(db, w, monkeypatch, 1, w.voters[:24], lambda i: FIRST, take_home=1)
    data = export_bundle(db, w.election, DATA_KEY, "committee", auditor=True, round_number=1).data
    db.commit()
    assert _failed(data) == []
    files = bundle.read_files(data)
    ti = json.loads(files["tally_input.json"])
    forged = next(c for c in ti["candidates"] if c["person"] == entry["person"])
    assert (forged["name"], forged["sex"]) == ("王小明", person.sex)
    forged["name"] = old_name
    files["tally_input.json"] = bundle.canonical_json(ti) + b"\n"
    resealed = bundle.write_files(bundle.seal_files(files, keys.private_key(db, w.election, DATA_KEY), "2026-11-25"))
    failed = {c.name_en: c.detail for c in run(resealed) if not c.ok}
    assert list(failed) == ["winners"] and "王小明" in failed["winners"], failed


def test_prior_elected_other_than_the_chains_fail_winners(db, runoff, monkeypatch, tmp_path):
    """A later round's prior_elected are the earlier rounds' elected still serving, as the
    chain's result.published events say: one dropped from tally_input.json (a seat, the woman
    member or the 主任 freed for the rules), re-sealed with the election key, fails winners in
    both verifiers."""
    import shutil
    import subprocess
    from pathlib import Path

    from election.ledger import keys

    w, e = runoff, runoff.election
    vote_round(db, w, monkeypatch, 2, w.voters[:23], lambda i: {"jwh_weiyuan": [i % 2]})
    data = export_bundle(db, e, DATA_KEY, "committee", auditor=True).data
    db.commit()
    assert _failed(data) == []
    files = bundle.read_files(data)
    ti = json.loads(files["tally_input.json"])
    assert len(ti["prior_elected"]) > 1
    ti["prior_elected"] = ti["prior_elected"][1:]
    files["tally_input.json"] = bundle.canonical_json(ti) + b"\n"
    resealed = bundle.write_files(bundle.seal_files(files, keys.private_key(db, e, DATA_KEY), "2026-11-25"))
    failed = {c.name_en: c.detail for c in run(resealed) if not c.ok}
    assert "winners" in failed and "prior_elected" in failed["winners"], failed
    node = shutil.which("node")
    if node is not None:
        (tmp_path / "forged.zip").write_bytes(resealed)
        cli = Path(__file__).resolve().parents[2] / "tools" / "verify" / "web" / "cli.js"
        out = subprocess.run([node, str(cli), "--json", str(tmp_path / "forged.zip")], capture_output=True, text=True,
                             timeout=300)
        assert sorted(k for k, ok in json.loads(out.stdout).items() if not ok) == sorted(failed), out.stdout
