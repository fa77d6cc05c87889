"""The web layer stays thin (docs/ARCHITECTURE.md, "A page"): read from the code itself, no
view writes a query or reads a row by its key (db.get), composes a printed document (nor makes the empty buffer one is drawn
into: the service returns the bytes) or catches ValueError (typed form values
go through web/parse.py, which refuses with UserError; a ValueError from a service is a bug
and must not be shown as the user's mistake)."""
from __future__ import annotations

import ast
from pathlib import Path

import election.web

WEB = Path(election.web.__file__).parent
QUERY_CALLS = {"execute", "scalars", "scalar", "select"}
# Scan counting reads the uploaded images' pages in the request (the job keeps no upload).
MAY_IMPORT_BALLOTS = {"scanning.py"}
# Not views: the login and scope machinery (its user loader reads the user and an election's
# URL's election in one statement, for the check-in's speed).
NOT_VIEWS = {"access.py"}


def _modules() -> list[Path]:
    return sorted(p for p in WEB.rglob("*.py") if p.name not in NOT_VIEWS)


def _is_session(node: ast.expr) -> bool:
    """``db`` or ``get_db()``: the request's session."""
    if isinstance(node, ast.Name):
        return node.id == "db"
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "get_db"


def _findings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    where = path.relative_to(WEB)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ExceptHandler) and node.type is not None and path.name != "parse.py":
            names = {n.id for n in ast.walk(node.type) if isinstance(n, ast.Name)}
            if "ValueError" in names:
                found.append(f"{where}:{node.lineno} catches ValueError")
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in QUERY_CALLS:
                found.append(f"{where}:{node.lineno} runs a query ({name})")
            if name == "get" and isinstance(func, ast.Attribute) and _is_session(func.value) and node.args \
                    and isinstance(node.args[0], ast.Name) and node.args[0].id[:1].isupper():
                found.append(f"{where}:{node.lineno} reads a row (db.get({node.args[0].id}, ...)): the service reads it")
            if name == "BytesIO" and not node.args and not node.keywords:
                found.append(f"{where}:{node.lineno} makes an empty buffer to draw a document into (the service returns bytes)")
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] == "ballots" and path.name not in MAY_IMPORT_BALLOTS:
                found.append(f"{where}:{node.lineno} imports {node.module} (printing belongs in a service)")
            if node.module == "sqlalchemy" and any(a.name == "select" for a in node.names):
                found.append(f"{where}:{node.lineno} imports sqlalchemy.select")
    return found


def test_the_checks_see_what_they_look_for(tmp_path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from sqlalchemy import select\nfrom ballots.notices import render_notice\n"
                   "def view(db):\n    try:\n        db.scalars(select(1))\n    except (KeyError, ValueError):\n"
                   "        pass\n    out = io.BytesIO()\n    kept = io.BytesIO(b'%PDF')\n    row = db.get(Election, 1)\n"
                   "    same = get_db().get(User, 2)\n    fine = request.args.get('round')\n", encoding="utf-8")
    global WEB
    saved, WEB = WEB, tmp_path
    try:
        found = _findings(bad)
    finally:
        WEB = saved
    assert len(found) == 8, found


def test_views_write_no_query_print_nothing_and_never_catch_value_error() -> None:
    found = [f for path in _modules() for f in _findings(path)]
    assert found == []
