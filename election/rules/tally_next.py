"""What the round after a result holds (RULES.md "Winning": tie at the last seat, run-off,
woman member, vacancies): pure functions the tally calls once the seats are decided.

- Ties are re-voted first. A result with ties makes a re-vote round of the tied only; its
  run-offs are held (`HeldRunoff`), because who the re-vote elects changes who may stand.
- After the re-vote, the held run-offs take their candidates from the same ranking, leaving
  out everyone elected by then; the woman member's seat is kept only if still no woman is
  elected to the 居委会.
- The needs of one post make one section of the paper: seats add up, women-only seats
  become the post's reserved seats (定位), candidates are listed once.
- A need nobody may stand for is left off the paper with a Chinese reason: the committee
  must nominate first. With nothing left to vote on, no round follows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from election.rules.tally_decide import take_pool
from election.rules.tally_types import HeldRunoff, NextSection, RunoffNeed, Tie


def resolve(held: Sequence[HeldRunoff], elected: set[str], woman_needed: bool, extra: int) -> list[RunoffNeed]:
    """The run-offs of held needs now that ``elected`` are elected: each takes the first
    seats + ``extra`` of its ranking who are not elected (more when tied at the cut).

    With ``woman_needed`` the woman member's seat (`woman_seat`) is one of the post's general
    run-off seats, or, when the post has none, one more seat; without it the seat is dropped."""
    seat = next((h for h in held if h.woman_seat), None) if woman_needed else None
    out: list[RunoffNeed] = []
    converted = False
    for h in held:
        if h.woman_seat:
            continue
        seats = h.seats
        if seat is not None and not converted and h.post == seat.post and not h.women_only:
            seats -= 1
            converted = True
        if seats > 0:
            out.append(RunoffNeed(h.post, seats, _pool(h, elected, seats + extra), h.women_only))
    if seat is not None:
        out.append(RunoffNeed(seat.post, 1, _pool(seat, elected, 1 + extra), True))
    return out


def _pool(h: HeldRunoff, elected: set[str], n: int) -> tuple[str, ...]:
    return tuple(take_pool([(r.person_id, r.votes) for r in h.ranked if r.person_id not in elected], n))


def merge(needs: Iterable[RunoffNeed | Tie], order: Sequence[str], votes: dict[str, int]) -> tuple[NextSection, ...]:
    """One section per post, in ``order`` (then first appearance): seats add up, women-only
    seats are the post's reserved seats, candidates listed once by votes (``votes``)."""
    seats: dict[str, int] = {}
    reserved: dict[str, int] = {}
    people: dict[str, list[str]] = {}
    for n in needs:
        if isinstance(n, Tie):
            post, count, women, who = n.post, n.seats, n.women_only, n.person_ids
        else:
            post, count, women, who = n.post, n.seats, n.women_only, n.candidates
        seats[post] = seats.get(post, 0) + count
        reserved[post] = reserved.get(post, 0) + (count if women else 0)
        listed = people.setdefault(post, [])
        listed += [p for p in who if p not in listed]
    rank = {k: i for i, k in enumerate(order)}
    keys = sorted(seats, key=lambda k: rank.get(k, len(rank)))
    return tuple(
        NextSection(k, seats[k], reserved[k],
                    tuple(sorted(people[k], key=lambda p: (-votes.get(p, 0), people[k].index(p)))))
        for k in keys
    )


def describe(needs: Sequence[RunoffNeed], extra: int, post_name: Callable[[str], str],
             nm: Callable[[str], str]) -> list[str]:
    """A sentence per run-off: seats, how many candidates the rule wants, who they are, and
    what the committee must do when too few may stand."""
    lines = []
    for n in needs:
        want = n.seats + extra
        names = "、".join(nm(p) for p in n.candidates) or "无"
        if n.women_only:
            line = (f"{post_name(n.post)}另行选举妇女委员定位 {n.seats} 名，按得票多少确定女性候选人 {want} 名"
                    f"（名额加 {extra}）：{names}。")
        else:
            line = (f"{post_name(n.post)}尚缺 {n.seats} 名，按得票多少确定另行选举候选人 {want} 名"
                    f"（所缺名额加 {extra}）：{names}。")
        if not n.candidates:
            line += "没有可列入的候选人，这一名额不列入下一轮选票，须由选举委员会另行提名候选人后再行选举。"
        elif len(n.candidates) < want:
            line += f"可列入者不足 {want} 人，须另行提名补足候选人。"
        lines.append(line)
    return lines
