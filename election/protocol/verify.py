"""The independent verifier of a published bundle. It trusts nothing the server says:
every file is re-read within bounds, re-parsed strictly and compared with its canonical
bytes; every count, list and root is recomputed; the winners are re-derived with the rules
engine and compared with the result the chain recorded; the order of events is checked
against the rules (rulebook frozen, reprints before counting); and the caller may pin the
election key, a head seen on the notice board and the street office's key.

Every check has a stable English name (docs/PROTOCOL.md §9) and a Chinese one; any failure
is a failed check with a message, never a traceback. tools/verify prints them.
"""
from __future__ import annotations

import itertools
import operator
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from election.protocol import event_kinds as ek
from election.protocol import merkle, signing, verify_shape
from election.protocol.canonical import digest, digest_read, same_json, sha256_hex
from election.protocol.chain import Event, verify_chain
from election.protocol.reconcile import expected_records
from election.protocol.verify_ctx import NAMES_ZH as NAMES_ZH
from election.protocol.verify_ctx import Check as Check
from election.protocol.verify_ctx import CheckFailed as CheckFailed
from election.protocol.verify_ctx import Ctx as Ctx
from election.protocol.verify_ctx import Pins as Pins
from election.protocol.verify_ctx import Progress, manifests, norm_fp
from election.protocol.verify_ctx import same_votes as same_votes
from election.protocol.verify_read import ReadResult, StreamError, members_of, parse_members, read_zip
from election.rules.methods import method_of

AUDITOR_ONLY = frozenset({"records.jsonl", "audit.json"})
SELF_AUTHENTICATING = frozenset({"chain.jsonl", "head.sig", "countersign.json", "office_key.pem"})
GATING = ("format", "zip_size", "zip_members", "canonical")


# ---------------------------------------------------------------------- chain and keys

# An event's time (PROTOCOL.md §3): null, a day, a day and hour, or to the second.
AT_FORM = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}(:[0-9]{2}:[0-9]{2})?)?")


def _chain(c: Ctx) -> tuple[list[str], str]:
    c.events = [Event(o["seq"], o["kind"], o["payload"], o["prev"], o["at"], o["hash"]) for o in c.d["chain.jsonl"]]
    problems = [f.message for f in verify_chain(c.events)]
    if not problems:
        problems = [f"第 {e.seq} 号事件的时间 at {e.at!r} 不是 YYYY-MM-DD、YYYY-MM-DDTHH 或 YYYY-MM-DDTHH:MM:SS"
                    for e in c.events if e.at is not None and not AT_FORM.fullmatch(e.at)][:5]
    if problems:
        c.events = []
    head = c.events[-1] if c.events else None
    c.facts["head"] = head.hash if head else ""
    c.facts["head_seq"] = head.seq if head else -1
    return problems, f"{len(c.events)} 个事件，链接与哈希正确；链头 {c.facts['head']}（序号 {c.facts['head_seq']}）"


def _genesis(c: Ctx) -> dict[str, Any]:
    if not c.events:
        raise CheckFailed("事件链无效，无法核对")
    return c.events[0].payload


def _election_key(c: Ctx) -> tuple[list[str], str]:
    g = _genesis(c)
    try:
        key = signing.public_key_from_bundle_pem(c.raw["election_key.pem"])
    except (ValueError, TypeError) as exc:
        raise CheckFailed(f"选举公钥无法读取：{str(exc)[:80]}") from None
    fp = signing.fingerprint(key)
    c.facts["election_key_obj"] = key
    c.facts["election_key"] = fp
    if g.get("key") != fp:
        return [f"公示包中的选举公钥指纹为 {fp}，与创世记录中的 {str(g.get('key'))[:60]!r} 不符"], ""
    return [], f"选举公钥指纹 {fp}，与创世记录一致（请与选票和报告上印的指纹核对）"


def _pin_key(c: Ctx) -> tuple[list[str], str]:
    want = norm_fp(c.pins.key or "")
    got = norm_fp(c.facts.get("election_key", ""))
    genesis_key = norm_fp(str(_genesis(c).get("key", "")))
    if len(want) != 32:
        return [f"指定的公钥指纹 {c.pins.key!r} 不是 32 位十六进制"], ""
    if got != want or genesis_key != want:
        return [f"公示包的选举公钥指纹 {c.facts.get('election_key', '')} 不是指定的 {c.pins.key}：事件链由另一把密钥重新制作"], ""
    return [], f"选举公钥与指定的指纹 {c.pins.key} 相同"


def _head_signature(c: Ctx) -> tuple[list[str], str]:
    key = c.facts.get("election_key_obj")
    sig = signing.SignedStatement.from_json(c.d["head.sig"])
    head = c.events[-1] if c.events else None
    g = _genesis(c)
    if key is None or not signing.verify(key, sig):
        return ["链头签名无法用公示的选举公钥验证"], ""
    st = sig.statement
    if head is None or st.get("head") != head.hash or not same_json(st.get("seq"), head.seq):
        return [f"签名的链头（序号 {st.get('seq')}）不是事件链的最后一个事件（序号 {head.seq if head else '无'}）"], ""
    if st.get("type") != signing.HEAD_TYPE or st.get("election") != g.get("election"):
        return ["签名声明的类型或选举编号不符"], ""
    notices = _notices_signed(c, key, str(g.get("election")))
    if notices:
        return notices, ""
    return [], f"链头 {head.hash}（序号 {head.seq}）的签名有效，签名日期 {st.get('date')}"


def _notices_signed(c: Ctx, key: Any, election: str) -> list[str]:
    """Each printed chain-head notice the chain records (ledger.head_notice_printed {day, seq,
    head, signature}, PROTOCOL.md §10) names an earlier event of this chain by its seq and hash,
    and its signature is the election key's over that head statement: a notice of another
    election, of a head this chain never had, or signed by another key is not this election's."""
    problems = []
    for ev in c.kind_events({ek.LEDGER_HEAD_NOTICE_PRINTED}):
        p = ev.payload
        seq, head, day, sig = p.get("seq"), p.get("head"), p.get("day"), p.get("signature")
        if not (isinstance(seq, int) and not isinstance(seq, bool) and 0 <= seq < ev.seq
                and isinstance(head, str) and isinstance(day, str) and isinstance(sig, str)):
            problems.append(f"第 {ev.seq} 号事件（链头公告）的 seq、head、day 或 signature 格式错误")
        elif c.events[seq].hash != head:
            problems.append(f"第 {ev.seq} 号事件（链头公告）的链头 {head[:16]}… 不是本事件链第 {seq} 号事件：公告属于另一选举或另一段历史")
        elif not signing.verify(key, signing.SignedStatement(signing.head_statement(election, seq, head, day), sig,
                                                             signing.fingerprint(key))):
            problems.append(f"第 {ev.seq} 号事件（链头公告）的签名不是本选举公钥对第 {seq} 号链头（{day}）的签名")
    return problems[:5]


