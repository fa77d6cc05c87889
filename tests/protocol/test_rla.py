"""Risk-limiting comparison audit (DESIGN.md auditor bundle; RULES.md Winning: more than
half of the papers returned, and most votes in order)."""
from __future__ import annotations

import math
from fractions import Fraction

import pytest

from election.protocol import rla


def test_majority_assorter_mean_exceeds_half_iff_threshold_cleared() -> None:
    """RULES.md Winning: votes > returned/2. 51 of 100 clears it, 50 of 100 does not."""
    a, b = rla.majority_assertions("主任", ["张三", "李四"], {"张三": 51, "李四": 50}, 100)
    assert a.mean > 0.5 and not b.mean > 0.5
    assert a.diluted_margin == pytest.approx(0.02)  # (2*51 - 100)/100
    assert a.assort({"张三"}) == 1.0 and a.assort(set()) == 0.0


def test_threshold_one_third_assorter() -> None:
    """Run-off rule shape (RULES.md: >= 1/3 of papers): A = b_w/(2f), u = 3/2, so mean > 1/2 iff V > N/3."""
    (a,) = rla.majority_assertions("委员", ["王五"], {"王五": 40}, 100, Fraction(1, 3))
    assert a.upper == pytest.approx(1.5) and a.mean == pytest.approx(0.6)
    (b,) = rla.majority_assertions("委员", ["王五"], {"王五": 33}, 100, Fraction(1, 3))
    assert b.mean < 0.5


def test_plurality_assertions_pair_every_winner_with_every_loser() -> None:
    ass = rla.plurality_assertions("委员", ["A", "B"], ["C", "D", "E"], {"A": 60, "B": 55, "C": 40, "D": 10}, 100)
    assert len(ass) == 6
    ab = ass[0]
    assert ab.diluted_margin == pytest.approx(0.2)  # (60-40)/100
    assert ab.assort({"A"}) == 1.0 and ab.assort({"C"}) == 0.0 and ab.assort({"A", "C"}) == 0.5


def test_documented_initial_sample_size() -> None:
    """docs/PROTOCOL.md §7 example: mu = 0.1, alpha = 0.05, gamma = 1.03905:
    -2 * 1.03905 * ln(0.05) = 6.22543..., / 0.1 = 62.25 -> 63 papers."""
    assert -2 * 1.03905 * math.log(0.05) == pytest.approx(6.22543, abs=1e-5)
    assert rla.initial_sample_size(0.1) == 63
    assert rla.sample_size(0.1) == 63
    # Expecting one-vote overstatements costs more papers.
    assert rla.initial_sample_size(0.1, o1_rate=0.01) > 63


def _assertions():
    # 1000 papers: 张三 600, 李四 380.
    return rla.majority_assertions("主任", ["张三"], {"张三": 600, "李四": 380}, 1000)


def test_clean_sample_of_the_initial_size_confirms() -> None:
    ass = _assertions()
    n = rla.initial_sample_size(ass[0].diluted_margin)
    same = [({"主任": {"张三"}}, {"主任": {"张三"}})] * n
    out = rla.evaluate(ass, same, 1000)
    assert out.confirmed and out.risks[0].risk <= 0.05
    assert "结果得到确认" in out.message
    fewer = rla.evaluate(ass, same[: n // 2], 1000)
    assert not fewer.confirmed


def test_planted_two_vote_overstatement_escalates() -> None:
    """A record shows 张三 approved but the paper does not: e = 1 for 'votes > N/2'."""
    ass = _assertions()
    n = rla.initial_sample_size(ass[0].diluted_margin)
    comps = [({"主任": {"张三"}}, {"主任": {"张三"}})] * (n - 1) + [({"主任": {"张三"}}, {"主任": set()})]
    out = rla.evaluate(ass, comps, 1000)
    assert not out.confirmed and out.risks[0].o2 == 1
    assert out.next_size > n and not out.full_count
    assert f"需扩大抽样至 {out.next_size} 张" in out.message
    # A missing record (paper D not counted) is charged the worst case as well.
    out2 = rla.evaluate(ass, [(None, {"主任": {"张三"}})] + comps[:-1], 1000)
    assert not out2.confirmed


def test_escalates_to_full_count_when_margin_vanishes() -> None:
    ass = rla.plurality_assertions("委员", ["A"], ["B"], {"A": 10, "B": 9}, 20)
    comps = [({"委员": {"A"}}, {"委员": {"B"}})] * 3
    out = rla.evaluate(ass, comps, 20)
    assert out.full_count and out.next_size == 20 and "全面人工重新计票" in out.message


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
