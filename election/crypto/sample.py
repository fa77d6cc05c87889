"""The audit's sampled papers decrypted by the trustees (docs/PROTOCOL.md §13.1).

After the audit's seed draws its sample and the auditors scan the drawn papers' audit codes,
a quorum of trustees decrypts exactly those papers' ciphertexts — every label of each paper's
line of recount/papers.jsonl, as sealed before the seed — with a Chaum–Pedersen proof each,
the same partial decryption as the totals' (``trustees.partial_decrypt``). A sampled label is
named ``<D>:<label>`` (``sample_label``), and the proof's context binds that name, so a
partial of one paper's selection cannot stand for another's. The trustee's own tool decrypts
it like the totals (``ceremony.decrypt`` of a {name: [α, β]} document).

The combined decryptions are each drawn paper's record as the count made it: per post every
listed candidate's counted approval and opposition, the counted approvals of anyone not
listed (a number: write-ins carry no name) and whether the post is invalid, and whether the
whole paper is. The audit compares the paper with that record instead of the plain one."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from . import ceremony, group, proofs, trustees
from .dlog import SmallLogs
from .elgamal import Ciphertext, parse
from .paper import PostShape

D_HEX = 64


def sample_label(d: str, label: str) -> str:
    """The name of paper D's ``label`` among the audit's sampled ciphertexts."""
    return f"{d}:{label}"


def split_label(name: str) -> tuple[str, str]:
    d, sep, label = name.partition(":")
    if not sep or len(d) != D_HEX or not label:
        raise group.CryptoError("audit_sample_decryption", f"{name[:80]} 不是抽中选票的密文名称")
    return d, label


def sample_ciphertexts(lines: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    """What the trustees are asked to decrypt: every ciphertext of these papers' lines (of
    recount/papers.jsonl), named ``<D>:<label>``."""
    out: dict[str, list[str]] = {}
    for line in lines:
        for label, value in line["ct"].items():
            out[sample_label(str(line["d"]), label)] = list(value)
    return dict(sorted(out.items()))


def _partials(docs: Sequence[Mapping[str, Any]], wanted: Mapping[str, Ciphertext]) -> dict[str, list[trustees.Partial]]:
    by_name: dict[str, list[trustees.Partial]] = {}
    for doc in docs:
        index = doc.get("index") if isinstance(doc, Mapping) else None
        if not isinstance(index, int) or isinstance(index, bool) or not isinstance(doc.get("partials"), Mapping):
            raise group.CryptoError("audit_sample_decryption", "抽中选票的部分解密格式不对")
        for name, part in doc["partials"].items():
            if name not in wanted:
                d, _ = split_label(name)
                raise group.CryptoError("audit_sample_drawn", f"部分解密了不在抽样之中的选票 {d[:12]} 的 {name[D_HEX + 1:]}")
            if not isinstance(part, Mapping):
                raise group.CryptoError("audit_sample_decryption", f"{name} 的部分解密格式不对")
            value = group.point(ceremony.hex_bytes(part.get("value"), 32, "部分解密"), what="部分解密", allow_identity=True)
            by_name.setdefault(name, []).append(
                trustees.Partial(index, value, proofs.EqualityProof(*proofs.parse_pair(part.get("proof"), name))))
    return by_name


def _wanted(lines: Iterable[Mapping[str, Any]]) -> dict[str, Ciphertext]:
    return {name: parse(value, name) for name, value in sample_ciphertexts(lines).items()}


def check_partials(ceremony_doc: Mapping[str, Any], publics: Sequence[Mapping[str, Any]],
                   lines: Iterable[Mapping[str, Any]], doc: Mapping[str, Any]) -> list[str]:
    """One trustee's partial decryptions of sampled papers (``lines``: the papers they may
    decrypt): each names a sampled ciphertext and its proof holds; returns the papers' D it
    covers whole (every label)."""
    base, _, _ = ceremony.parse_ceremony(dict(ceremony_doc))
    published = ceremony.checked_publics(dict(ceremony_doc), list(publics))
    wanted = _wanted(lines)
    given = _partials([doc], wanted)
    for name, parts in given.items():
        for p in parts:
            if not 1 <= p.index <= len(published):
                raise group.CryptoError("audit_sample_decryption", "部分解密来自不存在的受托人")
            trustees.check_partial(base, published, wanted[name], name.encode("utf-8"), p)
    covered: dict[str, int] = {}
    for name in given:
        d, _ = split_label(name)
        covered[d] = covered.get(d, 0) + 1
    labels_per_d: dict[str, int] = {}
    for name in wanted:
        d, _ = split_label(name)
        labels_per_d[d] = labels_per_d.get(d, 0) + 1
    partly = sorted(d for d, n in covered.items() if n != labels_per_d[d])
    if partly:
        raise group.CryptoError("audit_sample_decryption", f"选票 {partly[0][:12]} 的部分解密不全：须解密它的每一项")
    return sorted(covered)


def decrypt_sample(ceremony_doc: Mapping[str, Any], publics: Sequence[Mapping[str, Any]], shapes: Sequence[PostShape],
                   lines: Iterable[Mapping[str, Any]], docs: Sequence[Mapping[str, Any]],
                   check_proofs: bool = True) -> dict[str, dict[str, int]]:
    """Every sampled paper's record, D -> {label: value}, from the trustees' partials: each
    proof checked, a quorum per label (else ``audit_sample_drawn``: a paper of the sample
    left undecrypted), a value outside the label's range refused. ``check_proofs=False`` only
    for partials already checked one by one (``check_partials``, as the server does when a
    trustee's file is uploaded): a 63-paper sample's proofs take about 3 s to check again."""
    base, quorum, _ = ceremony.parse_ceremony(dict(ceremony_doc))
    published = ceremony.checked_publics(dict(ceremony_doc), list(publics))
    wanted = _wanted(lines)
    given = _partials(docs, wanted)
    logs = SmallLogs(max((s.seats for s in shapes), default=1))
    out: dict[str, dict[str, int]] = {}
    for name, c in sorted(wanted.items()):
        parts = given.get(name, [])
        d, label = split_label(name)
        if len({p.index for p in parts}) != len(parts) or any(not 1 <= p.index <= len(published) for p in parts):
            raise group.CryptoError("audit_sample_decryption", f"{name} 的部分解密受托人重复或不存在")
        if len(parts) < quorum:
            raise group.CryptoError("audit_sample_drawn", f"抽中的选票 {d[:12]} 的 {label} 没有 {quorum} 位受托人的部分解密")
        for p in parts if check_proofs else ():
            trustees.check_partial(base, published, c, name.encode("utf-8"), p)
        out.setdefault(d, {})[label] = logs.log(trustees.combine(quorum, c, parts), name)
    return out


def merge(docs: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One document per trustee (by index), the partials of all their uploads together."""
    by_index: dict[int, dict[str, Any]] = {}
    for doc in docs:
        by_index.setdefault(int(doc["index"]), {}).update(doc["partials"])
    return [{"index": i, "partials": dict(sorted(by_index[i].items()))} for i in sorted(by_index)]
