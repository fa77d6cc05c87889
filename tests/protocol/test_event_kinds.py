"""One naming scheme for the ledger's event kinds (election/protocol/event_kinds.py): every
kind follows it, every writer and reader names kinds through the registry, PROTOCOL.md's table
is the registry's, and the browser verifier reads the same names."""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from election.ledger.events import record_event
from election.protocol import event_kinds as ek
from tests.protocol.event_table import table

ROOT = Path(__file__).resolve().parents[2]
CODE = [p for d in ("election", "tools", "ballots") for p in sorted((ROOT / d).rglob("*.py"))
        if "migrations" not in p.parts and p.name != "event_kinds.py"]


def test_every_registered_kind_follows_the_scheme():
    assert len(ek.REGISTRY) >= 90
    for kind, info in ek.REGISTRY.items():
        assert re.fullmatch(r"[a-z][a-z_]*[a-z]\.[a-z][a-z_]*[a-z]", kind), kind
        assert len(kind) <= 60 and kind.count(".") == 1 and info.kind == kind
        assert info.meaning and info.writer and info.fields, kind
    assert ek.AREAS == {"ledger", "election", "rulebook", "roll", "representatives", "committee", "nomination",
                        "ballots", "polling", "round", "counting", "result", "office", "audit", "complaint",
                        "trustees", "meeting", "recall", "seat"}
    assert ek.COUNTING_KINDS <= set(ek.REGISTRY) and set(ek.AUDIT_CONCLUSIONS.values()) <= set(ek.REGISTRY)


@pytest.mark.parametrize("bad", ["paper_counted", "roll.decision.status_changed", "Roll.published", "roll.", ".x",
                                 "roll.published2"])
def test_the_scheme_refuses_other_spellings(bad):
    assert not ek.follows_scheme(bad)
    with pytest.raises(ValueError):
        ek._k(bad, "m", "f", "w")


def test_record_event_refuses_a_kind_not_registered(db, world):
    election = world["a"]["election"]
    with pytest.raises(ValueError, match="event_kinds"):
        record_event(db, election, "paper_counted", {"round": 1}, "tester")
    db.rollback()


def _kind_arguments(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "record_event":
            yield node, node.args[2] if len(node.args) > 2 else next(
                (k.value for k in node.keywords if k.arg == "kind"), None)


def test_writers_name_kinds_through_the_registry():
    calls = 0
    for path in CODE:
        for call, kind in _kind_arguments(ast.parse(path.read_text(), str(path))):
            calls += 1
            where = f"{path.relative_to(ROOT)}:{call.lineno}"
            assert kind is not None, where
            assert not isinstance(kind, (ast.Constant, ast.JoinedStr, ast.BinOp)), f"{where}: a kind spelled in place"
    assert calls >= 90


def test_no_kind_is_spelled_outside_the_registry():
    """Readers too (services, views, verifiers, templates): a string equal to a kind appears
    only in event_kinds.py, so a renamed kind cannot leave a reader behind."""
    kinds = set(ek.REGISTRY)
    found = []
    for path in CODE:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Constant) and node.value in kinds:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value}")
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for kind in kinds:
            if f"'{kind}'" in path.read_text() or f'"{kind}"' in path.read_text():
                found.append(f"{path.relative_to(ROOT)} {kind}")
    assert found == []


WEB = sorted((ROOT / "tools/verify/web").glob("*.js"))


def test_no_normalising_of_kinds_is_left():
    assert len(WEB) >= 3
    for path in CODE + WEB:
        text = path.read_text()
        assert "norm_kind" not in text and "normKind" not in text, path
        assert 'kind.replace(".", "_")' not in text and "kind).replace(" not in text, path
        assert 'replace(/\\./g, "_")' not in text, path


def test_protocol_md_lists_every_kind():
    doc = (ROOT / "docs/PROTOCOL.md").read_text()
    assert table() in doc  # python -m tests.protocol.event_table > the §3.1 table
    assert "`area.what_happened`" in doc


def test_the_browser_verifier_reads_registered_kinds():
    js = (ROOT / "tools/verify/web/juxuan-verify.js").read_text()
    block = js[js.index("const KIND = {"):js.index("const enc = ")]
    named = set(re.findall(r'"([a-z_]+\.[a-z_]+)"', block))
    assert named and named <= set(ek.REGISTRY)
    counting = re.search(r"const COUNTING = new Set\(\[(.*?)\]\);", block, re.S)
    assert counting is not None
    spelled = set(re.findall(r'"([a-z_]+\.[a-z_]+)"', counting.group(1)))
    assert spelled | ({ek.RESULT_PUBLISHED} if "KIND.resultPublished" in counting.group(1) else set()) \
        == set(ek.COUNTING_KINDS)
    changing = re.search(r"const COUNT_CHANGING = new Set\(\[(.*?)\]\);", block, re.S)
    assert changing is not None and set(re.findall(r'"([a-z_]+\.[a-z_]+)"', changing.group(1))) == set(ek.COUNT_CHANGING_KINDS)
    assert 'const PROTOCOL = "juxuan/v2"' in js
    between = (ROOT / "tools/verify/web/juxuan-between.js").read_text()
    named = set(re.findall(r'"([a-z_]+\.[a-z_]+)"', between)) - {"composition.json"}
    assert {ek.MEETING_CONVENED, ek.RECALL_VOTE_RECORDED, ek.SEAT_VACATED, ek.SEAT_BY_ELECTION_CALLED} <= named
    assert named <= set(ek.REGISTRY)


def test_the_vectors_chain_uses_registered_kinds():
    """docs/vectors were made again under v2 (python -m tests.protocol.vectors docs/vectors)."""
    values = json.loads((ROOT / "docs/vectors/vectors.json").read_text())
    kinds = [e["kind"] for e in values["events"]]
    assert kinds[0] == ek.LEDGER_CHAIN_STARTED and set(kinds) <= set(ek.REGISTRY)
