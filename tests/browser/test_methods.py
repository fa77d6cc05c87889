"""Whole elections of the other two methods through the pages in a real browser (issue 16,
must show 2). 户代表选举: the committee records 14 households' representatives with their
written designation on the 户代表 page; the desk refuses a household member who is not its
representative (naming the representative) and issues one paper per household; 8 of the 14
vote — valid on the household base (more than 7), where 8 of 40 voters would be void.
居民代表选举: the representatives stage chooses 5 居民代表 in each of the two 居民小组 through
its meeting pages; the desk refuses a voter who is not a representative; 6 of the 10 vote.
Each ends with the counting page showing the base and each post's threshold on the papers."""
from __future__ import annotations

import io

from election.accounts.service import create_user
from tests.browser.conftest import log_in
from tests.browser.test_whole_election import ELECTION_DAY, PASSWORD, TODAY, _flash, _roll_xlsx


def _create(page, live_app, tmp_path, method: str, place: str, layout: str | None = None):
    """The street admin creates the election with ``method`` (and the paper ``layout`` label,
    if given); the committee imports, publishes the roll and assigns cards. Returns (db, base,
    election_id, users, names, street user)."""
    import uuid

    tag = uuid.uuid4().hex[:6]
    region = f"{int(tag, 16) % 800000 + 110000}"
    db = live_app.extensions["juxuan.sessions"]()
    create_user(db, f"street_{tag}", PASSWORD, "street_admin", "街道干部", None, f"{place}街道{tag}")
    db.commit()

    log_in(page, f"street_{tag}", PASSWORD)
    page.goto("/communities/new")
    page.get_by_label("社区名称").fill(f"{place}社区{tag}")
    page.get_by_label("所属街道办事处").select_option(f"{place}街道{tag}")
    page.get_by_label("户数").fill("20")
    page.get_by_role("button", name="建立").click()
    page.wait_for_url("**/communities/*")
    page.get_by_role("link", name="新建换届选举").click()
    page.get_by_label("选举名称").fill(f"{place}社区{tag}换届选举")
    page.get_by_label("选举日").fill(ELECTION_DAY.isoformat())
    page.get_by_label("选举方式").select_option(label=method)
    if layout:
        page.get_by_label("选票版式").select_option(label=layout)
    page.get_by_label("居委会副主任人数").fill("1")
    page.get_by_label("居委会委员人数").fill("3")
    page.get_by_label("监督委员会副主任人数").fill("0")
    page.get_by_label("监督委员会委员人数").fill("2")
    page.get_by_role("button", name="建立").click()
    page.wait_for_url("**/elections/*")
    assert method in page.content()
    election_id = int(page.url.rstrip("/").split("/")[-1])
    from election.models import Community

    community = db.query(Community).filter_by(name=f"{place}社区{tag}").one()
    users = {}
    for role, label in (("committee", "选举委员会"), ("clerk", "发票员"), ("counter", "计票员"), ("scrutineer", "监票员")):
        users[role] = f"h{role}_{tag}"
        create_user(db, users[role], PASSWORD, role, label, community)
    db.commit()
    base = f"/elections/{election_id}"

    # The roll: 40 adults in 20 households of two (户号 0001..0020), published, cards assigned.
    content, names = _roll_xlsx(region)
    roll_file = tmp_path / "roll.xlsx"
    roll_file.write_bytes(content)
    log_in(page, users["committee"], PASSWORD)
    page.goto(f"{base}/roll/import")
    page.get_by_label("名册文件（.xlsx 或 .csv）").set_input_files(str(roll_file))
    page.get_by_label("只检查，不写入（预览）").uncheck()
    page.get_by_role("button", name="上传").click()
    page.wait_for_selector("#job[data-state=ready]", timeout=120000)
    page.goto(f"{base}/roll/publication")
    page.get_by_label("公布日期").fill(TODAY.isoformat())
    page.get_by_role("button", name="登记公布").click()
    page.goto(f"{base}/roll/cards")
    page.get_by_role("button", name="分配选民编号和选民证码").click()
    # Papers are issued only from a frozen roll (the objection window is still open today).
    page.goto(f"{base}/roll/publication")
    page.get_by_label("冻结说明").fill("选举委员会决定提前冻结（测试）")
    page.get_by_label("申诉期尚未结束，确认现在冻结（请在上栏写明理由）").check()
    page.get_by_role("button", name="冻结名单").click()
    assert page.locator("#frozen").count() == 1


    return db, base, election_id, users, names, f"street_{tag}"


