"""`make bench`: encrypting and proving one ballot of 15 selections, and verifying it, with
Juxuan's group (ristretto255 through libsodium) against the same proofs in ElectionGuard's
group (its published 4096-bit constants, modular exponentiation by gmpy2.powmod as
electionguard-python does), measured side by side in one run.

Both sides do the same work per selection: an exponential ElGamal encryption and a
disjunctive Chaum–Pedersen proof of 0/1 with a Fiat–Shamir challenge over the statement and
the four commitments; verification takes the ciphertext and proof as received, checks that
α and β are elements of the group (Juxuan: canonical ristretto255 encodings; ElectionGuard's
group: 0 < x < p and x^q = 1, as electionguard-python's ``is_valid`` does with
``is_valid_residue``) and that the scalars are reduced, then recomputes the commitments and
the challenge.

The two sides are timed in alternation, one paired round after another (CPU time of this
process), and each ratio is the median of the rounds' ratios: on a shared machine whose load
changes from second to second, two sides timed one after the other would each meet a
different load."""
from __future__ import annotations

import hashlib
import secrets
import statistics
import time
from collections.abc import Callable
from typing import Any

import gmpy2

from election.crypto import group, proofs
from election.crypto.elgamal import encrypt, parse

SELECTIONS = 15

# ElectionGuard's standard constants (electionguard-python, src/electionguard/constants.py;
# ElectionGuard specification v1.0 "Baseline parameters"): q = 2^256 − 189, p a 4096-bit
# prime with p − 1 = q·r, g = 2^r mod p.
EG_Q = 2**256 - 189
EG_P = int(
    "1044388881413152506691752710716624382579964249047383780384233483283953907971553643537729993126875883902173634017777416360502926082946377942955704498542097614841825246773580689398386320439747911160897731551074903967243883427132918813748016269754522343505285898816777211761912392772914485521155521641049273446207578961939840619466145806859275053476560973295158703823395710210329314709715239251736552384080845836048778667318931418338422443891025911884723433084701207771901944593286624979917391350564662632723703007964229849154756196890615252286533089643184902706926081744149289517418249153634178342075381874131646013444796894582106870531535803666254579602632453103741452569793905551901541856173251385047414840392753585581909950158046256810542678368121278509960520957624737942914600310646609792665012858397381435755902851312071248102599442308951327039250818892493767423329663783709190716162023529669217300939783171415808233146823000766917789286154006042281423733706462905243774854543127239500245873582012663666430583862778167369547603016344242729592244544608279405999759391099769165589722584216017468464576217318557948461765770700913220460557598574717173408252913596242281190298966500668625620138188265530628036538314433100326660047110143"
)
EG_R = (EG_P - 1) // EG_Q
EG_G = pow(2, EG_R, EG_P)


class IntegerGroup:
    """The same encryption and 0/1 proof in the ElectionGuard group, for comparison only."""

    def __init__(self) -> None:
        assert (EG_P - 1) % EG_Q == 0 and gmpy2.powmod(EG_G, EG_Q, EG_P) == 1
        self.p, self.q, self.g = gmpy2.mpz(EG_P), gmpy2.mpz(EG_Q), gmpy2.mpz(EG_G)
        self.secret = gmpy2.mpz(secrets.randbelow(EG_Q - 1) + 1)
        self.key = gmpy2.powmod(self.g, self.secret, self.p)

    def pow(self, base: Any, exponent: Any) -> Any:
        return gmpy2.powmod(base, exponent, self.p)

    def challenge(self, *parts: Any) -> Any:
        digest = hashlib.sha256()
        for part in parts:
            digest.update(int(part).to_bytes(513, "big"))
        return gmpy2.mpz(int.from_bytes(digest.digest(), "big")) % self.q

    def rand(self) -> Any:
        return gmpy2.mpz(secrets.randbelow(EG_Q))

    def encrypt_and_prove(self, m: int) -> tuple[Any, ...]:
        p, q, g, key = self.p, self.q, self.g, self.key
        r = self.rand()
        alpha, beta = self.pow(g, r), (self.pow(g, m) * self.pow(key, r)) % p
        other = 1 - m
        c_o, z_o, w = self.rand(), self.rand(), self.rand()
        inv_alpha = gmpy2.invert(alpha, p)
        shifted = (beta * gmpy2.invert(self.pow(g, other), p)) % p
        a_o = (self.pow(g, z_o) * self.pow(inv_alpha, c_o)) % p
        b_o = (self.pow(key, z_o) * self.pow(gmpy2.invert(shifted, p), c_o)) % p
        a_m, b_m = self.pow(g, w), self.pow(key, w)
        a = {m: (a_m, b_m), other: (a_o, b_o)}
        c = self.challenge(key, alpha, beta, *a[0], *a[1])
        c_m = (c - c_o) % q
        z_m = (w + c_m * r) % q
        cs, zs = {m: c_m, other: c_o}, {m: z_m, other: z_o}
        return alpha, beta, (cs[0], cs[1]), (zs[0], zs[1])

    def member(self, x: Any) -> bool:
        return bool(0 < x < self.p and gmpy2.powmod(x, self.q, self.p) == 1)

    def verify(self, ballot: tuple[Any, ...]) -> bool:
        p, q, g, key = self.p, self.q, self.g, self.key
        alpha, beta, cs, zs = ballot
        if not (self.member(alpha) and self.member(beta) and all(0 <= x < q for x in (*cs, *zs))):
            return False
        inv_alpha = gmpy2.invert(alpha, p)
        commitments = []
        for j in range(2):
            shifted = (beta * gmpy2.invert(self.pow(g, j), p)) % p
            commitments += [(self.pow(g, zs[j]) * self.pow(inv_alpha, cs[j])) % p,
                            (self.pow(key, zs[j]) * self.pow(gmpy2.invert(shifted, p), cs[j])) % p]
        return bool((cs[0] + cs[1]) % q == self.challenge(key, alpha, beta, *commitments))


