"""The tally files of a bundle from the round's tally input and records: tally_input.json
(docs/TALLY.md's scenario without papers: posts, seats, candidates with sex, near-relative
pairs, earlier rounds' winners, held run-offs and reserved seats), totals.json (votes and
every count a decision uses, and the published result) and box_totals.json. Pure."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from election.protocol import writeins
from election.protocol.bundle import Record, group_boxes
from election.rules.scenario import input_to_dict, result_to_dict
from election.rules.tally_count import Counts, count_papers
from election.rules.tally_types import Paper, PostMarks, TallyInput


def to_paper(marks: Mapping[str, Any]) -> Paper:
    return Paper({post: PostMarks(frozenset(m.get("approve", ())), frozenset(m.get("oppose", ())),
                                  frozenset(m.get("write_ins", ())), bool(m.get("unreadable")))
                  for post, m in marks.items()})


def _votes(inp: TallyInput, counts: Counts) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for p in inp.posts:
        row = {c.person_id: 0 for c in inp.candidates if c.post == p.key}
        row.update({who: n for who, n in counts.posts[p.key].votes.items() if n})
        out[p.key] = row
    return out


def listed_of(inp: TallyInput) -> dict[str, list[str]]:
    """The people printed on the paper, per post (anyone else voted for is a write-in)."""
    return {p.key: [c.person_id for c in inp.candidates if c.post == p.key] for p in inp.posts}


def tally_files(inp: TallyInput, records: Sequence[Record], boxes: Sequence[str], round_number: int,
                published: Mapping[str, Any] | None) -> tuple[dict[str, Any], tuple[dict[str, Any], ...], dict[str, Any]]:
    """(totals, box_totals, tally_input) of a round (``boxes``: every box of the round).
    ``published`` is the round's published
    result (scenario.result_to_dict form) or None before publication."""
    rb = inp.rulebook
    papers = [to_paper(r.marks) for r in records]
    counts = count_papers(inp.posts, papers, rb.overvote_scope, rb.multi_post_rule)
    result: dict[str, Any] = {"elected": {}}
    if published is not None:
        result = {"valid": published["valid"], "next_round": published["next_round"],
                  "next_posts": published["next_posts"],
                  "elected": {k: [e["person"] for e in p["elected"]] for k, p in published["posts"].items()}}
        if "question" in published:  # a question round (rules.question): its decided outcome
            result["question"] = published["question"]
    result["posts"] = {p.key: {"seats": p.seats, "rank": p.rank, "body": p.body,
                               "candidates": [c.person_id for c in inp.candidates if c.post == p.key]}
                       for p in inp.posts}
    # Issue 15: a write-in is named only from the rulebook's minimum or when the result names
    # them; the rest of a post's write-in votes are one 其他（另选他人） line, in every box group alike.
    listed = listed_of(inp)
    votes = _votes(inp, counts)
    named = writeins.named_for(votes, listed, rb.write_in_public_min, published)
    totals = {
        "round": round_number,
        "returned": len(records),
        "posts": writeins.merge_write_ins(votes, listed, named),
        "counts": {"whole_invalid": counts.whole_invalid,
                   "posts": {k: {"overvoted": pc.overvoted, "unreadable": pc.unreadable,
                                 "opposed": {w: n for w, n in sorted(pc.opposed.items()) if n}}
                             for k, pc in counts.posts.items()}},
        "result": result,
    }
    per_box: dict[str, list[Paper]] = {}
    for r, p in zip(records, papers):
        per_box.setdefault(r.box, []).append(p)
    sizes = {b: len(per_box.get(b, ())) for b in boxes}
    box_totals = []
    for g in group_boxes(sizes, rb.min_box_size) if sizes else []:
        sub = [p for b in g for p in per_box.get(b, ())]
        box_totals.append({"boxes": g, "papers": len(sub),
                           "posts": writeins.merge_write_ins(
                               _votes(inp, count_papers(inp.posts, sub, rb.overvote_scope, rb.multi_post_rule)),
                               listed, named)})
    scenario = input_to_dict(replace(inp, papers=()), papers=False)
    scenario.pop("rulebook")  # the rulebook in force is rulebook.json, fixed by the chain
    scenario.pop("papers_returned")  # the records (or totals.json's returned) say it
    return totals, tuple(box_totals), scenario


def result_of(inp: TallyInput, records: Sequence[Record]) -> dict[str, Any]:
    """The result the rules give for these records (what a committee publishes)."""
    from election.rules.tally import tally

    return result_to_dict(tally(replace(inp, papers=[to_paper(r.marks) for r in records],
                                        papers_returned=len(records))))
