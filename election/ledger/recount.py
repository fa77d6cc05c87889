"""The recount a verifier runs over the records of an auditor bundle: the rules' own
paper count (election.rules.tally_count) with the posts' seats and the rulebook as
published in the bundle. Pure: no database, no Flask, so tools/verify can use it."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from election.protocol import writeins
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


def listed_of(posts: Mapping[str, Mapping[str, Any]]) -> dict[str, list[str]]:
    """The people printed on the paper, per post (everyone else is a write-in)."""
    return {k: [str(c) for c in p.get("candidates", ())] for k, p in posts.items()}


def public_tally(records: Sequence[Record], posts: Mapping[str, Mapping[str, Any]], rulebook: Mapping[str, Any],
                 named: Mapping[str, Any] | None = None,
                 elected: Mapping[str, Any] | None = None) -> dict[str, dict[str, int]]:
    """tally_records as it may be published: write-ins below the rulebook's
    ``write_in_public_min`` (and not elected) merged into 其他（另选他人）. ``named`` fixes which
    write-ins are shown (a box group shows those its round's totals show)."""
    votes = tally_records(records, posts, rulebook)
    listed = listed_of(posts)
    if named is None:
        minimum = Rulebook.from_dict(dict(rulebook)).write_in_public_min
        named = writeins.named_write_ins(votes, listed, minimum, elected)
    return writeins.merge_write_ins(votes, listed, named)


def tally_fn_for(totals: Mapping[str, Any], rulebook: Mapping[str, Any]):
    """The verifier's tally function for a bundle (its totals.json and rulebook.json): the
    records' count with the write-ins that totals.json names shown, the rest merged."""
    posts = (totals.get("result") or {}).get("posts", {})
    named = writeins.shown_in(totals.get("posts") or {}, listed_of(posts))

    def fn(records: Sequence[Record]) -> dict[str, dict[str, int]]:
        return public_tally(records, posts, rulebook, named=named)

    return fn


def write_in_problems(totals: Mapping[str, Any], rulebook: Mapping[str, Any],
                      records: Sequence[Record] | None = None) -> list[str]:
    """A bundle's totals.json against the write-in minimum: no write-in named below it (the
    public bundle alone shows this); with the auditor's records, none hidden that reached it."""
    posts = (totals.get("result") or {}).get("posts", {})
    elected = (totals.get("result") or {}).get("elected", {})
    minimum = Rulebook.from_dict(dict(rulebook)).write_in_public_min
    recounted = tally_records(records, posts, rulebook) if records is not None else None
    return writeins.problems(totals.get("posts") or {}, listed_of(posts), minimum, elected, recounted)
