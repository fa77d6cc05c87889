"""The public recount's cryptography: a 2-of-3 trustee key made without a dealer, papers
encrypted with their proofs, the homomorphic totals decrypted by every pair of trustees, and
each kind of tampering refused by its own check."""
from __future__ import annotations

import itertools
import random

import pytest

from election.crypto import group, proofs, trustees
from election.crypto.dlog import SmallLogs
from election.crypto.elgamal import Ciphertext, encrypt, total
from election.crypto.paper import PaperRefused, PostCount, PostShape, encrypt_paper, verify_paper
from election.crypto.tally import decrypt_totals, sum_by_label

BASE = bytes.fromhex("ab" * 32)
SHAPES = [PostShape("jwh_zhuren", 1, 2), PostShape("jwh_weiyuan", 3, 4)]


def ceremony(n: int = 3, quorum: int = 2):
    """Each trustee on their own device: polynomial, transport key, shares for the others."""
    polys, published, transport = [], [], []
    for i in range(1, n + 1):
        poly, commitments = trustees.new_polynomial(BASE, i, quorum)
        polys.append(poly)
        published.append(commitments)
        transport.append(trustees.new_transport_key())
    for commitments in published:
        trustees.check_commitments(BASE, quorum, commitments)
    secrets = []
    for j in range(1, n + 1):
        shares = []
        for poly, commitments in zip(polys, published, strict=True):
            sealed = trustees.seal_share_for(transport[j - 1][1], poly.index, j, poly.at(j))
            share = trustees.open_share(transport[j - 1][0], poly.index, j, sealed)
            trustees.check_share(j, share, commitments)
            shares.append(share)
        secret = trustees.combine_shares(shares)
        assert group.base_mul(secret) == trustees.verification_key(j, published)
        secrets.append(secret)
    return published, secrets, trustees.joint_key(published)


@pytest.fixture(scope="module")
def key_ceremony():
    return ceremony()


def random_count(rng: random.Random, shape: PostShape) -> PostCount:
    if rng.random() < 0.1:
        return PostCount(shape.key, (0,) * shape.candidates, (0,) * shape.candidates, 0, 1)
    chosen = set(rng.sample(range(shape.candidates), rng.randint(0, shape.seats)))
    write_ins = rng.randint(0, shape.seats - len(chosen))
    opposed = {i for i in range(shape.candidates) if i not in chosen and rng.random() < 0.3}
    return PostCount(shape.key, tuple(int(i in chosen) for i in range(shape.candidates)),
                     tuple(int(i in opposed) for i in range(shape.candidates)), write_ins, 0)


def plain_totals(counts: list[list[PostCount]], invalid_papers: list[int]) -> dict[str, int]:
    out: dict[str, int] = {"X": sum(invalid_papers)}
    for paper in counts:
        for c in paper:
            out[f"{c.key}/x"] = out.get(f"{c.key}/x", 0) + c.invalid
            out[f"{c.key}/w"] = out.get(f"{c.key}/w", 0) + c.write_ins
            for i, (a, o) in enumerate(zip(c.approvals, c.oppositions, strict=True)):
                out[f"{c.key}/a{i}"] = out.get(f"{c.key}/a{i}", 0) + a
                out[f"{c.key}/o{i}"] = out.get(f"{c.key}/o{i}", 0) + o
    return out


def test_every_pair_of_trustees_decrypts_the_totals_and_one_alone_cannot(key_ceremony):
    published, secrets, key = key_ceremony
    rng = random.Random(7)
    counts, invalid, verified = [], [], []
    for n in range(12):
        d = bytes([n]) * 32
        whole_invalid = int(n == 5)
        paper = [PostCount(s.key, (0,) * s.candidates, (0,) * s.candidates, 0, 1) for s in SHAPES] if whole_invalid \
            else [random_count(rng, s) for s in SHAPES]
        counts.append(paper)
        invalid.append(whole_invalid)
        sealed = encrypt_paper(BASE, key, d, SHAPES, paper, whole_invalid)
        verified.append(verify_paper(BASE, key, d, SHAPES, sealed.to_json(), f"记录 {n}"))
    sums = sum_by_label(verified)
    expected = plain_totals(counts, invalid)
    logs = SmallLogs(100)
    for pair in itertools.combinations(range(1, 4), 2):
        partials = {label: [trustees.partial_decrypt(BASE, i, secrets[i - 1], c, label.encode()) for i in pair]
                    for label, c in sums.items()}
        assert decrypt_totals(BASE, 2, published, sums, partials, logs) == expected
    alone = {label: [trustees.partial_decrypt(BASE, 1, secrets[0], c, label.encode())] for label, c in sums.items()}
    with pytest.raises(group.CryptoError) as refused:
        decrypt_totals(BASE, 2, published, sums, alone, logs)
    assert refused.value.check == "quorum" and "至少 2 位受托人" in refused.value.message


