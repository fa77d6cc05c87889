"""推选片区 (RULES.md "居民代表": 1 per 30-50 households [seed 江苏 §9]): contiguous areas of
lo..hi households, buildings kept whole wherever the bounds allow."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from election.rules import partition as pt


def community(sizes: list[list[int]]) -> list[pt.Household]:
    """sizes[b][u] households in unit u of building b (1-based names, rooms 1..k)."""
    out = []
    for b, units in enumerate(sizes, start=1):
        for u, k in enumerate(units, start=1):
            for r in range(1, k + 1):
                out.append(pt.Household(f"{b}-{u}-{r}", f"{b}栋", f"{u}单元", f"{r}"))
    return out


def check_invariants(hs: list[pt.Household], areas: list[pt.Area], lo: int, hi: int) -> None:
    ordered = pt.order_households(hs)
    flat = [h for a in areas for h in a.households]
    assert flat == ordered  # every household once, contiguous, in address order
    assert all(lo <= a.count <= hi for a in areas)


def test_natural_order_numbers() -> None:
    hs = [pt.Household("a", "10栋", "1单元", "101"), pt.Household("b", "2栋", "10单元", "101"), pt.Household("c", "2栋", "3单元", "101")]
    assert [h.household_id for h in pt.order_households(hs)] == ["c", "b", "a"]


def test_building_within_bounds_is_alone_and_small_ones_combined() -> None:
    hs = community([[40], [10], [12], [15], [45]])
    areas = pt.propose(hs)
    assert [a.count for a in areas] == [40, 37, 45]
    assert areas[0].explanation == "第1片区：1栋全部（40户），共40户"
    assert "2栋全部（10户）" in areas[1].explanation and "4栋全部（15户）" in areas[1].explanation


def test_big_building_split_near_equal_at_unit_boundaries() -> None:
    # fewest cuts inside a building come first: 90 -> 45 + 45 even inside a unit
    assert [a.count for a in pt.propose(community([[30, 30, 30]]))] == [45, 45]
    # with the same number of cuts the unit boundary wins over equal sizes
    assert [a.count for a in pt.propose(community([[40, 50]]))] == [40, 50]
    hs2 = community([[25, 25, 25, 25]])  # 100 -> 50 + 50 at the unit boundary
    assert [a.count for a in pt.propose(hs2)] == [50, 50]
    hs3 = community([[110]])  # no unit boundaries: near-equal parts 37/37/36
    assert sorted(a.count for a in pt.propose(hs3)) == [36, 37, 37]


def test_no_partition_raises_chinese_error() -> None:
    with pytest.raises(pt.PartitionError, match="少于每个片区的下限30户"):
        pt.propose(community([[29]]))
    with pytest.raises(pt.PartitionError, match="无法分成每片30至35户"):
        pt.propose(community([[40]]), lo=30, hi=35)


def test_feasibility_formula_matches_bruteforce() -> None:
    for lo in range(1, 8):
        for hi in range(lo, 16):
            reach = {0}
            for n in range(1, 60):
                ok = any(n - s in reach for s in range(lo, hi + 1))
                if ok:
                    reach.add(n)
                assert pt.feasible(n, lo, hi) == ok, (n, lo, hi)


def test_narrow_bounds_still_exact() -> None:
    hs = community([[20], [20], [20], [11]])  # 71 = 36 + 35
    areas = pt.propose(hs, lo=30, hi=36)
    check_invariants(hs, areas, 30, 36)


def test_check_area_and_totals_warning() -> None:
    hs = community([[40], [40]])
    assert pt.check_area(hs[:29]).reason == "该片区共29户，少于下限30户（每30至50户推选1名居民代表）"
    assert not pt.check_area(hs[:51]).ok
    gap = hs[:20] + hs[25:40]
    assert "不连续" in pt.check_area(gap, ordered_community=hs).reason
    assert pt.check_area(hs[:35], ordered_community=hs).ok
    assert pt.representatives_total_warning(45) == "居民代表共45名，少于一般要求的50名"
    assert "多于一般要求的100名" in (pt.representatives_total_warning(101) or "")
    assert pt.representatives_total_warning(70) is None


buildings = st.lists(st.lists(st.integers(1, 40), min_size=1, max_size=6), min_size=5, max_size=40)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(buildings.filter(lambda b: 800 <= sum(map(sum, b)) <= 3500))
def test_property_random_communities(sizes: list[list[int]]) -> None:
    hs = community(sizes)
    areas = pt.propose(hs)
    check_invariants(hs, areas, 30, 50)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(30, 50), min_size=20, max_size=40), st.data())
def test_property_buildings_within_bounds_never_split(totals: list[int], data: st.DataObject) -> None:
    sizes = []
    for t in totals:
        cut = data.draw(st.integers(0, t - 1))
        sizes.append([x for x in (cut, t - cut) if x > 0])
    hs = community(sizes)
    areas = pt.propose(hs)
    check_invariants(hs, areas, 30, 50)
    for a in areas:
        assert len({h.building for h in a.households}) == 1
        assert "全部" in a.explanation
