"""The next-step pages in a real browser (issue 16, must show 4): from a result whose next
step is `nomination` (the woman's run-off seat has too few women to stay differential) the
election page names the step, its button opens the 另行选举候选人 page, publishing short of
candidates is refused there, the committee nominates a woman and publishes, and the election
page then leads to the polling page of round 2; once round 2 is voted every stage of the
result is done. From a round void for turnout, the election page leads to the re-election's
polling page, and after it the committee is complete. The rounds are voted through the
services (tests/counting/voting.py); the steps between them are the pages'."""
from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from election import clock
from election.accounts.service import create_user
from election.rounds import current_round
from election.setup.service import ElectionDraft, create_community, create_election
from tests.browser.conftest import PASSWORD, log_in
from tests.counting.test_next_round import JDW, _on_paper
from tests.counting.voting import setup, vote_round

_seq = itertools.count()


@pytest.fixture
def fresh(live_app):
    n = next(_seq)
    db = live_app.extensions["juxuan.sessions"]()
    community = create_community(db, f"下一步测试社区{n}", "测试街道", 200)
    election = create_election(db, "t", community, ElectionDraft(
        title=f"下一步测试社区{n}换届选举", election_day=clock.today() + timedelta(days=20), method="direct",
        preset="national", jwh_deputies=1, jwh_members=3, jdw_deputies=0, jdw_members=2), live_app.config["DATA_KEY"])
    committee = f"next{n}_committee"
    create_user(db, committee, PASSWORD, "committee", community=community)
    db.commit()
    yield db, setup(db, election), committee, live_app.config["DATA_KEY"]
    db.close()


def _next_step(page, election_id: int) -> str:
    page.goto(f"/elections/{election_id}")
    return page.locator("p.next").inner_text()


def _result_done(page, election_id: int) -> bool:
    page.goto(f"/elections/{election_id}")
    return "done" in (page.locator('[data-stage="result"]').get_attribute("class") or "")


def test_from_a_nomination_result_to_a_complete_committee(page, fresh, monkeypatch):
    db, w, committee, key = fresh
    w.voters[5].sex = "男"  # only p7 stands for 委员 as a woman
    db.commit()

    def first(i: int) -> dict[str, list[int]]:
        order = _on_paper(db, w, current_round(db, w.election), "jwh_weiyuan")
        picks = (4, 5, 6) if i < 19 else (4, 5, 7)
        return {"jwh_zhuren": [0], "jwh_fu_zhuren": [0], "jwh_weiyuan": [order.index(k) for k in picks], **JDW}

    one = vote_round(db, w, monkeypatch, 1, w.voters[:24], first, data_key=key).result
    assert one["next_round"] == "nomination"
    eid = w.election.id
    log_in(page, committee)
    assert "第 2 轮另行选举：提名补足候选人" in _next_step(page, eid)
    page.locator("#next-action").click()
    page.wait_for_url(f"**/elections/{eid}/nomination/round")
    short = page.locator("#round-sections tr[data-post=jwh_weiyuan] .short").inner_text()
    assert "女性" in short
    page.locator("#publish-round").click()
    assert "还须提名" in page.content()
    woman = w.voters[21]
    page.get_by_label("另行选举职位").select_option("jwh_weiyuan")
    page.get_by_label("被提名人（选民编号或姓名）").fill(str(woman.voter_number))
    page.get_by_label("提名依据（选举委员会决定的文号或说明）").fill("选委会决定第 3 号")
    page.get_by_role("button", name="提名", exact=True).click()
    assert woman.name in page.locator("#round-sections tr[data-post=jwh_weiyuan]").inner_text()
    page.locator("#publish-round").click()
    assert "第 2 轮另行选举候选人名单已公布" in page.content()
    assert "第 2 轮（另行选举）" in _next_step(page, eid)
    page.locator("#next-action").click()
    page.wait_for_url(f"**/elections/{eid}/polling")
    assert "第 2 轮" in page.locator("#round").inner_text()
    assert not _result_done(page, eid)

    db.rollback()
    at = _on_paper(db, w, current_round(db, w.election), "jwh_weiyuan").index(7)
    two = vote_round(db, w, monkeypatch, 2, w.voters[:24], lambda i: {"jwh_weiyuan": [at] if i < 10 else []},
                     data_key=key).result
    assert two["next_round"] == "none" and two["woman"]["status"] == "reserved_filled"
    assert _result_done(page, eid)
    assert "第 3 轮" not in page.locator("p.next").inner_text()  # no further round: what is left is after the result


def test_from_a_void_round_to_a_complete_committee(page, fresh, monkeypatch):
    db, w, committee, key = fresh

    def first(i: int) -> dict[str, list[int]]:
        order = _on_paper(db, w, current_round(db, w.election), "jwh_weiyuan")
        return {"jwh_zhuren": [0], "jwh_fu_zhuren": [0], "jwh_weiyuan": [order.index(k) for k in (4, 5, 7)], **JDW}

    one = vote_round(db, w, monkeypatch, 1, w.voters[:15], first, data_key=key).result  # 15 of 40: void
    assert one["valid"] is False
    eid = w.election.id
    log_in(page, committee)
    assert "第 2 轮（重新选举）" in _next_step(page, eid)
    page.locator("#next-action").click()
    page.wait_for_url(f"**/elections/{eid}/polling")
    assert "第 2 轮" in page.locator("#round").inner_text()
    page.goto(f"/elections/{eid}/counting")
    outcome = page.locator("#outcome-1").inner_text()
    assert "选举无效" in outcome and "登记选民 40 人" in outcome

    db.rollback()
    two = vote_round(db, w, monkeypatch, 2, w.voters[:24], first, data_key=key).result
    assert two["valid"] is True and two["next_round"] == "none"
    assert _result_done(page, eid)
