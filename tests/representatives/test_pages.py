"""HTTP: the committee records through the forms; the street office reads only."""
from __future__ import annotations

import io

from pypdf import PdfReader
from sqlalchemy import func, select

from election.ledger.events import events_of
from election.models import RepArea, Representative, SelectionMeeting
from election.representatives import areas as area_svc
from election.representatives import committee as committee_svc
from election.representatives.people import residents_of
from tests.conftest import DATA_KEY, csrf_token, login
from tests.factories import build_roll


def _setup(db, world):
    election = world["a"]["election"]
    build_roll(db, election, DATA_KEY, [40, 40])
    db.commit()
    return election


def test_meeting_form_exactly_half_refused_one_more_stands(app, db, world):
    """Must show 2 (HTTP): 20 of 40 households is refused with the rule's message and nothing
    stored; 21 stands and the winner shows on the page."""
    election = _setup(db, world)
    client = app.test_client()
    login(client, "a_committee")
    base = f"/elections/{election.id}/representatives"
    page = client.post(f"{base}/propose", data={"csrf_token": csrf_token(client, base)}, follow_redirects=True)
    assert "已按户数划分推选片区" in page.get_data(as_text=True)
    area = db.scalar(select(RepArea).where(RepArea.election_id == election.id, RepArea.number == 1))
    assert len(area.members) == 40
    people = residents_of(db, election, household_ids=[m.household_id for m in area.members])
    a, b = people[0], next(p for p in people if p.name != people[0].name)
    url = f"{base}/areas/{area.id}"
    assert client.get(f"{base}/areas/{area.id + 1000}").status_code == 404
    form = {"held_on": "2026-11-01", "present": "20", "votes": f"{a.name} 12\n{b.name} 8"}
    refused = client.post(url, data=form | {"csrf_token": csrf_token(client, url)}).get_data(as_text=True)
    assert "应参加40，实际参加20，未超过1/2（至少需21），推选无效" in refused
    db.commit()  # end the test session's read snapshot: see what the app wrote
    assert db.scalar(select(func.count(SelectionMeeting.id))) == 0
    stood = client.post(url, data=form | {"present": "21", "csrf_token": csrf_token(client, url)},
                        follow_redirects=True).get_data(as_text=True)
    assert "推选会议已记录" in stood and f"{a.name}（12票）" in stood
    db.commit()
    assert [r.resident_id for r in db.scalars(select(Representative))] == [a.id]
    pdf = client.get(f"{base}/notice.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "居民代表名单公告" in text and a.name in text and "第1片区" in text


def test_street_admin_reads_but_cannot_record(app, db, world):
    election = _setup(db, world)
    area_svc.propose_areas(db, election, "x")
    db.commit()
    client = app.test_client()
    login(client, "a_street_admin")
    base = f"/elections/{election.id}/representatives"
    page = client.get(base).get_data(as_text=True)
    assert "第1片区" in page and "按户数划分推选片区" not in page
    assert client.post(f"{base}/propose", data={"csrf_token": csrf_token(client, base)}).status_code == 403
    assert client.get(f"/elections/{world['b']['election'].id}/representatives").status_code == 404


def test_committee_result_and_candidate_withdrawal_on_the_page(app, db, world):
    election = _setup(db, world)
    names = []
    for p in residents_of(db, election):
        if p.name not in names:
            names.append(p.name)
    names = names[:9]
    db.commit()
    client = app.test_client()
    login(client, "a_committee")
    url = f"/elections/{election.id}/election-committee"
    votes = "\n".join(f"{n} {90 - k}" for k, n in enumerate(names))
    page = client.post(url, data={"chosen_by": "residents_meeting", "size": "7", "votes": votes, "chair": names[0],
                                  "csrf_token": csrf_token(client, url)}, follow_redirects=True).get_data(as_text=True)
    assert "选举委员会推选结果已记录" in page and "未进入（候补）" in page
    db.commit()
    member = next(p for p in residents_of(db, election) if p.name == names[1])
    assert committee_svc.member_becomes_candidate(db, election, member.id, "nomination")
    db.commit()
    page = client.get(url).get_data(as_text=True)
    assert f"{names[1]}因被提名为候选人，退出选举委员会" in page
    assert f"{names[7]}按原推选结果得票（83票）依次递补为选举委员会成员" in page
    assert [e.kind for e in events_of(db, election)][-2:] == ["committee.member_withdrew", "committee.member_seated"]


def test_the_areas_forms_answer_and_go_back(app, db, world):
    """The method and the group areas' forms (feedback.post): saved and flashed, or the form's
    message shown with nothing stored, each back on the areas page; the roster's resign form
    goes back to the roster; the street office is refused (403) and nothing changes."""
    election = _setup(db, world)
    client = app.test_client()
    login(client, "a_committee")
    base = f"/elections/{election.id}/representatives"
    saved = client.post(f"{base}/method", data={"method": "groups", "csrf_token": csrf_token(client, base)})
    assert saved.status_code == 302 and saved.headers["Location"].endswith(base)
    assert "推选方式已保存" in client.get(base).get_data(as_text=True)
    blank = client.post(f"{base}/groups", data={"seats": "", "csrf_token": csrf_token(client, base)})
    assert blank.status_code == 302 and blank.headers["Location"].endswith(base)
    assert "请填写人数" in client.get(base).get_data(as_text=True)
    db.commit()
    assert db.scalar(select(func.count(RepArea.id)).where(RepArea.election_id == election.id)) == 0
    roster = f"{base}/list"
    gone = client.post(f"{base}/999999/resign", data={"r999999-reason": "x", "csrf_token": csrf_token(client, roster)})
    assert gone.status_code == 302 and gone.headers["Location"].endswith(roster)
    client = app.test_client()
    login(client, "a_street_admin")
    assert client.post(f"{base}/method", data={"method": "households",
                                               "csrf_token": csrf_token(client, base)}).status_code == 403
    db.commit()
    db.refresh(election)
    assert [e.kind for e in events_of(db, election)].count("representatives.method_set") == 1