def _pin_head(c: Ctx) -> tuple[list[str], str]:
    want = (c.pins.head or "").strip()
    election, seq = None, None
    if want.lower().startswith("jxh:"):  # the notice's QR: JXH:<election>:<seq>:<head>
        election, _, rest = want[4:].rpartition(":")
        election, _, seq = election.rpartition(":")
        want = rest
    want = want.lower()
    genesis = str(_genesis(c).get("election"))
    if election is not None and election != genesis:
        return [f"链头公告属于选举 {election!r}，本公示包是选举 {genesis!r} 的"], ""
    for ev in c.events:
        if ev.hash == want:
            if seq is not None and seq != str(ev.seq):
                return [f"链头公告写明序号 {seq!r}，该链头却是第 {ev.seq} 号事件"], ""
            return [], f"指定的链头 {want[:16]}… 是第 {ev.seq} 号事件，本公示包的事件链由它延续而来"
    return [f"指定的链头 {want[:16]}… 不在事件链中：历史被重新制作或截断"], ""


def _bundle_index(c: Ctx) -> tuple[list[str], str]:
    idx = _last(c.events, ek.LEDGER_BUNDLE_EXPORTED)
    if idx is None:
        return ["事件链中没有 ledger.bundle_exported（文件索引）事件"], ""
    listed = idx.payload.get("files")
    optional = idx.payload.get("auditor_only", [])
    if not isinstance(listed, dict) or not isinstance(optional, list):
        return [f"第 {idx.seq} 号事件的文件索引格式错误"], ""
    problems = []
    for name, blob in sorted(c.raw.items()):
        if name in SELF_AUTHENTICATING:
            continue
        if name not in listed:
            problems.append(f"文件 {name} 未列入文件索引")
        elif listed[name] != sha256_hex(blob):
            problems.append(f"文件 {name} 的 SHA-256 与文件索引（第 {idx.seq} 号事件）不符")
    for name, stream in sorted(c.streams.items()):
        try:
            if name not in listed:
                problems.append(f"文件 {name} 未列入文件索引")
            elif listed[name] != stream.sha256_hex():
                problems.append(f"文件 {name} 的 SHA-256 与文件索引（第 {idx.seq} 号事件）不符")
        except StreamError as exc:
            problems.append(str(exc))
    for name in sorted(listed):
        if name not in c.raw and name not in c.streams and not (name in optional and name in AUDITOR_ONLY):
            problems.append(f"文件索引列出的 {name} 不在公示包中")
    return problems, f"每个文件的 SHA-256 都列在第 {idx.seq} 号事件中，由签名的链头覆盖"


def _last(events: Sequence[Event], kind: str) -> Event | None:
    for ev in reversed(events):
        if ev.kind == kind:
            return ev
    return None


# ---------------------------------------------------------------------- rulebook and order

def _rulebook(c: Ctx) -> tuple[list[str], str]:
    expected, where = _genesis(c).get("rulebook"), "创世记录"
    for ev in c.kind_events(ek.RULEBOOK_KINDS):
        if "rulebook_fingerprint" in ev.payload:
            expected, where = ev.payload["rulebook_fingerprint"], f"第 {ev.seq} 号事件（{ev.kind}）"
    rb = digest(c.d["rulebook.json"])
    if rb != expected:
        return [f"rulebook.json 的指纹 {rb[:16]}… 与{where}中的 {str(expected)[:16]}… 不符"], ""
    return [], f"规则集与{where}记录的规则一致"


def _first_counting(c: Ctx, round_number: int | None = None) -> Event | None:
    for ev in c.kind_events(ek.COUNTING_KINDS):
        if round_number is None or c.round_of(ev) == round_number:
            return ev
    return None


def _rulebook_order(c: Ctx) -> tuple[list[str], str]:
    problems = []
    published = next(iter(c.kind_events({ek.ROLL_PUBLISHED})), None)
    printed = next(iter(c.kind_events({ek.BALLOTS_PRINTED})), None)
    counting = _first_counting(c)
    for ev in c.kind_events(ek.RULEBOOK_KINDS):
        decision = ev.kind == ek.RULEBOOK_DECIDED
        if published is not None and ev.seq > published.seq and not decision:
            problems.append(f"第 {ev.seq} 号事件在选民名单公布（第 {published.seq} 号）之后修改规则，却不是选举委员会的决定")
        elif printed is not None and ev.seq > printed.seq and not decision:
            problems.append(f"第 {ev.seq} 号事件在选票印刷（第 {printed.seq} 号）之后修改规则，却不是选举委员会的决定")
        if decision and not str(ev.payload.get("_why", "")).strip():
            problems.append(f"第 {ev.seq} 号事件修改冻结的规则，没有写明决定的理由")
        if counting is not None and ev.seq > counting.seq:
            problems.append(f"第 {ev.seq} 号事件在计票开始（第 {counting.seq} 号事件）之后修改规则")
    return problems, "规则在选民名单公布时冻结，之后只经选举委员会决定修改，计票开始后未改"


def _manifest_order(c: Ctx) -> tuple[list[str], str]:
    problems = []
    for ev in c.kind_events({ek.BALLOTS_PRINTED}):
        r = c.round_of(ev)
        counting = _first_counting(c, r)
        if counting is not None and ev.seq > counting.seq:
            problems.append(f"第 {ev.seq} 号事件（第 {r} 轮印刷清单批次 {ev.payload.get('batch')}）记在该轮计票开始"
                            f"（第 {counting.seq} 号事件）之后：补印只能在发票结束之前")
    return problems, "每轮的印刷与补印清单都记在该轮计票开始之前"


# ---------------------------------------------------------------------- papers

