"""The verifier's quick reading (orjson) proves no more than the strict one: orjson's sorted
compact bytes are canonical_json's for every code point, and each quick path either
declines or returns exactly what the strict parser would, so every hostile text still
reaches the strict parser and fails the check it failed before."""
from __future__ import annotations

import pytest

from election.protocol import bundle
from election.protocol.canonical import canonical_json, digest, digest_read
from election.protocol.verify import verify_bundle
from election.protocol.verify_read import (
    _MISS,
    NotCanonical,
    Rec,
    Shared,
    _quick_record,
    canonical_line,
    parse_json,
    quick_canonical,
)
from tests.protocol.builder import Built, build
from tests.protocol.forgeries import reseal


@pytest.fixture(scope="module")
def built() -> Built:
    return build()


EVERY_CHAR = [chr(cp) for cp in range(0x110000) if not 0xD800 <= cp < 0xE000]


def test_orjson_writes_every_code_point_and_key_order_as_canonical_json() -> None:
    import orjson

    assert orjson.dumps(EVERY_CHAR) == canonical_json(EVERY_CHAR)
    keys = {c: i for i, c in enumerate(reversed(EVERY_CHAR))}
    assert orjson.dumps(keys, option=orjson.OPT_SORT_KEYS) == canonical_json(keys)
    value = {"b": [1, -(2**53 - 1), 2**53 - 1, True, None, "\u2028\x7f\"\\/"], "a": {"z": {}, "y": []}}
    assert digest_read(value) == digest(value)


def _strict(text: bytes):
    """What the strict reader makes of a text: its value, or None when it refuses it."""
    try:
        value = parse_json(text)
        return value if canonical_line(value) == text + b"\n" else None
    except (ValueError, NotCanonical, RecursionError, UnicodeError):
        return None


HOSTILE = [
    b"1.0", b"[1.0]", b'{"a":1e5}', b'{"a":-0}', b"[9007199254740992]", b"[-9007199254740992]",
    b"[18446744073709551615]", b"[99999999999999999999]", b'{"a":1,"a":1}', b'{"a":1,"a":2}', b'"\\ud800"',
    b'{"b":1,"a":2}', b'{"a": 1}', b'["\\u00e9"]', b'["\\/"]', b"[NaN]", b"[Infinity]", b"\xef\xbb\xbf[]",
    b'["\xff"]', b"[" * 2000 + b"]" * 2000, b"[01]", b"[]x", b'"\\u0041"', b'"\\ud83d\\ude00"',
]
FINE = [b"[9007199254740991]", b"[-9007199254740991]", b'{"a":"\xc3\xa9","b":[true,false,null]}', b'"\\u001f"',
        b'"\\n\\"\\\\"', b"{}", b"[]", b'"\xf0\x9f\x98\x80"']


@pytest.mark.parametrize("text", HOSTILE + FINE)
def test_quick_reading_declines_or_agrees_with_the_strict_reader(text: bytes) -> None:
    quick = quick_canonical(text)
    strict = _strict(text)
    if text in FINE:
        assert quick is not _MISS and quick == strict
    else:
        assert strict is None and quick is _MISS


D = "ab" * 32
MARKS = b'{"wy":{"approve":["p3"]},"zr":{"approve":["p1"]}}'
RECORD_LINES = [
    b'{"box":"A","d":"' + D.encode() + b'","marks":' + MARKS + b"}",
    b'{"box":"A\\",\\"d\\":\\"x","d":"' + D.encode() + b'","marks":' + MARKS + b"}",  # a box holding ,"d":" escaped
    b'{"box":"\\u0041","d":"' + D.encode() + b'","marks":' + MARKS + b"}",  # an escape canonical JSON does not write
    b'{"box":"A","d":"' + D.upper().encode() + b'","marks":' + MARKS + b"}",
    b'{"box":"A","d":"' + D.encode() + b'","marks":{"zr":{"approve":["p1"],"unreadable":1.0}}}',
    b'{"box":"A","d":"' + D.encode() + b'","marks":{"zr":{"n":9007199254740993}}}',
    b'{"box":"A","d":"' + D.encode() + b'","marks":{"zr":{"approve":["p1"]},"zr":{"approve":["p2"]}}}',
    b'{"box":"A","d":"' + D.encode() + b'","marks":{"zr":{"approve":["p1"]},"wy":{}}}',
    b'{"box":"A","d":"' + D.encode() + b'","marks":{"zr":["p1"]}}',
    b'{"box":"A","d":"' + D.encode() + b'","marks":{"zr":{"approve": ["p1"]}}}',
    b'{"box":"A","d":"' + D.encode() + b'","marks":' + MARKS + b',"x":1}',
    b'{"box":1,"d":"' + D.encode() + b'","marks":' + MARKS + b"}",
    b'{"box":"A","d":"' + D[:-2].encode() + b'","marks":' + MARKS + b"}",
]


@pytest.mark.parametrize("line", RECORD_LINES)
def test_quick_record_declines_or_agrees_with_the_strict_reader(line: bytes) -> None:
    rec = _quick_record(line, Shared())
    strict = _strict(line)
    if rec is None:
        return
    assert strict is not None
    assert rec == Rec(strict["d"], strict["box"], canonical_json(strict["marks"]))
    assert isinstance(strict["box"], str) and set(strict) == {"box", "d", "marks"}
    assert all(isinstance(m, dict) for m in strict["marks"].values())


def test_the_quick_path_takes_the_plain_record_and_the_escaped_box() -> None:
    # Not only declining: the common lines are read the quick way.
    assert _quick_record(RECORD_LINES[0], Shared()) == Rec(D, "A", MARKS)
    assert _quick_record(RECORD_LINES[1], Shared()) == Rec(D, 'A","d":"x', MARKS)


@pytest.mark.parametrize("marks", [b'{"zr":{"approve":["p1"],"unreadable":1.0}}',
                                   b'{"zr":{"approve":["p1"]},"zr":{"approve":["p2"]}}',
                                   b'{"zr":{"approve": ["p1"]}}'])
def test_a_resealed_record_with_a_hostile_mark_fails_canonical(built: Built, marks: bytes) -> None:
    files = bundle.render(built.parts)
    lines = files["records.jsonl"].splitlines(keepends=True)
    head, _, _ = lines[5].rpartition(b',"marks":')
    lines[5] = head + b',"marks":' + marks + b"}\n"
    files["records.jsonl"] = b"".join(lines)
    failed = {c.name_en for c in verify_bundle(reseal(built, files)) if not c.ok}
    assert failed == {"canonical"}
