"""Hash chain and signatures (DESIGN.md: hash chain of all events from a genesis, signed head)."""
from __future__ import annotations

from dataclasses import replace

import pytest

from election.protocol import chain, signing
from election.protocol.canonical import canonical_json


def _chain(n: int = 5) -> list[chain.Event]:
    evs = [chain.genesis("E1", "a" * 64, "b" * 64, "KEY")]
    for i in range(n):
        evs.append(chain.append(evs[-1], "deposit", {"box": "A", "n": i, "名": "张三"}, at="2026-11-23T09"))
    return evs


def _foreign(seq: int) -> chain.Event:
    """An event with the right seq from another election's chain."""
    evs = [chain.genesis("E2", "a" * 64, "b" * 64, "KEY")]
    while evs[-1].seq < seq:
        evs.append(chain.append(evs[-1], "deposit", {"box": "A", "n": evs[-1].seq, "名": "张三"}, at="2026-11-23T09"))
    return evs[-1]


def test_canonical_json_is_sorted_compact_utf8_and_refuses_floats() -> None:
    assert canonical_json({"b": 1, "a": ["张", True, None]}) == '{"a":["张",true,null],"b":1}'.encode()
    with pytest.raises(ValueError, match="浮点数"):
        canonical_json({"x": 0.5})


def test_sound_chain_verifies_and_round_trips_jsonl() -> None:
    evs = _chain()
    assert chain.verify_chain(evs) == []
    assert chain.from_jsonl(chain.to_jsonl(evs)) == evs


@pytest.mark.parametrize(
    "tamper, code, seq",
    [
        (lambda e: e[:2] + [e[3], e[2]] + e[4:], "chain.seq", "3"),
        (lambda e: e[:3] + [replace(e[3], payload={"box": "B"})] + e[4:], "chain.hash", "3"),
        (lambda e: e[:3] + e[4:], "chain.seq", "4"),
        (lambda e: e[1:], "chain.genesis", "0"),
        (lambda e: e[:2] + [_foreign(2)] + e[3:], "chain.link", "2"),
    ],
    ids=["reordered", "edited", "dropped", "no-genesis", "spliced"],
)
def test_tampered_chain_names_the_first_bad_event(tamper, code: str, seq: str) -> None:
    found = chain.verify_chain(tamper(_chain()))
    assert [(f.code, f.subject) for f in found] == [(code, seq)]


def test_private_key_is_stored_encrypted_and_reloads() -> None:
    k = signing.generate_key()
    pem = signing.private_key_to_pem(k, b"s3cret")
    assert b"ENCRYPTED" in pem
    again = signing.private_key_from_pem(pem, b"s3cret")
    assert signing.fingerprint(again.public_key()) == signing.fingerprint(k.public_key())
    with pytest.raises(ValueError):
        signing.private_key_from_pem(pem, b"wrong")


def test_fingerprint_format() -> None:
    fp = signing.fingerprint(signing.generate_key().public_key())
    groups = fp.split(" ")
    assert len(groups) == 8 and all(len(g) == 4 for g in groups)


def test_head_signature_and_office_countersignature() -> None:
    k, office = signing.generate_key(), signing.generate_key()
    head = _chain()[-1]
    s = signing.sign(k, signing.head_statement("E1", head.seq, head.hash, "2026-11-23"))
    assert signing.verify(k.public_key(), s)
    assert not signing.verify(office.public_key(), s)
    forged = replace(s, statement={**s.statement, "seq": head.seq + 1})
    assert not signing.verify(k.public_key(), forged)
    cs = signing.sign(office, signing.result_statement("E1", head.hash, "c" * 64, "2026-11-24"))
    assert signing.verify(office.public_key(), cs)
