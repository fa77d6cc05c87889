"""Papers forged as a forger holding every nonce would make them, for the tampering tests
of both verifiers: every statement that holds proved honestly, the one that does not given a
proof of the same form that cannot verify (or, on request, a weak Fiat–Shamir proof)."""
from __future__ import annotations

from election.crypto import group, proofs
from election.crypto.elgamal import Ciphertext, encrypt
from election.crypto.paper import _context, labels


def forged_paper(base: bytes, key: bytes, d: str, shape, values: dict[str, int], weak: frozenset[str] = frozenset()) -> dict:
    """A paper as a forger holding every nonce makes it: each ciphertext of ``values`` (0 where
    not given), every proof that can be made made honestly, and for a statement that does not
    hold (a value out of its range) a proof of the same form that cannot verify. Labels in
    ``weak`` get a 0/1 proof made with weak Fiat–Shamir (the challenge over the commitments
    only), sound under its own rule."""
    raw_d = bytes.fromhex(d)
    nonces = {label: group.random_scalar() for label in labels(shape)}
    value = {label: values.get(label, 0) for label in labels(shape)}
    cts = {label: encrypt(key, value[label], nonces[label]) for label in labels(shape)}
    pf: dict[str, dict] = {}

    def prove(name: str, c: Ciphertext, v: int, r: bytes, bound: int) -> None:
        if name in weak:
            proof = weak_proof(key, c, v, r)
        elif 0 <= v <= bound:
            proof = proofs.prove_range(_context(base, raw_d, name), key, c, v, r, bound)
        else:   # no true proof exists: the forger's best is a proof of another statement
            proof = proofs.prove_range(_context(base, raw_d, name), key, encrypt(key, 0, r), 0, r, bound)
        pf[name] = proof.to_json()

    def add(*parts: tuple[int, str]) -> tuple[Ciphertext, int, bytes]:
        c, v, r = Ciphertext(group.IDENTITY, group.IDENTITY), 0, group.ZERO
        for k, label in parts:
            scaled = cts[label].times(k) if k >= 0 else cts[label].times(-k)
            if k >= 0:
                c = c.plus(scaled)
            else:
                c = Ciphertext(group.sub(c.alpha, scaled.alpha), group.sub(c.beta, scaled.beta))
            v += k * value[label]
            r = group.scalar_add(r, group.scalar_mul(group.scalar_of(k), nonces[label]))
        return c, v, r

    prove("X", cts["X"], value["X"], nonces["X"], 1)
    for s in shape:
        p = s.key
        prove(f"{p}/x", cts[f"{p}/x"], value[f"{p}/x"], nonces[f"{p}/x"], 1)
        prove(f"{p}/w", cts[f"{p}/w"], value[f"{p}/w"], nonces[f"{p}/w"], s.seats)
        for i in range(s.candidates):
            for kind in "ao":
                prove(f"{p}/{kind}{i}", cts[f"{p}/{kind}{i}"], value[f"{p}/{kind}{i}"], nonces[f"{p}/{kind}{i}"], 1)
            prove(f"{p}/m{i}", *add((1, f"{p}/a{i}"), (1, f"{p}/o{i}"), (1, f"{p}/x")), 1)
        prove(f"{p}/seats", *add((1, f"{p}/w"), (s.seats, f"{p}/x"), *[(1, f"{p}/a{i}") for i in range(s.candidates)]), s.seats)
        prove(f"{p}/xX", *add((1, f"{p}/x"), (-1, "X")), 1)
    return {"ct": {k: c.to_json() for k, c in sorted(cts.items())}, "pf": dict(sorted(pf.items())), "d": d}


def weak_proof(key: bytes, c, value: int, nonce: bytes):
    """A 0/1 proof whose challenge hashes the commitments only, not the statement."""

    w = group.random_scalar()
    other = 1 - value
    c_other, z_other = group.random_scalar(), group.random_scalar()
    made = {value: (group.base_mul(w), group.mul(w, key)),
            other: (group.sub(group.base_mul(z_other), group.mul(c_other, c.alpha)),
                    group.sub(group.mul(z_other, key), group.mul(c_other, group.sub(c.beta, group.small_mul(other)))))}
    c_value = group.scalar_sub(group.hash_to_scalar(proofs.RANGE_TAG, *made[0], *made[1]), c_other)
    cs, zs = {value: c_value, other: c_other}, {value: group.scalar_add(w, group.scalar_mul(c_value, nonce)), other: z_other}
    return proofs.RangeProof((cs[0], cs[1]), (zs[0], zs[1]))
