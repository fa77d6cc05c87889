"""Residents' pages in a real browser on a phone: check a receipt by typing its code
(confirmed, no candidate named, no horizontal scroll), a code that was not counted,
the published result with its signed root, and a complaint filed through the form."""
from __future__ import annotations

from election import clock
from election.audit.simulate import simulate
from election.protocol import codes
from election.publication.published import publish_bundle
from election.setup.service import ElectionDraft, create_community, create_election
from tests.browser.conftest import no_horizontal_scroll, shot, unlabelled_fields


def _published(live_app, name: str):
    db = live_app.extensions["juxuan.sessions"]()
    key = live_app.config["DATA_KEY"]
    community = create_community(db, name, "浏览器街道", 200)
    election = create_election(db, "test", community, ElectionDraft(
        title=f"{name}换届选举", election_day=clock.today(), method="direct", preset="national",
        jwh_deputies=1, jwh_members=3, jdw_deputies=0, jdw_members=2), key)
    sim = simulate(db, election, voters=80, seed=11)
    out = publish_bundle(db, election, key, "committee", live_app.instance_path)
    db.commit()
    eid = election.id
    db.close()
    return sim, out, eid


def test_resident_checks_a_receipt_on_a_phone(phone, live_app):
    sim, out, eid = _published(live_app, "回执社区")
    t = next(iter(sim.deposited_codes.values()))
    phone.goto("/r")
    assert unlabelled_fields(phone) == []
    phone.get_by_label("回执码（选票存根上的 28 位编码）").fill(codes.human(t).lower())
    phone.get_by_role("button", name="查验").click()
    phone.wait_for_selector("#answer")
    html = phone.content()
    assert "已计入" in html and "您的选票投入了“" in html  # the box named once (no “1号票箱 号票箱”)
    for name in sim.names.values():
        assert name not in html
    assert no_horizontal_scroll(phone)
    shot(phone, "public-receipt-found")
    never = codes.human(codes.new_code())
    phone.goto("/r/" + never)
    assert "未查到计入记录" in phone.content() and "申诉截止" in phone.content()
    assert no_horizontal_scroll(phone)
    shot(phone, "public-receipt-not-found")


def test_result_page_and_complaint(phone, live_app):
    sim, out, eid = _published(live_app, "结果社区")
    phone.goto(f"/e/{eid}/result")
    assert out.root in phone.content()
    assert phone.get_by_role("link", name="下载公开公示包").is_visible()
    assert no_horizontal_scroll(phone)
    shot(phone, "public-result")
    phone.get_by_role("link", name="提出申诉").click()
    assert unlabelled_fields(phone) == []
    phone.get_by_label("申诉类型").select_option("procedure")
    phone.get_by_label("申诉内容（请勿填写回执码）").fill("第二投票站开门晚了半小时")
    shot(phone, "public-complaint")
    phone.get_by_role("button", name="提交申诉").click()
    phone.wait_for_url(f"**/e/{eid}/result")
    assert "申诉已登记" in phone.content()
