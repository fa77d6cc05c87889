"""Hand-computed law cases of issue 16, run through `juxuan tally` exactly as a committee
would: each file of tests/rules/law_cases/ holds a scenario in the docs/TALLY.md format,
the arithmetic done by hand ("hand"), and either the expected output (contained in the
real output) or the Chinese error the command must print ("error")."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
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
    if "call" in case:
        _call_case(case)
        return
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps(case["scenario"], ensure_ascii=False), encoding="utf-8")
    if "error" in case:
        with pytest.raises(UserError) as caught:
            tally_file(str(scenario))
        assert case["error"] in str(caught.value), case["rule"]
        return
    _contains(json.loads(tally_file(str(scenario))), case["expected"])


def _share(raw: str, preset: str) -> Fraction:
    """A share as a case writes it: "p/q", or the name of a rulebook parameter (its value in
    the case's preset), so the case also checks the parameter's default."""
    from election.rules.presets import PRESETS

    return Fraction(raw) if "/" in raw else Fraction(getattr(PRESETS[preset], raw))


def _call_case(case: dict[str, Any]) -> None:
    """A law case of the rules that are not a paper's tally (election/rules/meetings.py and
    recall.py): the selection meetings of 居民小组长 and 居民代表, a meeting's quorum and
    decision by show of hands, the requests that call a meeting or propose a recall, the
    differential margins of nomination and the bodies' sizes."""
    from election.rules import meetings, nomination, recall
    from election.rules.bodies import bodies_errors
    from election.rules.presets import PRESETS

    call = case["call"]
    args = dict(call["args"])
    preset = call.get("preset", "national")
    for key in ("quorum", "share"):
        if key in args:
            args[key] = _share(args[key], preset)
    for key in ("min_margin", "max_margin"):  # a margin, or the name of its rulebook parameter
        if isinstance(args.get(key), str):
            args[key] = getattr(PRESETS[preset], args[key])
    if call["function"] == "bodies":
        args["rb"] = PRESETS[preset]
    function = {"select": meetings.select, "quorum": meetings.quorum, "decision": meetings.decision,
                "request": recall.request, "differential": nomination.check_differential,
                "bodies": bodies_errors}[call["function"]]
    out = function(**args)
    if out is None or isinstance(out, (str, list)):  # a refusal in words, or none
        text = "；".join(out) if isinstance(out, list) else out or ""
        got = {"refused": bool(out)}
    else:
        text = "".join(out.messages) if hasattr(out, "messages") else out.message
        got = {f: getattr(out, f) for f in case["expected"] if f != "message"}
    assert got == {k: v for k, v in case["expected"].items() if k != "message"}, case["rule"]
    if "message" in case["expected"]:
        assert case["expected"]["message"] in text, text


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


def _bundle_inputs(scenario: dict[str, Any]) -> dict[str, Any]:
    """What a bundle carries for the verifiers' `winners` check of this scenario: the tally
    input without papers, the rulebook in force and the counts of its papers (totals.json)."""
    from election.rules.scenario import input_to_dict, parse_scenario
    from election.rules.tally_count import count_papers

    inp = parse_scenario(scenario)
    rb = inp.rulebook
    counts = count_papers(inp.posts, inp.papers, rb.overvote_scope, rb.multi_post_rule, bool(inp.body_papers))
    ti = {k: v for k, v in input_to_dict(inp, papers=False).items() if k not in ("rulebook", "papers_returned")}
    totals = {"round": 1, "returned": inp.papers_returned,
              "posts": {k: dict(pc.votes) for k, pc in counts.posts.items()},
              "counts": {"whole_invalid": counts.whole_invalid,
                         "posts": {k: {"overvoted": pc.overvoted, "unreadable": pc.unreadable, "opposed": dict(pc.opposed)}
                                   for k, pc in counts.posts.items()}},
              "result": {"elected": {}}}
    return {"tally_input": ti, "rulebook": rb.to_dict(), "totals": totals}


def test_the_verifiers_decide_every_law_case_as_the_tally(tmp_path: Path) -> None:
    """Every law case that counts (not an "error" case) decided again from what a bundle
    carries: the Python verifier's path (election/protocol/verify_tally) gives exactly the
    validity, winners, next round and next paper of `juxuan tally`, and so does the browser
    verifier's rules engine (tools/verify/web/juxuan-rules.js) under node."""
    import shutil

    from election.protocol.verify_tally import _summary
    from election.rules.scenario import run_scenario
    from tests.protocol.tally_cases import decide

    listed = []
    for path in CASES:
        case = _case(path)
        if "error" in case or "call" in case:
            continue
        # A per-body layout with whole papers void counts them per body, which totals.json
        # does not split; no law case has one.
        entry = {"name": path.stem, **_bundle_inputs(case["scenario"])}
        entry["python"] = decide(entry)
        assert entry["python"] == _summary(run_scenario(case["scenario"])), path.stem
        listed.append(entry)
    node = shutil.which("node")
    if node is None:
        pytest.skip("node (>= 20) is not installed")
    (tmp_path / "law.json").write_text(json.dumps(listed, ensure_ascii=False), "utf-8")
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([node, "--test", str(root / "tools" / "verify" / "web" / "test" / "rules.test.js")], cwd=root,
                          env={**__import__("os").environ, "JUXUAN_TALLY_CASES": str(tmp_path / "law.json")},
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0 and "# pass 1" in done.stdout, done.stdout[-4000:] + done.stderr[-2000:]
