"""The street office's risk-limiting comparison audit of one round (docs/AUDIT.md).

The order is enforced here and recorded in the ledger, so the verifier can check it:
0. ``commit_seed``: the street office's auditor commits to a secret contribution to the seed
   by its hash (computed on the auditor's own computer), before the seal.
1. ``enter_manifest``: the scrutineers' physical count of papers per box (the ballot
   manifest), entered before the audit.
2. ``seal``: the round's records (sorted by D) and the manifest are committed in an
   ``audit.records_committed`` event and the head after it is signed with the election key
   (``audit.head_sealed``). Only then may the dice be rolled.
2a. ``record_dice``: public dice rolled after the seal before witnesses, named.
3. ``start_audit``: the auditor reveals the secret; it must hash to the commitment, and the
   seed is the hash of dice and secret (``rla.combined_seed``), so neither the operator who
   types the dice nor the auditor could try seeds. The risk limit is the rulebook's or
   smaller. One audit per round at a time; each seal serves one audit.
4. ``record_draw``: the auditor reads the whole drawn paper (per post ○, ×, write-ins by
   name, unreadable; or "no paper at this position"), blind to the record.
5. ``conclude``: both sides through the count's own validity rule, the Kaplan-Markov risk
   of every assertion (election/protocol/rla_audit.py): confirmed, escalated (more draws
   of the same seed) or a full hand count.
6. ``record_hand_count``: every paper entered whole; the tally of them replaces the result.

Where the trustees' joint key exists (the public recount), the record a drawn paper is
compared with is not the plain record but the trustees' decryption of that paper's sealed
ciphertexts (``sample_for_trustees``, ``add_sample_partials``, ``decrypted_sample``;
docs/AUDIT.md §7): between 4 and 5, a quorum of trustees decrypts exactly the drawn papers
entered, with proofs, and ``conclude`` waits for them.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..counting import sealing
from ..counting.result import build_input, published
from ..counting.service import ballot_of, d_from_scan, marks_from_entry
from ..counting.tables import bundle_round
from ..crypto import sample
from ..crypto.group import CryptoError
from ..db import begin_write
from ..errors import UserError
from ..ledger.events import events_of, lock_chain_head, record_event
from ..ledger.keys import sign_head
from ..models import Audit, AuditCode, AuditDraw, AuditPartial, Election, RoundResult
from ..polling.merge import merged_into
from ..protocol import event_kinds as ek
from ..protocol import rla
from ..protocol.canonical import canonical_json, sha256_hex
from ..protocol.rla_assert import AuditPlan, plan
from ..protocol.rla_audit import MISSING, Evaluation, Finding, hand_count_input, initial_size
from ..protocol.rla_audit import evaluate as evaluate_findings
from ..rules.scenario import result_to_dict
from ..rules.shares import share_text
from ..rules.tally import tally
from ..rules.tally_types import TallyInput, TallyInputError, TallyResult
from ..settings import box_keys, rulebook_of

CONCLUDED = ("confirmed", "hand_counted")
STATUS_ZH = {"open": "进行中", "escalated": "已扩大抽样", "confirmed": "结果得到确认",
             "full_count": "须全面人工计票", "hand_counted": "已全面人工计票，结果以人工计票为准"}
# How the paper at a drawn position is found (docs/DECISIONS.md "Audit retrieval", docs/AUDIT.md
# §3): said once here, beside the draw list on the audit page and in its spreadsheet. A
# position is a place in a box's sealed stack, never a voter: the box was mixed before counting.
RETRIEVAL = {
    "stack": "每个票箱的选票在计票时逐张背面朝上叠放，计完整叠捆扎、装袋封存，封袋写明票箱和张数（监票人清点的张数即票箱清单）；审计前不拆封，不打乱、不整理、不重排。",
    "count": "“票箱 C 第 30 张”：监票人在场拆开票箱 C 的封袋，整叠保持背面朝上，从最上面一张往下数到第 30 张抽出；数的时候不翻看其他选票。",
    "place": "抽出处插入一张标记卡，读完的选票放回原处，后面的位置（包括扩大抽样）就不会移动；这一叠不够该张数时，录入“此位置没有选票”。",
    "privacy": "位置只是叠中的第几张：开箱后选票已混合，计票顺序与投票先后无关，抽取清单不写任何选民。",
    "mobile": "流动票箱的选票在计票前已倒入投票站的一个票箱并与其选票混合，在那个票箱的一叠中按位置抽取；票箱清单不列已倒入的流动票箱。",
}


# ---------------------------------------------------------------------- records and manifest

def records_of(db: Session, election: Election, number: int) -> list[tuple[str, str, dict]]:
    """The round's records as (D, box label, marks), sorted by D."""
    names = box_keys(db, election)
    rows = db.execute(select(AuditCode.d_hash, AuditCode.box_id, AuditCode.marks).where(
        AuditCode.election_id == election.id, AuditCode.round_number == number, AuditCode.state == "counted"))
    return sorted((d, names[b], dict(m or {})) for d, b, m in rows if b is not None)


def records_digest(records: list[tuple[str, str, dict]]) -> str:
    """What the commitment binds: SHA-256 of the records exactly as the auditor bundle's
    records.jsonl holds them (one canonical {"d","box","marks"} line each, sorted by D)."""
    return sha256_hex(b"".join(canonical_json({"d": d, "box": b, "marks": m}) + b"\n" for d, b, m in sorted(records)))


