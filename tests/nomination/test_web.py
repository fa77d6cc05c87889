"""The nomination pages over HTTP: roles, forms, refusals shown, the notice PDF served."""
from __future__ import annotations

import io
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import select

from election.models import Candidate, Nomination
from election.nomination import service
from tests.conftest import csrf_token, login
from tests.factories import Roll
from tests.nomination.helpers import SLATE, full_slate


def _client(app, username):
    client = app.test_client()
    login(client, username)
    return client


def test_committee_adds_a_joint_nomination_through_the_form(app, db, world):
    election = world["a"]["election"]
    roll = Roll(db, election)
    nominee = roll.add("张晓红", "女")
    signers = roll.many([f"签名{i}" for i in range(10)])
    db.commit()
    client = _client(app, "a_committee")
    url = f"/elections/{election.id}/nomination/new"
    response = client.post(url, data={
        "csrf_token": csrf_token(client, url), "post": "jwh_weiyuan", "nominee": "张晓红", "channel": "joint",
        "evidence": "联名推荐书第3号", "signers": "\n".join(str(s.voter_number) for s in signers[:9]),
    }, follow_redirects=True)
    assert "有效联名人9人，少于10人" in response.get_data(as_text=True)
    assert db.scalar(select(Candidate.id)) is None
    response = client.post(url, data={
        "csrf_token": csrf_token(client, url), "post": "jwh_weiyuan", "nominee": str(nominee.voter_number),
        "channel": "joint", "evidence": "联名推荐书第3号", "education": "本科", "current_job": "楼组长",
        "signers": "\n".join(s.name for s in signers),
    }, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "已登记提名：张晓红" in page and "联名 10 人" in page
    db.rollback()  # end the read snapshot: the app wrote in its own session
    candidate = db.scalar(select(Candidate))
    assert (candidate.post, candidate.education, candidate.current_job) == ("jwh_weiyuan", "本科", "楼组长")


def test_street_admin_reads_and_confirms_but_cannot_nominate(app, db, world):
    election = world["a"]["election"]
    full_slate(db, election, Roll(db, election), confirm=False)
    db.commit()
    street = _client(app, "a_street_admin")
    assert street.get(f"/elections/{election.id}/nomination").status_code == 200
    assert street.get(f"/elections/{election.id}/nomination/new").status_code == 403
    chair = db.scalar(select(Candidate).where(Candidate.post == "jdw_zhuren"))
    url = f"/elections/{election.id}/nomination/confirm"
    response = street.post(f"{url}/{chair.id}", data={
        "csrf_token": csrf_token(street, url), "body": "街道党工委", "note": "街党工委〔2026〕9号"}, follow_redirects=True)
    assert "已经街道党工委审核确认" in response.get_data(as_text=True)
    db.rollback()
    assert db.scalar(select(Nomination.confirmed_by).where(Nomination.candidate_id == chair.id)) == "街道党工委"
    committee = _client(app, "a_committee")
    assert committee.post(f"{url}/{chair.id}", data={"csrf_token": csrf_token(committee, url), "body": "街道党工委", "note": "x"}).status_code == 403
    # Another community's street admin sees nothing of it.
    assert _client(app, "b_street_admin").get(f"/elections/{election.id}/nomination").status_code == 404


def test_publish_page_refuses_then_publishes_and_serves_the_pdf(app, db, world):
    election = world["a"]["election"]
    full_slate(db, election, Roll(db, election))
    db.commit()
    client = _client(app, "a_committee")
    url = f"/elections/{election.id}/nomination/publish"
    late = election.election_day - timedelta(days=1)
    page = client.post(url, data={"csrf_token": csrf_token(client, url), "published_on": late.isoformat()},
                       follow_redirects=True).get_data(as_text=True)
    assert f"公布日期 {late}" in page and "至少 5 天公布" in page
    assert service.latest_publication(db, election) is None
    db.rollback()
    day = election.election_day - timedelta(days=10)
    page = client.post(url, data={"csrf_token": csrf_token(client, url), "published_on": day.isoformat()},
                       follow_redirects=True).get_data(as_text=True)
    assert "正式候选人名单已公布" in page
    pdf = client.get(f"/elections/{election.id}/nomination/notice.pdf")
    assert pdf.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert all(name in text for names in SLATE.values() for name in names)


def test_primary_page_records_votes(app, db, world):
    election = world["a"]["election"]
    roll = Roll(db, election)
    full_slate(db, election, roll)
    for n in ("冯一", "陈二", "褚三"):
        service.nominate(db, election, "c", "jwh_weiyuan", str(roll.add(n).voter_number), "self", "自荐书")
    db.commit()
    nominees = service.candidates_of(db, election, "jwh_weiyuan")
    client = _client(app, "a_committee")
    url = f"/elections/{election.id}/nomination/primary/jwh_weiyuan"
    data = {"csrf_token": csrf_token(client, url)}
    data.update({f"vote-{c.id}": str(v) for c, v in zip(nominees, (9, 8, 7, 6, 5, 4, 3))})
    page = client.post(url, data=data, follow_redirects=True).get_data(as_text=True)
    assert "按得票多少确定前6名为正式候选人" in page
    db.rollback()
    assert nominees[6].status == "not_selected"
    assert client.get(f"/elections/{election.id}/nomination/primary/nope").status_code == 404
