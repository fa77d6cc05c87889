"""Risk-limiting comparison audit maths (docs/AUDIT.md): sample sizes, the measured risk,
the seeded draws, and BRAVO's ballot-polling sample size for comparison.

The test statistic is the "super-simple" Kaplan-Markov bound (Stark 2010, "Super-simple
simultaneous single-ballot risk-limiting audits"; Colorado RLA, Arlo), applied to SHANGRLA
assorters (rla_assert.py): with diluted margin mu = v/u (v = 2*mean - 1, u the assorter's
upper bound) and per-draw overstatement e = (A(record) - A(paper))/u in [-1, 1]
(1/2: "one-vote", 1: "two-vote"; negative: understatements), after n draws with
replacement and error inflator gamma:
  p = min(1, prod_i (1 - mu/(2 gamma)) / (1 - e_i/gamma)).
"""
from __future__ import annotations

import hashlib
import math
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

DEFAULT_RISK_LIMIT = 0.05
DEFAULT_GAMMA = 1.03905  # Colorado RLA / Stark's tools default error inflator


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


def planned_sample_size(
    diluted_margin: float,
    risk_limit: float,
    gamma: float = DEFAULT_GAMMA,
    r1: float = 0.0,
    r2: float = 0.0,
    s1: float = 0.0,
    s2: float = 0.0,
    papers: int | None = None,
) -> int:
    """The size Stark's super-simple tool plans with expected discrepancy *rates* per paper
    (r1/r2 one- and two-vote overstatements, s1/s2 understatements): first the n0 at which
    the expected Kaplan-Markov product reaches alpha, then the expected one-vote counts
    rounded up (ceil(rate * n0)) and ``sample_size`` with those counts. A margin the
    expected errors wipe out needs every paper (``papers``)."""
    g = gamma
    step = (math.log(1 - diluted_margin / (2 * g)) if diluted_margin < 2 * g else -math.inf) \
        - r1 * math.log(1 - 1 / (2 * g)) - r2 * math.log(1 - 1 / g) \
        - s1 * math.log(1 + 1 / (2 * g)) - s2 * math.log(1 + 1 / g)
    if diluted_margin <= 0 or step >= 0:
        if papers is None:
            raise ValueError("报告的差额不为正，无法抽样审计，需全面人工重新计票")
        return papers
    n0 = math.ceil(math.log(risk_limit) / step)
    # Only the one-vote counts are rounded up (two-vote rates stay fractional), as the tool does.
    o1, u1 = math.ceil(r1 * n0), math.ceil(s1 * n0)
    rho = -2 * g * (math.log(risk_limit) + o1 * math.log(1 - 1 / (2 * g)) + r2 * math.log(1 - 1 / g)
                    + u1 * math.log(1 + 1 / (2 * g)) + s2 * math.log(1 + 1 / g))
    n = max(math.ceil(rho / diluted_margin), math.ceil(o1 + r2 + u1 + s2))
    return n if papers is None else min(n, papers)


def bravo_sample_size(share_winner: float, share_loser: float, risk_limit: float) -> int:
    """BRAVO's average sample number for a ballot-polling audit (Lindeman, Stark, Yates 2012,
    "BRAVO: Ballot-polling risk-limiting audits to verify outcomes", the ASN formula):
    with s_w = p_w/(p_w + p_l), z_w = ln(2 s_w), z_l = ln(2 (1 - s_w)) and p = p_w + p_l
    the share of papers with a vote for either,
    ASN = ceil((ln(1/alpha) + z_w/2) / (p (s_w z_w + (1 - s_w) z_l)))."""
    if share_winner <= share_loser:
        raise ValueError("得票领先者的得票率须高于落后者")
    p = share_winner + share_loser
    s_w = share_winner / p
    z_w = math.log(2 * s_w)
    z_l = math.log(2 * (1 - s_w)) if s_w < 1 else 0.0
    return math.ceil((math.log(1 / risk_limit) + z_w / 2) / (p * (s_w * z_w + (1 - s_w) * z_l)))


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


# The seed from two contributions (docs/AUDIT.md §3; as Arlo and SHANGRLA roll public dice
# after the manifest and records are committed, with one more party's committed secret so that
# no single party can try seeds against the public verifier and type a favourable one):
# 1. before the seal, the street office's auditor commits to a secret of >= 20 digits by its hash
#    (computed on the auditor's own computer): hex SHA-256(UTF-8(COMMIT_TAG + secret));
# 2. after the seal, dice are rolled in public before witnesses and the digits recorded;
# 3. the auditor reveals the secret; the audit's seed is the decimal SHA-256 of both:
#    zero-padded 78-digit decimal of int(SHA-256(UTF-8(SEED_TAG + dice + ":" + secret)), big-endian).
COMMIT_TAG = "juxuan-audit-seed-commitment:"
SEED_TAG = "juxuan-audit-seed:"
MIN_WITNESSES = 2


def seed_commitment(secret: str) -> str:
    """The auditor's commitment to a secret contribution (>= 20 decimal digits; spaces and
    dashes dropped): ``printf 'juxuan-audit-seed-commitment:%s' DIGITS | sha256sum``."""
    return hashlib.sha256((COMMIT_TAG + normalise_seed(secret)).encode()).hexdigest()


def combined_seed(dice: str, secret: str) -> str:
    """The audit's seed from the public dice and the auditor's revealed secret: 78 decimal
    digits, so ``draw_sample`` takes it as it takes a dice seed."""
    h = hashlib.sha256(f"{SEED_TAG}{normalise_seed(dice)}:{normalise_seed(secret)}".encode()).digest()
    return str(int.from_bytes(h, "big")).zfill(78)


def draw_sample(seed: str, boxes: Mapping[str, int], n: int, start: int = 1) -> list[Draw]:
    """Draws ``start``..``start+n-1`` with replacement, as in Rivest's sampler.py:
    ticket_i = 1 + int(SHA-256(UTF-8(seed + "," + str(i))), big-endian) mod N, where N is
    the total paper count and papers are numbered box by box, boxes in sorted order of their
    identifiers, positions from 1 in the order the papers lie in the sealed box."""
    s = normalise_seed(seed)
    if any(n < 0 for n in boxes.values()):  # the search below needs the running totals ascending
        raise ValueError("票箱清单的张数不能为负数")
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
        x = int.from_bytes(hashlib.sha256(f"{s},{i}".encode()).digest(), "big")
        ticket = 1 + x % total
        k = bisect_right(ends, ticket - 1)
        before = ends[k - 1] if k else 0
        out.append(Draw(i, ticket, names[k], ticket - before))
    return out
