"""Reading a bundle the verifier does not trust: bounded zip members, one member per name,
strict JSON (no duplicate keys, no floats, integers within ±(2^53−1), well-formed Unicode)
and canonical bytes exactly (docs/PROTOCOL.md §2, §7.1).

Nothing here trusts a size the zip states: every member is read through a stream that
stops one byte past the bound, and the JSON is only parsed after a cheap count of its
values shows it cannot blow the verifier's memory (peak < 300 MB for any input).

The public recount's papers (``recount/papers.jsonl``, about 16 KB a paper) are the one
member read as a stream: never held whole, inflated again line by line by whichever check
reads it (its hash, the recount), each line bounded and compared with its canonical bytes
by the recount's check.
"""
from __future__ import annotations

import hashlib
import io
import json
import struct
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any, NamedTuple

import orjson

from election.protocol import verify_shape
from election.protocol.canonical import canonical_json
from election.protocol.pause import gc_paused

MAX_ZIP = 128 * 1024 * 1024  # the zip file itself
MAX_MEMBER = 48 * 1024 * 1024  # one member, uncompressed
MAX_TOTAL = 96 * 1024 * 1024  # all members, uncompressed
# Memory the files may take once parsed, estimated before parsing: their bytes twice (the
# raw member and the strings parsed from it), 64 bytes per JSON value (commas, colons and
# brackets counted) and 200 per record line (records are kept compact).
MEMORY_BUDGET = 160 * 1024 * 1024
PER_VALUE = 64
PER_RECORD = 200
MAX_RECORD_LINE = 64 * 1024
MAX_MEMBERS = 64
MAX_INT = 2**53 - 1  # what every JSON reader holds exactly (JavaScript included)
MAX_STREAMED = 512 * 1024 * 1024  # a streamed member, uncompressed (not counted in MAX_TOTAL)
MAX_STREAMED_LINE = 1024 * 1024

JSON_FILES = (
    "manifest.json", "deposits.json", "boxes.json", "issuance.json", "spoiled.json", "unused.json",
    "voided.json", "rulebook.json", "tally_input.json", "totals.json", "box_totals.json", "head.sig",
    "countersign.json", "audit.json", "recount.json", "composition.json",
)
JSONL_FILES = ("chain.jsonl", "records.jsonl")
PEM_FILES = ("election_key.pem", "office_key.pem")
STREAMED_FILES = ("recount/papers.jsonl",)
KNOWN = frozenset(JSON_FILES + JSONL_FILES + PEM_FILES + STREAMED_FILES)
REQUIRED = (
    "manifest.json", "deposits.json", "boxes.json", "issuance.json", "spoiled.json", "unused.json",
    "voided.json", "rulebook.json", "tally_input.json", "totals.json", "box_totals.json", "chain.jsonl",
    "head.sig", "election_key.pem",
)


class Rec(NamedTuple):
    """One record of records.jsonl, kept compact: its D, its box and its marks as canonical
    bytes, one bytes object shared by every record with the same marks (most papers of an
    election look alike), so a recount converts each distinct set of marks once."""

    d: str
    box: str
    key: bytes

    def marks(self) -> dict[str, Any]:
        """The marks as JSON values (a fresh dict on every call)."""
        marks: dict[str, Any] = orjson.loads(self.key)
        return marks


class StreamError(ValueError):
    """A streamed member over its bounds, or one that does not inflate."""


