"""Browser tests of the representatives pages: 推选片区, an area's meeting, the 居民代表 list,
居民小组长 and the 居民选举委员会 (fill forms through labels, click, read the result)."""
from __future__ import annotations

import uuid
from datetime import timedelta

from election import clock
from election.accounts.service import create_user
from election.representatives import areas as area_svc
from election.representatives import meetings as meeting_svc
from election.representatives.people import residents_of
from election.setup.service import ElectionDraft, create_community, create_election
from tests.browser.conftest import PASSWORD, log_in, no_horizontal_scroll, shot, unlabelled_fields
from tests.factories import build_roll


def _world(live_app, buildings=(40, 40), propose=False, per_group=120):
    tag = uuid.uuid4().hex[:6]
    db = live_app.extensions["juxuan.sessions"]()
    community = create_community(db, f"代表测试社区{tag}", "测试街道", sum(buildings))
    election = create_election(db, "test", community, ElectionDraft(
        title=f"代表测试{tag}换届选举", election_day=clock.today() + timedelta(days=40), method="direct",
        preset="national", jwh_deputies=1, jwh_members=3, jdw_deputies=0, jdw_members=2,
    ), live_app.config["DATA_KEY"])
    create_user(db, f"rep_{tag}", PASSWORD, "committee", "委员", community)
    build_roll(db, election, live_app.config["DATA_KEY"], list(buildings), per_group=per_group)
    if propose:
        area_svc.propose_areas(db, election, "test")
    db.commit()
    info = {"tag": tag, "election_id": election.id, "user": f"rep_{tag}", "db": db, "election": election}
    return info


def _distinct(people, n):
    seen, out = set(), []
    for p in people:
        if p.name not in seen:
            seen.add(p.name)
            out.append(p)
    return out[:n]


def test_areas_page_proposes_and_adjusts(page, live_app):
    w = _world(live_app, (40, 40, 40))
    log_in(page, w["user"])
    page.goto(f"/elections/{w['election_id']}/representatives")
    assert unlabelled_fields(page) == []
    page.get_by_role("button", name="按户数划分推选片区").click()
    assert "已按户数划分推选片区" in page.content()
    table = page.locator("#areas")
    assert table.locator("tbody tr").count() == 3
    assert "共3个推选单位，应推选居民代表3名" in page.locator("#total").inner_text()
    assert "少于一般要求的50名" in page.locator("#total-warning").inner_text()
    page.get_by_label("从第几片区移出").fill("1")
    page.get_by_label("移入相邻的第几片区").fill("2")
    page.get_by_label("移动的户数（相邻一端连续的户）").fill("11")
    page.get_by_role("button", name="调整", exact=True).click()
    assert "调整后第1片区：该片区共29户，少于下限30户" in page.content()
    page.get_by_label("从第几片区移出").fill("1")
    page.get_by_label("移入相邻的第几片区").fill("2")
    page.get_by_label("移动的户数（相邻一端连续的户）").fill("4")
    page.get_by_label("调整理由").fill("同一楼道")
    page.get_by_role("button", name="调整", exact=True).click()
    assert "片区已调整" in page.content()
    counts = [table.locator("tbody tr").nth(k).locator("td").nth(1).inner_text() for k in range(3)]
    assert counts == ["36", "44", "40"]
    shot(page, "representatives-areas")


def test_area_meeting_page_refuses_half_and_records_more(page, live_app):
    w = _world(live_app, (40, 40), propose=True)
    area = area_svc.areas_of(w["db"], w["election"])[0]
    a, b = _distinct(residents_of(w["db"], w["election"], household_ids=[m.household_id for m in area.members]), 2)
    log_in(page, w["user"])
    page.goto(f"/elections/{w['election_id']}/representatives/areas/{area.id}")
    assert unlabelled_fields(page) == []
    page.get_by_label("参加户数").fill("20")
    page.get_by_label("被推选人得票").fill(f"{a.name} 14\n{b.name} 6")
    page.get_by_role("button", name="保存会议记录").click()
    assert "实际参加20，未超过1/2（至少需21），推选无效" in page.content()
    page.get_by_label("参加户数").fill("21")
    page.get_by_role("button", name="保存会议记录").click()
    assert "推选会议已记录" in page.content()
    assert page.locator("#sitting").inner_text().strip() == f"{a.name}（14 票）"
    shot(page, "representatives-meeting")


