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


_HOSTILE_VALUES: list[Any] = [None, True, False, 0, -1, 1, 2, 10**6, 10**12, 10**30, -10**30, 0.5, 1e308, float("nan"),
                              float("inf"), "", "x", "jwh_zhuren", [], {}, [None], {"a": 1}, "0.5", "1/3", 2**63, "天"]


def _mutated_scenario(rng: Any) -> dict[str, Any]:
    """A docs/TALLY.md example with one to four nodes replaced by a hostile value, dropped,
    repeated (up to 50 times) or added under a field name the format uses."""
    import copy

    d = copy.deepcopy(_examples()[rng.randrange(2)][0])
    for _ in range(rng.randint(1, 4)):
        spots: list[tuple[Any, Any]] = []

        def walk(node: Any) -> None:
            items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
            for k, v in list(items):
                spots.append((node, k))
                walk(v)

        walk(d)
        parent, k = rng.choice(spots)
        r = rng.random()
        if r < 0.55:
            old = parent[k]
            parent[k] = (old + rng.choice([-1, 1, -old, 10 ** rng.randint(1, 15)])
                         if isinstance(old, int) and not isinstance(old, bool) and rng.random() < 0.5
                         else rng.choice(_HOSTILE_VALUES))
        elif r < 0.7:
            parent.pop(k)
        elif r < 0.85 and isinstance(parent, list):
            parent.extend(copy.deepcopy(parent[k]) for _ in range(rng.choice([1, 2, 50])))
        elif isinstance(parent, dict):
            parent[rng.choice(["extra", "count", "marks", "changes", "seats", "held", "rulebook"])] = rng.choice(_HOSTILE_VALUES)
    return d


def _tally_or_refuse(rng: Any) -> None:
    import time

    scenario = _mutated_scenario(rng)
    started = time.monotonic()
    try:
        json.dumps(run_scenario(scenario), ensure_ascii=False)
    except ScenarioError as error:
        assert str(error)
    assert time.monotonic() - started < 10


def test_mutated_scenarios_are_tallied_or_refused() -> None:
    """Structure-aware fuzzing of `juxuan tally` scenarios (66,000 ran without a traceback
    when this was added): a result or a ScenarioError, never another exception."""
    import random

    rng = random.Random(7)
    for _ in range(150):
        _tally_or_refuse(rng)


@pytest.mark.soak
def test_ten_minutes_of_mutated_scenarios() -> None:
    import random
    import time

    rng = random.Random(20261130)
    end, done = time.monotonic() + 600, 0
    while time.monotonic() < end:
        _tally_or_refuse(rng)
        done += 1
    print(f"{done} mutated scenarios")
