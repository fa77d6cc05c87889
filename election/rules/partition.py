"""Representative constituencies (推选片区) for the household method of choosing 居民代表.

RULES.md "Bodies and posts": one representative per 30-50 households [seed 江苏 §9]. The
proposal cuts the households, in address order, into contiguous areas of lo..hi
households. Priorities, in order (lexicographic cost of a dynamic programme over the
ordered households, so the answer is optimal, not greedy):
1. cut inside buildings as few times as possible (so a big building gets the fewest parts);
2. a building of lo..hi households forms an area alone;
3. when a building must be cut, cut at unit boundaries;
4. make the parts near-equal (least sum of squared sizes).

Existence: n households can be cut into parts of lo..hi iff some k has k*lo <= n <= k*hi,
i.e. ceil(n/hi) <= floor(n/lo). When hi >= 2*lo - 1 every n >= lo qualifies (the ranges
[k*lo, k*hi] then overlap); for narrower bounds there are gaps (lo=30, hi=35: 36..59 fail).
The programme finds a partition whenever one exists, and says so in Chinese when not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .phrase import phrase

_DIGITS = re.compile(r"(\d+)")


class PartitionError(ValueError):
    """No partition / refused area; the message is Chinese and gives the numbers."""


@dataclass(frozen=True)
class Household:
    household_id: str
    building: str
    unit: str
    room: str


@dataclass(frozen=True)
class Area:
    number: int
    households: tuple[Household, ...]
    explanation: str

    @property
    def count(self) -> int:
        return len(self.households)


def natural_key(text: str) -> tuple[tuple[int, int, str], ...]:
    """Natural order key: digit runs compare as numbers ("3单元" before "10单元")."""
    parts = _DIGITS.split(text.strip())
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts if p != "")


def address_key(h: Household) -> tuple[object, ...]:
    return (natural_key(h.building), natural_key(h.unit), natural_key(h.room), h.household_id)


def order_households(households: Sequence[Household]) -> list[Household]:
    """Households in natural address order (building, unit, room)."""
    return sorted(households, key=address_key)


def feasible(n: int, lo: int, hi: int) -> bool:
    """True when n households can be cut into parts of lo..hi."""
    return n > 0 and -(-n // hi) <= n // lo


def _describe(number: int, part: Sequence[Household], building_sizes: dict[str, int]) -> str:
    pieces: list[str] = []
    i = 0
    while i < len(part):
        j = i
        while j < len(part) and part[j].building == part[i].building:
            j += 1
        b = part[i].building
        first, last = part[i], part[j - 1]
        if j - i == building_sizes[b]:
            pieces.append(f"{b}全部（{j - i}户）")
        else:
            start = f"{first.unit}{first.room}室" if first.unit else f"{first.room}室"
            end = f"{last.unit}{last.room}室" if last.unit else f"{last.room}室"
            pieces.append(f"{b}{start}至{end}（{j - i}户）")
        i = j
    return f"第{number}片区：" + "、".join(pieces) + f"，共{len(part)}户"


def propose(households: Sequence[Household], lo: int = 30, hi: int = 50) -> list[Area]:
    """Cut the community into areas of lo..hi households (see the module docstring)."""
    if lo < 1 or hi < lo:
        raise PartitionError(f"片区户数范围无效：下限{lo}户，上限{hi}户")
    hs = order_households(households)
    n = len(hs)
    if not feasible(n, lo, hi):
        if n < lo:
            raise PartitionError(f"全社区共{n}户，少于每个片区的下限{lo}户，无法划分推选片区")
        raise PartitionError(
            f"全社区共{n}户，无法分成每片{lo}至{hi}户的片区（{n}不在任何k×{lo}至k×{hi}之间），请调整户数范围"
        )
    building_sizes: dict[str, int] = {}
    for h in hs:
        building_sizes[h.building] = building_sizes.get(h.building, 0) + 1
    # cut position p is between hs[p-1] and hs[p]
    inside_building = [False] * (n + 1)
    inside_unit = [False] * (n + 1)
    for p in range(1, n):
        if hs[p - 1].building == hs[p].building:
            inside_building[p] = True
            inside_unit[p] = hs[p - 1].unit == hs[p].unit
    # first lo..hi building starting at or after each position
    good: list[tuple[int, int]] = []
    start = 0
    for p in range(1, n + 1):
        if p == n or hs[p].building != hs[start].building:
            if lo <= p - start <= hi:
                good.append((start, p))
            start = p
    next_good: list[tuple[int, int] | None] = [None] * (n + 1)
    idx = 0
    for p in range(n + 1):
        while idx < len(good) and good[idx][0] < p:
            idx += 1
        next_good[p] = good[idx] if idx < len(good) else None

    INF = (10**9, 0, 0, 0)
    best: list[tuple[int, int, int, int]] = [INF] * (n + 1)
    back = [-1] * (n + 1)
    best[0] = (0, 0, 0, 0)
    for j in range(lo, n + 1):
        cut_split = 1 if inside_building[j] else 0
        cut_unit = 1 if inside_unit[j] else 0
        for size in range(lo, min(hi, j) + 1):
            i = j - size
            prev = best[i]
            if prev[0] >= 10**9:
                continue
            g = next_good[i]
            mixed = 1 if g is not None and g[1] <= j and g != (i, j) else 0
            cost = (prev[0] + cut_split, prev[1] + mixed, prev[2] + cut_unit, prev[3] + size * size)
            if cost < best[j]:
                best[j] = cost
                back[j] = i
    cuts: list[int] = []
    j = n
    while j > 0:
        cuts.append(j)
        j = back[j]
    cuts.reverse()
    areas: list[Area] = []
    i = 0
    for number, j in enumerate(cuts, start=1):
        part = tuple(hs[i:j])
        areas.append(Area(number, part, _describe(number, part, building_sizes)))
        i = j
    return areas


@dataclass(frozen=True)
class AreaCheck:
    ok: bool
    reason: str


def check_area(
    households: Sequence[Household],
    lo: int = 30,
    hi: int = 50,
    ordered_community: Sequence[Household] | None = None,
) -> AreaCheck:
    """Check a hand-adjusted area: lo..hi households and, when the whole community is
    given, contiguous in address order."""
    n = len(households)
    if n < lo:
        return AreaCheck(False, f"该片区共{n}户，少于下限{lo}户（每30至50户推选1名居民代表）")
    if n > hi:
        return AreaCheck(False, f"该片区共{n}户，多于上限{hi}户（每30至50户推选1名居民代表）")
    if len({h.household_id for h in households}) != n:
        return AreaCheck(False, "该片区中有重复的户")
    if ordered_community is not None:
        position = {h.household_id: k for k, h in enumerate(order_households(ordered_community))}
        missing = [h.household_id for h in households if h.household_id not in position]
        if missing:
            return AreaCheck(False, f"户号{missing[0]}不在本社区户册中")
        ks = sorted(position[h.household_id] for h in households)
        if ks[-1] - ks[0] + 1 != n:
            return AreaCheck(False, "该片区的户在地址顺序上不连续，中间夹有其他片区的户")
    return AreaCheck(True, f"该片区共{n}户，符合{lo}至{hi}户的要求")


def representatives_total_warning(n: int, lo: int = 50, hi: int = 100, may_exceed: bool = True) -> str | None:
    """Warn when the number of 居民代表 leaves the usual 50-100 range [seed 江苏 §9]; above
    the range, a larger community may decide more only where the rulebook allows it
    (rep_total_larger_may_exceed)."""
    if n < lo:
        return phrase("居民代表共%(n)s名，少于一般要求的%(lo)s名", n=n, lo=lo)
    if n > hi and may_exceed:
        return phrase("居民代表共%(n)s名，多于一般要求的%(hi)s名（规模较大的社区经决定可适当增加，请记录决定）", n=n, hi=hi)
    if n > hi:
        return phrase("居民代表共%(n)s名，多于上限%(hi)s名；本选举规则不允许增加，请减少推选名额", n=n, hi=hi)
    return None


def group_size_warnings(sizes: dict[str, int], lo: int, hi: int) -> list[str]:
    """Each 居民小组 outside lo..hi households [seed 江苏 §8: 100–150 户], by name."""
    out: list[str] = []
    for name in sorted(sizes, key=natural_key):
        n = sizes[name]
        if n < lo:
            out.append(phrase("%(group)s共%(n)s户，少于居民小组户数下限%(lo)s户", group=name, n=n, lo=lo))
        elif n > hi:
            out.append(phrase("%(group)s共%(n)s户，多于居民小组户数上限%(hi)s户", group=name, n=n, hi=hi))
    return out
