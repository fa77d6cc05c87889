"""The recount document end to end: papers counted by the rules' own count (every preset
variant), encrypted, decrypted by two of three trustees, and checked by ``verify``; each
kind of tampering fails its own named check."""
from __future__ import annotations

import copy
import random

import pytest

from election.crypto import ceremony, group, recount_doc
from election.crypto.record import label_totals, paper_vector, shapes
from election.rules.tally_count import count_papers
from election.rules.tally_types import Paper, PostMarks, PostSpec
from tests.crypto.forge import forged_paper
from tests.factories import TRUSTEE_PASS, offline_ceremony

BASE = bytes.fromhex("ef" * 32)
POSTS = [PostSpec("jwh_zhuren", "jwh", "主任", 1, 3), PostSpec("jwh_fuzhuren", "jwh", "副主任", 1, 2),
         PostSpec("jwh_weiyuan", "jwh", "委员", 3, 1)]
LISTED = {"jwh_zhuren": ["p1", "p2"], "jwh_fuzhuren": ["p3", "p4"], "jwh_weiyuan": ["p5", "p6", "p7", "p8", "p9"]}
PASS = TRUSTEE_PASS
BOXES = ["A", "B", "C"]
GROUPS = [["A", "B"], ["C"]]


def check(member, ds, expected) -> list:
    """recount_doc.verify against the D list, totals, box totals and the records' boxes."""
    document, papers = member
    totals, box_totals, boxes = expected
    return recount_doc.verify(document, iter(papers), ds, totals, box_totals=box_totals, record_boxes=boxes)


def random_paper(rng: random.Random) -> Paper:
    marks = {}
    for post in POSTS:
        names = LISTED[post.key]
        approve = frozenset(rng.sample(names, rng.randint(0, min(len(names), post.seats + (1 if rng.random() < 0.1 else 0)))))
        oppose = frozenset(n for n in names if n not in approve and rng.random() < 0.2)
        write_ins = frozenset({"w1"}) if rng.random() < 0.1 and len(approve) < post.seats else frozenset()
        if rng.random() < 0.05:
            approve = approve | {"p1"}     # the same person on two posts now and then
        marks[post.key] = PostMarks(approve, oppose, write_ins, rng.random() < 0.03)
    return Paper(marks)


@pytest.fixture(scope="module")
def keys():
    return offline_ceremony("e-9", BASE)


def make_round(keys, overvote_scope: str, multi_post_rule: str, n: int = 12, seed: int = 3):
    doc, publics, sealed_keys, key = keys
    rng = random.Random(seed)
    papers = [random_paper(rng) for _ in range(n)]
    ds = sorted(f"{rng.getrandbits(256):064x}" for _ in papers)
    shape = shapes(POSTS, LISTED, multi_post_rule)
    boxes = [BOXES[i % len(BOXES)] for i in range(n)]
    records = [(d, box, *paper_vector(p, POSTS, LISTED, overvote_scope, multi_post_rule))
               for d, box, p in zip(ds, boxes, papers, strict=True)]
    enc = recount_doc.encrypt_round(BASE, key, shape, records)
    totals = recount_doc.encrypted_totals(enc, GROUPS)
    partials = [ceremony.decrypt(doc, publics, totals, sealed_keys[i - 1], PASS, i) for i in (1, 3)]
    decrypted = recount_doc.decrypt(doc, publics, shape, enc, partials, GROUPS)
    counts = count_papers(POSTS, papers, overvote_scope, multi_post_rule)
    assert {k: v for k, v in decrypted.items() if "#" not in k} == label_totals(counts, POSTS, LISTED)
    by_group = []
    for g in GROUPS:
        inside = [p for p, box in zip(papers, boxes, strict=True) if box in g]
        sub = count_papers(POSTS, inside, overvote_scope, multi_post_rule)
        assert {k.split("#", 1)[1]: v for k, v in decrypted.items() if k.startswith(f"{GROUPS.index(g)}#")} \
            == label_totals(sub, POSTS, LISTED)
        by_group.append({"boxes": g, "papers": len(inside), "posts": {k: dict(c.votes) for k, c in sub.posts.items()}})
    document = recount_doc.document(doc, publics, shape, LISTED, enc, partials, decrypted, GROUPS)
    return (document, enc), ds, (totals_json(counts), by_group, dict(zip(ds, boxes, strict=True)))


def totals_json(counts) -> dict:
    """The parts of a bundle's totals.json the recount is checked against."""
    return {"returned": counts.papers,
            "posts": {k: dict(c.votes) for k, c in counts.posts.items()},
            "counts": {"whole_invalid": counts.whole_invalid,
                       "posts": {k: {"overvoted": c.overvoted, "unreadable": c.unreadable, "opposed": dict(c.opposed)}
                                 for k, c in counts.posts.items()}}}


