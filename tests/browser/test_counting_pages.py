"""Browser tests of the counting pages: ballot entry with the keyboard only (scanner types
the QR then Enter; one key per candidate; Enter confirms; focus returns to the scan field),
the running tally refreshing itself, the projector view, the board and the overview."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from election import clock
from election.accounts.service import create_user
from election.counting.service import d_from_scan, enter_scanned
from election.models import AuditCode, Election
from election.setup.service import ElectionDraft, create_community, create_election
from tests.browser.conftest import PASSWORD, log_in, no_horizontal_scroll, shot, unlabelled_fields
from tests.counting.builder import build, entry_fields


@pytest.fixture
def counting_world(live_app):
    tag = uuid.uuid4().hex[:6]
    db = live_app.extensions["juxuan.sessions"]()
    community = create_community(db, f"计票社区{tag}", f"计票街道{tag}", 100)
    election = create_election(db, "test", community, ElectionDraft(
        title=f"计票测试选举{tag}", election_day=clock.today() + timedelta(days=30), method="direct", preset="national",
        jwh_deputies=1, jwh_members=3, jdw_deputies=0, jdw_members=2), live_app.config["DATA_KEY"])
    for role in ("counter", "committee", "scrutineer"):
        create_user(db, f"{role}_{tag}", PASSWORD, role, community=community)
    db.commit()
    built = build(db, election, live_app.config["DATA_KEY"], voters=12, papers=6, boxes=1)
    yield {"tag": tag, "election_id": election.id, "built": built, "db": db}
    db.close()


def test_entry_page_from_the_counting_page_offers_the_box_mixing(page, live_app):
    """A new user's walk: 选票录入 on the counting page opens the entry page without a box;
    it shows the first box with its mixing to confirm (a scan was refused, naming a form the
    page did not show), and choosing another box opens that box's page."""
    tag = uuid.uuid4().hex[:6]
    db = live_app.extensions["juxuan.sessions"]()
    community = create_community(db, f"两箱社区{tag}", f"两箱街道{tag}", 100)
    election = create_election(db, "test", community, ElectionDraft(
        title=f"两箱选举{tag}", election_day=clock.today() + timedelta(days=30), method="direct", preset="national",
        jwh_deputies=1, jwh_members=3, jdw_deputies=0, jdw_members=2), live_app.config["DATA_KEY"])
    create_user(db, f"counter_{tag}", PASSWORD, "counter", community=community)
    db.commit()
    b = build(db, election, live_app.config["DATA_KEY"], voters=12, papers=6, boxes=2)
    db.close()
    log_in(page, f"counter_{tag}")
    page.goto(f"/elections/{election.id}/counting")
    page.get_by_role("link", name="选票录入").click()
    expect(page.locator("#mix")).to_contain_text(b.boxes[0].label)
    with page.expect_navigation():
        page.get_by_label("票箱").select_option(str(b.boxes[1].id))
    assert f"box={b.boxes[1].id}" in page.url
    expect(page.locator("#mix")).to_contain_text(b.boxes[1].label)
    page.get_by_label("监票人").fill("监票人甲、乙")
    with page.expect_navigation():
        page.get_by_role("button", name="确认本票箱选票已混合").click()
    assert "已确认本票箱的选票已混合" in page.locator(".flashes").inner_text()
    assert page.locator("#mix").count() == 0 and page.get_by_label("票箱").input_value() == str(b.boxes[1].id)


