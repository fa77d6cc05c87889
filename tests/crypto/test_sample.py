"""The audit's sampled papers decrypted by two of three trustees (election/crypto/sample.py):
the combined values are each paper's counted vector; a wrong partial, a partial of a paper
not in the sample, a paper partly decrypted and a label without a quorum are refused; and
the audit's comparison with a decrypted record (rla_audit) is exact for listed persons and
the worst case for write-ins."""
from __future__ import annotations

import copy
import random

import pytest

from election.crypto import ceremony, group, recount_doc, sample
from election.crypto.record import paper_vector, shapes, vector_labels
from election.protocol import rla_audit
from election.protocol.rla_assert import OTHER, Assertion
from election.rules.rulebook import Rulebook
from election.rules.tally_types import PostSpec
from tests.crypto.test_recount_doc import BASE, LISTED, PASS, POSTS, random_paper
from tests.factories import offline_ceremony


@pytest.fixture(scope="module")
def keys():
    return offline_ceremony("e-9", BASE)


def _lines(keys, n: int = 5, seed: int = 7):
    _, _, _, key = keys
    rng = random.Random(seed)
    papers = [random_paper(rng) for _ in range(n)]
    post_shapes = shapes(POSTS, LISTED, "higher_post_first")
    vectors = [paper_vector(p, POSTS, LISTED, "post", "higher_post_first") for p in papers]
    ds = sorted(f"{rng.getrandbits(256):064x}" for _ in papers)
    lines = recount_doc.encrypt_round(BASE, key, post_shapes, [(d, "A", *v) for d, v in zip(ds, vectors, strict=True)])
    return post_shapes, lines, dict(zip(ds, vectors, strict=True))




def test_two_trustees_decrypt_exactly_the_sampled_papers(keys):
    doc, publics, sealed_keys, _ = keys
    post_shapes, lines, vectors = _lines(keys)
    drawn = lines[1:4]
    cts = sample.sample_ciphertexts(drawn)
    assert all(name.split(":")[0] in {x["d"] for x in drawn} for name in cts)
    partials = [ceremony.decrypt(doc, publics, cts, sealed_keys[i - 1], PASS, i) for i in (1, 3)]
    for p in partials:
        assert sample.check_partials(doc, publics, drawn, p) == sorted(x["d"] for x in drawn)
    got = sample.decrypt_sample(doc, publics, post_shapes, drawn, partials)
    assert got == {x["d"]: vector_labels(*vectors[x["d"]]) for x in drawn}

    # A trustee's partial of one label given for another: its proof fails.
    wrong = copy.deepcopy(partials)
    names = sorted(wrong[0]["partials"])
    wrong[0]["partials"][names[0]]["value"] = wrong[0]["partials"][names[1]]["value"]
    with pytest.raises(group.CryptoError) as refused:
        sample.decrypt_sample(doc, publics, post_shapes, drawn, wrong)
    assert refused.value.check == "decryption_proof"
    # A partial of a paper the sample does not hold: refused as not drawn.
    other = ceremony.decrypt(doc, publics, sample.sample_ciphertexts(lines[:1]), sealed_keys[0], PASS, 1)
    with pytest.raises(group.CryptoError) as refused:
        sample.check_partials(doc, publics, drawn, other)
    assert refused.value.check == "audit_sample_drawn"
    # Part of a paper: refused; and one trustee alone is no quorum.
    part = {"index": 1, "partials": dict(list(partials[0]["partials"].items())[:3])}
    with pytest.raises(group.CryptoError, match="不全"):
        sample.check_partials(doc, publics, drawn, part)
    with pytest.raises(group.CryptoError) as refused:
        sample.decrypt_sample(doc, publics, post_shapes, drawn, partials[:1])
    assert refused.value.check == "audit_sample_drawn"
    assert sample.merge([partials[0], part])[0]["partials"] == partials[0]["partials"]


SPECS = [PostSpec("p", "jwh", "委员", 1, 1)]


def _assertion(kind: str, a: str, b: str | None) -> Assertion:
    return Assertion(kind, "p", a, b, 10, 100, 0.6, 1.0, "t")  # type: ignore[arg-type]


def test_a_decrypted_record_is_exact_for_listed_persons_and_the_worst_case_for_write_ins():
    listed = {"p": ["c1", "c2"]}
    known = frozenset({"c1", "c2", "w1"})
    with_write_in = rla_audit.vector_record({"X": 0, "p/x": 0, "p/w": 1, "p/a0": 0, "p/o0": 0, "p/a1": 0, "p/o1": 0}, listed)
    for_c1 = rla_audit.vector_record({"X": 0, "p/x": 0, "p/w": 0, "p/a0": 1, "p/o0": 0, "p/a1": 0, "p/o1": 0}, listed)
    assert with_write_in is not None and for_c1 is not None
    on = frozenset(listed["p"])
    beats = _assertion("beats", "c1", "w1")
    # Listed: exact. c1's approval is decrypted, so c1 beats w1 on this record by one vote.
    assert rla_audit.record_assort(beats, for_c1, on, known) == beats.assort({"c1"}, known) == 1.0
    # One unnamed approval: w1 may not be its name, so the record is taken at its most for c1.
    assert rla_audit.record_assort(beats, with_write_in, on, known) == beats.assort(set(), known) == 0.5
    below = _assertion("below", "w1", None)
    assert rla_audit.record_assort(below, with_write_in, on, known) == below.assort(set(), known)
    above = _assertion("above", "w1", None)
    assert rla_audit.record_assort(above, with_write_in, on, known) == above.assort({"w1"}, known)
    other = _assertion("beats", "c1", OTHER)
    assert rla_audit.record_assort(other, with_write_in, on, known) == other.assort(set(), known)
    # The paper as read at the table, as labels: one write-in on p, nobody listed.
    rb = Rulebook()
    marks = {"p": {"approve": [], "oppose": [], "write_ins": ["w1"], "unreadable": False}}
    assert rla_audit.paper_labels(marks, SPECS, listed, rb) == with_write_in.labels
