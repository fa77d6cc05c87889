"""The round after a published result, voted through the services (tests/counting/voting.py):
what `publish_result` stores in the new Round.posts for each combination of RULES.md
"Winning" (tie at the last seat, run-off, woman member), and that the round it makes
prints and counts. 24 of 40 voters vote in each round: a majority needs 13 votes, a run-off
at least ceil(24/3) = 8.

Round-1 candidates (tests/polling/helpers.add_candidates, seats + 1 per post; voter i is a
woman when i is odd): 主任 p0 男 p1 女; 副主任 p2 男 p3 女; 委员 p4 男 p5 女 p6 男 p7 女
(3 seats); 监督委员会主任 p8 p9; 监督委员会委员 p10 p11 p12.
"""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from election.errors import UserError
from election.models import Candidate, ElectionEvent, Round
from election.nomination import round_candidates
from election.nomination.service import ballot_key
from election.polling import deposit, printing
from election.publication.bundle import export_bundle
from election.rounds import current_round
from tests.conftest import DATA_KEY
from tests.polling.helpers import print_capturing
from tools.verify import run

from .voting import Election2, setup, vote_round

JDW = {"jdw_zhuren": [0], "jdw_weiyuan": [0, 1]}


def _people(db, w: Election2, rnd: Round, post: str) -> list[int]:
    """The round's candidates on a post as indexes into the voters list (p0, p1, ...), sorted;
    on the paper they stand in 姓氏笔画 order (RULES.md "ballot order"), as in round 1."""
    rows = [db.get(Candidate, c) for c in rnd.posts[post]["candidates"]]
    assert rows == sorted(rows, key=ballot_key)
    index = {v.id: i for i, v in enumerate(w.voters)}
    return sorted(index[c.resident_id] for c in rows)


def _on_paper(db, w: Election2, rnd: Round, post: str) -> list[int]:
    """The candidates of a post in paper order, as indexes into the voters list."""
    index = {v.id: i for i, v in enumerate(w.voters)}
    return [index[db.get(Candidate, c).resident_id] for c in rnd.posts[post]["candidates"]]


def _round(db, w: Election2, number: int) -> Round | None:
    return db.scalar(select(Round).where(Round.election_id == w.election.id, Round.number == number))


def _paper_text(db, w: Election2, number: int, monkeypatch) -> str:
    """One paper of the round printed and read back; it is voided so the round reconciles."""
    pdf = io.BytesIO()
    (stub, body), = print_capturing(db, w.election, 1, monkeypatch, round_number=number, out=pdf)
    deposit.void_unused(db, w.election, stub, body)
    db.commit()
    return PdfReader(io.BytesIO(pdf.getvalue())).pages[0].extract_text().replace("\n", "")


def test_woman_seat_and_general_runoff_on_one_post(db, world, monkeypatch):
    """Rule: run-off for unfilled seats (seats + 1 candidates) and woman member variant A
    (定位选举). 委员: p4 24 votes elected; p6 8, p5 6, p7 4 are below 13, so 2 seats are
    unfilled. No woman is elected to the 居委会 (p0, p2, p4 are men), so one of the two is
    the woman's reserved seat: general 1 seat, candidates p6 and p5 (1 + 1, by votes);
    woman's seat 1, women p5 and p7. One section: 2 seats, 1 reserved, p5 p6 p7."""
    w = setup(db, world["a"]["election"])

    def first(i: int) -> dict[str, list[int]]:
        weiyuan = [0] + ([2] if i < 8 else [1] if i < 14 else [3] if i < 18 else [])
        return {"jwh_zhuren": [0], "jwh_fu_zhuren": [0], "jwh_weiyuan": weiyuan, **JDW}

    one = vote_round(db, w, monkeypatch, 1, w.voters[:24], first).result
    assert one["next_round"] == "runoff" and one["woman"]["status"] == "needs_round"
    rnd = _round(db, w, 2)
    assert rnd.kind == "runoff" and list(rnd.posts) == ["jwh_weiyuan"]
    post = rnd.posts["jwh_weiyuan"]
    assert (post["seats"], post["reserved_woman_seats"]) == (2, 1)
    assert _people(db, w, rnd, "jwh_weiyuan") == [5, 6, 7]
    event = db.scalar(select(ElectionEvent).where(ElectionEvent.kind == "round.created"))
    assert event.payload["posts"]["jwh_weiyuan"]["reserved_woman_seats"] == 1

    (_, spec), = printing.ballot_specs(db, w.election, 2)
    assert [(s.post, s.seats, len(s.candidates)) for s in spec.sections] == [("委员", 2, 3)]
    text = _paper_text(db, w, 2, monkeypatch)
    assert "另行选举" in text and "其中 1 名为妇女委员定位名额" in text
    assert all(w.voters[i].name in text for i in (5, 6, 7))

    # Round 2: p6 and p7 14 each, p7 one more, p5 9. The reserved seat goes to the woman
    # with most votes (p7 15), the other seat to p6 14.
    at = {p: i for i, p in enumerate(_on_paper(db, w, rnd, "jwh_weiyuan"))}

    def second(i: int) -> dict[str, list[int]]:
        return {"jwh_weiyuan": [at[6], at[7]] if i < 14 else [at[7]] if i < 15 else [at[5]]}

    two = vote_round(db, w, monkeypatch, 2, w.voters[:24], second).result
    assert [e["person"] for e in two["posts"]["jwh_weiyuan"]["elected"]] == [str(w.voters[i].id) for i in (7, 6)]
    assert two["woman"]["status"] == "reserved_filled" and two["next_round"] == "none"
    assert _round(db, w, 3) is None

    # The verifier recounts round 2 from its bundle: one 委员 section of 2 seats.
    bundle = export_bundle(db, w.election, DATA_KEY, "committee", auditor=True, round_number=2)
    db.commit()
    assert [f"{c.name_en}: {c.detail}" for c in run(bundle.data) if not c.ok] == []


