"""Printing speed: papers per second of render_ballots as a ratio to the printing floor.

``bench_ballots(n)`` is what ``make bench`` calls. The floor is reportlab drawing the same
static page once as a form, placing it on every page with the variable text (the receipt
code), and encoding both QR codes of each paper without drawing them: what any printer of
these papers must do. The ratio shows what drawing the codes and everything else costs.
"""
from __future__ import annotations

import base64
import io
import json
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from reportlab.pdfgen.canvas import Canvas

from ballots.ballot_paper import draw_back_page, draw_static_page, group_code, paper_layout, render_ballots
from ballots.ballot_spec import BallotSpec, PaperCodes, PostSection
from ballots.fonts import draw_text, font_name
from ballots.qr import qr_matrix

ROOT = Path(__file__).resolve().parent.parent


def sample_spec() -> BallotSpec:
    """A full A4 paper: both bodies, five posts, seventeen candidates."""
    return BallotSpec(
        title="幸福里社区第十二届居民委员会和居务监督委员会成员选举选票",
        election="幸福里社区 2027 年换届选举",
        date="2027年3月15日",
        round="第一轮",
        sections=(
            PostSection("居民委员会", "主任", 1, ("王建国", "李秀英")),
            PostSection("居民委员会", "副主任", 2, ("刘䶮", "张伟", "陈静")),
            PostSection("居民委员会", "委员", 5, ("马丽", "王芳", "李娜", "杨洋", "赵磊", "黄敏")),
            PostSection("居务监督委员会", "主任", 1, ("周强", "吴刚")),
            PostSection("居务监督委员会", "委员", 3, ("孙丽", "郑涛", "冯雪", "钱坤")),
        ),
        key_fingerprint="3f9a1c0b7d2e4f5a6b7c8d9e0f1a2b3c",
        committee="幸福里社区居民选举委员会",
        verify_hint="https://jx.example.cn/r",
    )


def _throwaway_codes(n: int) -> Iterator[PaperCodes]:
    # Random stand-ins shaped like real codes (128 bits, base32): benchmark only, never kept.
    for _ in range(n):
        t = base64.b32encode(secrets.token_bytes(16)).decode().rstrip("=")
        a = base64.b32encode(secrets.token_bytes(16)).decode().rstrip("=")
        yield PaperCodes(t[:16], f"https://jx.example.cn/r/{t}", a)


def _floor(spec: BallotSpec, codes: list[PaperCodes], out: BinaryIO) -> None:
    """The printing floor: reportlab drawing the same static front and back once (form
    XObjects) placed on the two pages of every paper, the variable text of each paper, and
    its two QR codes encoded (qr_matrix) but not drawn."""
    layout = paper_layout(spec)
    canvas = Canvas(out, pagesize=(layout.width, layout.height), pageCompression=1, invariant=1)
    canvas.beginForm("floor")
    draw_static_page(canvas, spec, layout)
    canvas.endForm()
    canvas.beginForm("floor_back")
    draw_back_page(canvas, layout)
    canvas.endForm()
    for code in codes:
        canvas.doForm("floor")
        draw_text(canvas, layout.t_text[0], layout.t_text[1], group_code(code.t_human), layout.t_size)
        qr_matrix(code.t_qr)
        qr_matrix(code.a_qr)
        canvas.showPage()
        canvas.doForm("floor_back")  # each paper is two pages (front, back with the audit QR)
        canvas.showPage()
    canvas.save()


def _timed(work: Callable[[BinaryIO], object]) -> tuple[float, float, int]:
    """(seconds, process CPU seconds, bytes) of writing one PDF into a temp file."""
    with tempfile.TemporaryFile() as out:
        wall, cpu = time.perf_counter(), time.process_time()
        work(out)
        return time.perf_counter() - wall, time.process_time() - cpu, out.tell()


def bench_ballots(n: int = 2000, repeat: int = 2,
                  memory_papers: tuple[int, int] = (1000, 5000)) -> dict[str, float | str]:
    """Papers/s of ``render_ballots`` as a ratio to the printing floor, best of ``repeat``
    each (process CPU time: the machine is shared), interleaved in the same run; then the
    peak memory of printing each of ``memory_papers`` in a fresh process (about equal when
    the pages stream to the file)."""
    font_name()  # font parsing is a one-off per process, not part of either rate
    spec = sample_spec()
    codes = list(_throwaway_codes(n))
    ballots, floors = [], []
    for _ in range(repeat):
        floors.append(_timed(lambda out: _floor(spec, codes, out)))
        ballots.append(_timed(lambda out: render_ballots(spec, iter(codes), out)))
    b, f = min(ballots, key=lambda x: x[1]), min(floors, key=lambda x: x[1])
    small, large = (_peak_child(papers) for papers in memory_papers)
    return {
        "ratio": round(f[1] / b[1], 3),
        "papers": n,
        "ballots_per_cpu_second": round(n / b[1], 1),
        "floor_pages_per_cpu_second": round(n / f[1], 1),
        "ballots_wall_s": round(b[0], 3),
        "floor_wall_s": round(f[0], 3),
        "ballots_kb_per_paper": round(b[2] / 1024 / n, 2),
        "floor_kb_per_page": round(f[2] / 1024 / n, 2),
        "floor": "same static form once + variable text + both QR codes encoded, not drawn",
        # Peak resident memory of a fresh process printing each number of papers into a file.
        f"peak_mb_{memory_papers[0]}_papers": small["peak_mb"],
        f"peak_mb_{memory_papers[1]}_papers": large["peak_mb"],
        "peak_mb_before_printing": large["before_mb"],
    }


def _vm_hwm_mb() -> float:
    """This process's peak resident memory (VmHWM starts afresh at exec)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _peak_child(n: int) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-m", "ballots.bench", "--peak", str(n)], cwd=ROOT,
                         capture_output=True, text=True, timeout=1800, check=True)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _peak(n: int) -> None:
    font_name()
    spec = sample_spec()
    before = _vm_hwm_mb()
    with tempfile.TemporaryFile() as out:
        render_ballots(spec, _throwaway_codes(n), out)
    print(json.dumps({"papers": n, "before_mb": before, "peak_mb": _vm_hwm_mb()}))


def _baseline(spec: BallotSpec, codes: list[PaperCodes]) -> bytes:
    """The printing floor into memory (tools.bench_polling compares the service with it)."""
    out = io.BytesIO()
    _floor(spec, codes, out)
    return out.getvalue()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--peak"]:
        _peak(int(sys.argv[2]))
        sys.exit(0)
    print(json.dumps(bench_ballots(int(sys.argv[1]) if len(sys.argv) > 1 else 1000), ensure_ascii=False, indent=2))
