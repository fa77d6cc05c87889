"""Browser test of counting from scans (issue 21, must show 2): a round's papers printed by the
printing service, voted and deposited, their fronts marked by the test deck's program and
both sides scanned, uploaded on the scan page as one batch (read as a job with progress); a
scrutineer approves the batch's counts; every paper the machine was unsure of is entered on
the adjudication page by a counter from the crop beside the proposed reading and approved by
another account; the records then equal the marks the generator drew, and the round's
auditor bundle verifies. The suite runs 10 papers (20 pages); `make soak` runs 250 (500)."""
from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from election import clock
from election.accounts.service import create_user
from election.counting import mixing
from election.counting.result import enter_board, publish_result, running_tally
from election.counting.service import d_from_scan
from election.models import AuditCode, Election, ScanPaper
from election.publication.bundle import export_bundle
from election.setup.service import ElectionDraft, create_community, create_election
from tests.browser.conftest import PASSWORD, log_in, settle_after_navigation, shot, unlabelled_fields
from tests.counting.voting import setup
from tests.scanning.scanned_round import scanned_round
from tools.verify import run


def _norm(marks: dict) -> dict:
    return {k: (sorted(v.get("approve", [])), sorted(v.get("oppose", [])), sorted(v.get("write_ins", [])))
            for k, v in marks.items()}


def _count_through_pages(browser, live_app, page, monkeypatch, tmp_path, papers: int) -> None:
    tag = uuid.uuid4().hex[:6]
    db = live_app.extensions["juxuan.sessions"]()
    community = create_community(db, f"扫描社区{tag}", f"扫描街道{tag}", 100)
    election = create_election(db, "test", community, ElectionDraft(
        title=f"扫描计票{tag}", election_day=clock.today() + timedelta(days=30), method="direct", preset="national",
        jwh_deputies=1, jwh_members=3, jdw_deputies=0, jdw_members=2), live_app.config["DATA_KEY"])
    for name, role in (("counter", "counter"), ("counter2", "counter"), ("scrutineer", "scrutineer")):
        create_user(db, f"{name}_{tag}", PASSWORD, role, community=community)
    db.commit()
    w = setup(db, election, voters=papers + 6)  # more than half take part: the election is valid
    eid = election.id
    folder = tmp_path / "scans"
    folder.mkdir()
    deck = scanned_round(db, w, monkeypatch, w.voters[:papers], folder, data_key=live_app.config["DATA_KEY"])
    box = w.station.boxes[0]
    mixing.confirm_mixed(db, election, 1, box.id, "监票人甲、乙", f"scrutineer_{tag}")
    db.commit()

    # The counter uploads the batch: a job with progress, then the batch's summary.
    log_in(page, f"counter_{tag}")
    page.goto(f"/elections/{eid}/scan/1")
    assert unlabelled_fields(page) == []
    page.get_by_label("票箱").select_option(str(box.id))
    page.locator("#scans").set_input_files([str(p) for p in deck.files])
    with page.expect_navigation():
        page.locator("#read-batch").click()
    expect(page.locator("#batch-link")).to_be_visible(timeout=60_000 + papers * 4_000)
    assert f"已处理 {papers} / {papers}" in page.locator("#job-status").inner_text()
    page.locator("#batch-link").click()
    page.wait_for_load_state("load")
    batch_url = page.url
    confident = int(page.locator("#n-confident").inner_text())
    to_people = int(page.locator("#n-people").inner_text())
    assert confident + to_people == papers and to_people >= 1
    assert page.locator("#approve-batch").count() == 0  # a counter cannot approve

    # The scrutineer approves the batch: the confident papers are recorded.
    other = settle_after_navigation(browser.new_context(locale="zh-CN", base_url=live_app.config["LIVE_URL"]).new_page())
    log_in(other, f"scrutineer_{tag}")
    other.goto(batch_url)
    shot(other, "scan-batch")
    with other.expect_navigation():
        other.locator("#approve-batch").click()
    assert f"{confident} 张选票已计入" in other.locator(".flashes").inner_text()

    # Each paper for people: a counter enters it from the crops, the scrutineer approves it.
    by_pages = {f"{2 * i + 1}-{2 * i + 2}": p for i, p in enumerate(deck.papers)}
    db.rollback()
    waiting = [(p.token, p.pages) for p in db.scalars(select(ScanPaper).where(
        ScanPaper.election_id == eid, ScanPaper.state == "to_people"))]
    assert len(waiting) == to_people
    from election.counting.service import ballot_of

    ballot = ballot_of(db, db.get(Election, eid), 1)
    for n, (token, pages) in enumerate(sorted(waiting, key=lambda t: int(t[1].split("-")[0]))):
        truth = by_pages[pages]
        page.goto(f"/elections/{eid}/scan/papers/{token}")
        assert page.locator("#page-image").count() == 1
        if n == 0:
            assert unlabelled_fields(page) == []
            shot(page, "scan-adjudication")
        for spec, cands in ballot.posts:
            marks = truth.marks[spec.key]
            for c in cands:
                rid = c.person
                value = "1" if rid in marks["approve"] else "2" if rid in marks["oppose"] else "0"
                page.locator(f"input[name='m-{spec.key}-{c.id}'][value='{value}']").check()
            if marks["write_ins"]:
                page.locator(f"#w-{spec.key}").fill("，".join(deck.write_in_text[int(r)] for r in marks["write_ins"]))
        with page.expect_navigation():
            page.locator("#enter").click()
        assert "已录入认定结果" in page.locator(".flashes").inner_text(), page.locator(".flashes").inner_text()
        assert page.locator("#not-yours").count() == 1  # the same account cannot approve its own entry
        other.goto(f"/elections/{eid}/scan/papers/{token}")
        with other.expect_navigation():
            other.locator("#approve").click()
        assert "此选票已计入" in other.locator(".flashes").inner_text()
    other.context.close()

    # The records equal the marks the generator drew, paper for paper.
    db.rollback()
    e = db.get(Election, eid)
    counted = {c.d_hash: c.marks for c in db.scalars(select(AuditCode).where(AuditCode.election_id == eid,
                                                                            AuditCode.state == "counted"))}
    assert len(counted) == papers
    for paper in deck.papers:
        assert _norm(counted[d_from_scan(e, paper.body)]) == _norm(paper.marks), paper.styles

    # The round is published and its auditor bundle verifies.
    running = running_tally(db, e, 1)
    enter_board(db, e, 1, {p["key"]: {r["person"]: r["votes"] for r in p["rows"]} for p in running["posts"]},
                f"scrutineer_{tag}")
    publish_result(db, e, 1, "a_committee")
    db.commit()
    data = export_bundle(db, e, live_app.config["DATA_KEY"], "committee", auditor=True).data
    db.commit()
    assert [f"{c.name_en}: {c.detail}" for c in run(data) if not c.ok] == []
    from election.protocol import bundle

    assert len(bundle.parse_records(bundle.read_files(data)["records.jsonl"])) == papers
    assert json.loads(bundle.read_files(data)["totals.json"])["returned"] == papers
    db.close()


def test_a_batch_of_20_pages_counted_through_the_pages(browser, live_app, page, monkeypatch, tmp_path):
    _count_through_pages(browser, live_app, page, monkeypatch, tmp_path, 10)


@pytest.mark.soak
def test_a_batch_of_500_pages_counted_through_the_pages(browser, live_app, page, monkeypatch, tmp_path):
    _count_through_pages(browser, live_app, page, monkeypatch, tmp_path, 250)
