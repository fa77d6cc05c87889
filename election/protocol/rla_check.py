"""The verifier's recomputation of a round's risk-limiting audit from the auditor bundle
(docs/AUDIT.md, "What the verifier recomputes"). Pure; verify.py calls ``checks``.

From audit.json (every audit of the round), records.jsonl, tally_input.json with
rulebook.json, totals.json and the event chain it recomputes: the draws from each seed and its manifest; the order of
manifest, commitment, signed seal and seed in the chain, and that the commitment binds
these records; the number of audits of the round against the chain (none hidden); and,
for the latest audit, the assertions from the records, each finding through the count's
own validity rule, the risks and the status, which must follow from the findings.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from election.protocol import event_kinds as ek
from election.protocol import rla, signing
from election.protocol.bundle import Record
from election.protocol.chain import Event
from election.protocol.rla_assert import plan, to_paper
from election.protocol.rla_audit import MISSING, Evaluation, Finding, evaluate, initial_size
from election.rules.tally import tally
from election.rules.tally_types import TallyInput, TallyInputError

Check = tuple[str, str, list[str], str]  # (Chinese name, English name, problems, detail when ok)


CONCLUDED = ("confirmed", "hand_counted")


def _audits(audit: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    items = audit.get("audits")
    if isinstance(items, list):
        return items
    return [audit]  # a bundle of the earlier format: one audit at the top level


def is_int(value: object) -> bool:
    """A JSON integer: ``true`` is not 1 (Python's bool is an int; the browser's is not)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _manifest(a: Mapping[str, Any], records: Sequence[Record] | None) -> dict[str, int]:
    m = a.get("manifest")
    if isinstance(m, Mapping):
        if not all(is_int(v) and v >= 0 for v in m.values()):
            raise ValueError("票箱清单 manifest 的张数须为非负整数")
        return dict(m)
    counts: dict[str, int] = {}
    for r in records or ():
        counts[r.box] = counts.get(r.box, 0) + 1
    return counts


def checks(audit: Mapping[str, Any], records: Sequence[Record] | None, totals: Mapping[str, Any],
           chain: Sequence[Event], election_key_pem: bytes, inp: TallyInput | None,
           records_sha256: str | None = None, listed: Mapping[str, Sequence[str]] | None = None) -> list[Check]:
    """The four audit checks. ``inp``: the round's tally input from the bundle
    (tally_input.json with the rulebook in force, no papers); None when it cannot be read.
    ``records_sha256``: SHA-256 of the bundle's records.jsonl bytes (what the seal binds).
    ``listed``: recount.json's listed persons per post, for an audit whose sampled papers
    the trustees decrypted (its findings' ``record`` is then the record compared)."""
    out: list[Check] = []
    try:
        audits = _audits(audit)
        number = audit.get("round", totals.get("round", 1))
        if not is_int(number):  # true is not round 1, nor "1"
            raise ValueError(f"round 应为整数，实际为 {number!r}")
    except (TypeError, ValueError) as exc:
        return [("审计抽样", "audit_sample", [f"audit.json 格式错误：{exc}"], "")]
    out.append(("审计抽样", "audit_sample", _sample(audits, records), "每次审计的抽样均可由公开的骰子种子和票箱清单重现"))
    out.append(("审计封存顺序", "audit_commitment", _order(audits, records, records_sha256, number, chain, election_key_pem),
                "审计员的种子承诺在封存之前；票箱清单与计票记录封存、链头签名之后才公开掷骰并揭示，种子是二者的哈希；封存的记录即本包的记录"))
    started = [e for e in chain if e.kind == ek.AUDIT_STARTED and (e.payload or {}).get("round") == number]
    problems = []
    if len(started) != len(audits):
        problems.append(f"事件链记有第 {number} 轮审计 {len(started)} 次，audit.json 只列出 {len(audits)} 次：有审计未公布")
    else:
        for i, (ev, a) in enumerate(zip(started, audits), 1):
            if ev.payload.get("seed") != a.get("seed"):
                problems.append(f"第 {i} 次审计的随机种子与事件链中的不符")
        for i, a in enumerate(audits[:-1], 1):
            if a.get("status") not in CONCLUDED:
                problems.append(f"第 {i} 次审计尚未结束（{a.get('status')}）就开始了下一次审计")
        problems += _shopping(audits, started, number, chain)
    out.append(("审计次数", "audit_count", problems, f"第 {number} 轮共审计 {len(audits)} 次，全部公布"))
    recomputed = _recompute(audits[-1] if audits else {}, records, inp, totals, chain, listed)
    # An earlier audit of the same records (its seal bound this bundle's records.jsonl) is
    # recomputed as the latest is: a server cannot call an audit that escalated "confirmed"
    # and start another with a new seed until one confirms (docs/AUDIT.md §3).
    digests = _sealed_digests(chain, number)
    superseded: list[int] = []
    if len(digests) == len(audits) and records_sha256 is not None:
        for i, a in enumerate(audits[:-1], 1):
            if digests[i - 1] == records_sha256:
                recomputed += [f"第 {i} 次审计：{p}" for p in _recompute(a, records, inp, totals, chain, listed)]
            else:
                superseded.append(i)
    out.append(("审计重算", "audit_recompute", recomputed, "按记录重算断言、逐张比对和风险，审计结论与发现一致"
                + superseded_note(superseded)))
    return out


