"""Browser test of a run-off (另行选举): after round 1 is published with a seat unfilled, the
committee sets the day of the run-off (within the rulebook's window) and prints round-2
papers from the polling page (the round shown in the heading, the PDF read back with that
day), and a clerk on a phone issues a round-2 paper at the desk to a voter who voted in
round 1, once."""
from __future__ import annotations

import io
import itertools
from datetime import datetime, timedelta
from datetime import time as dtime

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from election import clock
from election.accounts.service import create_user
from election.models import Issuance
from election.setup.service import ElectionDraft, create_community, create_election
from tests.browser.conftest import (
    PASSWORD,
    log_in,
    low_contrast_text,
    no_horizontal_scroll,
    shot,
    small_touch_targets,
    unlabelled_fields,
)
from tests.counting.voting import candidates_of, setup, vote_round

FIRST = {"jwh_zhuren": [0], "jwh_fu_zhuren": [0], "jwh_weiyuan": [0, 1], "jdw_zhuren": [0], "jdw_weiyuan": [0, 1]}
_seq = itertools.count()


@pytest.fixture
def runoff_world(live_app, monkeypatch):
    n = next(_seq)
    db = live_app.extensions["juxuan.sessions"]()
    community = create_community(db, f"另行选举测试社区{n}", "测试街道", 200)
    election = create_election(db, "t", community, ElectionDraft(
        title=f"另行选举测试社区{n}换届选举", election_day=clock.today() + timedelta(days=20), method="direct",
        preset="national", jwh_deputies=1, jwh_members=3, jdw_deputies=0, jdw_members=2), live_app.config["DATA_KEY"])
    users = {}
    for role in ("committee", "clerk"):
        users[role] = f"run{n}_{role}"
        create_user(db, users[role], PASSWORD, role, community=community)
    db.commit()
    w = setup(db, election)
    vote_round(db, w, monkeypatch, 1, w.voters[:24], lambda i: FIRST, data_key=live_app.config["DATA_KEY"])
    yield {"db": db, "w": w, "users": users,
           "runoff": [c.resident.name for c in candidates_of(db, election, "jwh_weiyuan")[2:]]}
    db.close()


def test_runoff_print_page_and_desk(page, phone, runoff_world, tmp_path):
    rw = runoff_world
    w = rw["w"]
    e = w.election
    log_in(page, rw["users"]["committee"])
    page.goto(f"/elections/{e.id}/polling")
    assert page.locator("#round").inner_text() == "第 2 轮 · 另行选举"
    assert "印制选票 · 第 2 轮 · 另行选举" in page.content()
    assert unlabelled_fields(page) == []

    # The committee's polling page with the round-date field fits a phone, every field
    # labelled and big enough to touch, every text readable.
    log_in(phone, rw["users"]["committee"])
    phone.goto(f"/elections/{e.id}/polling")
    assert phone.get_by_label("本轮投票日期（印在选票上，印制前可以修改）").count() == 1
    assert no_horizontal_scroll(phone) and unlabelled_fields(phone) == []
    assert small_touch_targets(phone) == [] and low_contrast_text(phone) == []

    # The run-off is held a week later (within the rulebook's 30 days): its papers say so.
    later = e.election_day + timedelta(days=7)
    page.get_by_label("本轮投票日期（印在选票上，印制前可以修改）").fill(later.isoformat())
    page.get_by_role("button", name="保存投票日期").click()
    assert f"第 2 轮投票日期已定为 {later.isoformat()}" in page.content()
    assert later.isoformat() in page.locator("#round-day").inner_text()
    page.get_by_label("印制张数").fill("4")
    page.get_by_role("button", name="开始印制").click()
    link = page.get_by_role("link", name="下载选票 PDF")
    link.wait_for(state="visible", timeout=60000)
    assert "第 2 轮" in page.locator("h1").inner_text()
    shot(page, "later-round-print")
    with page.expect_download() as info:
        link.click()
    path = tmp_path / "round2.pdf"
    info.value.save_as(path)
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    text = reader.pages[0].extract_text()
    assert len(reader.pages) == 4 * 2 and "另行选举" in text and all(name in text for name in rw["runoff"])
    assert f"{later.year}年{later.month}月{later.day}日" in text.replace("\n", "")
    page.goto(f"/elections/{e.id}/polling")
    assert "第 2 轮" in page.locator("#batches").inner_text()
    assert "已印在选票上" in page.locator("#round-day").inner_text()
    assert page.get_by_label("本轮投票日期（印在选票上，印制前可以修改）").count() == 0

    voter = w.voters[5]  # voted in round 1
    clock.pin(datetime.combine(later, dtime(10, 0)))  # papers are issued on the round's own voting day
    log_in(phone, rw["users"]["clerk"])
    phone.goto(f"/elections/{e.id}/polling/desks/{w.station.desks[0].id}")
    assert phone.locator("#round").inner_text() == "第 2 轮 · 另行选举"
    assert unlabelled_fields(phone) == []
    phone.get_by_label("按姓名、居民小组或身份证号（脱敏）查找").fill(voter.name)
    phone.get_by_role("button", name="搜索").click()
    assert "可以领取选票" in phone.locator(f"#voter-{voter.id}").inner_text()
    phone.get_by_role("button", name="发给本人一张选票").click()
    assert f"已向 {voter.name} 发出一张选票" in phone.content()
    phone.get_by_label("按姓名、居民小组或身份证号（脱敏）查找").fill(voter.name)
    phone.get_by_role("button", name="搜索").click()
    assert "已领取选票" in phone.locator(f"#voter-{voter.id}").inner_text()
    assert no_horizontal_scroll(phone)
    shot(phone, "later-round-desk")
    db = rw["db"]
    db.rollback()
    rounds = sorted(db.scalars(select(Issuance.round_number).where(Issuance.voter_id == voter.id)))
    assert rounds == [1, 2]
