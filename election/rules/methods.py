"""The three election methods (RULES.md "Validity": more than half of registered voters
took part — household method: of household representatives; representative method: of
representatives) as plain values: who the electors are, what the turnout and thresholds
are counted on, and how each is named on pages, notices, reports and in the bundle.

- 全体选民直选 (direct): every registered voter is an elector and gets a paper.
- 户代表选举 (household): each household designates one representative in writing; the
  electors are the designated representatives, one paper per household.
- 居民代表选举 (representative): the electors are the 居民代表 chosen in the
  representatives stage.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Method:
    key: str
    name_zh: str
    electors_zh: str  # who the electors are, as a base: "登记选民", "户代表", "居民代表"
    unit_zh: str  # what one elector stands for on the roll of electors
    source: str


METHODS: dict[str, Method] = {
    "direct": Method("direct", "全体选民直接选举", "登记选民", "人", "[V art.15]"),
    "household": Method("household", "户代表选举", "户代表", "户", "[V art.15] [长春 seed]"),
    "representative": Method("representative", "居民代表选举", "居民代表", "人", "[V art.15] [L2018]"),
}


def method_of(key: str) -> Method:
    """The method of that key; an unknown key is the direct method's label error."""
    try:
        return METHODS[key]
    except KeyError:
        raise ValueError(f"选举方式“{key}”无效，可选：{'、'.join(m.name_zh for m in METHODS.values())}") from None


def basis_line(key: str, electors: int) -> str:
    """The sentence every notice and report prints: the method and its base."""
    m = method_of(key)
    return f"选举方式：{m.name_zh}；参加投票和当选票数以{m.electors_zh}计算（{m.electors_zh} {electors} 人）。"


def designation_problems(household_voters: list[int], household_members: list[int], chosen: int,
                         designation: str, already: int | None) -> list[str]:
    """Why a household representative may not be recorded (Chinese); empty when sound.

    ``household_voters``: the registered voters of the household; ``household_members``:
    all its residents; ``chosen``: the resident designated; ``already``: the resident
    designated before, if any (a household has one representative)."""
    out = []
    if chosen not in household_members:
        out.append("户代表须为本户居民")
    elif chosen not in household_voters:
        out.append("户代表须为本户的登记选民")
    if not designation.strip():
        out.append("须写明本户书面推选户代表的情况（由谁签字推选、书面材料编号）")
    if already is not None and already != chosen:
        out.append("本户已推选户代表，每户只有一名户代表；更换须先撤销原推选")
    return out