def test_tie_and_runoff_revote_first_then_runoff(db, world, monkeypatch):
    """Rule: tie at the last seat — re-vote among the tied — comes before the run-off
    (who the re-vote elects changes who may stand). Round 1: 主任 p0 12, p1 12, both below
    13: a run-off; 委员 p4 24 elected, p5 p6 p7 16 each tied for the last 2 seats. The
    engine says next_round "revote": round 2 holds the 委员 re-vote only (2 seats, p5 p6
    p7) and the 主任 run-off is held. Round 2 elects p5 and p6 (24 each, p7 0); round 3 is
    then the held 主任 run-off: 1 seat, p0 and p1 (1 + 1, by round-1 votes)."""
    w = setup(db, world["a"]["election"])
    thirds = ([0, 1, 2], [0, 1, 3], [0, 2, 3])

    def first(i: int) -> dict[str, list[int]]:
        return {"jwh_zhuren": [0 if i < 12 else 1], "jwh_fu_zhuren": [1], "jwh_weiyuan": thirds[i % 3], **JDW}

    one = vote_round(db, w, monkeypatch, 1, w.voters[:24], first).result
    assert one["next_round"] == "revote"
    assert [(h["post"], h["seats"]) for h in one["held"]] == [("jwh_zhuren", 1)]
    rnd = _round(db, w, 2)
    assert rnd.kind == "revote" and list(rnd.posts) == ["jwh_weiyuan"]
    assert rnd.posts["jwh_weiyuan"]["seats"] == 2 and sorted(_people(db, w, rnd, "jwh_weiyuan")) == [5, 6, 7]
    text = _paper_text(db, w, 2, monkeypatch)
    assert "再次投票" in text and w.voters[0].name not in text  # the 主任 run-off waits

    on_paper = _on_paper(db, w, rnd, "jwh_weiyuan")
    two = vote_round(db, w, monkeypatch, 2, w.voters[:24],
                     lambda i: {"jwh_weiyuan": [on_paper.index(5), on_paper.index(6)]}).result
    assert sorted(e["person"] for e in two["posts"]["jwh_weiyuan"]["elected"]) == sorted(str(w.voters[i].id) for i in (5, 6))
    assert two["next_round"] == "runoff" and two["bodies"]["jwh"]["status"] == "runoff_needed"
    three = _round(db, w, 3)
    assert three.kind == "runoff" and list(three.posts) == ["jwh_zhuren"]
    assert three.posts["jwh_zhuren"]["seats"] == 1 and _people(db, w, three, "jwh_zhuren") == [0, 1]
    assert "另行选举" in _paper_text(db, w, 3, monkeypatch)

    # Round 3: p0 20 of 24 papers (at least 8): elected 主任; nothing is left.
    result = vote_round(db, w, monkeypatch, 3, w.voters[:24], lambda i: {"jwh_zhuren": [0] if i < 20 else []}).result
    assert [e["person"] for e in result["posts"]["jwh_zhuren"]["elected"]] == [str(w.voters[0].id)]
    assert result["next_round"] == "none" and _round(db, w, 4) is None


