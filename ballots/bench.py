"""Printing speed: papers per second of render_ballots against plain reportlab pages of the same text.

``bench_ballots(n)`` is what ``make bench`` calls. The baseline draws, page after page, the
same text as a ballot, front and back (including the receipt code) but no QR codes and no shared form, so
the ratio shows what the two QR codes per paper cost after the form XObject saves the rest.
"""
from __future__ import annotations

import base64
import io
import secrets
import time
from collections.abc import Iterator

from reportlab.pdfgen.canvas import Canvas

from ballots.ballot_paper import draw_back_page, draw_static_page, group_code, paper_layout, render_ballots
from ballots.ballot_spec import BallotSpec, PaperCodes, PostSection
from ballots.fonts import draw_text, font_name


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


def _baseline(spec: BallotSpec, codes: list[PaperCodes]) -> bytes:
    layout = paper_layout(spec)
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(layout.width, layout.height), pageCompression=1, invariant=1)
    for code in codes:
        draw_static_page(canvas, spec, layout)
        draw_text(canvas, layout.t_text[0], layout.t_text[1], group_code(code.t_human), layout.t_size)
        canvas.showPage()
        draw_back_page(canvas, layout)  # each paper is two pages (front, back with the audit QR)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def bench_ballots(n: int = 1000) -> dict[str, float]:
    """Time ``n`` ballot papers and ``n`` text-only pages; returns rates, sizes and their ratio."""
    font_name()  # font parsing is a one-off per process, not part of either rate
    spec = sample_spec()
    codes = list(_throwaway_codes(n))
    started = time.perf_counter()
    out = io.BytesIO()
    render_ballots(spec, iter(codes), out)
    ballots_s = time.perf_counter() - started
    started = time.perf_counter()
    baseline = _baseline(spec, codes)
    baseline_s = time.perf_counter() - started
    ballots_rate, baseline_rate = n / ballots_s, n / baseline_s
    return {
        "papers": n,
        "ballots_seconds": round(ballots_s, 3),
        "ballots_per_second": round(ballots_rate, 1),
        "ballots_kb_per_paper": round(len(out.getvalue()) / 1024 / n, 2),
        "text_only_seconds": round(baseline_s, 3),
        "text_only_pages_per_second": round(baseline_rate, 1),
        "text_only_kb_per_page": round(len(baseline) / 1024 / n, 2),
        "ratio_ballots_to_text_only": round(ballots_rate / baseline_rate, 3),
    }


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(bench_ballots(int(sys.argv[1]) if len(sys.argv) > 1 else 1000), ensure_ascii=False, indent=2))
