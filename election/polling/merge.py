"""Pouring a mobile box (流动票箱) into a box of a fixed station before counting.

A mobile box serves few voters and the list of them is published (RULES.md "mobile ballot
box"), so its papers counted as a box of their own would show those voters' marks on the
live tally, in ``counting.paper_counted`` and in the records. The usual practice: at the
close of poll, once the mobile box's stubs and hourly counts are reconciled as its own, its
papers are poured into a box of a fixed station and mixed with them, and counted as that
box's (与中心投票站票箱的选票混合后统一计票). ``counting.box_merged`` records it (round, the
mobile box, the box it went into, by their bundle keys); from then on the records of both
boxes are the receiving box's, while the mobile box keeps its own stubs (deposits.json, the
receipt page's proof). Counting never starts on a mobile box not poured (counting.mixing).
"""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..db import begin_write
from ..errors import UserError
from ..ledger.events import record_event
from ..models import AuditCode, BallotBox, Election, ElectionEvent, Receipt
from ..protocol import event_kinds as ek
from ..rounds import check_open
from ..settings import box_keys, box_of

KIND = ek.COUNTING_BOX_MERGED

MAX_WITNESS_NAMES = 120  # characters: the scrutineers' names as they sign a step of the count


def witness_names(witnesses: str, who: str) -> str:
    """The scrutineers' names typed for a step they witnessed (pouring a mobile box, mixing a
    box's papers), stripped; refused when empty or longer than MAX_WITNESS_NAMES. ``who`` says
    what they witnessed, as the refusal asks for them."""
    names = witnesses.strip()
    if not names:
        raise UserError(f"请填写{who}监票人姓名（字段“监票人”）")
    if len(names) > MAX_WITNESS_NAMES:
        raise UserError(f"监票人姓名共 {len(names)} 个字，不能超过 {MAX_WITNESS_NAMES} 个字")
    return names


def merged_into(db: Session, election: Election, round_number: int) -> dict[int, int]:
    """Mobile box id -> the id of the box it was poured into, for a round."""
    ids = {key: box_id for box_id, key in box_keys(db, election).items()}
    payloads = db.scalars(select(ElectionEvent.payload).where(ElectionEvent.election_id == election.id,
                                                              ElectionEvent.kind == KIND))
    return {ids[p["box"]]: ids[p["into"]] for p in payloads
            if int(p.get("round", 1)) == round_number and p.get("box") in ids and p.get("into") in ids}


def record_box(db: Session, election: Election, round_number: int, box_id: int) -> int:
    """The box whose records hold a box's papers: the box it was poured into, or itself."""
    return merged_into(db, election, round_number).get(box_id, box_id)


def refuse_mobile(db: Session, election: Election, round_number: int, box: BallotBox) -> None:
    """A mobile box is not mixed or counted on its own (its few voters are public): refused
    with the box its papers went into, or, not yet poured, with the rule."""
    if not box.mobile:
        return
    into = merged_into(db, election, round_number).get(box.id)
    if into is not None:
        target = db.get_one(BallotBox, into)
        raise UserError(f"流动票箱“{box.label}”的选票已倒入票箱“{target.label}”，请在票箱“{target.label}”下混合、录入")
    raise UserError(f"流动票箱“{box.label}”不能单独计票：其选民名单是公开的，单独计票会暴露这几位选民的投票。"
                    f"请先在选票清点页将它的选票倒入本投票站的一个票箱，与其选票混合后统一计票")


def _hours_unrecorded(db: Session, election: Election, round_number: int, box: BallotBox) -> list[str]:
    """The hours in which the box took stubs whose count (polling.deposit_hour_recorded) is
    not yet in the chain: the box's own deposits must be on record before it is poured."""
    hours = set(db.scalars(select(Receipt.deposited_hour).where(
        Receipt.election_id == election.id, Receipt.round_number == round_number, Receipt.box_id == box.id,
        Receipt.state == "deposited", Receipt.deposited_hour.is_not(None)).distinct()))
    recorded = {p.get("hour") for p in db.scalars(select(ElectionEvent.payload).where(
        ElectionEvent.election_id == election.id, ElectionEvent.kind == ek.POLLING_DEPOSIT_HOUR_RECORDED))
        if p.get("box") == box.label and int(p.get("round", 1)) == round_number}
    return sorted(h for h in hours - recorded if h is not None)


def merge_mobile_box(db: Session, election: Election, round_number: int, box_id: int, into_id: int,
                     witnesses: str, actor: str) -> None:
    """Record that the named scrutineers poured the mobile box ``box_id`` into the fixed
    station's box ``into_id`` and mixed the papers. Refused: a box that is not mobile, a
    receiving box that is, a box poured already, a round whose counting began (a record
    exists) or whose result is out, and a mobile box whose hourly deposits are not all
    recorded yet (its stubs are reconciled as its own box first). The caller commits."""
    names = witness_names(witnesses, "见证将流动票箱倒入投票站票箱并混合选票的")
    begin_write(db)
    box, into = box_of(db, election, box_id), box_of(db, election, into_id)
    check_open(db, election, round_number)
    if not box.mobile:
        raise UserError(f"票箱“{box.label}”不是流动票箱：只有流动票箱倒入投票站的票箱后统一计票")
    if into.mobile:
        raise UserError(f"票箱“{into.label}”是流动票箱：流动票箱的选票须倒入固定投票站的票箱，与其选票混合后统一计票")
    if box_id in merged_into(db, election, round_number):
        raise UserError(f"流动票箱“{box.label}”第 {round_number} 轮的选票已倒入其他票箱，不能再次倒入")
    missing = _hours_unrecorded(db, election, round_number, box)
    if missing:
        raise UserError(f"流动票箱“{box.label}”有 {len(missing)} 个小时（{missing[0]} 起）的投入数还没有记入选举记录：请先在选票清点页"
                        "闭票（记录全部小时），以它自己的存根核对过后再倒入投票站的票箱")
    counted = db.scalar(select(func.count()).select_from(AuditCode).where(
        AuditCode.election_id == election.id, AuditCode.round_number == round_number, AuditCode.state == "counted"))
    if counted:
        raise UserError(f"第 {round_number} 轮已开始计票（已录入 {counted} 张选票）：流动票箱须在计票开始前倒入投票站的票箱")
    keys = box_keys(db, election)
    record_event(db, election, KIND, {"round": round_number, "box": keys[box.id], "into": keys[into.id]}, actor,
                 f"监票人：{names}")