def _round_events(db: Session, election: Election, number: int, kind: str) -> list[Any]:
    return [e for e in events_of(db, election) if e.kind == kind and (e.payload or {}).get("round") == number]


def poured_boxes(db: Session, election: Election, number: int) -> dict[str, str]:
    """The round's mobile boxes poured into a fixed station's box before counting
    (``counting.box_merged``): label -> the label of the box holding their papers. They have no
    stack of their own, so the manifest leaves them out (their papers are counted in that box's)."""
    names = box_keys(db, election)
    return {names[m]: names[into] for m, into in merged_into(db, election, number).items()}


def manifest_boxes(db: Session, election: Election, number: int) -> list[str]:
    """The boxes the scrutineers count for the manifest: every box of the election but the
    mobile boxes poured into another (empty boxes too)."""
    poured = poured_boxes(db, election, number)
    return sorted(set(box_keys(db, election).values()) - set(poured))


def manifest_of(db: Session, election: Election, number: int) -> dict[str, int] | None:
    """The ballot manifest entered for the round (the last entry), or None."""
    rows = _round_events(db, election, number, ek.AUDIT_MANIFEST_RECORDED)
    return dict(rows[-1].payload["boxes"]) if rows else None


def enter_manifest(db: Session, election: Election, counts: Mapping[str, Any], actor: str,
                   round_number: int | None = None) -> dict[str, int]:
    """The scrutineers' count of papers per box (label -> papers), before the audit: every
    box of the election but a mobile box poured into another (its papers are counted in that
    box's stack), a whole number each; refused while an audit of the round is open."""
    begin_write(db)  # the write lock before the first read, as in seal
    number = bundle_round(db, election, round_number)
    _refuse_open(db, election, number, "录入票箱清单")
    poured = poured_boxes(db, election, number)
    labels = set(manifest_boxes(db, election, number))
    out: dict[str, int] = {}
    problems = [f"流动票箱“{b}”的选票已于计票前倒入票箱“{into}”，不单独清点：请计入票箱“{into}”的张数"
                for b, into in sorted(poured.items()) if str(counts.get(b, "")).strip() not in ("", "0")]
    for label in sorted(labels):
        raw = str(counts.get(label, "")).strip()
        if not raw.isdigit() or len(raw) > 7:
            problems.append(f"票箱“{label}”的选票张数“{raw}”无效：须为清点得到的整数")
        else:
            out[label] = int(raw)
    problems += [f"票箱“{b}”不是本次选举的票箱" for b in sorted(set(counts) - labels - set(poured))]
    if problems:
        raise UserError(*problems)
    if sum(out.values()) == 0:
        raise UserError("票箱清单中选票总数为 0，无法审计")
    record_event(db, election, ek.AUDIT_MANIFEST_RECORDED, {"round": number, "boxes": out, "papers": sum(out.values())}, actor,
                 "监票人清点各票箱选票张数（审计用票箱清单）")
    return out


def seal(db: Session, election: Election, data_key: str, actor: str, round_number: int | None = None) -> str:
    """Commit the round's records (sorted by D) and the manifest in the ledger and sign the
    head after the commitment; returns the signed head. A seed may be entered only after.
    The write lock is taken before the first read (begin_write): on SQLite a reader that
    writes at the end fails with "database is locked" when anyone committed meanwhile, and
    the records committed are the ones read."""
    begin_write(db)
    number = bundle_round(db, election, round_number)
    _refuse_open(db, election, number, "封存")
    # A withdrawn result (a recorded correction under way) is audited once published again:
    # the verifiers refuse records sealed while the round's result stood withdrawn.
    if published(db, election, number) is None and _round_events(db, election, number, ek.RESULT_REOPENED):
        raise UserError(f"第 {number} 轮的结果已重新开启更正，尚未重新公布：请先重新公布结果，再封存审计")
    manifest = manifest_of(db, election, number)
    if manifest is None:
        raise UserError(f"第 {number} 轮尚未录入票箱清单（监票人清点的各票箱选票张数），不能封存")
    records = records_of(db, election, number)
    if not records:
        raise UserError(f"第 {number} 轮尚无计票记录，无法封存审计")
    payload: dict[str, Any] = {
        "round": number, "records": len(records), "records_digest": records_digest(records),
        "manifest": manifest, "papers": sum(manifest.values()),
    }
    if sealing.joint_key(db, election) is not None:
        # The public recount's ciphertexts (made at entry) sealed with the records, before
        # the seed: recount/papers.jsonl must hash to this (the verifier's recount_sealed).
        papers, digest = sealing.round_sha256(db, election, ballot_of(db, election, number), records)
        payload["ciphertexts"] = {"papers": papers, "sha256": digest}
    ev = record_event(db, election, ek.AUDIT_RECORDS_COMMITTED, payload, actor, "审计前封存本轮计票记录与票箱清单")
    sig = sign_head(db, election, data_key)
    record_event(db, election, ek.AUDIT_HEAD_SEALED, {"round": number, "head": ev.hash, "seq": ev.seq,
                                                "signed": sig.to_json()}, actor, "以选举密钥签署封存后的链头")
    return ev.hash


# ---------------------------------------------------------------------- the seed's two parts

