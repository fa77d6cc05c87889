"""Bodies and posts (RULES.md "Bodies and posts"): 居委会 5–9 odd, 监督委员会 3–5."""

from __future__ import annotations

import pytest

from election.rules.bodies import BodiesConfig, BodiesError
from election.rules.presets import PRESETS


@pytest.mark.parametrize("fu,wei", [(1, 3), (2, 2), (1, 5), (2, 6)])
def test_jwh_odd_sizes_5_to_9_accepted(fu: int, wei: int) -> None:
    cfg = BodiesConfig.build(fu, wei, 0, 2)
    assert cfg.jwh_total in (5, 7, 9)
    assert sum(p.seats for p in cfg.posts() if p.body == "jwh") == cfg.jwh_total


@pytest.mark.parametrize("fu,wei,total", [(1, 4, 6), (1, 2, 4), (2, 8, 11)])
def test_jwh_even_or_out_of_range_refused(fu: int, wei: int, total: int) -> None:
    with pytest.raises(BodiesError) as e:
        BodiesConfig.build(fu, wei, 0, 2)
    assert f"居民委员会成员总数为 {total} 人，须为 5–9 人之间的奇数" in e.value.messages


def test_jwh_vice_chairs_1_to_2() -> None:
    with pytest.raises(BodiesError, match="居民委员会副主任为 3 人"):
        BodiesConfig.build(3, 3, 0, 2)


@pytest.mark.parametrize("fu,wei,ok", [(0, 2, True), (1, 3, True), (0, 1, False), (1, 4, False)])
def test_jdw_size_3_to_5(fu: int, wei: int, ok: bool) -> None:
    if ok:
        assert BodiesConfig.build(1, 3, fu, wei).jdw_total == 1 + fu + wei
    else:
        with pytest.raises(BodiesError, match="居务监督委员会成员总数"):
            BodiesConfig.build(1, 3, fu, wei)


def test_shanghai_allows_supervisory_committee_of_7() -> None:
    assert BodiesConfig.build(1, 3, 1, 5, PRESETS["shanghai"]).jdw_total == 7


def test_posts_ranked_and_thresholds_from_rulebook() -> None:
    specs = BodiesConfig.build(2, 4, 0, 2).post_specs(PRESETS["national"], reserved_woman_seats=1)
    assert [s.key for s in specs] == ["jwh_zhuren", "jwh_fu_zhuren", "jwh_weiyuan", "jdw_zhuren", "jdw_weiyuan"]
    assert [s.rank for s in specs] == sorted([s.rank for s in specs], reverse=True)
    th = {s.key: s.threshold for s in specs}
    assert th["jdw_weiyuan"] == "plurality" and th["jdw_zhuren"] == "majority"
    assert next(s for s in specs if s.key == "jwh_weiyuan").reserved_woman_seats == 1
