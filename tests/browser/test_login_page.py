"""The first browser test: log in through the real page, see the home page (Must show 5)."""
from __future__ import annotations

from election.accounts.service import create_user
from election.setup.service import create_community
from tests.browser.conftest import no_horizontal_scroll, shot, unlabelled_fields


def _user(live_app, username: str) -> None:
    db = live_app.extensions["juxuan.sessions"]()
    community = create_community(db, "浏览器测试社区", "测试街道", 120)
    create_user(db, username, "browser-pass-1", "committee", "测试委员", community)
    db.commit()
    db.close()


def test_committee_logs_in_through_the_page(page, live_app):
    _user(live_app, "browser_committee")
    page.goto("/login")
    assert page.locator("h1").inner_text() == "登录居选"
    assert unlabelled_fields(page) == []
    page.get_by_label("用户名").fill("browser_committee")
    page.get_by_label("密码").fill("browser-pass-1")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")
    assert "我的社区与选举" in page.content()
    assert "浏览器测试社区" in page.content()
    assert shot(page, "home-logged-in").stat().st_size > 5000


def test_login_page_fits_a_phone(phone):
    phone.goto("/login")
    assert no_horizontal_scroll(phone)
    box = phone.get_by_role("button", name="登录").bounding_box()
    assert box["height"] >= 44  # a finger-sized target
