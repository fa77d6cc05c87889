"""The round after a published result holds every tie and every run-off of that result
(counting.result._next_round): needs on one post merge, a tie beside a run-off keeps both,
a need without a candidate waits, and nothing to vote on makes no round."""
from __future__ import annotations

from types import SimpleNamespace

from election.counting.result import _next_round
from election.counting.service import ballot_of
from election.models import Candidate
from election.rules.tally_types import RunoffNeed, Tie
from tests.conftest import DATA_KEY

from .builder import build


def _result(**posts) -> SimpleNamespace:
    return SimpleNamespace(posts=[SimpleNamespace(key=k, ties=ties, runoffs=runoffs) for k, (ties, runoffs) in posts.items()])


def _ids(b, *indexes: int) -> tuple[str, ...]:
    return tuple(str(b.residents[i].id) for i in indexes)


def _people(db, rnd, post: str) -> list[str]:
    return [str(db.get(Candidate, c).resident_id) for c in rnd.posts[post]["candidates"]]


def test_a_woman_seat_and_a_general_runoff_on_one_post_merge(db, world):
    """Rule: no seat is lost — 1 woman-only seat (定位) and 1 general seat of 委员 make one
    section of 2 seats, 1 of them reserved; candidates of both pools, each once."""
    election = world["a"]["election"]
    b = build(db, election, DATA_KEY, voters=12, papers=4)
    result = _result(jwh_weiyuan=([], [RunoffNeed("jwh_weiyuan", 1, _ids(b, 5, 6), True),
                                       RunoffNeed("jwh_weiyuan", 1, _ids(b, 7, 5), False)]))
    rnd = _next_round(db, election, 1, result, "t")
    db.flush()
    assert rnd.kind == "runoff"
    post = rnd.posts["jwh_weiyuan"]
    assert (post["seats"], post["reserved_woman_seats"], post["kind"]) == (2, 1, "runoff")
    assert _people(db, rnd, "jwh_weiyuan") == list(_ids(b, 5, 6, 7))
    spec, cands = ballot_of(db, election, 2).posts[0]
    assert (spec.seats, spec.reserved_woman_seats, spec.threshold) == (2, 1, "majority")
    assert len(cands) == 3


def test_a_tie_beside_a_runoff_keeps_both(db, world):
    """Rule: a tie at the last 主任 seat and an unfilled 委员 seat in one result go on one paper;
    the tie's section is decided by most votes, the run-off's by the run-off rule."""
    election = world["a"]["election"]
    b = build(db, election, DATA_KEY, voters=12, papers=4)
    result = _result(jwh_zhuren=([Tie("jwh_zhuren", _ids(b, 0, 1), 4, 1)], []),
                     jwh_weiyuan=([], [RunoffNeed("jwh_weiyuan", 1, _ids(b, 7, 8), False)]))
    rnd = _next_round(db, election, 1, result, "t")
    db.flush()
    assert rnd.kind == "runoff"
    assert {k: (v["seats"], v["kind"]) for k, v in rnd.posts.items()} == {"jwh_zhuren": (1, "revote"), "jwh_weiyuan": (1, "runoff")}
    thresholds = {spec.key: spec.threshold for spec, _ in ballot_of(db, election, 2).posts}
    assert thresholds["jwh_zhuren"] == "plurality" and thresholds["jwh_weiyuan"] != "plurality"


def test_ties_alone_make_a_revote(db, world):
    election = world["a"]["election"]
    b = build(db, election, DATA_KEY, voters=12, papers=4)
    rnd = _next_round(db, election, 1, _result(jwh_zhuren=([Tie("jwh_zhuren", _ids(b, 0, 1), 4, 1)], [])), "t")
    assert rnd.kind == "revote"


def test_nothing_to_vote_on_makes_no_round(db, world):
    """Rule: a run-off without any candidate (no woman had votes) waits for nominations; the
    result says so, and no empty round that could not be printed is created."""
    election = world["a"]["election"]
    build(db, election, DATA_KEY, voters=12, papers=4)
    assert _next_round(db, election, 1, _result(jwh_weiyuan=([], [RunoffNeed("jwh_weiyuan", 1, (), True)])), "t") is None
