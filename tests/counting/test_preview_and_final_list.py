"""A truthful end: the committee previews a round's result before publishing (nothing is
written), the public result lists posts in order with who was 当选, and the 当选名单 across
rounds says the election is not complete until the run-off is published, then prints."""
from __future__ import annotations

import io

from pypdf import PdfReader
from sqlalchemy import func, select

from election.counting.result import publish_result
from election.counting.service import ballot_of, enter_scanned
from election.counting.summary import final_list
from election.models import ElectionEvent, RoundResult
from tests.conftest import DATA_KEY, login
from tests.counting.builder import board_as_counted

from .builder import add_round_papers, build, entry_fields


def test_preview_then_publish_then_final_list_across_rounds(app, db, world) -> None:
    election = world["a"]["election"]
    b = build(db, election, DATA_KEY, voters=12, papers=8, boxes=2)
    first = {"jwh_zhuren": {0: "1"}, "jwh_fu_zhuren": {0: "1"}, "jdw_zhuren": {0: "1"},
             "jdw_weiyuan": {0: "1", 1: "1"}, "jwh_weiyuan": {0: "1", 1: "1"}}  # 委员: 2 of 3 seats filled
    for i, scan in enumerate(b.scans):
        enter_scanned(db, election, b.boxes[i % 2].id, scan, entry_fields(b, first), "c")
    board_as_counted(db, election, 1)
    db.commit()
    client = app.test_client()
    login(client, "a_committee")
    events = db.scalar(select(func.count(ElectionEvent.id)))
    page = client.get(f"/elections/{election.id}/counting/1/preview").get_data(as_text=True)
    db.rollback()
    assert db.scalar(select(func.count(RoundResult.id))) == 0 and db.scalar(select(func.count(ElectionEvent.id))) == events
    order = [page.index(f'id="preview-{key}"') for key in ("jwh_zhuren", "jwh_fu_zhuren", "jwh_weiyuan", "jdw_zhuren", "jdw_weiyuan")]
    assert order == sorted(order)
    assert "当选" in page and "尚缺 1 名" in page and "须另行选举" in page and "公布第 1 轮结果" in page
    assert "公布第 1 轮结果" not in client.get(f"/elections/{election.id}/counting").get_data(as_text=True)

    assert client.post(f"/elections/{election.id}/counting/1/publish",
                       data={"csrf_token": _token(client, f"/elections/{election.id}/counting/1/preview")}).status_code == 302
    db.rollback()
    state = final_list(db, election)
    assert not state.complete and "另行选举" in state.pending
    assert len(state.rows) == 7  # 8 seats (居委会 1 + 1 + 3, 监委会 1 + 2), one 委员 seat unfilled
    listing = client.get(f"/elections/{election.id}/final-list").get_data(as_text=True)
    assert "选举尚未完成" in listing and "当选名单公告（PDF）" not in listing
    assert client.get(f"/elections/{election.id}/final-list.pdf").status_code == 302  # refused in words
    public = app.test_client().get(f"/e/{election.id}/result").get_data(as_text=True)
    assert "选举尚未完成" in public
    home = client.get(f"/elections/{election.id}").get_data(as_text=True)
    assert 'id="pending-rounds"' in home and "须另行选举" in home and "全部阶段已完成" not in home

    # Round 2, the run-off for the 委员 seat, published: now the list is complete.
    ballot = ballot_of(db, election, 2)
    scans = add_round_papers(db, election, b, 2, 8)
    for i, scan in enumerate(scans):
        fields = {f"m-jwh_weiyuan-{c.id}": ("1" if pos == 0 else "0") for pos, c in enumerate(ballot.posts[0][1])}
        enter_scanned(db, election, b.boxes[i % 2].id, scan, fields, "c")
    board_as_counted(db, election, 2)
    publish_result(db, election, 2, "a_committee")
    db.commit()
    state = final_list(db, election)
    assert state.complete and len(state.rows) == 8
    assert 'id="pending-rounds"' not in client.get(f"/elections/{election.id}").get_data(as_text=True)
    assert [(body, post) for body, post, *_rest in state.rows] == [
        ("居民委员会", "主任"), ("居民委员会", "副主任"), ("居民委员会", "委员"), ("居民委员会", "委员"), ("居民委员会", "委员"),
        ("居务监督委员会", "主任"), ("居务监督委员会", "委员"), ("居务监督委员会", "委员")]
    assert [r[4] for r in state.rows if r[1] == "委员" and r[0] == "居民委员会"] == [1, 1, 2]  # the run-off's member last
    pdf = client.get(f"/elections/{election.id}/final-list.pdf")
    assert pdf.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "当选名单公告" in text and all(name in text for _b, _p, name, _v, _n in state.rows)
    assert text.index("居民委员会") < text.index("居务监督委员会")


def test_public_result_lists_posts_in_order_and_marks_elected(app, db, world) -> None:
    from election.publication.published import publish_bundle

    election = world["a"]["election"]
    b = build(db, election, DATA_KEY, voters=12, papers=8, boxes=2)
    marks = {"jwh_zhuren": {0: "1"}, "jwh_fu_zhuren": {0: "1"}, "jdw_zhuren": {0: "1"},
             "jdw_weiyuan": {0: "1", 1: "1"}, "jwh_weiyuan": {0: "1", 1: "1", 2: "1"}}
    for i, scan in enumerate(b.scans):
        enter_scanned(db, election, b.boxes[i % 2].id, scan, entry_fields(b, marks), "c")
    board_as_counted(db, election, 1)
    row = publish_result(db, election, 1, "a_committee")
    publish_bundle(db, election, DATA_KEY, "a_committee", app.instance_path)
    db.commit()
    page = app.test_client().get(f"/e/{election.id}/result").get_data(as_text=True)
    titles = ["居民委员会主任", "居民委员会副主任", "居民委员会委员", "居务监督委员会主任", "居务监督委员会委员"]
    positions = [page.index(f"<h3>{t}</h3>") for t in titles]
    assert positions == sorted(positions)
    elected = sum(len(p["elected"]) for p in row.result["posts"].values())
    assert page.count("<strong class=\"good\">当选</strong>") == elected


def _token(client, url: str) -> str:
    from tests.conftest import csrf_token

    return csrf_token(client, url)
