"""User management by the street administrator in a real browser: the list of the street
office's users, a new clerk who then signs in, a password reset and a disabled user."""
from __future__ import annotations

import uuid

from playwright.sync_api import expect

from election.accounts.service import create_user
from election.setup.service import create_community
from tests.browser.conftest import PASSWORD, log_in, no_horizontal_scroll, shot, unlabelled_fields

NEW = "maple-orchard-73"


def test_street_admin_manages_users(page, live_app):
    tag = uuid.uuid4().hex[:6]
    db = live_app.extensions["juxuan.sessions"]()
    create_community(db, f"用户社区{tag}", f"用户街道{tag}", 100)
    create_community(db, f"别处社区{tag}", f"别处街道{tag}", 100)
    create_user(db, f"admin_{tag}", PASSWORD, "street_admin", street_office=f"用户街道{tag}")
    db.commit()
    db.close()

    log_in(page, f"admin_{tag}")
    page.get_by_role("link", name="用户管理").click()
    assert unlabelled_fields(page) == []
    page.get_by_label("用户名").fill(f"clerk_{tag}")
    page.get_by_label("姓名").fill("王发票")
    page.get_by_label("角色").select_option(label="发票员")
    page.get_by_label("所属社区").select_option(label=f"用户社区{tag}")
    assert f"别处社区{tag}" not in page.get_by_label("所属社区").inner_text()
    page.get_by_label("初始密码").fill("12345678")
    page.get_by_role("button", name="建立用户").click()
    expect(page.locator(".flashes")).to_contain_text("密码太容易被猜中")
    page.get_by_label("初始密码").fill(NEW)
    page.get_by_label("所属社区").select_option(label=f"用户社区{tag}")
    page.get_by_role("button", name="建立用户").click()
    expect(page.locator(".flashes")).to_contain_text(f"用户“clerk_{tag}”已建立")
    assert f"clerk_{tag}" in page.locator("#users").inner_text()
    assert "建立用户" in page.locator("#changes").inner_text()
    shot(page, "users")

    page.get_by_role("link", name=f"clerk_{tag}").click()
    page.get_by_label("新密码", exact=True).fill("violet-harbour-42")
    page.get_by_label("再次输入新密码").fill("violet-harbour-42")
    page.get_by_role("button", name="重置密码").click()
    expect(page.locator(".flashes")).to_contain_text("密码已重置")
    page.get_by_label("停用原因").fill("已调离")
    page.get_by_role("button", name="停用用户").click()
    expect(page.locator("#summary")).to_contain_text("已停用")
    shot(page, "user")

    page.context.clear_cookies()
    page.goto("/login")
    page.get_by_label("用户名").fill(f"clerk_{tag}")
    page.get_by_label("密码").fill("violet-harbour-42")
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".flashes")).to_contain_text("用户名或密码不正确")


def test_user_list_fits_a_phone(phone, live_app):
    tag = uuid.uuid4().hex[:6]
    db = live_app.extensions["juxuan.sessions"]()
    create_community(db, f"手机社区{tag}", f"手机街道{tag}", 100)
    create_user(db, f"padmin_{tag}", PASSWORD, "street_admin", street_office=f"手机街道{tag}")
    db.commit()
    db.close()
    log_in(phone, f"padmin_{tag}")
    phone.goto("/users")
    assert no_horizontal_scroll(phone)