def _manifest(c: Ctx) -> tuple[list[str], str]:
    g = _genesis(c)
    recorded: dict[int, Any] = {}
    problems = []
    for e in c.kind_events({ek.BALLOTS_PRINTED}):
        if c.round_of(e) == c.round:
            batch = e.payload.get("batch", -1)
            if isinstance(batch, bool) or not isinstance(batch, int):  # false is not batch 0
                problems.append(f"第 {e.seq} 号事件的批次号 {batch!r} 不是整数")
                continue
            recorded[batch] = e.payload.get("digest")
    ms = manifests(c)
    first = min(recorded, default=0)
    if not ms:
        problems.append("没有印刷清单")
    for i, m in enumerate(ms, first):
        where = f"清单批次 {m['batch']}"
        if m["batch"] != i:
            problems.append(f"{where}：批次号应为 {i}")
        if m["election"] != g.get("election"):
            problems.append(f"{where}：选举编号与创世记录不符")
        if m["type"] != "juxuan/manifest/v1":
            problems.append(f"{where}：类型应为 juxuan/manifest/v1")
        if m["receipt_count"] != len(m["receipts"]) or m["audit_count"] != len(m["audits"]):
            problems.append(f"{where}：数量字段与列表长度不符")
        if len(m["receipts"]) != len(m["audits"]):
            problems.append(f"{where}：回执哈希 {len(m['receipts'])} 个，审计哈希 {len(m['audits'])} 个，每张选票应各一个")
        if recorded.get(m["batch"]) != digest_read(m):
            problems.append(f"{where}：摘要与印刷时记入事件链的摘要不符")
    for b in sorted(set(recorded) - {m["batch"] for m in ms}, key=str):
        problems.append(f"事件链记录了第 {c.round} 轮清单批次 {b}，公示包中却没有")
    printed = sum(len(m["receipts"]) for m in ms)
    return problems, f"第 {c.round} 轮 {len(ms)} 批清单，共印制 {printed} 张，摘要与事件链一致"


def _sorted_unique(values: Sequence[str], what: str, out: list[str]) -> None:
    if all(map(operator.lt, values, itertools.islice(values, 1, None))):
        return  # strictly ascending, compared in C (a manifest lists 200,000)
    for a, b in zip(values, values[1:]):
        if a >= b:
            out.append(f"{what} 未按升序排列或有重复（{b[:16]}…）")
            return


def _lists(c: Ctx) -> tuple[list[str], str]:
    out: list[str] = []
    for m in manifests(c):
        _sorted_unique(m["receipts"], f"清单批次 {m['batch']} 的回执哈希", out)
        _sorted_unique(m["audits"], f"清单批次 {m['batch']} 的审计哈希", out)
    out += _in_two_batches(manifests(c))
    for name, what in (("spoiled.json", "作废选票名单"), ("unused.json", "未用选票名单"), ("voided.json", "作废与未用选票的审计哈希")):
        _sorted_unique(c.d[name], what, out)
    both = set(c.d["spoiled.json"]) & set(c.d["unused.json"])
    if both:
        out.append(f"{len(both)} 个回执哈希同时列为作废和未用，例如 {sorted(both)[0][:16]}…")
    boxes = c.d["deposits.json"]["boxes"]
    seen: set[str] = set()
    distinct = 0  # each box's distinct receipts: more than the union when a box shares one
    for b, o in sorted(boxes.items()):
        _sorted_unique(o["receipts"], f"票箱 {b} 的存根", out)
        mine = set(o["receipts"])
        distinct += len(mine)
        seen |= mine
    if distinct > len(seen):
        out.append("同一回执哈希出现在两个票箱中")
    for g in c.d["box_totals.json"]:
        _sorted_unique(g["boxes"], "分箱统计的票箱", out)
    if c.auditor:
        _sorted_unique([r.d for r in c.d["records.jsonl"]], "计票记录（应按审计哈希 D 排序）", out)
    return out, "每个列表按升序排列、没有重复；作废与未用不相交；每个存根只在一个票箱"


def _in_two_batches(batches: list[dict[str, Any]]) -> list[str]:
    """A receipt hash R, or an audit hash D, printed in two of the round's batches (a reprint
    re-using a code): two papers would answer to one receipt, or one record to two papers.
    The first such code of each kind, in the batches' order."""
    out = []
    for field, what in (("receipts", "回执哈希 R"), ("audits", "审计哈希 D")):
        earlier: dict[str, Any] = {}
        for m in batches:
            again = next((x for x in m[field] if x in earlier), None)
            if again is not None:
                out.append(f"{what} {again[:16]}… 既在清单批次 {earlier[again]} 又在批次 {m['batch']}：同一编号印在两张选票上")
                break
            earlier.update((x, m["batch"]) for x in m[field])
    return out


def _deposits(c: Ctx) -> tuple[list[str], str]:
    in_r = {r for m in manifests(c) for r in m["receipts"]}
    void = set(c.d["spoiled.json"]) | set(c.d["unused.json"])
    problems = []
    n = 0
    for box, o in sorted(c.d["deposits.json"]["boxes"].items()):
        rs = o["receipts"]
        n += len(rs)
        unknown = sum(1 for r in rs if r not in in_r)
        if unknown:
            problems.append(f"票箱 {box}：{unknown} 个存根回执哈希不在本轮印刷清单中")
        voided = sum(1 for r in rs if r in void)
        if voided:
            problems.append(f"票箱 {box}：{voided} 个存根属于作废或未用选票")
    for r in sorted(void - in_r):
        problems.append(f"作废/未用选票的回执哈希 {r[:16]}… 不在印刷清单中")
    return problems, f"{n} 个存根均在清单中、不属于作废或未用选票"


def _merkle(c: Ctx) -> tuple[list[str], str]:
    dep = c.d["deposits.json"]
    problems = []
    trees = {}
    for box, o in sorted(dep["boxes"].items()):
        try:
            t = merkle.build(o["receipts"])
        except ValueError:
            problems.append(f"票箱 {box} 的存根有重复，无法建树")
            continue
        trees[box] = t
        if o["root"] != t.root:
            problems.append(f"票箱 {box} 的默克尔根与重新计算的结果不符")
        if o["count"] != len(t.leaves):
            problems.append(f"票箱 {box} 的存根数量字段为 {o['count']}，实际列出 {len(t.leaves)} 个")
    try:
        if merkle.combined(trees.values()).root != dep["root"]:
            problems.append("全部存根的默克尔根与重新计算的结果不符")
    except ValueError:
        problems.append("全部存根中有重复，无法建树")
    if dep["type"] != "juxuan/deposits/v1":
        problems.append("deposits.json 的类型应为 juxuan/deposits/v1")
    c.facts["trees"] = trees
    return problems, f"各票箱及总的默克尔根均已重算（总根 {dep['root'][:16]}…）"


