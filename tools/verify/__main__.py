"""``python -m tools.verify [--expect-key FP] [--expect-head HASH] [--expect-office-key FP]
[--receipt CODE] [--recount] [--json] BUNDLE.zip``"""
from __future__ import annotations

import argparse
import json
import sys

from election.protocol.verify import Pins
from tools.verify import ProgressLines, as_json, format_checks, format_recount, read_bounded, recount, report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.verify",
                                 description="独立验证居选公示包 / independently verify a Juxuan bundle")
    ap.add_argument("bundle", help="公示包 zip 文件 / bundle zip file")
    ap.add_argument("--expect-key", metavar="FP", help="选票与报告上印的选举公钥指纹 / the election key fingerprint printed on papers")
    ap.add_argument("--expect-head", metavar="HASH", help="公告栏链头公告上的链头哈希 / a head hash from the notice board")
    ap.add_argument("--expect-office-key", metavar="FP", help="街道办事处公布的公钥指纹 / the street office's key fingerprint")
    ap.add_argument("--receipt", metavar="CODE", help="核对一张回执（离线）/ check one receipt code offline")
    ap.add_argument("--recount", action="store_true", help="按计票记录重新计票，按职位与姓名列出（加 --json 输出 JSON）/ print the recomputed result by post and name (JSON with --json)")
    ap.add_argument("--json", action="store_true", help="以 JSON 输出检查结果或重新计票结果 / checks or the recount as JSON")
    args = ap.parse_args(argv)
    try:
        data = read_bounded(args.bundle)
    except OSError as exc:
        print(f"无法读取文件 / cannot read {args.bundle}: {exc}", file=sys.stderr)
        return 2
    if args.recount:
        try:
            result = recount(data)
            print(as_json(result) if args.json else format_recount(result))
        except ValueError as exc:
            print(str(exc), file=sys.stderr)
            return 1
        return 0
    pins = Pins(args.expect_key, args.expect_head, args.expect_office_key, args.receipt)
    checks, facts = report(data, pins, ProgressLines(sys.stderr))
    if args.json:
        print(json.dumps({c.name_en: c.ok for c in checks}, sort_keys=True))
    else:
        print(format_checks(checks, facts))
    return 0 if all(c.ok for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
