"""Browser tests of the polling-day pages: printing with progress, check-in desk, deposit
at a box (refusal in red, offline queue of a mobile box), proxies, spoiled papers, live
turnout and reconciliation. Each fills forms through their labels and takes a shot."""
from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from election import clock
from election.accounts.service import create_user
from election.models import Issuance, Receipt
from election.polling import issuance
from election.polling.stations import create_station
from election.protocol import codes
from election.setup.service import ElectionDraft, create_community, create_election
from tests.browser.conftest import PASSWORD, log_in, no_horizontal_scroll, shot, unlabelled_fields
from tests.factories import add_voters
from tests.polling.helpers import (
    add_candidates,
    issue_and_hand_out,
    open_polling_day,
    plant_in_pool,
    polling_day,
    print_capturing,
)

_seq = itertools.count()


@pytest.fixture
def polling_world(live_app):
    n = next(_seq)
    db = live_app.extensions["juxuan.sessions"]()
    community = create_community(db, f"投票日测试社区{n}", "测试街道", 200)
    election = create_election(db, "t", community, ElectionDraft(
        title=f"投票日测试社区{n}换届选举", election_day=clock.today() + timedelta(days=20), method="direct",
        preset="national", jwh_deputies=1, jwh_members=3, jdw_deputies=0, jdw_members=2), live_app.config["DATA_KEY"])
    users = {}
    for role in ("committee", "clerk", "scrutineer"):
        users[role] = f"pol{n}_{role}"
        create_user(db, users[role], PASSWORD, role, community=community)
    voters = add_voters(db, election, 30, start=1000 * (n + 1))
    add_candidates(db, election, voters[:18])
    station = create_station(db, election, "t", "第一投票站", desks=2, boxes=1)
    mobile = create_station(db, election, "t", "流动票箱甲", mobile=True, scrutineers=["甲", "乙", "丙"])
    db.commit()
    out = {"db": db, "election": election, "users": users, "voters": voters, "station": station,
           "desk": station.desks[0], "box": station.boxes[0], "mobile_box": mobile.boxes[0],
           "key": live_app.config["DATA_KEY"]}
    yield out
    db.close()


def test_print_with_progress_and_single_download(page, polling_world, tmp_path):
    w = polling_world
    log_in(page, w["users"]["committee"])
    page.goto(f"/elections/{w['election'].id}/polling")
    assert unlabelled_fields(page) == []
    page.get_by_label("印制张数").fill("120")
    page.get_by_role("button", name="开始印制").click()
    link = page.get_by_role("link", name="下载选票 PDF")
    link.wait_for(state="visible", timeout=60000)
    assert "120 / 120" in page.locator("#status").inner_text()
    shot(page, "polling-print")
    with page.expect_download() as info:
        link.click()
    path = tmp_path / "ballots.pdf"
    info.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    page.goto(f"/elections/{w['election'].id}/polling")
    assert "120" in page.locator("#batches").inner_text()


def test_desk_checkin_on_a_phone(phone, polling_world, monkeypatch):
    w = polling_world
    voter = w["voters"][20]
    [(stub, _body)] = print_capturing(w["db"], w["election"], 1, monkeypatch, w["key"])
    open_polling_day(w["db"], w["election"])  # papers go out on the voting day only
    log_in(phone, w["users"]["clerk"])
    phone.goto(f"/elections/{w['election'].id}/polling/desks/{w['desk'].id}")
    assert unlabelled_fields(phone) == []
    phone.get_by_label("扫描选民证二维码").fill(voter.card_code)
    phone.get_by_role("button", name="查找").click()
    assert "可以领取选票" in phone.content()
    phone.get_by_role("button", name="发给本人一张选票").click()
    assert f"已向 {voter.name} 发出一张选票" in phone.content()
    # The paper handed across: its stub scanned into the station's pool (issue 23).
    phone.get_by_label("发出选票：扫描所发选票的存根二维码").fill(stub)
    phone.get_by_role("button", name="登记发出").click()
    assert "已发出一张选票（本站本轮已发出 1 张）" in phone.content()
    phone.get_by_label("发出选票：扫描所发选票的存根二维码").fill(stub)
    phone.get_by_role("button", name="登记发出").click()
    assert "已在本投票站发出" in phone.content()
    phone.get_by_label("按姓名、居民小组或身份证号（脱敏）查找").fill(voter.name)
    phone.get_by_role("button", name="搜索").click()
    assert "已领取选票" in phone.locator(f"#voter-{voter.id}").inner_text()
    assert no_horizontal_scroll(phone)
    shot(phone, "polling-desk")
    db = w["db"]
    db.rollback()
    assert len(list(db.scalars(select(Issuance).where(Issuance.voter_id == voter.id)))) == 1


