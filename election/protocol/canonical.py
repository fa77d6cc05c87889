"""Canonical JSON: the one byte form every hash and signature of the protocol is taken over.

sort_keys, no whitespace, UTF-8 without escaping, and no floats: float text differs between
languages, and a street office must be able to reimplement this byte for byte.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

import orjson

_PLAIN = frozenset([str, int, bool, type(None)])


def _check(value: Any, path: str) -> None:
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return
    if isinstance(value, float):
        raise ValueError(f"{path}: 不允许浮点数（请用整数或字符串表示），值为 {value!r}")
    # Members of a plain type are passed over before their path is written: a payload such as
    # a roll import's (100,000 [id, masked number] pairs) would build a path string for each.
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise ValueError(f"{path}: 键必须是字符串，实际为 {k!r}")
            if type(v) not in _PLAIN:
                _check(v, f"{path}.{k}")
        return
    if isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            kind = type(v)
            if kind in _PLAIN or ((kind is list or kind is tuple) and _PLAIN.issuperset(map(type, v))):
                continue  # a plain value, or a list of them (a roll import's [id, masked] pairs)
            _check(v, f"{path}[{i}]")
        return
    raise ValueError(f"{path}: 类型 {type(value).__name__} 不能写入规范 JSON")


def canonical_json(value: Any) -> bytes:
    """The canonical UTF-8 bytes of a JSON value (see docs/PROTOCOL.md §2)."""
    _check(value, "$")
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def same_json(a: Any, b: Any) -> bool:
    """Two JSON values equal as their canonical bytes would be: type for type (``true`` is
    not ``1``, though Python's ``True == 1``), objects whatever their key order, a tuple
    as the list it is written as. The verifiers compare what a bundle publishes with what
    they recompute this way, so a value of the wrong JSON type never passes as equal."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(map(same_json, a, b))
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    return bool(a == b)


def digest(value: Any) -> str:
    """SHA-256 of the canonical JSON, lower-case hex (used as a fingerprint)."""
    return hashlib.sha256(canonical_json(value)).hexdigest()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def digest_read(value: Any) -> str:
    """digest() of a value as the verifier's strict reader returns it (JSON types only, no
    float, integers within ±(2^53−1)): orjson's sorted compact bytes of such a value are its
    canonical bytes (tests/protocol/test_canonical_fast), written many times faster than
    json.dumps after the walk of ``_check`` (a manifest of 200,000 hashes)."""
    return hashlib.sha256(orjson.dumps(value, option=orjson.OPT_SORT_KEYS)).hexdigest()
