"""The guided workflow: stages in legal order with deadlines from election day."""
from __future__ import annotations

import html as html_text
import io
import re
from datetime import date, timedelta

from pypdf import PdfReader

from election.clock import cn_date
from election.workflow.stages import DONE, LATE, TODO, calendar, late_steps, next_stage, stages, warnings
from tests.conftest import login

ORDER = ["committee", "roll", "representatives", "nomination", "candidates", "printing",
         "voting", "counting", "result", "filing"]


def test_stages_come_in_legal_order_with_computed_deadlines(db, world):
    election = world["a"]["election"]
    views = stages(db, election)
    assert [v.key for v in views] == ORDER
    roll = views[1]
    due = election.election_day - timedelta(days=20)
    assert roll.deadline == due and roll.deadline_text == f"须于 {due.month}月{due.day}日前完成"
    assert {v.status for v in views} == {TODO}
    # The committee is recorded against the roll: with no resident yet, the roll comes first.
    assert views[0].blocked == "须先导入居民名单（选举委员会成员按名单核对）"
    assert next_stage(views).key == "roll"


def test_published_roll_is_done_and_late_steps_warn(db, world):
    election = world["a"]["election"]
    after_deadline = election.election_day - timedelta(days=10)
    late = warnings(db, election, today=after_deadline)
    assert any("公布选民名单" in w and "已过" in w for w in late)
    assert stages(db, election, today=after_deadline)[1].late
    election.roll_published_on = election.election_day - timedelta(days=25)
    db.commit()
    roll = stages(db, election, today=after_deadline)[1]
    assert roll.status == DONE and not roll.late
    assert not any("公布选民名单" in w for w in warnings(db, election, today=after_deadline))


def test_election_page_shows_stages_and_one_next_action(app, world):
    client = app.test_client()
    login(client, "a_committee")
    election = world["a"]["election"]
    page = client.get(f"/elections/{election.id}").get_data(as_text=True)
    for label in ("选举委员会", "选民登记", "居民代表", "候选人公告", "印制选票", "计票", "备案与审计"):
        assert label in page
    assert page.count('id="next-action"') == 1
    assert f"/elections/{election.id}/election-committee" in page


def test_calendar_page_and_pdf(app, world):
    client = app.test_client()
    login(client, "a_committee")
    election = world["a"]["election"]
    page = client.get(f"/elections/{election.id}/calendar").get_data(as_text=True)
    assert "公布选民名单" in page and "公布正式候选人名单" in page
    pdf = client.get(f"/elections/{election.id}/calendar.pdf")
    assert pdf.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "法定时间表" in text and "公布选民名单" in text
    due = election.election_day - timedelta(days=20)
    assert cn_date(due) in text  # dates as a notice writes them, sources left to the page's 依据
    assert "[V" not in text and "[P:" not in text and "(?)" not in text


# --- late steps: the calendar's marks and the banner on every page ---------------------------

def _fix_today(monkeypatch, day: date) -> None:
    from election.web import workflow as workflow_pages

    monkeypatch.setattr(workflow_pages, "today", lambda: day)


def test_calendar_marks_late_and_done_steps_for_a_given_day(db, world):
    election = world["a"]["election"]
    due = election.election_day - timedelta(days=20)
    day = due + timedelta(days=4)
    lines = {line.deadline.key: line for line in calendar(db, election, today=day)}
    roll = lines["roll_published"]
    assert roll.status == LATE and roll.days_late == 4 and roll.status_text == "已逾期 4 天"
    assert roll.date_text == f"{due.month}月{due.day}日" and roll.endpoint == "roll.publication"
    assert lines["objections_decided"].status == ""  # runs from the publication, not yet due
    assert [s.deadline.key for s in late_steps(db, election, today=day)] == ["roll_published"]
    assert late_steps(db, election, today=due) == []  # the deadline day itself is not late
    election.roll_published_on = due + timedelta(days=2)
    db.commit()
    lines = {line.deadline.key: line for line in calendar(db, election, today=day)}
    assert lines["roll_published"].status == DONE and lines["roll_published"].status_text == "已完成（晚 2 天）"
    assert late_steps(db, election, today=day) == []


def test_a_late_step_shows_the_banner_on_another_page_and_a_done_one_does_not(app, db, world, monkeypatch):
    election = world["a"]["election"]
    due = election.election_day - timedelta(days=20)
    _fix_today(monkeypatch, due + timedelta(days=3))
    client = app.test_client()
    login(client, "a_committee")
    page = client.get(f"/elections/{election.id}/nomination").get_data(as_text=True)
    assert 'id="late-banner"' in page and 'role="alert"' in page
    banner = page.split('id="late-banner"', 1)[1].split("</section>", 1)[0]
    assert "公布选民名单" in banner and f"{due.month}月{due.day}日" in banner and "已逾期 3 天" in banner
    assert f'href="/elections/{election.id}/roll/publication"' in banner
    # Another role that runs no step sees no banner; nor does another community's page.
    clerk = app.test_client()
    login(clerk, "a_clerk")
    assert "late-banner" not in clerk.get(f"/elections/{election.id}/polling").get_data(as_text=True)
    other = app.test_client()
    login(other, "b_committee")
    assert "late-banner" not in other.get(f"/elections/{election.id}/nomination").get_data(as_text=True)
    # Done (published, even late): no banner for it.
    election.roll_published_on = due + timedelta(days=1)
    db.commit()
    page = client.get(f"/elections/{election.id}/nomination").get_data(as_text=True)
    assert "late-banner" not in page