def test_deposit_then_refusal_in_red(page, polling_world, monkeypatch):
    w = polling_world
    papers = print_capturing(w["db"], w["election"], 3, monkeypatch, w["key"])
    with polling_day(w["db"], w["election"]):
        issue_and_hand_out(w["db"], w["election"], w["desk"], w["voters"][21], papers[0][0])
    log_in(page, w["users"]["scrutineer"])
    page.goto(f"/elections/{w['election'].id}/polling/boxes/{w['box'].id}")
    page.get_by_label("扫描选票存根二维码（投入票箱时）").fill(papers[2][0])  # never handed out at a desk
    page.get_by_role("button", name="登记投入").click()
    assert "没有在本投票站的发票台发出" in page.get_by_role("alert").inner_text()
    page.get_by_label("扫描选票存根二维码（投入票箱时）").fill(papers[0][0])
    page.get_by_role("button", name="登记投入").click()
    assert "已投入" in page.content()
    page.get_by_label("扫描选票存根二维码（投入票箱时）").fill(papers[0][0])
    page.get_by_role("button", name="登记投入").click()
    alert = page.get_by_role("alert")
    assert "已投入票箱" in alert.inner_text()
    assert alert.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(187, 0, 0)"
    shot(page, "polling-box-refused")


def test_mobile_box_queues_offline_and_syncs(page, polling_world, monkeypatch):
    w = polling_world
    papers = print_capturing(w["db"], w["election"], 2, monkeypatch, w["key"])
    db = w["db"]
    from election.polling.stations import register_mobile_voter
    for v in w["voters"][22:24]:
        register_mobile_voter(db, w["election"], "t", w["mobile_box"].id, v, "年老体弱")
    db.commit()
    with polling_day(db, w["election"]):
        for v in w["voters"][22:24]:
            issuance.issue_mobile(db, w["election"], w["mobile_box"].id, v.id, "t")
    log_in(page, w["users"]["scrutineer"])
    page.goto(f"/elections/{w['election'].id}/polling/boxes/{w['mobile_box'].id}")
    page.context.set_offline(True)
    for t_qr, _ in papers:  # at each home: the paper handed out, then its stub into the box
        page.get_by_label("发出选票：扫描发给选民的选票存根二维码").fill(t_qr)
        page.get_by_role("button", name="登记发出").click()
        page.get_by_label("扫描选票存根二维码（投入票箱时）").fill(t_qr)
        page.get_by_role("button", name="登记投入").click()
    assert page.locator("#queue-status").inner_text() == "待同步：4"
    page.context.set_offline(False)
    page.get_by_role("button", name="立即同步").click()
    # expect(), not wait_for_function: the page's CSP forbids evaluating strings (no 'unsafe-eval').
    expect(page.locator("#queue-status")).to_have_text("待同步：0")
    shot(page, "polling-mobile-box")
    db.rollback()
    for t_qr, _ in papers:
        row = db.get(Receipt, (w["election"].id, codes.receipt_hash(w["election"].uid, codes.parse(t_qr))))
        assert row.state == "deposited" and row.box_id == w["mobile_box"].id


def test_mobile_box_poured_into_the_station_box_on_the_reconcile_page(page, polling_world):
    """At the close of poll the committee records the mobile box poured into a station box."""
    w = polling_world
    log_in(page, w["users"]["committee"])
    page.goto(f"/elections/{w['election'].id}/polling/reconcile")
    merges = page.locator("#merges")
    merges.get_by_label("倒入票箱").select_option(label=w["box"].label)
    merges.get_by_label("监票人").fill("甲、乙、丙")
    merges.get_by_role("button", name="记录倒入并混合").click()
    expect(page.locator("#merges")).to_have_text(f"{w['mobile_box'].label} 已倒入 {w['box'].label}")
    assert unlabelled_fields(page) == []