def superseded_note(superseded: Sequence[int]) -> str:
    """An earlier audit whose seal bound other records (the result was reopened and corrected
    after it) is not recomputed against this bundle's records: said, not passed over."""
    if not superseded:
        return ""
    which = "、".join(f"第 {i} 次" for i in superseded)
    return (f"；注意：{which}审计封存的是重新开启（更正）之前的计票记录，本包不含那些记录，未重算，"
            "其结论不适用于本包的记录")


def _sealed_digests(chain: Sequence[Event], number: int) -> list[object]:
    """The records digest each audit.started of the round was sealed with (None when no seal
    precedes it): the commitment the last audit.head_sealed since the previous start signed."""
    by_hash = {e.hash: e for e in chain}
    out: list[object] = []
    previous = -1
    for ev in chain:
        if ev.kind != ek.AUDIT_STARTED or (ev.payload or {}).get("round") != number:
            continue
        seals = [e for e in chain if e.kind == ek.AUDIT_HEAD_SEALED and (e.payload or {}).get("round") == number
                 and previous < e.seq < ev.seq]
        previous = ev.seq
        commitment = by_hash.get(str(seals[-1].payload.get("head"))) if seals else None
        out.append(None if commitment is None else (commitment.payload or {}).get("records_digest"))
    return out


def _shopping(audits: Sequence[Mapping[str, Any]], started: Sequence[Event], number: int,
              chain: Sequence[Event]) -> list[str]:
    """No audit shopping (docs/AUDIT.md §3): a hand count once called binds — after an
    audit of the round ordered the full hand count, no later audit of the round starts and
    its result is not reopened; an earlier audit's status is its last conclusion in the
    chain; records that differ between two audits' seals were changed only through a
    recorded reopening of the result between them."""
    problems = []
    mine = [e for e in chain if (e.payload or {}).get("round") == number]
    ordered = [e for e in mine if e.kind == ek.AUDIT_FULL_COUNT_ORDERED]
    if ordered:
        after = [e for e in mine if e.seq > ordered[0].seq and e.kind in (ek.AUDIT_STARTED, ek.RESULT_REOPENED)]
        if after:
            problems.append(f"事件 {ordered[0].seq} 已决定全面人工计票，事件 {after[0].seq} 却又"
                            f"{'开始了新的审计' if after[0].kind == ek.AUDIT_STARTED else '重新开启了本轮结果'}：人工计票一经决定即须进行，其结果即本轮结果")
    kinds = {v: k for k, v in ek.AUDIT_CONCLUSIONS.items()}
    for i, a in enumerate(audits[:-1], 1):
        if a.get("status") == "hand_counted":
            problems.append(f"第 {i} 次审计已全面人工计票，其结果即本轮结果：不能再开始审计")
        ends = [kinds[e.kind] for e in mine if e.kind in kinds and (e.payload or {}).get("audit") == a.get("id")]
        if a.get("status") == "confirmed" and (not ends or ends[-1] != "confirmed"):
            problems.append(f"第 {i} 次审计称结果得到确认，事件链中该审计的结论却是“{ends[-1] if ends else '无'}”")
    digests = _sealed_digests(chain, number)
    if len(digests) == len(started):
        for i in range(1, len(started)):
            if digests[i] != digests[i - 1] and not any(
                    e.kind == ek.RESULT_REOPENED and started[i - 1].seq < e.seq < started[i].seq for e in mine):
                problems.append(f"第 {i} 次与第 {i + 1} 次审计封存的计票记录不同，其间却没有重新开启本轮结果的记录")
    return problems


