"""The POST pages of a meeting (web/meetings.py) and of a recall (web/between.py) through the
app: each records through its one service, flashes what it did (naming the person or the
decision's message) or each refusal, and goes back to the meeting's or the recall's page; the
street office reads but may not post; a PDF the service refuses sends back to the page with
the refusal. The same test passes on the code before the views were made to share their
helpers (web/feedback.post, web/files.pdf_or_back)."""
from __future__ import annotations

import re
from datetime import datetime, time
from html import unescape

from election import clock
from election.ledger.events import events_of
from election.models import Election, MeetingDecision, Recall
from election.recall import service as recalls
from tests.conftest import DATA_KEY, csrf_token, login
from tests.counting.builder import published
from tests.meetings.test_meetings_service import _reps_meeting, _voters

FLASH = re.compile(r'class="flash[^"]*\b(info|error)\b[^"]*"[^>]*>(.*?)</', re.S)


def _flashes(html: str) -> list[tuple[str, str]]:
    return [(kind, unescape(re.sub(r"<[^>]+>", "", text)).strip()) for kind, text in FLASH.findall(html)]


def _post(client, url: str, page: str, data: dict) -> list[tuple[str, str]]:
    """POST ``data`` with the page's CSRF token; the answer must go back to ``page``; the
    flashes it shows there."""
    answer = client.post(url, data={**data, "csrf_token": csrf_token(client, page)})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(page), (answer.status_code, answer.headers)
    return _flashes(client.get(page).get_data(as_text=True))


def test_the_door_decisions_and_close_of_a_meeting(app, db, world) -> None:
    election = world["a"]["election"]
    voters = _voters(db, election)
    m, day = _reps_meeting(db, election, voters[:6])
    db.commit()
    clock.pin(datetime.combine(day, time(9, 0), tzinfo=clock.zone()))
    base = f"/elections/{election.id}/meetings/{m.id}"
    client = app.test_client()
    login(client, "a_committee")

    assert _post(client, base + "/attend", base, {"entry": voters[0].card_code}) == [
        ("info", f"{voters[0].name} 已登记到会。")]
    assert _post(client, base + "/attend", base, {"entry": voters[0].card_code}) == [
        ("error", f"居民代表会议：{voters[0].name}已登记到会，不重复计算")]
    assert _post(client, base + "/attend", base, {"entry": ""}) == [
        ("error", "扫描选民证，或填写选民编号、姓名：请扫描选民证或填写姓名")]
    for v in voters[1:4]:
        _post(client, base + "/attend", base, {"entry": str(v.voter_number)})
    assert _post(client, base + "/leave", base, {"leaving": voters[1].name}) == [("info", f"{voters[1].name} 已登记离场。")]
    assert _post(client, base + "/leave", base, {"leaving": voters[1].name}) == [
        ("error", f"居民代表会议：{voters[1].name}已登记离场")]
    refused = _post(client, base + "/decide", base, {"motion": "同意", "in_favour": 3, "against": 0, "abstain": 0})
    assert [k for k, _ in refused] == ["error"] and "不足法定人数" in refused[0][1]
    _post(client, base + "/attend", base, {"entry": voters[1].card_code})
    decided = _post(client, base + "/decide", base, {"motion": "同意", "in_favour": 3, "against": 1, "abstain": 0})
    db.rollback()  # a new snapshot: the app's sessions wrote since
    row = db.query(MeetingDecision).filter_by(meeting_id=m.id).one()
    assert decided == [("info", row.message)] and (row.present, row.in_favour) == (4, 3)
    assert _post(client, base + "/close", base, {}) == [("info", "会议已闭会。")]
    db.rollback()
    kinds = [e.kind for e in events_of(db, election)]
    assert kinds.count("meeting.attendee_left") == 1 and kinds[-1] == "meeting.closed"

    # The street office reads the meeting and its papers but may not record at the door.
    office = app.test_client()
    login(office, "a_street_admin")
    token = csrf_token(office, base)
    assert office.post(base + "/attend", data={"entry": voters[5].card_code, "csrf_token": token}).status_code == 403
    assert office.get(base + "/minutes.pdf").data.startswith(b"%PDF")


def test_a_motion_on_paper_is_called_from_the_meeting_page(app, db, world) -> None:
    election = world["a"]["election"]
    b = published(db, election, DATA_KEY, voters=20, papers=12)
    people = b.residents[:6]
    m, day = _reps_meeting(db, election, people)
    db.commit()
    clock.pin(datetime.combine(day, time(9, 0), tzinfo=clock.zone()))
    base = f"/elections/{election.id}/meetings/{m.id}"
    client = app.test_client()
    login(client, "a_committee")
    assert _post(client, base + "/paper-vote", base, {"paper_motion": "同意改建车棚"})[0][0] == "error"  # no quorum
    for p in people[:4]:
        _post(client, base + "/attend", base, {"entry": str(p.voter_number)})
    assert _post(client, base + "/paper-vote", base, {"paper_motion": "同意改建车棚"}) == [
        ("info", "已决定以表决票表决：请印制表决票，向到会人员发放，投票后计票。")]
    refused = _post(client, base + "/paper-vote/2/publish", base, {})
    assert [k for k, _ in refused] == ["error"] * len(refused) and refused


def test_recall_pages_record_and_refuse(app, db, world) -> None:
    election = world["a"]["election"]
    b = published(db, election, DATA_KEY, voters=20, papers=12)
    key = f"jwh_fu_zhuren:{b.candidates['jwh_fu_zhuren'][0].resident_id}"
    row = recalls.propose(db, election, key, "不履行职责", "voters",
                          "\n".join(str(r.voter_number) for r in b.residents[10:14]), "a_committee")
    db.commit()
    page = f"/elections/{election.id}/recalls/{row.id}"
    client = app.test_client()
    login(client, "a_committee")
    assert _post(client, page + "/defence", page, {"defence": "我已履职"}) == [("info", "申辩意见已记录。")]
    assert _post(client, page + "/defence", page, {"defence": ""}) == [("error", "被罢免人的申辩意见：请填写申辩意见")]
    assert _post(client, page + "/publish", page, {})[0][0] == "error"  # nothing voted on paper
    held = clock.today().isoformat()
    assert _post(client, page + "/vote", page, {"voted_on": held, "voted": 12, "in_favour": 7}) == [
        ("info", "罢免投票结果已记录。")]
    db.rollback()
    db.expire_all()
    assert db.get(Recall, row.id).status == "carried"
    assert client.get(page + "/result.pdf").data.startswith(b"%PDF")
    other = recalls.propose(db, election, f"jwh_weiyuan:{b.candidates['jwh_weiyuan'][0].resident_id}", "不履行职责",
                            "voters", "\n".join(str(r.voter_number) for r in b.residents[10:14]), "a_committee")
    db.commit()
    page = f"/elections/{election.id}/recalls/{other.id}"
    answer = client.get(page + "/result.pdf")  # no result yet: back to the page with the refusal
    assert answer.status_code == 302 and answer.headers["Location"].endswith(page)
    assert [k for k, _ in _flashes(client.get(page).get_data(as_text=True))] == ["error"]
    assert db.get(Election, election.id) is not None