def _nominate_and_print(page, db, base, users, street, names, voting, tmp_path):
    """Nominations (women for 委员, so the first paper's woman line can be filled), the list,
    ``voting`` + 2 papers printed and their codes read back from the PDF, one station."""
    _nominate(page, base, users, street, names)
    papers = _print(page, base, voting + 2, tmp_path)
    assert "妇女委员定位名额" in papers.text
    desk_url, box_url = _station_today(page, base)
    return papers.codes, desk_url, box_url


def _nominate(page, base, users, street, names) -> None:
    """Nominations (women for 委员, so the first paper's woman line can be filled), the chair
    confirmed by the street, the list published."""
    slate = {"居民委员会主任": names[0:2], "居民委员会副主任": names[2:4],
             "居民委员会委员": [names[5], names[7], names[13], names[15]],
             "居务监督委员会主任": names[8:10], "居务监督委员会委员": names[10:13]}
    for post, people in slate.items():
        for name in people:
            page.goto(f"{base}/nomination/new")
            page.get_by_label("职位").select_option(label=post)
            page.get_by_label("被提名人（选民编号或姓名）").fill(name)
            party = post == "居务监督委员会主任"
            page.get_by_label("提名方式").select_option(label="社区党组织提名" if party else "自荐")
            page.get_by_label("提名依据（文字说明或文件编号）").fill("党组织提名书第1号" if party else "自荐书")
            page.get_by_label("文化程度").fill("大专")
            page.get_by_label("现任职务").fill("楼组长")
            page.get_by_role("button", name="登记").click()
            page.wait_for_url(f"**{base}/nomination")
    log_in(page, street, PASSWORD)
    page.goto(f"{base}/nomination/confirm")
    for name in slate["居务监督委员会主任"]:
        section = page.locator("section", has_text=name).first
        section.get_by_label("审核确认机关").select_option("街道纪工委")
        section.get_by_label("审核确认依据（文件编号）").fill("街纪工委〔2026〕2号")
        section.get_by_role("button", name=f"确认 {name}").click()
    log_in(page, users["committee"], PASSWORD)
    page.goto(f"{base}/nomination/publish")
    page.get_by_label("公布日期").fill(TODAY.isoformat())
    page.get_by_role("button", name="公布正式候选人名单").click()
    assert "正式候选人名单已公布" in _flash(page)


class Printed:
    def __init__(self, codes: list[tuple[str, str]], text: str) -> None:
        self.codes, self.text = codes, text


def _print(page, base, count: int, tmp_path, kind: str | None = None) -> Printed:
    """``count`` papers printed from the polling page (of the paper ``kind`` label, with one
    paper per body), their (stub, body) codes read back from the PDF with its first page's text."""
    page.goto(f"{base}/polling")
    page.get_by_label("印制张数").fill(str(count))
    if kind:
        page.get_by_label("选票种类").select_option(label=kind)
    page.get_by_role("button", name="开始印制").click()
    link = page.get_by_role("link", name="下载选票 PDF")
    link.wait_for(state="visible", timeout=120000)
    with page.expect_download() as info:
        link.click()
    pdf_path = tmp_path / f"ballots-{len(list(tmp_path.glob('ballots-*.pdf')))}.pdf"
    info.value.save_as(pdf_path)
    pdf = pdf_path.read_bytes()
    from pypdf import PdfReader

    from tests.ballots.pdfcheck import qr_payloads, render_page

    papers = []
    for index in range(0, len(PdfReader(io.BytesIO(pdf)).pages), 2):
        found = qr_payloads(render_page(pdf, index, dpi=150)) + qr_payloads(render_page(pdf, index + 1, dpi=150))
        papers.append(([q for q in found if not q.startswith("JXA:")][0], [q for q in found if q.startswith("JXA:")][0]))
    return Printed(papers, PdfReader(io.BytesIO(pdf)).pages[0].extract_text().replace("\n", ""))


