"""A trustee's own tool for the public recount, run on the trustee's device, never on the
server: ``python -m tools.trustee start|shares|finish|decrypt``. It reads the documents the
server publishes and writes the ones to upload; the private parts stay in files sealed under
the trustee's passphrase (asked for, or read from --passphrase-file)."""
from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import Any

from election.crypto import ceremony
from election.crypto.group import CryptoError

MAX_DOCUMENT = 16 * 1024 * 1024


def _read_json(path: str) -> Any:
    file = Path(path)
    if file.stat().st_size > MAX_DOCUMENT:
        raise CryptoError("ceremony_format", f"{path} 过大")
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise CryptoError("ceremony_format", f"{path} 不是 JSON 文件") from None


def _write(path: str, data: bytes | dict[str, Any], private: bool = False) -> None:
    file = Path(path)
    body = data if isinstance(data, bytes) else json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
    if private:
        file.touch(mode=0o600)
    file.write_bytes(body)
    print(f"已写入 {path}")


def _passphrase(args: argparse.Namespace, confirm: bool = False) -> str:
    if args.passphrase_file:
        return Path(args.passphrase_file).read_text(encoding="utf-8").strip()
    first = getpass.getpass("受托人口令：")
    if confirm and getpass.getpass("再输入一次：") != first:
        raise CryptoError("passphrase", "两次输入的口令不一致")
    return first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.trustee", description="居选公开重计：受托人自己的工具")
    parser.add_argument("--passphrase-file", help="从文件读口令（自动化测试用）")
    sub = parser.add_subparsers(dest="step", required=True)
    s = sub.add_parser("start", help="生成多项式与传输密钥")
    s.add_argument("ceremony"), s.add_argument("--index", type=int, required=True)
    s.add_argument("--public-out", required=True), s.add_argument("--private-out", required=True)
    s = sub.add_parser("shares", help="给其他受托人加密份额")
    s.add_argument("ceremony"), s.add_argument("publics"), s.add_argument("--private", required=True)
    s.add_argument("--out", required=True)
    s = sub.add_parser("finish", help="核对收到的份额，保存自己的密钥份额")
    s.add_argument("ceremony"), s.add_argument("publics"), s.add_argument("shares")
    s.add_argument("--private", required=True), s.add_argument("--key-out", required=True)
    s.add_argument("--out", required=True)
    s = sub.add_parser("decrypt", help="部分解密公布的加密总数，或审计抽中选票的密文")
    s.add_argument("ceremony"), s.add_argument("publics"), s.add_argument("totals")
    s.add_argument("--key", required=True), s.add_argument("--index", type=int, required=True)
    s.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    try:
        doc = _read_json(args.ceremony)
        if args.step == "start":
            public, private = ceremony.start(doc, args.index, _passphrase(args, confirm=True))
            _write(args.private_out, private, private=True)
            _write(args.public_out, public)
        elif args.step == "shares":
            _write(args.out, ceremony.shares(doc, _read_json(args.publics), Path(args.private).read_bytes(), _passphrase(args)))
        elif args.step == "finish":
            ready, key = ceremony.finish(doc, _read_json(args.publics), _read_json(args.shares),
                                         Path(args.private).read_bytes(), _passphrase(args))
            _write(args.key_out, key, private=True)
            _write(args.out, ready)
        else:
            shown = _read_json(args.totals)
            papers = {str(name).partition(":")[0] for name in shown if ":" in str(name)} if isinstance(shown, dict) else set()
            if papers:  # the audit's drawn papers (named <D>:<label>), not a round's totals
                print(f"这是审计抽中的 {len(papers)} 张选票的密文（每张的每一项），不是总数：只解密审计抽中的选票")
            _write(args.out, ceremony.decrypt(doc, _read_json(args.publics), shown,
                                              Path(args.key).read_bytes(), _passphrase(args), args.index))
    except CryptoError as error:
        print(f"失败：{error.message}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"失败：无法读写文件 {error.filename}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
