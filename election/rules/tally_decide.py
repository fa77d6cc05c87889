"""Seat decisions of the tally: thresholds, filling seats, ties, set-asides.

Pure functions over the counted votes (tally_count.py). Thresholds are exact integers
derived with Fractions: "more than half" of R papers is R*1/2 rounded down plus one vote,
"at least one third" is R*1/3 rounded up.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import combinations
from math import comb

from election.rules.meetings import meeting_rules
from election.rules.rulebook import Rulebook
from election.rules.shares import needed_at_least, needed_more_than, share_text
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
                f"{share_text(self.fraction)}，即至少 {self.min_votes} 票"
            )
        if self.rule == "runoff" and self.fraction is not None:
            return (
                f"另行选举以得票多者当选，但得票不得少于本轮选票 {self.base} 张的 "
                f"{share_text(self.fraction)}，即至少 {self.min_votes} 票"
            )
        if self.rule == "motion" and self.fraction is not None:
            return (
                f"表决事项须获得超过到会人数 {self.base} 人的 "
                f"{share_text(self.fraction)} 赞成，即至少 {self.min_votes} 票"
            )
        if self.rule == "recall" and self.fraction is not None:
            return (
                f"罢免须获得超过投票人数（收回选票 {self.base} 张）的 "
                f"{share_text(self.fraction)} 同意，即至少 {self.min_votes} 票"
            )
        return "以得票多者当选（至少 1 票）"


def threshold_for(post: PostSpec, round_kind: str, rb: Rulebook, returned: int, meeting_kind: str = "") -> Threshold:
    """The threshold of one post in one round; the denominator is every paper returned
    (for a meeting's motion: those present, passed as ``returned``)."""
    if round_kind == "motion":
        # Adopted with more than the meeting's decision share of those present (rules.meetings).
        f = meeting_rules(rb, meeting_kind).decision
        return Threshold("motion", returned, f, needed_more_than(returned, f))
    if round_kind == "recall":
        # Carried with more than recall_approve of the votes cast (rules.question).
        f = rb.recall_approve
        return Threshold("recall", returned, f, needed_more_than(returned, f))
    if round_kind == "runoff":
        f = rb.runoff_floor
        return Threshold("runoff", returned, f, max(1, needed_at_least(returned, f)))
    # A re-vote among the tied: they all met the threshold already; most votes wins.
    if round_kind == "revote" or post.threshold == "plurality":
        return Threshold("plurality", returned, None, 1)
    f = rb.majority_fraction
    return Threshold("majority", returned, f, needed_more_than(returned, f))


@dataclass
class Selection:
    elected: Ranking
    ties: list[Tie] = field(default_factory=list)
    unfilled_general: int = 0
    unfilled_reserved: int = 0
    reserved_women: list[str] = field(default_factory=list)
    # Women tied for a reserved seat who are all elected whichever of them takes it.
    moot_tie: tuple[str, ...] = ()


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
    general = seats - reserved
    if reserved:
        got, tied = _fill([c for c in q if c[0] in female], reserved)
        tie_seats = 0
        if tied:
            tie_seats = reserved - len(got)
            decided = _reserved_tie(post.key, q, got, tied, tie_seats, general)
            if decided is not None:
                sure, ties, unfilled = decided
                sel.elected = sorted(sure, key=lambda c: (-c[1], c[0]))
                sel.ties = ties
                sel.unfilled_general = unfilled
                women = {p for p, _ in tied}
                sel.reserved_women = [p for p, _ in got] + [p for p, _ in sure if p in women]
                if not ties:
                    sel.moot_tie = tuple(p for p, _ in tied)
                return sel
            sel.ties.append(Tie(post.key, tuple(p for p, _ in tied), tied[0][1], tie_seats, True))
        sel.elected += got
        sel.reserved_women = [p for p, _ in got]
        sel.unfilled_reserved = reserved - len(got) - tie_seats
        gone = {p for p, _ in got} | {p for p, _ in tied}
        q = [c for c in q if c[0] not in gone]
    got, tied = _fill(q, general)
    tie_seats = 0
    if tied:
        tie_seats = general - len(got)
        sel.ties.append(Tie(post.key, tuple(p for p, _ in tied), tied[0][1], tie_seats))
    sel.elected += got
    sel.elected.sort(key=lambda c: (-c[1], c[0]))
    sel.unfilled_general = general - len(got) - tie_seats
    return sel


def _reserved_tie(post: str, q: Ranking, got: Ranking, tied: Ranking, tie_seats: int, general: int
                  ) -> tuple[Ranking, list[Tie], int] | None:
    """A tie for reserved seats (定位) decided by trying every way of giving them to the
    tied women: who is elected in every way is elected; a tie that cannot change who is
    elected elects all (no re-vote); otherwise the re-vote is among those elected in some
    ways only, for the seats left, the tied women's seats still reserved.

    Returns (elected, ties, unfilled general seats), or None when there are too many ways
    to try (the plain re-vote of the tied women then decides)."""
    if comb(len(tied), tie_seats) > 64:
        return None
    outcomes: list[set[tuple[str, int]]] = []
    contenders: set[tuple[str, int]] = set()
    unfilled = 0
    for winners in combinations(tied, tie_seats):
        taken = {p for p, _ in got} | {p for p, _ in winners}
        gen, gen_tied = _fill([c for c in q if c[0] not in taken], general)
        this = set(got) | set(winners) | set(gen)
        outcomes.append(this)
        contenders |= this | set(gen_tied)
        gen_tie_seats = general - len(gen) if gen_tied else 0
        unfilled = general - len(gen) - gen_tie_seats
    sure = set.intersection(*outcomes)
    if contenders == sure:
        return sorted(sure), [], unfilled
    seats_left = len(got) + tie_seats + general - len(sure) - unfilled
    rest = sorted(contenders - sure, key=lambda c: (-c[1], c[0]))
    ties = [Tie(post, tuple(p for p, _ in tied), tied[0][1], tie_seats, True)]
    if seats_left > tie_seats:
        ties.append(Tie(post, tuple(p for p, _ in rest), tied[0][1], seats_left - tie_seats))
    return sorted(sure), ties, unfilled


def relatives_map(relations: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> dict[str, set[str]]:
    rel: dict[str, set[str]] = defaultdict(set)
    for a, b in relations:
        rel[a].add(b)
        rel[b].add(a)
    return rel


def find_relative_conflict(
    elected_at: dict[str, tuple[PostSpec, int]], prior: dict[str, str], rel: dict[str, set[str]],
    provincial: bool, cross: dict[str, set[str]] | None = None,
) -> tuple[str, str, str] | None:
    """First pair of relatives among those elected who may not serve together, as
    (kept, other, verdict): verdict 'aside' sets the other aside, 'bar' sets aside a
    监督委员会 member related to a 居委会 member (statutory, V art.32: whatever the
    provincial switch says), 'tie' means equal posts and equal votes in one body.

    ``prior`` maps those elected in earlier rounds to their body (they stay);
    ``provincial``: near relatives may not serve together in one body (RULES.md "near
    relatives"); ``cross``: further relations that bar only across the bodies (the wider
    监督委员会 incompatibility of a preset)."""
    # 居委会 members first, so that across the bodies the 监督委员会 member gives way.
    order = sorted(elected_at.items(), key=lambda kv: (kv[1][0].body != "jwh", -kv[1][0].rank, -kv[1][1], kv[0]))
    body_of = {p: b for p, b in prior.items()}
    kept: list[str] = [p for p in prior if p in rel or (cross and p in cross)]
    for pid, (post, votes) in order:
        body_of[pid] = post.body
        for k in kept:
            across = body_of[k] != post.body
            related = k in rel.get(pid, ()) or (across and cross is not None and k in cross.get(pid, ()))
            if not related or not (across or provincial):
                continue
            if k in prior:
                return k, pid, "bar" if across else "aside"
            if across:
                return k, pid, "bar"
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


def tied_relative(
    ties: list[tuple[PostSpec, Tie]], votes: dict[str, dict[str, int]], elected_at: dict[str, tuple[PostSpec, int]],
    prior: dict[str, str], rel: dict[str, set[str]], provincial: bool, cross: dict[str, set[str]] | None = None,
) -> tuple[str, str, PostSpec] | None:
    """A person tied for a seat who may not serve beside someone who keeps a seat whatever
    the re-vote decides, as (kept, tied, post of the tie); None when there is none.

    RULES.md "near relatives": the higher post keeps it, on posts of the same rank more votes
    stays, an earlier round's member stays; across the bodies the 监督委员会 member gives way
    ([V art.32]). A re-vote could not seat such a person (won, the seat would pass on at
    once), so they are set aside before it, as find_relative_conflict sets aside the elected.
    A tie whose winner would set the other aside (the tied on the higher post) still needs
    its re-vote. ``votes``: each post's votes by person; the rest as find_relative_conflict."""
    for post, tie in ties:
        for pid in tie.person_ids:
            near = rel.get(pid, set())
            wide = cross.get(pid, set()) if cross else set()
            for k in sorted(near | wide):
                if k in prior:
                    kbody = prior[k]
                elif k in elected_at:
                    kbody = elected_at[k][0].body
                else:
                    continue
                across = kbody != post.body
                if not (k in near or (across and k in wide)) or not (across or provincial):
                    continue
                if k in prior or (across and post.body == "jdw"):
                    return k, pid, post
                if across:
                    continue
                kpost, kvotes = elected_at[k]
                if kpost.rank > post.rank or (kpost.rank == post.rank and kvotes > votes[post.key].get(pid, 0)):
                    return k, pid, post
    return None


def barred_from_runoff(body: str, serving: dict[str, str], rel: dict[str, set[str]], provincial: bool,
                       cross: dict[str, set[str]] | None = None) -> set[str]:
    """Who may not stand in a run-off for a post of ``body``: the relatives of someone who
    serves (``serving``: person -> body, elected in this round or an earlier one) where the
    two could not serve together — near relatives in one body under the provincial rule
    (near_relatives_rule), across the bodies always ([V art.32]; the wider relations too
    under jdw_incompat_extended). In the run-off those serving are an earlier round's members
    and stay (docs/TALLY.md), so such a candidate could never take the seat; listing them
    would take the place of someone who could (the seat passes to the next by votes)."""
    out: set[str] = set()
    for k, kbody in serving.items():
        across = kbody != body
        if across or provincial:
            out |= rel.get(k, set())
        if across and cross:
            out |= cross.get(k, set())
    return out
