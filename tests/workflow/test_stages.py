"""The guided workflow: stages in legal order with deadlines from election day."""
from __future__ import annotations

import io
from datetime import date, timedelta

from pypdf import PdfReader

from election.workflow.stages import DONE, TODO, next_stage, stages, warnings
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
    assert next_stage(views).key == "committee"


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
    assert due.isoformat() in text
