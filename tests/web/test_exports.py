"""导出 Excel: every list page's export, fetched over HTTP with the page's own roles and read
back with openpyxl. The header row and the rows must equal what the page's table shows
(or, for pages that show a list as text, what the service the page calls returns); another
role is refused; personal data stays masked and no code a paper carries is ever exported.
Another community's export answers 404: tests/web/test_isolation.py walks these routes
with every other URL."""
from __future__ import annotations

import io
import random
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from election import clock
from election.audit.service import RETRIEVAL
from election.counting import reports
from election.counting.result import publish_result
from election.models import AuditCode, Receipt, SpoilRecord
from election.nomination import service as nomination
from election.nomination.demo import add_demo_candidates
from election.pii import PersonalData
from election.polling import close, issuance, stations, turnout
from election.polling.demo import add_demo_polling
from election.protocol import rla
from election.protocol.codes import human
from election.publication.complaints import answer_complaint, file_complaint
from election.representatives import meetings
from election.representatives.demo import add_demo_representatives
from election.roll.demo import add_demo_roll
from election.roll.publication import decide_objection, file_objection, publish_roll
from election.roll.register import applications_of, listing
from election.rules.eligibility import age_on
from election.settings import posts_of
from election.web.access import _MARK
from election.web.exports import EXPORTS
from election.xlsx import MIME
from tests.audit import seeding
from tests.audit.test_rla_service import SEED
from tests.conftest import DATA_KEY, login
from tests.counting.builder import board_as_counted
from tests.ledger.helpers import simulated

ROLES = ("street_admin", "committee", "clerk", "counter", "scrutineer", "auditor")


# --- reading things back ---------------------------------------------------------------------

def read_book(data: bytes) -> dict[str, list[list]]:
    """Every sheet as rows of values; a date written as a date comes back as a date."""
    book = load_workbook(io.BytesIO(data))
    out = {}
    for sheet in book.worksheets:
        rows = []
        for row in sheet.iter_rows():
            values = []
            for cell in row:
                value = cell.value
                if isinstance(value, datetime) and cell.number_format == "yyyy-mm-dd":
                    value = value.date()
                values.append(value)
            rows.append(values)
        out[sheet.title] = rows
    return out


def fetch(client, url: str) -> dict[str, list[list]]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response.mimetype == MIME
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    return read_book(response.data)