@dataclass(frozen=True)
class SeedSteps:
    """Where the round's next audit stands on its seed (docs/AUDIT.md §3): since the last
    audit.started, the usable seal (``audit.head_sealed``), the auditor's commitment made
    before that seal's records commitment (the latest; before any seal, the latest made), and
    the dice rolled after the seal."""

    commitment: Any
    seal: Any
    dice: Any
    late_commitment: Any  # a commitment made after the seal: it serves only a new seal


def seed_steps(db: Session, election: Election, number: int) -> SeedSteps:
    kinds = (ek.AUDIT_SEED_COMMITTED, ek.AUDIT_RECORDS_COMMITTED, ek.AUDIT_HEAD_SEALED, ek.AUDIT_DICE_ROLLED,
             ek.AUDIT_STARTED)
    events = [e for e in events_of(db, election) if e.kind in kinds and (e.payload or {}).get("round") == number]
    last_start = max((e.seq for e in events if e.kind == ek.AUDIT_STARTED), default=-1)
    after = [e for e in events if e.seq > last_start]
    seals = [e for e in after if e.kind == ek.AUDIT_HEAD_SEALED]
    seal_ev = seals[-1] if seals else None
    commits = [e for e in after if e.kind == ek.AUDIT_SEED_COMMITTED]
    if seal_ev is None:
        return SeedSteps(commits[-1] if commits else None, None, None, None)
    bound = next((e for e in after if e.hash == seal_ev.payload.get("head")), seal_ev)
    before = [e for e in commits if e.seq < bound.seq]
    late = [e for e in commits if e.seq > bound.seq]
    dice = [e for e in after if e.kind == ek.AUDIT_DICE_ROLLED and e.seq > seal_ev.seq]
    return SeedSteps(before[-1] if before else None, seal_ev, dice[-1] if dice else None, late[-1] if late else None)


def commit_seed(db: Session, election: Election, commitment: str, actor: str, round_number: int | None = None) -> str:
    """The auditor's commitment: hex SHA-256 of ``rla.COMMIT_TAG`` + a secret of at least 20
    digits, computed on the auditor's own computer (the secret never reaches the server before
    the reveal). Made before the seal; a later one serves only a new seal."""
    begin_write(db)
    number = bundle_round(db, election, round_number)
    _refuse_open(db, election, number, "提交种子承诺")
    clean = commitment.strip().lower()
    if len(clean) != 64 or any(ch not in "0123456789abcdef" for ch in clean):
        raise UserError(f"种子承诺“{commitment.strip()[:80]}”无效：须为 64 位十六进制的 SHA-256 值"
                        "（在审计员自己的电脑上由秘密数字计算）")
    record_event(db, election, ek.AUDIT_SEED_COMMITTED, {"round": number, "commitment": clean}, actor,
                 "审计员在封存前提交随机种子承诺（秘密数字的哈希）")
    return clean


def witness_names(text: str) -> list[str]:
    """Witness names as typed: one a line, or separated by 、 ， , ；"""
    for sep in "、，,；;\r":
        text = text.replace(sep, "\n")
    return [n.strip() for n in text.split("\n") if n.strip()]


def record_dice(db: Session, election: Election, dice: str, witnesses: str | list[str], actor: str,
                round_number: int | None = None) -> list[str]:
    """The public dice, rolled after the seal in front of the committee and witnesses (at least
    two named): one roll per seal; the auditor's commitment must precede the seal."""
    begin_write(db)
    # PostgreSQL: the election's row before reading the chain, so two desks entering dice at
    # once cannot both see none rolled (no other row is locked here; the chain head is that row).
    lock_chain_head(db, election)
    number = bundle_round(db, election, round_number)
    _refuse_open(db, election, number, "录入掷骰结果")
    _refuse_after_hand_count(db, election, number, "录入掷骰结果")
    steps = seed_steps(db, election, number)
    if steps.seal is None:
        raise UserError(f"第 {number} 轮的计票记录与票箱清单尚未封存：须先封存，再公开掷骰")
    if steps.commitment is None:
        raise UserError(f"第 {number} 轮封存之前审计员没有提交种子承诺：请审计员提交承诺后重新封存，再公开掷骰")
    if steps.dice is not None:
        raise UserError(f"第 {number} 轮这次封存之后已经掷骰（事件 {steps.dice.seq}），每次封存只掷一次")
    try:
        clean = rla.normalise_seed(dice)
    except ValueError as exc:
        raise UserError(f"掷骰结果：{exc}") from None
    names = witness_names(witnesses) if isinstance(witnesses, str) else [str(n).strip() for n in witnesses if str(n).strip()]
    if len(names) < rla.MIN_WITNESSES or len(set(names)) < rla.MIN_WITNESSES:
        raise UserError(f"见证人须至少 {rla.MIN_WITNESSES} 位，并写明姓名（现有 {len(set(names))} 位）")
    if any(len(n) > 40 for n in names):
        raise UserError("见证人姓名过长（每位不超过 40 字）")
    record_event(db, election, ek.AUDIT_DICE_ROLLED, {"round": number, "dice": clean, "witnesses": names}, actor,
                 "封存后在见证人面前公开掷骰")
    return names


def _refuse_open(db: Session, election: Election, number: int, what: str) -> None:
    audit = current_audit(db, election, number)
    if audit is not None and audit.status not in CONCLUDED:
        raise UserError(f"第 {number} 轮的审计（第 {audit.id} 号）尚未结束（{STATUS_ZH.get(audit.status, audit.status)}），"
                        f"不能{what}；每轮同时只能有一次审计")