class Stream:
    """A member read as a stream of lines, each pass inflating it again from the zip (or
    from the bytes given), never more than ``MAX_STREAMED`` bytes nor a line over
    ``MAX_STREAMED_LINE``."""

    def __init__(self, name: str, opener: Callable[[], IO[bytes]]) -> None:
        self.name = name
        self._open = opener

    def chunks(self) -> Iterator[bytes]:
        total = 0
        try:
            with self._open() as fh:
                while True:
                    chunk = fh.read(1 << 20)
                    if not chunk:
                        return
                    total += len(chunk)
                    if total > MAX_STREAMED:
                        raise StreamError(f"{self.name} 解压后超过上限 {MAX_STREAMED} 字节")
                    yield chunk
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
            raise StreamError(f"{self.name} 无法解压：{exc}") from None

    def lines(self) -> Iterator[bytes]:
        """Each line without its newline; a last line without one, or too long, fails."""
        rest = b""
        for chunk in self.chunks():
            rest += chunk
            lines = rest.split(b"\n")
            rest = lines.pop()
            if len(rest) > MAX_STREAMED_LINE:
                raise StreamError(f"{self.name} 有一行超过 {MAX_STREAMED_LINE} 字节")
            for line in lines:
                if len(line) > MAX_STREAMED_LINE:
                    raise StreamError(f"{self.name} 有一行超过 {MAX_STREAMED_LINE} 字节")
                yield line
        if rest:
            raise StreamError(f"{self.name} 的最后一行没有换行")

    def sha256_hex(self) -> str:
        h = hashlib.sha256()
        for chunk in self.chunks():
            h.update(chunk)
        return h.hexdigest()


