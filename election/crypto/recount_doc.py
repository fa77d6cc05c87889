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
- ``recount_totals``: the decrypted totals equal the published totals;
- ``recount_box_groups``: every paper's box is in one published box group; each group's
  homomorphic sum is decrypted by the trustees with proofs; the groups' decrypted totals add
  up to the whole, and each group's votes and papers equal its line of box_totals.json."""
from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import ceremony, group, proofs, trustees
from .dlog import SmallLogs
from .elgamal import Ciphertext, parse
from .paper import INVALID, SEATS, SELECTION, PaperRefused, PostCount, PostShape, check_shapes, encrypt_paper, verify_paper
from .record import expected_from_totals, expected_from_votes
from .tally import sum_by_label

FORMAT = "juxuan-recount-v3"
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


def encrypt_record(base: bytes, key: bytes, shapes: Sequence[PostShape], d: str, box: str,
                   counts: list[PostCount], whole: int) -> dict[str, Any]:
    """One counted record (D hex, its box, its vector, whole-paper invalid) encrypted with its
    proofs: a line of recount/papers.jsonl."""
    sealed = encrypt_paper(base, key, bytes.fromhex(d), list(shapes), counts, whole)
    return {"d": d, "box": box, **sealed.to_json()}


def encrypt_round(base: bytes, key: bytes, shapes: Sequence[PostShape],
                  records: Iterable[tuple[str, str, list[PostCount], int]]) -> list[dict[str, Any]]:
    """Every counted record (D hex, box, its vector, whole-paper invalid) encrypted, sorted by D."""
    out = [encrypt_record(base, key, shapes, d, box, counts, whole) for d, box, counts, whole in records]
    out.sort(key=lambda p: p["d"])
    return out


def group_label(index: int, label: str) -> str:
    """The name of a box group's total of ``label`` (what the trustees' proofs bind)."""
    return f"{index}#{label}"


def shapes_json(shapes: Sequence[PostShape], listed: Mapping[str, Sequence[str]]) -> list[dict[str, Any]]:
    """Each post's shape and its listed candidates (person ids, in the order of the labels)."""
    return [{"key": s.key, "seats": s.seats, "candidates": s.candidates, "listed": list(listed[s.key])} for s in shapes]


def _sums(papers: Sequence[Mapping[str, Any]], groups: Sequence[Sequence[str]] = ()) -> dict[str, Ciphertext]:
    # The server's own encryptions: parsed and summed, overall and per box group; their
    # proofs are checked by verify().
    parsed = [(p.get("box"), {label: parse(value, label) for label, value in p["ct"].items()}) for p in papers]
    out = sum_by_label(cts for _, cts in parsed)
    for i, boxes in enumerate(groups):
        inside = set(boxes)
        for label, c in sum_by_label(cts for box, cts in parsed if box in inside).items():
            out[group_label(i, label)] = c
    return out


def encrypted_totals(papers: Sequence[Mapping[str, Any]], groups: Sequence[Sequence[str]] = ()) -> dict[str, list[str]]:
    """The homomorphic totals, label -> [α, β] hex (what the trustees are asked to decrypt):
    every label over all papers, and ``<i>#<label>`` over the papers of box group i."""
    return {label: c.to_json() for label, c in sorted(_sums(papers, groups).items())}


def document(ceremony_doc: Mapping[str, Any], publics: Sequence[Mapping[str, Any]], shapes: Sequence[PostShape],
             listed: Mapping[str, Sequence[str]], papers: Sequence[Mapping[str, Any]],
             partials: Sequence[Mapping[str, Any]], decrypted: Mapping[str, int],
             groups: Sequence[Sequence[str]] = ()) -> dict[str, Any]:
    """recount.json: everything but the papers themselves, which it counts; ``decrypted`` is
    ``decrypt``'s (the box groups' totals under their ``<i>#`` names)."""
    whole = {k: v for k, v in decrypted.items() if "#" not in k}
    per_group = []
    for i, boxes in enumerate(groups):
        prefix = group_label(i, "")
        inside = set(boxes)
        per_group.append({"boxes": list(boxes), "papers": sum(1 for p in papers if p.get("box") in inside),
                          "decrypted": {k[len(prefix):]: v for k, v in sorted(decrypted.items()) if k.startswith(prefix)}})
    return {"format": FORMAT, "ceremony": dict(ceremony_doc), "publics": [dict(p) for p in publics],
            "shapes": shapes_json(shapes, listed), "papers": len(papers), "partials": [dict(p) for p in partials],
            "decrypted": dict(sorted(whole.items())), "groups": per_group}