def test_calendar_page_and_pdf_mark_late_and_done_steps(app, db, world, monkeypatch):
    election = world["a"]["election"]
    roll_due = election.election_day - timedelta(days=20)
    election.roll_published_on = roll_due - timedelta(days=1)
    db.commit()
    candidates_due = election.election_day - timedelta(days=5)
    _fix_today(monkeypatch, candidates_due + timedelta(days=2))
    client = app.test_client()
    login(client, "a_committee")
    page = client.get(f"/elections/{election.id}/calendar").get_data(as_text=True)
    assert 'class="step done" data-step="roll_published"' in page
    assert 'class="step late" data-step="candidates_published"' in page and "已逾期 2 天" in page
    pdf = client.get(f"/elections/{election.id}/calendar.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "已逾期 2 天" in text and "已完成" in text


def test_next_step_follows_what_each_stage_needs(app, db, world):
    """The home page's next step is a step its page accepts: before the roll the committee
    waits (and its page says why it refuses); once residents are imported it comes first;
    printing waits for the published list, whatever its order."""
    from tests.nomination.helpers import Roll

    election = world["a"]["election"]
    client = app.test_client()
    login(client, "a_committee")
    page = client.get(f"/elections/{election.id}").get_data(as_text=True)
    assert "须先导入居民名单（选举委员会成员按名单核对）" in page
    assert f'id="next-action" href="/elections/{election.id}/roll' in page
    url = f"/elections/{election.id}/election-committee"
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)
    refused = client.post(url, data={"csrf_token": token, "chosen_by": "residents_meeting", "size": "5",
                                     "votes": "张三 30", "chair": "张三"}, follow_redirects=True).get_data(as_text=True)
    assert "须先导入居民名单：选举委员会成员按居民名单核对" in refused

    roll = Roll(db, election)
    for i in range(3):
        roll.add(f"居民{i}")
    db.commit()
    views = stages(db, election)
    assert next_stage(views).key == "committee"
    by_key = {v.key: v for v in views}
    assert by_key["printing"].blocked == "须先公布正式候选人名单" and by_key["voting"].blocked == "须先印制选票"
    assert by_key["roll"].blocked == ""


def test_calendar_in_english_names_each_deadline_and_keeps_the_chinese_citation(app, db, world, monkeypatch):
    """English mode: every deadline's name, kind and progress in English through the
    catalogue (none left in Chinese), dates as ISO; the rule stays as the law words it, with
    its source under 依据 (Basis); the banner names the late step in English too."""
    from election.rules.calendar import LABELS

    election = world["a"]["election"]
    candidates_due = election.election_day - timedelta(days=5)
    _fix_today(monkeypatch, candidates_due + timedelta(days=2))
    client = app.test_client()
    login(client, "a_committee")
    page = client.get(f"/elections/{election.id}/calendar?lang=en").get_data(as_text=True)
    rows = re.findall(r'<tr class="step[^"]*" data-step="(\w+)"><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td>'
                      r'<td>(.*?)</td>', page, re.S)
    assert {key for key, *_ in rows} >= {"roll_published", "candidates_published", "election_day", "filing"}
    names = {key: name for key, _day, name, _kind, _rule in rows}
    assert names["roll_published"] == "Publish the voter roll"
    assert names["election_day"] == "Election day (voting, public count, result announced on the spot)"
    assert not [n for n in names.values() if re.search(r"[\u4e00-\u9fff]", n)], names
    assert {kind for *_, kind, _rule in rows} <= {"Deadline", "On the day", "Period ends"}
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", day) for _key, day, *_ in rows)
    rule = next(r for key, *_, r in rows if key == "roll_published")
    assert "选举日前至少20日" in rule and "[V]" in rule  # the legal citation, in Chinese
    table = page[page.index('id="calendar"'):]
    assert "2 days late" in table and LABELS["candidates_published"] not in table
    # The warnings above the table (the services' sentences) in English too, the rule quoted in Chinese.
    warned = page[page.index('<ul class="flashes" role="alert">'):page.index('id="calendar"')]
    due = candidates_due.isoformat()
    assert f"“Publish the formal candidate list”: the deadline {due} has passed and it is not done (选举日前至少5日" in warned
    assert "期限" not in warned and "尚未完成" not in warned
    home = client.get(f"/elections/{election.id}?lang=en").get_data(as_text=True)
    banner = home[home.index('id="late-banner"'):home.index("</section>", home.index('id="late-banner"'))]
    assert "Publish the formal candidate list" in banner and LABELS["candidates_published"] not in banner
    # Chinese stays the default.
    assert LABELS["roll_published"] in client.get(f"/elections/{election.id}/calendar?lang=zh").get_data(as_text=True)


