"""Developer tool: regenerate the initial migration from the models (before the first
release there is one schema revision; after it, run with --new to add a revision instead).

The initial revision keeps its id (INITIAL), and the data migrations after it (such as the
renaming of event kinds to protocol v2) are set aside and put back, so regenerating the schema
never drops them: they still follow the initial revision."""
from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from election.db import make_engine
from election.schema import MIGRATIONS, make_revision, upgrade

INITIAL = "fab64b168c08"


def main() -> int:
    new = "--new" in sys.argv
    versions = MIGRATIONS / "versions"
    with tempfile.TemporaryDirectory() as folder, tempfile.TemporaryDirectory() as aside:
        later = []
        if not new:
            for old in versions.glob("*.py"):
                if old.name.startswith(f"{INITIAL}_"):
                    old.unlink()
                else:
                    later.append(Path(shutil.move(str(old), aside)))
        engine = make_engine(f"sqlite:///{Path(folder) / 'm.db'}")
        if new:
            upgrade(engine)
        make_revision(engine, "schema" if new else "initial schema", rev_id=None if new else INITIAL)
        for path in later:
            shutil.move(str(path), versions / path.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
