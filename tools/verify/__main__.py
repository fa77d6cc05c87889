"""``python -m tools.verify [--recount] BUNDLE.zip``"""
from __future__ import annotations

import argparse
import sys

from tools.verify import as_json, format_checks, recount, run


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.verify",
                                 description="独立验证居选公示包 / independently verify a Juxuan bundle")
    ap.add_argument("bundle", help="公示包 zip 文件 / bundle zip file")
    ap.add_argument("--recount", action="store_true", help="按计票记录重新计票并输出 JSON / print the recomputed result as JSON")
    args = ap.parse_args(argv)
    try:
        with open(args.bundle, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        print(f"无法读取文件 / cannot read {args.bundle}: {exc}", file=sys.stderr)
        return 2
    if args.recount:
        try:
            print(as_json(recount(data)))
        except (ValueError, KeyError) as exc:
            print(str(exc), file=sys.stderr)
            return 1
        return 0
    checks = run(data)
    print(format_checks(checks))
    return 0 if all(c.ok for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