def decrypt(ceremony_doc: Mapping[str, Any], publics: Sequence[Mapping[str, Any]], shapes: Sequence[PostShape],
            papers: Sequence[Mapping[str, Any]], partials: Sequence[Mapping[str, Any]],
            groups: Sequence[Sequence[str]] = ()) -> dict[str, int]:
    """The decrypted totals (and the box groups' under ``<i>#``) from a quorum of trustees'
    partials, each partial's proof checked."""
    base, quorum, _ = ceremony.parse_ceremony(dict(ceremony_doc))
    published = ceremony.checked_publics(dict(ceremony_doc), list(publics))
    return _decrypt_sums(base, quorum, published, _sums(papers, groups), partials, len(papers), shapes)


def check_partials(ceremony_doc: Mapping[str, Any], publics: Sequence[Mapping[str, Any]],
                   papers: Sequence[Mapping[str, Any]], partial: Mapping[str, Any],
                   groups: Sequence[Sequence[str]] = ()) -> None:
    """One trustee's partial decryptions of a round: one per total (the box groups' too),
    each proof holding."""
    base, _, _ = ceremony.parse_ceremony(dict(ceremony_doc))
    published = ceremony.checked_publics(dict(ceremony_doc), list(publics))
    sums = _sums(papers, groups)
    parsed = _partials_by_label([partial], sums)
    if set(parsed) != set(sums):
        raise group.CryptoError("recount_decryption", "部分解密须覆盖每一个加密总数（含各票箱组）")
    for label, given in parsed.items():
        for p in given:
            if not 1 <= p.index <= len(published):
                raise group.CryptoError("recount_decryption", "部分解密来自不存在的受托人")
            trustees.check_partial(base, published, sums[label], label.encode("utf-8"), p)


def _partials_by_label(partials: Sequence[Mapping[str, Any]], sums: Mapping[str, Ciphertext]) -> dict[str, list[trustees.Partial]]:
    by_label: dict[str, list[trustees.Partial]] = {}
    for doc in partials:
        index = doc.get("index") if isinstance(doc, dict) else None
        if isinstance(index, bool) or not isinstance(index, int) or not isinstance(doc.get("partials"), dict):
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
        if not (isinstance(s, dict) and isinstance(s.get("key"), str) and type(s.get("seats")) is int
                and type(s.get("candidates")) is int and isinstance(s.get("listed"), list)
                and len(s["listed"]) == s["candidates"] and all(isinstance(p, str) for p in s["listed"])
                and len(set(s["listed"])) == len(s["listed"])):
            raise group.CryptoError("recount_format", "recount.json 的职位表格式不对")
        out.append(PostShape(s["key"], s["seats"], s["candidates"]))
        listed[s["key"]] = list(s["listed"])
    check_shapes(out)
    return out, listed


MAX_GROUPS = 4096


