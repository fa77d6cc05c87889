"""The verifier's checks of the audit's sampled papers decrypted by the trustees
(docs/PROTOCOL.md §13.1; audit.json's ``decryption`` beside recount/papers.jsonl):

- ``audit_sample_decryption``: every trustee's partial decryption of a sampled paper's
  ciphertext holds its Chaum–Pedersen proof against that paper's line of
  recount/papers.jsonl, a quorum per label, and ``decrypted`` is what they combine to;
- ``audit_sample_drawn``: the decrypted papers are exactly those the audit drew — the draws
  recomputed from the published seed and manifest, the D the auditors found at each drawn
  position, where a ciphertext of that D lies in that box — none left out, none added;
- ``audit_sample_compared``: every finding's ``record`` (what the audit compared the paper
  with) is the trustees' decryption of its D (null where no ciphertext of it lies in the
  drawn box). audit_recompute then recomputes the risks from those records.

The papers' lines are read from the stream once, keeping only those of the D the audit
names."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from election.crypto import recount_doc, sample
from election.crypto.group import CryptoError
from election.protocol import rla
from election.protocol.rla_audit import MISSING
from election.protocol.rla_check import is_int
from election.protocol.verify_ctx import Check, Ctx

NAMES_ZH = {"audit_sample_decryption": "抽中选票的受托人解密", "audit_sample_drawn": "只解密抽中的选票",
            "audit_sample_compared": "审计比对解密的记录"}
NAMES = tuple(NAMES_ZH)


def _audits(audit: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    items = audit.get("audits")
    return list(items) if isinstance(items, list) else [audit]


def drawn_papers(a: Mapping[str, Any], boxes_of: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The D the audit drew that have a ciphertext in the drawn box (D -> box), from the
    draws recomputed from its seed and manifest and the D found at each; and the problems."""
    problems: list[str] = []
    findings = a.get("findings") or []
    n = len(a.get("draws") or [])
    draws = rla.draw_sample(_seed(a), _manifest(a), n) if n else []
    out: dict[str, str] = {}
    for f in findings:
        i = f.get("index")
        if not (is_int(i) and 1 <= i <= len(draws)):  # "2" and true are not draw 2 nor 1
            problems.append(f"第 {i} 次抽取不在按随机种子重算的抽样之中")
            continue
        paper = f.get("paper") or {}
        d = str(f.get("d"))
        if paper.get("state") != MISSING and boxes_of.get(d) == draws[i - 1].box:
            out[d] = draws[i - 1].box
    return out, problems


def _seed(a: Mapping[str, Any]) -> str:
    seed = a.get("seed")
    if not isinstance(seed, str):  # as audit_sample reads it: no str() of a number
        raise ValueError("随机种子应为文字")
    return seed


def _manifest(a: Mapping[str, Any]) -> dict[str, int]:
    """The manifest as written: box -> a non-negative JSON integer ("2" and true are not counts)."""
    m = a.get("manifest")
    if not (isinstance(m, dict) and all(is_int(v) and v >= 0 for v in m.values())):
        raise ValueError("票箱清单 manifest 的张数须为非负整数")
    return dict(m)


def _lines(stream_lines: Iterable[Any], wanted: set[str]) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """The lines of the D named (D -> line) and every paper's box (D -> box)."""
    lines: dict[str, dict[str, Any]] = {}
    boxes: dict[str, str] = {}
    for line in stream_lines:
        if isinstance(line, dict) and isinstance(line.get("d"), str):
            boxes[line["d"]] = str(line.get("box"))
            if line["d"] in wanted:
                lines[line["d"]] = line
    return lines, boxes


def _named(a: Mapping[str, Any]) -> set[str]:
    dec = a.get("decryption") or {}
    out = {str(f.get("d")) for f in a.get("findings") or []}
    out |= set(dec.get("decrypted") or {})
    for doc in dec.get("partials") or []:
        for name in (doc.get("partials") or {}) if isinstance(doc, dict) else ():
            out.add(str(name).partition(":")[0])
    return out


