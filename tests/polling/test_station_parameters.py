"""Rulebook parameters of the station set-up, each changed to show the difference it makes:
secret_booth_required ([V art.15] [P:SH]: a 秘密写票处 at every station) and
mobile_box_scrutineers ([P:BJ, ZJ]: at least 3 scrutineers with each mobile box); the page
records the booths."""
from __future__ import annotations

import pytest

from election.errors import UserError
from election.polling.stations import create_station
from election.rules.rulebook import Rulebook
from tests.conftest import csrf_token, login


def _rulebook(db, election, **changes) -> None:
    election.rulebook = Rulebook().with_changes(**changes).to_dict()
    db.commit()


@pytest.mark.parametrize("required", [True, False])
def test_a_station_without_a_secret_booth(db, world, required):
    election = world["a"]["election"]
    _rulebook(db, election, secret_booth_required=required)
    if required:
        with pytest.raises(UserError, match="投票站“第一投票站”须设立秘密写票处.*至少 1 处"):
            create_station(db, election, "t", "第一投票站", booths=0)
        db.rollback()
    else:
        assert create_station(db, election, "t", "第一投票站", booths=0).booths == 0
    assert create_station(db, election, "t", "第二投票站", booths=2).booths == 2


@pytest.mark.parametrize("need", [3, 2])
def test_scrutineers_with_a_mobile_box(db, world, need):
    election = world["a"]["election"]
    _rulebook(db, election, mobile_box_scrutineers=need)
    two = ["甲", "乙"]
    if need == 3:
        with pytest.raises(UserError, match="至少 3 名监票人员"):
            create_station(db, election, "t", "流动票箱一", mobile=True, scrutineers=two)
    else:
        assert create_station(db, election, "t", "流动票箱一", mobile=True, scrutineers=two).mobile


def test_the_page_records_the_booths(app, db, world):
    election = world["a"]["election"]
    client = app.test_client()
    login(client, "a_committee")
    url = f"/elections/{election.id}/polling"
    token = csrf_token(client, url)
    refused = client.post(f"{url}/stations", data={"csrf_token": token, "name": "一站", "desks": "1", "boxes": "1",
                                                   "booths": "0", "mobile": "0"}, follow_redirects=True)
    assert "须设立秘密写票处" in refused.get_data(as_text=True)
    page = client.post(f"{url}/stations", data={"csrf_token": token, "name": "一站", "desks": "1", "boxes": "1",
                                                "booths": "3", "mobile": "0"}, follow_redirects=True).get_data(as_text=True)
    assert "秘密写票处 3 处" in page


def test_a_mobile_box_is_named_by_its_station_once(db, world):
    """The demo's mobile station 流动票箱一 showed its box as "流动票箱一流动票箱" on the polling,
    proxies and reconcile pages; a station named otherwise still says what its box is."""
    election = world["a"]["election"]
    crew = ["甲", "乙", "丙"]
    assert create_station(db, election, "t", "流动票箱一", mobile=True, scrutineers=crew).boxes[0].label == "流动票箱一"
    assert create_station(db, election, "t", "东区", mobile=True, scrutineers=crew).boxes[0].label == "东区流动票箱"
    assert [b.label for b in create_station(db, election, "t", "第一投票站", boxes=2).boxes] == ["第一投票站1号票箱", "第一投票站2号票箱"]
