"""Hand-computed law cases of issue 16, run through `juxuan tally` exactly as a committee
would: each file of tests/rules/law_cases/ holds a scenario in the docs/TALLY.md format,
the arithmetic done by hand ("hand"), and either the expected output (contained in the
real output) or the Chinese error the command must print ("error")."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from election.counting.scenario_file import tally_file
from election.errors import UserError
from tests.rules.test_scenario import _contains

JUXUAN = str(Path(sys.executable).with_name("juxuan"))
CASES = sorted((Path(__file__).parent / "law_cases").glob("*.json"))


def _case(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_law_case(path: Path, tmp_path: Path) -> None:
    case = _case(path)
    assert case["rule"] and case["hand"], "every case names its rule and shows the arithmetic"
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps(case["scenario"], ensure_ascii=False), encoding="utf-8")
    if "error" in case:
        with pytest.raises(UserError) as caught:
            tally_file(str(scenario))
        assert case["error"] in str(caught.value), case["rule"]
        return
    _contains(json.loads(tally_file(str(scenario))), case["expected"])


def test_the_command_itself(tmp_path: Path) -> None:
    """One case through the installed `juxuan tally` command, output and exit status."""
    case = _case(next(p for p in CASES if p.stem == "woman_full_no_extra_seat"))
    scenario = tmp_path / "s.json"
    scenario.write_text(json.dumps(case["scenario"], ensure_ascii=False), encoding="utf-8")
    done = subprocess.run([JUXUAN, "tally", str(scenario)],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    _contains(json.loads(done.stdout), case["expected"])
    bad = _case(next(p for p in CASES if p.stem == "revote_refuses_write_in"))
    scenario.write_text(json.dumps(bad["scenario"], ensure_ascii=False), encoding="utf-8")
    done = subprocess.run([JUXUAN, "tally", str(scenario)],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 1 and "再次投票" in done.stderr and "Traceback" not in done.stderr


def test_enough_cases() -> None:
    assert len(CASES) >= 78