def _sample(audits: Sequence[Mapping[str, Any]], records: Sequence[Record] | None) -> list[str]:
    problems = []
    for i, a in enumerate(audits, 1):
        try:
            got = a.get("draws", [])
            # Each draw [box, position] as written: no list() of a string, no True for 1.
            if not (isinstance(got, list) and all(isinstance(x, list) and len(x) == 2 and isinstance(x[0], str)
                                                  and is_int(x[1]) for x in got)):
                raise ValueError(f"第 {i} 次审计的 draws 应为 [票箱, 位置] 的列表")
            if not got:
                continue
            if not isinstance(a["seed"], str):
                raise ValueError(f"第 {i} 次审计的随机种子应为文字")
            expect = [[d.box, d.position] for d in rla.draw_sample(a["seed"], _manifest(a, records), len(got))]
            for k, (e, g) in enumerate(zip(expect, got), 1):
                if e != g:
                    problems.append(f"第 {i} 次审计第 {k} 次抽取应为票箱 {e[0]} 第 {e[1]} 张，审计记录为票箱 {g[0]} 第 {g[1]} 张")
                    break
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"audit.json 格式错误：{exc}")
    return problems


def _order(audits: Sequence[Mapping[str, Any]], records: Sequence[Record] | None, records_sha256: str | None,
           number: int, chain: Sequence[Event], key_pem: bytes) -> list[str]:
    mine = [e for e in chain if (e.payload or {}).get("round") == number and e.kind in (
        ek.AUDIT_MANIFEST_RECORDED, ek.AUDIT_RECORDS_COMMITTED, ek.AUDIT_HEAD_SEALED, ek.AUDIT_STARTED,
        ek.AUDIT_SEED_COMMITTED, ek.AUDIT_DICE_ROLLED)]
    if not any(e.kind == ek.AUDIT_STARTED for e in mine):
        return ["事件链中没有本轮审计开始的记录"] if audits and audits[0].get("draws") else []
    by_hash = {e.hash: e for e in chain}
    problems = []
    try:
        key = signing.public_key_from_pem(key_pem)
    except ValueError as exc:
        return [f"选举公钥无法读取：{exc}"]
    previous = -1
    latest_commitment = None
    for ev in [e for e in mine if e.kind == ek.AUDIT_STARTED]:
        seals = [e for e in mine if e.kind == ek.AUDIT_HEAD_SEALED and previous < e.seq < ev.seq]
        since = previous
        previous = ev.seq
        if not seals:
            problems.append(f"事件 {ev.seq}：开始审计（录入随机种子）之前没有封存计票记录与票箱清单")
            continue
        seal = seals[-1]
        commitment = by_hash.get(str(seal.payload.get("head")))
        if commitment is None or commitment.kind != ek.AUDIT_RECORDS_COMMITTED or commitment.seq >= seal.seq:
            problems.append(f"事件 {seal.seq}：签署的链头不是本轮的封存事件")
            continue
        try:
            signed = signing.SignedStatement.from_json(seal.payload["signed"])
            if not signing.verify(key, signed) or signed.statement.get("head") != commitment.hash:
                problems.append(f"事件 {seal.seq}：封存后链头的签名无法用选举公钥验证")
        except (KeyError, TypeError, ValueError):
            problems.append(f"事件 {seal.seq}：封存签名格式错误")
        if not any(e.kind == ek.AUDIT_MANIFEST_RECORDED and e.seq < commitment.seq for e in mine):
            problems.append(f"事件 {commitment.seq}：封存之前没有录入票箱清单")
        problems += _seed(ev, [e for e in mine if since < e.seq < ev.seq], commitment, seal)
        latest_commitment = commitment
        started_manifest = ev.payload.get("boxes")
        if started_manifest != commitment.payload.get("manifest"):
            problems.append(f"事件 {ev.seq}：审计所用的票箱清单与封存的不同")
    if latest_commitment is not None and records is not None:
        if records_sha256 != latest_commitment.payload.get("records_digest"):
            problems.append("本包的计票记录与最近一次审计封存的记录不同：记录在封存后被更改")
        try:  # a count "30" fails this check (and audit_sample), not the four at once
            manifest = _manifest(audits[-1], records) if audits else None
        except ValueError as exc:
            problems.append(f"audit.json 格式错误：{exc}")
        else:
            if manifest is not None and manifest != latest_commitment.payload.get("manifest"):
                problems.append("audit.json 的票箱清单与封存的不同")
    return problems


