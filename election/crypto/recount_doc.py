"""The public recount as two bundle members: ``recount.json`` (the trustees' ceremony, the
posts' shapes, the number of papers, the trustees' partial decryptions of the homomorphic
totals, and the decrypted totals) and ``recount/papers.jsonl`` (every counted paper's
ciphertexts and proofs, one canonical JSON line a paper, sorted by D). ``verify`` reads the
papers as a stream — one paper at a time, keeping only the running sums — checks it all
without trusting the server and says which named check failed:

- ``recount_format``: the document's shape and bounds;
- ``recount_trustees``: every trustee's commitments and proofs; the joint key from them;
- ``recount_papers``: one entry per counted D, sorted, unique, each of the paper's form;
- ``recount_selections``: every selection of every paper is 0 or 1 (a record encrypting 2,
  or a proof whose challenge omits the statement, fails here), the write-ins within the seats;
- ``recount_seats``: no post of any paper counts more approvals than its seats;
- ``recount_invalid_posts``: at most one mark per candidate, and an invalid post (or every
  post of a whole invalid paper) counts nothing;
- ``recount_decryption``: each partial decryption's proof, a quorum per total, and the
  decrypted totals equal to what the ciphertexts and partials give;
- ``recount_totals``: the decrypted totals equal the published totals."""
from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import ceremony, group, proofs, trustees
from .dlog import SmallLogs
from .elgamal import Ciphertext, parse
from .paper import INVALID, SEATS, SELECTION, PaperRefused, PostCount, PostShape, check_shapes, encrypt_paper, verify_paper
from .record import expected_from_totals
from .tally import sum_by_label

FORMAT = "juxuan-recount-v2"
# The verifier's check for each kind of a paper's proofs, and what it says when they hold.
PROOF_CHECKS = {SELECTION: ("recount_selections", "每张选票的每一项都是 0 或 1，另选他人不超过应选名额"),
                SEATS: ("recount_seats", "每张选票每个职位计入的赞成票不超过应选名额"),
                INVALID: ("recount_invalid_posts", "每位候选人至多一个记号，无效的职位和选票不计任何票")}
PAPERS = "recount/papers.jsonl"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    message: str


def encrypt_round(base: bytes, key: bytes, shapes: Sequence[PostShape],
                  records: Iterable[tuple[str, list[PostCount], int]]) -> list[dict[str, Any]]:
    """Every counted record (D hex, its vector, whole-paper invalid) encrypted, sorted by D."""
    out = []
    for d, counts, whole in records:
        sealed = encrypt_paper(base, key, bytes.fromhex(d), list(shapes), counts, whole)
        out.append({"d": d, **sealed.to_json()})
    out.sort(key=lambda p: p["d"])
    return out


def shapes_json(shapes: Sequence[PostShape], listed: Mapping[str, Sequence[str]]) -> list[dict[str, Any]]:
    """Each post's shape and its listed candidates (person ids, in the order of the labels)."""
    return [{"key": s.key, "seats": s.seats, "candidates": s.candidates, "listed": list(listed[s.key])} for s in shapes]


def _sums(papers: Sequence[Mapping[str, Any]]) -> dict[str, Ciphertext]:
    # The server's own encryptions: parsed and summed; their proofs are checked by verify().
    return sum_by_label({label: parse(value, label) for label, value in p["ct"].items()} for p in papers)