@pytest.mark.parametrize(("overvote_scope", "multi_post_rule"), [
    ("post", "higher_post_first"), ("paper", "higher_post_first"),           # national, beijing
    ("post", "paper_invalid_for_person"), ("post", "higher_counts_for_lower"),  # zhejiang, older rule
])
def test_the_decrypted_totals_are_the_rules_count(keys, overvote_scope, multi_post_rule):
    (document, papers), ds, expected = make_round(keys, overvote_scope, multi_post_rule)
    checks = check((document, papers), ds, expected)
    assert [c.name for c in checks] == ["recount_format", "recount_trustees", "recount_papers", "recount_selections",
                                        "recount_seats", "recount_invalid_posts", "recount_decryption", "recount_totals",
                                        "recount_box_groups"]
    assert all(c.ok for c in checks)


@pytest.fixture(scope="module")
def good(keys):
    return make_round(keys, "post", "higher_post_first", n=5, seed=5)


def failed(member, ds, expected) -> str:
    bad = [c for c in check(member, ds, expected) if not c.ok]
    assert bad, "the tampered recount passed"
    return bad[0].name


def test_a_dropped_or_extra_ciphertext_fails_recount_papers(good):
    document, ds, expected = good
    dropped = copy.deepcopy(document)
    dropped[1].pop(3)
    assert failed(dropped, ds, expected) == "recount_papers"
    dropped[0]["papers"] -= 1      # recount.json agreeing with the shorter list
    assert failed(dropped, ds, expected) == "recount_papers"
    doubled = copy.deepcopy(document)
    doubled[1][3] = doubled[1][2]
    assert failed(doubled, ds, expected) == "recount_papers"
    assert failed(document, ds + ["ff" * 32], expected) == "recount_papers"
    assert failed(document, ds, (*expected[:2], {**expected[2], ds[0]: "Z"})) == "recount_papers"  # another box


def test_a_swapped_ciphertext_fails_recount_papers(good):
    document, ds, expected = good
    swapped = copy.deepcopy(document)
    papers = swapped[1]
    papers[0]["ct"]["jwh_zhuren/a0"], papers[1]["ct"]["jwh_zhuren/a0"] = \
        papers[1]["ct"]["jwh_zhuren/a0"], papers[0]["ct"]["jwh_zhuren/a0"]
    assert failed(swapped, ds, expected) == "recount_selections"   # each proof binds its paper's D
    reordered = copy.deepcopy(document)
    reordered[1][0], reordered[1][1] = reordered[1][1], reordered[1][0]
    assert failed(reordered, ds, expected) == "recount_papers"


def test_a_wrong_partial_or_total_fails_recount_decryption(good):
    document, ds, expected = good
    forged = copy.deepcopy(document)
    label = sorted(forged[0]["partials"][0]["partials"])[0]
    forged[0]["partials"][0]["partials"][label]["value"] = group.GENERATOR.hex()
    assert failed(forged, ds, expected) == "recount_decryption"
    raised = copy.deepcopy(document)
    raised[0]["decrypted"]["jwh_zhuren/a0"] += 1
    assert failed(raised, ds, expected) == "recount_decryption"
    alone = copy.deepcopy(document)
    alone[0]["partials"] = alone[0]["partials"][:1]
    assert failed(alone, ds, expected) == "recount_decryption"


def test_published_totals_that_differ_fail_recount_totals(good):
    document, ds, expected = good
    raised = copy.deepcopy(expected)
    raised[0]["posts"]["jwh_weiyuan"]["p7"] = raised[0]["posts"]["jwh_weiyuan"].get("p7", 0) + 1
    assert failed(document, ds, raised) == "recount_totals"


