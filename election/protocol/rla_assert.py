"""The assertions of a risk-limiting audit for every outcome the rules produce
(docs/AUDIT.md), and the one validity function both sides of a comparison go through.

SHANGRLA (Stark 2020) reduces each claim about an outcome to "the mean of an assorter A
over all N papers returned is more than 1/2". With b_x = 1 when a paper *counts* a vote
for x on a post (after every validity rule of the rulebook), the three shapes used here:

- ``above`` x, m: "x has at least m votes" = V_x > (m-1): A = b_x / (2f), f = (m-1)/N.
  Majority posts (m = floor(N/2)+1, so blank and invalid papers count against) and the
  run-off floor (m = ceil(N/3): ">= ceil(N/3)" is "> ceil(N/3) - 1").
- ``below`` x, m: "x has fewer than m votes" = (N - V_x) > (N - m): A = (1 - b_x) / (2g),
  g = (N-m)/N. The "no winner" outcome: a seat left unfilled, a run-off ordered.
- ``beats`` w, l: "w has more votes than l": A = (b_w - b_l + 1) / 2.

N is the ballot manifest's count of papers returned (counted by the scrutineers), never
the records' count; the thresholds come from the rules' own threshold_for with that N.
``OTHER`` stands for "any person not named on the post's list": b_OTHER = 1 when the
paper counts a vote for anyone outside it (write-ins the records lost show up here).
An outcome no assorter covers, and every tie, goes to a full hand count of its post.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

from election.rules.rulebook import Rulebook
from election.rules.tally_count import count_papers
from election.rules.tally_decide import threshold_for
from election.rules.tally_types import (
    FEMALE,
    R_NEAR_RELATIVE,
    Paper,
    PostMarks,
    PostSpec,
    TallyInput,
    TallyInputError,
    TallyResult,
)

OTHER = "*"  # any person not on the post's list (see module docstring)
Kind = Literal["above", "below", "beats"]


# ---------------------------------------------------------------------- validity

def to_paper(marks: Mapping[str, Any] | None) -> Paper:
    """A paper's marks {post: {approve, oppose, write_ins, unreadable}} as a rules Paper."""
    out = {}
    for post, m in (marks or {}).items():
        if not isinstance(m, dict | Mapping):
            raise TallyInputError(f"职位“{post}”的标记格式错误")
        out[str(post)] = PostMarks(frozenset(str(x) for x in m.get("approve", ()) or ()),
                                   frozenset(str(x) for x in m.get("oppose", ()) or ()),
                                   frozenset(str(x) for x in m.get("write_ins", ()) or ()),
                                   bool(m.get("unreadable")))
    return Paper(out)


def counted_votes(marks: Mapping[str, Any] | None, posts: Sequence[PostSpec],
                  rulebook: Rulebook) -> dict[str, frozenset[str]]:
    """Who one paper counts a vote for, per post: the tally's own count_papers run over this
    single paper, so every preset's rule (whole-paper overvote, the double-post variants,
    higher-counts-for-lower) applies exactly as in the count. Raises TallyInputError for a
    paper the count cannot read (an unknown post)."""
    counts = count_papers(posts, [to_paper(marks)], rulebook.overvote_scope, rulebook.multi_post_rule)
    return {key: frozenset(p for p, n in c.votes.items() if n) for key, c in counts.posts.items()}


# ---------------------------------------------------------------------- assertions

@dataclass(frozen=True)
class Assertion:
    """One claim about a post, with its reported assorter mean over the N papers."""

    kind: Kind
    post: str
    a: str  # the winner (above, beats) or the person who must stay under (below)
    b: str | None  # the loser of a ``beats``
    m: int  # the vote count of ``above``/``below``
    papers: int  # N
    mean: float
    upper: float
    label: str  # Chinese, with names

    @property
    def margin(self) -> float:
        return 2 * self.mean - 1

    @property
    def diluted_margin(self) -> float:
        """mu = v/u: the super-simple margin (votes of margin per paper, two per flip)."""
        return self.margin / self.upper

    def _b(self, votes: Collection[str], who: str, known: Collection[str]) -> int:
        if who == OTHER:
            return int(any(p not in known for p in votes))
        return int(who in votes)

    def assort(self, votes: Collection[str], known: Collection[str]) -> float:
        """Assorter value of one paper given who it counts a vote for on this post;
        ``known`` is the post's list (for OTHER)."""
        if self.kind == "above":
            return self._b(votes, self.a, known) * self.upper
        if self.kind == "below":
            return (1 - self._b(votes, self.a, known)) * self.upper
        assert self.b is not None
        return (self._b(votes, self.a, known) - self._b(votes, self.b, known) + 1) / 2


