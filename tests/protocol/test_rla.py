"""Risk-limiting comparison audit maths (docs/AUDIT.md): Kaplan-Markov risk, sample
sizes and the seeded sampler, checked against published values."""
from __future__ import annotations

import math

import pytest

from election.protocol import rla

# Published values of Stark's super-simple tool, as used by Arlo's tests
# (votingworks/arlo, server/tests/audit_math/test_supersimple.py): alpha = 10%,
# gamma = 1.03905, expected rates o1 = u1 = 0.001, o2 = u2 = 0.0001 per paper.
# (diluted margin, initial sample size, total size after one one-vote overstatement,
#  p-value of that sample clean, with one one-vote, with one two-vote overstatement)
PUBLISHED = [
    (0.2, 27, 38, 0.06507, 0.12534, 1.0),  # "Contest A": 60,000 to 40,000 of 100,000
    (0.1, 54, 76, 0.06973, 0.13441, 1.0),  # "Contest B": 30,000 to 24,000 of 60,000
    (0.15, 36, 51, 0.06740, 0.12992, 1.0),  # "Contest C": 18,000 to 12,600 of 36,000
    (2 / 15, 40, 57, 0.07048, 0.13585, 1.0),  # "Contest D": 8,000 to 6,000 of 15,000
    (1.0, 6, 7, 0.01950, 0.03758, 0.51877),  # "Contest E": 10,000 to 0 of 10,000
]


@pytest.mark.parametrize("mu,n,n_o1,p0,p1,p2", PUBLISHED)
def test_kaplan_markov_matches_published_values(mu: float, n: int, n_o1: int, p0: float, p1: float, p2: float) -> None:
    assert rla.planned_sample_size(mu, 0.1, r1=0.001, r2=0.0001, s1=0.001, s2=0.0001) == n
    assert rla.planned_sample_size(mu, 0.1, r1=1 / n) == n_o1
    assert rla.measured_risk(mu, [0.0] * n) == pytest.approx(p0, abs=1e-4)
    assert rla.measured_risk(mu, [0.5] + [0.0] * (n - 1)) == pytest.approx(p1, abs=1e-4)
    assert rla.measured_risk(mu, [1.0] + [0.0] * (n - 1)) == pytest.approx(p2, abs=1e-4)


def test_understatements_lower_the_risk_and_a_vanished_margin_never_confirms() -> None:
    clean = rla.measured_risk(0.1, [0.0] * 40)
    assert rla.measured_risk(0.1, [-0.5] + [0.0] * 39) < clean < rla.measured_risk(0.1, [0.5] + [0.0] * 39)
    assert rla.measured_risk(0.0, [0.0] * 1000) == 1.0
    assert rla.measured_risk(-0.2, [0.0] * 1000) == 1.0


def test_bravo_average_sample_numbers() -> None:
    """BRAVO ASN (Lindeman, Stark, Yates 2012), two candidates, no blanks, 5%; by hand for
    60:40: s_w = 0.6, z_w = ln 1.2 = 0.18232, z_l = ln 0.8 = -0.22314,
    (ln 20 + 0.09116) / (0.6 * 0.18232 - 0.4 * 0.22314) = 3.08689 / 0.02014 = 153.3 -> 154."""
    assert rla.bravo_sample_size(0.6, 0.4, 0.05) == 154
    assert rla.bravo_sample_size(0.55, 0.45, 0.05) == 608
    assert rla.bravo_sample_size(0.525, 0.475, 0.05) == 2416
    with pytest.raises(ValueError):
        rla.bravo_sample_size(0.5, 0.5, 0.05)


def test_documented_initial_sample_size() -> None:
    """docs/PROTOCOL.md §7 example: mu = 0.1, alpha = 0.05, gamma = 1.03905:
    -2 * 1.03905 * ln(0.05) = 6.22543..., / 0.1 = 62.25 -> 63 papers."""
    assert -2 * 1.03905 * math.log(0.05) == pytest.approx(6.22543, abs=1e-5)
    assert rla.initial_sample_size(0.1) == 63
    assert rla.sample_size(0.1) == 63
    # Expecting one-vote overstatements costs more papers.
    assert rla.initial_sample_size(0.1, o1_rate=0.01) > 63


def test_sample_reproduces_from_seed_as_rivest_sampler() -> None:
    import hashlib

    boxes = {"B": 5, "A": 3}
    d1 = rla.draw_sample("1234 5678 9012 3456 7890", boxes, 50)
    d2 = rla.draw_sample("12345678901234567890", boxes, 50)
    assert d1 == d2
    x = int(hashlib.sha256(b"12345678901234567890,1").hexdigest(), 16)
    t = 1 + x % 8
    assert d1[0].ticket == t
    assert (d1[0].box, d1[0].position) == (("A", t) if t <= 3 else ("B", t - 3))
    assert {(d.box) for d in d1} == {"A", "B"} and all(1 <= d.position <= boxes[d.box] for d in d1)
    assert rla.draw_sample("12345678901234567890", boxes, 10, start=41) == d1[40:]
    with pytest.raises(ValueError, match="至少需要 20 位"):
        rla.draw_sample("123", boxes, 1)
