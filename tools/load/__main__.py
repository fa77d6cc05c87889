"""``python -m tools.load``: run a polling day and print its report (see tools/load/__init__.py)."""
from __future__ import annotations

import argparse
import json
import sys

from .report import text
from .run import LoadConfig, run_load


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.load", description="居选投票日负载模拟（仅本机回环地址）")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--communities", type=int, default=1)
    parser.add_argument("--desks", type=int, default=4, help="check-in desks per community")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--pace", type=float, default=2.0, help="seconds a desk clerk takes per voter (0: as fast as possible)")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--kill-at", type=float, default=None, help="kill -9 and restart the server after this many seconds")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    config = LoadConfig(database=args.database, communities=args.communities, desks=args.desks, seconds=args.seconds,
                        pace=args.pace, workers=args.workers, threads=args.threads, kill_at=args.kill_at)
    report = run_load(config)
    print(json.dumps(report, ensure_ascii=False, indent=1) if args.json else text(report))
    return 0 if report["verified"]["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
