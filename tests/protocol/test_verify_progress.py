"""The verifier tells how far the public recount has come (a line on stderr now and then,
python -m tools.verify): every paper is reported once it is checked, and the lines keep off
stdout, which holds the checks alone."""
from __future__ import annotations

import io

from tools.bench_recount_bundle import recount_files
from tools.bench_verify import build_bundle
from tools.verify import ProgressLines, report


def test_each_paper_of_the_recount_is_reported_once_checked() -> None:
    told: list[tuple[str, int, int]] = []
    checks, _ = report(build_bundle(4, boxes=2, extra=recount_files), progress=lambda *a: told.append(a))
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]
    assert told == [("recount_papers", n, 4) for n in (0, 1, 2, 3, 4)]


def test_lines_come_at_most_every_interval_and_once_at_the_end() -> None:
    now = [0.0]
    out = io.StringIO()
    lines = ProgressLines(out, every=10.0, clock=lambda: now[0])
    for done in range(0, 101):
        now[0] = done * 0.5  # half a second a paper: 50 s in all
        lines("recount_papers", done, 100)
    written = out.getvalue().splitlines()
    assert [w.split("，")[0] for w in written] == [f"公开重计：已核对 {n}/100 张选票的密文（{n}%）" for n in (20, 40, 60, 80, 100)]
    assert written[-1].endswith("public recount: 100 of 100 papers checked, 50 s")


def test_a_quick_recount_writes_nothing() -> None:
    out = io.StringIO()
    lines = ProgressLines(out, every=10.0, clock=lambda: 1.0)
    for done in range(0, 5):
        lines("recount_papers", done, 4)
    assert out.getvalue() == ""
