"""Browser: a 居民代表会议 convened through the page, attendance scanned at the door, the
quorum failing at exactly half and a decision refused, then holding with one more, the
decision taken by the rulebook's 2/3 of those present, closed, minutes printed (issue 20,
Must show 2)."""
from __future__ import annotations

import io
import uuid
from datetime import datetime, time, timedelta

from playwright.sync_api import expect

from election import clock
from election.accounts.service import create_user
from election.meetings import service as meeting_svc
from election.models import RepArea, Representative
from election.roll.cards import assign_cards
from election.roll.register import voters_query
from election.setup.service import ElectionDraft, create_community, create_election
from tests.browser.conftest import PASSWORD, log_in, no_horizontal_scroll, shot, unlabelled_fields
from tests.factories import build_roll


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).replace("\n", "")


def test_representatives_meeting_quorum_fails_then_holds(page, live_app):
    tag = uuid.uuid4().hex[:6]
    db = live_app.extensions["juxuan.sessions"]()
    community = create_community(db, f"会议社区{tag}", "测试街道", 20)
    election = create_election(db, "test", community, ElectionDraft(
        title=f"会议测试{tag}换届选举", election_day=clock.today() + timedelta(days=40), method="direct",
        preset="national", jwh_deputies=1, jwh_members=3, jdw_deputies=0, jdw_members=2,
    ), live_app.config["DATA_KEY"])
    create_user(db, f"mt_{tag}", PASSWORD, "committee", "委员", community)
    build_roll(db, election, live_app.config["DATA_KEY"], [20])
    assign_cards(db, election, "test")
    voters = list(db.scalars(voters_query(election).order_by("voter_number")))
    area = RepArea(election_id=election.id, number=1, seats=8, explanation="")
    db.add(area)
    db.flush()
    for v in voters[:8]:
        db.add(Representative(election_id=election.id, area_id=area.id, resident_id=v.id, since=clock.today()))
    db.commit()
    cards = [v.card_code for v in voters[:8]]
    outsider = voters[10].card_code
    day = clock.today() + timedelta(days=10)

    log_in(page, f"mt_{tag}")
    page.goto(f"/elections/{election.id}/meetings")
    assert unlabelled_fields(page) == [] and no_horizontal_scroll(page)
    page.get_by_label("会议类型").select_option(label="居民代表会议")
    page.get_by_label("参加人员").select_option(label="居民代表")
    page.get_by_label("会议名称").fill("同意非户籍常住居民登记")
    page.get_by_label("会议日期").fill((day - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="召集会议").click()
    assert "须提前 10 天公告" in page.content()  # nine days is too soon
    page.get_by_label("会议名称").fill("同意非户籍常住居民登记")
    page.get_by_label("会议日期").fill(day.isoformat())
    page.get_by_role("button", name="召集会议").click()
    assert "会议已召集" in page.content()
    meeting_url = page.url
    with page.expect_download() as notice:
        page.get_by_role("link", name="会议公告 PDF").click()
    assert "关于召开居民代表会议的公告" in _pdf_text(notice.value.path().read_bytes())

    clock.pin(datetime.combine(day, time(9, 0), tzinfo=clock.zone()))
    try:
        log_in(page, f"mt_{tag}")  # ten days on: the session has expired
        page.goto(meeting_url)
        scan = page.get_by_label("扫描选民证，或填写选民编号、姓名")
        scan.fill(outsider)
        page.get_by_role("button", name="登记", exact=True).click()
        assert "不是现任居民代表" in page.content()
        for code in cards[:4]:
            page.get_by_label("扫描选民证，或填写选民编号、姓名").fill(code)
            page.get_by_role("button", name="登记", exact=True).click()
        assert "应到 8 人，实到 4 人（至少需 5 人）" in page.locator("#quorum").inner_text()
        assert "rep_meeting_quorum" in page.locator("#parameters").inner_text()
        page.get_by_label("表决事项").fill("同意登记非户籍常住居民")
        page.get_by_label("赞成").fill("4")
        page.get_by_role("button", name="记录表决结果").click()
        assert "不足法定人数" in page.content()
        assert page.locator("#decisions li.muted").count() == 1
        # The fifth arrives at another door: the chair's page follows without a reload.
        meeting_svc.attend(db, election, int(meeting_url.rstrip("/").rsplit("/", 1)[1]), cards[4], "another-door")
        db.commit()
        expect(page.locator("#quorum")).to_contain_text("符合法定人数", timeout=15000)
        expect(page.locator("#attendees li")).to_have_count(5)
        page.get_by_label("表决事项").fill("同意登记非户籍常住居民")
        page.get_by_label("赞成").fill("4")  # 4 of 5 present: more than 2/3
        page.get_by_label("反对").fill("1")
        page.get_by_role("button", name="记录表决结果").click()
        assert "赞成超过到会人数的2/3（至少需 4 票），通过" in page.locator("#decisions").inner_text()
        shot(page, "meeting-representatives")
        page.get_by_role("button", name="闭会").click()
        assert "会议已闭会" in page.content()
        with page.expect_download() as minutes:
            page.get_by_role("link", name="会议记录 PDF").click()
        text = _pdf_text(minutes.value.path().read_bytes())
        assert "应到居民代表8人，实到5人" in text and "同意登记非户籍常住居民" in text
    finally:
        clock.pin(None)
