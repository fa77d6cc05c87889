"""Which write-in names may be published (issue 15, the "pattern" attack).

A vote buyer can ask a voter to write in an unusual name and look for it in the published
totals. So a write-in (a person not printed on the paper for that post) is named in anything
public only when at least the rulebook's ``write_in_public_min`` papers wrote it in, or when
the person is elected; every other write-in vote of the post is added to one line, ``OTHER``.
The same names are kept in every box group, so the groups still add up to the totals.
Pure: the publication, the result notice and the verifier use it alike.
"""
from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

OTHER = "其他（另选他人）"

Votes = Mapping[str, Mapping[str, int]]


def named_write_ins(votes: Votes, listed: Mapping[str, Collection[str]], minimum: int,
                    elected: Mapping[str, Collection[str]] | None = None) -> dict[str, set[str]]:
    """Per post, the write-ins that may be named: at least ``minimum`` votes, or elected."""
    elected = elected or {}
    return {post: {pid for pid, n in row.items()
                   if pid != OTHER and pid not in set(listed.get(post, ()))
                   and (int(n) >= minimum or pid in set(elected.get(post, ())))}
            for post, row in votes.items()}


def merge_write_ins(votes: Votes, listed: Mapping[str, Collection[str]], named: Mapping[str, Collection[str]]
                    ) -> dict[str, dict[str, int]]:
    """``votes`` with every write-in not in ``named`` added to ``OTHER`` (present only when > 0)."""
    out: dict[str, dict[str, int]] = {}
    for post, row in votes.items():
        keep = set(listed.get(post, ())) | set(named.get(post, ()))
        merged = {pid: int(n) for pid, n in row.items() if pid in keep}
        other = sum(int(n) for pid, n in row.items() if pid not in keep)
        if other:
            merged[OTHER] = other
        out[post] = merged
    return out


def public_votes(votes: Votes, listed: Mapping[str, Collection[str]], minimum: int,
                 elected: Mapping[str, Collection[str]] | None = None) -> dict[str, dict[str, int]]:
    """The votes of a whole round as they may be published."""
    return merge_write_ins(votes, listed, named_write_ins(votes, listed, minimum, elected))


def shown_in(votes: Votes, listed: Mapping[str, Collection[str]]) -> dict[str, set[str]]:
    """The write-ins a published table names (everything but the listed and ``OTHER``)."""
    return {post: {pid for pid in row if pid != OTHER and pid not in set(listed.get(post, ()))}
            for post, row in votes.items()}


def problems(published: Votes, listed: Mapping[str, Collection[str]], minimum: int,
             elected: Mapping[str, Collection[str]] | None = None, recounted: Votes | None = None) -> list[str]:
    """What is wrong with a published table: a write-in named below ``minimum`` (and not
    elected); with the records' own count, a write-in hidden in ``OTHER`` that reached it."""
    elected = elected or {}
    out = []
    for post, row in sorted(published.items()):
        for pid in sorted(shown_in({post: row}, listed)[post]):
            if int(row[pid]) < minimum and pid not in set(elected.get(post, ())):
                out.append(f"{post}：另选他人 {pid} 只得 {row[pid]} 票，少于公布门槛 {minimum} 票，不得单独列出姓名")
    if recounted is not None:
        out += hidden(published, listed, minimum, elected, recounted)
    return out


def hidden(published: Votes, listed: Mapping[str, Collection[str]], minimum: int,
           elected: Mapping[str, Collection[str]], recounted: Votes) -> list[str]:
    """The write-ins the records' own count (``recounted``) names, having reached ``minimum``
    or been elected, whom the published table leaves out (merged into ``OTHER``)."""
    out = []
    expected = public_votes(recounted, listed, minimum, elected)
    for post in sorted(set(expected) | set(published)):
        for pid in sorted(shown_in({post: expected.get(post, {})}, listed)[post] - set(published.get(post, {}))):
            out.append(f"{post}：另选他人 {pid} 得 {expected[post][pid]} 票，达到公布门槛 {minimum} 票，却被并入“{OTHER}”")
    return out


_NAMING_KEYS = {"person", "persons", "candidates", "replaced", "elected"}


def result_persons(result: Mapping[str, Any] | None) -> set[str]:
    """Everyone a published result names — elected, tied, in a run-off or the next round,
    held back, set aside, the woman member's seat — whatever their votes: such a write-in
    is named anyway, and the verifier must see their votes to decide the seats again."""
    found: set[str] = set()

    def walk(value: object, naming: bool) -> None:
        if isinstance(value, Mapping):
            for key, inner in value.items():
                if key in ("votes", "not_elected"):
                    continue  # the plain vote table and the not elected below the threshold
                walk(inner, key in _NAMING_KEYS)
        elif isinstance(value, (list, tuple)):
            for inner in value:
                walk(inner, naming)
        elif naming and isinstance(value, str):
            found.add(value)

    walk(result or {}, False)
    return found


def named_for(votes: Votes, listed: Mapping[str, Collection[str]], minimum: int,
              result: Mapping[str, Any] | None) -> dict[str, set[str]]:
    """The write-ins a round's public tables name: from the minimum, or named by ``result``."""
    keep = result_persons(result)
    return {post: names | {p for p in votes.get(post, {}) if p in keep and p != OTHER
                           and p not in set(listed.get(post, ()))}
            for post, names in named_write_ins(votes, listed, minimum).items()}


def anchored(public: Votes, listed: Mapping[str, Collection[str]],
             people: Mapping[str, Mapping[str, Any]]) -> list[dict[str, str]]:
    """The write-ins a round's public votes (``public``: merged, as published) name who are on
    no list of the round, each once with ``name`` and ``sex`` from ``people`` (the roll): the
    ``write_ins`` of ``result.write_ins_named`` and of the bundle's tally_input.json, sorted by
    person. A write-in merged into ``OTHER`` is not named here either (issue 15)."""
    on_paper = {pid for names in listed.values() for pid in names}
    named = {pid for names in shown_in(public, listed).values() for pid in names} - on_paper
    return [{"person": pid, "name": str(people[pid]["name"]), "sex": str(people[pid]["sex"])}
            for pid in sorted(named) if pid in people]