class _Table(HTMLParser):
    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.id, self.depth, self.rows, self.cell = table_id, 0, [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and (dict(attrs).get("id") == self.id or self.depth):
            self.depth += 1
        elif self.depth and tag == "tr":
            self.rows.append([])
        elif self.depth and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table" and self.depth:
            self.depth -= 1
        elif self.depth and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def page_table(client, url: str, table_id: str) -> list[list[str]]:
    """The text of each cell of the page's table ``table_id`` (header row first)."""
    parser = _Table(table_id)
    parser.feed(client.get(url).get_data(as_text=True))
    assert parser.rows, f"no table #{table_id} on {url}"
    return parser.rows


def text(value) -> str:
    """A cell as the page writes it: dates ISO, no value empty."""
    return "" if value is None else value.isoformat() if isinstance(value, date) else str(value)


def client_as(app, role: str, community: str = "a"):
    client = app.test_client()
    login(client, f"{community}_{role}")
    return client


# --- the elections the lists are read from ----------------------------------------------------

@pytest.fixture
def prepared(db, world):
    """Community A's election before polling day, every list filled as the services fill them:
    roll with applications and an objection, representatives, group leader, committee,
    nominees and the published list, a relation, stations, a proxy and a mobile-box voter."""
    election = world["a"]["election"]
    today = clock.today()
    add_demo_roll(db, election, DATA_KEY, 40, random.Random(5), today=today)
    add_demo_representatives(db, election, random.Random(5))
    group = meetings.group_names(db, election)[0]
    entitled = meetings.group_entitled(db, election, group, "voters")
    voters = [r for r in listing(db, election) if r.is_voter and r.group_name == group]
    meetings.record_group_leader(db, election, group, "voters", entitled,
                                 f"{voters[0].name} {entitled - 1}\n{voters[1].name} 1", today, "a_committee")
    add_demo_polling(db, election, random.Random(5))
    add_demo_candidates(db, election, random.Random(5), today=today)
    publish_roll(db, election, today, "a_committee")
    people = [r for r in listing(db, election) if r.is_voter]
    first = file_objection(db, election, "赵某", "名单漏登了我的邻居", today, "a_committee", people[0].id)
    decide_objection(db, election, first, False, "经核实已登记", today, "a_committee")
    file_objection(db, election, "钱某", "=HYPERLINK(\"x\")", today, "a_committee")
    nomination.add_relation(db, election, "a_committee", str(people[2].voter_number), str(people[3].voter_number), "spouse")
    holder, voter = people[4], people[5]
    issuance.authorise_proxy(db, election, "a_committee", voter, holder, today)
    box = next(b for b in stations.boxes_of(db, election) if b.mobile)
    stations.register_mobile_voter(db, election, "a_committee", box.id, people[6], "年老体弱")
    station = stations.stations_of(db, election)[0]
    for hour in ("2026-11-23T09", "2026-11-23T09", "2026-11-23T14"):  # what deposit.spoil records
        db.add(SpoilRecord(election_id=election.id, round_number=1, station_id=station.id, hour=hour))
    db.commit()
    return election


@pytest.fixture
def counted(db, world):
    """Community A's election voted, counted, published, filed, complained about and audited."""
    sim = simulated(db, world)
    election = sim.election
    board_as_counted(db, election, 1)
    publish_result(db, election, 1, "a_committee")
    reports.file_result(db, election, 1, "a_committee")
    complaint = file_complaint(db, election, "procedure", "计票时没有唱票", "138****0000", clock.today())
    answer_complaint(db, election, complaint.id, "已核实，唱票有录像。", "a_committee")
    file_complaint(db, election, "receipt", "我的回执查不到", "", clock.today())
    from tests.audit.test_rla_service import _sealed

    _sealed(db, election)
    seeding.start(db, election, SEED, "a_auditor")
    db.commit()
    return sim


# --- every export ------------------------------------------------------------------------------

def _url(app, endpoint: str, election_id: int) -> str:
    rule = app.url_map._rules_by_endpoint[endpoint][0]
    values = {name: {"election_id": election_id, "number": 1}[name] for name in rule.arguments}
    return app.url_map.bind("localhost").build(endpoint, values)


def test_every_list_page_has_an_export_guarded_like_the_page(app):
    """One export per list (the registry), each guarded by exactly its page's roles."""
    assert len(EXPORTS) >= 20
    for endpoint, spec in EXPORTS.items():
        assert getattr(app.view_functions[endpoint], _MARK) == getattr(spec.page, _MARK), endpoint
        assert app.url_map._rules_by_endpoint[endpoint][0].rule.endswith(".xlsx")


def test_every_export_downloads_a_chinese_workbook_and_refuses_other_roles(app, world, counted):
    election = counted.election
    for endpoint, spec in EXPORTS.items():
        mark = getattr(spec.page, _MARK)
        allowed = ROLES if mark == "any" else mark
        url = _url(app, endpoint, election.id)
        client = client_as(app, allowed[0])
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        disposition = response.headers["Content-Disposition"]
        name = unquote(disposition.split("filename*=UTF-8''", 1)[1])
        assert name.endswith(".xlsx") and spec.name in name, disposition
        book = load_workbook(io.BytesIO(response.data))
        for sheet in book.worksheets:
            assert any("\u4e00" <= ch <= "\u9fff" for ch in sheet.title), (url, sheet.title)
            assert sheet.freeze_panes == "A2", url
            header = [c for c in next(sheet.iter_rows(max_row=1))]
            assert header and all(c.font.b and c.value for c in header), url
            assert all(sheet.column_dimensions[c.column_letter].width >= 6 for c in header)
        for role in ROLES:
            if role not in allowed:
                refused = client_as(app, role).get(url)
                assert refused.status_code == 403, (url, role, refused.status_code)


def test_no_export_holds_a_code_of_a_paper(app, db, world, counted):
    """Receipt and audit codes (nor their hashes) appear in no export (privacy rule)."""
    election = counted.election
    secrets = {r for r in db.scalars(select(Receipt.r_hash).where(Receipt.election_id == election.id))}
    secrets |= {d for d in db.scalars(select(AuditCode.d_hash).where(AuditCode.election_id == election.id))}
    secrets |= {human(t) for t in counted.deposited_codes.values()}
    assert len(secrets) > 100
    seen = 0
    for endpoint, spec in EXPORTS.items():
        mark = getattr(spec.page, _MARK)
        role = "committee" if mark == "any" else mark[0]
        book = fetch(client_as(app, role), _url(app, endpoint, election.id))
        for rows in book.values():
            for row in rows:
                for value in row:
                    seen += 1
                    assert str(value) not in secrets, (endpoint, value)
    assert seen > 100


# --- the roll ---------------------------------------------------------------------------------

def test_roll_export_lists_every_resident_masked(app, db, prepared):
    election = prepared
    book = fetch(client_as(app, "committee"), f"/elections/{election.id}/roll/roll.xlsx")
    rows = book["选民名单"]
    assert rows[0] == ["选民编号", "姓名", "性别", "选举日年龄", "公民身份号码", "户号", "住址", "居民小组", "户籍类别",
                       "联系电话", "登记状态", "选举权", "选民证", "重复登记待核实"]
    residents = listing(db, election)
    assert len(rows) - 1 == len(residents) > 40
    pii = PersonalData(DATA_KEY)
    flat = {str(v) for row in rows for v in row}
    for row, person in zip(rows[1:], residents):
        assert row[1:5] == [person.name, person.sex, age_on(person.birth_date, election.election_day), person.id_masked]
        # Issue 17: the birth date would fill the masked digits back in; it is nowhere in the sheet.
        assert person.birth_date not in row and person.birth_date.strftime("%Y%m%d") not in str(row)
        assert row[7] == person.group_name and row[9] == (person.phone_masked or None)
        assert row[12] == ("已分配" if person.card_code else "未分配")
        assert row[0] == (f"{person.voter_number:05d}" if person.voter_number else None)
        assert pii.decrypt(person.id_cipher) not in flat  # never the plain ID number
        assert person.card_code is None or person.card_code not in flat  # nor the card code
    assert "*" in rows[1][4]


def test_applications_and_objections_exports(app, db, prepared):
    election = prepared
    client = client_as(app, "street_admin")  # the street office reads the roll pages too
    book = fetch(client, f"/elections/{election.id}/roll/applications.xlsx")
    records = applications_of(db, election)
    assert records and [r[0] for r in book["申请登记"][1:]] == [a.resident.name for a in records]
    page = page_table(client, f"/elections/{election.id}/roll/applications", "applications")
    assert [[f"{r[0]} {r[1]}", r[2], text(r[3])] for r in book["申请登记"][1:]] == [row[:3] for row in page[1:]]

    rows = fetch(client, f"/elections/{election.id}/roll/objections.xlsx")["选民名单申诉"]
    assert rows[0][:9] == ["编号", "申诉人", "涉及居民", "公民身份号码", "申诉内容", "申诉日期", "申诉截止日期", "处理期限", "状态"]
    today = clock.today()
    decided, pending = rows[1], rows[2]
    assert decided[1] == "赵某" and decided[8] == "申诉不成立" and decided[9] == "经核实已登记" and decided[10] == today
    assert decided[6] == today + timedelta(days=5) and decided[7] == today + timedelta(days=3) and decided[12] == "否"
    assert pending[4] == "=HYPERLINK(\"x\")" and pending[8] == "待处理"  # text, never a formula


# --- representatives and committee ------------------------------------------------------------

@pytest.mark.parametrize("page,table,export,sheet,columns", [
    ("representatives/list", "roster", "representatives/list.xlsx", "居民代表名单", 5),
    ("group-leaders", "leaders", "group-leaders.xlsx", "居民小组长", 3),
    ("election-committee", "committee", "election-committee.xlsx", "居民选举委员会", 4),
    ("representatives", "areas", "representatives/areas.xlsx", "推选片区", None),
])
def test_representative_exports_equal_the_page_tables(app, prepared, page, table, export, sheet, columns):
    client = client_as(app, "committee")
    shown = page_table(client, f"/elections/{prepared.id}/{page}", table)
    rows = fetch(client, f"/elections/{prepared.id}/{export}")[sheet]
    assert len(rows) == len(shown) > 1
    if columns is None:  # areas: 片区, 户数 and the sitting representatives
        assert [[text(r[0]), text(r[1]), r[4].replace("、", "")] for r in rows[1:]] == \
               [[s[0], s[1], s[3].replace("、", "")] for s in shown[1:]]
    else:
        assert rows[0][:columns] == shown[0][:columns]
        assert [[text(v) for v in r[:columns]] for r in rows[1:]] == [s[:columns] for s in shown[1:]]


# --- nomination -------------------------------------------------------------------------------

def test_nominee_candidate_and_relation_exports(app, db, prepared):
    election = prepared
    client = client_as(app, "committee")
    rows = fetch(client, f"/elections/{election.id}/nomination/nominees.xlsx")["被提名人"]
    everyone = nomination.candidates_of(db, election, statuses=("nominee", "formal", "withdrawn", "not_selected"))
    assert [(r[1], r[4]) for r in rows[1:]] == [(c.resident.name, {"nominee": "被提名人", "formal": "正式候选人",
                                                "withdrawn": "已退出", "not_selected": "未入选"}[c.status]) for c in everyone]
    assert all(r[6] for r in rows[1:])  # every nominee came through a channel
    assert any("社区党组织提名" in r[6] for r in rows[1:])
    formal = nomination.formal_candidates(db, election)
    rows = fetch(client, f"/elections/{election.id}/nomination/candidates.xlsx")["正式候选人"]
    posts = {p.key: p.name_zh for p in posts_of(election)}
    assert [(r[0], r[1], r[2]) for r in rows[1:]] == [
        (posts[key], c.ballot_order, c.resident.name) for key in posts for c in formal[key]]
    rows = fetch(client, f"/elections/{election.id}/nomination/relations.xlsx")["近亲属关系"]
    assert rows[1][2] == "配偶" and len(rows) == 2


# --- polling day ------------------------------------------------------------------------------

def test_polling_exports_equal_the_pages(app, db, prepared):
    election = prepared
    client = client_as(app, "committee")
    base = f"/elections/{election.id}/polling"
    shown = page_table(client, f"{base}/proxies", "proxies")
    rows = fetch(client, f"{base}/proxies.xlsx")["委托投票"]
    assert rows[0] == shown[0][:4] and [[text(v) for v in r] for r in rows[1:]] == [s[:4] for s in shown[1:]]
    assert len(rows) == 2
    rows = fetch(client, f"{base}/mobile-voters.xlsx")["流动票箱选民"]
    assert [(r[0], r[1], r[3]) for r in rows[1:]] == [(b.label, v.name, m.reason) for m, v, b in stations.mobile_voters(db, election)]
    rows = fetch(client_as(app, "clerk"), f"{base}/stations.xlsx")["投票站和票箱"]
    assert [(r[0], r[3]) for r in rows[1:]] == [(s.name, "、".join(b.label for b in s.boxes)) for s in stations.stations_of(db, election)]
    shown = page_table(client, f"{base}/spoiled", "spoiled")
    rows = fetch(client_as(app, "scrutineer"), f"{base}/spoiled.xlsx?round=1")["第1轮写错换票"]
    assert [[r[0], r[1].strftime("%Y-%m-%d %H:%M"), str(r[2])] for r in rows[1:]] == shown[1:]
    assert rows[0] == shown[0] and [r[2] for r in rows[1:]] == [2, 1]
    book = fetch(client, f"{base}/turnout.xlsx")
    data = turnout.turnout(db, election, 1)
    assert book["第1轮投票率"][1] == [data["registered"], data["issued"], data["percent"]]
    assert [r[0] for r in book["各投票站"][1:]] == [s["name"] for s in data["stations"]]
    book = fetch(client, f"{base}/reconcile.xlsx")
    rec = close.reconciliation(db, election, 1)
    assert book["第1轮选票清点"][1] == [rec.printed, rec.issued, rec.spoiled, rec.unused]


# --- counting, filings, complaints, audit, calendar, rulebook -----------------------------------

def test_result_export_equals_the_result_report(app, db, counted):
    election = counted.election
    report = reports.result_report(db, election, 1)
    book = fetch(client_as(app, "scrutineer"), f"/elections/{election.id}/counting/1/result.xlsx")
    rows = book["第1轮选举结果"]
    assert rows[0] == ["机构", "职位", "应选名额", "有效票", "无效票", "当选票数线", "当选规则", "姓名", "得票", "当选", "说明", "另选他人"]
    expected = [[p.post, c.name, c.votes, "是" if c.elected else "否", c.reason] for p in report.posts for c in p.candidates]
    assert [[r[1], r[7], r[8], r[9], r[10]] for r in rows[1:]] == expected
    assert book["概况"][1][3:6] == [report.registered_voters, report.papers_issued, report.papers_returned]
    assert client_as(app, "committee").get(f"/elections/{election.id}/counting/2/result.xlsx").status_code == 404


def test_filings_complaints_and_audit_exports(app, db, world, counted):
    election = counted.election
    rows = fetch(client_as(app, "auditor"), "/filings.xlsx")["选举结果备案"]
    assert rows[1][:4] == [election.community.name, election.title, 1, "a_committee"]
    assert isinstance(rows[1][4], datetime)
    assert len(fetch(client_as(app, "auditor", "b"), "/filings.xlsx")["选举结果备案"]) == 1  # another street: header only

    rows = fetch(client_as(app, "committee"), f"/e/{election.id}/complaints.xlsx")["申诉与答复"]
    assert [(r[1], r[2], r[5]) for r in rows[1:]] == [
        ("选举程序", "计票时没有唱票", "已核实，唱票有录像。"), ("查不到回执", "我的回执查不到", None)]

    client = client_as(app, "auditor")
    shown = page_table(client, f"/audit/e/{election.id}", "draws")
    book = fetch(client, f"/audit/e/{election.id}/draws.xlsx")
    assert [[text(v) for v in r[:3]] for r in book["审计抽样"]] == [s[:3] for s in shown]
    summary = dict(zip(book["审计概况"][0], book["审计概况"][1]))
    assert summary["随机种子"] == rla.combined_seed(SEED, seeding.SECRET)
    assert summary["掷骰结果"] == SEED.replace(" ", "") and summary["见证人"] == seeding.WITNESSES
    assert summary["种子承诺"] == rla.seed_commitment(seeding.SECRET)
    # The printed list says how a position is found, in the audit page's own words.
    assert [r[0] for r in book["取票方法"][1:]] == list(RETRIEVAL.values())
    assert any("从最上面一张往下数" in line for line in RETRIEVAL.values())


def test_calendar_and_rulebook_exports(app, world):
    election = world["a"]["election"]
    client = client_as(app, "clerk")  # every role may read the calendar and the rules
    rows = fetch(client, f"/elections/{election.id}/calendar.xlsx")["法定时间表"]
    due = election.election_day - timedelta(days=20)
    assert rows[0] == ["日期", "事项", "类型", "依据", "进度"]
    assert [due, "公布选民名单"] in [r[:2] for r in rows[1:]]
    rows = fetch(client, f"/elections/{election.id}/rulebook.xlsx")["选举规则"]
    assert rows[0] == ["参数", "取值", "依据", "条文未经核实"] and len(rows) > 20


def test_formula_like_text_stays_text():
    """A value starting with = is written as text (no formula injection)."""
    from election.xlsx import Sheet, workbook_bytes

    book = load_workbook(io.BytesIO(workbook_bytes(Sheet("测试", ["内容", "日期"], [["=1+1", date(2026, 11, 3)]]))))
    cell, day = book["测试"]["A2"], book["测试"]["B2"]
    assert cell.value == "=1+1" and cell.data_type == "s"
    assert day.is_date and day.value.date() == date(2026, 11, 3)


def test_a_user_of_another_community_gets_404_for_every_export(app, world):
    client = client_as(app, "committee", "b")
    election = world["a"]["election"]
    for endpoint in EXPORTS:
        rule = app.url_map._rules_by_endpoint[endpoint][0]
        if "election_id" not in rule.arguments:
            continue
        response = client.get(_url(app, endpoint, election.id))
        assert response.status_code == 404, (endpoint, response.status_code)
