"""Browser: a recall from proposal to result (issue 20, Must show 2): the proposal signed by
voters typed by voter number (one refused for signing twice), the member's defence, the
vote's totals, 罢免通过, and the committee's composition page showing the seat vacant."""
from __future__ import annotations

import uuid
from datetime import timedelta

from pypdf import PdfReader

from election import clock
from election.accounts.service import create_user
from election.setup.service import ElectionDraft, create_community, create_election
from tests.browser.conftest import PASSWORD, log_in, no_horizontal_scroll, shot, unlabelled_fields
from tests.meetings.test_vacancy_and_recall import elected_committee


def make_elected(live_app):
    tag = uuid.uuid4().hex[:6]
    db = live_app.extensions["juxuan.sessions"]()
    community = create_community(db, f"罢免社区{tag}", "测试街道", 20)
    election = create_election(db, "test", community, ElectionDraft(
        title=f"罢免测试{tag}换届选举", election_day=clock.today() + timedelta(days=40), method="direct",
        preset="national", jwh_deputies=1, jwh_members=3, jdw_deputies=0, jdw_members=2,
    ), live_app.config["DATA_KEY"])
    create_user(db, f"rc_{tag}", PASSWORD, "committee", "委员", community)
    db.commit()
    b = elected_committee(db, election)
    return db, election, b, f"rc_{tag}"


def test_recall_from_proposal_to_result(page, live_app):
    db, election, b, user = make_elected(live_app)
    member = b.candidates["jwh_fu_zhuren"][0].resident
    log_in(page, user)
    page.goto(f"/elections/{election.id}/composition")
    assert unlabelled_fields(page) == [] and no_horizontal_scroll(page)
    assert page.locator("#mandates tbody tr").count() == 8
    page.goto(f"/elections/{election.id}/recalls")
    page.get_by_label("被罢免人").select_option(label=f"{member.name}（居民委员会副主任）")
    page.get_by_label("联名人", exact=True).select_option(label="选民")
    page.get_by_label("罢免理由").fill("长期不履行职责")
    numbers = [str(r.voter_number) for r in b.residents[10:14]]
    page.get_by_label("联名人（每行一人：选民编号、姓名或扫描选民证）").fill("\n".join(numbers[:3] + [numbers[0]]))
    page.get_by_role("button", name="提出罢免要求").click()
    body = page.content()
    assert "20 人中 3 人联名，未达到1/5（至少需 4 人）" in body and "重复签名" in body
    page.get_by_label("被罢免人").select_option(label=f"{member.name}（居民委员会副主任）")
    page.get_by_label("罢免理由").fill("长期不履行职责")
    page.get_by_label("联名人（每行一人：选民编号、姓名或扫描选民证）").fill("\n".join(numbers))
    page.get_by_role("button", name="提出罢免要求").click()
    assert "罢免要求已提出" in page.content() and page.locator("#signers li").count() == 4
    page.get_by_label("被罢免人的申辩意见").fill("本人一直按时值班")
    page.get_by_role("button", name="记录申辩意见").click()
    assert "本人一直按时值班" in page.locator("#defence-text").inner_text()
    page.get_by_label("参加投票人数").fill("12")
    page.get_by_label("赞成罢免票数").fill("7")
    page.get_by_role("button", name="记录投票结果").click()
    assert "罢免通过" in page.locator("#status").inner_text()
    assert "赞成 7 票，超过1/2（至少需 7 票），罢免通过" in page.locator("#result").inner_text()
    with page.expect_download() as notice:
        page.get_by_role("link", name="罢免结果公告 PDF").click()
    assert notice.value.path().read_bytes().startswith(b"%PDF")
    shot(page, "recall-result")
    page.goto(f"/elections/{election.id}/composition")
    seats = page.locator("#seats").inner_text()
    assert "居民委员会副主任\t1\t0\t1" in seats
    assert "被罢免" in page.locator("#mandates").inner_text()
    db.close()