def _refuse_after_hand_count(db: Session, election: Election, number: int, what: str) -> None:
    """A hand count once ordered binds (docs/AUDIT.md §3): its result is the round's, so no
    audit of the round starts after it (the verifiers refuse the bundle: audit_count)."""
    counted = [a for a in audits_of(db, election, number) if a.status in ("full_count", "hand_counted")]
    if counted:
        raise UserError(f"第 {number} 轮的审计（第 {counted[0].id} 号）已决定全面人工计票，"
                        f"人工计票的结果即本轮结果，不能{what}")


# ---------------------------------------------------------------------- the reported outcome

@dataclass(frozen=True)
class Reported:
    inp: TallyInput
    result: TallyResult
    names: dict[str, str]


def reported(db: Session, election: Election, number: int) -> Reported:
    """The round's outcome from its records (the count's own input and tally); it must be
    the published result when there is one."""
    inp, people = build_input(db, election, number)
    try:
        result = tally(inp)
    except TallyInputError as error:
        raise UserError(f"计票数据有误：{error}") from None
    row = published(db, election, number)
    if row is not None:
        mine = result_to_dict(result)["posts"]
        for post, p in row.result.get("posts", {}).items():
            if sorted(e["person"] for e in p.get("elected", [])) != sorted(e["person"] for e in mine.get(post, {}).get("elected", [])):
                raise UserError(f"第 {number} 轮公布的结果与现有计票记录不一致（{post}）：记录在公布后被更改，须先更正并重新公布")
    return Reported(inp, result, {pid: v.get("name", pid) for pid, v in people.items()})


def plan_for(db: Session, election: Election, audit: Audit) -> tuple[AuditPlan, Reported]:
    rep = reported(db, election, audit.round_number)
    return plan(rep.inp, rep.result, audit.papers, rep.names), rep


# ---------------------------------------------------------------------- the audit

def current_audit(db: Session, election: Election, round_number: int | None = None) -> Audit | None:
    """The latest audit of a round (of any round when none is given)."""
    query = select(Audit).where(Audit.election_id == election.id)
    if round_number is not None:
        query = query.where(Audit.round_number == round_number)
    return db.scalar(query.order_by(Audit.id.desc()).limit(1))


def open_audit(db: Session, election: Election, round_number: int) -> Audit:
    """The round's latest audit, refused when the round has none yet."""
    audit = current_audit(db, election, round_number)
    if audit is None:
        raise UserError(f"第 {round_number} 轮尚未开始审计")
    return audit


def audits_of(db: Session, election: Election, round_number: int) -> list[Audit]:
    return list(db.scalars(select(Audit).where(Audit.election_id == election.id, Audit.round_number == round_number)
                           .order_by(Audit.id)))


def draws_of(db: Session, audit: Audit) -> list[AuditDraw]:
    return list(db.scalars(select(AuditDraw).where(AuditDraw.audit_id == audit.id).order_by(AuditDraw.index)))


def usable_seal(db: Session, election: Election, number: int) -> Any:
    """The seal of the round no audit has used yet (after the last audit.started)."""
    events = [e for e in events_of(db, election) if (e.payload or {}).get("round") == number
              and e.kind in (ek.AUDIT_RECORDS_COMMITTED, ek.AUDIT_STARTED, ek.AUDIT_HEAD_SEALED)]
    last_start = max((e.seq for e in events if e.kind == ek.AUDIT_STARTED), default=-1)
    sealed = [e for e in events if e.kind == ek.AUDIT_HEAD_SEALED and e.seq > last_start]
    return sealed[-1] if sealed else None


def start_audit(db: Session, election: Election, reveal: str, actor: str, risk_limit: Fraction | None = None,
                round_number: int | None = None) -> Audit:
    """Start the audit of a sealed round: the auditor reveals the secret committed before the
    seal, and the seed is ``rla.combined_seed`` of the dice rolled after the seal and the secret.
    The write lock from the first read (begin_write), as in seal: the records checked against
    the seal are the ones audited."""
    begin_write(db)
    number = bundle_round(db, election, round_number)
    _refuse_open(db, election, number, "开始新的审计")
    _refuse_after_hand_count(db, election, number, "开始新的审计")
    steps = seed_steps(db, election, number)
    sealed = steps.seal
    if sealed is None:
        raise UserError(f"第 {number} 轮的计票记录与票箱清单尚未封存：须先录入票箱清单并封存，再公开掷骰、录入随机种子")
    if steps.commitment is None:
        raise UserError(f"第 {number} 轮封存之前审计员没有提交种子承诺：请审计员提交承诺后重新封存，再公开掷骰")
    if steps.dice is None:
        raise UserError(f"第 {number} 轮封存之后尚未公开掷骰：须先在见证人面前掷骰并录入点数，审计员再揭示秘密数字")
    commitment = next(e for e in events_of(db, election) if e.hash == sealed.payload["head"])
    records = records_of(db, election, number)
    if records_digest(records) != commitment.payload["records_digest"]:
        raise UserError(f"第 {number} 轮的计票记录在封存后被更改，不能开始审计：须更正、重新公布并重新封存")
    try:
        secret = rla.normalise_seed(reveal)
    except ValueError as exc:
        raise UserError(f"审计员的秘密数字：{exc}") from None
    if rla.seed_commitment(secret) != steps.commitment.payload["commitment"]:
        raise UserError(f"审计员揭示的秘密数字与封存前提交的承诺（事件 {steps.commitment.seq}）不符："
                        "请核对后重新输入；不能更换秘密数字")
    dice = str(steps.dice.payload["dice"])
    clean = rla.combined_seed(dice, secret)
    rulebook_limit = rulebook_of(election).rla_risk_limit
    alpha = rulebook_limit if risk_limit is None else Fraction(risk_limit)
    if not 0 < alpha <= rulebook_limit:
        raise UserError(f"风险上限 {alpha} 无效：须大于 0 且不超过规则集规定的 {rulebook_limit}（只能选得更严）")
    manifest = dict(commitment.payload["manifest"])
    papers = sum(manifest.values())
    audit = Audit(election_id=election.id, round_number=number, seed=clean,
                  risk_limit=share_text(alpha), papers=papers, boxes=manifest,
                  sample_size=0, status="open", started_by=actor)
    db.add(audit)
    db.flush()
    audit_plan, _ = plan_for(db, election, audit)
    n = initial_size(audit_plan, float(alpha))
    audit.sample_size = n
    if n < papers:
        _add_draws(db, audit, 1, n)
    record_event(db, election, ek.AUDIT_STARTED, {
        "audit": audit.id, "round": number, "seed": clean, "reveal": secret, "dice": dice,
        "witnesses": list(steps.dice.payload.get("witnesses") or []),
        "risk_limit": audit.risk_limit, "papers": papers,
        "boxes": manifest, "sealed": sealed.hash, "sample_size": n, "assertions": len(audit_plan.assertions),
        "hand_count": {p.post: p.hand_count for p in audit_plan.posts if p.hand_count},
    }, actor, "街道办事处风险限制审计：开始抽样")
    if n >= papers:
        # Nothing a sample can confirm (a tie, no assertion, a margin too small): hand count.
        conclude(db, election, audit, actor)
    return audit