def _merges(c: Ctx) -> tuple[dict[str, str], list[str]]:
    """The round's counting.box_merged events (a mobile box poured into a fixed station's box
    before counting) as {mobile box: receiving box}, and the problems of those that may not
    stand: a box that is not of a mobile station (polling.station_created ``mobile``) -- a
    fixed station's box poured into another station's --, a receiving box that is mobile or
    unknown, a box poured twice, or a merge after the round's counting began."""
    boxes = c.d["boxes.json"]
    mobile = {e.payload.get("station") for e in c.kind_events({ek.POLLING_STATION_CREATED})
              if e.payload.get("mobile") is True}
    start = _first_counting(c, c.round)
    merged: dict[str, str] = {}
    problems = []
    for e in c.kind_events({ek.COUNTING_BOX_MERGED}):
        if c.round_of(e) != c.round:
            continue
        box, into = e.payload.get("box"), e.payload.get("into")
        where = f"第 {e.seq} 号事件（{e.kind}）"
        if not isinstance(box, str) or not isinstance(into, str) or box not in boxes or into not in boxes:
            problems.append(f"{where}倒入的票箱 {box} → {into} 不在票箱清单中")
        elif boxes[box]["station"] not in mobile:
            problems.append(f"{where}把投票站 {boxes[box]['station']} 的票箱 {box} 倒入投票站 {boxes[into]['station']} "
                            f"的票箱 {into}：只有流动票箱可以倒入固定投票站的票箱")
        elif boxes[into]["station"] in mobile:
            problems.append(f"{where}把票箱 {box} 倒入流动票箱 {into}：只能倒入固定投票站的票箱")
        elif box in merged:
            problems.append(f"{where}：流动票箱 {box} 已倒入票箱 {merged[box]}，不能再次倒入")
        elif start is not None and start.seq < e.seq:
            problems.append(f"{where}在本轮计票开始（第 {start.seq} 号事件）之后才倒入流动票箱 {box}")
        else:
            merged[box] = into
    return merged, problems


def _boxes(c: Ctx) -> tuple[list[str], str]:
    boxes = c.d["boxes.json"]
    dep = c.d["deposits.json"]["boxes"]
    merged, problems = _merges(c)
    # A mobile box poured into a station's box: that box's records are both boxes' stubs.
    expected = expected_records({b: len(dep[b]["receipts"]) if b in dep else 0 for b in boxes}, merged)
    for b in sorted(set(boxes) | set(dep)):
        if b not in boxes:
            problems.append(f"票箱 {b} 有存根，但 boxes.json 中没有它")
            continue
        n_dep = len(dep[b]["receipts"]) if b in dep else 0
        if boxes[b]["deposited"] != n_dep:
            problems.append(f"boxes.json 记票箱 {b} 投入 {boxes[b]['deposited']} 张，deposits.json 列出 {n_dep} 个存根")
        if boxes[b]["records"] != expected[b]:
            poured = "（已倒入票箱 " + merged[b] + "）" if b in merged else "".join(
                f"（含倒入的流动票箱 {m}）" for m in sorted(m for m, t in merged.items() if t == b))
            problems.append(f"票箱 {b}：投入存根 {expected[b]} 张{poured}，计票记录 {boxes[b]['records']} 张，二者应相等")
    also = f"；{len(merged)} 个流动票箱倒入固定投票站的票箱后统一计票" if merged else ""
    return problems, f"{len(boxes)} 个票箱：投入数与存根列表一致，存根数 = 计票记录数{also}"


def _reconcile(c: Ctx) -> tuple[list[str], str]:
    boxes = c.d["boxes.json"]
    issuance = c.d["issuance.json"]
    problems = []
    per_station: Counter[str] = Counter()
    for o in boxes.values():
        per_station[o["station"]] += o["deposited"]
    for st, n in sorted(per_station.items()):
        if n > issuance.get(st, 0):
            problems.append(f"投票站 {st}：发出 {issuance.get(st, 0)} 张，票箱中却有存根 {n} 张")
    issued = sum(issuance.values())
    printed = sum(len(m["receipts"]) for m in manifests(c))
    spoiled, unused = len(c.d["spoiled.json"]), len(c.d["unused.json"])
    if printed != issued + spoiled + unused:
        problems.append(f"印制 {printed} 张，应等于发出 {issued} + 作废 {spoiled} + 未用 {unused} 张")
    returned = c.d["totals.json"]["returned"]
    if returned > issued:
        problems.append(f"收回 {returned} 张，多于发出的 {issued} 张")
    # The rules read papers_issued (more returned than issued voids the round): it is the
    # stations' issuance, which the hourly counts anchor, not a figure of its own.
    ti = c.d["tally_input.json"]
    if ti.get("round", "main") in ("main", "runoff") and not ti.get("body_papers") and ti["papers_issued"] != issued:
        problems.append(f"tally_input.json 的发出选票 {ti['papers_issued']} 张，与各投票站发出合计 {issued} 张不符")
    problems += _hours_recorded(c)
    return problems, f"印制 {printed} = 发出 {issued} + 作废 {spoiled} + 未用 {unused}；各投票站发出 ≥ 存根；收回 ≤ 发出"


