"""Seat decisions of the tally: thresholds, filling seats, ties, set-asides.

Pure functions over the counted votes (tally_count.py). Thresholds are exact integers
derived with Fractions: "more than half" of R papers is R*1/2 rounded down plus one vote,
"at least one third" is R*1/3 rounded up.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from election.rules.rulebook import Rulebook
from election.rules.tally_types import PostSpec, Tie

Ranking = list[tuple[str, int]]


@dataclass(frozen=True)
class Threshold:
    rule: str  # majority | plurality | runoff
    base: int
    fraction: Fraction | None
    min_votes: int

    def describe(self) -> str:
        if self.rule == "majority" and self.fraction is not None:
            return (
                f"当选须得票超过参加投票选民数（收回选票 {self.base} 张）的 "
                f"{self.fraction.numerator}/{self.fraction.denominator}，即至少 {self.min_votes} 票"
            )
        if self.rule == "runoff" and self.fraction is not None:
            return (
                f"另行选举以得票多者当选，但得票不得少于本轮选票 {self.base} 张的 "
                f"{self.fraction.numerator}/{self.fraction.denominator}，即至少 {self.min_votes} 票"
            )
        return "以得票多者当选（至少 1 票）"


def threshold_for(post: PostSpec, round_kind: str, rb: Rulebook, returned: int) -> Threshold:
    """The threshold of one post in one round; the denominator is every paper returned."""
    if round_kind == "runoff":
        f = rb.runoff_floor
        return Threshold("runoff", returned, f, max(1, -(-returned * f.numerator // f.denominator)))
    # A re-vote among the tied: they all met the threshold already; most votes wins.
    if round_kind == "revote" or post.threshold == "plurality":
        return Threshold("plurality", returned, None, 1)
    f = rb.majority_fraction
    return Threshold("majority", returned, f, returned * f.numerator // f.denominator + 1)


@dataclass
class Selection:
    elected: Ranking
    ties: list[Tie] = field(default_factory=list)
    unfilled_general: int = 0
    unfilled_reserved: int = 0
    reserved_women: list[str] = field(default_factory=list)


def _fill(cands: Ranking, n: int) -> tuple[Ranking, Ranking]:
    """Take n from a ranking sorted by votes; a tie across the cut takes none of the tied."""
    if n <= 0 or not cands:
        return [], []
    if len(cands) <= n:
        return list(cands), []
    cut = cands[n - 1][1]
    if cands[n][1] == cut:
        return [c for c in cands if c[1] > cut], [c for c in cands if c[1] == cut]
    return list(cands[:n]), []


def select_post(
    post: PostSpec, ranking: Ranking, min_votes: int, excluded: set[str], female: set[str], held: int
) -> Selection:
    """Fill one post's seats among those at or above min_votes, highest first; reserved
    woman seats (定位选举) are filled first among the women."""
    seats = max(0, post.seats - held)
    q = [(pid, v) for pid, v in ranking if v >= min_votes and pid not in excluded]
    sel = Selection([])
    reserved = min(post.reserved_woman_seats, seats)
    if reserved:
        got, tied = _fill([c for c in q if c[0] in female], reserved)
        tie_seats = 0
        if tied:
            tie_seats = reserved - len(got)
            sel.ties.append(Tie(post.key, tuple(p for p, _ in tied), tied[0][1], tie_seats, True))
        sel.elected += got
        sel.reserved_women = [p for p, _ in got]
        sel.unfilled_reserved = reserved - len(got) - tie_seats
        gone = {p for p, _ in got} | {p for p, _ in tied}
        q = [c for c in q if c[0] not in gone]
    general = seats - reserved
    got, tied = _fill(q, general)
    tie_seats = 0
    if tied:
        tie_seats = general - len(got)
        sel.ties.append(Tie(post.key, tuple(p for p, _ in tied), tied[0][1], tie_seats))
    sel.elected += got
    sel.elected.sort(key=lambda c: (-c[1], c[0]))
    sel.unfilled_general = general - len(got) - tie_seats
    return sel


def relatives_map(relations: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> dict[str, set[str]]:
    rel: dict[str, set[str]] = defaultdict(set)
    for a, b in relations:
        rel[a].add(b)
        rel[b].add(a)
    return rel


def find_relative_conflict(
    elected_at: dict[str, tuple[PostSpec, int]], prior: set[str], rel: dict[str, set[str]]
) -> tuple[str, str, str] | None:
    """First pair of near relatives among those elected, as (kept, other, verdict):
    verdict 'aside' sets the other aside; 'tie' means equal posts and equal votes."""
    order = sorted(elected_at.items(), key=lambda kv: (-kv[1][0].rank, -kv[1][1], kv[0]))
    kept: list[str] = [p for p in prior if p in rel]
    for pid, (post, votes) in order:
        for k in kept:
            if k in rel[pid]:
                if k in prior:
                    return k, pid, "aside"
                kpost, kvotes = elected_at[k]
                if kpost.rank == post.rank and kvotes == votes:
                    return k, pid, "tie"
                return k, pid, "aside"
        kept.append(pid)
    return None


def pool_ranking(ranking: Ranking, zero_vote: list[str], blocked: set[str], women_only: bool,
                 female: set[str]) -> Ranking:
    """Everyone who may stand in a run-off, highest votes first; candidates without a vote last."""
    pool = [(p, v) for p, v in ranking if p not in blocked and (not women_only or p in female)]
    pool += [(p, 0) for p in zero_vote if p not in blocked and p not in {q for q, _ in pool}
             and (not women_only or p in female)]
    return pool


def take_pool(pool: Ranking, n: int) -> list[str]:
    """The first n of a pool ranking (more when tied at the boundary)."""
    if len(pool) <= n:
        return [p for p, _ in pool]
    cut = pool[n - 1][1]
    return [p for p, v in pool if v >= cut]