def _cpu(fn: Callable[[], object], times: int) -> float:
    start = time.process_time()
    for _ in range(times):
        fn()
    return (time.process_time() - start) / times


def bench_recount(rounds: int = 9, ballots: int = 12) -> dict[str, object]:
    """Per round: ``ballots`` Juxuan ballots and one ElectionGuard-group ballot, encrypted and
    proved, then verified; the ratios are the medians over the rounds."""
    base = bytes(32)
    key = group.base_mul(group.random_scalar())
    votes = [i % 2 for i in range(SELECTIONS)]

    def ours_encrypt() -> list[tuple[list[str], dict[str, list[str]]]]:
        out = []
        for i, m in enumerate(votes):
            nonce = group.random_scalar()
            c = encrypt(key, m, nonce)
            out.append((c.to_json(), proofs.prove_range(base + bytes([i]), key, c, m, nonce, 1).to_json()))
        return out

    sample = ours_encrypt()

    def ours_verify() -> None:
        # As a verifier receives them: hex parsed, points and scalars checked, then the proof.
        for i, (ct, proof) in enumerate(sample):
            c = parse(ct, "bench")
            proofs.verify_range(base + bytes([i]), key, c, proofs.parse_range(proof, "bench"), 1)

    eg = IntegerGroup()
    eg_sample = [eg.encrypt_and_prove(m) for m in votes]
    assert all(eg.verify(b) for b in eg_sample)

    def eg_encrypt() -> None:
        for m in votes:
            eg.encrypt_and_prove(m)

    def eg_verify() -> None:
        if not all(eg.verify(b) for b in eg_sample):
            raise AssertionError("ElectionGuard-group proof refused")

    enc: list[tuple[float, float]] = []
    ver: list[tuple[float, float]] = []
    for _ in range(rounds):
        enc.append((_cpu(ours_encrypt, ballots), _cpu(eg_encrypt, 1)))
        ver.append((_cpu(ours_verify, ballots), _cpu(eg_verify, 1)))
    enc_ratios = sorted(e / o for o, e in enc)
    ver_ratios = sorted(e / o for o, e in ver)
    return {
        "ratio": round(statistics.median(enc_ratios), 1),
        "verify_ratio": round(statistics.median(ver_ratios), 1),
        "encrypt_ratio_range": f"{enc_ratios[0]:.1f}-{enc_ratios[-1]:.1f}",
        "verify_ratio_range": f"{ver_ratios[0]:.1f}-{ver_ratios[-1]:.1f}",
        "juxuan_encrypt_ms": round(statistics.median(o for o, _ in enc) * 1000, 2),
        "juxuan_verify_ms": round(statistics.median(o for o, _ in ver) * 1000, 2),
        "electionguard_group_encrypt_ms": round(statistics.median(e for _, e in enc) * 1000, 1),
        "electionguard_group_verify_ms": round(statistics.median(e for _, e in ver) * 1000, 1),
        "selections": SELECTIONS,
        "rounds": rounds,
    }


if __name__ == "__main__":
    print(bench_recount())