def _hours_recorded(c: Ctx) -> list[str]:
    """The close of poll's hourly counts in the chain (polling.issuance_hour_recorded per station,
    polling.deposit_hour_recorded per box label) against the bundle's. Each counts issuances and
    deposits of an hour already closed and none is ever removed, so they are lower bounds: a
    station that issued fewer papers than the chain recorded, or a box holding fewer stubs, was
    rewritten after the count (a paper moved to another box, the issuance lowered). Once the
    round's poll is closed before its count (a polling.closed before its first counting event,
    written after every hour's counts), the counts recorded before the count began are the
    whole of its issuance and deposits: then they are exact, and a station that issued more, a
    box holding more stubs, or a box or station with none recorded, was raised after the count
    (a paper taken home or left unused put in a box). Issuances are voters: times one paper per
    body when the round's papers were printed per body (ballots.printed ``body``). A box's
    label is its key in deposits.json, or ``station/label`` where two stations share it. The
    stations' ``spoiled`` counts (one per paper exchanged at the desk) bound spoiled.json's
    length the same way: an unused paper moved into spoiled.json after the close is refused. Only
    events of the round count; a count that is not a non-negative JSON integer counts 0."""
    def count(e: Event, field: str) -> int:
        v = e.payload.get(field)
        return v if isinstance(v, int) and not isinstance(v, bool) and v >= 0 else 0

    start = _first_counting(c, c.round)
    cut = start.seq if start is not None else None
    exact = _closed_before(c, cut) is not None
    issued: Counter[str] = Counter()
    deposited: Counter[str] = Counter()
    spoiled: Counter[str] = Counter()
    for kinds, key, field, into in (({ek.POLLING_ISSUANCE_HOUR_RECORDED}, "station", "issued", issued),
                                    ({ek.POLLING_ISSUANCE_HOUR_RECORDED}, "station", "spoiled", spoiled),
                                    ({ek.POLLING_DEPOSIT_HOUR_RECORDED}, "box", "deposited", deposited)):
        for e in c.kind_events(kinds):
            if (c.round_of(e) == c.round and isinstance(e.payload.get(key), str)
                    and not (exact and cut is not None and e.seq > cut)):
                into[e.payload[key]] += count(e, field)
    bodies = {e.payload.get("body") for e in c.kind_events({ek.BALLOTS_PRINTED}) if c.round_of(e) == c.round}
    per = max(1, len({b for b in bodies if isinstance(b, str) and b}))
    issuance, boxes, deps = c.d["issuance.json"], c.d["boxes.json"], c.d["deposits.json"]["boxes"]
    problems = []
    for st in sorted(set(issued) | (set(issuance) if exact else set())):
        have, n = issuance.get(st, 0), issued[st] * per
        if have < n:
            problems.append(f"投票站 {st}：issuance.json 发出 {have} 张，少于链上逐时记录的 {n} 张")
        elif exact and have > n:
            problems.append(f"投票站 {st}：issuance.json 发出 {have} 张，多于计票开始前链上逐时记录的 {n} 张（闭票后增加了发票）")
    # Spoiled papers (写错换票) are papers, one per spoil record, whatever the bodies: spoiled.json
    # holds at least those the hours recorded, and exactly those once the poll closed before the count.
    have, n = len(c.d["spoiled.json"]), sum(spoiled.values())
    if have < n:
        problems.append(f"spoiled.json 作废选票 {have} 张，少于链上逐时记录的写错换票 {n} 张")
    elif exact and have > n:
        problems.append(f"spoiled.json 作废选票 {have} 张，多于计票开始前链上逐时记录的写错换票 {n} 张（闭票后增加了作废选票）")
    matched: set[str] = set()
    for label, n in sorted(deposited.items()):
        keys = [k for k in deps if k == label or (k in boxes and k == f"{boxes[k]['station']}/{label}")]
        matched.update(keys)
        held = sum(len(deps[k]["receipts"]) for k in keys)
        if held < n:
            problems.append(f"票箱 {label}：存根 {held} 张，少于链上逐时记录投入的 {n} 张")
        elif exact and held > n:
            problems.append(f"票箱 {label}：存根 {held} 张，多于计票开始前链上逐时记录投入的 {n} 张（闭票后增加了选票）")
    if exact:
        problems += [f"票箱 {k}：存根 {len(d['receipts'])} 张，计票开始前链上没有它的逐时投入记录"
                     for k, d in sorted(deps.items()) if k not in matched and d["receipts"]]
    return problems


def _votes_sum(groups: Sequence[Mapping[str, Mapping[str, int]]]) -> dict[str, Counter[str]]:
    out: dict[str, Counter[str]] = {}
    for g in groups:
        for post, cands in g.items():
            out.setdefault(post, Counter()).update(cands)
    return out


def _min_box(c: Ctx) -> int:
    v = c.d["rulebook.json"].get("min_box_size", 30)
    return v if isinstance(v, int) and not isinstance(v, bool) else 30


def _totals(c: Ctx) -> tuple[list[str], str]:
    t = c.d["totals.json"]
    boxes = c.d["boxes.json"]
    problems = []
    records = sum(o["records"] for o in boxes.values())
    if t["returned"] != records:
        problems.append(f"回收票数 {t['returned']} 与各票箱计票记录之和 {records} 不符")
    grouped = [b for g in c.d["box_totals.json"] for b in g["boxes"]]
    if sorted(grouped) != sorted(boxes):
        problems.append("分箱统计的票箱与票箱清单不一致（缺少或重复）")
    previous: list[str] = []
    min_box = _min_box(c)
    for g in c.d["box_totals.json"]:
        n = sum(boxes[b]["records"] for b in g["boxes"] if b in boxes)
        if g["papers"] != n:
            problems.append(f"票箱组 {','.join(g['boxes'])} 的票数 {g['papers']} 与计票记录 {n} 不符")
        if n < min_box and len(c.d["box_totals.json"]) > 1:
            problems.append(f"票箱组 {','.join(g['boxes'])} 只有 {n} 张选票，少于 {min_box} 张，不得单独公布")
        if previous and g["boxes"] and previous[-1] >= g["boxes"][0]:
            problems.append("票箱组未按票箱编号顺序排列")
        previous = g["boxes"]
    problems += same_votes(_votes_sum([g["posts"] for g in c.d["box_totals.json"]]), t["posts"])
    if t["round"] != c.round:
        problems.append("totals.json 的轮次不符")
    problems += _result_posts(c)
    return problems, f"收回 {t['returned']} 张 = 各票箱计票记录之和；各票箱组票数之和等于总票数"


def _result_posts(c: Ctx) -> list[str]:
    """totals.json's result.posts (what the result page shows of each post) are tally_input.json's
    posts: the same keys, each with its seats, rank, body and its candidates' person ids in order."""
    posts = c.d["totals.json"]["result"].get("posts")
    if posts is None:
        return []
    ti = c.d["tally_input.json"]
    want = {p["key"]: {"seats": p.get("seats"), "rank": p.get("rank"), "body": p.get("body"),
                       "candidates": [x.get("person") for x in ti["candidates"] if x.get("post") == p["key"]]}
            for p in ti["posts"]}
    if not isinstance(posts, dict) or set(posts) != set(want):
        return ["totals.json 的 result.posts 与 tally_input.json 的职位不一致"]
    return [f"totals.json 职位 {k} 的 {f} 为 {posts[k].get(f)!r}，tally_input.json 为 {v[f]!r}"
            for k, v in sorted(want.items()) for f in ("seats", "rank", "body", "candidates")
            if not isinstance(posts[k], dict) or not same_json(posts[k].get(f), v[f])][:5]


def _posts_input(c: Ctx) -> dict[str, dict[str, Any]]:
    return {p["key"]: p for p in c.d["tally_input.json"]["posts"]}


