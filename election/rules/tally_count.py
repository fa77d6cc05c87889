"""One pass over the returned papers: validity per post and approvals per person.

This is the hot loop of the tally (100,000 papers must count in well under a second per
post), so it does set unions and Counter updates only; every decision lives in
tally_decide.py.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

from election.rules.tally_types import Paper, PostSpec, TallyInputError


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

    def invalid(self, key: str) -> int:
        c = self.posts[key]
        return c.overvoted + c.unreadable + self.whole_invalid


def count_papers(
    posts: Iterable[PostSpec], papers: Iterable[Paper], overvote_scope: str, multi_post_rule: str
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
    n = 0
    whole_invalid = 0
    for paper in papers:
        n += 1
        valid: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
        void = False
        bad: list[tuple[str, str]] = []
        for key, pm in paper.marks.items():
            if key not in seats:
                raise TallyInputError(f"第 {n} 张选票含未知职位“{key}”")
            if pm.unreadable:
                bad.append((key, "u"))
                continue
            appr = pm.approve | pm.write_ins if pm.write_ins else pm.approve
            if len(appr) > seats[key]:
                bad.append((key, "o"))
                if whole_paper:
                    void = True
                continue
            if pm.oppose and not appr.isdisjoint(pm.oppose):
                # Both ○ and × for one person: the voter's will cannot be read.
                bad.append((key, "u"))
                continue
            valid[key] = (appr, pm.oppose)
        if void:
            whole_invalid += 1
            continue
        for key, kind in bad:
            if kind == "o":
                counts[key].overvoted += 1
            else:
                counts[key].unreadable += 1
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
                counts[key].votes.update(appr | above if above else appr)
                if opp:
                    counts[key].opposed.update(opp)
                carried[body[key]] = above | appr
            continue
        for key, (appr, opp) in valid.items():
            c = counts[key]
            c.votes.update(appr)
            if opp:
                c.opposed.update(opp)
    return Counts(n, whole_invalid, counts)