def test_box_groups_whose_totals_differ_fail_recount_box_groups(good):
    document, ds, expected = good
    # box_totals.json moving a vote from one group to the other (the whole unchanged).
    moved = copy.deepcopy(expected)
    first, second = moved[1][0]["posts"]["jwh_weiyuan"], moved[1][1]["posts"]["jwh_weiyuan"]
    donor = next(p for p in ("p5", "p6", "p7", "p8", "p9") if first.get(p, 0) > 0)
    first[donor] -= 1
    second[donor] = second.get(donor, 0) + 1
    assert failed(document, ds, moved) == "recount_box_groups"
    regrouped = copy.deepcopy(expected)
    regrouped[1][0]["boxes"] = ["A"]
    assert failed(document, ds, regrouped) == "recount_box_groups"
    # recount.json's group totals changed in step (one up, the other down): the trustees'
    # decryption of each group's sum says otherwise.
    shifted = copy.deepcopy(document)
    label = next(k for k, v in sorted(shifted[0]["groups"][1]["decrypted"].items()) if v > 0)
    shifted[0]["groups"][0]["decrypted"][label] += 1
    shifted[0]["groups"][1]["decrypted"][label] -= 1
    assert failed(shifted, ds, expected) == "recount_decryption"
    # A ciphertext moved to a box of the other group: its record says another box; without
    # records, the groups' sums no longer match what the trustees decrypted.
    moved_paper = copy.deepcopy(document)
    paper = next(p for p in moved_paper[1] if p["box"] == "C")
    paper["box"] = "A"
    assert failed(moved_paper, ds, expected) == "recount_papers"
    document2, papers = moved_paper
    found = [c for c in recount_doc.verify(document2, iter(papers), ds, expected[0], box_totals=expected[1])
             if not c.ok]
    assert found[0].name == "recount_decryption"
    lost = copy.deepcopy(document)
    next(p for p in lost[1] if p["box"] == "C")["box"] = "Z"
    found = [c for c in recount_doc.verify(lost[0], iter(lost[1]), ds, expected[0], box_totals=expected[1]) if not c.ok]
    assert found[0].name == "recount_box_groups"


def test_a_forged_trustee_fails_recount_trustees(good):
    document, ds, expected = good
    forged = copy.deepcopy(document)
    forged[0]["publics"][1]["commitments"][0] = group.base_mul(group.random_scalar()).hex()
    assert failed(forged, ds, expected) == "recount_trustees"


@pytest.mark.parametrize("junk", [None, [], {"format": "juxuan-recount-v3"}, {"format": "x", "papers": 0},
                                  {"format": "juxuan-recount-v3", "papers": True, "publics": [], "partials": [],
                                   "decrypted": {}, "ceremony": {}},
                                  {"format": "juxuan-recount-v3", "papers": 0, "publics": [], "partials": [],
                                   "decrypted": {"X": False}, "ceremony": {}}])
def test_junk_is_refused_by_name_not_by_traceback(junk):
    assert [c.name for c in recount_doc.verify(junk, [], [], None) if not c.ok] == ["recount_format"]


# -- forgeries refused by the verifier, each by the check of the rule it breaks -------------

def refused_by(keys, good, values: dict[str, int], weak: frozenset[str] = frozenset()) -> list[str]:
    """The checks that fail when the third paper of ``good`` is replaced by a forgery."""
    (document, papers), ds, expected = good
    shape, _ = recount_doc.parse_shapes(document["shapes"])
    forged = copy.deepcopy(papers)
    forged[2] = {**forged_paper(BASE, keys[3], papers[2]["d"], shape, values, weak), "box": papers[2]["box"]}
    return [c.name for c in check((document, forged), ds, expected) if not c.ok]


def test_an_honest_forgery_passes_the_papers_checks(keys, good):
    # The forger's tool itself is sound: with values the rules allow, only the totals differ.
    assert refused_by(keys, good, {"jwh_zhuren/a1": 1}) == ["recount_decryption"]   # partials of other totals


def test_a_record_encrypting_two_for_one_selection_fails_recount_selections(keys, good):
    assert refused_by(keys, good, {"jwh_weiyuan/o1": 2})[0] == "recount_selections"


def test_more_approvals_than_seats_fails_recount_seats(keys, good):
    assert refused_by(keys, good, {"jwh_zhuren/a0": 1, "jwh_zhuren/a1": 1}) == ["recount_seats"]
    assert refused_by(keys, good, {"jwh_weiyuan/w": 2, "jwh_weiyuan/a0": 1, "jwh_weiyuan/a1": 1}) == ["recount_seats"]


def test_an_invalid_post_or_paper_that_still_counts_fails_recount_invalid_posts(keys, good):
    # The post is invalid on the paper, yet an opposition is counted on it.
    assert refused_by(keys, good, {"jwh_zhuren/x": 1, "jwh_zhuren/o0": 1}) == ["recount_invalid_posts"]
    # The whole paper is invalid, yet one post counts as valid.
    whole = {"X": 1, "jwh_zhuren/x": 1, "jwh_fuzhuren/x": 1}
    assert refused_by(keys, good, whole) == ["recount_invalid_posts"]
    # Approvals on an invalid post break both rules that forbid them.
    assert refused_by(keys, good, {"jwh_weiyuan/x": 1, "jwh_weiyuan/a2": 1}) == ["recount_seats", "recount_invalid_posts"]


def test_a_weak_fiat_shamir_proof_fails_recount_selections(keys, good):
    assert refused_by(keys, good, {"jwh_fuzhuren/a0": 1}, weak=frozenset({"jwh_fuzhuren/a0"})) == ["recount_selections"]
