"""驳回 on the confirmation page: the street office refuses the 监督委员会 chair nominee, and the
committee records the community Party organisation refusing a member nominee (Jiangsu),
each with a required reason recorded as an event; a refused nominee blocks the list in
words until withdrawn."""
from __future__ import annotations

from sqlalchemy import select

from election.models import Candidate, ElectionEvent, Nomination
from election.nomination import service
from election.setup.service import change_rulebook
from tests.conftest import csrf_token, login

from .helpers import Roll, full_slate


def _client(app, username):
    client = app.test_client()
    login(client, username)
    return client


def test_street_office_rejects_the_chair_nominee_with_a_reason(app, db, world):
    election = world["a"]["election"]
    full_slate(db, election, Roll(db, election), confirm=False)
    db.commit()
    chair = db.scalar(select(Candidate).where(Candidate.post == "jdw_zhuren"))
    name = chair.resident.name
    street = _client(app, "a_street_admin")
    url = f"/elections/{election.id}/nomination/confirm"
    page = street.get(url).get_data(as_text=True)
    assert f"驳回 {name}" in page and "驳回理由（必填）" in page

    page = street.post(f"{url}/{chair.id}/reject", data={"csrf_token": csrf_token(street, url), "body": "街道纪工委",
                                                         "reason": " "}, follow_redirects=True).get_data(as_text=True)
    assert f"驳回{name}须填写驳回理由" in page
    db.rollback()
    assert db.scalar(select(ElectionEvent).where(ElectionEvent.kind == "nomination.chair_rejected")) is None

    reason = "本人配偶任居委会委员候选人"
    page = street.post(f"{url}/{chair.id}/reject", data={"csrf_token": csrf_token(street, url), "body": "街道纪工委",
                                                         "reason": reason}, follow_redirects=True).get_data(as_text=True)
    assert f"已被街道纪工委驳回：{reason}" in page and f"确认 {name}" not in page
    db.rollback()
    event = db.scalar(select(ElectionEvent).where(ElectionEvent.kind == "nomination.chair_rejected"))
    assert event.reason == reason and event.payload["by"] == "街道纪工委" and event.actor == "a_street_admin"
    nomination = db.scalar(select(Nomination).where(Nomination.candidate_id == chair.id))
    assert nomination.confirmed_by is None and nomination.rejected_reason == reason

    # Confirming afterwards is refused; the list names the refusal and what to do.
    again = street.post(f"{url}/{chair.id}", data={"csrf_token": csrf_token(street, url), "body": "街道党工委",
                                                   "note": "x"}, follow_redirects=True).get_data(as_text=True)
    assert f"{name}已被街道纪工委驳回，不能再审核确认" in again
    check = service.check_list(db, election)
    assert any(f"{name}已被街道纪工委驳回（{reason}），须登记其退出" in e for e in check.errors)
    committee = _client(app, "a_committee")
    assert committee.post(f"{url}/{chair.id}/reject", data={"csrf_token": csrf_token(committee, url),
                                                            "body": "街道纪工委", "reason": "x"}).status_code == 403


def test_committee_records_the_party_organisation_refusing_a_member(app, db, world):
    election = world["a"]["election"]
    change_rulebook(db, "a_committee", election, {"jdw_members_party_confirmed": True}, "江苏")
    full_slate(db, election, Roll(db, election))
    db.commit()
    member = db.scalar(select(Candidate).where(Candidate.post == "jdw_weiyuan"))
    committee = _client(app, "a_committee")
    url = f"/elections/{election.id}/nomination/confirm"
    reason = "未参加社区党组织考察"
    page = committee.post(f"{url}-member/{member.id}/reject", data={"csrf_token": csrf_token(committee, url),
                                                                    "reason": reason},
                          follow_redirects=True).get_data(as_text=True)
    assert f"已被社区党组织驳回：{reason}" in page
    db.rollback()
    event = db.scalar(select(ElectionEvent).where(ElectionEvent.kind == "nomination.member_rejected"))
    assert event.reason == reason
    assert any("已被社区党组织驳回" in e for e in service.check_list(db, election).errors)
