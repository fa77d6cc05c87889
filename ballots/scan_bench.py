"""`make bench`: reading scanned papers, per core, against rasterising the same pages alone.

Papers are printed by render_ballots, rasterised at 200 dpi by PDFium (the floor: what any
reader of a PDF scan must pay), marked (a ○ or × in most boxes) and read: fiducials,
homography, every box, and the back's audit QR. CPU time of this process only (one core).
"""
from __future__ import annotations

import io
import time

import cv2
import numpy as np

from ballots.ballot_paper import render_ballots
from ballots.ballot_spec import BallotSpec, PaperCodes, PostSection
from ballots.mark_map import mark_map
from ballots.scan_reader import Image, audit_qr_of, read_front

SCANNER_PAGES_PER_MINUTE = 50  # a rented counting machine's advertised speed (issue 21)

_SPEC = BallotSpec(
    title="幸福里社区第十二届居民委员会成员选举选票", election="幸福里社区 2027 年换届选举", date="2027年3月15日",
    round="第一轮",
    sections=(PostSection("居民委员会", "主任", 1, ("王建国", "李秀英", "周强")),
              PostSection("居民委员会", "副主任", 1, ("刘洋", "张伟")),
              PostSection("居民委员会", "委员", 5, ("马丽", "王芳", "李娜", "杨洋", "赵磊", "黄敏", "陈静"))),
    key_fingerprint="3f9a1c0b7d2e4f5a6b7c8d9e0f1a2b3c", committee="幸福里社区居民选举委员会",
)


def _pdf(papers: int) -> bytes:
    buf = io.BytesIO()
    codes = [PaperCodes(f"T{i:07d}", f"https://jx.example.cn/r/T{i:07d}", f"JXA:{i:026d}") for i in range(papers)]
    render_ballots(_SPEC, codes, buf)
    return buf.getvalue()


def _rasterise(pdf: bytes, dpi: int) -> list[Image]:
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        out = []
        for page in document:
            array = page.render(scale=dpi / 72, grayscale=True).to_numpy()
            out.append(np.array(array[:, :, 0] if array.ndim == 3 else array, dtype=np.uint8))
        return out
    finally:
        document.close()


def bench_scan(papers: int = 20, dpi: int = 200) -> dict[str, float | int]:
    layout = mark_map(_SPEC)
    pdf = _pdf(papers)
    started = time.process_time()
    pages = _rasterise(pdf, dpi)
    raster = (time.process_time() - started) / len(pages)
    k = dpi / 72
    for n, front in enumerate(pages[0::2]):
        for p, post in enumerate(layout.posts):
            for c, mark in enumerate(post.candidates):
                b = mark.box
                cx, cy, r = int((b.x + b.w / 2) * k), int((layout.height - b.y - b.h / 2) * k), int(b.w * 0.35 * k)
                if (n + p + c) % 3 == 0:
                    cv2.circle(front, (cx, cy), r, 40, 4)
                elif (n + p + c) % 3 == 1:
                    cv2.line(front, (cx - r, cy - r), (cx + r, cy + r), 40, 4)
                    cv2.line(front, (cx - r, cy + r), (cx + r, cy - r), 40, 4)
    started = time.process_time()
    unsure = 0
    for front, back in zip(pages[0::2], pages[1::2], strict=True):
        if audit_qr_of(back) is None:
            raise AssertionError("audit QR not read")
        unsure += read_front(front, layout).unsure
    read = (time.process_time() - started) / len(pages)
    per_paper = 2 * read  # a paper is two pages
    return {
        "ratio": round(read / raster, 2),  # reading a page vs rasterising it
        "pages_per_cpu_s": round(1 / read, 1),
        "papers_per_min_per_core": round(60 / per_paper),
        "vs_50_pages_per_min_scanner": round(60 / read / SCANNER_PAGES_PER_MINUTE, 1),
        "unsure_papers": unsure,
        "pages": len(pages),
    }