def encrypted_totals(papers: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
    """The homomorphic totals, label -> [α, β] hex (what the trustees are asked to decrypt)."""
    return {label: c.to_json() for label, c in sorted(_sums(papers).items())}


def document(ceremony_doc: Mapping[str, Any], publics: Sequence[Mapping[str, Any]], shapes: Sequence[PostShape],
             listed: Mapping[str, Sequence[str]], papers: Sequence[Mapping[str, Any]],
             partials: Sequence[Mapping[str, Any]], decrypted: Mapping[str, int]) -> dict[str, Any]:
    """recount.json: everything but the papers themselves, which it counts."""
    return {"format": FORMAT, "ceremony": dict(ceremony_doc), "publics": [dict(p) for p in publics],
            "shapes": shapes_json(shapes, listed), "papers": len(papers), "partials": [dict(p) for p in partials],
            "decrypted": dict(sorted(decrypted.items()))}


def decrypt(ceremony_doc: Mapping[str, Any], publics: Sequence[Mapping[str, Any]], shapes: Sequence[PostShape],
            papers: Sequence[Mapping[str, Any]], partials: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """The decrypted totals from a quorum of trustees' partials, each partial's proof checked."""
    base, quorum, _ = ceremony.parse_ceremony(dict(ceremony_doc))
    published = ceremony.checked_publics(dict(ceremony_doc), list(publics))
    return _decrypt_sums(base, quorum, published, _sums(papers), partials, len(papers), shapes)


def check_partials(ceremony_doc: Mapping[str, Any], publics: Sequence[Mapping[str, Any]],
                   papers: Sequence[Mapping[str, Any]], partial: Mapping[str, Any]) -> None:
    """One trustee's partial decryptions of a round: one per total, each proof holding."""
    base, _, _ = ceremony.parse_ceremony(dict(ceremony_doc))
    published = ceremony.checked_publics(dict(ceremony_doc), list(publics))
    sums = _sums(papers)
    parsed = _partials_by_label([partial], sums)
    if set(parsed) != set(sums):
        raise group.CryptoError("recount_decryption", "部分解密须覆盖每一个加密总数")
    for label, given in parsed.items():
        for p in given:
            if not 1 <= p.index <= len(published):
                raise group.CryptoError("recount_decryption", "部分解密来自不存在的受托人")
            trustees.check_partial(base, published, sums[label], label.encode("utf-8"), p)


def _partials_by_label(partials: Sequence[Mapping[str, Any]], sums: Mapping[str, Ciphertext]) -> dict[str, list[trustees.Partial]]:
    by_label: dict[str, list[trustees.Partial]] = {}
    for doc in partials:
        index = doc.get("index") if isinstance(doc, dict) else None
        if not isinstance(index, int) or not isinstance(doc.get("partials"), dict):
            raise group.CryptoError("recount_format", "部分解密文件格式不对")
        for label, part in doc["partials"].items():
            if label not in sums or not isinstance(part, dict):
                raise group.CryptoError("recount_format", f"部分解密含未知的总数 {label}")
            value = group.point(ceremony.hex_bytes(part.get("value"), 32, "部分解密"), what="部分解密", allow_identity=True)
            by_label.setdefault(label, []).append(
                trustees.Partial(index, value, proofs.EqualityProof(*proofs.parse_pair(part.get("proof"), label))))
    return by_label


def _decrypt_sums(base: bytes, quorum: int, published: list[trustees.Commitments], sums: Mapping[str, Ciphertext],
                  partials: Sequence[Mapping[str, Any]], papers: int, shapes: Sequence[PostShape]) -> dict[str, int]:
    by_label = _partials_by_label(partials, sums)
    logs = SmallLogs(max(1, papers) * max((s.seats for s in shapes), default=1))
    out: dict[str, int] = {}
    for label, c in sorted(sums.items()):
        given = by_label.get(label, [])
        if len({p.index for p in given}) != len(given) or any(not 1 <= p.index <= len(published) for p in given):
            raise group.CryptoError("recount_decryption", f"{label} 的部分解密受托人重复或不存在")
        for partial in given:
            trustees.check_partial(base, published, c, label.encode("utf-8"), partial)
        out[label] = logs.log(trustees.combine(quorum, c, given), label)
    return out


def parse_shapes(raw: object) -> tuple[list[PostShape], dict[str, list[str]]]:
    """The posts' shapes and listed candidates of a recount document."""
    if not isinstance(raw, list):
        raise group.CryptoError("recount_format", "recount.json 缺少职位表")
    out, listed = [], {}
    for s in raw:
        if not (isinstance(s, dict) and isinstance(s.get("key"), str) and isinstance(s.get("seats"), int)
                and isinstance(s.get("candidates"), int) and isinstance(s.get("listed"), list)
                and len(s["listed"]) == s["candidates"] and all(isinstance(p, str) for p in s["listed"])
                and len(set(s["listed"])) == len(s["listed"])):
            raise group.CryptoError("recount_format", "recount.json 的职位表格式不对")
        out.append(PostShape(s["key"], s["seats"], s["candidates"]))
        listed[s["key"]] = list(s["listed"])
    check_shapes(out)
    return out, listed


def verify(doc: object, papers: Iterable[object], counted: Sequence[str] | None, totals: Mapping[str, Any] | None,
           allowed: Collection[str] | None = None, returned: int | None = None) -> list[Check]:
    """Every check of a recount: ``doc`` is recount.json, ``papers`` its papers one by one (an
    iterator may raise ``CryptoError`` for a line it cannot read). The papers are checked
    against the bundle's counted D list (an auditor bundle's records), or, where the bundle
    has no records, against the number of papers returned and the D of the manifest that
    were not voided (``allowed``); and, when given, against the published totals.json
    (``record.expected_from_totals``)."""
    checks: list[Check] = []

    def fail(name: str, message: str) -> list[Check]:
        checks.append(Check(name, False, message))
        return checks

    def count(value: object) -> bool:  # JSON true is not a count (Python's bool is an int)
        return isinstance(value, int) and not isinstance(value, bool)

    if not (isinstance(doc, dict) and doc.get("format") == FORMAT and count(doc.get("papers"))
            and isinstance(doc.get("publics"), list) and isinstance(doc.get("partials"), list)
            and isinstance(doc.get("decrypted"), dict) and all(count(v) for v in doc["decrypted"].values())
            and isinstance(doc.get("ceremony"), dict)):
        return fail("recount_format", "recount.json 不是居选公开重计文件")
    expected_papers = len(counted) if counted is not None else (returned if returned is not None else 0)
    try:
        shapes, listed = parse_shapes(doc.get("shapes"))
        if len(doc["publics"]) > ceremony.MAX_TRUSTEES:
            return fail("recount_format", "recount.json 的受托人多于上限")
        checks.append(Check("recount_format", True, f"{doc['papers']} 张选票的密文，{len(shapes)} 个职位"))
    except group.CryptoError as error:
        return fail("recount_format", error.message)
    try:
        base, quorum, n = ceremony.parse_ceremony(doc["ceremony"])
        published = ceremony.checked_publics(doc["ceremony"], doc["publics"])
        key = trustees.joint_key(published)
        checks.append(Check("recount_trustees", True, f"{n} 位受托人的承诺与证明成立，门限 {quorum}，联合公钥 {key.hex()[:16]}…"))
    except group.CryptoError as error:
        return fail("recount_trustees", error.message)
    try:
        sums, seen = _stream_papers(base, key, shapes, papers, counted, allowed, expected_papers)
        if seen != doc["papers"]:
            raise group.CryptoError("recount_papers", f"recount.json 说有 {doc['papers']} 份密文，{PAPERS} 有 {seen} 份")
    except PaperRefused as refused:
        # The first paper whose proofs fail: each kind of proof that failed under its own check.
        checks.append(Check("recount_papers", True, "在此之前的选票各有一份格式正确的密文"))
        for kind, (name, _) in PROOF_CHECKS.items():
            if kind in refused.failed:
                checks.append(Check(name, False, f"{refused.what} 的 {'、'.join(refused.failed[kind][:5])} 证明不成立"))
        return checks
    except group.CryptoError as error:
        return fail("recount_papers", error.message)
    checks.append(Check("recount_papers", True, f"{seen} 张选票各有一份密文，按 D 排序不重复"))
    checks += [Check(name, True, f"{seen} 张选票：{said}") for name, said in PROOF_CHECKS.values()]
    try:
        decrypted = _decrypt_sums(base, quorum, published, sums, doc["partials"], seen, shapes)
    except group.CryptoError as error:
        return fail("recount_decryption", error.message)
    if decrypted != doc["decrypted"]:
        return fail("recount_decryption", "公布的解密总数与密文和部分解密算出的不符")
    checks.append(Check("recount_decryption", True, f"{len(decrypted)} 个总数由 {quorum} 位以上受托人解密，证明成立"))
    if totals is not None:
        try:
            expected = expected_from_totals(totals, listed)
        except (KeyError, TypeError, ValueError):
            return fail("recount_totals", "公布的计票结果缺少重计的职位或候选人")
        wrong = sorted(label for label in set(expected) | set(decrypted) if expected.get(label) != decrypted.get(label))
        if wrong:
            return fail("recount_totals", "解密总数与公布的计票结果不符：" + "、".join(wrong[:5]))
        checks.append(Check("recount_totals", True, "解密总数等于公布的计票结果"))
    return checks


def _stream_papers(base: bytes, key: bytes, shapes: Sequence[PostShape], papers: Iterable[object],
                   counted: Sequence[str] | None, allowed: Collection[str] | None,
                   expected: int) -> tuple[dict[str, Ciphertext], int]:
    """Each paper checked as it comes (D after the previous one, one of the counted or allowed
    D, every proof), summed per label; then the number of papers against the count."""
    wanted = set(counted) if counted is not None else None
    sums: dict[str, Ciphertext] = {}
    previous, seen = "", 0
    for paper in papers:
        seen += 1
        if seen > expected:
            raise group.CryptoError("recount_papers", f"密文多于计入的 {expected} 张选票")
        d = paper.get("d") if isinstance(paper, dict) else None
        if not isinstance(d, str) or d <= previous:
            raise group.CryptoError("recount_papers", f"第 {seen} 份密文的 D 重复、缺失或未按 D 排序")
        if wanted is not None and d not in wanted:
            raise group.CryptoError("recount_papers", f"第 {seen} 份密文的 D 不是计入的选票")
        if allowed is not None and d not in allowed:
            raise group.CryptoError("recount_papers", f"第 {seen} 份密文的 D 不在选票清单中，或是作废、未用选票的 D")
        previous = d
        cts = verify_paper(base, key, ceremony.hex_bytes(d, 32, "D"), list(shapes), paper, f"记录 {d[:12]}")
        for label, c in cts.items():
            sums[label] = sums[label].plus(c) if label in sums else c
    if seen != expected:
        raise group.CryptoError("recount_papers", f"密文 {seen} 份，计入的选票 {expected} 张，应一一对应")
    return sums, seen
