"""The objection form chooses the person concerned as every page does: by voter number or
name (never the register's internal id); same-name people are listed to tell apart; a
resident left off the roll is found by name."""
from __future__ import annotations

import re

from sqlalchemy import select

from election import clock
from election.models import Objection
from election.roll.publication import publish_roll
from tests.conftest import login
from tests.factories import Roll


def _token(client, url):
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


def test_objection_names_the_person_by_number_or_name(app, db, world):
    election = world["a"]["election"]
    roll = Roll(db, election)
    first = roll.add("张伟")
    roll.add("王芳", "女")
    roll.add("刘洋")
    roll.add("刘洋")
    left_off = roll.add("赵敏", "女", voter=False)
    publish_roll(db, election, clock.today(), "c")
    db.commit()
    client = app.test_client()
    login(client, "a_committee")
    url = f"/elections/{election.id}/roll/objections"
    page = client.get(url).get_data(as_text=True)
    assert "涉及的居民（选民编号或姓名，可不填）" in page and "居民编号" not in page

    def post(about: str) -> str:
        return client.post(url, data={"csrf_token": _token(client, url), "objector": "王强", "resident": about,
                                      "text": "应当更正", "filed_on": clock.today().isoformat()},
                           follow_redirects=True).get_data(as_text=True)

    assert "申诉已登记" in post(str(first.voter_number))
    assert "申诉已登记" in post("赵敏")
    same = post("刘洋")
    assert "“刘洋”有 2 位同名居民" in same and "请改填其选民编号" in same
    assert "不在本次选举的居民名册中" in post("无此人")
    assert "申诉已登记" in post("")
    db.rollback()
    about = [o.resident_id for o in db.scalars(select(Objection).order_by(Objection.id))]
    assert about == [first.id, left_off.id, None]
