"""The shape of every bundle file (docs/PROTOCOL.md §7): which fields, of which JSON type.
A file of the wrong shape fails the ``format`` check by name and field path, so no later
check ever meets a value of a type it does not expect."""
from __future__ import annotations

import re
from typing import Any

HEX64 = re.compile(r"[0-9a-f]{64}\Z")
_HEX_RUN = re.compile(r"[0-9a-f]*\Z")


def _all_hex(values: list[Any]) -> bool:
    """Every item a 64-digit lower-case hex string, checked in a few C loops (a manifest
    lists 200,000); False sends the list to the item-by-item check that names the item."""
    return (set(map(type, values)) <= {str} and set(map(len, values)) <= {64}
            and _HEX_RUN.match("".join(values)) is not None)

Shape = Any  # "hex" | "str" | "uint" | "bool" | "any" | "obj" | "str?" | ("list", s) | ("map", s) | {field: s}


def _type_ok(shape: str, v: Any) -> bool:
    if shape == "hex":
        return isinstance(v, str) and HEX64.match(v) is not None
    if shape == "str":
        return isinstance(v, str)
    if shape == "str?":
        return v is None or isinstance(v, str)
    if shape == "uint":
        return isinstance(v, int) and not isinstance(v, bool) and v >= 0
    if shape == "bool":
        return isinstance(v, bool)
    if shape == "obj":
        return isinstance(v, dict)
    return shape == "any"


def check(shape: Shape, v: Any, path: str, out: list[str]) -> None:
    """Append a message per value that does not fit (first 20 only)."""
    if len(out) >= 20:
        return
    if isinstance(shape, str):
        if not _type_ok(shape, v):
            out.append(f"{path}：应为 {shape}，实际为 {str(v)[:40]!r}")
        return
    if isinstance(shape, tuple):
        kind, inner = shape
        if kind == "list":
            if not isinstance(v, list):
                out.append(f"{path}：应为列表")
                return
            if inner == "hex" and _all_hex(v):
                return
            for i, x in enumerate(v):
                check(inner, x, f"{path}[{i}]", out)
        else:
            if not isinstance(v, dict):
                out.append(f"{path}：应为对象")
                return
            for k, x in v.items():
                check(inner, x, f"{path}.{k}", out)
        return
    if not isinstance(v, dict):
        out.append(f"{path}：应为对象")
        return
    for key, inner in shape.items():
        optional = key.endswith("?")
        name = key.rstrip("?")
        if name not in v:
            if not optional:
                out.append(f"{path}.{name}：缺少此字段")
            continue
        check(inner, v[name], f"{path}.{name}", out)


VOTES = ("map", ("map", "uint"))
SIGNED = {"statement": "obj", "signature": "str", "key": "str"}
SHAPES: dict[str, Shape] = {
    "manifest.json": ("list", {"type": "str", "election": "str", "batch": "uint", "receipt_count": "uint",
                               "audit_count": "uint", "receipts": ("list", "hex"), "audits": ("list", "hex")}),
    "deposits.json": {"type": "str", "root": "hex",
                      "boxes": ("map", {"count": "uint", "root": "hex", "receipts": ("list", "hex")})},
    "boxes.json": ("map", {"station": "str", "deposited": "uint", "records": "uint"}),
    "issuance.json": ("map", "uint"),
    "spoiled.json": ("list", "hex"),
    "unused.json": ("list", "hex"),
    "voided.json": ("list", "hex"),
    "rulebook.json": "obj",
    "tally_input.json": {"registered_voters": "uint", "papers_issued": "uint", "round": "str",
                         "posts": ("list", {"key": "str", "seats": "uint", "rank": "uint", "body": "str"}),
                         "candidates": ("list", {"person": "str", "post": "str", "sex?": "str"}),
                         "method?": "str", "body_papers?": ("map", {"issued": "uint", "returned": "uint"})},
    "totals.json": {"round": "uint", "returned": "uint", "posts": VOTES,
                    "counts": {"whole_invalid": "uint",
                               "posts": ("map", {"overvoted": "uint", "unreadable": "uint", "opposed": ("map", "uint")})},
                    "result": {"valid?": "bool", "elected": ("map", ("list", "str")), "next_round?": "str?"}},
    "box_totals.json": ("list", {"boxes": ("list", "str"), "papers": "uint", "posts": VOTES}),
    "head.sig": SIGNED,
    "countersign.json": SIGNED,
    "audit.json": "obj",
    "recount.json": "obj",
    "composition.json": {"posts": ("list", {"post": "str", "name": "str", "seats": "uint", "serving": "uint",
                                            "vacant": "uint"}),
                         "members": ("list", {"post": "str", "person": "str", "name": "str", "round": "uint",
                                              "since": "str", "until": "str?", "reason": "str",
                                              "decision?": {"meeting": "uint", "number": "uint"}})},
}
LINE_SHAPES: dict[str, Shape] = {
    "chain.jsonl": {"seq": "uint", "kind": "str", "payload": "obj", "prev": "str", "at": "str?", "hash": "str"},
}
RECORD_LINE: Shape = {"d": "hex", "box": "str", "marks": ("map", "obj")}  # checked while records.jsonl streams


def problems(data: dict[str, Any]) -> list[str]:
    """Shape problems of every parsed file (files absent are not checked here)."""
    out: list[str] = []
    for name, shape in SHAPES.items():
        if name in data:
            check(shape, data[name], name, out)
    for name, shape in LINE_SHAPES.items():
        for i, line in enumerate(data.get(name, ())):
            check(shape, line, f"{name} 第 {i + 1} 行", out)
            if len(out) >= 20:
                break
    return out

