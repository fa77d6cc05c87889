"""Validity of selection meetings and quorum of residents' / representatives' meetings.

RULES.md: 居民小组长 and 居民代表 (household method) are chosen at a meeting that is valid
when MORE than half of those entitled take part (exactly half is refused); most votes
wins; a tie for the last seat means a re-vote [seed 江苏 §8-9]. 居民会议: quorum more than
half, decision more than half of those present [L2018 art.9-10]. 居民代表会议: quorum more
than half, decision more than two thirds of those present [长春 seed]. Every threshold is an
argument (numerator, denominator), "more than" is strict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SelectionResult:
    valid: bool
    winners: list[str]
    tied: list[str]
    revote_needed: bool
    messages: list[str] = field(default_factory=list)


def more_than(part: int, whole: int, num: int = 1, den: int = 2) -> bool:
    """part > whole * num/den, in integers (no rounding)."""
    return part * den > whole * num


def _ranked(votes: Mapping[str, int]) -> list[tuple[str, int]]:
    return sorted(votes.items(), key=lambda kv: -kv[1])


def select(
    *,
    what: str,
    entitled: int,
    present: int,
    votes: Mapping[str, int],
    seats: int = 1,
    quorum: tuple[int, int] = (1, 2),
) -> SelectionResult:
    """A 居民代表 / 居民小组长 selection: valid when more than quorum of `entitled` take part;
    the `seats` with most votes win; a tie across the last seat asks for a re-vote."""
    msgs: list[str] = []
    if present > entitled:
        return SelectionResult(False, [], [], False, [f"{what}：参加人数{present}超过应参加人数{entitled}，请核对"])
    if not more_than(present, entitled, *quorum):
        need = entitled * quorum[0] // quorum[1] + 1
        return SelectionResult(
            False, [], [], False,
            [f"{what}：应参加{entitled}，实际参加{present}，未超过{quorum[0]}/{quorum[1]}（至少需{need}），推选无效"],
        )
    ranked = [(n, v) for n, v in _ranked(votes) if v > 0]
    if not ranked:
        return SelectionResult(True, [], [], True, [f"{what}：无人得票，须重新推选"])
    if len(ranked) <= seats:
        winners = [n for n, _ in ranked]
        msgs.append(f"{what}：应参加{entitled}，实际参加{present}，推选有效；当选：" + "、".join(f"{n}（{v}票）" for n, v in ranked))
        return SelectionResult(True, winners, [], len(winners) < seats, msgs)
    cut = ranked[seats - 1][1]
    above = [n for n, v in ranked if v > cut]
    at_cut = [n for n, v in ranked if v == cut]
    if len(above) + len(at_cut) == seats:
        winners = above + at_cut
        msgs.append(
            f"{what}：应参加{entitled}，实际参加{present}，推选有效；得票最多者当选："
            + "、".join(f"{n}（{votes[n]}票）" for n in winners)
        )
        return SelectionResult(True, winners, [], False, msgs)
    msgs.append(
        f"{what}：" + "、".join(at_cut) + f"得票相等（均为{cut}票），争{seats - len(above)}个名额，须就得票相等者重新投票"
    )
    return SelectionResult(True, above, at_cut, True, msgs)


def representative_selection(area_households: int, households_present: int, votes: Mapping[str, int]) -> SelectionResult:
    """居民代表 by the household method: each household of the area has one voice."""
    return select(what="推选居民代表", entitled=area_households, present=households_present, votes=votes)


def group_leader_selection(group_entitled: int, present: int, votes: Mapping[str, int]) -> SelectionResult:
    """居民小组长: group voters (or household representatives) of the 居民小组."""
    return select(what="推选居民小组长", entitled=group_entitled, present=present, votes=votes)


@dataclass(frozen=True)
class MeetingCheck:
    quorate: bool
    adopted: bool | None
    message: str


def meeting_decision(
    *,
    what: str,
    members: int,
    present: int,
    in_favour: int | None = None,
    quorum: tuple[int, int] = (1, 2),
    majority: tuple[int, int] = (1, 2),
) -> MeetingCheck:
    """Quorum (more than quorum of members) and decision (more than majority of those present)."""
    if not more_than(present, members, *quorum):
        return MeetingCheck(False, None, f"{what}：应到{members}，实到{present}，未超过{quorum[0]}/{quorum[1]}，会议不能举行")
    if in_favour is None:
        return MeetingCheck(True, None, f"{what}：应到{members}，实到{present}，符合法定人数")
    ok = more_than(in_favour, present, *majority)
    verdict = "通过" if ok else "未通过"
    return MeetingCheck(
        True, ok, f"{what}：实到{present}，赞成{in_favour}，{'超过' if ok else '未超过'}到会人数的{majority[0]}/{majority[1]}，决定{verdict}"
    )


def residents_meeting(members: int, present: int, in_favour: int | None = None) -> MeetingCheck:
    """居民会议 [L2018 art.9-10]: quorum > 1/2, decision > 1/2 of those present."""
    return meeting_decision(what="居民会议", members=members, present=present, in_favour=in_favour)


def representatives_meeting(
    members: int, present: int, in_favour: int | None = None,
    quorum: tuple[int, int] = (1, 2), majority: tuple[int, int] = (2, 3),
) -> MeetingCheck:
    """居民代表会议 [长春 seed]: quorum > 1/2 of representatives, decision > 2/3 of those present."""
    return meeting_decision(what="居民代表会议", members=members, present=present, in_favour=in_favour, quorum=quorum, majority=majority)
