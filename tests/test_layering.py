"""The house's layering as the interpreter sees it: the verifier and the pure packages load
without the web framework or the database layer. Each check runs in a fresh interpreter,
because this test process has long since imported Flask and SQLAlchemy."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("flask", "sqlalchemy")


def loaded_after(statement: str) -> list[str]:
    """The heavy top-level packages present in sys.modules after running `statement`."""
    probe = f"{statement}\nimport sys\nprint(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return [m for m in done.stdout.strip().split(",") if m]


@pytest.mark.parametrize("statement", [
    "import tools.verify",
    "import tools.verify.__main__",
    "import election",
    "import election.protocol.recount, election.protocol.verify",
    "import election.rules.tally, election.rules.rulebook",
])
def test_pure_parts_load_without_flask_or_sqlalchemy(statement):
    assert loaded_after(statement) == []


def test_the_probe_sees_a_heavy_import():
    # The probe itself must be able to fail: the app factory does load both.
    assert loaded_after("import election.app") == ["flask", "sqlalchemy"]


def _layered_names() -> set[str]:
    """The top-level modules of `election` named in the import contract's layers."""
    import re
    import tomllib

    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]
    layers = next(c for c in contracts if c["type"] == "layers" and c.get("containers") == ["election"])["layers"]
    return {name.strip() for layer in layers for name in re.split(r"[|:]", layer)}


def test_every_package_has_its_place_in_the_house():
    # A module the layers contract does not name is checked by none of its arrows: a new
    # package or module of `election` must be placed in pyproject.toml (and ARCHITECTURE.md).
    package = ROOT / "election"
    modules = {p.stem for p in package.glob("*.py") if p.stem != "__init__"}
    modules |= {p.name for p in package.iterdir() if (p / "__init__.py").exists()}
    assert modules - _layered_names() == set()
    assert _layered_names() - modules == set()