def test_woman_line_on_first_paper_then_her_own_runoff(db, world, monkeypatch):
    """Rule: woman member, variant A (定位选举, the national default). p5 is a man here, so
    委员 has p4 p5 p6 男 and p7 女; a woman stands for 委员, so the first paper already has
    the woman's reserved line (1 of the 3 seats). p4 24 and p5 24 take the two general
    seats; p7 has 5 of 24 (below 13), so the reserved seat is unfilled and p6 (19) is not
    elected although above 13: the seat is hers. Round 2: 委员 1 reserved seat, the women
    by votes on 委员, 1 + 1 wanted — only p7 (p1 and p3 stood for other posts)."""
    w = setup(db, world["a"]["election"])
    w.voters[5].sex = "男"
    db.commit()
    assert "妇女委员定位名额" in _paper_text(db, w, 1, monkeypatch)

    def first(i: int) -> dict[str, list[int]]:
        return {"jwh_zhuren": [0], "jwh_fu_zhuren": [0], "jwh_weiyuan": [0, 1, 2] if i < 19 else [0, 1, 3], **JDW}

    one = vote_round(db, w, monkeypatch, 1, w.voters[:24], first).result
    assert one["bodies"]["jwh"]["status"] == "runoff_needed" and one["woman"]["status"] == "needs_round"
    assert sorted(e["person"] for e in one["posts"]["jwh_weiyuan"]["elected"]) == sorted(
        str(w.voters[i].id) for i in (4, 5))
    # Only p7 may stand for the woman's seat: a run-off stays differential (1 + 1), so the
    # round waits for the committee's nomination before it can be printed.
    assert one["next_round"] == "nomination"
    rnd = current_round(db, w.election)
    assert (rnd.number, rnd.kind, rnd.status) == (2, "runoff", "nominating")
    assert rnd.posts == {"jwh_weiyuan": {**rnd.posts["jwh_weiyuan"], "seats": 1, "reserved_woman_seats": 1}}
    assert _people(db, w, rnd, "jwh_weiyuan") == [7]
    assert any("须由选举委员会另行提名补足" in line for line in one["explanation"])
    with pytest.raises(UserError, match="尚待选举委员会提名补足"):
        printing.ballot_specs(db, w.election, 2)
    with pytest.raises(UserError, match="还须提名"):
        round_candidates.publish_candidates(db, w.election, "a_committee")
    db.rollback()
    # The committee nominates: a man is refused for the woman's seat, p21 (a woman voter) added.
    with pytest.raises(UserError, match="候选人须为女性"):
        round_candidates.add_candidate(db, w.election, "jwh_weiyuan", str(w.voters[20].voter_number), "选委会决定", "a_committee")
    db.rollback()
    round_candidates.add_candidate(db, w.election, "jwh_weiyuan", str(w.voters[21].voter_number), "选委会决定第 3 号",
                                   "a_committee")
    round_candidates.publish_candidates(db, w.election, "a_committee")
    db.commit()
    rnd = _round(db, w, 2)
    assert rnd.status == "open" and _people(db, w, rnd, "jwh_weiyuan") == [7, 21]
    # The published event names each candidate as the notice does (name, sex), with its ids.
    published = db.scalars(select(ElectionEvent).where(ElectionEvent.kind == "nomination.round_candidates_published")
                           .order_by(ElectionEvent.seq.desc())).first()
    assert sorted((x["person"], x["name"], x["sex"]) for x in published.payload["candidates"]) == sorted(
        (str(v.id), v.name, v.sex) for v in (w.voters[7], w.voters[21]))
    assert "妇女委员定位名额" in _paper_text(db, w, 2, monkeypatch)
    assert w.voters[21].name in "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(round_candidates.notice_pdf(db, w.election, 2))).pages)

    # p7 gets 10 of 24 papers (at least 8): the 居委会 has its woman member.
    at = _on_paper(db, w, rnd, "jwh_weiyuan").index(7)
    two = vote_round(db, w, monkeypatch, 2, w.voters[:24], lambda i: {"jwh_weiyuan": [at] if i < 10 else []}).result
    assert [e["person"] for e in two["posts"]["jwh_weiyuan"]["elected"]] == [str(w.voters[7].id)]
    assert two["woman"]["status"] == "reserved_filled" and two["next_round"] == "none"