def test_entry_page_keyboard_only(page, counting_world):
    """Rule (issue): a paper costs one scan plus the marks; Enter confirms; focus returns to the scan field."""
    w = counting_world
    b, eid = w["built"], w["election_id"]
    log_in(page, f"counter_{w['tag']}")
    page.goto(f"/elections/{eid}/counting/1/entry?box={b.boxes[0].id}")
    assert unlabelled_fields(page) == []
    # Issue 15: the scrutineers confirm the box was mixed before its first paper.
    page.get_by_label("监票人").fill("监票人甲、乙")
    with page.expect_navigation():
        page.get_by_role("button", name="确认本票箱选票已混合").click()
    assert "已确认本票箱的选票已混合" in page.locator(".flashes").inner_text()
    papers = [["1", "2"], ["2", "1", "1"], []]  # keys after the scan: 主任 ×2, then 副主任
    for scan, keys in zip(b.scans, papers):
        assert page.evaluate("document.activeElement.id") == "scan"
        page.keyboard.type(scan)
        page.keyboard.press("Enter")
        for key in keys:
            page.keyboard.press(key)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "已记录" in page.locator(".flashes").inner_text()
    assert page.evaluate("document.activeElement.id") == "scan"
    assert "已录入 3 张，存根 6 张" in page.locator("#box-count").inner_text()
    shot(page, "counting-entry")
    db = w["db"]
    db.rollback()
    election = db.get(Election, eid)
    first = db.get(AuditCode, (eid, d_from_scan(election, b.scans[0]))).marks
    zh = [str(b.residents[0].id), str(b.residents[1].id)]
    assert first["jwh_zhuren"]["approve"] == [zh[0]] and first["jwh_zhuren"]["oppose"] == [zh[1]]
    second = db.get(AuditCode, (eid, d_from_scan(election, b.scans[1]))).marks
    assert second["jwh_fu_zhuren"]["approve"] == [str(b.residents[2].id)]
    third = db.get(AuditCode, (eid, d_from_scan(election, b.scans[2]))).marks
    assert all(not m["approve"] and not m["oppose"] for m in third.values())
    # The same paper scanned again is refused loudly.
    page.keyboard.type(b.scans[0])
    page.keyboard.press("Enter")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "此选票已经录入过" in page.locator(".flash.error").inner_text()


