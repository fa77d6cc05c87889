"""What the outside review of the counting law (hand-computed cases in tests/rules/law_cases/,
session 7) found and settled beyond the cases themselves: the void for more papers than
electors, and two explanations a committee reads out that said something else than the
result ([P:BJ] vacancies, [V art.6] the woman member)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from election.rules.scenario import run_scenario

CASES = Path(__file__).parent / "law_cases"


def _scenario(name: str) -> dict[str, Any]:
    scenario: dict[str, Any] = json.loads((CASES / f"{name}.json").read_text(encoding="utf-8"))["scenario"]
    return scenario


def test_more_papers_than_electors_is_void_in_every_election_round() -> None:
    """RULES.md Validity [V art.15]: 7 papers from 5 voters cannot be a vote of the roll; the
    recall's count already voided it (rules.question), the election's counted it as valid."""
    for kind in ("main", "runoff"):
        s = {**_scenario("returned_more_than_registered_void"), "round": kind}
        r = run_scenario(s)
        assert (r["valid"], r["posts"]["jwh_zhuren"]["elected"]) == (False, []), kind
        assert "收回选票 7 张多于登记选民 5 人" in r["reason"]
    # One paper more than issued still gives the issued reason first; equal counts are valid.
    r = run_scenario({**_scenario("returned_more_than_registered_void"), "registered_voters": 7})
    assert r["valid"] and r["posts"]["jwh_zhuren"]["elected"][0]["person"] == "a"


def test_beijing_vacancy_names_the_missing_chair() -> None:
    """[P:BJ] vacancies need >= 3 elected including the 主任: with 3 elected and no 主任 the
    reason read out is the 主任, not "only 3 elected, fewer than 3"."""
    r = run_scenario(_scenario("runoff_vacancy_needs_zhuren_beijing"))
    text = "".join(r["explanation"])
    assert r["bodies"]["jwh"]["status"] == "new_round_needed"
    assert "已当选 3 人，但主任未当选，不能暂缺" in text and "不足 3 人" not in text
    few = run_scenario(_scenario("runoff_below_one_third_too_few_elected"))
    assert "只当选 2 人，不足 3 人，不能暂缺" in "".join(few["explanation"])


def test_woman_nomination_waits_for_the_runoffs_ahead() -> None:
    """[V art.6] [P:ZJ]: nobody of the 居委会 elected and no 委员 section to reserve: with a
    run-off ahead the woman member is looked at after it (next_round runoff), so the
    committee is not told to nominate a woman now."""
    r = run_scenario(_scenario("all_blank_elects_nobody"))
    text = "".join(r["explanation"])
    assert r["next_round"] == "runoff" and r["woman"]["status"] == "needs_round"
    assert "本轮另行选举后仍无妇女当选的，由选举委员会另行提名妇女候选人" in text
    assert "须由选举委员会另行提名妇女候选人后再行选举" not in text


def test_negative_runoff_margin_is_named_once() -> None:
    """[V art.15] run-offs are differential: a margin of -1 is refused as negative, not
    also as "为 0" (the value it is not); 0 is refused as uncontested."""
    from election.rules.rulebook import Rulebook

    negative = Rulebook().with_changes(runoff_extra_candidates=-1).validate()
    assert any("为 -1，不能为负数" in p for p in negative) and not any("为 0" in p for p in negative)
    zero = Rulebook().with_changes(runoff_extra_candidates=0).validate()
    assert any("为 0，但不允许等额选举" in p for p in zero)