def checks(audit: Mapping[str, Any], recount: Mapping[str, Any], stream_lines: Iterable[Any]) -> list[tuple[str, list[str], str]]:
    """The three checks over every audit of the round: (name, problems, detail when ok)."""
    audits = _audits(audit)
    wanted = set().union(*(_named(a) for a in audits)) if audits else set()
    lines, boxes = _lines(stream_lines, wanted)
    shapes, _ = recount_doc.parse_shapes(recount.get("shapes"))
    decryption: list[str] = []
    drawn_problems: list[str] = []
    compared: list[str] = []
    papers = 0
    for k, a in enumerate(audits, 1):
        dec = a.get("decryption")
        drawn, problems = drawn_papers(a, boxes)
        drawn_problems += [f"第 {k} 次审计：{p}" for p in problems]
        if not isinstance(dec, dict):
            if drawn:
                drawn_problems.append(f"第 {k} 次审计抽中的 {len(drawn)} 张选票有密文而没有受托人的解密：审计比对的是明文记录")
            continue
        stated = dec.get("decrypted")
        partials = dec.get("partials")
        if not isinstance(stated, dict) or not isinstance(partials, list):
            decryption.append(f"第 {k} 次审计的 decryption 格式不对")
            continue
        named = set(stated) | {str(n).partition(":")[0] for doc in partials if isinstance(doc, dict)
                               for n in (doc.get("partials") or {})}
        absent = sorted(d for d in named if d not in lines)
        if absent:
            drawn_problems.append(f"第 {k} 次审计解密了 {absent[0][:12]}，{recount_doc.PAPERS} 中没有这张选票的密文")
        try:
            got = sample.decrypt_sample(recount["ceremony"], recount["publics"], shapes,
                                        [lines[d] for d in sorted(named) if d in lines], partials)
            if got != stated:
                wrong = sorted(d for d in set(got) | set(stated) if got.get(d) != stated.get(d))
                decryption.append(f"第 {k} 次审计公布的解密值与部分解密算出的不符（选票 {wrong[0][:12]}）")
        except CryptoError as error:
            (drawn_problems if error.check == "audit_sample_drawn" else decryption).append(f"第 {k} 次审计：{error.message}")
        papers += len(stated)
        extra = sorted(set(stated) - set(drawn))
        missing = sorted(set(drawn) - set(stated))
        if extra:
            drawn_problems.append(f"第 {k} 次审计解密了未抽中的选票 {extra[0][:12]}（共 {len(extra)} 张）")
        if missing:
            drawn_problems.append(f"第 {k} 次审计抽中的选票 {missing[0][:12]} 没有解密（共 {len(missing)} 张）")
        for f in a.get("findings") or []:
            d = str(f.get("d"))
            expect = stated.get(d) if d in drawn else None
            if f.get("record") != expect:
                compared.append(f"第 {k} 次审计第 {f.get('index')} 次抽取比对的记录不是受托人解密的值")
    return [("audit_sample_decryption", decryption, f"{papers} 张抽中的选票由受托人解密，每个部分解密的证明成立"),
            ("audit_sample_drawn", drawn_problems, "解密的恰是按公开随机种子抽中、在所抽票箱中有密文的选票"),
            ("audit_sample_compared", compared, "审计逐张比对的记录即受托人解密的值")]


def sample_checks(c: Ctx, stream_lines: Iterable[Any]) -> list[Check]:
    try:
        found = checks(c.d["audit.json"], c.d["recount.json"], stream_lines)
    except (CryptoError, KeyError, TypeError, ValueError) as exc:
        what = exc.message if isinstance(exc, CryptoError) else type(exc).__name__
        return [Check(NAMES_ZH["audit_sample_decryption"], "audit_sample_decryption", False, f"无法检查抽中选票的解密（{what}）")]
    out = []
    for name, problems, detail in found:
        more = f"（另有 {len(problems) - 5} 项）" if len(problems) > 5 else ""
        out.append(Check(NAMES_ZH[name], name, not problems, "；".join(problems[:5]) + more if problems else detail))
    return out


def listed_of(recount: Mapping[str, Any]) -> dict[str, Sequence[str]] | None:
    """The listed persons per post of recount.json (the labels' order), or None."""
    try:
        _, listed = recount_doc.parse_shapes(recount.get("shapes"))
    except (CryptoError, AttributeError):
        return None
    return dict(listed)