def test_woman_member_without_any_woman_to_stand_makes_no_round(db, world, monkeypatch):
    """Rule: woman member, and never more seats than the legal size. As above, but p7 is a
    man too: no woman stands for 委员, so the first paper has no reserved line; p4 p5 p6
    (men) fill the 3 seats of a 居委会 of 5. One more seat would make 6, an even size
    (RULES.md: 5–9, odd): no seat is added and no round is made; the result asks the
    election committee to decide. Replacement (variant B) needs a woman whose votes reach the
    threshold and none stood, so the one option is recording the committee without a woman."""
    w = setup(db, world["a"]["election"])
    w.voters[5].sex = w.voters[7].sex = "男"
    db.commit()
    assert "妇女委员定位名额" not in _paper_text(db, w, 1, monkeypatch)

    one = vote_round(db, w, monkeypatch, 1, w.voters[:24], lambda i: {
        "jwh_zhuren": [0], "jwh_fu_zhuren": [0], "jwh_weiyuan": [0, 1, 2], **JDW}).result
    assert one["woman"]["status"] == "needs_decision" and one["next_round"] == "none"
    assert one["woman"]["options"] == ["accept_without"]
    assert one["next_posts"] == {}
    assert any("不符合法定人数" in line for line in one["explanation"])
    assert _round(db, w, 2) is None
    assert db.scalar(select(ElectionEvent).where(ElectionEvent.kind == "round.created")) is None


def test_void_round_is_held_again_and_the_home_page_names_each_step(app, db, world, monkeypatch):
    """Rule: validity — a round with no more than half of the electors taking part is void
    and held again (重新选举). 15 of 40 vote in round 1: void; round 2 is made at once with
    the same posts and candidates (kind main), the election page names it as the next step;
    24 vote in round 2: the committee is complete and the result stage is done."""
    from election.workflow.stages import round_step, stages

    w = setup(db, world["a"]["election"])

    def FIRST_ALL(i: int) -> dict[str, list[int]]:  # noqa: N802 - every seat filled, p5 and p7 (women) among them
        order = _on_paper(db, w, current_round(db, w.election), "jwh_weiyuan")
        return {"jwh_zhuren": [0], "jwh_fu_zhuren": [0], "jwh_weiyuan": [order.index(k) for k in (4, 5, 7)], **JDW}

    one = vote_round(db, w, monkeypatch, 1, w.voters[:15], FIRST_ALL).result
    assert one["valid"] is False and one["next_round"] == "new_election"
    # Void, and still counted: each person's votes as the papers gave them, nobody elected.
    zhuren = one["posts"]["jwh_zhuren"]
    assert sum(zhuren["votes"].values()) == 15 and zhuren["valid_papers"] == 15 and zhuren["elected"] == []
    assert {n["person"]: n["votes"] for n in zhuren["not_elected"] if n["votes"]} == zhuren["votes"]
    from election.counting.summary import lines

    shown = {name: votes for line in lines(w.election, one, {}) for name, votes, _why in line.others}
    assert max(shown.values()) == 15
    # Its bundle carries those counts and both verifiers' checks pass (totals, chain, result).
    bundle = export_bundle(db, w.election, DATA_KEY, "committee", auditor=True, round_number=1)
    db.commit()
    assert [f"{c.name_en}: {c.detail}" for c in run(bundle.data) if not c.ok] == []
    # The round held again is named 重新选举 on its pages, never 第一轮投票.
    from tests.conftest import login

    client = app.test_client()
    login(client, "a_committee")
    page = client.get(f"/elections/{w.election.id}/polling").get_data(as_text=True)
    assert "第 2 轮 · 重新选举" in page and "第一轮投票" not in page
    rnd = _round(db, w, 2)
    assert (rnd.kind, rnd.status) == ("main", "open") and rnd.posts == _round(db, w, 1).posts
    step = round_step(db, w.election)
    assert step is not None and "第 2 轮（重新选举）" in step[0] and step[1] == "polling.overview"
    view = next(v for v in stages(db, w.election) if v.key == "result")
    assert view.status == "active" and view.missing == [step[0]]
    two = vote_round(db, w, monkeypatch, 2, w.voters[:24], FIRST_ALL).result
    assert two["valid"] is True and two["next_round"] == "none"
    assert round_step(db, w.election) is None
    assert next(v for v in stages(db, w.election) if v.key == "result").status == "done"
