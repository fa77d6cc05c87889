"""Browser: a 居民代表会议 convened through the page, attendance scanned at the door, the
quorum failing at exactly half and a decision refused, then holding with one more, the
decision taken by the rulebook's 2/3 of those present, two recorded leaving (one at this
door, one at another: the quorum follows live), closed, minutes printed (issue 20, Must show 2)."""
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
        # 离场: one leaves through this door, another at the other door; the quorum follows.
        page.get_by_label("离场人员的选民证、选民编号或姓名").fill(cards[4])
        page.get_by_role("button", name="登记离场").click()
        assert "已登记离场" in page.content()
        assert "应到 8 人，实到 4 人（至少需 5 人）" in page.locator("#quorum").inner_text()
        expect(page.locator("#attendees li")).to_have_count(4)
        expect(page.locator("#departed li")).to_have_count(1)
        assert unlabelled_fields(page) == [] and no_horizontal_scroll(page)
        meeting_svc.leave(db, election, int(meeting_url.rstrip("/").rsplit("/", 1)[1]), cards[3], "another-door")
        db.commit()
        expect(page.locator("#departed li")).to_have_count(2, timeout=15000)
        expect(page.locator("#present-count")).to_have_text("3")
        page.get_by_role("button", name="闭会").click()
        assert "会议已闭会" in page.content()
        with page.expect_download() as minutes:
            page.get_by_role("link", name="会议记录 PDF").click()
        text = _pdf_text(minutes.value.path().read_bytes())
        assert "应到居民代表8人，实到3人（另有2人中途离场）" in text and "同意登记非户籍常住居民" in text
    finally:
        clock.pin(None)


def test_representatives_meeting_decides_a_motion_on_secret_paper(page, live_app, monkeypatch, tmp_path):
    """A 居民代表会议 after the election: attendance recorded at the door on the meeting's page,
    a motion put to a secret paper there; the 表决票 printed with the election's codes, one
    handed to each of those present, deposited, entered and counted by the services of every
    round; the counting page sends the committee back to the meeting, whose page publishes
    it: 2/3 of those present decide; a late arrival is refused at the door while the vote is
    open; minutes and decision notice read back; the round's bundle verifies in both
    verifiers."""
    from election.counting.result import enter_board, running_tally
    from election.models import Meeting
    from election.publication.bundle import export_bundle
    from tests.counting import voting
    from tests.meetings.test_by_election import _browser_verifier_agrees
    from tools import verify

    tag = uuid.uuid4().hex[:6]
    key = live_app.config["DATA_KEY"]
    db = live_app.extensions["juxuan.sessions"]()
    community = create_community(db, f"表决会议{tag}", "测试街道", 20)
    election = create_election(db, "test", community, ElectionDraft(
        title=f"表决会议{tag}换届选举", election_day=clock.today() + timedelta(days=40), method="direct",
        preset="national", jwh_deputies=1, jwh_members=3, jdw_deputies=0, jdw_members=2,
    ), key)
    create_user(db, f"mv_{tag}", PASSWORD, "committee", "委员", community)
    db.commit()
    w = voting.setup(db, election, voters=40)
    full = {"jwh_zhuren": [0], "jwh_fu_zhuren": [0], "jwh_weiyuan": [0, 1, 2], "jdw_zhuren": [0], "jdw_weiyuan": [0, 1]}
    voting.vote_round(db, w, monkeypatch, 1, w.voters[:30], lambda i: full, data_key=key)
    assign_cards(db, election, "x")
    area = RepArea(election_id=election.id, number=1, seats=9, explanation="")
    db.add(area)
    db.flush()
    for v in w.voters[:9]:
        db.add(Representative(election_id=election.id, area_id=area.id, resident_id=v.id, since=clock.today()))
    day = clock.today() + timedelta(days=10)
    meeting = meeting_svc.convene(db, election, kind="representatives", basis="representatives", title="老年食堂议事",
                                  agenda="", held_on=day, place="活动室", convened_by="committee", actor="a_committee")
    db.commit()
    motion = "同意将社区活动室改建为老年食堂"
    clock.pin(datetime.combine(day, time(9, 0), tzinfo=clock.zone()))
    try:
        log_in(page, f"mv_{tag}")
        page.goto(f"/elections/{election.id}/meetings/{meeting.id}")
        for v in w.voters[:7]:  # 7 of 9 representatives come
            page.get_by_label("扫描选民证，或填写选民编号、姓名").fill(v.card_code)
            page.get_by_role("button", name="登记", exact=True).click()
        assert "应到 9 人，实到 7 人" in page.locator("#quorum").inner_text()
        assert unlabelled_fields(page) == [] and no_horizontal_scroll(page)
        page.get_by_label("以表决票表决的事项（印在票上，不超过 60 字）").fill(motion)
        page.get_by_role("button", name="以表决票表决").click()
        assert "已决定以表决票表决" in page.content()
        assert "第 2 轮" in page.locator("#paper-votes").inner_text() and "待发票" in page.locator("#paper-votes").inner_text()

        # Printed, handed out to the 7 present, deposited and entered: 5 agree (more than 2/3
        # of 7 is 5), 1 disagrees, 1 leaves it blank.
        db.expire_all()
        voting.vote_round(db, w, monkeypatch, 2, w.voters[:7],
                          lambda i: {"motion": [0]} if i < 5 else ({"oppose:motion": [0]} if i < 6 else {}),
                          publish=False, data_key=key)
        page.goto(f"/elections/{election.id}/meetings/{meeting.id}")
        assert "投票中，到会 7 人" in page.locator("#paper-votes").inner_text()
        page.get_by_label("扫描选民证，或填写选民编号、姓名").fill(w.voters[7].card_code)  # arrives late
        page.get_by_role("button", name="登记", exact=True).click()
        assert "到会人员已确定为 7 人" in page.content()
        running = running_tally(db, election, 2)
        enter_board(db, election, 2, {p["key"]: {r["person"]: r["votes"] for r in p["rows"]} for p in running["posts"]},
                    "a_scrutineer")
        db.commit()
        page.goto(f"/elections/{election.id}/counting")
        page.locator("#motion-publish-2").click()
        page.get_by_role("button", name="公布表决结果").click()
        decided = page.locator("#decisions").inner_text()
        assert "第 2 轮表决票：赞成 5 票，反对 1 票，弃权 1 票" in decided and "通过" in decided
        assert "已公布" in page.locator("#paper-votes").inner_text()
        shot(page, "meeting-motion-on-paper")
        page.get_by_role("button", name="闭会").click()
        assert "会议已闭会" in page.content()
        with page.expect_download() as minutes:
            page.get_by_role("link", name="会议记录 PDF").click()
        text = _pdf_text(minutes.value.path().read_bytes()).replace(" ", "")
        assert motion in text and "表决票（第2轮）" in text
        with page.expect_download() as notice:
            page.get_by_role("link", name="决定公告 PDF").click()
        assert motion in _pdf_text(notice.value.path().read_bytes()).replace(" ", "")
    finally:
        clock.pin(None)
    db.expire_all()
    assert db.get_one(Meeting, meeting.id).status == "closed"
    data = export_bundle(db, election, key, "a_committee", auditor=True, round_number=2).data
    db.commit()
    checks = verify.run(data)
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]
    assert "表决票" in next(c for c in checks if c.name_en == "meeting_decisions").detail
    _browser_verifier_agrees(data, checks, tmp_path)
    db.close()
