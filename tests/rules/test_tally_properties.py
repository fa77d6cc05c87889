"""Property tests of the tally (RULES.md "Winning"): winners never exceed the seats,
every winner meets its threshold, and the order of the papers does not matter."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from election.rules.presets import PRESETS
from election.rules.tally import Candidate, Paper, PostMarks, PostSpec, TallyInput, tally

POSTS = (
    PostSpec("jwh_zhuren", "jwh", "主任", 1, 3),
    PostSpec("jwh_weiyuan", "jwh", "委员", 2, 1),
    PostSpec("jdw_weiyuan", "jdw", "委员", 2, 0, "plurality"),
)
PEOPLE = ["p1", "p2", "p3", "p4", "p5"]

marks_st = st.fixed_dictionaries({}, optional={
    p.key: st.builds(PostMarks, st.frozensets(st.sampled_from(PEOPLE), max_size=3),
                     st.frozensets(st.sampled_from(PEOPLE), max_size=2), st.just(frozenset()), st.booleans())
    for p in POSTS
})


@settings(max_examples=150, deadline=None)
@given(papers=st.lists(marks_st.map(Paper), min_size=1, max_size=40),
       preset=st.sampled_from(sorted(PRESETS)), seed=st.integers(0, 10**6),
       relations=st.lists(st.tuples(st.sampled_from(PEOPLE), st.sampled_from(PEOPLE)), max_size=2))
def test_tally_invariants(papers: list[Paper], preset: str, seed: int, relations: list[tuple[str, str]]) -> None:
    cands = tuple(Candidate(p + k, p, p, "女" if i % 2 else "男", k) for k in [x.key for x in POSTS]
                  for i, p in enumerate(PEOPLE))
    inp = TallyInput(PRESETS[preset], len(papers), len(papers), len(papers), POSTS, cands, papers,
                     tuple(r for r in relations if r[0] != r[1]))
    r = tally(inp)
    assert r.valid
    winners = [e.person_id for pr in r.posts for e in pr.elected]
    assert len(winners) == len(set(winners)), "nobody holds two posts"
    for pr in r.posts:
        assert len(pr.elected) <= pr.seats
        for e in pr.elected:
            assert e.votes >= pr.threshold_min_votes
            if pr.threshold_rule == "majority":
                assert 2 * e.votes > len(papers)
        assert len(pr.elected) + pr.unfilled_seats + sum(t.seats for t in pr.ties) == pr.seats
    shuffled = list(papers)
    random.Random(seed).shuffle(shuffled)
    r2 = tally(TallyInput(inp.rulebook, inp.registered_voters, inp.papers_issued, inp.papers_returned,
                          POSTS, cands, shuffled, inp.relations))
    assert r2 == r