def _add_draws(db: Session, audit: Audit, start: int, n: int) -> None:
    for d in rla.draw_sample(audit.seed, audit.boxes, n, start):
        db.add(AuditDraw(audit_id=audit.id, index=d.index, box=d.box, position=d.position))
    db.flush()


def paper_from_form(db: Session, election: Election, round_number: int, fields: Mapping[str, str]) -> dict[str, Any]:
    """The auditor's whole-paper entry from the audit form: the entry form's own fields
    (m-<post>-<candidate>: 1 ○ / 2 × / 0 blank, w-<post>: write-in names, u-<post>:
    unreadable) read by the count's own reader, or ``missing`` = no paper at the position."""
    if fields.get("missing") in ("on", "1", "true"):
        return {"state": MISSING, "posts": {}}
    return {"state": "found", "posts": marks_from_entry(db, election, ballot_of(db, election, round_number), dict(fields))}


def record_draw(db: Session, election: Election, audit: Audit, index: int, scanned: str,
                entry: Mapping[str, Any], actor: str) -> AuditDraw:
    """The auditor's reading of drawn paper ``index``: its audit QR (D) and the whole paper
    (``paper_from_form``). The record is not consulted (blind entry). The write lock from the
    first read (begin_write, as in seal), and the audit and the draw read again under it: the
    page read them before, and another desk may have entered the draw or concluded meanwhile."""
    begin_write(db)
    db.refresh(audit)
    draw = db.scalar(select(AuditDraw).where(AuditDraw.audit_id == audit.id, AuditDraw.index == index)
                     .execution_options(populate_existing=True))
    if draw is None:
        raise UserError(f"第 {index} 次抽取不存在")
    if audit.status not in ("open", "escalated"):
        raise UserError(f"本次审计{STATUS_ZH.get(audit.status, audit.status)}，不能再录入抽取的选票")
    if draw.d_hash is not None:
        raise UserError(f"第 {index} 次抽取（票箱 {draw.box} 第 {draw.position} 张）已录入，不能重复录入")
    missing = entry.get("state") == MISSING
    if missing:
        d = "-"
    else:
        d = d_from_scan(election, scanned, typed_d=True, what=f"第 {index} 次抽取（票箱 {draw.box} 第 {draw.position} 张）：审计码")
    posts = entry.get("posts") or {}
    known = {spec.key for spec, _ in ballot_of(db, election, audit.round_number).posts}
    unknown = [p for p in posts if p not in known]
    if unknown:
        raise UserError(f"第 {index} 次抽取：未知职位 {'、'.join(unknown)}")
    draw.d_hash = d
    draw.paper = {"state": MISSING if missing else "found", "posts": {p: dict(m) for p, m in posts.items()}}
    draw.recorded_by = actor
    record_event(db, election, ek.AUDIT_DRAW_ENTERED, {"audit": audit.id, "round": audit.round_number, "index": index},
                 actor, "录入抽中的选票")
    db.flush()
    return draw


# ---------------------------------------------------------------------- the trustees' decryption

# A trustee's file is about 8 KiB a drawn paper (three posts, nine candidates): 16 MiB holds
# some 2,000 papers, more than a sample short of the hand count draws.
MAX_UPLOAD = 16 * 1024 * 1024


@dataclass(frozen=True)
class Sample:
    """An audit of a round under the trustees' key: the ceremony, the round's layout and
    the drawn papers entered so far that have a ciphertext in the drawn box (D -> line)."""

    ceremony: dict[str, Any]
    publics: list[dict[str, Any]]
    layout: sealing.Layout
    lines: dict[str, dict[str, Any]]