def test_recall_on_paper_from_printing_to_result(page, live_app, monkeypatch):
    """The recall voted on paper: decided on the recall's page, the 表决票 printed, handed
    out one per voter, deposited and counted through the services of every round, then the
    result published on the recall's page; the composition shows the seat vacant."""
    from election.recall import service as recalls
    from election.roll.cards import assign_cards
    from tests.counting import voting

    tag = uuid.uuid4().hex[:6]
    db = live_app.extensions["juxuan.sessions"]()
    community = create_community(db, f"表决社区{tag}", "测试街道", 20)
    election = create_election(db, "test", community, ElectionDraft(
        title=f"表决测试{tag}换届选举", election_day=clock.today() + timedelta(days=40), method="direct",
        preset="national", jwh_deputies=1, jwh_members=3, jdw_deputies=0, jdw_members=2,
    ), live_app.config["DATA_KEY"])
    create_user(db, f"rp_{tag}", PASSWORD, "committee", "委员", community)
    db.commit()
    w = voting.setup(db, election, voters=40)
    full = {"jwh_zhuren": [0], "jwh_fu_zhuren": [0], "jwh_weiyuan": [0, 1, 2], "jdw_zhuren": [0], "jdw_weiyuan": [0, 1]}
    voting.vote_round(db, w, monkeypatch, 1, w.voters[:30], lambda i: full, data_key=live_app.config["DATA_KEY"])
    assign_cards(db, election, "x")
    member = next(m for m in voting_members(db, election) if m.post == "jwh_fu_zhuren")
    row = recalls.propose(db, election, member.key, "长期不履行职责", "voters",
                          "\n".join(str(v.voter_number) for v in w.voters[30:38]), "a_committee")
    db.commit()
    log_in(page, f"rp_{tag}")
    page.goto(f"/elections/{election.id}/recalls/{row.id}")
    page.get_by_role("button", name="决定以表决票投票").click()
    assert "已决定以表决票进行罢免投票" in page.content()
    assert "表决票投票中" in page.locator("#status").inner_text()
    assert page.locator("#paper-vote").count() == 1

    db.expire_all()
    voting.vote_round(db, w, monkeypatch, 2, w.voters[:25],
                      lambda i: {"jwh_fu_zhuren": [0]} if i < 20 else {"oppose:jwh_fu_zhuren": [0]},
                      publish=False, data_key=live_app.config["DATA_KEY"])
    from election.counting.result import enter_board, running_tally

    running = running_tally(db, election, 2)
    enter_board(db, election, 2, {p["key"]: {r["person"]: r["votes"] for r in p["rows"]} for p in running["posts"]},
                "a_scrutineer")
    db.commit()
    # The counting page sends the committee to the recall's page to publish it.
    page.goto(f"/elections/{election.id}/counting")
    page.locator("#recall-publish-2").click()
    page.get_by_role("button", name="公布罢免表决结果").click()
    assert "罢免表决结果已公布" in page.content()
    assert "罢免通过" in page.locator("#status").inner_text()
    assert "同意 20 票，不同意 5 票" in page.locator("#result").inner_text()
    shot(page, "recall-paper-result")
    page.goto(f"/elections/{election.id}/counting")
    assert "罢免通过" in page.locator("#question-2").inner_text()
    # Nobody was elected in round 2: its section offers the recall's result notice, not the
    # election's result report, notice, certificates or filing.
    assert not any(w in page.locator("#round-2").inner_text() for w in ("选举结果报告单", "选举结果公告", "当选证书", "报街道备案"))
    with page.expect_download() as notice:
        page.locator("#own-papers-2").click()
    assert "罢免投票结果公告" in "".join(PdfReader(notice.value.path()).pages[0].extract_text().split())
    assert no_horizontal_scroll(page)
    page.goto(f"/elections/{election.id}/composition")
    assert "居民委员会副主任\t1\t0\t1" in page.locator("#seats").inner_text()
    db.close()


def voting_members(db, election):
    from election.mandates import service as mandates

    return mandates.composition(db, election).serving