def _bounds(c: Ctx) -> tuple[list[str], str]:
    t = c.d["totals.json"]
    ti = c.d["tally_input.json"]
    posts = _posts_input(c)
    counts = t["counts"]
    returned = t["returned"]
    problems = []
    if set(t["posts"]) != set(posts) or set(counts["posts"]) != set(posts):
        problems.append("totals.json 的职位与 tally_input.json 的职位不一致")
    for key, votes in sorted(t["posts"].items()):
        if key not in posts or key not in counts["posts"]:
            continue
        pc = counts["posts"][key]
        invalid = pc["overvoted"] + pc["unreadable"] + counts["whole_invalid"]
        if invalid > returned:
            problems.append(f"职位 {key}：无效票 {invalid} 张，多于收回的 {returned} 张")
            continue
        valid = returned - invalid
        seats = posts[key]["seats"]
        total = sum(votes.values())
        if total > seats * valid:
            problems.append(f"职位 {key}：赞成票共 {total} 票，超过应选 {seats} 名 × 有效票 {valid} 张 = {seats * valid} 票")
        for who, v in sorted(votes.items()):
            if v > valid:
                problems.append(f"职位 {key}：{who} 得 {v} 票，多于有效票 {valid} 张")
        for who, v in sorted(pc["opposed"].items()):
            if v > valid:
                problems.append(f"职位 {key}：{who} 反对票 {v} 张，多于有效票 {valid} 张")
    # The electors of the method (RULES.md "Validity"), and with one paper per body each
    # body's papers on their own (docs/TALLY.md body_papers): a voter returns up to one
    # paper of each body, so returned <= issued and turnout hold per body, as in the tally.
    electors = method_of(str(ti.get("method", "direct"))).electors_zh
    per_body = ti.get("body_papers") or {}
    if per_body:
        if sum(int(bp["returned"]) for bp in per_body.values()) != returned:
            problems.append(f"各机构收回选票之和与收回 {returned} 张不符")
        sheets = [(BODY_NAMES.get(b, b), int(bp["returned"]), int(bp["issued"])) for b, bp in sorted(per_body.items())]
    else:
        sheets = [("", returned, int(ti["papers_issued"]))]
    for name, back, issued in sheets:
        if back > issued:
            problems.append(f"{name}收回 {back} 张，多于计票依据中发出的 {issued} 张")
        if back > ti["registered_voters"] and ti["round"] == "main":
            problems.append(f"{name}收回 {back} 张，多于{electors} {ti['registered_voters']} 人")
    turnout = "，".join(f"{name}{back}/{ti['registered_voters']}" for name, back, _ in sheets)
    return problems, f"每个职位赞成票 ≤ 应选名额 × 有效票；收回 ≤ 发出；投票率（以{electors}计）{turnout}"


BODY_NAMES = {"jwh": "居民委员会选票", "jdw": "居务监督委员会选票"}


def _closed_before(c: Ctx, seq: int | None, round_number: int | None = None) -> Event | None:
    """The round's (the bundle's, or ``round_number``'s) first close of poll (polling.closed
    naming its electors) before event ``seq`` (anywhere when None)."""
    want = c.round if round_number is None else round_number
    for e in c.kind_events({ek.POLLING_CLOSED}):
        v = e.payload.get("registered_voters")
        if (c.round_of(e) == want and (seq is None or e.seq < seq)
                and isinstance(v, int) and not isinstance(v, bool)):
            return e
    return None


def _electors_at_close(c: Ctx) -> list[str]:
    """tally_input.json's registered_voters against the round's close of poll (polling.closed),
    written before counting: the base of turnout cannot be moved once the result is known. A
    round counted (any of its counting events, its result included) needs such an event before
    its first counting event: a close dropped, or written only after the count, fixes nothing.
    Events without the field fix nothing."""
    ti = c.d["tally_input.json"]
    problems = [f"tally_input.json 的 registered_voters {ti['registered_voters']} 与第 {e.seq} 号事件（闭票）"
                f"记录的本轮选民数 {e.payload.get('registered_voters')} 不符"
                for e in c.kind_events({ek.POLLING_CLOSED})
                if c.round_of(e) == c.round and "registered_voters" in e.payload
                and not same_json(e.payload["registered_voters"], ti["registered_voters"])]
    # Every round the chain counted, the bundle's and any other: a result published for a
    # round whose poll never closed is refused whichever round the bundle is of.
    for number in sorted({c.round_of(e) for e in c.kind_events(ek.COUNTING_KINDS)} | {c.round}):
        start = _first_counting(c, number)
        if start is not None and _closed_before(c, start.seq, number) is None:
            problems.append(f"第 {number} 轮在第 {start.seq} 号事件（{start.kind}）开始计票，此前事件链中没有本轮的闭票事件"
                            "（polling.closed，记录本轮选民数）：投票率的基数未在计票前固定")
    return problems


def _result_in_force(c: Ctx) -> tuple[Event | None, list[str]]:
    """The round's result.published in force (the last; each earlier one withdrawn by a
    result.reopened of the round, a recorded correction) and what the order of the round's
    events breaks: a second result with no reopening between, or an event changing the count
    (ek.COUNT_CHANGING_KINDS: a paper entered, the tally board entered or explained, ...)
    after the result in force. The app refuses both (counting.service.check_records_open)."""
    current: Event | None = None
    problems: list[str] = []
    for e in c.events:
        if c.round_of(e) != c.round:
            continue
        if e.kind == ek.RESULT_PUBLISHED:
            if current is not None:
                problems.append(f"第 {c.round} 轮的结果公布事件有 2 个以上：第 {e.seq} 号事件之前没有撤回"
                                f"第 {current.seq} 号事件的结果重新开启事件（result.reopened）")
            current = e
        elif e.kind == ek.RESULT_REOPENED:
            current = None
        elif e.kind in ek.COUNT_CHANGING_KINDS and current is not None:
            problems.append(f"第 {e.seq} 号事件（{e.kind}）在第 {current.seq} 号事件（第 {c.round} 轮结果公布）之后"
                            "更改计票，其间没有重新开启结果（result.reopened）：结果公布后计票记录不能再更改")
    return current, problems


def _result_event(c: Ctx) -> tuple[list[str], str]:
    in_force, order = _result_in_force(c)
    t = c.d["totals.json"]
    elected = t["result"]["elected"]
    closed = _electors_at_close(c)
    if in_force is None:
        if any(elected.values()):
            return [f"totals.json 列出了当选人，但事件链中没有第 {c.round} 轮的结果公布事件", *order, *closed], ""
        return [*order, *closed], f"第 {c.round} 轮结果尚未公布（事件链中没有结果公布事件）"
    if order:
        return order, ""
    events = [in_force]
    p = events[0].payload
    problems = closed
    posts = p.get("posts", {})
    if not (isinstance(posts, dict) and all(isinstance(v, dict) and isinstance(v.get("votes", {}), dict)
                                            and isinstance(v.get("elected", []), list)
                                            and all(isinstance(x, str) for x in v.get("elected", []))
                                            for v in posts.values())):
        return [f"第 {events[0].seq} 号事件的 posts 应为职位 → {{votes: 对象, elected: 人员编号列表}}"], ""
    votes = {k: v.get("votes", {}) for k, v in posts.items()}
    problems += [f"票数与第 {events[0].seq} 号事件不符：{x}" for x in same_votes(t["posts"], votes)]
    for k in sorted(set(posts) | set(elected)):
        a = sorted(posts.get(k, {}).get("elected", []))
        b = sorted(elected.get(k, []))
        if a != b:
            problems.append(f"职位 {k} 的当选人 {b} 与第 {events[0].seq} 号事件公布的 {a} 不符")
    if not same_json(p.get("papers_returned"), t["returned"]):
        problems.append(f"收回票数 {t['returned']} 与第 {events[0].seq} 号事件的 {p.get('papers_returned')} 不符")
    ti = c.d["tally_input.json"]
    for f in ("papers_issued", "registered_voters"):
        if not same_json(p.get(f), ti[f]):
            problems.append(f"tally_input.json 的 {f} {ti[f]} 与第 {events[0].seq} 号事件的 {p.get(f)} 不符")
    for f in ("valid", "next_round"):
        if f in t["result"] and not same_json(p.get(f), t["result"][f]):
            problems.append(f"totals.json 的 {f} 与第 {events[0].seq} 号事件不符")
    return problems, f"票数、当选人、收回与发出票数与第 {events[0].seq} 号事件（结果公布）一致"


