"""Recall (罢免) and the convening of meetings: who may ask, and when a vote stands.

RULES.md "Meetings, recall, by-election" [V]: a recall is proposed by at least 1/5 of the
voters (or 1/3 of the representatives); the vote is valid when MORE than half of the
registered voters vote, and carried when MORE than half of the votes cast agree. A 居民会议
is called on request of at least 1/5 of adult residents or households, or 1/3 of the
居民小组 [L2018 art.9–10]; a 居民代表会议 on request of 1/5 of the representatives [长春].
"At least" is ≥ and "more than" is >, both in integers; every share is a parameter."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from .shares import at_least, more_than, needed_at_least, needed_more_than, share_text


@dataclass(frozen=True)
class Request:
    enough: bool
    needed: int
    message: str


def request(what: str, supporters: int, base: int, share: Fraction) -> Request:
    """A proposal or request signed by ``supporters`` out of ``base`` (each counted once)."""
    if supporters < 0 or base <= 0 or supporters > base:
        raise ValueError(f"{what}: supporters {supporters} of {base}")
    need = needed_at_least(base, share)
    ok = at_least(supporters, base, share)
    verdict = "达到" if ok else "未达到"
    return Request(ok, need, f"{what}：{base} 人中 {supporters} 人联名，{verdict}{share_text(share)}（至少需 {need} 人）")


@dataclass(frozen=True)
class RecallVote:
    valid: bool
    carried: bool
    message: str


def recall_vote(registered: int, voted: int, in_favour: int,
                turnout: Fraction = Fraction(1, 2), approve: Fraction = Fraction(1, 2)) -> RecallVote:
    """The recall vote: valid with more than ``turnout`` of the registered voters voting,
    carried with more than ``approve`` of the votes cast in favour."""
    if not 0 <= in_favour <= voted <= registered:
        raise ValueError(f"recall vote: {in_favour} in favour of {voted} voted of {registered}")
    if not more_than(voted, registered, turnout):
        need = needed_more_than(registered, turnout)
        return RecallVote(False, False, f"罢免投票：登记选民 {registered} 人，投票 {voted} 人，未超过"
                                        f"{share_text(turnout)}（至少需 {need} 人），投票无效")
    carried = more_than(in_favour, voted, approve)
    need = needed_more_than(voted, approve)
    verdict = "罢免通过" if carried else "罢免未通过"
    return RecallVote(True, carried, f"罢免投票：投票 {voted} 人，赞成 {in_favour} 票，"
                                     f"{'超过' if carried else '未超过'}{share_text(approve)}"
                                     f"（至少需 {need} 票），{verdict}")
