"""The independent verifier of a published bundle: runs every check the bundle's contents
allow and names each one in Chinese and English. tools/verify wraps this; it needs only
this package (the tally function for the recount is passed in by the caller)."""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from election.protocol import rla, signing
from election.protocol.bundle import (
    AUDITOR_ONLY,
    SELF_AUTHENTICATING,
    Record,
    deposits_json,
    parts_from_files,
    read_files,
)
from election.protocol.canonical import digest, sha256_hex
from election.protocol.chain import Event, verify_chain
from election.protocol.manifest import all_audits, all_receipts, printed, validate

TallyFn = Callable[[Sequence[Record]], Mapping[str, Mapping[str, int]]]


@dataclass(frozen=True)
class Check:
    name_zh: str
    name_en: str
    ok: bool
    detail: str


class _Run:
    def __init__(self) -> None:
        self.checks: list[Check] = []

    def add(self, zh: str, en: str, problems: Sequence[str], ok_detail: str) -> None:
        if problems:
            more = f"（另有 {len(problems) - 5} 项）" if len(problems) > 5 else ""
            self.checks.append(Check(zh, en, False, "；".join(problems[:5]) + more))
        else:
            self.checks.append(Check(zh, en, True, ok_detail))


def _last(events: Sequence[Event], kind: str) -> Event | None:
    for ev in reversed(events):
        if ev.kind == kind:
            return ev
    return None


def _posts_sum(groups: Sequence[Mapping[str, Mapping[str, int]]]) -> dict[str, Counter[str]]:
    out: dict[str, Counter[str]] = {}
    for g in groups:
        for post, cands in g.items():
            out.setdefault(post, Counter()).update({c: int(v) for c, v in cands.items()})
    return out


def _same_posts(a: Mapping[str, Mapping[str, int]], b: Mapping[str, Mapping[str, int]]) -> list[str]:
    diffs = []
    for post in sorted(set(a) | set(b)):
        ca, cb = a.get(post, {}), b.get(post, {})
        for c in sorted(set(ca) | set(cb)):
            if int(ca.get(c, 0)) != int(cb.get(c, 0)):
                diffs.append(f"{post}/{c}：{ca.get(c, 0)} ≠ {cb.get(c, 0)}")
    return diffs


RULEBOOK_EVENTS = ("rulebook.changed", "rulebook.decision")


