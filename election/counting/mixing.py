"""Mixing a box before it is counted (issue 15).

Papers lie in a box in the order they went in, so a box counted as it was opened gives the
counters' entry order (and the records' storage order) the voters' order at the box. Before
a box's first paper is entered, the scrutineers mix its papers and confirm it on the entry
page; the confirmation is an event (round, box, who), and the entry page refuses papers of a
box whose mixing nobody confirmed. A mobile box is never mixed or counted on its own: its
papers are poured into a fixed station's box first (polling.merge) and counted as that box's.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import begin_write
from ..errors import UserError
from ..ledger.events import record_event
from ..models import AuditCode, BallotBox, Election, ElectionEvent
from ..polling.merge import refuse_mobile, witness_names
from ..protocol import event_kinds as ek
from ..settings import box_of
from .service import check_open, enter_scanned

KIND = ek.COUNTING_BOX_MIXED


def mixed_boxes(db: Session, election: Election, round_number: int) -> set[str]:
    """Labels of the boxes whose mixing is confirmed for a round."""
    payloads = db.scalars(select(ElectionEvent.payload).where(ElectionEvent.election_id == election.id,
                                                              ElectionEvent.kind == KIND))
    return {p.get("box") for p in payloads if int(p.get("round", 1)) == round_number}


def confirm_mixed(db: Session, election: Election, round_number: int, box_id: int, witnesses: str, actor: str) -> bool:
    """Record that the named scrutineers mixed the box's papers; False when it was already
    confirmed (nothing written). The caller commits."""
    names = witness_names(witnesses, "确认混合选票的")
    begin_write(db)
    box = box_of(db, election, box_id)
    check_open(db, election, round_number)
    refuse_mobile(db, election, round_number, box)
    if box.label in mixed_boxes(db, election, round_number):
        return False
    record_event(db, election, KIND, {"round": round_number, "box": box.label}, actor, f"监票人：{names}")
    return True


def require_mixed(db: Session, election: Election, round_number: int, box: BallotBox) -> None:
    """Refuse entering a paper of a box not yet confirmed mixed, or of a mobile box."""
    refuse_mobile(db, election, round_number, box)
    if box.label not in mixed_boxes(db, election, round_number):
        raise UserError(f"票箱“{box.label}”的选票尚未确认已混合：开箱后请监票人将选票充分混合（打乱投入的先后顺序），"
                        f"在本页确认后再录入")


def enter_from_mixed_box(db: Session, election: Election, box_id: int | None, scanned: str, fields: dict[str, str],
                         counter: str, round_number: int, decision: str = "") -> AuditCode:
    """The entry page's one call: a paper of a box chosen on the page and confirmed mixed
    (require_mixed) recorded by counting.service.enter_scanned."""
    if box_id is None:
        raise UserError("请先选择票箱")
    return enter_scanned(db, election, box_id, scanned, fields, counter, round_number,
                         check_box=lambda box, rnd: require_mixed(db, election, rnd, box), decision=decision)