def _seed(ev: Event, between: Sequence[Event], commitment: Event, seal: Event) -> list[str]:
    """The seed's two contributions (docs/AUDIT.md §3): the auditor's commitment recorded after
    the previous audit began and before the records commitment this audit's seal signed; the
    public dice after that seal, before witnesses (at least two named); the revealed secret
    hashing to the commitment; the seed the hash of dice and secret. An audit.started without a
    reveal (the single dice seed of bundles before this rule) fails: a server could leave the
    commitment out and try seeds against the public verifier."""
    payload = ev.payload or {}
    if "reveal" not in payload:
        return [f"事件 {ev.seq}：随机种子只有一个来源（没有审计员在封存前的承诺与揭示，旧格式），"
                "无法排除操作者事先用公开的验证程序试算并挑选种子"]
    problems = []
    commits = [e for e in between if e.kind == ek.AUDIT_SEED_COMMITTED and e.seq < commitment.seq]
    late = [e for e in between if e.kind == ek.AUDIT_SEED_COMMITTED and e.seq > commitment.seq]
    dice = [e for e in between if e.kind == ek.AUDIT_DICE_ROLLED and e.seq > seal.seq]
    early = [e for e in between if e.kind == ek.AUDIT_DICE_ROLLED and e.seq < seal.seq]
    if not commits:
        where = f"（事件 {late[-1].seq} 的承诺在封存之后）" if late else ""
        problems.append(f"事件 {ev.seq}：封存（事件 {commitment.seq}）之前没有审计员的种子承诺{where}：种子可能是在看到封存的记录之后选的")
    if not dice:
        where = f"（事件 {early[-1].seq} 的掷骰在封存之前）" if early else ""
        problems.append(f"事件 {ev.seq}：封存签名（事件 {seal.seq}）之后、审计开始之前没有公开掷骰的记录{where}")
    if len(dice) > 1:
        problems.append(f"事件 {ev.seq}：封存之后掷骰 {len(dice)} 次，每次封存只能掷一次")
    if problems:
        return problems
    rolled = dice[-1].payload or {}
    witnesses = rolled.get("witnesses")
    if not (isinstance(witnesses, list) and all(isinstance(w, str) and w.strip() for w in witnesses)
            and len(set(witnesses)) >= rla.MIN_WITNESSES):
        problems.append(f"事件 {dice[-1].seq}：掷骰须有至少 {rla.MIN_WITNESSES} 位具名见证人")
    reveal, rolled_dice = payload.get("reveal"), rolled.get("dice")
    try:
        if not isinstance(reveal, str) or not isinstance(rolled_dice, str):
            raise ValueError("揭示的秘密数字与掷骰结果须为文字")
        if rla.seed_commitment(reveal) != (commits[-1].payload or {}).get("commitment"):
            problems.append(f"事件 {ev.seq}：审计员揭示的秘密数字与封存前的承诺（事件 {commits[-1].seq}）不符")
        elif rla.combined_seed(rolled_dice, reveal) != payload.get("seed"):
            problems.append(f"事件 {ev.seq}：随机种子不是掷骰结果（事件 {dice[-1].seq}）与揭示的秘密数字的哈希")
    except ValueError as exc:
        problems.append(f"事件 {ev.seq}：随机种子的组成部分无效：{exc}")
    return problems


