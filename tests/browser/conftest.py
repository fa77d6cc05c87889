"""Browser tests: the app served from a thread (werkzeug make_server) on a temp-file
SQLite database, driven by Playwright with Debian's Chromium (see shared NOTES.md).

Screenshots go to test-artifacts/ (CI keeps them), or to JUXUAN_SCREENSHOTS when set
(`make screenshots` regenerates docs/screenshots/ for the README)."""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from election.app import create_app
from election.db import make_engine
from election.models import Base

CHROMIUM = os.environ.get("JUXUAN_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("JUXUAN_SCREENSHOTS") or "test-artifacts")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


PASSWORD = "browser-pass-1"  # of the users the browser tests create


def log_in(page, username: str, password: str = PASSWORD) -> None:
    """Log in through the login page, from no session, and wait for the home page."""
    page.context.clear_cookies()
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")

@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("live")
    url = f"sqlite:///{folder / 'live.db'}"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(folder / "instance"), "SECRET_KEY": "live-test"})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["LIVE_URL"] = f"http://127.0.0.1:{server.server_port}"
    yield app
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail(f"Chromium not found at {CHROMIUM}: .ci/run installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


def settle_after_navigation(page):
    """A click on a submit button returns once the navigation has started; reading the page
    before the new document has loaded can give an empty string. Make content() wait."""
    original = page.content

    def content() -> str:
        page.wait_for_load_state("load")
        return original()

    page.content = content
    return page


@pytest.fixture
def page(browser, live_app):
    context = browser.new_context(locale="zh-CN", base_url=live_app.config["LIVE_URL"])
    page = settle_after_navigation(context.new_page())
    yield page
    context.close()


@pytest.fixture
def phone(browser, live_app):
    context = browser.new_context(
        locale="zh-CN", base_url=live_app.config["LIVE_URL"],
        viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True,
    )
    page = settle_after_navigation(context.new_page())
    yield page
    context.close()


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def no_horizontal_scroll(page) -> bool:
    # clientWidth, not innerWidth: on a mobile viewport (is_mobile) the layout viewport grows
    # to the content, so innerWidth hid the counting board's 391 px on a 375 px phone.
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def low_contrast_text(page) -> list[str]:
    """Visible text whose colour against its background is below WCAG 2.1 AA (4.5:1, or 3:1
    for large text: 24 px, or 18.66 px bold). The background is the first opaque one among
    the element and its ancestors (white when none is set)."""
    return page.evaluate("""() => {
        const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
        const lum = ([r, g, b]) => {
            const c = [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
            return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
        };
        const background = el => {
            for (; el; el = el.parentElement) {
                const c = rgb(getComputedStyle(el).backgroundColor);
                if (c.length >= 3 && (c.length < 4 || c[3] === 1)) return c;
            }
            return [255, 255, 255];
        };
        const out = [];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const el = node.parentElement;
            if (!node.textContent.trim() || !el || !el.getClientRects().length) continue;
            const style = getComputedStyle(el);
            if (style.visibility === 'hidden' || Number(style.opacity) === 0) continue;
            const fg = rgb(style.color), bg = background(el);
            const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
            const ratio = (hi + 0.05) / (lo + 0.05);
            const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
            const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
            if (ratio < need) out.push(`${node.textContent.trim().slice(0, 20)} (${ratio.toFixed(2)}:1 < ${need}:1)`);
        }
        return [...new Set(out)];
    }""")


def small_touch_targets(page) -> list[str]:
    """Controls a finger cannot hit reliably: buttons, fields and button-styled links under
    44 px tall (the house size, juxuan.css), text-styled buttons and check boxes under 22 px
    (a check box's label is part of its target)."""
    return page.evaluate("""() => [...document.querySelectorAll(
            'button, a.button, input, select, textarea')]
        .filter(el => el.type !== 'hidden' && el.getClientRects().length)
        .filter(el => {
            const box = el.getBoundingClientRect();
            const small = el.matches('input[type=checkbox], input[type=radio], button.link') ? 22 : 44;
            return box.height < small - 0.5 || box.width < 22;
        })
        .map(el => `${el.tagName.toLowerCase()} ${el.name || el.id || el.textContent.trim().slice(0, 12)} `
                   + `(${Math.round(el.getBoundingClientRect().width)}x${Math.round(el.getBoundingClientRect().height)})`)""")


def unlabelled_fields(page) -> list[str]:
    """Form fields that have no label a screen reader could announce."""
    return page.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
        .filter(el => el.type !== 'hidden' && el.type !== 'submit')
        .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                      && !el.getAttribute('aria-labelledby'))
        .map(el => el.name || el.id || el.outerHTML.slice(0, 60))""")