def verify_bundle(data: bytes, tally_fn: TallyFn | None = None, min_box_size: int = 30) -> list[Check]:
    """Every check the bundle allows; a failing check says what failed and where."""
    run = _Run()
    try:
        files = read_files(data)
        parts = parts_from_files(files)
    except Exception as exc:  # a malformed bundle is a finding, not a crash
        return [Check("文件格式", "format", False, f"无法读取公示包：{exc}")]
    # A bundle is of one round (totals.json "round"; bundles without it are of round 1).
    try:
        round_number = int(parts.totals.get("round", 1))
    except (AttributeError, TypeError, ValueError):
        return [Check("文件格式", "format", False, "totals.json 中的轮次 round 不是整数")]
    run.add("文件格式", "format", [], f"第 {round_number} 轮公示包，共 {len(files)} 个文件")
    events = list(parts.chain)

    # 1. chain
    run.add("事件链", "chain", [f.message for f in verify_chain(events)], f"{len(events)} 个事件，链接与哈希正确")
    genesis = events[0].payload if events else {}
    head = events[-1] if events else None

    # 2. key fingerprint stated in genesis
    problems = []
    try:
        key = signing.public_key_from_pem(parts.election_key_pem)
        fp = signing.fingerprint(key)
        if genesis.get("key") != fp:
            problems.append(f"公示包中的选举公钥指纹为 {fp}，与创世记录中的 {genesis.get('key')!r} 不符")
    except ValueError as exc:
        key, fp = None, ""
        problems.append(f"选举公钥无法读取：{exc}")
    run.add("选举公钥", "election_key", problems, f"公钥指纹 {fp} 与创世记录一致")

    # 3. head signature
    problems = []
    sig = parts.head_sig
    if sig is None:
        problems.append("缺少 head.sig（链头签名）")
    elif key is None or not signing.verify(key, sig):
        problems.append("链头签名无法用公示的选举公钥验证")
    elif head is None or sig.statement.get("head") != head.hash or sig.statement.get("seq") != head.seq:
        problems.append(f"签名的链头（序号 {sig.statement.get('seq')}）不是事件链的最后一个事件（序号 {head.seq if head else '无'}）")
    elif sig.statement.get("election") != genesis.get("election"):
        problems.append("签名中的选举编号与创世记录不符")
    run.add("链头签名", "head_signature", problems, f"链头序号 {head.seq if head else ''} 的签名有效")

    # 4. every file covered by the last bundle_index
    problems = []
    idx = _last(events, "bundle_index")
    if idx is None:
        problems.append("事件链中没有 bundle_index（文件索引）事件")
    else:
        listed = idx.payload.get("files", {})
        optional = set(idx.payload.get("auditor_only", [])) & AUDITOR_ONLY
        for name, blob in sorted(files.items()):
            if name in SELF_AUTHENTICATING:
                continue
            if name not in listed:
                problems.append(f"文件 {name} 未列入文件索引")
            elif listed[name] != sha256_hex(blob):
                problems.append(f"文件 {name} 的 SHA-256 与文件索引（第 {idx.seq} 号事件）不符")
        for name in sorted(listed):
            if name not in files and name not in optional:
                problems.append(f"文件索引列出的 {name} 不在公示包中")
    run.add("文件索引", "bundle_index", problems, "每个文件的 SHA-256 都在已签名的事件链中")

    # 5. rulebook fingerprint
    # The rulebook in force is genesis's, unless a later recorded change or decision of the
    # committee fixed a new fingerprint; the last one recorded is what the count must use.
    rb = digest(parts.rulebook)
    expected, where = genesis.get("rulebook"), "创世记录"
    for ev in events:
        if ev.kind in RULEBOOK_EVENTS and "rulebook_fingerprint" in ev.payload:
            expected, where = ev.payload["rulebook_fingerprint"], f"第 {ev.seq} 号事件（{ev.kind}）"
    run.add("规则集", "rulebook",
            [] if rb == expected else [f"rulebook.json 的指纹 {rb[:16]}… 与{where}中的 {str(expected)[:16]}… 不符"],
            "规则集与事件链记录的最后一次规则一致")

    # 6. manifest: sorted, unique, and the digests recorded at print time for this round
    # (batch numbers run on across rounds; a manifest event without "round" is round 1's).
    recorded = {int(e.payload.get("batch", -1)): e.payload.get("digest") for e in events
                if e.kind == "manifest" and int(e.payload.get("round", 1)) == round_number}
    problems = [f.message for f in validate(parts.manifests, first=min(recorded, default=0))]
    for m in parts.manifests:
        if m.election_id != genesis.get("election"):
            problems.append(f"清单批次 {m.batch} 的选举编号与创世记录不符")
        if recorded.get(m.batch) != m.digest:
            problems.append(f"清单批次 {m.batch} 的摘要与印刷时记入事件链的摘要不符")
    for b in sorted(set(recorded) - {m.batch for m in parts.manifests}):
        problems.append(f"事件链记录了清单批次 {b}，公示包中却没有")
    run.add("印刷清单", "manifest", problems, f"{len(parts.manifests)} 批清单，共印制 {printed(parts.manifests)} 张")

    in_r = all_receipts(parts.manifests)
    # 7. deposited receipts: in the manifest, not spoiled or unused, none twice
    problems = []
    void = set(parts.spoiled) | set(parts.unused)
    seen: Counter[str] = Counter()
    for box, rs in sorted(parts.deposits.items()):
        seen.update(rs)
        unknown = sum(1 for r in rs if r not in in_r)
        if unknown:
            problems.append(f"票箱 {box}：{unknown} 个存根回执哈希不在印刷清单中")
        voided = sum(1 for r in rs if r in void)
        if voided:
            problems.append(f"票箱 {box}：{voided} 个存根属于作废或未用选票")
    twice = [r for r, n in seen.items() if n > 1]
    if twice:
        problems.append(f"{len(twice)} 个回执哈希被投入不止一次，例如 {twice[0][:16]}…")
    for r in sorted(void - in_r):
        problems.append(f"作废/未用选票的回执哈希 {r[:16]}… 不在印刷清单中")
    run.add("投入存根", "deposits", problems, f"{sum(seen.values())} 个存根均在清单中且只投入一次")

    # 8. Merkle roots
    problems = []
    try:
        published = json.loads(files["deposits.json"])
        mine = deposits_json(parts.deposits)
        if published.get("root") != mine["root"]:
            problems.append("全部存根的默克尔根与重新计算的结果不符")
        for box, o in sorted(mine["boxes"].items()):
            p = published["boxes"].get(box, {})
            if p.get("root") != o["root"]:
                problems.append(f"票箱 {box} 的默克尔根与重新计算的结果不符")
            if p.get("count") != o["count"]:
                problems.append(f"票箱 {box} 的存根数量字段为 {p.get('count')}，实际列出 {o['count']} 个")
    except (ValueError, KeyError, AttributeError) as exc:
        problems.append(f"deposits.json 无法重算：{exc}")
    run.add("默克尔根", "merkle", problems, "各票箱及总的默克尔根均已重算核对")

    # 9. per-box reconciliation (counts)
    problems = []
    per_station: Counter[str] = Counter()
    for box in sorted(set(parts.boxes) | set(parts.deposits)):
        info = parts.boxes.get(box)
        n_dep = len(parts.deposits.get(box, ()))
        if info is None:
            problems.append(f"票箱 {box} 有存根，但票箱清单 boxes.json 中没有它")
            continue
        per_station[info.station] += n_dep
        if n_dep != info.records:
            problems.append(f"票箱 {box}：投入存根 {n_dep} 张，计票记录 {info.records} 张，二者应相等")
    for st, n in sorted(per_station.items()):
        if n > parts.issuance.get(st, 0):
            problems.append(f"投票站 {st}：发出 {parts.issuance.get(st, 0)} 张，票箱中却有存根 {n} 张")
    n_issued = sum(parts.issuance.values())
    n_print = printed(parts.manifests)
    if n_print != n_issued + len(parts.spoiled) + len(parts.unused):
        problems.append(f"印制 {n_print} 张，应等于发出 {n_issued} + 作废 {len(parts.spoiled)} + 未用 {len(parts.unused)} 张")
    run.add("票箱对账", "reconcile", problems, "各票箱：发出 ≥ 存根 = 计票记录；印制 = 发出 + 作废 + 未用")

    # 10. totals add up
    problems = []
    try:
        returned = int(parts.totals["returned"])
        total_records = sum(i.records for i in parts.boxes.values())
        if returned != total_records:
            problems.append(f"回收票数 {returned} 与各票箱计票记录之和 {total_records} 不符")
        grouped = [b for g in parts.box_totals for b in g["boxes"]]
        if sorted(grouped) != sorted(parts.boxes):
            problems.append("分箱统计的票箱与票箱清单不一致（缺少或重复）")
        for g in parts.box_totals:
            n = sum(parts.boxes[b].records for b in g["boxes"] if b in parts.boxes)
            if int(g["papers"]) != n:
                problems.append(f"票箱组 {','.join(g['boxes'])} 的票数 {g['papers']} 与计票记录 {n} 不符")
            if n < min_box_size and len(parts.box_totals) > 1:
                problems.append(f"票箱组 {','.join(g['boxes'])} 只有 {n} 张选票，少于 {min_box_size} 张，不得单独公布")
        problems += _same_posts(_posts_sum([g["posts"] for g in parts.box_totals]), parts.totals["posts"])
    except (KeyError, TypeError, ValueError) as exc:
        problems.append(f"totals.json 或 box_totals.json 格式错误：{exc}")
    run.add("票数合计", "totals", problems, "各票箱组票数之和等于总票数")

    # 11. countersignature of the street office
    if parts.countersignature is not None:
        problems = []
        try:
            okey = signing.public_key_from_pem(parts.office_key_pem or b"")
            cs = parts.countersignature
            if not signing.verify(okey, cs):
                problems.append("街道办事处的会签无法用其公钥验证")
            elif cs.statement.get("totals") != sha256_hex(files["totals.json"]):
                problems.append("会签的结果摘要与 totals.json 不符")
            elif head is None or cs.statement.get("head") != head.hash:
                problems.append("会签针对的链头不是本公示包事件链的链头")
            detail = f"街道办事处公钥指纹 {signing.fingerprint(okey)}（请与街道公布的指纹核对）"
        except ValueError as exc:
            problems.append(f"街道办事处公钥无法读取：{exc}")
            detail = ""
        run.add("街道会签", "countersignature", problems, detail)

    # Auditor bundle
    if parts.records is not None:
        _verify_records(run, parts.records, parts, tally_fn)
    if parts.audit is not None:
        _verify_audit(run, parts.audit, parts)
    return run.checks