def _recompute(a: Mapping[str, Any], records: Sequence[Record] | None, spec: TallyInput | None,
               totals: Mapping[str, Any], chain: Sequence[Event],
               listed: Mapping[str, Sequence[str]] | None = None) -> list[str]:
    decrypted = isinstance(a.get("decryption"), Mapping)
    if decrypted and listed is None:
        return ["审计比对的是受托人解密的记录，但公示包中没有可读的 recount.json"]
    if records is None:
        return ["审计公示包中没有计票记录，无法重算审计"]
    if spec is None:
        return ["公示包中没有可读的计票输入（tally_input.json），无法重算审计"]
    try:
        rb = spec.rulebook
        inp = replace(spec, papers=[to_paper(r.marks) for r in records], papers_returned=len(records))
        result = tally(inp)
        published = (totals.get("result") or {}).get("posts", {})
        problems = []
        for pr in result.posts:
            pub = published.get(pr.key, {}).get("elected")
            if pub is not None and sorted(map(str, pub)) != sorted(e.person_id for e in pr.elected):
                problems.append(f"{pr.key}：按记录计票的当选人与公布的不一致")
        manifest = _manifest(a, records)
        n = sum(manifest.values())
        audit_plan = plan(inp, result, n)
        by_d = {r.d: r for r in records}
        draws = [list(x) for x in a.get("draws", [])]
        findings = []
        for f in a.get("findings", []):
            i = f["index"]
            if not (is_int(i) and i >= 1):  # "2" is not draw 2, nor true draw 1
                raise ValueError(f"发现的抽取序号应为正整数，实际为 {i!r}")
            box, position = draws[i - 1]
            paper = f.get("paper") or {}
            rec = by_d.get(str(f.get("d")))
            vector = f.get("record") if decrypted else None
            findings.append(Finding(i, str(box), int(position), dict(rec.marks) if rec is not None and rec.box == box else None,
                                    None if paper.get("state") == MISSING else dict(paper.get("posts") or {}),
                                    dict(vector) if isinstance(vector, Mapping) else None))
        alpha = _fraction(str(a["risk_limit"]))
        if alpha > float(rb.rla_risk_limit):
            problems.append(f"审计的风险上限 {a['risk_limit']} 大于规则集规定的 {rb.rla_risk_limit}")
        ev = evaluate(audit_plan, inp.posts, rb, findings, alpha, listed=listed if decrypted else None)
        first = initial_size(audit_plan, alpha)
        problems += _sizes(a, first, n, len(draws), findings, chain,
                           lambda prefix: evaluate(audit_plan, inp.posts, rb, prefix, alpha,
                                                   listed=listed if decrypted else None))
    except (KeyError, TypeError, ValueError, IndexError, TallyInputError) as exc:
        return [f"审计无法重算：{exc}"]
    status = a.get("status")
    pending = len(draws) - len(findings)
    if status == "confirmed":
        if pending:
            problems.append(f"审计称结果得到确认，但还有 {pending} 次抽取未录入")
        if ev.status != "confirmed":
            problems.append(f"审计称结果得到确认，但按公布的发现重算：{ev.message}")
    elif status == "escalated":
        if ev.status == "confirmed" and not pending:
            problems.append("审计称须扩大抽样，但按公布的发现风险已不超过上限")
        if ev.status == "full_count" and not pending:
            problems.append(f"审计称扩大抽样，但按公布的发现应全面人工计票：{ev.message}")
    elif status == "full_count":
        if ev.status != "full_count" and not pending:
            problems.append(f"审计称须全面人工计票，但按公布的发现：{ev.message}")
    elif status == "hand_counted":
        ends = [e for e in chain if e.kind == ek.AUDIT_HAND_COUNTED and (e.payload or {}).get("audit") == a.get("id")]
        if not ends:
            problems.append("审计称已全面人工计票，但事件链中没有人工计票结果")
    elif status != "open":
        problems.append(f"未知的审计状态“{status}”")
    return problems


