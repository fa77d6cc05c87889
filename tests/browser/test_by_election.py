"""Browser: a resignation followed by a by-election that fills the seat (issue 20, Must show 2).
The election's first round is voted through the services; the committee records the only
woman member's resignation on the composition page (the seat vacant), calls the by-election,
nominates two women on the round's nomination page (the seat is reserved for a woman) and
publishes the list; the by-election is voted; the composition page shows the change."""
from __future__ import annotations

import uuid
from datetime import timedelta

from election import clock
from election.accounts.service import create_user
from election.mandates import service as mandates
from election.setup.service import ElectionDraft, create_community, create_election
from tests.browser.conftest import PASSWORD, log_in, no_horizontal_scroll, shot
from tests.counting import voting

ALL = {"jwh_zhuren": [0], "jwh_fu_zhuren": [0], "jwh_weiyuan": [0, 1, 2], "jdw_zhuren": [0], "jdw_weiyuan": [0, 1]}


def test_resignation_then_by_election_fills_the_seat(page, live_app, monkeypatch):
    tag = uuid.uuid4().hex[:6]
    db = live_app.extensions["juxuan.sessions"]()
    community = create_community(db, f"补选社区{tag}", "测试街道", 40)
    election = create_election(db, "test", community, ElectionDraft(
        title=f"补选测试{tag}换届选举", election_day=clock.today() + timedelta(days=40), method="direct",
        preset="national", jwh_deputies=1, jwh_members=3, jdw_deputies=0, jdw_members=2,
    ), live_app.config["DATA_KEY"])
    create_user(db, f"by_{tag}", PASSWORD, "committee", "委员", community)
    for role in ("clerk", "counter", "scrutineer"):
        create_user(db, f"a_{role}_{tag}", PASSWORD, role, role, community)
    db.commit()
    w = voting.setup(db, election, voters=40)
    voting.vote_round(db, w, monkeypatch, 1, w.voters[:30], lambda i: ALL, data_key=live_app.config["DATA_KEY"])
    sex = {r.id: r.sex for r in w.voters}
    woman = next(m for m in mandates.composition(db, election).serving
                 if m.post.startswith("jwh_") and sex[m.resident_id] == "女")
    elected = {m.resident_id for m in mandates.composition(db, election).mandates}
    nominees = [r for r in w.voters[20:] if r.sex == "女" and r.id not in elected][:2]

    log_in(page, f"by_{tag}")
    page.goto(f"/elections/{election.id}/composition")
    page.get_by_label("成员").select_option(label=f"{woman.name}（{woman.post_name}）")
    page.get_by_label("离任原因").select_option(label="书面辞职")
    page.get_by_label("说明（辞职须写明接受辞职的会议决定）").fill("居民会议第3号决定接受辞职")
    page.get_by_role("button", name="记录离任").click()
    assert "已记录离任，该职位出缺" in page.content()
    assert "居民委员会委员\t3\t2\t1" in page.locator("#seats").inner_text()
    assert "书面辞职" in page.locator("#mandates").inner_text()
    held = clock.today() + timedelta(days=20)
    page.get_by_label("补选投票日期").fill(held.isoformat())
    page.get_by_role("button", name="决定补选").click()
    assert "已决定补选（第 2 轮）" in page.content()
    page.get_by_label("被提名人（选民编号或姓名）").fill(str(nominees[0].voter_number))
    page.get_by_label("提名依据（选举委员会决定的文号或说明）").fill("居民会议提名")
    page.get_by_role("button", name="提名", exact=True).click()
    page.get_by_label("被提名人（选民编号或姓名）").fill(str(nominees[1].voter_number))
    page.get_by_label("提名依据（选举委员会决定的文号或说明）").fill("居民会议提名")
    page.get_by_role("button", name="提名", exact=True).click()
    page.get_by_role("button", name="公布另行选举候选人名单").click()
    db.rollback()  # read what the pages wrote
    from election.counting.service import ballot_of
    first = ballot_of(db, election, 2).posts[0][1][0]
    voting.vote_round(db, w, monkeypatch, 2, w.voters[:30], lambda i: {"jwh_weiyuan": [0]},
                      data_key=live_app.config["DATA_KEY"])
    log_in(page, f"by_{tag}")  # the polling day moved the clock on
    page.goto(f"/elections/{election.id}/composition")
    assert no_horizontal_scroll(page)
    assert "居民委员会委员\t3\t3\t0" in page.locator("#seats").inner_text()
    rows = page.locator("#mandates").inner_text()
    assert f"居民委员会委员\t{first.name}\t第 2 轮投票当选" in rows and f"{woman.name}\t第 1 轮投票当选" in rows
    shot(page, "composition-after-by-election")
    db.close()
