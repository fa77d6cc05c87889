"""Receipt codes (T) and audit codes (A): generation, the human form a resident types,
the QR payloads, and the domain-separated hashes R and D that are stored and published.

T and A are independent 128-bit random values; nothing here links them. Only R = H(T) and
D = H(A) ever leave the printing process (see docs/PROTOCOL.md §1).
"""
from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Callable

CODE_BYTES = 16
# Crockford base32: no I, L, O, U, so a typed code survives the usual confusions.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_VALUE.update({"O": 0, "I": 1, "L": 1})
DATA_CHARS = 26  # ceil(128 / 5)
CHECK_CHARS = 2  # 10 check bits: a mistyped code is refused before any lookup
HUMAN_CHARS = DATA_CHARS + CHECK_CHARS  # 28 = 7 groups of 4

RECEIPT_TAG = b"juxuan/receipt/v1"
AUDIT_TAG = b"juxuan/audit/v1"
AUDIT_QR_PREFIX = "JXA:"


# Every reason a typed or scanned code is refused, as a template with named fields. str() of
# a CodeError is the Chinese text; a page shows its template translated (tools/translate.py
# puts these in the catalogue), so a resident reading the English page reads why in English.
MESSAGES: dict[str, str] = {
    "bytes": "编码长度应为 %(want)s 字节，实际为 %(n)s 字节",
    "char": "第 %(pos)s 个字符“%(ch)s”不是有效的编码字符",
    "first": "编码首字符只能是 0、1、2、3，请核对",
    "audit_not_receipt": "这是选票背面的审计码，不是回执码，请扫描存根上的二维码",
    "check": "回执码校验位不符，可能有字符输入错误，请逐组核对",
    "length": "回执码应为 %(want)s 个字符（7 组，每组 4 个），实际输入了 %(n)s 个字符",
    "not_audit": "这不是选票背面的审计二维码（应以 JXA: 开头）",
}


class CodeError(ValueError):
    """A code that cannot be read; the message is Chinese and says what is wrong.
    ``template`` (a value of MESSAGES) and ``fields`` give it again for translation."""

    def __init__(self, reason: str, **fields: object) -> None:
        self.template = MESSAGES[reason]
        self.fields = fields
        super().__init__(self.template % fields)


def new_code() -> bytes:
    """A fresh 128-bit code from the operating system's CSPRNG."""
    return secrets.token_bytes(CODE_BYTES)


def _b32(value: int, chars: int) -> str:
    out = []
    for _ in range(chars):
        out.append(ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(out))


def _check(code: bytes) -> str:
    digest = hashlib.sha256(b"juxuan/check/v1" + code).digest()
    return _b32(int.from_bytes(digest[:2], "big") >> 6, CHECK_CHARS)


def compact(code: bytes) -> str:
    """The 26-character Crockford base32 form (upper case, no check), used in URLs."""
    if len(code) != CODE_BYTES:
        raise CodeError("bytes", want=CODE_BYTES, n=len(code))
    return _b32(int.from_bytes(code, "big"), DATA_CHARS)


def human(code: bytes) -> str:
    """The printed form: 26 data + 2 check characters in 7 groups of 4, e.g. ``0ABC-...``."""
    s = compact(code) + _check(code)
    return "-".join(s[i : i + 4] for i in range(0, HUMAN_CHARS, 4))


def _decode(chars: str) -> bytes:
    value = 0
    for pos, ch in enumerate(chars, 1):
        if ch not in _VALUE:
            raise CodeError("char", pos=pos, ch=ch)
        value = value * 32 + _VALUE[ch]
    if value >> (CODE_BYTES * 8):
        raise CodeError("first")
    return value.to_bytes(CODE_BYTES, "big")


def scanned_text(text: str) -> str:
    """What a handheld scanner typed, trimmed; a QR that holds a URL gives its last part
    (the code it ends in)."""
    raw = text.strip()
    if "/" in raw:
        raw = raw.rstrip("/").rsplit("/", 1)[-1]  # "/" alone: nothing, refused by length
    return raw


def parse(text: str) -> bytes:
    """Read what a resident typed or scanned: the 28-character human form with any spaces,
    dashes or case, the 26-character compact form, or a verification URL ending in it."""
    raw = scanned_text(text)
    if raw.upper().startswith(AUDIT_QR_PREFIX):
        raise CodeError("audit_not_receipt")
    s = "".join(ch for ch in raw.upper() if ch not in " -_\u3000")
    if len(s) == DATA_CHARS:
        return _decode(s)
    if len(s) == HUMAN_CHARS:
        code = _decode(s[:DATA_CHARS])
        if _decode_check(s[DATA_CHARS:]) != _check(code):
            raise CodeError("check")
        return code
    raise CodeError("length", want=HUMAN_CHARS, n=len(s))