def _member_opener(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> Callable[[], IO[bytes]]:
    return lambda: z.open(info)


def _bytes_opener(data: bytes) -> Callable[[], IO[bytes]]:
    return lambda: io.BytesIO(data)


class NotCanonical(ValueError):
    """A JSON value the protocol does not allow (float, duplicate key, big integer...)."""


@dataclass
class ReadResult:
    """What the reading found: the raw member bytes (first copy of a name), the parsed
    JSON values, and the problems of each reading check (empty = passed)."""

    raw: dict[str, bytes] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    streams: dict[str, Stream] = field(default_factory=dict)
    problems: dict[str, list[str]] = field(default_factory=dict)

    def fail(self, check: str, message: str) -> None:
        self.problems.setdefault(check, []).append(message)


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise NotCanonical(f"键“{k[:40]}”重复")
        out[k] = v
    return out


def _no_float(text: str) -> Any:
    raise NotCanonical(f"不允许浮点数 {text[:40]}")


def _no_constant(text: str) -> Any:
    raise NotCanonical(f"不允许 {text}")


def _int(text: str) -> int:
    if len(text) > 17:
        raise NotCanonical(f"整数 {text[:20]}… 超出 ±(2^53−1)")
    value = int(text)
    if abs(value) > MAX_INT:
        raise NotCanonical(f"整数 {text} 超出 ±(2^53−1)")
    return value


def parse_json(data: bytes) -> Any:
    """Strict parse of one JSON text (raises ValueError/NotCanonical/RecursionError)."""
    text = data.decode("utf-8")  # strict: invalid UTF-8 raises
    return json.loads(text, object_pairs_hook=_pairs, parse_float=_no_float, parse_int=_int,
                      parse_constant=_no_constant)


_MISS: Any = object()  # what quick_canonical returns when it proves nothing


def _plain(value: Any) -> bool:
    """Only what the protocol allows: strings, booleans, null, integers within ±(2^53−1),
    lists and objects of them (orjson reads 1.0 as a float and 2^60 as an integer)."""
    t = type(value)
    if t is str or t is bool or value is None:
        return True
    if t is int:
        return bool(-MAX_INT <= value <= MAX_INT)
    if t is list:
        return set(map(type, value)) <= {str} or all(map(_plain, value))
    if t is dict:
        return all(map(_plain, value.values()))
    return False


def _sorted_compact(value: Any, text: bytes) -> bool:
    """orjson's sorted compact form of ``value`` is ``text`` byte for byte. For the values
    ``_plain`` lets through, that form is canonical_json's (the same escape for every code
    point and the same key order; tests/protocol/test_canonical_fast compares the two)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS) == text
    except orjson.JSONEncodeError:
        return False


def quick_canonical(text: bytes) -> Any:
    """The value of ``text`` when a quick look proves it canonical and strict, else ``_MISS``.

    Proven when orjson parses it (valid UTF-8, no lone surrogate, no NaN, nothing after
    the value), the value holds no float and no integer beyond ±(2^53−1), and its sorted
    compact form is ``text`` again (a duplicate key is dropped by the parse, so its bytes
    cannot match). Anything else is not a finding yet: the caller parses the text strictly,
    which names what is wrong, or accepts it.
    """
    try:
        value = orjson.loads(text)
        return value if _plain(value) and _sorted_compact(value, text) else _MISS
    except (orjson.JSONDecodeError, RecursionError):
        return _MISS


_BOX_AT, _D_AT, _MARKS_AT = b'{"box":', b',"d":"', b'","marks":'
_HEX_DIGITS = b"0123456789abcdef"
_new_rec = tuple.__new__  # a Rec without NamedTuple's Python-level __new__ (100,000 of them)


class Shared:
    """What the records of one bundle share: one str per box and one bytes object per
    distinct set of marks, each proven canonical the first time it is met."""

    def __init__(self) -> None:
        self.boxes: dict[bytes, str] = {}
        self.marks: dict[bytes, bytes] = {}

    def box(self, text: bytes) -> str | None:
        box = self.boxes.get(text)
        if box is None:
            try:
                value = orjson.loads(text)
            except orjson.JSONDecodeError:
                return None
            if type(value) is not str or not _sorted_compact(value, text):
                return None
            box = self.boxes[text] = value
        return box

    def key(self, text: bytes) -> bytes | None:
        key = self.marks.get(text)
        if key is None:
            try:
                value = orjson.loads(text)
            except (orjson.JSONDecodeError, RecursionError):
                return None
            if (type(value) is not dict or not set(map(type, value.values())) <= {dict} or not _plain(value)
                    or not _sorted_compact(value, text)):
                return None
            key = self.marks[text] = text
        return key


def _quick_record(line: bytes, shared: Shared) -> Rec | None:
    """A record line proven canonical, strict and of the record's shape without parsing
    it whole, or None (the caller then takes the strict path, which names the fault if
    there is one). Proven when the line is exactly ``{"box":`` BOX ``,"d":"`` 64 hex
    digits ``","marks":`` MARKS ``}`` with BOX a canonical JSON string and MARKS a
    canonical object of objects: that is canonical_json of {box, d, marks}, keys sorted.
    The first ``,"d":"`` ends BOX, since a JSON string holds no unescaped quote."""
    if not line.startswith(_BOX_AT) or not line.endswith(b"}"):
        return None
    at = line.find(_D_AT)
    if at < 0 or not line.startswith(_MARKS_AT, at + 70):
        return None
    d = line[at + 6:at + 70]
    if d.translate(None, _HEX_DIGITS):
        return None
    box_text, key_text = line[7:at], line[at + 80:-1]
    box = shared.boxes.get(box_text)
    if box is None:
        box = shared.box(box_text)
    key = shared.marks.get(key_text)
    if key is None:
        key = shared.key(key_text)
    if box is None or key is None:
        return None
    return _new_rec(Rec, (d.decode("ascii"), box, key))


def _well_formed(value: Any) -> None:
    """Strings must be Unicode scalar values: a lone surrogate (\\ud800) has no UTF-8 form."""
    if isinstance(value, str):
        value.encode("utf-8")
    elif isinstance(value, dict):
        for k, v in value.items():
            k.encode("utf-8")
            _well_formed(v)
    elif isinstance(value, list):
        for v in value:
            _well_formed(v)


def canonical_line(value: Any) -> bytes:
    _well_formed(value)
    return canonical_json(value) + b"\n"


def _values(data: bytes) -> int:
    return data.count(b",") + data.count(b":") + data.count(b"[") + data.count(b"{") + 1


_LOCAL, _CENTRAL, _END = b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06"


def zip_layout(blob: bytes) -> str | None:
    """What is wrong with the zip's layout, or None (PROTOCOL.md §7.1). The protocol's zip has
    its first member at byte 0, its central directory (as many entries as its end record
    says) ending where the end record starts, and the end record with its comment ending the
    file: zip readers differ on anything else (bytes before or after the archive, offsets
    relative to a prefix, a count the directory does not hold, zip64 end records), so both
    verifiers refuse it. The end record is the last "PK\x05\x06" at least 22 bytes from the end."""
    at = blob.rfind(_END, max(0, len(blob) - 22 - 0xFFFF), max(0, len(blob) - 18))
    if at < 0:
        return "找不到 zip 的结尾记录"
    _, disk, cd_disk, here, count, size, offset, comment = struct.unpack_from("<4sHHHHIIH", blob, at)
    if at + 22 + comment != len(blob):
        return f"zip 结尾记录之后还有 {len(blob) - at - 22 - comment} 字节（或注释长度不符）"
    if disk or cd_disk or here != count or offset + size != at:
        return "zip 的中央目录不紧接在结尾记录之前（分卷、zip64 或偏移量不符）"
    if count and not blob.startswith(_LOCAL):
        return "zip 的第一个成员不在文件开头（之前有其他字节）"
    p = offset
    for _ in range(count):  # exactly `count` entries fill the directory
        if p + 46 > at or blob[p:p + 4] != _CENTRAL:
            return "zip 中央目录的成员数与结尾记录不符"
        name, extra, note = struct.unpack_from("<HHH", blob, p + 28)
        p += 46 + name + extra + note
    if p != at:
        return "zip 中央目录的成员数与结尾记录不符"
    return None


def read_zip(blob: bytes, max_member: int = MAX_MEMBER, max_total: int = MAX_TOTAL) -> ReadResult:
    """Read the members of a bundle within the bounds. Problems go under the checks
    ``zip_size`` (bounds), ``zip_members`` (names) and ``format`` (not a zip at all)."""
    res = ReadResult()
    if len(blob) > MAX_ZIP:
        res.fail("zip_size", f"公示包文件 {len(blob)} 字节，超过上限 {MAX_ZIP} 字节")
        return res
    layout = zip_layout(blob)
    if layout is not None:
        res.fail("format", f"不是协议规定的 zip 文件：{layout}")
        return res
    try:
        z = zipfile.ZipFile(io.BytesIO(blob))
        infos = z.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, ValueError, OSError, EOFError, NotImplementedError) as exc:
        res.fail("format", f"不是有效的 zip 文件：{exc}")
        return res
    if len(infos) > MAX_MEMBERS:
        res.fail("zip_size", f"公示包有 {len(infos)} 个成员，超过上限 {MAX_MEMBERS} 个")
        return res
    names = Counter(i.filename for i in infos)
    for name, n in sorted(names.items()):
        if n > 1:
            res.fail("zip_members", f"文件名 {name[:60]} 在 zip 中出现 {n} 次（每个文件名只能出现一次）")
        if name not in KNOWN:
            res.fail("zip_members", f"zip 中有协议未规定的成员 {name[:60]!r}")
    declared = 0
    for info in infos:
        if info.filename in STREAMED_FILES:
            if info.file_size > MAX_STREAMED:
                res.fail("zip_size", f"成员 {info.filename} 声明 {info.file_size} 字节，超过上限 {MAX_STREAMED} 字节")
            continue
        declared += max(info.file_size, 0)
        if info.file_size > max_member:
            res.fail("zip_size", f"成员 {info.filename[:60]} 声明 {info.file_size} 字节，超过单个文件上限 {max_member} 字节")
    if declared > max_total:
        res.fail("zip_size", f"各成员共声明 {declared} 字节，超过总上限 {max_total} 字节")
    if res.problems:
        return res
    total = 0
    for info in infos:
        if info.filename in res.raw or info.filename in res.streams or info.filename not in KNOWN:
            continue  # the first copy of a name is what `unzip -p` shows
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            # The protocol's members are stored or deflated; Python would also inflate bzip2
            # and LZMA, which a browser cannot: both verifiers refuse them alike.
            res.fail("format", f"成员 {info.filename} 的压缩方法 {info.compress_type} 不是协议规定的存储（0）或 deflate（8）")
            continue
        if info.filename in STREAMED_FILES:
            res.streams[info.filename] = Stream(info.filename, _member_opener(z, info))
            continue
        try:
            with z.open(info) as fh:
                data = fh.read(max_member + 1)  # never more than the bound, whatever the header says
        except (zipfile.BadZipFile, zlib.error, ValueError, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
            res.fail("format", f"成员 {info.filename} 无法解压：{exc}")
            continue
        total += len(data)
        if len(data) > max_member or total > max_total:
            res.fail("zip_size", f"成员 {info.filename} 解压后超过上限")
            return res
        res.raw[info.filename] = data
    return res


def _why(exc: BaseException) -> str:
    """What was wrong with a JSON text, said plainly: a nesting too deep for the parser (a
    forged text of thousands of nested brackets) by name, anything else as the parser says it."""
    if isinstance(exc, RecursionError):
        return "嵌套层数过深（数组或对象嵌套上千层）"
    return str(exc)[:120]


def parse_members(res: ReadResult) -> None:
    """Parse every JSON and JSON-lines member strictly and compare it with its canonical
    bytes; problems go under ``canonical``. Missing required members go under ``format``.
    The cyclic GC is paused meanwhile (hundreds of thousands of strings and no cycles)."""
    with gc_paused():
        _parse_members(res)


def _parse_members(res: ReadResult) -> None:
    for name in REQUIRED:
        if name not in res.raw:
            res.fail("format", f"缺少文件 {name}")
    records = res.raw.get("records.jsonl", b"")
    estimate = (2 * sum(len(b) for b in res.raw.values())
                + sum(_values(b) for n, b in res.raw.items() if n not in PEM_FILES and n != "records.jsonl") * PER_VALUE
                + records.count(b"\n") * PER_RECORD)
    if estimate > MEMORY_BUDGET:
        res.fail("zip_size", f"各 JSON 文件解析后约需 {estimate // 2**20} MiB，超过上限 {MEMORY_BUDGET // 2**20} MiB")
        return
    for name in JSON_FILES:
        blob = res.raw.get(name)
        if blob is None:
            continue
        try:
            value = quick_canonical(blob[:-1]) if blob.endswith(b"\n") else _MISS
            if value is _MISS:
                value = parse_json(blob)
                if canonical_line(value) != blob:
                    res.fail("canonical", f"{name} 不是规范 JSON（键的顺序、空白、转义或结尾换行不符）")
            res.data[name] = value
        except (ValueError, RecursionError, UnicodeError) as exc:
            res.fail("canonical", f"{name} 不是严格的 JSON：{_why(exc)}")
    for name in JSONL_FILES:
        blob = res.raw.get(name)
        if blob is None:
            continue
        lines: list[Any] = []
        shared = Shared()
        if blob and not blob.endswith(b"\n"):
            res.fail("canonical", f"{name} 的最后一行没有换行")
        start, n = 0, 0
        while True:
            end = blob.find(b"\n", start)
            if end < 0:
                break
            line, start, n = blob[start:end], end + 1, n + 1
            if name == "records.jsonl" and len(line) > MAX_RECORD_LINE:
                res.fail("zip_size", f"{name} 第 {n} 行超过 {MAX_RECORD_LINE} 字节")
                break
            if name == "records.jsonl":
                rec = _quick_record(line, shared)
                if rec is not None:
                    lines.append(rec)
                    continue
            try:
                value = quick_canonical(line) if name != "records.jsonl" else _MISS
                if value is _MISS:
                    value = parse_json(line)
                    if canonical_line(value) != line + b"\n":
                        res.fail("canonical", f"{name} 第 {n} 行不是规范 JSON")
                        break
            except (ValueError, RecursionError, UnicodeError) as exc:
                res.fail("canonical", f"{name} 第 {n} 行不是严格的 JSON：{_why(exc)}")
                break
            if name == "records.jsonl":
                shape: list[str] = []
                verify_shape.check(verify_shape.RECORD_LINE, value, f"{name} 第 {n} 行", shape)
                if shape:
                    res.fail("format", shape[0])
                    break
                key = orjson.dumps(value["marks"], option=orjson.OPT_SORT_KEYS)
                lines.append(Rec(value["d"], value["box"], shared.marks.setdefault(key, key)))
            else:
                lines.append(value)
        res.data[name] = lines


def members_of(files: Mapping[str, bytes]) -> ReadResult:
    """The reading of already unpacked files (tests and the server's own sealed files)."""
    res = ReadResult(raw={k: v for k, v in files.items() if k not in STREAMED_FILES},
                     streams={k: Stream(k, _bytes_opener(v)) for k, v in files.items() if k in STREAMED_FILES})
    parse_members(res)
    return res
