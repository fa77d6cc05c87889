"""Receipt and audit codes (DESIGN.md, ledger protocol: T and A, R and D)."""
from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from election.protocol import codes


def test_human_form_round_trips_with_typing_noise() -> None:
    """A resident may type lower case, spaces, dashes, O for 0 and I/L for 1."""
    for _ in range(200):
        c = codes.new_code()
        h = codes.human(c)
        assert len(h) == 28 + 6 and h.count("-") == 6
        assert codes.parse(h) == c
        noisy = h.lower().replace("-", " ").replace("0", "o").replace("1", "l")
        assert codes.parse(noisy) == c
        assert codes.parse(codes.compact(c)) == c


def test_mistyped_character_is_refused_by_the_check_characters() -> None:
    c = bytes(range(16))
    h = codes.human(c).replace("-", "")
    wrong = h[:5] + ("A" if h[5] != "A" else "B") + h[6:]
    with pytest.raises(codes.CodeError, match="校验位"):
        codes.parse(wrong)


def test_wrong_length_message_names_the_count() -> None:
    with pytest.raises(codes.CodeError, match="实际输入了 5 个字符"):
        codes.parse("ABCDE")


def test_qr_payloads_and_url_parsing() -> None:
    c = codes.new_code()
    url = codes.receipt_qr(c, "HTTPS://JX.EXAMPLE.CN/R/")
    assert url == "HTTPS://JX.EXAMPLE.CN/R/" + codes.compact(c)
    assert codes.parse(url) == c
    a = codes.new_code()
    assert codes.parse_audit_qr(codes.audit_qr(a)) == a
    with pytest.raises(codes.CodeError, match="审计码"):
        codes.parse(codes.audit_qr(a))  # a body QR typed into the receipt check is refused
    with pytest.raises(codes.CodeError):
        codes.parse_audit_qr(url)


def test_hash_byte_layout_is_the_documented_one() -> None:
    """docs/PROTOCOL.md §1: SHA-256(lp(tag) | lp(election) | lp(code)), 4-byte big-endian lengths."""
    t = bytes(16)
    e = "E1"
    expect = hashlib.sha256(
        b"\x00\x00\x00\x11juxuan/receipt/v1" + b"\x00\x00\x00\x02E1" + b"\x00\x00\x00\x10" + t
    ).hexdigest()
    assert codes.receipt_hash(e, t) == expect
    assert codes.audit_hash(e, t) != expect  # domain separation
    assert codes.receipt_hash("E2", t) != expect  # election separation


def test_a_lone_slash_or_a_url_without_a_code_is_refused_by_length() -> None:
    """A scanner's or a resident's "/" (or "https://x/") once raised IndexError in
    scanned_text: the receipt page and the desk's card scan answered 500."""
    for text in ("/", "///", " / ", "https://jx.example.cn/r/"):
        with pytest.raises(codes.CodeError, match="实际输入了"):
            codes.parse(text)


_TYPED = st.sampled_from(list("0123456789ABCDEFGHJKMNPQRSTVWXYZabcilo-_ /:.\u3000\uff10\x00\n"))


@settings(max_examples=400, deadline=None, database=None)
@given(st.one_of(st.text(max_size=80), st.text(_TYPED, max_size=60)))
def test_anything_typed_is_a_code_or_a_code_error(text: str) -> None:
    """Fuzzed: what a resident types or a scanner sends gives the code or CodeError, whose
    message formats (the page shows it), never another exception."""
    try:
        assert len(codes.parse(text)) == codes.CODE_BYTES
    except codes.CodeError as error:
        assert str(error) == error.template % error.fields