def _parse_groups(raw: object) -> list[dict[str, Any]]:
    def count(value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0

    if not (isinstance(raw, list) and len(raw) <= MAX_GROUPS):
        raise group.CryptoError("recount_format", "recount.json 缺少票箱组")
    seen: set[str] = set()
    for g in raw:
        if not (isinstance(g, dict) and isinstance(g.get("boxes"), list) and g["boxes"]
                and all(isinstance(b, str) for b in g["boxes"]) and count(g.get("papers"))
                and isinstance(g.get("decrypted"), dict) and all(count(v) for v in g["decrypted"].values())):
            raise group.CryptoError("recount_format", "recount.json 的票箱组格式不对")
        if seen & set(g["boxes"]) or len(set(g["boxes"])) != len(g["boxes"]):
            raise group.CryptoError("recount_format", "recount.json 的票箱组有重复的票箱")
        seen |= set(g["boxes"])
    return raw


def verify(doc: object, papers: Iterable[object], counted: Sequence[str] | None, totals: Mapping[str, Any] | None,
           allowed: Collection[str] | None = None, returned: int | None = None,
           box_totals: Sequence[Mapping[str, Any]] | None = None,
           record_boxes: Mapping[str, str] | None = None, joint_key: object = None) -> list[Check]:
    """Every check of a recount: ``doc`` is recount.json, ``papers`` its papers one by one (an
    iterator may raise ``CryptoError`` for a line it cannot read). The papers are checked
    against the bundle's counted D list (an auditor bundle's records, whose boxes
    ``record_boxes`` gives), or, where the bundle has no records, against the number of
    papers returned and the D of the manifest that were not voided (``allowed``); and, when
    given, against the published totals.json (``record.expected_from_totals``) and
    box_totals.json (each group's votes and papers). ``joint_key``: what the chain's last
    ``trustees.key_published`` fixed (None when it has none): the trustees' joint key must be
    it, or a server could run a ceremony of its own, holding every share, and decrypt what it
    likes with proofs that hold."""
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
        groups = _parse_groups(doc.get("groups"))
        if len(doc["publics"]) > ceremony.MAX_TRUSTEES:
            return fail("recount_format", "recount.json 的受托人多于上限")
        checks.append(Check("recount_format", True, f"{doc['papers']} 张选票的密文，{len(shapes)} 个职位，{len(groups)} 个票箱组"))
    except group.CryptoError as error:
        return fail("recount_format", error.message)
    try:
        base, quorum, n = ceremony.parse_ceremony(doc["ceremony"])
        published = ceremony.checked_publics(doc["ceremony"], doc["publics"])
        key = trustees.joint_key(published)
        if joint_key is not None and joint_key != key.hex():
            raise group.CryptoError("recount_trustees", f"recount.json 受托人的联合公钥 {key.hex()[:16]}… 不是事件链中公布的"
                                                        f"联合公钥（{str(joint_key)[:16]}…）：这不是受托人的公开重计")
        checks.append(Check("recount_trustees", True, f"{n} 位受托人的承诺与证明成立，门限 {quorum}，联合公钥 {key.hex()[:16]}…"))
    except group.CryptoError as error:
        return fail("recount_trustees", error.message)
    group_of = {b: i for i, g in enumerate(groups) for b in g["boxes"]}
    try:
        sums, per_group, seen = _stream_papers(base, key, shapes, papers, counted, allowed, expected_papers,
                                               group_of, record_boxes)
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
        return fail("recount_box_groups" if error.check == "recount_box_groups" else "recount_papers", error.message)
    checks.append(Check("recount_papers", True, f"{seen} 张选票各有一份密文，按 D 排序不重复"))
    checks += [Check(name, True, f"{seen} 张选票：{said}") for name, said in PROOF_CHECKS.values()]
    try:
        decrypted = _decrypt_sums(base, quorum, published, sums, doc["partials"], seen, shapes)
    except group.CryptoError as error:
        return fail("recount_decryption", error.message)
    whole = {k: v for k, v in decrypted.items() if "#" not in k}
    stated = dict(doc["decrypted"])
    for i, g in enumerate(groups):
        stated.update({group_label(i, k): v for k, v in g["decrypted"].items()})
    if decrypted != stated:
        return fail("recount_decryption", "公布的解密总数（或票箱组的解密总数）与密文和部分解密算出的不符")
    checks.append(Check("recount_decryption", True, f"{len(decrypted)} 个总数（含 {len(groups)} 个票箱组）由 {quorum} 位以上受托人解密，证明成立"))
    if totals is not None:
        try:
            expected = expected_from_totals(totals, listed)
        except (KeyError, TypeError, ValueError):
            return fail("recount_totals", "公布的计票结果缺少重计的职位或候选人")
        wrong = sorted(label for label in set(expected) | set(whole) if expected.get(label) != whole.get(label))
        if wrong:
            return fail("recount_totals", "解密总数与公布的计票结果不符：" + "、".join(wrong[:5]))
        checks.append(Check("recount_totals", True, "解密总数等于公布的计票结果"))
    problems = _group_problems(groups, per_group, whole, listed, box_totals)
    if problems:
        return fail("recount_box_groups", "；".join(problems[:5]))
    checks.append(Check("recount_box_groups", True, f"{len(groups)} 个票箱组的解密总数之和等于总数"
                        + ("，各组与公布的分票箱组票数一致" if box_totals is not None else "")))
    return checks


def _group_problems(groups: Sequence[Mapping[str, Any]], per_group: Sequence[int], whole: Mapping[str, int],
                    listed: Mapping[str, Sequence[str]], box_totals: Sequence[Mapping[str, Any]] | None) -> list[str]:
    """What is wrong with the box groups' decrypted totals: their sum against the whole, each
    group's papers against the ciphertexts of its boxes, and against box_totals.json."""
    problems = []
    added = {label: sum(int(g["decrypted"].get(label, 0)) for g in groups) for label in whole}
    wrong = sorted(label for label in whole if added[label] != whole[label])
    if wrong or any(set(g["decrypted"]) != set(whole) for g in groups):
        problems.append("各票箱组的解密总数之和不等于总数：" + "、".join(wrong[:5]))
    for i, g in enumerate(groups):
        if g["papers"] != per_group[i]:
            problems.append(f"票箱组 {','.join(g['boxes'])} 说有 {g['papers']} 张选票，密文有 {per_group[i]} 份")
    if box_totals is None:
        return problems
    if [list(g["boxes"]) for g in groups] != [list(t.get("boxes", ())) for t in box_totals]:
        return [*problems, "票箱组与 box_totals.json 的分组不同"]
    for g, t in zip(groups, box_totals, strict=True):
        try:
            expected = expected_from_votes(t["posts"], listed)
        except (KeyError, TypeError, ValueError):
            problems.append(f"box_totals.json 的票箱组 {','.join(g['boxes'])} 缺少重计的职位")
            continue
        wrong = sorted(label for label, v in expected.items() if g["decrypted"].get(label) != v)
        if wrong or t.get("papers") != g["papers"]:
            problems.append(f"票箱组 {','.join(g['boxes'])} 的解密总数与 box_totals.json 不符：" + "、".join(wrong[:5] or ["张数"]))
    return problems


def _stream_papers(base: bytes, key: bytes, shapes: Sequence[PostShape], papers: Iterable[object],
                   counted: Sequence[str] | None, allowed: Collection[str] | None,
                   expected: int, group_of: Mapping[str, int],
                   record_boxes: Mapping[str, str] | None) -> tuple[dict[str, Ciphertext], list[int], int]:
    """Each paper checked as it comes (D after the previous one, one of the counted or allowed
    D, its box that of its record and in a box group, every proof), summed per box group's
    label, and the groups' sums summed per label (every paper is in one group: half the point
    additions of summing each paper twice); then the number of papers against the count."""
    wanted = set(counted) if counted is not None else None
    per_group = [0] * (max(group_of.values(), default=-1) + 1)
    group_sums: list[dict[str, Ciphertext]] = [{} for _ in per_group]
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
        box = paper.get("box") if isinstance(paper, dict) else None
        if not isinstance(box, str) or (record_boxes is not None and record_boxes.get(d) != box):
            raise group.CryptoError("recount_papers", f"第 {seen} 份密文的票箱缺失或与计票记录的票箱不同")
        if box not in group_of:
            raise group.CryptoError("recount_box_groups", f"第 {seen} 份密文的票箱“{box}”不在任何票箱组中")
        previous = d
        cts = verify_paper(base, key, ceremony.hex_bytes(d, 32, "D"), list(shapes), paper, f"记录 {d[:12]}")
        g = group_of[box]
        per_group[g] += 1
        into = group_sums[g]
        for label, c in cts.items():
            into[label] = into[label].plus(c) if label in into else c
    if seen != expected:
        raise group.CryptoError("recount_papers", f"密文 {seen} 份，计入的选票 {expected} 张，应一一对应")
    sums: dict[str, Ciphertext] = {}
    for g, labelled in enumerate(group_sums):
        for label, c in labelled.items():
            sums[label] = sums[label].plus(c) if label in sums else c
            sums[group_label(g, label)] = c
    return sums, per_group, seen