def sample_of(db: Session, election: Election, audit: Audit) -> Sample | None:
    """None for an election without the public recount (its audit compares plain records)."""
    cer = sealing.ceremony_public(db, election)
    if cer is None:
        return None
    draws = [d for d in draws_of(db, audit) if d.d_hash not in (None, "-") and (d.paper or {}).get("state") != MISSING]
    stored = sealing.lines_of(db, election, [d.d_hash for d in draws if d.d_hash])
    lines = {d.d_hash: stored[d.d_hash] for d in draws if d.d_hash in stored and stored[d.d_hash].get("box") == d.box}
    return Sample(cer[0], cer[1], sealing.Layout(election, ballot_of(db, election, audit.round_number)), lines)


def _partial_docs(db: Session, audit: Audit) -> list[dict[str, Any]]:
    rows = db.scalars(select(AuditPartial).where(AuditPartial.audit_id == audit.id).order_by(AuditPartial.trustee))
    return [{"index": r.trustee, "partials": dict(r.partials)} for r in rows]


def _covered(s: Sample, docs: list[dict[str, Any]]) -> list[str]:
    """The drawn papers a quorum of trustees has decrypted whole."""
    labels = {d: len(line["ct"]) for d, line in s.lines.items()}
    per: dict[str, int] = {}
    for doc in docs:
        mine = Counter(name.partition(":")[0] for name in doc["partials"])
        for d, n in mine.items():
            if labels.get(d) == n:
                per[d] = per.get(d, 0) + 1
    return sorted(d for d, n in per.items() if n >= int(s.ceremony["quorum"]))


def decrypted_sample(db: Session, election: Election, audit: Audit,
                     s: Sample | None = None) -> tuple[dict[str, dict[str, int]], list[dict[str, Any]]] | None:
    """The drawn papers a quorum has decrypted (D -> label -> value; every proof was checked at
    upload) and the partials that decrypt them; None for an election without the trustees' key."""
    s = s or sample_of(db, election, audit)
    if s is None:
        return None
    docs = _partial_docs(db, audit)
    done = set(_covered(s, docs))
    used = [{"index": doc["index"], "partials": {n: v for n, v in doc["partials"].items() if n.partition(":")[0] in done}}
            for doc in docs]
    used = [doc for doc in used if doc["partials"]]
    if not done:
        return {}, []
    try:
        # Every partial's proof was checked when its file was uploaded (add_sample_partials).
        values = sample.decrypt_sample(s.ceremony, s.publics, s.layout.shapes, [s.lines[d] for d in sorted(done)], used,
                                       check_proofs=False)
    except CryptoError as error:
        raise UserError(f"抽中选票的受托人解密无法合成：{error.message}") from None
    return values, used


def sample_status(db: Session, election: Election, audit: Audit) -> tuple[int, int, int] | None:
    """(drawn papers entered with a ciphertext, of them decrypted by a quorum, the quorum)
    for the audit page, without checking the proofs again; None without the trustees' key."""
    s = sample_of(db, election, audit)
    if s is None:
        return None
    return len(s.lines), len(_covered(s, _partial_docs(db, audit))), int(s.ceremony["quorum"])


def sample_for_trustees(db: Session, election: Election, audit: Audit) -> dict[str, list[str]]:
    """What the trustees download and decrypt with their own tool (``python -m tools.trustee
    decrypt``): the ciphertexts of the drawn papers entered so far that a quorum has not yet
    decrypted, each named ``<D>:<label>``."""
    s = sample_of(db, election, audit)
    if s is None:
        raise UserError("本次选举没有受托人的联合公钥：审计直接比对计票记录，无需受托人解密")
    done = set(_covered(s, _partial_docs(db, audit)))
    todo = [s.lines[d] for d in sorted(s.lines) if d not in done]
    if not todo:
        raise UserError("没有待受托人解密的抽中选票：请先录入抽中的选票")
    return sample.sample_ciphertexts(todo)


def add_sample_partials(db: Session, election: Election, audit: Audit, text: bytes, actor: str) -> int:
    """A trustee's partial decryptions of drawn papers (the trustee tool's output for
    ``sample_for_trustees``): every proof checked against the sealed ciphertexts, only papers
    drawn and entered, each paper whole; kept with the audit, its digest in the ledger."""
    if audit.status not in ("open", "escalated"):
        raise UserError(f"本次审计{STATUS_ZH.get(audit.status, audit.status)}，不能再上传抽中选票的部分解密")
    s = sample_of(db, election, audit)
    if s is None:
        raise UserError("本次选举没有受托人的联合公钥：审计直接比对计票记录，无需受托人解密")
    if len(text) > MAX_UPLOAD:
        raise UserError("部分解密文件过大（超过 16 MB）")
    try:
        doc = json.loads(text.decode("utf-8"))
    except (ValueError, RecursionError):  # also an integer of over 4300 digits, or nesting too deep
        raise UserError("部分解密不是受托人工具生成的 JSON 文件") from None
    index = doc.get("index") if isinstance(doc, dict) else None
    n = len(s.ceremony["trustees"])
    if not isinstance(index, int) or isinstance(index, bool) or not 1 <= index <= n:
        raise UserError(f"部分解密文件的受托人序号不对：须为 1 到 {n}")
    try:
        covered = sample.check_partials(s.ceremony, s.publics, s.lines.values(), doc)
    except CryptoError as error:
        raise UserError(f"第 {index} 位受托人的部分解密：{error.message}") from None
    if not covered:
        raise UserError(f"第 {index} 位受托人的文件中没有抽中选票的部分解密")
    row = db.scalar(select(AuditPartial).where(AuditPartial.audit_id == audit.id, AuditPartial.trustee == index))
    if row is None:
        db.add(AuditPartial(audit_id=audit.id, trustee=index, partials=dict(doc["partials"])))
    else:
        row.partials = {**row.partials, **doc["partials"]}
    record_event(db, election, ek.AUDIT_SAMPLE_DECRYPTED, {
        "audit": audit.id, "round": audit.round_number, "trustee": index, "papers": len(covered),
        "sha256": hashlib.sha256(text).hexdigest()}, actor, f"受托人（第 {index} 位）解密抽中的 {len(covered)} 张选票")
    db.flush()
    return index


