"""Risk-limiting comparison audit maths: paper ballots drawn with a public dice seed are
compared with their records (found by D), following SHANGRLA (Stark 2020, "Sets of
half-average nulls generate risk-limiting audits") for the assertions and the
"super-simple" Kaplan-Markov bound (Stark 2010, "Super-simple simultaneous single-ballot
risk-limiting audits"; as in Colorado RLA) for sample size and measured risk.

Assorters (every paper returned counts in N, invalid posts contribute no approval):
- majority threshold, "winner w has more than f*N approvals": A(b) = b_w / (2f),
  upper bound u = 1/(2f); mean(A) = V_w/(2fN) > 1/2  <=>  V_w > f*N.  For f = 1/2, A = b_w.
- plurality/approval, "winner w beats loser l": A(b) = (b_w - b_l + 1)/2, u = 1;
  mean(A) = 1/2 + (V_w - V_l)/(2N) > 1/2  <=>  V_w > V_l.
Margin v = 2*mean - 1; diluted margin mu = v/u (the super-simple mu in vote units).
Overstatement of one paper: omega = A(record) - A(paper); e = omega/u in {-1,-1/2,0,1/2,1}
("two-vote under", "one-vote under", none, "one-vote over", "two-vote over").
Measured risk (Kaplan-Markov, sampling with replacement, inflator gamma):
  p = min(1, prod_i (1 - mu/(2 gamma)) / (1 - e_i/gamma)).
"""
from __future__ import annotations

import hashlib
import math
from bisect import bisect_right
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

DEFAULT_RISK_LIMIT = 0.05
DEFAULT_GAMMA = 1.03905  # Colorado RLA / Stark's tools default error inflator


@dataclass(frozen=True)
class Assertion:
    """One claim the audit must confirm. ``loser`` is None for a majority assertion."""

    contest: str
    winner: str
    loser: str | None
    fraction: Fraction  # threshold f for a majority assertion (1/2); unused for plurality
    mean: float  # reported assorter mean over all N papers
    upper: float  # assorter upper bound u

    @property
    def margin(self) -> float:
        """Assorter margin v = 2*mean - 1."""
        return 2 * self.mean - 1

    @property
    def diluted_margin(self) -> float:
        """mu = v/u: the margin in super-simple vote units (votes of margin per paper)."""
        return self.margin / self.upper

    @property
    def label(self) -> str:
        if self.loser is None:
            return f"{self.contest}：{self.winner} 得票超过回收票数的 {self.fraction}"
        return f"{self.contest}：{self.winner} 得票多于 {self.loser}"

    def assort(self, approved: Collection[str]) -> float:
        """Assorter value of one paper, given the candidates approved on it for this contest
        (empty when the post is blank or invalid on that paper)."""
        if self.loser is None:
            return (1.0 if self.winner in approved else 0.0) * self.upper
        return ((self.winner in approved) - (self.loser in approved) + 1) / 2


def majority_assertions(
    contest: str, winners: Sequence[str], votes: Mapping[str, int], papers: int, fraction: Fraction = Fraction(1, 2)
) -> list[Assertion]:
    """One assertion per winner: "votes > fraction * papers returned" (RULES.md, Winning:
    more than half of the votes of the voters who took part, denominator all papers returned)."""
    if papers <= 0:
        raise ValueError(f"{contest}：回收票数必须为正数，实际为 {papers}")
    u = 1 / (2 * float(fraction))
    return [Assertion(contest, w, None, fraction, votes.get(w, 0) * u / papers, u) for w in winners]


def plurality_assertions(
    contest: str, winners: Sequence[str], losers: Sequence[str], votes: Mapping[str, int], papers: int
) -> list[Assertion]:
    """One assertion per (winner, loser) pair: "winner has more votes than loser"
    (RULES.md, Winning: most votes, in order)."""
    if papers <= 0:
        raise ValueError(f"{contest}：回收票数必须为正数，实际为 {papers}")
    out = []
    for w in winners:
        for lo in losers:
            mean = 0.5 + (votes.get(w, 0) - votes.get(lo, 0)) / (2 * papers)
            out.append(Assertion(contest, w, lo, Fraction(0), mean, 1.0))
    return out


