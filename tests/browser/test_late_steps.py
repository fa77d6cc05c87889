"""The late-step banner in a real browser: an election whose roll should have been published
ten days ago shows, on another of its pages, a red banner naming the step, its deadline
(11月3日 style), the days late and a link to the step's page; once the step is done the
banner is gone. The calendar marks the late step."""
from __future__ import annotations

import uuid
from datetime import timedelta

from election import clock
from election.accounts.service import create_user
from election.models import Election
from election.setup.service import ElectionDraft, create_community, create_election
from tests.browser.conftest import PASSWORD, log_in, no_horizontal_scroll, shot


def _late_election(live_app) -> tuple[int, str]:
    tag = uuid.uuid4().hex[:6]
    db = live_app.extensions["juxuan.sessions"]()
    community = create_community(db, f"逾期社区{tag}", "逾期街道", 100)
    election = create_election(db, "setup", community, ElectionDraft(
        title="第十二届居民委员会换届选举", election_day=clock.today() + timedelta(days=10), method="direct",
        preset="national", jwh_deputies=1, jwh_members=3, jdw_deputies=0, jdw_members=2), live_app.config["DATA_KEY"])
    create_user(db, f"late_{tag}", PASSWORD, "committee", "逾期委员", community)
    db.commit()
    out = election.id, f"late_{tag}"
    db.close()
    return out


def test_banner_names_the_late_step_until_it_is_done(page, phone, live_app):
    election_id, username = _late_election(live_app)
    due = clock.today() + timedelta(days=10) - timedelta(days=20)
    log_in(page, username)
    page.goto(f"/elections/{election_id}/nomination")
    banner = page.locator("#late-banner")
    assert banner.is_visible() and banner.get_attribute("role") == "alert"
    text = banner.inner_text()
    assert "公布选民名单" in text and f"{due.month}月{due.day}日" in text and "已逾期 10 天" in text
    color = banner.evaluate("el => getComputedStyle(el).borderColor")
    assert color == "rgb(179, 38, 30)"  # the accent red
    shot(page, "late-banner")
    banner.get_by_role("link", name="去处理").click()
    page.wait_for_url(f"**/elections/{election_id}/roll/publication")
    page.goto(f"/elections/{election_id}/calendar")
    assert "已逾期 10 天" in page.locator("#calendar tr[data-step=roll_published]").inner_text()

    log_in(phone, username)
    phone.goto(f"/elections/{election_id}/roll/")
    assert phone.locator("#late-banner").is_visible() and no_horizontal_scroll(phone)

    db = live_app.extensions["juxuan.sessions"]()
    db.get(Election, election_id).roll_published_on = due  # the step done (on time, here)
    db.commit()
    db.close()
    page.goto(f"/elections/{election_id}/nomination")
    assert page.locator("#late-banner").count() == 0