def findings_of(db: Session, election: Election, audit: Audit, s: Sample | None = None,
                decrypted: Mapping[str, Mapping[str, int]] | None = None) -> list[Finding]:
    """Each entered draw with the record whose D the paper carries, in the drawn box: the
    trustees' decryption of its ciphertexts where the election has the trustees' key, else
    the plain record."""
    if s is not None:
        out = []
        for d in draws_of(db, audit):
            if d.d_hash is None:
                continue
            paper = d.paper or {}
            vector = dict((decrypted or {}).get(d.d_hash, {})) or None if d.d_hash in s.lines else None
            out.append(Finding(d.index, d.box, d.position, None,
                               None if paper.get("state") == MISSING else dict(paper.get("posts") or {}), vector))
        return out
    draws = [d for d in draws_of(db, audit) if d.d_hash is not None]
    names = box_keys(db, election)
    recs = {d: (names.get(b), m) for d, b, m in db.execute(select(AuditCode.d_hash, AuditCode.box_id, AuditCode.marks).where(
        AuditCode.election_id == election.id, AuditCode.round_number == audit.round_number, AuditCode.state == "counted",
        AuditCode.d_hash.in_([d.d_hash for d in draws] or [""])))}
    out = []
    for d in draws:
        rec = recs.get(d.d_hash or "")
        paper = d.paper or {}
        record = dict(rec[1] or {}) if rec is not None and rec[0] == d.box else None
        out.append(Finding(d.index, d.box, d.position, record,
                           None if paper.get("state") == MISSING else dict(paper.get("posts") or {})))
    return out


def evaluate(db: Session, election: Election, audit: Audit) -> Evaluation:
    audit_plan, rep = plan_for(db, election, audit)
    s = sample_of(db, election, audit)
    if s is None:
        return evaluate_findings(audit_plan, rep.inp.posts, rep.inp.rulebook, findings_of(db, election, audit),
                                 float(Fraction(audit.risk_limit)))
    found = decrypted_sample(db, election, audit, s)
    values = found[0] if found else {}
    waiting = sorted(set(s.lines) - set(values))
    if waiting:
        raise UserError(f"还有 {len(waiting)} 张抽中的选票未经受托人解密（须 {s.ceremony['quorum']} 位受托人）："
                        "请受托人下载抽中选票的密文、解密后上传，再比对")
    return evaluate_findings(audit_plan, rep.inp.posts, rep.inp.rulebook, findings_of(db, election, audit, s, values),
                             float(Fraction(audit.risk_limit)), listed=s.layout.listed)


def conclude(db: Session, election: Election, audit: Audit, actor: str) -> Evaluation:
    """Compare, measure the risk and decide: confirmed, escalated (more draws continuing
    the seed's sequence) or a full hand count."""
    if audit.status not in ("open", "escalated"):
        raise UserError(f"本次审计{STATUS_ZH.get(audit.status, audit.status)}，不能再比对")
    pending = [d.index for d in draws_of(db, audit) if d.d_hash is None]
    if pending:
        raise UserError(f"还有 {len(pending)} 张抽中的选票未录入（第 {pending[0]} 次抽取起）")
    ev = evaluate(db, election, audit)
    if ev.status == "escalated" and ev.next_size >= audit.papers:
        ev = Evaluation("full_count", ev.sampled, audit.papers, ev.risks, ev.hand_count, ev.differences, ev.message)
    audit.status = ev.status
    if ev.status == "escalated":
        have = len(draws_of(db, audit))
        _add_draws(db, audit, have + 1, ev.next_size - have)
        audit.sample_size = ev.next_size
    audit.conclusion = ev.message
    record_event(db, election, ek.AUDIT_CONCLUSIONS[ev.status], {
        "audit": audit.id, "round": audit.round_number, "drawn": ev.sampled, "differences": len(ev.differences),
        "differing_draws": [d.index for d in ev.differences],
        "risks": {r.assertion.label: f"{r.risk:.6f}" for r in ev.risks}, "next_sample_size": audit.sample_size,
        "hand_count": ev.hand_count, "message": ev.message,
    }, actor, "街道办事处风险限制审计：结论")
    db.flush()
    return ev


