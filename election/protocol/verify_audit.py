"""The verifier's audit checks (audit.json of an auditor bundle). The verifier calls
``audit_checks()`` and runs each (name, function) like its own checks: a function takes
the verifier's context (``ctx.d`` the parsed files, ``ctx.events`` the chain, ``ctx.round``)
and returns (problems, detail). The audit's recomputation (risk, escalation, findings
against records) belongs here; today it checks that the draws reproduce from the seed."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from election.protocol import rla

if TYPE_CHECKING:
    from election.protocol.verify import Ctx

AuditCheck = Callable[["Ctx"], tuple[list[str], str]]


def _audit_sample(c: Ctx) -> tuple[list[str], str]:
    audit: dict[str, Any] = c.d["audit.json"]
    papers = {b: o["records"] for b, o in c.d["boxes.json"].items()}
    raw = audit.get("draws")
    if not isinstance(raw, list) or not isinstance(audit.get("seed"), str):
        return ["audit.json 缺少种子 seed 或抽取列表 draws"], ""
    draws = rla.draw_sample(audit["seed"], papers, len(raw))
    for i, (e, g) in enumerate(zip(draws, raw), 1):
        if [e.box, e.position] != g:
            return [f"第 {i} 次抽取应为票箱 {e.box} 第 {e.position} 张，审计记录为 {str(g)[:40]}"], ""
    return [], f"{len(raw)} 次抽取可由公开的骰子种子重现"


def audit_checks() -> list[tuple[str, AuditCheck]]:
    return [("audit_sample", _audit_sample)]
