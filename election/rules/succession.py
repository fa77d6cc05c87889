"""The election committee (居民选举委员会): seating from a selection result and 依次递补.

RULES.md "Election committee": 5-9 members, odd; a member who becomes a candidate withdraws
and the next person of the ORIGINAL selection result, not yet seated, takes the seat
[seed 中办 2010 §14] [V art.12]. When the chair withdraws the committee must choose a new
chair itself: this module never names one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace


class CommitteeError(ValueError):
    """A committee that cannot be formed as asked; Chinese message."""


@dataclass(frozen=True)
class Committee:
    ranking: tuple[tuple[str, int], ...]  # the original selection result, most votes first
    members: tuple[str, ...]
    chair: str | None
    withdrawn: tuple[str, ...] = ()


@dataclass(frozen=True)
class Event:
    kind: str  # "withdrew", "seated", "vacant", "chair_needed"
    person: str | None
    message: str


def form(
    result: Sequence[tuple[str, int]],
    size: int,
    chair: str,
    min_size: int = 5,
    max_size: int = 9,
    odd: bool = True,
) -> Committee:
    """Seat the `size` people with most votes; refuse a tie across the last seat."""
    if not min_size <= size <= max_size or (odd and size % 2 == 0):
        raise CommitteeError(f"选举委员会人数应为{min_size}至{max_size}人{'的单数' if odd else ''}，实际为{size}人")
    ranking = tuple(sorted(result, key=lambda nv: -nv[1]))
    if len(ranking) < size:
        raise CommitteeError(f"推选结果只有{len(ranking)}人，不足选举委员会{size}人")
    if len(ranking) > size and ranking[size - 1][1] == ranking[size][1]:
        tied = [n for n, v in ranking if v == ranking[size - 1][1]]
        raise CommitteeError(f"第{size}名得票相等（{'、'.join(tied)}均为{ranking[size - 1][1]}票），须重新推选")
    members = tuple(n for n, _ in ranking[:size])
    if chair not in members:
        raise CommitteeError(f"主任“{chair}”不是推选产生的选举委员会成员")
    return Committee(ranking=ranking, members=members, chair=chair)


def withdraw(committee: Committee, person: str, reason: str = "被提名为候选人") -> tuple[Committee, list[Event]]:
    """`person` leaves; the next of the original result not yet seated or withdrawn comes in."""
    if person not in committee.members:
        raise CommitteeError(f"“{person}”不是选举委员会现任成员")
    events = [Event("withdrew", person, f"{person}因{reason}，退出选举委员会")]
    members = [m for m in committee.members if m != person]
    withdrawn = committee.withdrawn + (person,)
    successor = next(
        (n for n, _ in committee.ranking if n not in committee.members and n not in withdrawn), None
    )
    if successor is None:
        events.append(Event("vacant", None, "原推选结果中已无可递补人员，选举委员会出缺，须补充推选"))
    else:
        votes = dict(committee.ranking)[successor]
        members.append(successor)
        events.append(Event("seated", successor, f"{successor}按原推选结果得票（{votes}票）依次递补为选举委员会成员"))
    chair = committee.chair
    if person == committee.chair:
        chair = None
        events.append(Event("chair_needed", None, f"主任{person}退出，选举委员会须重新推选主任（系统不代为指定）"))
    return replace(committee, members=tuple(members), chair=chair, withdrawn=withdrawn), events


def choose_chair(committee: Committee, chair: str) -> Committee:
    """Record the chair the committee chose; must be a sitting member."""
    if chair not in committee.members:
        raise CommitteeError(f"“{chair}”不是选举委员会现任成员，不能担任主任")
    return replace(committee, chair=chair)
