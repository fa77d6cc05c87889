"""The verifier's audit checks (audit.json of an auditor bundle). The verifier calls
``audit_checks()`` and runs each (name, function) like its own checks: a function takes
the verifier's context (``ctx.d`` the parsed files, ``ctx.events`` the chain, ``ctx.round``)
and returns (problems, detail). The recomputation itself is rla_check (docs/AUDIT.md §6):
audit_sample, audit_commitment, audit_count and audit_recompute."""
from __future__ import annotations

from collections.abc import Callable

from election.protocol import rla_check
from election.protocol.bundle import Record
from election.protocol.canonical import sha256_hex
from election.protocol.verify_ctx import Ctx
from election.protocol.verify_sample import listed_of

AuditCheck = Callable[["Ctx"], tuple[list[str], str]]


def _results(c: Ctx) -> dict[str, tuple[list[str], str]]:
    """All four audit checks of the bundle, computed once per context."""
    done: dict[str, tuple[list[str], str]] | None = getattr(c, "_audit_checks", None)
    if done is None:
        recs = c.d.get("records.jsonl")
        records = None if recs is None else [Record(r.d, r.box, r.marks()) for r in recs]
        try:
            from election.protocol.verify_tally import tally_input

            inp = tally_input(c.d)
        except Exception:  # noqa: BLE001 (an unreadable tally input is reported by audit_recompute)
            inp = None
        raw = c.raw.get("records.jsonl")
        recount = c.d.get("recount.json")
        listed = listed_of(recount) if isinstance(recount, dict) else None
        found = rla_check.checks(c.d["audit.json"], records, c.d.get("totals.json", {}), c.events,
                                 c.raw.get("election_key.pem", b""), inp, None if raw is None else sha256_hex(raw), listed)
        done = {en: (problems, detail) for _zh, en, problems, detail in found}
        setattr(c, "_audit_checks", done)  # noqa: B010 (cached on the run's context, not printed)
    return done


def _one(name: str) -> AuditCheck:
    def check(c: Ctx) -> tuple[list[str], str]:
        return _results(c).get(name, ([f"{name} 未运行"], ""))
    return check


NAMES = {"audit_sample": "审计抽样", "audit_commitment": "审计封存顺序", "audit_count": "审计次数",
         "audit_recompute": "审计重算"}


def audit_checks() -> list[tuple[str, AuditCheck]]:
    return [(name, _one(name)) for name in NAMES]
