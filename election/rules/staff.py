"""Who may count (RULES.md "Counting and results"): candidates and their near relatives may
not be scrutineers, counters, readers or writers [P:BJ, SH, ZJ], and a voter's paper may be
written by another (代写) only by someone who is not a candidate or a candidate's near
relative [V art.15] [P:SH]. Pure: people are given as ids with their names."""
from __future__ import annotations

from collections.abc import Iterable, Mapping

STAFF_ROLES: dict[str, str] = {
    "scrutineer": "监票人",
    "counter": "计票人",
    "reader": "唱票人",
    "writer": "记票人",
}


def barred(person: str, candidates: Mapping[str, str], relatives: Mapping[str, Iterable[str]]) -> str:
    """Why this person may not count or write for a voter (Chinese), or "" when they may.
    ``candidates``: candidate person id -> name; ``relatives``: person id -> near relatives."""
    if person in candidates:
        return "是候选人"
    near = [candidates[r] for r in relatives.get(person, ()) if r in candidates]
    if near:
        return f"是候选人{'、'.join(sorted(near))}的近亲属"
    return ""


def staff_problems(staff: Iterable[tuple[str, str, str]], candidates: Mapping[str, str],
                   relatives: Mapping[str, Iterable[str]]) -> list[str]:
    """Each (role, person id, name) that may not serve, as a Chinese sentence naming the rule."""
    out = []
    for role, person, name in staff:
        why = barred(person, candidates, relatives)
        if why:
            out.append(f"{STAFF_ROLES.get(role, role)}“{name}”{why}，不能担任"
                       "（候选人及其近亲属不得担任监票、计票、唱票、记票人员）")
    return out