def test_every_link_of_the_election_and_polling_pages_opens_for_each_role(app, db, world):
    """A new user's walk: the election page and the polling page offer each role only the
    pages it may open (a desk clerk was offered the roll, a street admin the desks: 403)."""
    from election.polling.stations import create_station

    election = world["a"]["election"]
    create_station(db, election, "test", "第一投票站", desks=1, boxes=1)
    db.commit()
    for role in ("street_admin", "committee", "clerk", "counter", "scrutineer", "auditor"):
        client = app.test_client()
        login(client, f"a_{role}")
        for page in (f"/elections/{election.id}", f"/elections/{election.id}/polling"):
            res = client.get(page)
            if res.status_code == 403:
                continue  # a page the role may not open is not linked to it (checked where it is)
            links = set(re.findall(r'href="(/(?:elections|e|audit)/[^"?#]*)', res.get_data(as_text=True)))
            assert links, (role, page)
            for link in sorted(links):
                if link.endswith((".pdf", ".xlsx", ".zip", ".json")):
                    continue
                assert client.get(link).status_code == 200, (role, page, link)


def test_election_page_stages_in_english(app, db, world):
    """The election page in English: the ten stages' names, their status, deadline, what is
    missing, what must come first and the next action go through the catalogue (they were
    all Chinese; the rules table's values and the warnings stay the services' Chinese)."""
    election = world["a"]["election"]
    client = app.test_client()
    login(client, "a_committee")
    page = client.get(f"/elections/{election.id}?lang=en").get_data(as_text=True)
    stages_html = page[page.index('<ol class="stages">'):page.index("</ol>", page.index('<ol class="stages">'))]
    next_html = page[page.index('<p class="next">'):page.index("</p>", page.index('<p class="next">'))]
    for html in (stages_html, next_html):
        assert not re.findall(r"[\u4e00-\u9fff]+", re.sub(r"<[^>]+>", "", html)), html
    assert "Voter registration" in stages_html and "Not started" in stages_html
    due = election.election_day - timedelta(days=20)
    assert f"Due by {due.isoformat()}" in stages_html
    # Read as the browser shows it: the apostrophe is escaped in the HTML (&#39;).
    assert "Import the residents' list first" in html_text.unescape(stages_html) and "Manage the voter roll" in next_html
    # Chinese stays the default.
    assert "须先导入居民名单" in client.get(f"/elections/{election.id}?lang=zh").get_data(as_text=True)


def test_polling_day_warns_only_of_steps_owed(db, world):
    """A step with nothing to do is not late (no objection filed, no proxy asked for), a window
    that closes (written withdrawal) is not a task; an objection filed and not decided by its
    deadline still is, and deciding it late says so."""
    from election.ledger.events import record_event
    from election.models import Objection, Proxy
    from election.nomination.service import PUBLISHED
    from tests.factories import add_voters

    election = world["a"]["election"]
    day = election.election_day
    election.roll_published_on = day - timedelta(days=25)
    record_event(db, election, PUBLISHED, {"published_on": (day - timedelta(days=8)).isoformat()}, "a_committee")
    db.commit()
    lines = {line.deadline.key: line for line in calendar(db, election, today=day)}
    assert lines["withdrawal_end"].deadline.kind == "until" and lines["withdrawal_end"].status == ""
    assert lines["proxies_arranged"].status == "" and lines["objections_decided"].status == DONE
    assert warnings(db, election, today=day) == [] and late_steps(db, election, today=day) == []

    voter, holder = add_voters(db, election, 2)
    db.add(Proxy(election_id=election.id, voter_id=voter.id, holder_id=holder.id,
                 signed_on=day - timedelta(days=5), approved_by="a_committee"))
    objection = Objection(election_id=election.id, objector="张三", text="漏登", entered_by="a_committee",
                          filed_on=day - timedelta(days=23))
    db.add(objection)
    db.commit()
    lines = {line.deadline.key: line for line in calendar(db, election, today=day)}
    assert lines["proxies_arranged"].status == DONE
    assert [s.deadline.key for s in late_steps(db, election, today=day)] == ["objections_decided"]
    assert [w for w in warnings(db, election, today=day) if "异议处理决定并公布" in w and "尚未完成" in w]
    objection.status, objection.decided_on = "upheld", day - timedelta(days=2)
    db.commit()
    assert late_steps(db, election, today=day) == []
    assert [w for w in warnings(db, election, today=day) if "异议处理决定并公布" in w and "晚于期限" in w]