# Free text: a receipt code typed whole or in part. Code characters are Crockford base32
# with O, I and L (read as 0, 1, 1); U is none.
_CHAR = "[0-9A-TV-Z]"
_GROUPS = re.compile(rf"(?<!{_CHAR}){_CHAR}{{4}}(?:[-_\s\u3000]{_CHAR}{{4}}){{2,}}")
_RUN = re.compile(rf"{_CHAR}+")
_SEPARATORS = re.compile(r"[\s\-_\u3000]+")
RUN_MIN = 20  # code characters in one unbroken run: 100 of T's 128 bits


def _digits_and_letters(chars: str, digits: int) -> bool:
    return sum(c.isdigit() for c in chars) >= digits and sum(c.isalpha() for c in chars) >= 2


def mentions_code(text: str) -> bool:
    """Whether free text (a complaint, its contact, the committee's public answer) holds a
    receipt code or a telling part of one: three or more groups of four as on the stub
    (joined by ``-``, ``_`` or spaces, with two digits and two letters among them), a run
    of ``RUN_MIN`` code characters with a digit and two letters (the compact form at the
    end of the stub's URL), or 28 characters whose check characters match however they
    were split. Phone, ID card and bank card numbers (digits, an ID's final X), dates and
    words are not codes. Full-width characters count as their ASCII forms."""
    upper = unicodedata.normalize("NFKC", text).upper()
    if any(_digits_and_letters(m.group(0), 2) for m in _GROUPS.finditer(upper)):
        return True
    if any(len(r) >= RUN_MIN and _digits_and_letters(r, 1) for r in _RUN.findall(upper.replace("-", "").replace("_", ""))):
        return True
    for run in _RUN.findall(_SEPARATORS.sub("", upper)):
        for i in range(len(run) - HUMAN_CHARS + 1):
            window = run[i:i + HUMAN_CHARS]
            try:
                if _decode_check(window[DATA_CHARS:]) == _check(_decode(window[:DATA_CHARS])) and \
                        _digits_and_letters(window, 0):
                    return True
            except CodeError:
                continue
    return False


def _decode_check(chars: str) -> str:
    for pos, ch in enumerate(chars, DATA_CHARS + 1):
        if ch not in _VALUE:
            raise CodeError("char", pos=pos, ch=ch)
    # Normalise O/I/L to their digits so the comparison is on canonical characters.
    return "".join(ALPHABET[_VALUE[ch]] for ch in chars)


def receipt_qr(code: bytes, url_prefix: str) -> str:
    """The stub QR payload: ``<url_prefix>/<compact code>``. An upper-case prefix such as
    ``HTTPS://JX.EXAMPLE.CN/R`` lets the QR use alphanumeric mode (a smaller symbol)."""
    return f"{url_prefix.rstrip('/')}/{compact(code)}"


def audit_qr(code: bytes) -> str:
    """The ballot-body QR payload; the prefix lets every scanner tell A from T."""
    return AUDIT_QR_PREFIX + compact(code)


def parse_audit_qr(text: str) -> bytes:
    """Read a scanned ballot-body QR; refuses a stub QR so A and T cannot be mixed up."""
    s = text.strip().upper()
    if not s.startswith(AUDIT_QR_PREFIX):
        raise CodeError("not_audit")
    return _decode(s[len(AUDIT_QR_PREFIX) :])


def _lp(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def hasher(tag: bytes, election_id: str) -> Callable[[bytes], str]:
    """A fast hash function for one election: the constant prefix is built once, so
    hashing 100,000 codes is one hashlib call each."""
    prefix = _lp(tag) + _lp(election_id.encode("utf-8"))
    sha = hashlib.sha256

    def h(code: bytes) -> str:
        return sha(prefix + len(code).to_bytes(4, "big") + code).hexdigest()

    return h


def receipt_hash(election_id: str, code: bytes) -> str:
    """R = SHA-256(lp("juxuan/receipt/v1") | lp(election_id UTF-8) | lp(T)), lower-case hex;
    lp(x) = 4-byte big-endian length of x, then x."""
    return hasher(RECEIPT_TAG, election_id)(code)


def audit_hash(election_id: str, code: bytes) -> str:
    """D = SHA-256(lp("juxuan/audit/v1") | lp(election_id UTF-8) | lp(A)), lower-case hex."""
    return hasher(AUDIT_TAG, election_id)(code)


def refuse_code_in(text: str, what: str) -> str | None:
    """The Chinese refusal for free text bound for the public chain that mentions a receipt
    code (`mentions_code`), or None."""
    if mentions_code(text):
        return (f"{what}中不能写回执码（或其中几组、或回执哈希）：它公开记入事件记录，"
                "会把回执与说明中的人和情况联系起来；请写明投票站、票箱和张数")
    return None