def test_a_trustee_share_opens_only_with_its_passphrase(key_ceremony):
    _, secrets, _ = key_ceremony
    sealed = trustees.seal_secret(secrets[0], "长安街一号的受托人口令")
    assert trustees.open_secret(sealed, "长安街一号的受托人口令") == secrets[0]
    with pytest.raises(group.CryptoError) as wrong:
        trustees.open_secret(sealed, "长安街二号的受托人口令")
    assert wrong.value.check == "passphrase"


def sealed_paper(key: bytes, d: bytes, approvals=(1, 0), write_ins=0, invalid=0):
    counts = [PostCount("jwh_zhuren", approvals, (0, 0), write_ins, invalid),
              PostCount("jwh_weiyuan", (1, 1, 0, 0), (0, 0, 1, 0), 1, 0)]
    return encrypt_paper(BASE, key, d, SHAPES, counts).to_json()


def check_fails(key: bytes, d: bytes, data: dict, check: str, shapes=SHAPES) -> None:
    """The paper is refused, ``check`` among the kinds of its proofs that fail (or its form)."""
    with pytest.raises(group.CryptoError) as failed:
        verify_paper(BASE, key, d, shapes, data, "记录")
    kinds = set(failed.value.failed) if isinstance(failed.value, PaperRefused) else {failed.value.check}
    assert check in kinds, failed.value


def test_a_record_encrypting_two_for_one_selection_is_refused(key_ceremony):
    _, _, key = key_ceremony
    d = bytes(range(32))
    data = sealed_paper(key, d, approvals=(0, 0))
    data["ct"]["jwh_zhuren/a0"] = encrypt(key, 2, group.random_scalar()).to_json()
    check_fails(key, d, data, "selection_proof")
    # nor can the prover make such a proof
    c = encrypt(key, 2, group.scalar_of(5))
    with pytest.raises(group.CryptoError):
        proofs.prove_range(BASE, key, c, 2, group.scalar_of(5), 1)


def test_more_approvals_than_seats_and_an_invalid_post_that_counts_are_refused(key_ceremony):
    _, _, key = key_ceremony
    d = bytes(range(32))
    with pytest.raises(group.CryptoError):
        sealed_paper(key, d, approvals=(1, 1))               # two approvals on a one-seat post
    with pytest.raises(group.CryptoError):
        sealed_paper(key, d, approvals=(1, 0), invalid=1)    # an invalid post that still counts
    # A forger with the two-seat proofs of a paper claims it is of one seat: refused.
    wide = [PostShape("jwh_zhuren", 2, 2), SHAPES[1]]
    counts = [PostCount("jwh_zhuren", (1, 1), (0, 0)), PostCount("jwh_weiyuan", (0, 0, 0, 0), (0, 0, 0, 0))]
    forged = encrypt_paper(BASE, key, d, wide, counts).to_json()
    check_fails(key, d, forged, "seats_proof")
    # A forger swapping in an approval ciphertext on an invalid post: refused.
    data = sealed_paper(key, d, approvals=(0, 0), invalid=1)
    data["ct"]["jwh_zhuren/a0"] = sealed_paper(key, d)["ct"]["jwh_zhuren/a0"]
    check_fails(key, d, data, "invalid_post_proof")


def test_swapped_or_dropped_ciphertexts_are_refused(key_ceremony):
    _, _, key = key_ceremony
    d1, d2 = bytes([1]) * 32, bytes([2]) * 32
    one, two = sealed_paper(key, d1), sealed_paper(key, d2)
    swapped = dict(one, ct=dict(one["ct"], **{"jwh_weiyuan/a0": two["ct"]["jwh_weiyuan/a0"]}))
    check_fails(key, d1, swapped, "selection_proof")
    check_fails(key, d2, one, "selection_proof")        # a whole record moved to another paper's D
    dropped = dict(one, ct={k: v for k, v in one["ct"].items() if k != "jwh_weiyuan/w"})
    check_fails(key, d1, dropped, "paper_format")


