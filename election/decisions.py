"""Meeting decisions that an election stage relies on (居民会议、居民代表会议、居民小组会议).

Some stages may act only on a meeting's decision: a non-hukou resident's registration needs
the consent of a 居民会议 or 居民代表会议 where the rulebook asks for it, and the election
committee is chosen by a meeting ([V art.12], [V art.13]). Both look up the adopted
decisions of the right kinds of meeting and check the one the committee cites, so the
lookup and the refusals live here, below roll and representatives, which may not import
each other (nor the meetings service above them).
"""
from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import UserError
from .models import Election, Meeting, MeetingDecision
from .rules.rulebook import Rulebook

Cited = tuple[MeetingDecision, Meeting]


def adopted_decisions(db: Session, election: Election, kinds: Mapping[str, str] | tuple[str, ...]) -> list[Cited]:
    """The adopted decisions of this election's meetings of the given kinds, in the order
    the meetings were held and the decisions numbered."""
    rows = db.execute(select(MeetingDecision, Meeting).join(Meeting, Meeting.id == MeetingDecision.meeting_id).where(
        Meeting.election_id == election.id, Meeting.kind.in_(tuple(kinds)), MeetingDecision.adopted.is_(True),
    ).order_by(Meeting.held_on, Meeting.id, MeetingDecision.number))
    return [(d, m) for d, m in rows]


def rule_named(field: str) -> str:
    """The rulebook setting a refusal rests on, with its source, as messages quote it."""
    return f"{Rulebook.label(field)}，{Rulebook.field_meta(field)['source']}"


def cited_decision(db: Session, election: Election, kinds: Mapping[str, str], decision_id: int | None, *,
                   requirement: str, rule_field: str, purpose: str) -> Cited:
    """The decision the committee cites, among the adopted decisions of ``kinds`` (kind →
    the meeting's Chinese name): refused, naming ``requirement`` and the rulebook setting,
    while there is none, none is cited, or the one cited is not such a decision."""
    rule = rule_named(rule_field)
    found = adopted_decisions(db, election, kinds)
    if not found:
        raise UserError(f"{requirement}（{rule}）：本选举尚无{'或'.join(kinds.values())}通过的决定，"
                        f"请先召开会议并记录{purpose}的决定")
    if decision_id is None:
        raise UserError(f"{requirement}（{rule}）：请选择{purpose}的会议决定")
    chosen = next(((d, m) for d, m in found if d.id == decision_id), None)
    if chosen is None:
        raise UserError(f"所选会议决定不存在、未通过，或不是{'、'.join(kinds.values())}的决定（{rule}）")
    return chosen
