"""Browser: a 居务监督委员会 chosen by a 居民代表会议 (jdw_chosen_by, issue 20). The committee
chooses the meeting's adopted decision on the composition page and enters the members it
names; a name the decision does not hold is refused in Chinese, and the members then show
with their source (the meeting's decision), on a phone-sized page without sideways scroll."""
from __future__ import annotations

import uuid
from datetime import timedelta

from election import clock
from election.accounts.service import create_user
from election.rules.rulebook import Rulebook
from election.setup.service import ElectionDraft, create_community, create_election
from tests.browser.conftest import PASSWORD, log_in, no_horizontal_scroll
from tests.factories import Roll, meeting_decision


def test_the_meetings_choice_recorded_and_shown(page, live_app):
    tag = uuid.uuid4().hex[:6]
    db = live_app.extensions["juxuan.sessions"]()
    community = create_community(db, f"推选社区{tag}", "测试街道", 40)
    election = create_election(db, "test", community, ElectionDraft(
        title=f"推选测试{tag}换届选举", election_day=clock.today() + timedelta(days=40), method="direct",
        preset="national", jwh_deputies=1, jwh_members=3, jdw_deputies=0, jdw_members=2,
    ), live_app.config["DATA_KEY"])
    election.rulebook = Rulebook.from_dict(election.rulebook).with_changes(jdw_chosen_by="representatives_meeting").to_dict()
    create_user(db, f"jd_{tag}", PASSWORD, "committee", "委员", community)
    roll = Roll(db, election, live_app.config["DATA_KEY"])
    for name in ("钱监督", "孙监督", "李监督", "周局外"):
        roll.add(name)
    meeting_decision(db, election, "representatives", number=3, motion="推选钱监督为居务监督委员会主任，孙监督、李监督为委员")
    db.commit()
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, f"jd_{tag}")
    page.goto(f"/elections/{election.id}/composition")
    form = page.locator("#chosen")
    form.get_by_label("推选的会议决定").select_option(index=1)
    form.get_by_label("居务监督委员会主任（选民编号或姓名）").fill("钱监督")
    form.get_by_label("居务监督委员会委员（每行一人）").fill("孙监督\n周局外")
    form.get_by_role("button", name="记录推选结果").click()
    assert "周局外" in page.locator(".flash.error").inner_text() and "姓名不在所引用决定的表决事项" in page.content()
    form = page.locator("#chosen")
    form.get_by_label("推选的会议决定").select_option(index=1)
    form.get_by_label("居务监督委员会主任（选民编号或姓名）").fill("钱监督")
    form.get_by_label("居务监督委员会委员（每行一人）").fill("孙监督\n李监督")
    form.get_by_role("button", name="记录推选结果").click()
    assert "已按会议决定记录居务监督委员会成员。" in page.locator(".flash").first.inner_text()
    rows = page.locator("#mandates").inner_text()
    source = f"{clock.today().isoformat()}居民代表会议第3项决定推选"
    assert f"居务监督委员会主任\t钱监督\t{source}" in rows and rows.count(source) == 3
    assert "居务监督委员会委员\t2\t2\t0" in page.locator("#seats").inner_text()
    assert page.locator("#chosen").count() == 0  # no seat of the 监督委员会 left vacant
    assert no_horizontal_scroll(page)
    db.close()
