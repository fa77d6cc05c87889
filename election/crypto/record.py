"""A counted paper's vector for the public recount, computed by the rules' own count.

The vector of a paper is what that paper adds to the totals under the rulebook: the rules'
``count_papers`` run on this one paper (so every preset variant — whole-paper overvote, the
multi-post rules, approve-and-oppose of one person — acts exactly as in the tally), read per
post as each listed candidate's approval and opposition, the approvals of anyone not listed
for the post (write-ins, and under "higher counts for lower" the approvals carried from a
higher post), and whether the post is invalid on the paper."""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from election.rules.tally_count import Counts, count_papers
from election.rules.tally_count import PostCount as TallyPostCount
from election.rules.tally_types import Paper, PostSpec

from .paper import PostCount, PostShape


def shapes(posts: Sequence[PostSpec], listed: Mapping[str, Sequence[str]], multi_post_rule: str) -> list[PostShape]:
    """Each post's shape; the bound of its approvals is its seats, plus, when higher posts'
    approvals count for lower posts, the seats of the higher posts of the same body."""
    out = []
    for post in posts:
        bound = post.seats
        if multi_post_rule == "higher_counts_for_lower":
            bound += sum(p.seats for p in posts if p.body == post.body and p.rank > post.rank)
        out.append(PostShape(post.key, bound, len(listed.get(post.key, ()))))
    return out


def vector(counts: Counts, posts: Sequence[PostSpec], listed: Mapping[str, Sequence[str]]) -> tuple[list[PostCount], int]:
    """Counts (of one paper, or of many) read as the recount's labels' values."""
    out = []
    for post in posts:
        c = counts.posts[post.key]
        names = list(listed.get(post.key, ()))
        on_list = set(names)
        out.append(PostCount(
            post.key,
            tuple(c.votes.get(p, 0) for p in names),
            tuple(c.opposed.get(p, 0) for p in names),
            sum(v for p, v in c.votes.items() if p not in on_list),
            counts.invalid(post.key),
        ))
    return out, counts.whole_invalid


def paper_vector(paper: Paper, posts: Sequence[PostSpec], listed: Mapping[str, Sequence[str]],
                 overvote_scope: str, multi_post_rule: str) -> tuple[list[PostCount], int]:
    """What one paper adds to the totals, by the rules' count of that paper alone."""
    return vector(count_papers(posts, [paper], overvote_scope, multi_post_rule), posts, listed)


def vector_labels(per_post: Sequence[PostCount], whole: int) -> dict[str, int]:
    """A vector (one paper's, or the totals') by recount label: X, and per post x, w, a<i>, o<i>."""
    out = {"X": whole}
    for c in per_post:
        out[f"{c.key}/x"] = c.invalid
        out[f"{c.key}/w"] = c.write_ins
        for i, (a, o) in enumerate(zip(c.approvals, c.oppositions, strict=True)):
            out[f"{c.key}/a{i}"] = a
            out[f"{c.key}/o{i}"] = o
    return out


def label_totals(counts: Counts, posts: Sequence[PostSpec], listed: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """The totals of every recount label that the rules' ``counts`` imply."""
    return vector_labels(*vector(counts, posts, listed))


def expected_from_totals(totals: Mapping[str, Any], listed: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """The recount labels' totals that a bundle's totals.json states (votes per person,
    oppositions, overvoted and unreadable posts, whole invalid papers), for the posts and
    listed candidates the recount names."""
    per_post = totals["counts"]["posts"]
    counts = Counts(int(totals["returned"]), int(totals["counts"]["whole_invalid"]), {
        k: TallyPostCount(int(per_post[k]["overvoted"]), int(per_post[k]["unreadable"]),
                          Counter({str(w): int(n) for w, n in totals["posts"][k].items()}),
                          Counter({str(w): int(n) for w, n in per_post[k].get("opposed", {}).items()}))
        for k in listed})
    return label_totals(counts, [PostSpec(k, "jwh", k, 1, 0) for k in listed], listed)


def expected_from_votes(votes: Mapping[str, Mapping[str, Any]], listed: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """The approval labels (``p/a<i>``, ``p/w``) that a box group's votes per person state
    (box_totals.json has votes only: no oppositions or invalid posts per group)."""
    out = {}
    for key, names in listed.items():
        row = {str(who): int(n) for who, n in votes[key].items()}
        on_list = set(names)
        out[f"{key}/w"] = sum(n for who, n in row.items() if who not in on_list)
        for i, who in enumerate(names):
            out[f"{key}/a{i}"] = row.get(who, 0)
    return out
