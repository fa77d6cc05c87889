"""The independent verifier of a published Juxuan bundle: ``python -m tools.verify
BUNDLE.zip`` (every check, ok/FAILED, exit 1 on any failure) and ``--recount``
(the recomputed result as JSON). Needs only the installed package: no server, no database."""
from __future__ import annotations

import json
from collections.abc import Sequence

from election.ledger.recount import tally_fn_for
from election.protocol.bundle import read_bundle
from election.protocol.verify import Check, verify_bundle


def run(data: bytes) -> list[Check]:
    """Every check of the bundle, with the rules' recount when it carries records."""
    try:
        parts = read_bundle(data)
        tally = tally_fn_for(parts.totals, parts.rulebook)
        min_box = int(parts.rulebook.get("min_box_size", 30))
    except Exception:  # malformed: verify_bundle reports the format failure itself
        tally, min_box = None, 30
    return verify_bundle(data, tally, min_box)


def recount(data: bytes) -> dict:
    """Recomputed votes per post (overall and per box group) from the auditor bundle's records."""
    parts = read_bundle(data)
    if parts.records is None:
        raise ValueError("公开公示包不含计票记录，无法重新计票；请使用审计公示包 / the public bundle has no records")
    tally = tally_fn_for(parts.totals, parts.rulebook)
    groups = []
    for g in parts.box_totals:
        boxes = set(g["boxes"])
        groups.append({"boxes": g["boxes"], "posts": tally([r for r in parts.records if r.box in boxes])})
    return {"election": parts.election_id, "round": int(parts.totals.get("round", 1)), "returned": len(parts.records),
            "posts": tally(parts.records), "box_groups": groups}


def format_checks(checks: Sequence[Check]) -> str:
    lines = []
    for c in checks:
        lines.append(f"[{'ok' if c.ok else 'FAILED'}] {c.name_zh} / {c.name_en}: {c.detail}")
    failed = sum(1 for c in checks if not c.ok)
    lines.append("全部检查通过 / all checks passed" if not failed else f"{failed} 项检查未通过 / {failed} check(s) FAILED")
    return "\n".join(lines)


def as_json(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)
