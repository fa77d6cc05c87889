"""Counting (唱票、计票、监票): one record per paper, keyed by D only; reconciliation of
boxes, second entries and the hand tally board; the running tally; the result of a round.

Records carry no receipt, voter, desk or time: AuditCode(D) gets state `counted`, the
box and the marks. Events say which box a paper went into, never its D or its marks.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..db import begin_write, rows_changed
from ..errors import UserError
from ..ledger.events import record_event
from ..models import (
    AuditCode,
    BallotBox,
    Election,
    PrintBatch,
    Resident,
    RoundResult,
    SecondEntry,
)
from ..polling.merge import refuse_mobile
from ..polling.turnout import close_before_counting
from ..protocol import event_kinds as ek
from ..protocol.codes import CodeError, audit_hash, parse_audit_qr
from ..roll.register import voters_query
from ..rounds import Line, check_open, lines_of, round_of
from ..rules.rulebook import Rulebook
from ..rules.tally_types import MOTION_POST, QUESTION_ROUNDS, PostSpec
from ..settings import box_keys, box_of, post_specs_of, rulebook_of
from . import sealing

CHOICES = {"1": "approve", "○": "approve", "2": "oppose", "×": "oppose", "0": "", "": "", "空": ""}


@dataclass(frozen=True)
class Ballot:
    """What a counter sees for a round: its posts in order, each with its candidates."""

    number: int
    kind: str
    posts: list[tuple[PostSpec, list[Line]]]


def check_records_open(db: Session, election: Election, number: int) -> None:
    """Refuse changing a round's records once its result is published: only a recorded
    correction (counting.result.reopen_result) re-opens the result, which is then
    published again (docs/AUDIT.md, commitment)."""

    if db.scalar(select(RoundResult.id).where(RoundResult.election_id == election.id,
                                              RoundResult.round_number == number)) is not None:
        raise UserError(f"第 {number} 轮结果已公布，计票记录不能再更改；确需更正的，须由选举委员会登记更正、"
                        "重新开启并重新公布该轮结果")


def ballot_of(db: Session, election: Election, number: int) -> Ballot:
    rnd = round_of(db, election, number)
    # A meeting's motion (kind "motion") is no post of the election: its one section is MOTION_POST.
    known = [MOTION_POST] if rnd.kind == "motion" else post_specs_of(election)
    specs = {p.key: p for p in known if p.key in rnd.posts}
    # Every section's lines with their names in one statement (rounds.lines_of).
    lines = lines_of(db, election, rnd)
    posts = []
    for key, spec in specs.items():
        info = rnd.posts[key]
        spec = PostSpec(spec.key, spec.body, spec.title, int(info.get("seats", spec.seats)), spec.rank,
                        "plurality" if rnd.kind == "revote" else spec.threshold, int(info.get("reserved_woman_seats", 0)))
        posts.append((spec, lines.get(key, [])))
    return Ballot(rnd.number, rnd.kind, posts)


def boxes_of(db: Session, election: Election) -> list[BallotBox]:
    return list(db.scalars(select(BallotBox).where(BallotBox.election_id == election.id).order_by(BallotBox.id)))


# ---------------------------------------------------------------------- marks

def match_write_in(db: Session, election: Election, text: str, post_name: str) -> str:
    """A write-in name (or 姓名#选民编号) matched against registered voters -> person id."""
    raw = text.strip()
    name, _, number = raw.partition("#")
    query = voters_query(election).where(Resident.name == name.strip())
    if number.strip():
        if not number.strip().isdigit():
            raise UserError(f"{post_name}另选他人“{raw}”：# 后须为选民编号（数字）")
        query = query.where(Resident.voter_number == int(number))
    found = list(db.scalars(query))
    if not found:
        raise UserError(f"{post_name}另选他人“{raw}”不是登记选民，请核对姓名；无法确定的请标记“无法辨认”")
    if len(found) > 1:
        numbers = "、".join(str(r.voter_number) for r in found)
        raise UserError(f"{post_name}另选他人“{raw}”有 {len(found)} 名同名选民（选民编号 {numbers}），请写成“姓名#选民编号”")
    return str(found[0].id)


def marks_from_entry(db: Session, election: Election, ballot: Ballot, fields: dict[str, str]) -> dict:
    """Turn the entry form (m-<post>-<candidate id>: 1/2/0, w-<post>: names, u-<post>: on)
    into the record's marks: {post: {approve, oppose, write_ins, unreadable}}."""
    marks: dict = {}
    problems: list[str] = []
    rb = rulebook_of(election)
    # The digits, and the marks the rulebook prints on its papers (mark_approve, mark_oppose).
    choices = {**CHOICES, rb.mark_approve: "approve", rb.mark_oppose: "oppose"}
    for spec, candidates in ballot.posts:
        entry: dict = {"approve": [], "oppose": [], "write_ins": [], "unreadable": fields.get(f"u-{spec.key}") in ("on", "1", "true")}
        for c in candidates:
            value = (fields.get(f"m-{spec.key}-{c.id}") or "").strip()
            if value not in choices:
                problems.append(f"{spec.name_zh}“{c.name}”的标记“{value}”无效：1（{rb.mark_approve}）赞成、"
                                f"2（{rb.mark_oppose}）反对、0 弃权")
                continue
            if choices[value]:
                entry[choices[value]].append(c.person)
        for name in (fields.get(f"w-{spec.key}") or "").replace("，", ",").replace("、", ",").split(","):
            if name.strip() and ballot.kind == "revote":
                # The re-vote paper lists the tied only and has no 另选他人 line.
                problems.append(f"{spec.name_zh}另选他人“{name.strip()}”：再次投票只在票数相等的候选人中进行，"
                                "选票没有另选他人栏，不能录入另选他人")
            elif name.strip() and ballot.kind in QUESTION_ROUNDS:
                problems.append(f"另选他人“{name.strip()}”：表决票只对{'被罢免人' if ballot.kind == 'recall' else '表决事项'}"
                                "表示同意、不同意或弃权，没有另选他人栏，不能录入另选他人")
            elif name.strip():
                try:
                    entry["write_ins"].append(match_write_in(db, election, name, spec.name_zh))
                except UserError as error:
                    problems.extend(error.messages)
        marks[spec.key] = entry
    if problems:
        raise UserError(*problems)
    return marks


def d_from_scan(election: Election, scanned: str, typed_d: bool = False, what: str = "扫描内容") -> str:
    """The D of a scanned ballot-body QR (JXA:...). A typed 64-hex D is refused unless
    `typed_d` (the auditor, who may compute D from the code; a wrong D only counts against
    the outcome): a record is taken only from the QR of a paper in hand, so nobody can count
    a paper from a list of hashes (the manifest is public). `what` names the scan in the
    refusal."""
    text = scanned.strip()
    if len(text) == 64 and all(c in "0123456789abcdef" for c in text.lower()):
        if typed_d:
            return text.lower()
        raise UserError("计票只接受扫描选票正面的审计二维码（JXA: 开头），不接受输入的 64 位哈希：请扫描手中的选票")
    try:
        return audit_hash(election.uid, parse_audit_qr(text))
    except CodeError as error:
        raise UserError(f"{what}无法识别：{error}") from None


# ---------------------------------------------------------------------- entry

def _encrypted_line(db: Session, election: Election, box: BallotBox, d_hash: str,
                    marks: dict) -> tuple[str, dict[str, Any]] | None:
    """(box label, papers.jsonl line) of a record about to be entered, when the trustees' key
    exists and the paper is of this election; else None."""
    round_number = db.scalar(select(AuditCode.round_number).where(AuditCode.election_id == election.id,
                                                                 AuditCode.d_hash == d_hash))
    if round_number is None or box.election_id != election.id or sealing.joint_key(db, election) is None:
        return None
    label = box_keys(db, election)[box.id]
    return label, sealing.encrypt_line(db, election, ballot_of(db, election, round_number), d_hash, label, marks)


def record_paper(db: Session, election: Election, box: BallotBox, d_hash: str, marks: dict, counter: str) -> AuditCode:
    """Record one paper exactly once: AuditCode(D) printed -> counted with box and marks.

    Refuses (UserError) an unknown, voided or already counted D; two counters entering the
    same D at once get one record and one refusal (conditional UPDATE under the write lock).
    Once the trustees' key exists the record is encrypted here too, before the write lock is
    taken (about 20 ms of CPU that other counters need not wait for), and kept with it.
    """
    sealed = _encrypted_line(db, election, box, d_hash, marks)
    begin_write(db)
    if box.election_id != election.id:
        raise UserError(f"票箱“{box.label}”不属于本次选举")
    if box.mobile:  # counted only as the fixed station's box it was poured into (polling.merge)
        refuse_mobile(db, election, db.scalar(select(AuditCode.round_number).where(
            AuditCode.election_id == election.id, AuditCode.d_hash == d_hash)) or 1, box)
    done = rows_changed(db.execute(
        update(AuditCode)
        .where(AuditCode.election_id == election.id, AuditCode.d_hash == d_hash, AuditCode.state == "printed")
        .values(state="counted", box_id=box.id, marks=marks)
        .execution_options(synchronize_session=False)
    ))
    if done != 1:
        row = db.get(AuditCode, (election.id, d_hash))
        if row is None:
            raise UserError("此选票的审计码不在本次选举的印制清单中：不得计入，请交选举委员会处理")
        db.refresh(row)
        if row.state == "voided":
            raise UserError("此选票已作废（损毁或未使用），不得计入，请交选举委员会处理")
        raise UserError("此选票已经录入过，不得重复计入，请交选举委员会处理")
    row = db.get_one(AuditCode, (election.id, d_hash))
    db.refresh(row)
    # Encrypted at entry, so the ciphertexts are sealed with the records before any audit seed.
    if sealed is not None:
        sealing.store_line(db, election, row.round_number, d_hash, sealed[0], dict(row.marks or {}), sealed[1])
    if db.scalar(select(AuditCode.d_hash).where(
            AuditCode.election_id == election.id, AuditCode.round_number == row.round_number,
            AuditCode.state == "counted", AuditCode.d_hash != d_hash).limit(1)) is None:
        # The round's first paper: its poll closed in the chain before it (polling.closed).
        close_before_counting(db, election, counter, row.round_number)
    record_event(db, election, ek.COUNTING_PAPER_COUNTED, {"round": row.round_number, "box": box.label}, counter)
    return row


def enter_scanned(db: Session, election: Election, box_id: int, scanned: str, fields: dict[str, str], counter: str,
                  round_number: int | None = None,
                  check_box: Callable[[BallotBox, int], None] | None = None, decision: str = "") -> AuditCode:
    """The entry page's one call: resolve the box and D, read the marks, record the paper.
    ``round_number`` is the round of the entry page: a paper of another round, whose form
    the page did not show, is refused, and so is any paper of a published round.

    Where doubtful papers are decided by the committee (doubtful_by_committee, [P:ZJ]), a
    post marked unreadable is recorded only with the committee's ``decision`` (the web
    layer passes it from a committee member only), written as an event naming the round,
    box and posts — never the paper's D or marks."""
    box = box_of(db, election, box_id)
    d = d_from_scan(election, scanned)
    code = db.get(AuditCode, (election.id, d))
    if code is None:
        raise UserError("此选票的审计码不在本次选举的印制清单中：不得计入，请交选举委员会处理")
    if code.state == "printed":
        if round_number is not None and code.round_number != round_number:
            raise UserError(f"此选票是第 {code.round_number} 轮的选票，请在第 {code.round_number} 轮的录入页面录入")
        check_open(db, election, code.round_number)
        if check_box is not None:
            check_box(box, code.round_number)  # e.g. the entry page's "box mixed" confirmation
    marks = marks_from_entry(db, election, paper_ballot(db, election, code), fields)
    doubtful = sorted(k for k, m in marks.items() if m.get("unreadable"))
    by_committee = doubtful and rulebook_of(election).doubtful_by_committee
    if by_committee and not decision.strip():
        raise UserError(f"本选举规则规定无法辨认（存疑）的选票由选举委员会认定（{Rulebook.label('doubtful_by_committee')}）："
                        "请将此票交选举委员会，由委员会成员录入并填写认定说明")
    row = record_paper(db, election, box, d, marks, counter)
    if by_committee:
        record_event(db, election, ek.COUNTING_DOUBTFUL_PAPER_DECIDED, {"round": row.round_number, "box": box.label, "posts": doubtful},
                     counter, decision.strip())
    return row


def paper_ballot(db: Session, election: Election, code: AuditCode) -> Ballot:
    """The posts printed on this paper: the whole round's, or with separate papers per body
    (paper_layout "per_body") only its body's, known from the print batch it came from —
    the other body's fields of the entry form are not read for it."""
    ballot = ballot_of(db, election, code.round_number)
    body = db.scalar(select(PrintBatch.body).where(PrintBatch.election_id == election.id,
                                                   PrintBatch.round_number == code.round_number,
                                                   PrintBatch.batch == code.batch))
    if not body:
        return ballot
    return Ballot(ballot.number, ballot.kind, [(spec, rows) for spec, rows in ballot.posts if spec.body == body])


ALREADY_SECOND = "此选票已复核录入过，不得重复复核录入"


def second_entry(db: Session, election: Election, scanned: str, fields: dict[str, str], counter: str,
                 round_number: int | None = None) -> SecondEntry:
    """An independent re-entry of a counted paper by a second counter (keyed by D), on the
    second-entry page of the paper's round."""
    d = d_from_scan(election, scanned)
    code = db.get(AuditCode, (election.id, d))
    if code is None or code.state != "counted":
        raise UserError("此选票尚未录入（或不在本次选举的印制清单中），不能复核")
    if round_number is not None and code.round_number != round_number:
        raise UserError(f"此选票是第 {code.round_number} 轮的选票，请在第 {code.round_number} 轮的复核录入页面录入")
    check_records_open(db, election, code.round_number)
    marks = marks_from_entry(db, election, paper_ballot(db, election, code), fields)
    begin_write(db)
    # Lock the paper's record first, then look: a second counter entering the same paper
    # at once waits here and then sees the first one's entry (PostgreSQL read committed).
    db.execute(select(AuditCode.d_hash).where(AuditCode.election_id == election.id, AuditCode.d_hash == d)
               .with_for_update())
    if db.scalar(select(SecondEntry.d_hash).where(SecondEntry.election_id == election.id, SecondEntry.d_hash == d)):
        raise UserError(ALREADY_SECOND)
    row = SecondEntry(election_id=election.id, d_hash=d, round_number=code.round_number, marks=marks, counter=counter)
    db.add(row)
    try:
        db.flush()  # the primary key (election, D) is the last guard
    except IntegrityError:
        db.rollback()
        raise UserError(ALREADY_SECOND) from None
    record_event(db, election, ek.COUNTING_SECOND_ENTRY_RECORDED, {"round": code.round_number}, counter)
    return row


def _same(a: dict | None, b: dict | None) -> bool:
    def norm(m):
        return {k: (sorted(v.get("approve", [])), sorted(v.get("oppose", [])), sorted(v.get("write_ins", [])),
                    bool(v.get("unreadable"))) for k, v in (m or {}).items()}
    return norm(a) == norm(b)


def mismatches(db: Session, election: Election, round_number: int) -> list[tuple[str, dict, dict]]:
    """Second entries that differ from the record and are not resolved: (D, first, second)."""
    rows = db.execute(
        select(SecondEntry, AuditCode.marks)
        .join(AuditCode, (AuditCode.election_id == SecondEntry.election_id) & (AuditCode.d_hash == SecondEntry.d_hash))
        .where(SecondEntry.election_id == election.id, SecondEntry.round_number == round_number)
        .order_by(SecondEntry.d_hash)
    ).all()
    return [(s.d_hash, marks, s.marks) for s, marks in rows if not s.resolution and not _same(marks, s.marks)]


def described_mismatches(db: Session, election: Election, round_number: int
                          ) -> tuple[list[tuple[str, list[str], list[str]]], dict[str, str]]:
    """The round's unresolved mismatches as the committee reads them against the paper:
    ([(D, first entry's lines, second entry's lines)], {post key: post name})."""
    pairs = mismatches(db, election, round_number)
    ids = {int(pid) for _, a, b in pairs for m in (a or {}, b) for v in m.values()
           for key in ("approve", "oppose", "write_ins") for pid in v.get(key, [])}
    names = {str(r.id): r.name for r in db.scalars(
        select(Resident).where(Resident.election_id == election.id, Resident.id.in_(ids)))} if ids else {}
    posts = {spec.key: spec.name_zh for spec, _ in ballot_of(db, election, round_number).posts}
    return [(d, _describe(a, posts, names), _describe(b, posts, names)) for d, a, b in pairs], posts


def _describe(marks: dict | None, posts: dict[str, str], names: dict[str, str]) -> list[str]:
    """A record's marks as lines a committee member reads against the paper."""
    out = []
    for key, label in posts.items():
        m = (marks or {}).get(key, {})
        parts = [f"{word} {'、'.join(names.get(p, p) for p in m.get(field, []))}"
                 for field, word in (("approve", "赞成"), ("oppose", "反对"), ("write_ins", "另选"))
                 if m.get(field)]
        if m.get("unreadable"):
            parts.append("无法辨认")
        out.append(f"{label}：{'；'.join(parts) or '弃权'}")
    return out


def resolve_mismatch(db: Session, election: Election, d_hash: str, keep: str, actor: str, reason: str) -> None:
    """The committee looked at the paper: keep the first or the second entry as the record."""
    if keep not in ("first", "second"):
        raise UserError("须选择以第一次录入或复核录入为准")
    if not reason.strip():
        raise UserError("请写明核对纸质选票的结果（说明）")
    begin_write(db)
    code = db.scalar(select(AuditCode).where(AuditCode.election_id == election.id, AuditCode.d_hash == d_hash)
                     .with_for_update())
    entry = db.scalar(select(SecondEntry).where(SecondEntry.election_id == election.id, SecondEntry.d_hash == d_hash)
                      .with_for_update())
    if entry is None or code is None:
        raise UserError("没有这张选票的复核录入")
    db.refresh(entry)
    if entry.resolution:
        raise UserError("这张选票的两次录入不一致已经处理过，不能再次处理")
    check_records_open(db, election, entry.round_number)
    if keep == "second":
        code.marks = entry.marks
        if code.box_id is not None:
            sealing.seal_record(db, election, ballot_of(db, election, code.round_number), d_hash,
                                box_keys(db, election)[code.box_id], dict(entry.marks or {}))
    entry.resolution = keep
    record_event(db, election, ek.COUNTING_SECOND_ENTRY_RESOLVED, {"round": entry.round_number, "kept": keep}, actor, reason.strip())
    db.flush()
