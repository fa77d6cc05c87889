"""Correcting a resident's particulars (name, sex, 居民小组) before the roll is frozen.

A typing mistake or a name the fonts cannot print (roll.glyphs) is corrected here instead of
re-importing (which refuses people already on the roll). Each correction is an event naming
what changed and why; after the roll was published the committee posts a 选民名单更正公告,
which the page offers. After the freeze the roll changes only by recorded decisions
(register.change_status), so a correction is refused; so is one of the name or sex of a
person already published as a candidate, write-in or chosen member once papers were printed
or a result published (the papers carry the name; the seats were decided with that sex): both
verifiers refuse such a correction in the chain (PROTOCOL §9, "published names").
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from ballots.fonts import missing_glyphs

from ..db import begin_write
from ..errors import UserError
from ..ledger.events import as_chain_event, events_of, record_event
from ..models import Election, Resident
from ..protocol import event_kinds as ek
from ..protocol.verify_ctx import CORRECTIONS_CLOSED_BY, published_people
from .glyphs import describe

SEXES = ("男", "女")
MAX_NAME = 50


def edit_resident(db: Session, election: Election, resident: Resident, *, name: str, sex: str, group: str,
                  reason: str, actor: str) -> list[str]:
    """Correct the resident; returns the labels of the fields changed (empty: nothing to do).
    The write lock first (begin_write): the checks read the chain as a reader otherwise, and
    a commit by anyone meanwhile made the correction's write fail ("database is locked")."""
    begin_write(db)
    name, group, reason = name.strip(), group.strip(), reason.strip()
    problems = []
    if election.roll_frozen_at is not None:
        problems.append("选民名单已冻结，不能再更正居民信息；确需变更的，请在本页以选举委员会决定变更登记状态")
    if not name:
        problems.append("“姓名”不能为空")
    elif len(name) > MAX_NAME:
        problems.append(f"“姓名”最多 {MAX_NAME} 个字，收到 {len(name)} 个")
    if sex not in SEXES:
        problems.append("“性别”须为“男”或“女”")
    if not group:
        problems.append("“居民小组”不能为空")
    for label, value in (("姓名", name), ("居民小组", group)):
        missing = missing_glyphs(value)
        if missing:
            problems.append(f"“{label}”“{value}”中的字 {describe(missing)} 打印字体中没有，公告和选民证印不出来；"
                            "请改用通行写法（可在备注中写明原字）")
    if not reason:
        problems.append("请填写更正理由（将记入事件记录）")
    if problems:
        raise UserError(*problems)
    changed = {label: (before, after) for label, before, after in (
        ("姓名", resident.name, name), ("性别", resident.sex, sex), ("居民小组", resident.group_name, group)) if before != after}
    if not changed:
        return []
    if changed.keys() & {"姓名", "性别"}:
        _refuse_after_publication(db, election, resident, [label for label in ("姓名", "性别") if label in changed])
    resident.name, resident.sex, resident.group_name = name, sex, group
    record_event(db, election, ek.ROLL_RESIDENT_CORRECTED,
                 {"resident": resident.id, "id_masked": resident.id_masked,
                  "changed": {label: after for label, (_before, after) in changed.items()}},
                 actor, reason)
    db.flush()
    return list(changed)


def _refuse_after_publication(db: Session, election: Election, resident: Resident, labels: list[str]) -> None:
    """The name or sex of a person the chain has published (verify_ctx.published_people) is
    not corrected after the chain's first roll.frozen, ballots.printed or result.published."""
    events = [as_chain_event(row) for row in events_of(db, election)]
    closed = next((e for e in events if e.kind in CORRECTIONS_CLOSED_BY), None)
    if closed is not None and str(resident.id) in published_people(events):
        what = {ek.ROLL_FROZEN: "选民名单已冻结", ek.BALLOTS_PRINTED: "选票已印制", ek.RESULT_PUBLISHED: "选举结果已公布"}
        raise UserError(f"{resident.name}已作为候选人（或另选他人、推选成员）公布，{what[closed.kind]}，"
                        f"不能再更正其{'、'.join(labels)}；公布的姓名和性别即选票所印、当选所依")