def sample_size(
    diluted_margin: float,
    risk_limit: float = DEFAULT_RISK_LIMIT,
    gamma: float = DEFAULT_GAMMA,
    o1: int = 0,
    o2: int = 0,
    u1: int = 0,
    u2: int = 0,
) -> int:
    """Super-simple sample size with expected discrepancy counts (Stark 2010 §2; Colorado RLA
    ``optimistic``): n = ceil(-2 gamma (ln alpha + o1 ln(1-1/(2g)) + o2 ln(1-1/g)
    + u1 ln(1+1/(2g)) + u2 ln(1+1/g)) / mu), at least o1+o2+u1+u2. Uses ln(1-1/U) <= -1/U,
    so a sample of this size with those discrepancies brings the risk to <= alpha."""
    if diluted_margin <= 0:
        raise ValueError("报告的差额不为正，无法抽样审计，需全面人工重新计票")
    g = gamma
    rho = -2 * g * (
        math.log(risk_limit)
        + o1 * math.log(1 - 1 / (2 * g))
        + o2 * math.log(1 - 1 / g)
        + u1 * math.log(1 + 1 / (2 * g))
        + u2 * math.log(1 + 1 / g)
    )
    return max(math.ceil(rho / diluted_margin), o1 + o2 + u1 + u2)


def initial_sample_size(
    diluted_margin: float,
    risk_limit: float = DEFAULT_RISK_LIMIT,
    gamma: float = DEFAULT_GAMMA,
    o1_rate: float = 0.0,
    o2_rate: float = 0.0,
) -> int:
    """Sample size assuming one- and two-vote overstatements at the given rates (per paper
    sampled): solving n = -2g(ln a + r1 n ln(1-1/(2g)) + r2 n ln(1-1/g))/mu for n gives
    n = ceil(-2g ln a / (mu + 2g (r1 ln(1-1/(2g)) + r2 ln(1-1/g)))).
    With no errors expected: n = ceil(-2 gamma ln(alpha) / mu)."""
    if diluted_margin <= 0:
        raise ValueError("报告的差额不为正，无法抽样审计，需全面人工重新计票")
    g = gamma
    denom = diluted_margin + 2 * g * (o1_rate * math.log(1 - 1 / (2 * g)) + o2_rate * math.log(1 - 1 / g))
    if denom <= 0:
        raise ValueError("预计差错率过高，抽样无法确认结果，需全面人工重新计票")
    return math.ceil(-2 * g * math.log(risk_limit) / denom)


def measured_risk(diluted_margin: float, errors: Sequence[float], gamma: float = DEFAULT_GAMMA) -> float:
    """Kaplan-Markov p-value after sampling ``len(errors)`` papers with replacement;
    ``errors`` holds e = omega/u for each draw (0 for a match)."""
    if diluted_margin <= 0:
        return 1.0
    log_p = 0.0
    step = math.log(1 - diluted_margin / (2 * gamma))
    for e in errors:
        log_p += step - math.log(1 - e / gamma)
    return min(1.0, math.exp(log_p))


def overstatement(a: Assertion, record: Collection[str] | None, paper: Collection[str]) -> float:
    """e = (A(record) - A(paper)) / u. A drawn paper with no matching record (its D was not
    counted, or its QR could not be read) is charged the worst case, e = 1."""
    if record is None:
        return 1.0
    return (a.assort(record) - a.assort(paper)) / a.upper


@dataclass(frozen=True)
class AssertionRisk:
    assertion: Assertion
    risk: float
    o1: int
    o2: int
    u1: int
    u2: int


@dataclass(frozen=True)
class AuditOutcome:
    """``confirmed`` when every assertion's risk <= limit; otherwise ``next_size`` is the
    total sample size to draw next (draws continue the same seeded sequence), or
    ``full_count`` when that reaches all papers."""

    confirmed: bool
    risks: tuple[AssertionRisk, ...]
    sampled: int
    next_size: int
    full_count: bool
    message: str