def weak_range_proof(key: bytes, c: Ciphertext, value: int, nonce: bytes) -> proofs.RangeProof:
    """A 0/1 proof made with weak Fiat–Shamir: the challenge hashes the commitments only."""
    w = group.random_scalar()
    other = 1 - value
    c_other, z_other = group.random_scalar(), group.random_scalar()
    commitments = {value: (group.base_mul(w), group.mul(w, key))}
    commitments[other] = (group.sub(group.base_mul(z_other), group.mul(c_other, c.alpha)),
                          group.sub(group.mul(z_other, key), group.mul(c_other, group.sub(c.beta, group.small_mul(other)))))
    weak = group.hash_to_scalar(proofs.RANGE_TAG, *commitments[0], *commitments[1])
    c_value = group.scalar_sub(weak, c_other)
    z_value = group.scalar_add(w, group.scalar_mul(c_value, nonce))
    cs, zs = {value: c_value, other: c_other}, {value: z_value, other: z_other}
    return proofs.RangeProof((cs[0], cs[1]), (zs[0], zs[1]))


def test_a_proof_whose_challenge_omits_the_statement_is_refused(key_ceremony):
    _, _, key = key_ceremony
    nonce = group.random_scalar()
    c = encrypt(key, 1, nonce)
    weak = weak_range_proof(key, c, 1, nonce)
    # The proof is sound under its own weak rule: its branches' challenges add up to the hash
    # of the commitments the verifier recomputes ...
    recomputed = []
    for j in range(2):
        recomputed += [group.sub(group.base_mul(weak.responses[j]), group.mul(weak.challenges[j], c.alpha)),
                       group.sub(group.mul(weak.responses[j], key),
                                 group.mul(weak.challenges[j], group.sub(c.beta, group.small_mul(j))))]
    assert group.scalar_add(*weak.challenges) == group.hash_to_scalar(proofs.RANGE_TAG, *recomputed)
    # ... and the verifier, which hashes the statement too, refuses it.
    with pytest.raises(group.CryptoError) as failed:
        proofs.verify_range(BASE, key, c, weak, 1)
    assert failed.value.check == "range_proof"
    proofs.verify_range(BASE, key, c, proofs.prove_range(BASE, key, c, 1, nonce, 1), 1)


def test_wrong_partial_decryption_is_refused(key_ceremony):
    published, secrets, key = key_ceremony
    c = total([encrypt(key, 1, group.random_scalar()) for _ in range(3)])
    good = trustees.partial_decrypt(BASE, 1, secrets[0], c, b"t")
    trustees.check_partial(BASE, published, c, b"t", good)
    bad = trustees.Partial(1, group.add(good.value, group.GENERATOR), good.proof)
    with pytest.raises(group.CryptoError) as failed:
        trustees.check_partial(BASE, published, c, b"t", bad)
    assert failed.value.check == "decryption_proof"
    other = trustees.partial_decrypt(BASE, 2, secrets[1], c, b"t")
    with pytest.raises(group.CryptoError):   # trustee 2's partial claimed as trustee 1's
        trustees.check_partial(BASE, published, c, b"t", trustees.Partial(1, other.value, other.proof))


def test_points_from_outside_are_decoded_canonically():
    with pytest.raises(group.CryptoError) as identity:
        group.point(group.IDENTITY, what="公钥")
    assert identity.value.check == "point_identity"
    with pytest.raises(group.CryptoError):
        group.point(b"\xff" * 32)
    with pytest.raises(group.CryptoError):
        group.scalar(b"\xff" * 32)              # not reduced
    assert group.small_mul(0) == group.IDENTITY  # a zero vote needs no 0·G term


def test_a_total_outside_the_table_fails_instead_of_looping():
    logs = SmallLogs(10)
    assert logs.log(group.small_mul(7), "t") == 7
    with pytest.raises(group.CryptoError) as failed:
        logs.log(group.small_mul(11), "t")
    assert failed.value.check == "dlog"
