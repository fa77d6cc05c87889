"""Developer tool: regenerate the initial migration from the models (before the first
release there is one revision; after it, run with --new to add a revision instead)."""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from election.db import make_engine
from election.schema import MIGRATIONS, make_revision, upgrade


def main() -> int:
    new = "--new" in sys.argv
    if not new:
        for old in (MIGRATIONS / "versions").glob("*.py"):
            old.unlink()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'm.db'}")
        if new:
            upgrade(engine)
        make_revision(engine, "schema" if new else "initial schema")
    return 0


if __name__ == "__main__":
    sys.exit(main())