def test_running_tally_refreshes_and_projector(page, counting_world):
    w = counting_world
    b, eid, db = w["built"], w["election_id"], w["db"]
    log_in(page, f"scrutineer_{w['tag']}")
    page.goto(f"/elections/{eid}/counting/1/running")
    assert page.locator("#returned").inner_text() == "0"
    election = db.get(Election, eid)
    enter_scanned(db, election, b.boxes[0].id, b.scans[3], entry_fields(b, {"jwh_zhuren": {0: "1"}}), "c")
    db.commit()
    expect(page.locator("#returned")).to_have_text("1", timeout=6000)  # no string eval under the CSP
    assert "张建国" in page.locator("#posts").inner_text() and "当选票数线 1 票" in page.locator("#posts").inner_text()
    shot(page, "counting-running")
    page.goto(f"/elections/{eid}/counting/1/projector")
    assert page.locator(".top").is_hidden()
    assert float(page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")) > 16
    assert "张建国" in page.locator("#posts").inner_text()
    shot(page, "counting-projector")


def test_overview_and_board_on_phone(phone, counting_world):
    w = counting_world
    eid = w["election_id"]
    log_in(phone, f"committee_{w['tag']}")
    phone.goto(f"/elections/{eid}/counting")
    assert "票箱核对" in phone.content() and "尚未录入计票板合计" in phone.locator(".blockers").inner_text()
    assert no_horizontal_scroll(phone)
    shot(phone, "counting-overview")
    phone.get_by_role("link", name="计票板合计").click()
    assert unlabelled_fields(phone) == []
    assert no_horizontal_scroll(phone)  # the board itself (a fieldset's min-content made it 391 px)
    for field in phone.locator("input[name^=b-]").all():
        field.fill("0")
    phone.get_by_role("button", name="录入合计").click()
    phone.wait_for_url(f"**/elections/{eid}/counting")
    assert "计票板合计已录入" in phone.locator(".flashes").inner_text()
    assert no_horizontal_scroll(phone)
    shot(phone, "counting-board")


def test_board_takes_for_against_and_abstain(page, counting_world):
    """The hand tally board has 赞成, 反对 and 弃权 for every candidate; a row whose three
    columns do not add up like the others of its post is refused in words; the counted figures
    are accepted and leave no difference on the overview."""
    w = counting_world
    eid, b, db = w["election_id"], w["built"], w["db"]
    election = db.get(Election, eid)
    for scan in b.scans:
        enter_scanned(db, election, b.boxes[0].id, scan, entry_fields(b, {"jwh_zhuren": {0: "1", 1: "2"}}), "c")
    db.commit()
    log_in(page, f"scrutineer_{w['tag']}")
    tally = page.request.get(f"/elections/{eid}/counting/1/tally.json").json()
    page.goto(f"/elections/{eid}/counting/1/board")
    assert unlabelled_fields(page) == []
    first = tally["posts"][0]["rows"][0]
    second = tally["posts"][0]["rows"][1]
    assert (first["votes"], first["opposed"], first["abstained"]) == (6, 0, 0)  # 主任: 赞成 the first on every paper
    assert (second["votes"], second["opposed"], second["abstained"]) == (0, 6, 0)  # and 反对 the second
    for post in tally["posts"]:
        for r in post["rows"]:
            page.locator(f"#b-{post['key']}-{r['person']}").fill(str(r["votes"]))
            if not r["write_in"]:
                page.locator(f"#o-{post['key']}-{r['person']}").fill(str(r["opposed"]))
                page.locator(f"#a-{post['key']}-{r['person']}").fill(str(r["abstained"]))
    page.get_by_label(f"{first['name']} 弃权").first.fill("5")
    page.get_by_role("button", name="录入合计").click()
    expect(page.locator(".flashes")).to_contain_text("赞成、反对、弃权之和都应等于本职位有效票数")
    page.goto(f"/elections/{eid}/counting/1/board")
    for post in tally["posts"]:
        for r in post["rows"]:
            page.locator(f"#b-{post['key']}-{r['person']}").fill(str(r["votes"]))
            if not r["write_in"]:
                page.locator(f"#o-{post['key']}-{r['person']}").fill(str(r["opposed"]))
                page.locator(f"#a-{post['key']}-{r['person']}").fill(str(r["abstained"]))
    shot(page, "counting-board-columns")
    page.get_by_role("button", name="录入合计").click()
    page.wait_for_url(f"**/elections/{eid}/counting")
    assert "计票板合计已录入" in page.locator(".flashes").inner_text()
    assert page.locator(".board-diff").count() == 0


def test_auditor_receives_filing(page, counting_world, live_app):
    """Rule (RULES.md Counting and results): the report is filed (备案) with the street office."""
    from election.counting.reports import file_result
    from election.counting.result import enter_board, publish_result, running_tally

    w = counting_world
    b, eid, db = w["built"], w["election_id"], w["db"]
    election = db.get(Election, eid)
    for scan in b.scans:
        enter_scanned(db, election, b.boxes[0].id, scan, entry_fields(b, {"jwh_zhuren": {0: "1"}}), "c")
        db.commit()
    running = running_tally(db, election, 1)
    enter_board(db, election, 1, {p["key"]: {r["person"]: r["votes"] for r in p["rows"]} for p in running["posts"]}, "s")
    publish_result(db, election, 1, "committee")
    file_result(db, election, 1, "committee")
    create_user(db, f"auditor_{w['tag']}", PASSWORD, "auditor", street_office=election.community.street_office)
    db.commit()
    log_in(page, f"auditor_{w['tag']}")
    page.goto("/filings")
    row = page.locator("#filings tbody tr", has_text=election.title)
    assert row.count() == 1
    row.get_by_role("button", name="签收").click()
    page.wait_for_url("**/filings")
    assert "已签收" in page.locator("#filings", has_text=election.title).inner_text()
    shot(page, "counting-filings")
    with page.expect_response(lambda r: r.url.endswith("/counting/1/report.pdf")) as info:
        page.evaluate("url => fetch(url)", f"/elections/{eid}/counting/1/report.pdf")
    assert info.value.headers["content-type"] == "application/pdf"