def test_roster_page_resign_replace_and_pdf(page, live_app):
    w = _world(live_app, (40, 40), propose=True)
    db, election = w["db"], w["election"]
    area = area_svc.areas_of(db, election)[0]
    a, b = _distinct(residents_of(db, election, household_ids=[m.household_id for m in area.members]), 2)
    meeting_svc.record_area_meeting(db, election, area.id, 30, f"{a.name} 20", clock.today(), "test")
    db.commit()
    log_in(page, w["user"])
    page.goto(f"/elections/{w['election_id']}/representatives/list")
    assert a.name in page.locator("#roster").inner_text()
    page.get_by_text(f"第1片区 · {a.name}：辞去或补选").click()
    page.get_by_label("辞去原因").fill("迁出本社区")
    page.get_by_role("button", name="记录辞去").click()
    assert "已记录辞去" in page.content() and "因迁出本社区已辞去" in page.locator("#roster").inner_text()
    page.get_by_text(f"第1片区 · {a.name}：辞去或补选").click()
    page.get_by_label("补选产生的居民代表").fill(b.name)
    page.get_by_label("补选原因").fill("原代表迁出")
    page.get_by_role("button", name="记录补选").click()
    roster = page.locator("#roster").inner_text()
    assert "补选结果已记录" in page.content() and f"接替{a.name}（原代表迁出）" in roster
    with page.expect_download() as download:
        page.evaluate("url => { const a = document.createElement('a'); a.href = url; a.download = ''; document.body.appendChild(a); a.click(); }",
                      f"/elections/{w['election_id']}/representatives/notice.pdf")
    assert download.value.path().read_bytes().startswith(b"%PDF")
    shot(page, "representatives-list")


def test_group_leaders_page(page, live_app):
    w = _world(live_app, (30, 30), per_group=30)
    db, election = w["db"], w["election"]
    group = meeting_svc.group_names(db, election)[0]
    leader = _distinct(residents_of(db, election, group_name=group), 1)[0]
    log_in(page, w["user"])
    page.goto(f"/elections/{w['election_id']}/group-leaders")
    assert unlabelled_fields(page) == []
    page.get_by_label("居民小组").select_option(group)
    page.get_by_label("参加人数").fill("15")
    page.get_by_label("被推选人得票").fill(f"{leader.name} 10")
    page.get_by_role("button", name="保存会议记录").click()
    assert "应参加30，实际参加15，未超过1/2" in page.content()
    page.get_by_label("参加人数").fill("16")
    page.get_by_role("button", name="保存会议记录").click()
    assert "居民小组长推选会议已记录" in page.content()
    assert f"{group}{leader.name}10" in page.locator("#leaders").inner_text().replace("\t", "").replace(" ", "")
    shot(page, "representatives-leaders")


def test_committee_page_records_result_and_shows_succession(phone, live_app):
    w = _world(live_app, (40,))
    db, election = w["db"], w["election"]
    people = _distinct(residents_of(db, election), 9)
    log_in(phone, w["user"])
    phone.goto(f"/elections/{w['election_id']}/election-committee")
    assert unlabelled_fields(phone) == []
    phone.get_by_label("推选方式").select_option("residents_meeting")
    phone.get_by_label("选举委员会人数").fill("7")
    phone.get_by_label("推选结果（全部被推选人及得票）").fill("\n".join(f"{p.name} {80 - k}" for k, p in enumerate(people)))
    phone.get_by_label("主任", exact=True).fill(people[0].name)
    phone.get_by_role("button", name="保存推选结果").click()
    table = phone.locator("#committee").inner_text()
    assert "选举委员会推选结果已记录" in phone.content() and "（主任）" in table and table.count("未进入（候补）") == 2
    from election.representatives.committee import member_becomes_candidate

    db.commit()
    member_becomes_candidate(db, election, people[0].id, "nomination")
    db.commit()
    phone.reload()
    history = phone.locator("#history").inner_text()
    assert f"{people[0].name}因被提名为候选人，退出选举委员会" in history
    assert f"{people[7].name}按原推选结果得票（73票）依次递补为选举委员会成员" in history
    assert "主任出缺" in phone.content()
    phone.get_by_label("新主任").fill(people[1].name)
    phone.get_by_role("button", name="确定主任").click()
    assert "主任已确定" in phone.content()
    assert no_horizontal_scroll(phone)
    shot(phone, "representatives-committee")
    db.close()
