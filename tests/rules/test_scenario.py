"""Scenario runner: docs/TALLY.md's worked examples run as written; malformed scenarios
are refused in Chinese naming the field path."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from election.rules.scenario import ScenarioError, run_scenario

DOC = Path(__file__).resolve().parents[2] / "docs" / "TALLY.md"


def _examples() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    text = DOC.read_text(encoding="utf-8")
    scen = re.findall(r"```json scenario\n(.*?)```", text, re.S)
    exp = re.findall(r"```json expected\n(.*?)```", text, re.S)
    assert len(scen) == len(exp) >= 2
    return [(json.loads(s), json.loads(e)) for s, e in zip(scen, exp)]


def _contains(got: Any, want: Any, path: str = "") -> None:
    if isinstance(want, dict):
        assert isinstance(got, dict), path
        for k, v in want.items():
            assert k in got, f"{path}.{k} missing"
            _contains(got[k], v, f"{path}.{k}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), path
        for i, (g, w) in enumerate(zip(got, want)):
            _contains(g, w, f"{path}[{i}]")
    else:
        assert got == want, f"{path}: {got!r} != {want!r}"


@pytest.mark.parametrize("index", [0, 1])
def test_doc_examples_match_engine(index: int) -> None:
    """docs/TALLY.md examples (RULES.md Validity/Winning) give the stated output."""
    scenario, expected = _examples()[index]
    result = run_scenario(scenario)
    _contains(result, expected)
    json.dumps(result, ensure_ascii=False)  # JSON-safe


def _base() -> dict[str, Any]:
    return _examples()[0][0]


@pytest.mark.parametrize("mutate,needle", [
    (lambda d: d["papers"][2]["marks"].__setitem__("jwh_zhuren", "a"), "papers[2].marks.jwh_zhuren"),
    (lambda d: d["papers"][0]["marks"].__setitem__("jwh_x", ["a"]), "papers[0].marks.jwh_x"),
    (lambda d: d["posts"][1].__setitem__("seats", 0), "posts[1].seats"),
    (lambda d: d["posts"][0].__setitem__("body", "dw"), "posts[0].body"),
    (lambda d: d["candidates"][3].pop("name"), "candidates[3].name"),
    (lambda d: d.__setitem__("rulebook", "hainan"), "rulebook"),
    (lambda d: d.__setitem__("rulebook", {"changes": {"runoff_floor": 0.3}}), "runoff_floor"),
    (lambda d: d.__setitem__("papers_returned", 199), "papers_returned"),
    (lambda d: d.__setitem__("registered_voters", "300"), "registered_voters"),
    (lambda d: d.__setitem__("held", [{"post": "jwh_zhuren", "seats": 0, "ranked": []}]), "held[0].seats"),
    (lambda d: d.__setitem__("held", [{"post": "jwh_zhuren", "seats": 1, "ranked": [{"person": "a"}]}]),
     "held[0].ranked[0].votes"),
])
def test_malformed_scenarios_refused(mutate: Any, needle: str) -> None:
    d = _base()
    mutate(d)
    with pytest.raises(ScenarioError) as e:
        run_scenario(d)
    assert needle in str(e.value)
