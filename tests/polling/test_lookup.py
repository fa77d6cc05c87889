"""Choosing a voter by what the committee has at hand: the voter number or the name, as well
as a scan of the card. Same-name voters are listed with group, birth year and ID tail;
the desk shows the same and its scan field is empty after every answer."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from election import clock
from election.models import MobileBoxVoter, Proxy
from tests.conftest import csrf_token, login


def test_proxy_and_mobile_voter_by_number_or_name(app, db, poll) -> None:
    election = poll["election"]
    voters = poll["voters"]  # 0..19 are candidates, who may not hold a proxy
    twin = voters[25]
    twin.name, twin.birth_date = voters[24].name, date(1956, 3, 1)  # two voters of one name
    db.commit()
    client = app.test_client()
    login(client, "a_committee")
    url = f"/elections/{election.id}/polling/proxies"
    signed = (election.election_day - timedelta(days=10)).isoformat()
    token = csrf_token(client, url)
    page = client.post(url, data={"csrf_token": token, "voter": f"{voters[21].voter_number}", "holder": voters[22].name,
                                  "signed_on": signed}, follow_redirects=True).get_data(as_text=True)
    assert "委托投票已批准" in page, page[page.find("flashes"):page.find("flashes") + 600]
    db.rollback()
    proxy = db.scalar(select(Proxy).where(Proxy.election_id == election.id))
    assert (proxy.voter_id, proxy.holder_id) == (voters[21].id, voters[22].id)

    page = client.post(url, data={"csrf_token": token, "voter": voters[24].name, "holder": voters[23].name,
                                  "signed_on": signed}, follow_redirects=True).get_data(as_text=True)
    assert "有 2 位同名选民" in page and "1956年生" in page and "请改填其选民编号" in page
    assert "不在选民名单中" not in page
    page = client.post(url, data={"csrf_token": token, "voter": "查无此人", "holder": voters[23].name,
                                  "signed_on": signed}, follow_redirects=True).get_data(as_text=True)
    assert "“查无此人”不在本次选举的选民名单中" in page

    boxes = [b for b in poll["station"].boxes]
    from election.polling.stations import create_station

    mobile = create_station(db, election, "a_committee", "流动票箱", mobile=True, scrutineers=["甲", "乙", "丙"]).boxes[0]
    db.commit()
    client.post(f"/elections/{election.id}/polling/mobile-voters", data={
        "csrf_token": token, "box_id": str(mobile.id), "voter": f"{voters[27].voter_number:05d}", "reason": "年老"})
    db.rollback()
    registered = db.scalar(select(MobileBoxVoter).where(MobileBoxVoter.election_id == election.id))
    assert registered.voter_id == voters[27].id and boxes


def test_desk_clears_the_scan_field_and_tells_same_names_apart(app, db, poll) -> None:
    election = poll["election"]
    voter = poll["voters"][3]
    desk = poll["desks"][0]
    election.roll_frozen_at = clock.now()
    db.commit()
    client = app.test_client()
    login(client, "a_clerk")
    page = client.get(f"/elections/{election.id}/polling/desks/{desk.id}?scan={voter.card_code}").get_data(as_text=True)
    assert f'id="voter-{voter.id}"' in page
    assert 'name="scan" value=""' in page and voter.card_code not in page.split('id="scan"')[1].split(">")[0]
    assert f"{voter.birth_date.year}年生" in page and f'<span class="id-tail">{voter.id_masked}</span>' in page
    refused = client.get(f"/elections/{election.id}/polling/desks/{desk.id}?scan=NOSUCHCODE").get_data(as_text=True)
    assert 'name="scan" value=""' in refused