def test_proxy_form_and_notice(page, polling_world):
    w = polling_world
    v = w["voters"]
    log_in(page, w["users"]["committee"])
    page.goto(f"/elections/{w['election'].id}/polling/proxies")
    assert unlabelled_fields(page) == []
    page.get_by_label("委托人（选民编号或姓名，或扫描选民证）", exact=True).fill(v[21].card_code)
    page.get_by_label("受委托人（选民编号或姓名，或扫描选民证）").fill(v[22].card_code)
    page.get_by_label("书面委托书签署日期").fill((w["election"].election_day - timedelta(days=7)).isoformat())
    page.get_by_role("button", name="批准委托").click()
    assert v[21].name in page.locator("#proxies").inner_text()
    page.get_by_label("委托人（选民编号或姓名，或扫描选民证）", exact=True).fill(v[23].card_code)
    page.get_by_label("受委托人（选民编号或姓名，或扫描选民证）").fill(v[24].card_code)
    page.get_by_label("书面委托书签署日期").fill((w["election"].election_day - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="批准委托").click()
    assert "至少提前 3 天" in page.content()
    page.get_by_label("选民（选民编号或姓名，或扫描选民证）", exact=True).fill(v[25].card_code)
    page.get_by_label("不能到站投票的原因").fill("年老体弱")
    page.get_by_role("button", name="登记").click()
    assert v[25].name in page.locator("#mobile-voters").inner_text()
    shot(page, "polling-proxies")
    resp = page.request.get(f"/elections/{w['election'].id}/polling/proxies.pdf")
    assert resp.body().startswith(b"%PDF")


def test_spoiled_paper_page(page, polling_world, monkeypatch):
    w = polling_world
    papers = print_capturing(w["db"], w["election"], 1, monkeypatch, w["key"])
    with polling_day(w["db"], w["election"]):
        issue_and_hand_out(w["db"], w["election"], w["desk"], w["voters"][27], papers[0][0])
    log_in(page, w["users"]["clerk"])
    page.goto(f"/elections/{w['election'].id}/polling/spoiled")
    assert unlabelled_fields(page) == []
    page.get_by_label("扫描写错选票的存根").fill(papers[0][0])
    page.get_by_label("扫描写错选票背面的二维码").fill(papers[0][1])
    page.get_by_role("button", name="作废并换发新票").click()
    assert "写错的选票已作废" in page.content()
    shot(page, "polling-spoiled")


def test_unused_papers_voided_by_batch_scan_then_the_rest_of_the_batch(page, polling_world, monkeypatch):
    """At close the scanner types stub and back of each unused paper into one field (Enter
    after each scan); one submit voids them all; then the committee voids the rest of the
    print batch by its counted number."""
    w = polling_world
    papers = print_capturing(w["db"], w["election"], 4, monkeypatch, w["key"])
    log_in(page, w["users"]["committee"])
    page.goto(f"/elections/{w['election'].id}/polling/spoiled")
    assert unlabelled_fields(page) == []
    page.get_by_label("逐张扫描存根和背面（每张两次，顺序不限），全部扫完后提交").click()
    for stub, back in papers[:2]:
        page.keyboard.type(stub)
        page.keyboard.press("Enter")
        page.keyboard.type(back)
        page.keyboard.press("Enter")
    page.get_by_role("button", name="作废扫描的全部未用选票").click()
    expect(page.locator(".flashes")).to_contain_text("已作废 2 张未用选票")
    assert page.locator("#scan-outcomes tr.good").count() == 2
    shot(page, "polling-unused-scans")
    page.goto(f"/elections/{w['election'].id}/polling/spoiled")
    assert "尚余 2 张" in page.get_by_label("印制批次").inner_text()
    page.get_by_label("清点的未用选票张数").fill("2")
    page.get_by_role("button", name="整批作废").click()
    expect(page.locator(".flashes")).to_contain_text("剩余的 2 张未用选票已作废")


def test_turnout_refreshes_without_reload(page, polling_world, monkeypatch):
    w = polling_world
    print_capturing(w["db"], w["election"], 1, monkeypatch, w["key"])
    log_in(page, w["users"]["committee"])
    page.goto(f"/elections/{w['election'].id}/polling/turnout")
    assert page.locator("#issued").inner_text() == "0"
    page.evaluate("window.__marker = 1")
    with polling_day(w["db"], w["election"]):
        issuance.issue_ballot(w["db"], w["election"], w["desk"].id, w["voters"][26].id, "t")
    expect(page.locator("#issued")).to_have_text("1", timeout=10000)
    assert page.evaluate("window.__marker") == 1  # same page: no reload
    assert page.locator("#chart svg").count() == 1
    shot(page, "polling-turnout")


def test_reconcile_page_shows_difference_and_records_explanation(page, polling_world, monkeypatch):
    w = polling_world
    papers = print_capturing(w["db"], w["election"], 2, monkeypatch, w["key"])
    from election.polling import deposit
    plant_in_pool(w["db"], w["election"], w["station"], papers[0][0])  # put in the pool behind the desk's back
    deposit.deposit(w["db"], w["election"], w["box"].id, papers[0][0])  # deposited, never issued
    log_in(page, w["users"]["committee"])
    page.goto(f"/elections/{w['election'].id}/polling/reconcile")
    findings = page.locator("#findings")
    assert "多于发出数" in findings.inner_text()
    page.get_by_label("情况说明").first.fill("核查中：一名选民误投")
    page.get_by_role("button", name="记录说明").first.click()
    assert "核查中：一名选民误投" in page.locator("#notes").inner_text()
    shot(page, "polling-reconcile")


def test_desk_lookups_stop_a_runaway_scan_before_the_server_refuses_the_line(page, polling_world):
    """A scanner held down, or a paste, types thousands of characters into the desk's card or
    name field. Both are GET forms: gunicorn refuses a request line over 4094 bytes with its
    own English "URI Too Long" page. The fields stop at their length, so the desk answers in
    Chinese naming the card it does not know (found walking the demo at 375 px)."""
    w = polling_world
    open_polling_day(w["db"], w["election"])
    log_in(page, w["users"]["clerk"])
    desk = f"/elections/{w['election'].id}/polling/desks/{w['desk'].id}"
    page.goto(desk)
    page.get_by_label("扫描选民证二维码").fill("A" * 5000)
    page.get_by_role("button", name="查找").click()
    page.wait_for_load_state("load")
    assert len(page.url) < 4094
    assert "不在本次选举的选民名单中" in page.content()
    page.get_by_label("按姓名、居民小组或身份证号（脱敏）查找").fill("张" * 3000)
    page.get_by_role("button", name="搜索").click()
    page.wait_for_load_state("load")
    assert len(page.url) < 4094 and "/desks/" in page.url
