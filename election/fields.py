"""One rule for every stored text: the length its database column allows and the
characters nobody needs in an election record.

The length of a field is its column's (``String(n)``; ``Text`` columns get TEXT_LIMIT), so
the form, the import and the database can never disagree; `check_text` is the character
rule: no control characters (a line break only where a field is multi-line, i.e. a ``Text``
column), no bidirectional overrides or isolates (U+202A–U+202E, U+2066–U+2069, U+200E/F,
U+061C: they make a name read differently from what is stored), no lone surrogates or
non-characters. `guard` installs a ``before_flush`` check on every session: whatever a
service forgot, a value that breaks the rule is refused with a Chinese message naming the
field, the same on SQLite (which would store it) and PostgreSQL (which would fail with a
500). Forms use `length_of` and `TextRule` for the same limits up front.
"""
from __future__ import annotations

import unicodedata

from sqlalchemy import String, Text, event
from sqlalchemy.orm import Session

from .errors import UserError

TEXT_LIMIT = 4000  # a Text column (explanations, notes, complaints): a long page, not a book
BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
ALLOWED_CONTROLS_MULTILINE = frozenset("\n\r\t")

# What the committee calls a field, by table and column; others are named by the column.
LABELS = {
    "election.title": "选举名称", "community.name": "社区名称", "community.street_office": "街道办事处",
    "polling_station.name": "投票站名称", "ballot_box.label": "票箱名称",
    "household.number": "户号", "household.building": "楼栋", "household.unit": "单元", "household.room": "室号",
    "household.group_name": "居民小组", "resident.name": "姓名", "resident.notes": "备注",
    "resident.group_name": "居民小组", "resident.phone_masked": "电话", "app_user.display_name": "显示名称",
    "app_user.username": "用户名", "complaint.text": "申诉内容", "complaint.contact": "联系方式",
    # What the committee types on the other forms (a walk of the demo met "“title”最多 200 个字符").
    "desk.name": "发票台名称", "election.notes": "备注", "complaint.answer": "答复",
    "meeting.title": "会议名称", "meeting.agenda": "会议议题", "meeting.place": "会议地点", "meeting.group_name": "居民小组",
    "meeting_decision.motion": "表决事项", "meeting_vote.motion": "表决事项", "polling_station.handover_signed_by": "签收人",
    "count_filing.rejected_reason": "驳回理由", "count_tally_board.explanation": "说明", "count_box_explanation.text": "说明",
    "count_second_entry.resolution": "处理结果", "reconciliation_note.explanation": "说明", "rep_area.explanation": "说明",
    "rep_area.group_name": "居民小组", "selection_meeting.group_name": "居民小组", "group_leader.group_name": "居民小组",
    "candidate.education": "学历", "candidate.current_job": "现任职务", "candidate.biography": "简介",
    "committee_entry.label": "姓名", "committee_entry.withdrawn_reason": "退出理由", "household_rep.designation": "书面委托",
    "mandate_end.reason": "原因", "mandate_end.note": "说明", "mobile_box_voter.reason": "原因", "issuance.note": "备注",
    "recall.reasons": "罢免理由", "recall.defence": "申辩意见", "roll_application.recommendation": "推荐意见",
    "roll_application.reasons": "理由", "roll_objection.objector": "异议人", "roll_objection.text": "异议内容",
    "roll_objection.decision": "处理决定", "resident.status_basis": "依据", "nomination.evidence": "依据",
    "nomination.confirmed_note": "审核意见", "nomination.rejected_reason": "驳回理由", "scan_batch.label": "批次名称",
    "scan_paper.entered_note": "说明", "election_event.reason": "理由", "rla_audit.seed": "随机种子",
}


def check_text(value: str, label: str, limit: int | None, multiline: bool = False) -> str | None:
    """The Chinese reason ``value`` breaks the rule for field ``label``, or None."""
    if limit is not None and len(value) > limit:
        return f"“{label}”最多 {limit} 个字符，填写的有 {len(value)} 个"
    if value.isprintable():  # the common case, checked in C: no Cc, Cf, Cs, Cn, Zl, Zp
        return None
    for position, ch in enumerate(value, start=1):
        if ch in BIDI:
            return f"“{label}”第 {position} 个字符是文字方向控制符（U+{ord(ch):04X}），会使显示与实际内容不符，不允许使用"
        category = unicodedata.category(ch)
        if category == "Cc" and not (multiline and ch in ALLOWED_CONTROLS_MULTILINE):
            return f"“{label}”第 {position} 个字符是控制字符（U+{ord(ch):04X}），不允许使用"
        if category == "Cs" or (category == "Cn" and (0xFDD0 <= ord(ch) <= 0xFDEF or (ord(ch) & 0xFFFE) == 0xFFFE)):
            return f"“{label}”第 {position} 个字符（U+{ord(ch):04X}）不是有效的文字"
    return None


def length_of(attribute) -> int:
    """The length a model attribute's column allows (forms: ``Length(max=length_of(X.y))``)."""
    column_type = attribute.property.columns[0].type
    return getattr(column_type, "length", None) or TEXT_LIMIT


class TextRule:
    """A WTForms validator applying `check_text` with the column's length."""

    def __init__(self, attribute, multiline: bool = False) -> None:
        self.limit = length_of(attribute)
        self.multiline = multiline

    def __call__(self, form, field) -> None:
        from wtforms.validators import ValidationError

        problem = check_text(field.data or "", str(field.label.text), self.limit, self.multiline)
        if problem:
            raise ValidationError(problem)


def _problems(session: Session) -> list[str]:
    out = []
    for obj in list(session.new) + list(session.dirty):
        table = getattr(obj, "__table__", None)
        if table is None:
            continue
        for column in table.columns:
            if not isinstance(column.type, (String, Text)):
                continue
            key = column.key
            value = obj.__dict__.get(key)
            if not isinstance(value, str) or not value:
                continue
            # A textarea's line breaks may sit in a String column too (reasons, notes): the
            # store accepts them; single-line form fields refuse them through TextRule.
            multiline = True
            limit = getattr(column.type, "length", None) or TEXT_LIMIT
            label = LABELS.get(f"{table.name}.{column.name}", column.name)
            problem = check_text(value, label, limit, multiline)
            if problem:
                out.append(problem)
    return out


def guard() -> None:
    """Check every new or changed row's text before any flush, on every session."""
    if getattr(guard, "installed", False):
        return

    @event.listens_for(Session, "before_flush")
    def _before_flush(session: Session, _context, _instances) -> None:
        problems = _problems(session)
        if problems:
            raise UserError(*problems)

    guard.installed = True  # type: ignore[attr-defined]
