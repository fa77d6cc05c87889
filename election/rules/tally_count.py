"""One pass over the returned papers: validity per post and approvals per person.

This is the hot loop of the tally (100,000 papers must count in well under a second per
post), so it does set unions and Counter updates only; every decision lives in
tally_decide.py.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from election.rules.tally_types import Paper, PostMarks, PostSpec, TallyInputError

_BLANK: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())


@dataclass
class PostCount:
    """Mutable accumulator of one post; turned into PostResult by the decision step."""

    overvoted: int = 0
    unreadable: int = 0
    votes: Counter[str] = field(default_factory=Counter)
    opposed: Counter[str] = field(default_factory=Counter)


@dataclass
class Counts:
    papers: int
    whole_invalid: int
    posts: dict[str, PostCount]

    # Whole papers invalid per body, when the papers are per body (key: the body).
    whole_by_body: Counter[str] = field(default_factory=Counter)
    body_of: dict[str, str] = field(default_factory=dict)
    per_body: bool = False

    def whole_of(self, key: str) -> int:
        """Whole papers invalid that count against this post: all of them on one paper
        for all posts, that body's own with separate papers per body."""
        return self.whole_by_body[self.body_of[key]] if self.per_body else self.whole_invalid

    def invalid(self, key: str) -> int:
        c = self.posts[key]
        return c.overvoted + c.unreadable + self.whole_of(key)

    def plus(self, other: Counts) -> Counts:
        """The counts of both sets of papers (counted under the same posts and rules: every
        paper is judged on its own, so counts add up); neither is changed."""
        posts = {}
        for key, mine in self.posts.items():
            theirs = other.posts[key]
            posts[key] = PostCount(mine.overvoted + theirs.overvoted, mine.unreadable + theirs.unreadable,
                                   mine.votes + theirs.votes, mine.opposed + theirs.opposed)
        return Counts(self.papers + other.papers, self.whole_invalid + other.whole_invalid, posts,
                      self.whole_by_body + other.whole_by_body, dict(self.body_of), self.per_body)


def count_papers(
    posts: Iterable[PostSpec], papers: Iterable[Paper], overvote_scope: str, multi_post_rule: str,
    per_body: bool = False,
) -> Counts:
    """Count every paper once. Invalid posts (overvote, unreadable, approve and oppose of
    the same person) add nothing; under overvote_scope 'paper' one overvote voids the
    whole paper. The multi-post variants that act on a single paper are applied here."""
    ordered = sorted(posts, key=lambda p: -p.rank)
    seats = {p.key: p.seats for p in ordered}
    body = {p.key: p.body for p in ordered}
    counts = {p.key: PostCount() for p in ordered}
    whole_paper = overvote_scope == "paper"
    per_person = multi_post_rule == "paper_invalid_for_person"
    transfer = multi_post_rule == "higher_counts_for_lower"
    rank_order = [p.key for p in ordered]
    # Identical papers (the loader shares one object per distinct set of marks) are judged
    # once and counted with their multiplicity: the loop runs per distinct paper.
    distinct: dict[int, list[Any]] = {}
    n = 0
    whole_by_body: Counter[str] = Counter()
    for paper in papers:
        n += 1
        entry = distinct.get(id(paper))
        if entry is None:
            distinct[id(paper)] = [paper, 1, n]
        else:
            entry[1] += 1
    whole_invalid = 0
    # A post's marks decide its validity alone: judged once per distinct PostMarks object.
    verdicts: dict[tuple[str, int], tuple[str, tuple[frozenset[str], frozenset[str]]]] = {}
    # Plain rule: papers per (approved, opposed) of each post, turned into votes at the end.
    plain: dict[str, dict[tuple[frozenset[str], frozenset[str]], int]] = {k: {} for k in seats}
    for paper, weight, number in distinct.values():
        valid: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
        void = False
        bad: list[tuple[str, str]] = []
        for key, pm in paper.marks.items():
            verdict = verdicts.get((key, id(pm)))
            if verdict is None:
                if key not in seats:
                    raise TallyInputError(f"第 {number} 张选票含未知职位“{key}”")
                verdict = verdicts[(key, id(pm))] = _judge(pm, seats[key])
            kind, marks = verdict
            if kind:
                bad.append((key, kind))
                if kind == "o" and whole_paper:
                    void = True
            else:
                valid[key] = marks
        if void:
            whole_invalid += weight
            if per_body:
                whole_by_body[body[next(iter(paper.marks))]] += weight
            continue
        for key, kind in bad:
            if kind == "o":
                counts[key].overvoted += weight
            else:
                counts[key].unreadable += weight
        if per_person and len(valid) > 1:
            seen: Counter[str] = Counter()
            for appr, _ in valid.values():
                seen.update(appr)
            dup = {pid for pid, k in seen.items() if k > 1}
            if dup:
                valid = {k: (a - dup, o) for k, (a, o) in valid.items()}
        if transfer:
            carried: dict[str, frozenset[str]] = {}
            invalid_here = {k for k, _ in bad}
            for key in rank_order:
                if key in invalid_here:
                    continue
                # A post left blank on this paper still receives the higher posts' approvals.
                appr, opp = valid.get(key, _BLANK)
                above = carried.get(body[key], frozenset())
                _add(counts[key].votes, appr | above if above else appr, weight)
                if opp:
                    _add(counts[key].opposed, opp, weight)
                carried[body[key]] = above | appr
            continue
        for key, marks in valid.items():
            tally = plain[key]
            tally[marks] = tally.get(marks, 0) + weight
    for key, tally in plain.items():
        c = counts[key]
        for (appr, opp), weight in tally.items():
            _add(c.votes, appr, weight)
            if opp:
                _add(c.opposed, opp, weight)
    return Counts(n, whole_invalid, counts, whole_by_body, dict(body), per_body)


def _judge(pm: PostMarks, seats: int) -> tuple[str, tuple[frozenset[str], frozenset[str]]]:
    """("u", _) unreadable, ("o", _) overvoted, or ("", (approved, opposed)) for a valid post."""
    if pm.unreadable:
        return "u", _BLANK
    appr = pm.approve | pm.write_ins if pm.write_ins else pm.approve
    if len(appr) > seats:
        return "o", _BLANK
    if pm.oppose and not appr.isdisjoint(pm.oppose):
        # Both ○ and × for one person: the voter's will cannot be read.
        return "u", _BLANK
    return "", (appr, pm.oppose)


def _add(counter: Counter[str], people: frozenset[str], weight: int) -> None:
    for person in people:
        counter[person] += weight
