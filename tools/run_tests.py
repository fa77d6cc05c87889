"""`make test`: the whole suite on SQLite, then again on PostgreSQL when a server answers
on 127.0.0.1:5432. In CI (CI=true) the PostgreSQL lane is expected: a server that does not
answer, or a lane that runs no test, fails the run instead of passing silently."""
from __future__ import annotations

import os
import socket
import subprocess
import sys

PG_URL = os.environ.get("PG_TEST_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def postgres_answers(host: str = "127.0.0.1", port: int = 5432) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def pytest(args: list[str], env: dict[str, str]) -> int:
    print(f"\n=== pytest {' '.join(args)} ===", flush=True)
    return subprocess.call([sys.executable, "-m", "pytest", *args], env=env)


def main() -> int:
    extra = sys.argv[1:]
    base_env = {k: v for k, v in os.environ.items() if k != "JUXUAN_TEST_DATABASE_URL"}
    code = pytest(["-q", "-p", "no:cacheprovider", *extra], base_env)
    if code != 0:
        return code
    if not postgres_answers():
        if os.environ.get("CI") == "true":
            print("PostgreSQL lane expected in CI but 127.0.0.1:5432 does not answer", file=sys.stderr)
            return 1
        print("PostgreSQL not reachable on 127.0.0.1:5432: PostgreSQL lane skipped (local run)")
        return 0
    env = dict(base_env, JUXUAN_TEST_DATABASE_URL=PG_URL)
    code = pytest(["-q", "-p", "no:cacheprovider", "-m", "not browser and not soak", *extra], env)
    # Exit code 5 means pytest collected nothing: the lane did not really run.
    return 1 if code == 5 else code


if __name__ == "__main__":
    sys.exit(main())
