"""`make test`: the static checks, then the whole suite on SQLite, then again on PostgreSQL
when a server answers on 127.0.0.1:5432. In CI (CI=true) the PostgreSQL lane is expected: a
server that does not answer, or a lane that runs no test, fails the run instead of passing
silently.

The lanes run under different clocks and zones, so that the date-sensitive tests meet the
hours where the machine's date and Beijing's differ: the SQLite lane (browser tests
included) with the machine zone America/Los_Angeles and the project clock at 00:30 Beijing
time, the PostgreSQL lane in UTC at 23:30 Beijing time (tests/conftest.py pins the clock)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys

PG_URL = os.environ.get("PG_TEST_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BIN = os.path.dirname(sys.executable)
# The static checks, in the venv: lint and import order, the types (strict for the pure
# packages and the verifier), then the import contract (the house's layering); all three are
# configured in pyproject.toml. Run before the suite so a finding fails fast.
CHECKS: list[list[str]] = [
    ["ruff", "check", "."],
    ["mypy"],
    ["lint-imports", "--no-logo"],
]


def postgres_answers(host: str = "127.0.0.1", port: int = 5432) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def run(args: list[str], env: dict[str, str]) -> int:
    print(f"\n=== {' '.join(args)} ===", flush=True)
    return subprocess.call(args, env=env)


def pytest(args: list[str], env: dict[str, str]) -> int:
    return run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args], env)


def main() -> int:
    extra = sys.argv[1:]
    base_env = {k: v for k, v in os.environ.items() if k != "JUXUAN_TEST_DATABASE_URL"}
    if not extra:
        for check in CHECKS:
            code = run([os.path.join(BIN, check[0]), *check[1:]], base_env)
            if code != 0:
                return code
    sqlite_env = dict(base_env, TZ="America/Los_Angeles", JUXUAN_TEST_CLOCK="00:30")
    code = pytest(extra, sqlite_env)
    if code != 0:
        return 1 if code == 5 else code
    if not postgres_answers():
        if os.environ.get("CI") == "true":
            print("PostgreSQL lane expected in CI but 127.0.0.1:5432 does not answer", file=sys.stderr)
            return 1
        print("PostgreSQL not reachable on 127.0.0.1:5432: PostgreSQL lane skipped (local run)")
        return 0
    pg_env = dict(base_env, TZ="UTC", JUXUAN_TEST_CLOCK="23:30", JUXUAN_TEST_DATABASE_URL=PG_URL)
    code = pytest(["-m", "not browser and not soak", *extra], pg_env)
    # Exit code 5 means pytest collected nothing: the lane did not really run.
    return 1 if code == 5 else code


if __name__ == "__main__":
    sys.exit(main())