def _station_today(page, base) -> tuple[str, str]:
    """One station with a desk and a box, and polling recorded as held today; (desk, box) URLs."""
    page.goto(f"{base}/polling")
    page.get_by_label("名称").fill("第一投票站")
    page.get_by_label("发票台数").fill("1")
    page.get_by_label("票箱数").fill("1")
    page.get_by_role("button", name="建立").click()
    desk_url = page.locator("#stations").get_by_role("link").first.get_attribute("href")
    box_url = page.locator("#stations").get_by_role("link").nth(1).get_attribute("href")
    # Polling is on election day; the test votes today, recorded as the committee's decision.
    page.goto(f"{base}/polling")
    page.locator("#day-override summary").click()
    page.get_by_label("确需今天发放选票的理由（记入选举事件记录，例如街道办事处批准改期的文号）").fill("街道办事处批准改期（测试）")
    page.get_by_role("button", name="登记今天发放选票").click()
    assert page.locator("#day-overridden").count() == 1
    return desk_url, box_url


def _box_count_publish(page, base, users, papers, box_url, voting):
    """Deposit ``voting`` papers, void the spare ones, enter every paper (each approves as many
    as there are seats), the board, and publish round 1."""
    log_in(page, users["scrutineer"], PASSWORD)
    page.goto(box_url)
    for t_code, _a in papers[:voting]:
        page.get_by_label("扫描选票存根二维码（投入票箱时）").fill(t_code)
        with page.expect_navigation():
            page.get_by_role("button", name="登记投入").click()
    page.goto(f"{base}/polling/spoiled")
    for t_code, a_code in papers[voting:]:
        page.get_by_label("扫描未用选票的存根").fill(t_code)
        page.get_by_label("扫描未用选票背面的二维码").fill(a_code)
        with page.expect_navigation():
            page.get_by_role("button", name="作废未用选票").click()

    # Counting: every paper approves as many as there are seats on each post.
    box_id = int(box_url.rstrip("/").split("/")[-1])
    keys = "1010111010110"
    log_in(page, users["counter"], PASSWORD)
    page.goto(f"{base}/counting/1/entry?box={box_id}")
    page.get_by_label("监票人").fill("监票人甲、乙")  # the box was mixed before counting (issue 15)
    with page.expect_navigation():
        page.get_by_role("button", name="确认本票箱选票已混合").click()
    for _t, a_code in papers[:voting]:
        page.locator("#scan").focus()  # autofocus may come after the first keys on a busy machine
        page.keyboard.type(a_code)
        page.keyboard.press("Enter")
        for key in keys:
            page.keyboard.press(key)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "已记录" in _flash(page)
    log_in(page, users["scrutineer"], PASSWORD)
    tally = page.request.get(f"{base}/counting/1/tally.json").json()
    page.goto(f"{base}/counting/1/board")
    for post in tally["posts"]:
        for r in post["rows"]:
            page.locator(f"#b-{post['key']}-{r['person']}").fill(str(r["votes"]))
    page.get_by_role("button", name="录入合计").click()
    page.wait_for_url(f"**{base}/counting")
    log_in(page, users["committee"], PASSWORD)
    page.goto(f"{base}/counting")
    page.get_by_role("link", name="预览第 1 轮结果").click()  # publishing is from the preview page
    page.get_by_role("button", name="公布第 1 轮结果").click()
    page.wait_for_url(f"**{base}/counting")


def _issue(page, db, election_id, users, desk_url, refused: str | None, refusal: str, voters: list[str], papers) -> None:
    """At the desk: ``refused`` (if any) gets no paper and sees ``refusal``; each of ``voters`` gets one
    (its stub scanned as it is handed across)."""
    from election.models import Resident

    db.rollback()
    by_name = {r.name: r for r in db.query(Resident).filter(Resident.election_id == election_id)}
    log_in(page, users["clerk"], PASSWORD)
    page.goto(desk_url)
    if refused is not None:
        page.get_by_label("按姓名、居民小组或身份证号（脱敏）查找").fill(refused)
        with page.expect_navigation():
            page.get_by_role("button", name="搜索").click()
        row = page.locator(f"#voter-{by_name[refused].id}")
        assert refusal in row.inner_text()
        assert row.get_by_role("button", name="发给本人一张选票").count() == 0
    for name, (stub, _body) in zip(voters, papers):
        page.get_by_label("扫描选民证二维码").fill(by_name[name].card_code)
        with page.expect_navigation():
            page.get_by_role("button", name="查找").click()
        with page.expect_navigation():
            page.get_by_role("button", name="发给本人一张选票").click()
        assert f"已向 {name} 发出一张选票" in page.content(), page.locator("main").inner_text()[:600]
        page.get_by_label("发出选票：扫描所发选票的存根二维码").fill(stub)
        with page.expect_navigation():
            page.get_by_role("button", name="登记发出").click()
        assert "已发出一张选票" in page.content(), page.locator("main").inner_text()[:600]


