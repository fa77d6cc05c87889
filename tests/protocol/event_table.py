"""PROTOCOL.md §3.1's table of every event kind, made from election/protocol/event_kinds.py.

``python -m tests.protocol.event_table`` prints it; tests/protocol/test_event_kinds.py checks
that PROTOCOL.md holds exactly this table, so the document and the registry cannot drift.
"""
from __future__ import annotations

from election.protocol import event_kinds as ek


def table() -> str:
    rows = ["| kind | payload data (besides `_by`, `_why`) | meaning | written by, when |", "| --- | --- | --- | --- |"]
    for info in ek.REGISTRY.values():  # in the order of an election
        fields = ", ".join(f if f == "…" else f"`{f}`" for f in info.fields)
        rows.append(f"| `{info.kind}` | {fields} | {info.meaning} | {info.writer} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(table(), end="")