def _winners(c: Ctx) -> tuple[list[str], str]:
    from election.protocol.verify_tally import recompute

    return recompute(c)


def _voided(c: Ctx) -> tuple[list[str], str]:
    in_d = {d for m in manifests(c) for d in m["audits"]}
    v = c.d["voided.json"]
    problems = []
    unknown = [d for d in v if d not in in_d]
    if unknown:
        problems.append(f"{len(unknown)} 个作废选票的审计哈希不在印刷清单中")
    n = len(c.d["spoiled.json"]) + len(c.d["unused.json"])
    if len(v) != n:
        problems.append(f"作废与未用选票共 {n} 张，公布的审计哈希却有 {len(v)} 个")
    return problems, f"{len(v)} 张作废与未用选票的审计哈希 D 已公布且都在清单中"


def _countersignature(c: Ctx) -> tuple[list[str], str]:
    if "countersign.json" not in c.d:
        return ["公示包中没有街道办事处的会签（countersign.json）"], ""
    try:
        okey = signing.public_key_from_bundle_pem(c.raw.get("office_key.pem", b""))
    except (ValueError, TypeError) as exc:
        raise CheckFailed(f"街道办事处公钥无法读取：{str(exc)[:80]}") from None
    cs = signing.SignedStatement.from_json(c.d["countersign.json"])
    fp = signing.fingerprint(okey)
    c.facts["office_key"] = fp
    head = c.events[-1] if c.events else None
    st = cs.statement
    if not signing.verify(okey, cs):
        return ["街道办事处的会签无法用其公钥验证"], ""
    if st.get("type") != signing.RESULT_TYPE or st.get("election") != _genesis(c).get("election"):
        return ["会签声明的类型或选举编号不符"], ""
    if st.get("totals") != sha256_hex(c.raw["totals.json"]):
        return ["会签的结果摘要与 totals.json 不符"], ""
    if head is None or st.get("head") != head.hash:
        return ["会签针对的链头不是本公示包事件链的链头"], ""
    asked = [e for e in c.kind_events({ek.OFFICE_COUNTERSIGN_REQUESTED}) if c.round_of(e) == c.round]
    if asked and norm_fp(str(asked[-1].payload.get("office_key", ""))) != norm_fp(fp):
        return [f"会签所用的公钥 {fp} 不是第 {asked[-1].seq} 号事件（会签备案）登记的街道公钥 "
                f"{str(asked[-1].payload.get('office_key'))[:60]}"], ""
    c.facts["countersigned"] = st
    return [], f"街道办事处公钥指纹 {fp} 对链头 {head.hash[:16]}… 与 totals.json 的会签有效（{st.get('date')}）"


def _pin_office_key(c: Ctx) -> tuple[list[str], str]:
    want = norm_fp(c.pins.office_key or "")
    got = norm_fp(c.facts.get("office_key", ""))
    if "countersigned" not in c.facts:
        return ["没有有效的街道会签可与指定的街道公钥核对"], ""
    if want != got:
        return [f"会签所用的街道公钥 {c.facts.get('office_key')} 不是指定的 {c.pins.office_key}"], ""
    return [], f"会签由指定的街道公钥 {c.pins.office_key} 作出"


# ---------------------------------------------------------------------- records (auditor bundle)

def _records_in_manifest(c: Ctx) -> tuple[list[str], str]:
    in_d = {d for m in manifests(c) for d in m["audits"]}
    recs = c.d["records.jsonl"]
    unknown = [r for r in recs if r.d not in in_d]
    if unknown:
        return [f"{len(unknown)} 条计票记录的审计哈希不在印刷清单中，例如票箱 {unknown[0].box} 的 {unknown[0].d[:16]}…"], ""
    return [], f"{len(recs)} 条计票记录的审计哈希均在清单中"


def _records_unique(c: Ctx) -> tuple[list[str], str]:
    ds = [r.d for r in c.d["records.jsonl"]]
    if len(set(ds)) == len(ds):
        return [], "没有重复的计票记录"
    counts = Counter(ds)
    return [f"审计哈希 {d[:16]}… 出现 {n} 次" for d, n in sorted(counts.items()) if n > 1], "没有重复的计票记录"


def _records_per_box(c: Ctx) -> tuple[list[str], str]:
    per_box = Counter(r.box for r in c.d["records.jsonl"])
    boxes = c.d["boxes.json"]
    problems = [f"票箱 {b}：票箱清单记为 {o['records']} 张，记录文件中有 {per_box.get(b, 0)} 条"
                for b, o in sorted(boxes.items()) if per_box.get(b, 0) != o["records"]]
    problems += [f"记录文件中的票箱 {b} 不在票箱清单中" for b in sorted(set(per_box) - set(boxes))]
    return problems, "每个票箱的记录条数与票箱清单一致"


def _records_not_voided(c: Ctx) -> tuple[list[str], str]:
    void = set(c.d["voided.json"])
    bad = [r for r in c.d["records.jsonl"] if r.d in void]
    if bad:
        return [f"{len(bad)} 条计票记录属于作废或未用的选票，例如票箱 {bad[0].box} 的 {bad[0].d[:16]}…"], ""
    return [], "没有一条计票记录属于作废或未用的选票"


def _recount(c: Ctx) -> tuple[list[str], str]:
    from election.protocol.verify_tally import recount_problems

    return recount_problems(c)