def _sizes(a: Mapping[str, Any], first: int, n: int, drawn: int, findings: Sequence[Finding],
           chain: Sequence[Event], evaluate_prefix: Callable[[list[Finding]], Evaluation]) -> list[str]:
    """The sample sizes the protocol fixes (docs/AUDIT.md §4), recomputed: the first sample
    n = ceil(-2 gamma ln alpha / mu_min) from the records' assertions, the manifest's N and the
    audit's risk limit (every paper, drawn none, when a post goes to a hand count at once);
    each escalation to the ``next_size`` the findings of the sample before it give. The
    audit's draws, its ``sample_size`` and the chain's ``audit.started`` must be these."""
    problems = []
    started = [e for e in chain if e.kind == ek.AUDIT_STARTED and (e.payload or {}).get("audit") == a.get("id")]
    said = started[-1].payload.get("sample_size") if started else None
    if said is not None and not (is_int(said) and said == first):
        problems.append(f"事件链记录的首次抽样为 {said!r} 张，按记录的断言、票箱清单和风险上限应为 {first} 张")
    size = first
    steps: list[int] = []
    if first >= n:  # a post goes to the hand count at once: nothing is drawn
        if drawn:
            problems.append(f"首次抽样应为全部 {n} 张（全面人工计票，不抽样），审计却抽取了 {drawn} 次")
    elif drawn < first:
        problems.append(f"首次抽样应为 {first} 张（按最小稀释差额与风险上限计算），审计只抽取了 {drawn} 次")
    while first < n and drawn > size:
        prefix = [f for f in findings if f.index <= size]
        if len(prefix) < size:
            problems.append(f"前 {size} 次抽取尚未全部录入，审计就扩大了抽样")
            break
        step = evaluate_prefix(prefix)
        if step.status != "escalated" or step.next_size >= n:
            problems.append(f"按前 {size} 次抽取的发现不应扩大抽样（{step.message}），审计却抽取了 {drawn} 次")
            break
        if drawn < step.next_size:
            problems.append(f"按前 {size} 次抽取的发现，扩大抽样应至 {step.next_size} 张，审计只抽取了 {drawn} 次")
        size = step.next_size
        steps.append(size)
    # Each audit.escalated of the chain says the size it escalated to: the recomputed one.
    escalated = [e for e in chain if e.kind == ek.AUDIT_ESCALATED and (e.payload or {}).get("audit") == a.get("id")]
    for k, e in enumerate(escalated):
        told = e.payload.get("next_sample_size")
        if k >= len(steps) or not (is_int(told) and told == steps[k]):
            should = f"应为 {steps[k]} 张" if k < len(steps) else "按发现不应有这次扩大抽样"
            problems.append(f"事件 {e.seq}（第 {k + 1} 次扩大抽样）记录的样本量为 {told!r}，{should}")
    if "sample_size" in a and not (is_int(a["sample_size"]) and a["sample_size"] == size):
        problems.append(f"audit.json 的样本量 sample_size 为 {a['sample_size']!r}，按首次抽样公式和各次扩大抽样应为 {size}")
    return problems


def _fraction(text: str) -> float:
    num, _, den = text.partition("/")
    return int(num) / int(den or "1")