def test_a_whole_household_election_through_the_pages(page, live_app, tmp_path):
    db, base, election_id, users, names, street = _create(page, live_app, tmp_path, "户代表选举", "户代表")
    # 14 households designate their first member in writing; a non-member is refused.
    page.goto(f"{base}/roll")
    page.get_by_role("link", name="户代表", exact=True).click()
    page.wait_for_url(f"**{base}/roll/household-reps")
    page.get_by_label("户号").fill("0001")
    page.get_by_label("户代表（本户选民的姓名或选民编号）").fill(names[5])
    page.get_by_label("书面推选情况（由谁签字推选、书面材料编号）").fill("全户签字推选书")
    page.get_by_role("button", name="记录户代表").click()
    assert "须为本户一名居民" in _flash(page)
    for k in range(14):
        page.get_by_label("户号").fill(f"{k + 1:04d}")
        page.get_by_label("户代表（本户选民的姓名或选民编号）").fill(names[2 * k])
        page.get_by_label("书面推选情况（由谁签字推选、书面材料编号）").fill(f"全户签字推选书第 {k + 1} 号")
        page.get_by_role("button", name="记录户代表").click()
        page.wait_for_url(f"**{base}/roll/household-reps")
        assert f"已记录户号 {k + 1:04d} 的户代表" in _flash(page)
    assert "户代表 14 人" in page.locator("#basis").inner_text()


    voting = 8
    papers, desk_url, box_url = _nominate_and_print(page, db, base, users, street, names, voting, tmp_path)
    page.goto(f"{base}/polling/turnout")
    assert "户代表 14 人" in page.locator("#basis").inner_text() and page.locator("#registered").inner_text() == "14"
    _issue(page, db, election_id, users, desk_url, names[1], f"本户户代表为{names[0]}", [names[2 * k] for k in range(voting)], papers)
    _box_count_publish(page, base, users, papers, box_url, voting)
    outcome = page.locator("#outcome-1").inner_text()
    assert "户代表选举" in outcome and "户代表 14 人" in outcome and "选举无效" not in outcome
    # more than half of 8 papers: 5 votes, on 8 papers, not 40 voters
    threshold = page.locator("#outcome-1 tr[data-post=jwh_zhuren] .threshold").inner_text()
    assert threshold.startswith("5") and "8 张" in threshold
    db.close()


def test_a_whole_representative_election_through_the_pages(page, live_app, tmp_path):
    db, base, election_id, users, names, street = _create(page, live_app, tmp_path, "居民代表选举", "代表")
    # The representatives stage: 5 居民代表 per 居民小组, chosen at each group's meeting.
    page.goto(f"{base}/representatives")
    page.get_by_label("居民代表推选方式").select_option(label="每个居民小组推选3至5名")
    page.get_by_role("button", name="保存推选方式").click()
    page.get_by_label("每个居民小组推选人数").fill("5")
    page.get_by_role("button", name="按居民小组设置").click()
    assert "已按居民小组设置推选单位" in _flash(page)
    links = [a.get_attribute("href") for a in page.locator("#areas").get_by_role("link", name="会议记录").all()]
    assert len(links) == 2
    reps = [names[14:19], names[20:25]]
    for link, chosen in zip(links, reps):
        page.goto(link)
        page.get_by_label("参加户数").fill("6")
        page.get_by_label("被推选人得票").fill("\n".join(f"{n} 6" for n in chosen))
        page.get_by_role("button", name="保存会议记录").click()
        assert "推选会议已记录" in page.content()
    voting = 6
    papers, desk_url, box_url = _nominate_and_print(page, db, base, users, street, names, voting, tmp_path)
    page.goto(f"{base}/polling/turnout")
    assert "居民代表 10 人" in page.locator("#basis").inner_text() and page.locator("#registered").inner_text() == "10"
    voters = reps[0][:3] + reps[1][:3]
    _issue(page, db, election_id, users, desk_url, names[30], "只有居民代表领取选票", voters, papers)
    _box_count_publish(page, base, users, papers, box_url, voting)
    outcome = page.locator("#outcome-1").inner_text()
    assert "居民代表选举" in outcome and "居民代表 10 人" in outcome and "选举无效" not in outcome
    threshold = page.locator("#outcome-1 tr[data-post=jwh_zhuren] .threshold").inner_text()
    assert threshold.startswith("4") and "6 张" in threshold  # more than half of 6 papers
    db.close()