def _records_frozen(c: Ctx) -> tuple[list[str], str]:
    """The records and totals an audit drew from are those of the bundle: every index sealed
    after the round's audit started lists the same records and totals as the last one before."""
    started = [e for e in c.kind_events({ek.AUDIT_STARTED}) if c.round_of(e) == c.round]
    if not started:
        return [], f"第 {c.round} 轮尚未开始审计"
    first = started[0]
    sealed = [e for e in c.kind_events({ek.LEDGER_BUNDLE_EXPORTED}) if c.round_of(e) == c.round]
    before = [e for e in sealed if e.seq < first.seq]
    if not before:
        # Nothing was sealed before the audit, so there is no earlier seal to hold the records to.
        return [], f"第 {first.seq} 号事件（审计开始）之前本轮没有封存过公示包，无可比较的封存记录"
    base = before[-1].payload.get("files", {})
    problems = []
    for e in sealed:
        if e.seq < first.seq:
            continue
        files = e.payload.get("files", {})
        for name in ("records.jsonl", "totals.json", "boxes.json"):
            if files.get(name) != base.get(name):
                problems.append(f"第 {e.seq} 号事件封存的 {name} 与审计开始前（第 {before[-1].seq} 号事件）封存的不同：审计之后记录被改动")
    return problems, f"审计开始（第 {first.seq} 号事件）之后封存的记录与合计与审计前相同"


def _receipt(c: Ctx) -> tuple[list[str], str]:
    from election.protocol import codes

    try:
        code = codes.parse(c.pins.receipt or "")
    except codes.CodeError as exc:
        return [f"回执码格式错误：{exc}"], ""
    r = codes.receipt_hash(str(_genesis(c).get("election", "")), code)
    for box, o in sorted(c.d["deposits.json"]["boxes"].items()):
        tree = c.facts.get("trees", {}).get(box) or merkle.build(o["receipts"])
        try:
            i = tree.index_of(r)
        except KeyError:
            continue
        proof = tree.proof(i)
        if not merkle.verify_inclusion(r, proof, o["root"]):
            return [f"回执在票箱 {box} 中，但包含证明推不出公布的默克尔根"], ""
        c.facts["receipt_proof"] = {"box": box, "r": r, "root": o["root"], "path": proof}
        path = " ".join(f"{side}:{sib[:8]}" for side, sib in proof)
        return [], f"回执哈希 {r[:16]}… 在票箱 {box}，包含证明（{len(proof)} 步：{path}）推出已签名的票箱根 {o['root'][:16]}…"
    return [f"回执哈希 {r[:16]}… 不在本公示包任何票箱的存根中"], ""


# ---------------------------------------------------------------------- the whole run

CHECKS: tuple[tuple[str, Callable[[Ctx], tuple[list[str], str]]], ...] = (
    ("election_key", _election_key),
    ("head_signature", _head_signature),
    ("bundle_index", _bundle_index),
    ("rulebook", _rulebook),
    ("rulebook_order", _rulebook_order),
    ("manifest", _manifest),
    ("manifest_order", _manifest_order),
    ("lists", _lists),
    ("deposits", _deposits),
    ("merkle", _merkle),
    ("boxes", _boxes),
    ("reconcile", _reconcile),
    ("totals", _totals),
    ("bounds", _bounds),
    ("result_event", _result_event),
    ("winners", _winners),
    ("voided", _voided),
)
RECORD_CHECKS = (
    ("records_in_manifest", _records_in_manifest),
    ("records_unique", _records_unique),
    ("records_per_box", _records_per_box),
    ("records_not_voided", _records_not_voided),
    ("recount", _recount),
    ("records_frozen", _records_frozen),
)


def verify_read(res: ReadResult, pins: Pins = Pins(), progress: Progress | None = None
                ) -> tuple[list[Check], dict[str, Any]]:
    """Every check of an already read bundle, and the facts to print (head, keys);
    ``progress`` is told how far the long checks (the public recount's papers) have come."""
    gating = [Check(NAMES_ZH[n], n, False, "；".join(res.problems[n][:5])) for n in GATING if res.problems.get(n)]
    if not gating:
        shape = verify_shape.problems(res.data)
        if shape:
            gating.append(Check(NAMES_ZH["format"], "format", False, "；".join(shape[:5])))
    if gating:
        return gating, {}
    c = Ctx(res.data, res.raw, pins, streams=res.streams, progress=progress)
    c.round = res.data["totals.json"]["round"]
    kind = "审计" if c.auditor else "公开"
    c.checks.append(Check(NAMES_ZH["format"], "format", True, f"第 {c.round} 轮{kind}公示包，{len(res.raw) + len(res.streams)} 个文件，大小在上限之内"))
    c.checks.append(Check(NAMES_ZH["canonical"], "canonical", True, "每个 JSON 文件都是规范字节"))
    c.run("chain", _chain)
    c.run("election_key", _election_key)
    if pins.key is not None:
        c.run("pin_key", _pin_key)
    if pins.head is not None:
        c.run("pin_head", _pin_head)
    for name, fn in CHECKS[1:]:
        c.run(name, fn)
    if "countersign.json" in c.d or pins.office_key is not None:
        c.run("countersignature", _countersignature)
    if pins.office_key is not None:
        c.run("pin_office_key", _pin_office_key)
    if c.auditor:
        for name, fn in RECORD_CHECKS:
            c.run(name, fn)
    if "audit.json" in c.d:
        from election.protocol.verify_audit import NAMES as AUDIT_NAMES
        from election.protocol.verify_audit import audit_checks

        for name, fn in audit_checks():
            NAMES_ZH.setdefault(name, AUDIT_NAMES.get(name, name))
            c.run(name, fn)
    if "recount.json" in c.d or c.streams:
        from election.protocol.verify_recount import recount_checks

        c.checks.extend(recount_checks(c))
        if "audit.json" in c.d and "recount.json" in c.d:
            from election.protocol.verify_recount import sample_checks
            from election.protocol.verify_sample import NAMES_ZH as SAMPLE_NAMES

            for name, zh in SAMPLE_NAMES.items():
                NAMES_ZH.setdefault(name, zh)
            c.checks.extend(sample_checks(c))
    from election.protocol.verify_between import NAMES as BETWEEN_NAMES
    from election.protocol.verify_between import between_checks

    for name, fn in between_checks(c):
        NAMES_ZH.setdefault(name, BETWEEN_NAMES[name])
        c.run(name, fn)
    if pins.receipt is not None:
        c.run("receipt", _receipt)
    return c.checks, c.facts


def verify_bundle_report(data: bytes, pins: Pins = Pins(), progress: Progress | None = None
                         ) -> tuple[list[Check], dict[str, Any]]:
    res = read_zip(data)
    if not res.problems:
        parse_members(res)
    return verify_read(res, pins, progress)


def verify_bundle(data: bytes, pins: Pins = Pins()) -> list[Check]:
    """Every check of a bundle zip; a failing check says what failed and where."""
    return verify_bundle_report(data, pins)[0]


def verify_files(files: Mapping[str, bytes], pins: Pins = Pins()) -> list[Check]:
    """The same checks over unpacked files (the server checks what it just sealed)."""
    return verify_read(members_of(files), pins)[0]
