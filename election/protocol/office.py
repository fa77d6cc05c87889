"""The street office's own key, made and kept on the office's computer: ``keygen`` makes an
Ed25519 key (the private part encrypted with the office's passphrase), ``countersign``
checks a sealed auditor bundle with the full verifier and signs its result statement
(election, head, SHA-256 of totals.json). The server only ever receives the public key and
the signature file. Pure: bytes in, bytes out."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from election.protocol import signing
from election.protocol.canonical import canonical_json, sha256_hex
from election.protocol.verify import Check, Pins, verify_bundle_report


class OfficeError(ValueError):
    """Why the office's command refused (Chinese sentences, naming the check or field)."""

    def __init__(self, *messages: str) -> None:
        super().__init__("；".join(messages))
        self.messages = list(messages)


@dataclass(frozen=True)
class OfficeKey:
    private_pem: bytes  # encrypted PKCS#8, never leaves the office
    public_pem: bytes
    fingerprint: str


def keygen(passphrase: bytes) -> OfficeKey:
    if len(passphrase) < 8:
        raise OfficeError("口令至少 8 个字符：它保护街道办事处的私钥")
    key = signing.generate_key()
    return OfficeKey(signing.private_key_to_pem(key, passphrase), signing.public_key_to_pem(key.public_key()),
                     signing.fingerprint(key.public_key()))


@dataclass(frozen=True)
class Countersigned:
    signature_file: bytes  # countersign.json to upload
    statement: dict[str, Any]
    checks: list[Check]


def countersign(bundle_zip: bytes, private_pem: bytes, passphrase: bytes, date: str, pins: Pins = Pins()) -> Countersigned:
    """Verify the sealed bundle (every check, with the caller's pins) and sign its result.
    A bundle that fails any check is refused: the office signs only what it checked."""
    try:
        key = signing.private_key_from_pem(private_pem, passphrase)
    except (ValueError, TypeError) as exc:
        raise OfficeError(f"无法读取街道办事处私钥（口令错误或文件损坏）：{exc}") from None
    checks, facts = verify_bundle_report(bundle_zip, pins)
    failed = [c for c in checks if not c.ok and c.name_en not in ("countersignature", "pin_office_key")]
    if failed:
        raise OfficeError(*[f"公示包未通过检查“{c.name_zh} / {c.name_en}”：{c.detail}" for c in failed])
    from election.protocol.verify_read import read_zip

    raw = read_zip(bundle_zip).raw
    election = str(_election(raw))
    statement = signing.result_statement(election, facts["head"], sha256_hex(raw["totals.json"]), date)
    signed = signing.sign(key, statement)
    return Countersigned(canonical_json(signed.to_json()) + b"\n", statement, checks)


def _election(raw: dict[str, bytes]) -> str:
    import json

    first = raw["chain.jsonl"].split(b"\n", 1)[0]
    return str(json.loads(first)["payload"]["election"])


def attach(files: dict[str, bytes], signature_file: bytes, office_public_pem: bytes) -> dict[str, bytes]:
    """The sealed files with the office's countersignature and public key added (both are
    self-authenticating, so the seal is unchanged)."""
    import json

    try:
        signed = signing.SignedStatement.from_json(json.loads(signature_file.decode("utf-8")))
        key = signing.public_key_from_pem(office_public_pem)
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as exc:
        raise OfficeError(f"会签文件无法读取：{exc}") from None
    except RecursionError:  # nesting deeper than the parser's recursion: no signature file
        raise OfficeError("会签文件无法读取：JSON 嵌套过深，不是 juxuan office countersign 生成的文件") from None
    if not signing.verify(key, signed):
        raise OfficeError(f"会签文件不是由登记的街道办事处公钥（{signing.fingerprint(key)}）签署的")
    head = json.loads(files["chain.jsonl"].rstrip(b"\n").rsplit(b"\n", 1)[-1])["hash"]
    st = signed.statement
    if st.get("type") != signing.RESULT_TYPE or st.get("head") != head:
        raise OfficeError("会签针对的链头不是当前封存的审计公示包的链头：请重新下载公示包后会签")
    if st.get("totals") != sha256_hex(files["totals.json"]):
        raise OfficeError("会签的结果摘要与封存的 totals.json 不符")
    out = dict(files)
    out["countersign.json"] = canonical_json(signed.to_json()) + b"\n"
    out["office_key.pem"] = office_public_pem
    return out