def evaluate(
    assertions: Sequence[Assertion],
    comparisons: Sequence[tuple[Mapping[str, Collection[str]] | None, Mapping[str, Collection[str]]]],
    papers: int,
    risk_limit: float = DEFAULT_RISK_LIMIT,
    gamma: float = DEFAULT_GAMMA,
) -> AuditOutcome:
    """Measure the risk of every assertion from the sampled papers. Each comparison is
    (record approvals per contest or None if no record, paper approvals per contest), one
    per draw, duplicates included (sampling with replacement)."""
    risks = []
    next_size = len(comparisons)
    for a in assertions:
        errs = []
        for rec, paper in comparisons:
            errs.append(overstatement(a, None if rec is None else rec.get(a.contest, ()), paper.get(a.contest, ())))
        counts = {k: sum(1 for e in errs if e == k) for k in (0.5, 1.0, -0.5, -1.0)}
        r = AssertionRisk(a, measured_risk(a.diluted_margin, errs, gamma), counts[0.5], counts[1.0], counts[-0.5], counts[-1.0])
        risks.append(r)
        if r.risk > risk_limit:
            if a.diluted_margin <= 0:
                next_size = max(next_size, papers)
            else:
                need = sample_size(a.diluted_margin, risk_limit, gamma, r.o1, r.o2, r.u1, r.u2)
                # Always grow the sample: an unconfirmed assertion needs more evidence.
                next_size = max(next_size, need, len(comparisons) + 1)
    confirmed = all(r.risk <= risk_limit for r in risks)
    full = (not confirmed) and next_size >= papers
    if confirmed:
        msg = f"已抽查 {len(comparisons)} 张选票，全部 {len(risks)} 项断言的风险均不超过 {risk_limit}，结果得到确认"
    else:
        worst = max(risks, key=lambda r: r.risk)
        if full:
            msg = f"断言“{worst.assertion.label}”的风险为 {worst.risk:.4f}，超过 {risk_limit}：需全面人工重新计票（共 {papers} 张）"
        else:
            msg = f"断言“{worst.assertion.label}”的风险为 {worst.risk:.4f}，超过 {risk_limit}：需扩大抽样至 {next_size} 张"
    return AuditOutcome(confirmed, tuple(risks), len(comparisons), min(next_size, papers), full, msg)


@dataclass(frozen=True)
class Draw:
    """The i-th draw (1-based): ticket in 1..N, the box and the 1-based position in it."""

    index: int
    ticket: int
    box: str
    position: int


def normalise_seed(seed: str) -> str:
    """The dice seed as decimal digits; spaces and dashes are dropped."""
    s = "".join(ch for ch in seed if ch not in " -\t")
    if not s.isdigit() or not s.isascii():
        raise ValueError("随机种子只能由骰子掷出的数字组成")
    if len(s) < 20:
        raise ValueError(f"随机种子至少需要 20 位数字（掷骰 20 次），实际只有 {len(s)} 位")
    return s


def draw_sample(seed: str, boxes: Mapping[str, int], n: int, start: int = 1) -> list[Draw]:
    """Draws ``start``..``start+n-1`` with replacement, as in Rivest's sampler.py:
    ticket_i = 1 + int(SHA-256(UTF-8(seed + "," + str(i))), big-endian) mod N, where N is
    the total paper count and papers are numbered box by box, boxes in sorted order of their
    identifiers, positions from 1 in the order the papers lie in the sealed box."""
    s = normalise_seed(seed)
    names = sorted(boxes)
    ends: list[int] = []
    total = 0
    for b in names:
        total += boxes[b]
        ends.append(total)
    if total <= 0:
        raise ValueError("票箱清单中没有选票，无法抽样")
    out = []
    for i in range(start, start + n):
        x = int.from_bytes(hashlib.sha256(f"{s},{i}".encode("utf-8")).digest(), "big")
        ticket = 1 + x % total
        k = bisect_right(ends, ticket - 1)
        before = ends[k - 1] if k else 0
        out.append(Draw(i, ticket, names[k], ticket - before))
    return out
