"""The hand tally board through its page: 赞成, 反对 and 弃权 per candidate (a write-in has
赞成 only), each column checked against the entered records; rows of one post that do not
add up to the same number of papers are refused; the event carries the three columns."""
from __future__ import annotations

import re

from sqlalchemy import select

from election.counting.result import blockers, running_tally
from election.counting.service import enter_scanned
from election.models import ElectionEvent, TallyBoard
from tests.conftest import DATA_KEY, login

from .builder import build, entry_fields

# 8 papers: 主任's first candidate 赞成 on 5, 反对 on 2, blank on 1; the second 赞成 on 2.
MARKS = [{"jwh_zhuren": {0: "1", 1: "2"}}] * 2 + [{"jwh_zhuren": {0: "1"}}] * 3 + \
        [{"jwh_zhuren": {0: "2", 1: "1"}}] * 2 + [{}]


def _token(client, url: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


def _counted(db, world):
    election = world["a"]["election"]
    b = build(db, election, DATA_KEY, voters=12, papers=8, boxes=2)
    for i, scan in enumerate(b.scans):
        enter_scanned(db, election, b.boxes[i % 2].id, scan, entry_fields(b, MARKS[i]), "c")
    db.commit()
    return election, b


def _form(db, election, client, url, change=None):
    """Every cell of the board as the records say, then ``change`` {field name: value}."""
    data = {"csrf_token": _token(client, url)}
    for post in running_tally(db, election, 1)["posts"]:
        for r in post["rows"]:
            data[f"b-{post['key']}-{r['person']}"] = str(r["votes"])
            if not r["write_in"]:
                data[f"o-{post['key']}-{r['person']}"] = str(r["opposed"])
                data[f"a-{post['key']}-{r['person']}"] = str(r["abstained"])
    data.update(change or {})
    return data


def test_board_with_for_against_abstain(app, db, world) -> None:
    election, b = _counted(db, world)
    first, second = (str(c.resident_id) for c in b.candidates["jwh_zhuren"])
    running = {r["person"]: r for r in running_tally(db, election, 1)["posts"][0]["rows"]}
    assert (running[first]["votes"], running[first]["opposed"], running[first]["abstained"]) == (5, 2, 1)
    assert (running[second]["votes"], running[second]["opposed"], running[second]["abstained"]) == (2, 2, 4)

    client = app.test_client()
    login(client, "a_scrutineer")
    url = f"/elections/{election.id}/counting/1/board"
    page = client.get(url).get_data(as_text=True)
    assert all(f'name="{p}-jwh_zhuren-{first}"' in page for p in ("b", "o", "a"))
    assert "打印计票单（PDF）" in page

    # A row that does not add up with the others of its post is refused, nothing stored.
    bad = client.post(url, data=_form(db, election, client, url, {f"o-jwh_zhuren-{first}": "3"}), follow_redirects=True)
    assert "每位候选人的赞成、反对、弃权之和都应等于本职位有效票数" in bad.get_data(as_text=True)
    half = client.post(url, data=_form(db, election, client, url, {f"a-jwh_zhuren-{first}": ""}), follow_redirects=True)
    assert "反对和弃权须同时填写" in half.get_data(as_text=True)
    db.rollback()
    assert db.scalar(select(TallyBoard)) is None

    # 反对 and 弃权 swapped for the first candidate: the sums agree, the columns do not.
    swapped = {f"o-jwh_zhuren-{first}": "1", f"a-jwh_zhuren-{first}": "2"}
    assert client.post(url, data=_form(db, election, client, url, swapped)).status_code == 302
    db.rollback()
    db.expire_all()
    assert db.scalar(select(TallyBoard)).against["jwh_zhuren"][first] == [1, 2]
    assert "计票板合计与录入记录不一致，且未说明原因" in blockers(db, election, 1)
    overview = client.get(f"/elections/{election.id}/counting").get_data(as_text=True)
    table = overview.split('class="data board-diff"')[1].split("</table>")[0]
    assert "反对" in table and "弃权" in table and "赞成" not in table

    # Entered as counted: no difference is left.
    assert client.post(url, data=_form(db, election, client, url)).status_code == 302
    db.rollback()
    db.expire_all()
    assert "计票板合计与录入记录不一致，且未说明原因" not in blockers(db, election, 1)
    event = db.scalars(select(ElectionEvent).where(ElectionEvent.kind == "counting.tally_board_entered")
                       .order_by(ElectionEvent.seq.desc())).first()
    assert event.payload["against"]["jwh_zhuren"][first] == [2, 1]
    assert event.payload["totals"]["jwh_zhuren"][first] == 5