def record_hand_count(db: Session, election: Election, audit: Audit, entries: Mapping[str, list[Mapping[str, Any]]],
                      actor: str) -> TallyResult:
    """The full hand count: every paper of every box (box label -> whole-paper entries in
    the order they lie), as many as the manifest says. Its tally replaces the round's
    result, which is recorded and published (``result_replaced``). The write lock from the
    first read (begin_write, as in seal), the audit read again under it."""
    begin_write(db)
    db.refresh(audit)
    if audit.status != "full_count":
        raise UserError("只有审计结论为须全面人工计票时，才能录入人工计票结果")
    problems = [f"票箱“{b}”人工清点 {len(entries.get(b, []))} 张，票箱清单为 {n} 张"
                for b, n in sorted(audit.boxes.items()) if len(entries.get(b, [])) != n]
    problems += [f"票箱“{b}”不在票箱清单中" for b in sorted(set(entries) - set(audit.boxes))]
    if problems:
        raise UserError(*problems)
    rep = reported(db, election, audit.round_number)
    papers = [e for b in sorted(audit.boxes) for e in entries[b]]
    try:
        result = tally(hand_count_input(rep.inp, papers))
    except TallyInputError as error:
        raise UserError(f"人工计票录入有误：{error}") from None
    data = result_to_dict(result)
    row = db.scalar(select(RoundResult).where(RoundResult.election_id == election.id,
                                              RoundResult.round_number == audit.round_number))
    before = row.result if row is not None else None
    if row is not None:
        row.result = data  # the hand count is the result now; the change is in the ledger
    audit.status = "hand_counted"
    audit.conclusion = "全面人工计票完成，结果以人工计票为准"
    record_event(db, election, ek.AUDIT_HAND_COUNTED, {
        "audit": audit.id, "round": audit.round_number, "papers": {b: list(map(dict, entries[b])) for b in sorted(entries)},
        "result": data, "elected": {k: [e["person"] for e in p["elected"]] for k, p in data["posts"].items()},
        "replaced": None if before is None else {k: [e["person"] for e in p["elected"]] for k, p in before["posts"].items()},
    }, actor, "全面人工计票：以人工计票结果取代机器计票结果")
    db.flush()
    return result


def countersign_blocker(db: Session, election: Election, number: int) -> str | None:
    """Why the street office may not countersign the round yet: no audit, or one that is
    open, escalated or waiting for its full hand count."""
    audit = current_audit(db, election, number)
    if audit is None:
        return f"第 {number} 轮尚未进行风险限制审计，不能会签"
    if audit.status not in CONCLUDED:
        return (f"第 {number} 轮的风险限制审计尚未得出确认结论（{STATUS_ZH.get(audit.status, audit.status)}）："
                "审计确认结果或全面人工计票完成之前，街道办事处不能会签备案")
    return None


def seed_parts(db: Session, election: Election, audit: Audit) -> dict[str, Any] | None:
    """The seed's parts of an audit (docs/AUDIT.md §3) from its audit.started: the dice, their
    witnesses, the auditor's revealed secret and its commitment (what the verifiers check
    against the chain's audit.seed_committed and audit.dice_rolled); None for an audit started
    from a single dice seed (before the two-part seed)."""
    ev = next((e.payload for e in _round_events(db, election, audit.round_number, ek.AUDIT_STARTED)
               if (e.payload or {}).get("audit") == audit.id), None) or {}
    if "reveal" not in ev:
        return None
    return {"dice": ev.get("dice"), "witnesses": list(ev.get("witnesses") or []), "reveal": ev.get("reveal"),
            "commitment": rla.seed_commitment(str(ev["reveal"]))}


def audit_json(db: Session, election: Election, round_number: int = 1) -> dict[str, Any] | None:
    """audit.json of a round's auditor bundle: every audit of the round, in order, with the
    commitment it used, its seed, risk limit, manifest, draws and findings (whole papers)."""
    audits = audits_of(db, election, round_number)
    if not audits:
        return None
    items = []
    for a in audits:
        draws = draws_of(db, a)
        item: dict[str, Any] = {
            "id": a.id, "seed": a.seed, "risk_limit": a.risk_limit, "papers": a.papers, "manifest": dict(a.boxes),
            "status": a.status, "sample_size": a.sample_size,
            "draws": [[d.box, d.position] for d in draws],
            "findings": [{"index": d.index, "d": d.d_hash, "paper": d.paper} for d in draws if d.d_hash is not None],
            "conclusion": a.conclusion,
        }
        parts = seed_parts(db, election, a)
        if parts is not None:
            item["seed_parts"] = parts
        s = sample_of(db, election, a)
        if s is not None:
            # The trustees' decryption of the drawn papers, and the record each was compared with.
            values, used = decrypted_sample(db, election, a, s) or ({}, [])
            item["decryption"] = {"partials": sample.merge(used), "decrypted": values}
            for f in item["findings"]:
                f["record"] = values.get(f["d"]) if f["d"] in s.lines else None
        items.append(item)
    last = items[-1]
    return {
        "round": round_number, "audits": items,
        # The latest audit at the top level, as earlier bundles had it.
        "seed": last["seed"], "risk_limit": last["risk_limit"], "papers": last["papers"], "status": last["status"],
        "draws": last["draws"], "findings": last["findings"], "conclusion": last["conclusion"],
    }


def box_paper_counts(db: Session, election: Election, number: int) -> dict[str, int]:
    """Records per box: what the manifest form shows beside each box, for the scrutineers
    to compare with what they count (never a default for their count); every box of the
    manifest (``manifest_boxes``), empty ones too."""
    counts = Counter(b for _, b, _ in records_of(db, election, number))
    return {b: counts.get(b, 0) for b in manifest_boxes(db, election, number)}