def _verify_records(run: _Run, records: Sequence[Record], parts: Any, tally_fn: TallyFn | None) -> None:
    in_d = all_audits(parts.manifests)
    unknown = [r for r in records if r.d not in in_d]
    run.add("记录在清单内", "records_in_manifest",
            [f"{len(unknown)} 条计票记录的审计哈希不在印刷清单中，例如票箱 {unknown[0].box} 的 {unknown[0].d[:16]}…"] if unknown else [],
            f"{len(records)} 条计票记录均在清单中")
    counts = Counter(r.d for r in records)
    twice = sorted(d for d, n in counts.items() if n > 1)
    run.add("记录不重复", "records_unique",
            [f"审计哈希 {d[:16]}… 出现 {counts[d]} 次" for d in twice], "没有重复的计票记录")
    per_box = Counter(r.box for r in records)
    problems = [f"票箱 {b}：票箱清单记为 {i.records} 张，记录文件中有 {per_box.get(b, 0)} 条"
                for b, i in sorted(parts.boxes.items()) if per_box.get(b, 0) != i.records]
    problems += [f"记录文件中的票箱 {b} 不在票箱清单中" for b in sorted(set(per_box) - set(parts.boxes))]
    run.add("记录与票箱", "records_per_box", problems, "每个票箱的记录条数与票箱清单一致")
    if tally_fn is not None:
        problems = _same_posts(tally_fn(records), parts.totals.get("posts", {}))
        by_box: dict[str, list[Record]] = {}
        for r in records:
            by_box.setdefault(r.box, []).append(r)
        for g in parts.box_totals:
            sub = [r for b in g["boxes"] for r in by_box.get(b, [])]
            for d in _same_posts(tally_fn(sub), g["posts"]):
                problems.append(f"票箱组 {','.join(g['boxes'])}：{d}")
        run.add("重新计票", "recount", problems, "按记录重新计票，结果与公布的票数一致")


def _verify_audit(run: _Run, audit: Mapping[str, Any], parts: Any) -> None:
    problems = []
    try:
        papers = {b: i.records for b, i in parts.boxes.items()}
        draws = rla.draw_sample(str(audit["seed"]), papers, len(audit["draws"]))
        expect = [[d.box, d.position] for d in draws]
        got = [list(x) for x in audit["draws"]]
        for i, (e, g) in enumerate(zip(expect, got), 1):
            if e != g:
                problems.append(f"第 {i} 次抽取应为票箱 {e[0]} 第 {e[1]} 张，审计记录为票箱 {g[0]} 第 {g[1]} 张")
                break
    except (KeyError, TypeError, ValueError) as exc:
        problems.append(f"audit.json 格式错误：{exc}")
    run.add("审计抽样", "audit_sample", problems, "审计抽样可由公开的骰子种子重现")
