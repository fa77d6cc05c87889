"""Browser tests of the nomination pages: every page driven through its labels, on a
desktop and a phone (no horizontal scroll), with a screenshot each."""
from __future__ import annotations

import uuid
from datetime import timedelta

from election import clock
from election.accounts.service import create_user
from election.nomination import service
from election.setup.service import ElectionDraft, create_community, create_election
from tests.browser.conftest import PASSWORD, log_in, no_horizontal_scroll, shot, unlabelled_fields
from tests.factories import Roll
from tests.nomination.helpers import SLATE, full_slate


def _world(live_app, *, slate: bool = True, confirm: bool = True, extra_weiyuan: int = 0) -> dict:
    """A community, an election, a committee user and a street admin, and (optionally) nominees."""
    tag = uuid.uuid4().hex[:6]
    db = live_app.extensions["juxuan.sessions"]()
    community = create_community(db, f"提名页面社区{tag}", "浏览器街道", 200)
    election = create_election(db, "test", community, ElectionDraft(
        title="提名页面测试选举", election_day=clock.today() + timedelta(days=30), method="direct",
        preset="national", jwh_deputies=1, jwh_members=3, jdw_deputies=0, jdw_members=2,
    ), live_app.config["DATA_KEY"])
    create_user(db, f"c_{tag}", PASSWORD, "committee", "选举委员", community)
    create_user(db, f"s_{tag}", PASSWORD, "street_admin", "街道干部", community)
    roll = Roll(db, election, live_app.config["DATA_KEY"])
    if slate:
        full_slate(db, election, roll, confirm=confirm)
    for i in range(extra_weiyuan):
        service.nominate(db, election, "c", "jwh_weiyuan", str(roll.add(f"冯{'一二三'[i]}").voter_number), "self", "自荐书")
    out = {"election": election.id, "committee": f"c_{tag}", "street": f"s_{tag}", "roll": roll}
    signers = roll.many([f"联名{'甲乙丙丁戊己庚辛壬癸'[i]}" for i in range(10)])
    out["signers"] = [s.voter_number for s in signers]
    out["nominee"] = roll.add("黄小梅", "女").voter_number
    db.commit()
    db.close()
    return out


def test_nominees_page_shows_posts_channels_and_the_check(page, phone, live_app):
    w = _world(live_app, confirm=False)
    log_in(page, w["committee"])
    page.goto(f"/elections/{w['election']}/nomination")
    assert page.locator("h1").inner_text().startswith("候选人提名")
    section = page.locator("#post-jdw_zhuren")
    assert "待街道审核确认" in section.inner_text()
    assert "社区党组织提名" in section.inner_text()
    for name in SLATE["jwh_weiyuan"]:
        assert name in page.locator("#post-jwh_weiyuan").inner_text()
    errors = page.locator("#check-errors").inner_text()
    assert "尚未经街道党工委或纪工委审核确认" in errors
    shot(page, "nomination-index")
    log_in(phone, w["street"])
    phone.goto(f"/elections/{w['election']}/nomination")
    assert no_horizontal_scroll(phone)
    assert phone.get_by_role("link", name="登记提名").count() == 0  # street admin reads only


def test_add_joint_nomination_page(page, live_app):
    w = _world(live_app, slate=False)
    log_in(page, w["committee"])
    page.goto(f"/elections/{w['election']}/nomination/new")
    assert unlabelled_fields(page) == []
    page.get_by_label("职位").select_option(label="居民委员会委员")
    page.get_by_label("被提名人（选民编号或姓名）").fill("黄小梅")
    page.get_by_label("提名方式").select_option(label="选民联名推荐")
    page.get_by_label("提名依据（文字说明或文件编号）").fill("联名推荐书第1号")
    page.get_by_label("联名人（每行一个选民编号或姓名，仅联名推荐）").fill("\n".join(map(str, w["signers"][:9])))
    page.get_by_role("button", name="登记").click()
    assert "有效联名人9人，少于10人" in page.locator(".flashes").inner_text()
    page.get_by_label("联名人（每行一个选民编号或姓名，仅联名推荐）").fill("\n".join(map(str, w["signers"])))
    page.get_by_label("文化程度").fill("本科")
    page.get_by_label("现任职务").fill("楼组长")
    page.get_by_role("button", name="登记").click()
    page.wait_for_url(f"**/elections/{w['election']}/nomination")
    assert "已登记提名：黄小梅" in page.locator(".flashes").inner_text()
    assert "联名 10 人" in page.locator("#post-jwh_weiyuan").inner_text()
    shot(page, "nomination-new")


def test_street_admin_confirms_the_chair_page(page, live_app):
    w = _world(live_app, confirm=False)
    log_in(page, w["street"])
    page.goto(f"/elections/{w['election']}/nomination/confirm")
    assert unlabelled_fields(page) == []
    first = SLATE["jdw_zhuren"][0]
    section = page.locator("section", has_text=first).first
    section.get_by_label("审核确认机关").select_option("街道纪工委")
    section.get_by_label("审核确认依据（文件编号）").fill("街纪工委〔2026〕2号")
    section.get_by_role("button", name=f"确认 {first}").click()
    assert "已审核确认" in page.locator(".flashes").inner_text()
    assert "已经街道纪工委审核确认" in page.locator("section", has_text=first).first.inner_text()
    shot(page, "nomination-confirm")


