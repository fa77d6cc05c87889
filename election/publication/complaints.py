"""Residents' complaints in the window after the announcement (rulebook
complaint_window_days) and the committee's answers, both recorded in the ledger. The
event carries the kind and the text's hash, never the contact, nor any receipt code.

A complaint's text and contact, and the committee's answer (public in the chain), may not
hold a receipt code or a telling part of one (codes.mentions_code): a stored contact beside
a code would pair a resident with a receipt, and an answer would publish it. "查不到我的回执"
is answered from the station and the hour, never from the code."""
from __future__ import annotations

import hashlib
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import begin_write, of_election
from ..errors import UserError
from ..ledger.events import record_event
from ..models import Complaint, Election, utcnow
from ..protocol import event_kinds as ek
from ..protocol.codes import mentions_code
from .published import announced_on, complaint_deadline

KINDS = {"receipt": "查不到回执", "procedure": "选举程序"}


def file_complaint(db: Session, election: Election, kind: str, text: str, contact: str, today: date) -> Complaint:
    """A resident's complaint in the window. The write lock before the first read (begin_write):
    on SQLite a reader that writes at the end fails with "database is locked" when anyone
    committed meanwhile (the public page, filed while the desks and other residents write)."""
    begin_write(db)
    if kind not in KINDS:
        raise UserError(f"申诉类型“{kind}”无效，应为：{'、'.join(KINDS.values())}")
    if not text.strip():
        raise UserError("申诉内容不能为空")
    for field, value in (("申诉内容", text), ("联系方式", contact)):
        if mentions_code(value):
            raise UserError(f"{field}中不能填写回执码（或其中几组）：回执码与申诉、联系方式存在一起，就能把您和您的选票回执"
                            "联系起来。查不到回执时，请写明投票站和大约的投票时间，不要写回执码")
    start, deadline = announced_on(db, election), complaint_deadline(db, election)
    if start is None or deadline is None:
        raise UserError("选举结果尚未公布，申诉期尚未开始")
    if today > deadline:
        raise UserError(f"申诉期已于 {deadline.isoformat()} 结束（规则：结果公布后 {(deadline - start).days} 日内）")
    row = Complaint(election_id=election.id, kind=kind, text=text.strip(), contact=contact.strip())
    db.add(row)
    db.flush()
    record_event(db, election, ek.COMPLAINT_FILED, {
        "complaint": row.id, "kind": kind, "text_sha256": hashlib.sha256(row.text.encode("utf-8")).hexdigest(),
    }, "resident", KINDS[kind], at=today.isoformat())
    return row


def answer_complaint(db: Session, election: Election, complaint_id: int, answer: str, actor: str) -> Complaint:
    """The committee's answer, once. The write lock before the first read, as file_complaint."""
    begin_write(db)
    row = of_election(db, Complaint, complaint_id, election.id, UserError(f"申诉编号 {complaint_id} 不属于本次选举"))
    if row.answered_by:
        raise UserError(f"申诉 {complaint_id} 已于 {row.answered_at:%Y-%m-%d} 答复，不能修改")
    if not answer.strip():
        raise UserError("答复内容不能为空")
    if mentions_code(answer):
        raise UserError(f"对申诉 {complaint_id} 的答复中不能写回执码（或其中几组）：答复公开记入事件记录，"
                        "会把申诉人与其回执联系起来")
    row.answer, row.answered_by, row.answered_at = answer.strip(), actor, utcnow()
    record_event(db, election, ek.COMPLAINT_ANSWERED, {"complaint": row.id, "answer": row.answer}, actor, "选举委员会答复申诉")
    return row


def complaints_of(db: Session, election: Election) -> list[Complaint]:
    return list(db.scalars(select(Complaint).where(Complaint.election_id == election.id).order_by(Complaint.id)))