@dataclass(frozen=True)
class PostPlan:
    """What the audit checks of one post: its assertions, or why it must be hand counted."""

    post: str
    name: str
    known: frozenset[str]
    assertions: tuple[Assertion, ...]
    hand_count: str = ""  # the reason, when no sample can confirm this post's outcome


@dataclass(frozen=True)
class AuditPlan:
    papers: int
    posts: tuple[PostPlan, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def assertions(self) -> list[Assertion]:
        return [a for p in self.posts for a in p.assertions]

    def post(self, key: str) -> PostPlan:
        return next(p for p in self.posts if p.post == key)


def _above(post: str, who: str, m: int, votes: int, n: int, nm) -> Assertion | None:  # type: ignore[no-untyped-def]
    if m - 1 <= 0:
        return None  # "at least one vote": implied by beating OTHER (see plan_post)
    f = Fraction(m - 1, n)
    u = float(1 / (2 * f))
    return Assertion("above", post, who, None, m, n, votes * u / n, u, f"{nm(who)} 得票不少于 {m} 票")


def _below(post: str, who: str, m: int, votes: int, n: int, nm) -> Assertion | None:  # type: ignore[no-untyped-def]
    if n - m <= 0:
        return None  # m = N: no assorter is bounded; the post is hand counted
    g = Fraction(n - m, n)
    u = float(1 / (2 * g))
    return Assertion("below", post, who, None, m, n, (n - votes) * u / n, u, f"{nm(who)} 得票少于 {m} 票")


def _beats(post: str, w: str, lo: str, vw: int, vl: int, n: int, nm) -> Assertion:  # type: ignore[no-untyped-def]
    return Assertion("beats", post, w, lo, 0, n, 0.5 + (vw - vl) / (2 * n), 1.0, f"{nm(w)} 得票多于 {nm(lo)}")


def _weakest(group: Sequence[Assertion | None]) -> float:
    if any(a is None for a in group) or not group:
        return float("-inf")
    return min(a.diluted_margin for a in group if a is not None)


def plan(inp: TallyInput, result: TallyResult, papers: int, names: Mapping[str, str] | None = None,
         reported_votes: Mapping[str, Mapping[str, int]] | None = None) -> AuditPlan:
    """The assertions that make ``result`` (the reported outcome of ``inp``'s records) the
    outcome of the papers, with N = ``papers`` from the ballot manifest.

    ``reported_votes``: votes per post and person summed over the records through
    counted_votes (default: the result's own counts, which are the same numbers).
    """
    label = dict(names or {})
    for c in inp.candidates:
        label.setdefault(c.person_id, c.name)

    def nm(pid: str) -> str:
        return "其他人（名单外另选）" if pid == OTHER else label.get(pid, pid)

    if papers <= 0:
        raise ValueError("票箱清单的选票总数必须为正数")
    if len(inp.papers) > papers:
        # More records than papers in the boxes: draws are positions among the papers, so the
        # records beyond them are never compared with anything and their votes stand untested
        # (a count stuffed with such records was confirmed 20 times in 20 with the outcome
        # wrong). Fewer records than papers is covered: a paper without its record is the worst case.
        reason = (f"计票记录 {len(inp.papers)} 条，多于票箱清单清点的 {papers} 张选票：多出的记录不对应任何选票，"
                  "抽样无法核对，须全面人工计票")
        return AuditPlan(papers, tuple(PostPlan(p.key, p.name_zh, frozenset(), (), reason) for p in inp.posts))
    rb = inp.rulebook
    if not result.valid:
        posts = tuple(PostPlan(p.key, p.name_zh, frozenset(), (), f"选举无效（{result.reason}）：无效的判断来自发票与投票人数，"
                               "由合规检查核对，风险限制审计不能确认") for p in inp.posts)
        return AuditPlan(papers, posts)
    if result.question is not None:
        return AuditPlan(papers, (_plan_question(inp, result, papers, nm),))
    female = {c.person_id for c in inp.candidates if c.sex in FEMALE}
    female |= {pe.person_id for pe in inp.prior_elected if pe.sex in FEMALE}
    prior = {pe.person_id for pe in inp.prior_elected}
    order = {p.key: i for i, p in enumerate(inp.posts)}
    ranked = sorted(inp.posts, key=lambda p: (-p.rank, order[p.key]))
    elected_at = {e.person_id: pr.key for pr in result.posts for e in pr.elected}
    rel: dict[str, set[str]] = {}
    for x, y in inp.relations:
        rel.setdefault(x, set()).add(y)
        rel.setdefault(y, set()).add(x)
    out: list[PostPlan] = []
    notes: list[str] = []
    before: set[str] = set()  # elected at a post decided earlier (higher post first)
    for spec in ranked:
        pr = result.post(spec.key)
        votes: dict[str, int] = dict(reported_votes[spec.key]) if reported_votes else {v.person_id: v.votes for v in pr.votes}
        listed = {c.person_id for c in inp.candidates if c.post == spec.key}
        known = frozenset(listed | set(votes) | prior | before)
        p = _plan_post(spec, pr, inp, rb, papers, votes, known, prior, before, female, elected_at, rel, nm)
        out.append(p)
        before |= {e.person_id for e in pr.elected}
    if result.woman.status in ("replaced", "undecided"):
        low = min((p for p in inp.posts if p.body == "jwh"), key=lambda p: p.rank)
        out = [PostPlan(p.post, p.name, p.known, p.assertions,
                        p.hand_count or "妇女成员按替换办法产生：替换取决于多人之间的得票比较，没有可用的断言，须全面人工计票")
               if p.post == low.key else p for p in out]
    if result.next_round == "runoff":
        notes.append("另行选举的候选人名单按得票多少确定，已为名单内外的得票比较设断言")
    by_key = {p.post: p for p in out}
    return AuditPlan(papers, tuple(by_key[p.key] for p in inp.posts), tuple(notes))


def _plan_question(inp: TallyInput, result: TallyResult, n: int, nm) -> PostPlan:  # type: ignore[no-untyped-def]
    """A question round (rules.question): carried is "同意 has at least m", m the smallest
    count above recall_approve of the N papers returned (blank and invalid papers count
    against, as in the rule); not carried is "同意 has fewer than m". The turnout that
    makes the vote valid comes from issuance and the manifest, checked by compliance.
    A meeting's motion: m is the smallest count above the meeting's decision share of those
    present (registered_voters), whatever the papers returned."""
    spec = inp.posts[0]
    q = result.question
    assert q is not None
    if inp.round_kind == "motion":
        m = threshold_for(spec, "motion", inp.rulebook, inp.registered_voters, inp.meeting_kind).min_votes
    else:
        m = threshold_for(spec, "recall", inp.rulebook, n).min_votes
    a = _above(spec.key, q.subject, m, q.agree, n, nm) if q.carried else _below(spec.key, q.subject, m, q.agree, n, nm)
    known = frozenset({q.subject})
    if a is None:
        return PostPlan(spec.key, spec.name_zh, known, (), f"{'会议表决' if inp.round_kind == 'motion' else '罢免表决'}须 {m} 票同意而选票总数为 {n} 张：没有可用的断言，须全面人工计票")
    return PostPlan(spec.key, spec.name_zh, known, (a,))


def _plan_post(spec: PostSpec, pr: Any, inp: TallyInput, rb: Rulebook, n: int, votes: Mapping[str, int],  # type: ignore[no-untyped-def]
               known: frozenset[str], prior: set[str], before: set[str], female: set[str],
               elected_at: Mapping[str, str], rel: Mapping[str, set[str]], nm) -> PostPlan:
    name = spec.name_zh
    if pr.ties:
        tied = "、".join(nm(p) for t in pr.ties for p in t.person_ids)
        return PostPlan(spec.key, name, known, (), f"{tied} 票数相等：平局须全面人工计票核实")
    th = threshold_for(spec, inp.round_kind, rb, n)
    m = th.min_votes
    elected = [e.person_id for e in pr.elected]
    excluded = set(prior) | set(before)
    assertions: list[Assertion] = []
    for ne in pr.not_elected:
        if ne.reason == R_NEAR_RELATIVE:
            kept = [k for k in rel.get(ne.person_id, ()) if k in prior or k in before or k in elected]
            if any(k in prior or k in before for k in kept):
                excluded.add(ne.person_id)  # the relative holds a higher post: no vote comparison
            elif kept:
                # The relative on this post was kept for having more votes.
                excluded.add(ne.person_id)
                for k in kept:
                    assertions.append(_beats(spec.key, k, ne.person_id, votes.get(k, 0), votes.get(ne.person_id, 0), n, nm))
            else:
                return PostPlan(spec.key, name, known, (),
                                f"{nm(ne.person_id)} 因近亲属回避未当选，其近亲属在其他职位：没有可用的断言，须全面人工计票")
    for e in elected:
        a = _above(spec.key, e, m, votes.get(e, 0), n, nm)
        if a is not None:
            assertions.append(a)
    pool = sorted((set(known) | {OTHER}) - excluded - set(elected), key=lambda p: (p == OTHER, -votes.get(p, 0), p))
    reserved_n = min(spec.reserved_woman_seats, spec.seats)
    women_elected = sorted((e for e in elected if e in female), key=lambda e: -votes.get(e, 0))
    reserved_winners = women_elected[:reserved_n]
    general = [e for e in elected if e not in reserved_winners]
    general_short = len(general) < spec.seats - reserved_n
    reserved_short = len(reserved_winners) < reserved_n
    for lo in pool:
        vl = 0 if lo == OTHER else votes.get(lo, 0)
        may_be_woman = lo in female or lo == OTHER
        # Who must beat lo: the general winners; the reserved (woman) winners too when lo
        # is a woman or may be one (OTHER).
        rivals = general + (reserved_winners if may_be_woman else [])
        if not may_be_woman and spec.seats - reserved_n == 0:
            continue  # every seat is a woman's: a man cannot take one
        below = [_below(spec.key, lo, m, vl, n, nm)]
        beats: list[Assertion | None] = [_beats(spec.key, e, lo, votes.get(e, 0), vl, n, nm) for e in rivals]
        if general_short or (reserved_short and may_be_woman) or not rivals:
            options = [below]
        elif vl >= m:
            options = [beats]
        else:
            options = [below, beats]
        best = max(options, key=_weakest)
        if any(a is None for a in best):
            return PostPlan(spec.key, name, known, (), f"{nm(lo)} 须少于 {m} 票而选票总数只有 {n} 张：没有可用的断言，须全面人工计票")
        assertions += [a for a in best if a is not None]
    if m <= 1:
        # Plurality: "at least one vote" follows from beating OTHER (V_OTHER >= 0).
        for e in elected:
            if not any(a.kind == "beats" and a.a == e for a in assertions):
                assertions.append(_beats(spec.key, e, OTHER, votes.get(e, 0), 0, n, nm))
    assertions += _runoff_list(spec, inp, pr, votes, n, excluded, nm)
    if not assertions:
        return PostPlan(spec.key, name, known, (), "本职位的结果没有可用的断言，须全面人工计票")
    return PostPlan(spec.key, name, known, tuple(_dedupe(assertions)))


def _runoff_list(spec: PostSpec, inp: TallyInput, pr: Any, votes: Mapping[str, int], n: int, excluded: set[str], nm) -> list[Assertion]:  # type: ignore[no-untyped-def]
    """Those named for the run-off of this post beat everyone passed over (the list is taken
    by most votes; a tie at the cut takes all tied, so the comparisons are strict)."""
    out: list[Assertion] = []
    for need in pr.runoffs:
        chosen = set(need.candidates)
        if not chosen:
            continue
        passed = [p for p in votes if p not in chosen and p not in excluded
                  and p not in {e.person_id for e in pr.elected} and (not need.women_only or any(c.person_id == p and c.sex in FEMALE for c in inp.candidates))]
        for c in chosen:
            for p in passed:
                if votes.get(c, 0) > votes.get(p, 0):  # else p was passed over for a rule, not votes
                    out.append(_beats(spec.key, c, p, votes.get(c, 0), votes.get(p, 0), n, nm))
    return out


def _dedupe(items: Iterable[Assertion]) -> list[Assertion]:
    seen: set[tuple[str, str, str | None, int]] = set()
    out = []
    for a in items:
        k = (a.kind, a.a, a.b, a.m)
        if k not in seen:
            seen.add(k)
            out.append(a)
    return out