def test_street_admin_rejects_a_chair_nominee_with_a_reason(page, live_app):
    """驳回 needs a reason; the refused nominee shows the body and the reason, and what the
    committee does next; no confirm form is left for them."""
    w = _world(live_app, confirm=False)
    log_in(page, w["street"])
    page.goto(f"/elections/{w['election']}/nomination/confirm")
    second = SLATE["jdw_zhuren"][1]
    section = page.locator("section", has_text=second).first
    section.get_by_role("button", name=f"驳回 {second}").click()
    assert f"驳回{second}须填写驳回理由" in page.locator(".flashes").inner_text()
    section = page.locator("section", has_text=second).first
    section.get_by_label("驳回机关").select_option("街道党工委")
    section.get_by_label("驳回理由（必填）").fill("不符合居务监督委员会主任人选条件")
    section.get_by_role("button", name=f"驳回 {second}").click()
    assert "驳回理由已记入选举事件记录" in page.locator(".flashes").inner_text()
    refused = page.locator("section", has_text=second).first
    assert "已被街道党工委驳回：不符合居务监督委员会主任人选条件" in refused.inner_text()
    assert refused.get_by_role("button", name=f"确认 {second}").count() == 0
    shot(page, "nomination-reject")


def test_primary_page_records_votes_and_flags_ties(page, live_app):
    w = _world(live_app, extra_weiyuan=3)
    log_in(page, w["committee"])
    page.goto(f"/elections/{w['election']}/nomination/primary/jwh_weiyuan")
    assert unlabelled_fields(page) == []
    names = SLATE["jwh_weiyuan"] + ["冯一", "冯二", "冯三"]
    for name, votes in zip(names, (30, 28, 26, 24, 22, 20, 20)):
        page.get_by_label(f"{name} 的得票").fill(str(votes))
    page.get_by_role("button", name="记录预选结果").click()
    page.wait_for_url(f"**/elections/{w['election']}/nomination")
    assert "第6名处得票相等" in page.locator(".flashes").inner_text()
    assert page.locator("#post-jwh_weiyuan .badge").count() == 2
    shot(page, "nomination-primary")


def test_relations_page_flags_a_relative(page, live_app):
    w = _world(live_app)
    log_in(page, w["committee"])
    page.goto(f"/elections/{w['election']}/nomination/relations")
    assert unlabelled_fields(page) == []
    page.get_by_label("居民（选民编号或姓名）").fill(SLATE["jdw_weiyuan"][0])
    page.get_by_label("亲属（选民编号或姓名）").fill(SLATE["jwh_zhuren"][0])
    page.get_by_label("亲属关系").select_option(label="配偶")
    page.get_by_role("button", name="登记关系").click()
    assert "亲属关系已登记" in page.locator(".flashes").inner_text()
    assert "配偶" in page.locator("#relations").inner_text()
    page.goto(f"/elections/{w['election']}/nomination")
    assert f"居务监督委员会候选人{SLATE['jdw_weiyuan'][0]}" in page.locator("#check-warnings").inner_text()
    shot(page, "nomination-relations")


def test_publish_page_refuses_a_late_date_then_publishes(page, phone, live_app):
    w = _world(live_app)
    log_in(page, w["committee"])
    page.goto(f"/elections/{w['election']}/nomination/publish")
    assert unlabelled_fields(page) == []
    election_day = clock.today() + timedelta(days=30)
    page.get_by_label("公布日期").fill((election_day - timedelta(days=2)).isoformat())
    page.get_by_role("button", name="公布正式候选人名单").click()
    assert "至少 5 天公布" in page.locator(".flashes").inner_text()
    page.get_by_label("公布日期").fill(clock.today().isoformat())
    page.get_by_role("button", name="公布正式候选人名单").click()
    assert "正式候选人名单已公布" in page.locator(".flashes").inner_text()
    formal = page.locator("#formal").inner_text()
    positions = [formal.index(n) for n in ("万里", "司马光明", "欧阳春", "赵小英")]
    assert positions == sorted(positions)
    with page.expect_response(lambda r: r.url.endswith("notice.pdf")) as response:
        page.evaluate("url => fetch(url)", f"/elections/{w['election']}/nomination/notice.pdf")
    assert response.value.headers["content-type"] == "application/pdf"
    shot(page, "nomination-publish")
    # Written withdrawal of a candidate (>= 3 days before): no primary, so no one moves up and the post is short.
    item = page.locator("#formal li", has_text="赵小英")
    item.locator("summary").click()
    item.get_by_label("书面申请（说明或文件编号）").fill("赵小英书面退出申请")
    item.get_by_label("退出日期").fill(clock.today().isoformat())
    item.get_by_role("button", name="赵小英 退出").click()
    flashes = page.locator(".flashes").inner_text()
    assert "候选人已书面退出" in flashes and "居民委员会委员：正式候选人只剩 3 名，应选 3 名" in flashes
    assert "赵小英" not in page.locator("#formal").inner_text()
    log_in(phone, w["committee"])
    phone.goto(f"/elections/{w['election']}/nomination/publish")
    assert no_horizontal_scroll(phone)
