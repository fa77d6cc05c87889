"""The recount a verifier runs over the records of an auditor bundle: the rules' own
paper count (election.rules.tally_count) with the posts' seats and the rulebook as
published in the bundle. Pure: no database, no Flask, so tools/verify can use it."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from election.protocol.bundle import Record
from election.rules.rulebook import Rulebook
from election.rules.tally_count import count_papers
from election.rules.tally_types import Paper, PostMarks, PostSpec


def to_paper(marks: Mapping[str, Any] | None) -> Paper:
    """A record's marks ({post: {approve, oppose, write_ins, unreadable}}) as a rules Paper."""
    out = {}
    for post, m in (marks or {}).items():
        out[post] = PostMarks(frozenset(m.get("approve", ())), frozenset(m.get("oppose", ())),
                              frozenset(m.get("write_ins", ())), bool(m.get("unreadable")))
    return Paper(out)


def post_specs(posts: Mapping[str, Mapping[str, Any]]) -> list[PostSpec]:
    """PostSpecs from totals.json's ``result.posts``: {post: {"seats", "rank", "body"}}."""
    return [PostSpec(k, str(p.get("body", "jwh")), k, int(p["seats"]), int(p.get("rank", 0)))  # type: ignore[arg-type]
            for k, p in posts.items()]


def tally_records(records: Sequence[Record], posts: Mapping[str, Mapping[str, Any]],
                  rulebook: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    """Votes per post and person (approvals incl. write-ins on valid posts), every
    candidate listed in ``posts`` present even with 0 votes."""
    rb = Rulebook.from_dict(dict(rulebook))
    counts = count_papers(post_specs(posts), (to_paper(r.marks) for r in records), rb.overvote_scope, rb.multi_post_rule)
    out: dict[str, dict[str, int]] = {}
    for key, p in posts.items():
        votes = {str(c): 0 for c in p.get("candidates", ())}
        votes.update({str(c): int(n) for c, n in counts.posts[key].votes.items()})
        out[key] = votes
    return out


def tally_fn_for(totals: Mapping[str, Any], rulebook: Mapping[str, Any]) -> Callable[[Sequence[Record]], dict[str, dict[str, int]]]:
    """The verifier's tally function for a bundle (its totals.json and rulebook.json)."""
    posts = (totals.get("result") or {}).get("posts", {})

    def fn(records: Sequence[Record]) -> dict[str, dict[str, int]]:
        return tally_records(records, posts, rulebook)

    return fn
