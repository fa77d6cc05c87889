"""The browser verifier page (tools/verify/web/index.html) in Chromium, opened from disk
with no server: the vector bundles pass every check, and on the forged bundles of the
suite it gives the same verdict as the Python verifier on every check both run."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.protocol.test_two_verifiers import BROWSER_NOT_RUN, ROOT, cases

PAGE = (ROOT / "tools" / "verify" / "web" / "index.html").as_uri()


@pytest.fixture
def local_page(browser):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(PAGE)
    yield page
    context.close()


def _verify(page, path: Path, pins: dict) -> dict[str, bool]:
    page.set_input_files("#bundle", str(path))
    for field, key in (("#key", "key"), ("#head", "head"), ("#office", "officeKey"), ("#receipt", "receipt")):
        page.fill(field, pins.get(key, ""))
    page.evaluate("document.body.dataset.state = ''")
    page.click("#run")
    page.wait_for_function("document.body.dataset.state === 'done'")
    rows = page.eval_on_selector_all("#checks tbody tr", "rs => rs.map(r => [r.dataset.check, r.dataset.ok === 'true'])")
    return dict(rows)


def test_vectors_pass_in_the_page(local_page) -> None:
    v = json.loads((ROOT / "docs" / "vectors" / "vectors.json").read_text("utf-8"))
    pins = {"key": v["election_key"], "head": v["events"][-1]["hash"], "officeKey": v["office_key"],
            "receipt": v["receipt_example"]["human"]}
    got = _verify(local_page, ROOT / "docs" / "vectors" / "public.zip", pins)
    assert got and all(got.values()) and {"pin_key", "pin_head", "pin_office_key", "receipt"} <= set(got)
    assert "全部检查通过" in local_page.text_content("#summary")


def test_page_agrees_with_python_on_every_forged_bundle(local_page, tmp_path: Path) -> None:
    for case in cases(tmp_path):
        got = _verify(local_page, tmp_path / case["file"], case["pins"])
        want = {n: ok for n, ok in case["python"].items() if n not in BROWSER_NOT_RUN}
        assert got == want, case["name"]
        if case["must_fail"]:
            assert got[case["must_fail"]] is False, case["name"]


def test_page_rules_engine_agrees_with_python_on_random_scenarios(local_page) -> None:
    """The page's own rules engine (JuxuanRules, loaded by index.html) on seeded random tally
    scenarios decides exactly as the Python rules do."""
    from tests.protocol.tally_cases import cases as tally_cases

    listed = tally_cases(300, seed=5)
    wrong = local_page.evaluate("""cases => cases.filter(c => {
        let mine;
        try { mine = JuxuanRules.decide(c.tally_input, c.rulebook, c.totals); }
        catch (e) { if (!(e instanceof JuxuanRules.RulesError)) throw e; mine = {refused: true}; }
        const norm = (v) => JSON.stringify(v, (k, x) => x && typeof x === "object" && !Array.isArray(x)
            ? Object.fromEntries(Object.keys(x).sort().map(n => [n, x[n]])) : x);
        return norm(mine) !== norm(c.python);
    }).map(c => c.name)""", listed)
    assert wrong == []


def test_the_page_fits_a_phone_after_verifying(browser) -> None:
    """A resident or the street office may open the verifier on a phone (375 px): the facts
    under the table (the head hash, 64 hex characters in a <pre>) pushed the page to about
    610 px wide, the table squeezed into a column of single characters."""
    from tests.browser.conftest import no_horizontal_scroll

    context = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.goto(PAGE)
    got = _verify(page, ROOT / "docs" / "vectors" / "public.zip", {})
    assert got and all(got.values())
    assert "链头 / head" in page.text_content("#facts")
    assert no_horizontal_scroll(page)
    context.close()


def test_page_gives_each_detail_in_chinese_then_english(local_page) -> None:
    """Every check's detail in Chinese first, its English beneath it (the page gives every
    label both ways): a wrong pinned key fails in words a resident reads, and a passing
    check says what it found, in Chinese too."""
    v = json.loads((ROOT / "docs" / "vectors" / "vectors.json").read_text("utf-8"))
    got = _verify(local_page, ROOT / "docs" / "vectors" / "public.zip", {"key": "0" * 32, "head": v["events"][-1]["hash"]})
    assert got["pin_key"] is False and got["pin_head"] is True
    row = local_page.locator('#checks tr[data-check="pin_key"] td').nth(2)
    assert row.evaluate("td => td.firstChild.textContent") == "公示包的选举公钥不是指定的公钥：事件链由另一把密钥重新制作"
    assert row.locator(".detail-en").inner_text() == "not the pinned election key"
    details = local_page.eval_on_selector_all("#checks tbody tr td:nth-child(3)", "tds => tds.map(td => td.firstChild.textContent)")
    assert details and all(re.search(r"[\u4e00-\u9fff]", d) for d in details), details
    assert "1 项检查未通过" in local_page.text_content("#summary")
