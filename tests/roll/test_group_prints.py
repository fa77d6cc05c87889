"""Per-group prints and one voter's card: the roll notice and the cards of one 居民小组 hold
that group's voters only; groups come in their numeral order (第一, 第二, 第三, …, 第十);
one voter's card is reprinted from the resident's page; freezing inside the objection
window needs a confirmation."""
from __future__ import annotations

import io
from datetime import date

from pypdf import PdfReader
from sqlalchemy import select

from election import clock
from election.models import Resident
from election.roll.groups import sorted_groups
from tests.conftest import csrf_token, finish_job, login
from tests.factories import make_id

from .helpers import csv_bytes, row

PEOPLE = [("张伟", "第三居民小组"), ("李娜", "第一居民小组"), ("王强", "第十居民小组"), ("赵敏", "第二居民小组")]


def _text(pdf: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def _job_pdf(client, url: str, data: dict) -> bytes:
    response = client.post(url, data=data)
    page = finish_job(client, response)
    assert 'data-state="ready"' in page, page
    return client.get(response.headers["Location"] + "/download").data


def test_groups_in_numeral_order() -> None:
    assert sorted_groups(["第十一居民小组", "第三居民小组", "第一居民小组", "第十居民小组", "第二居民小组"]) == [
        "第一居民小组", "第二居民小组", "第三居民小组", "第十居民小组", "第十一居民小组"]


def test_one_group_notice_and_cards_and_one_card(app, db, world) -> None:
    election = world["a"]["election"]
    base = f"/elections/{election.id}/roll"
    client = app.test_client()
    login(client, "a_committee")
    rows = [row(name, make_id(date(1960 + i, 1, 2), male=i % 2 == 0, seq=20 + i), sex="男" if i % 2 == 0 else "女",
                household=f"{i + 1:04d}", group=group) for i, (name, group) in enumerate(PEOPLE)]
    token = csrf_token(client, f"{base}/import")
    assert "已导入 4 名居民" in finish_job(client, client.post(
        f"{base}/import", data={"csrf_token": token, "file": (io.BytesIO(csv_bytes(rows)), "r.csv")},
        content_type="multipart/form-data"))
    client.post(f"{base}/publication", data={"csrf_token": csrf_token(client, f"{base}/publication"),
                                             "published_on": clock.today().isoformat()})
    token = csrf_token(client, f"{base}/publication")
    whole = _text(_job_pdf(client, f"{base}/notice", {"n-csrf_token": token}))
    assert [whole.index(g) for g in ("第一居民小组", "第二居民小组", "第三居民小组", "第十居民小组")] == sorted(
        whole.index(g) for g in ("第一居民小组", "第二居民小组", "第三居民小组", "第十居民小组"))
    one = _text(_job_pdf(client, f"{base}/notice", {"n-csrf_token": token, "group": "第二居民小组"}))
    assert "赵敏" in one and not any(name in one for name, _ in PEOPLE if name != "赵敏")
    assert "第二居民小组选民共1人" in one

    client.post(f"{base}/cards/assign", data={"a-csrf_token": csrf_token(client, f"{base}/cards")})
    # Pressed again: nobody waits for a number, and the page says so (it said "已为 0 名").
    again = client.post(f"{base}/cards/assign", data={"a-csrf_token": csrf_token(client, f"{base}/cards")},
                        follow_redirects=True).get_data(as_text=True)
    assert "每名选民都已有选民编号和选民证码" in again and "已为 0 名" not in again
    db.rollback()
    numbered = sorted(db.scalars(select(Resident).where(Resident.election_id == election.id)), key=lambda r: r.voter_number)
    assert [r.group_name for r in numbered] == ["第一居民小组", "第二居民小组", "第三居民小组", "第十居民小组"]
    cards = _text(_job_pdf(client, f"{base}/cards", {"csrf_token": csrf_token(client, f"{base}/cards"),
                                                     "group": "第三居民小组", "stations": ""}))
    assert "张伟" in cards and "李娜" not in cards and "赵敏" not in cards
    assert "第一投票站" in cards  # no station yet: the default name
    wang = next(r for r in numbered if r.name == "王强")
    assert "打印此选民的选民证" in client.get(f"{base}/residents/{wang.id}").get_data(as_text=True)
    single = client.get(f"{base}/residents/{wang.id}/card.pdf")
    assert single.status_code == 200 and single.mimetype == "application/pdf"
    text = _text(single.data)
    assert "王强" in text and "张伟" not in text

    # Published today: the objection window is open, so freezing asks for a confirmation.
    page = client.get(f"{base}/publication").get_data(as_text=True)
    assert 'id="window-warning"' in page
    token = csrf_token(client, f"{base}/publication")
    page = client.post(f"{base}/freeze", data={"f-csrf_token": token, "f-reason": ""}, follow_redirects=True).get_data(as_text=True)
    assert "确需现在冻结" in page
    db.rollback()
    assert db.get(type(election), election.id).roll_frozen_at is None
    client.post(f"{base}/freeze", data={"f-csrf_token": token, "f-reason": "申诉已处理完毕", "f-early": "y"})
    db.rollback()
    assert db.get(type(election), election.id).roll_frozen_at is not None
    # One fixed station (and a mobile box): a group no line assigns gets its name on the card.
    from election.polling.stations import create_station

    create_station(db, election, "t", "社区活动中心投票站", desks=1, boxes=1)
    create_station(db, election, "t", "流动票箱一", mobile=True, scrutineers=["甲", "乙", "丙"])
    db.commit()
    assert "默认投票站（本选举只有一个固定投票站时为它）：社区活动中心投票站" in client.get(f"{base}/cards").get_data(as_text=True)
    cards = _text(_job_pdf(client, f"{base}/cards", {"csrf_token": csrf_token(client, f"{base}/cards"),
                                                     "group": "第三居民小组", "stations": ""}))
    assert "社区活动中心投票站" in cards and "第一投票站" not in cards
