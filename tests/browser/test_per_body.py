"""A per-body election (paper_layout "per_body": one paper for each body) walked through
the pages in a real browser (issue 16, "per-body papers"): the street admin creates it with
"每个机构一张选票", each body's papers are printed as their own kind, the desk hands each voter
one paper of each body, every paper is deposited and counted on the one entry form (a paper
reads only its body's posts), and the published outcome gives each body's papers issued and
returned and a threshold on that body's own papers — valid with 21 of each returned for 21
of 40 voters, where counting both bodies' papers as one would make 42 returned of 21 issued
(void) and a majority of 22 votes."""
from __future__ import annotations

from tests.browser.test_methods import _box_count_publish, _create, _issue, _nominate, _print, _station_today


def test_a_per_body_election_through_the_pages(page, live_app, tmp_path):
    db, base, election_id, users, names, street = _create(page, live_app, tmp_path, "全体选民直接选举", "分票",
                                                          layout="每个机构一张选票")
    _nominate(page, base, users, street, names)
    voting = 21  # more than half of the 40 voters
    jwh = _print(page, base, voting + 1, tmp_path, kind=None)
    page.goto(f"{base}/polling")
    kinds = [o.inner_text() for o in page.locator("#body option").all()]
    assert len(kinds) == 2 and "居民委员会" in kinds[0] and "居务监督委员会" in kinds[1]
    jdw = _print(page, base, voting + 1, tmp_path, kind=kinds[1])
    assert "居民委员会主任" in jwh.text and "居务监督委员会" not in jwh.text.split("选票")[1][:40]
    assert "居务监督委员会主任" in jdw.text and "居民委员会主任" not in jdw.text
    desk_url, box_url = _station_today(page, base)
    _issue(page, db, election_id, users, desk_url, None, "", [names[k] for k in range(voting)], jwh.codes[:voting])
    # Each voter's 监督委员会 paper is handed across too: its stub scanned at the desk.
    page.goto(desk_url)
    for stub, _body in jdw.codes[:voting]:
        page.get_by_label("发出选票：扫描所发选票的存根二维码").fill(stub)
        with page.expect_navigation():
            page.get_by_role("button", name="登记发出").click()
        assert "已发出一张选票" in page.content(), page.locator("main").inner_text()[:600]
    # Both kinds of paper go into the one box; the spare one of each kind is voided.
    papers = jwh.codes[:voting] + jdw.codes[:voting] + jwh.codes[voting:] + jdw.codes[voting:]
    _box_count_publish(page, base, users, papers, box_url, 2 * voting)
    outcome = page.locator("#outcome-1").inner_text()
    assert "选举无效" not in outcome, outcome
    assert "居民委员会选票：发出 21 张，收回 21 张" in outcome and "居务监督委员会选票：发出 21 张，收回 21 张" in outcome
    for post in ("jwh_zhuren", "jdw_zhuren"):
        threshold = page.locator(f"#outcome-1 tr[data-post={post}] .threshold").inner_text()
        assert threshold.startswith("11") and "21 张" in threshold, threshold  # more than half of 21
    elected = page.locator("#outcome-1 tr[data-post=jdw_zhuren]").inner_text()
    assert "（21）" in elected
    db.close()
