"""The scan test deck: real ballot papers printed by ballots/, rasterised by PDFium, marked by a
program in the ways voters mark (hand-drawn ○ and ×, ticks, filled boxes, light pencil, marks
over the box edge, erasures), then put through what printing and scanning do to a page
(rotation up to 5°, scale, shift, noise, blur, JPEG). Every box's intended reading is kept,
so the reader's answers can be scored: right, flagged unsure, or silently wrong.

``python -m tests.scanning.deck N`` prints the score of an N-page deck and the measures of
every box not read right (used to choose ballots.scan_reader.Thresholds).
"""
from __future__ import annotations

import base64
import io
import math
import random
import sys
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
import pypdfium2

from ballots.ballot_paper import Box, render_ballots
from ballots.ballot_spec import BallotSpec, PaperCodes, PostSection
from ballots.mark_map import MarkMap, mark_map

Image = np.ndarray

A4_SPEC = BallotSpec(
    title="幸福里社区第十二届居民委员会成员选举选票",
    election="幸福里社区 2027 年换届选举",
    date="2027年3月15日",
    round="第一轮",
    sections=(
        PostSection("居民委员会", "主任", 1, ("王建国", "李秀英", "周强")),
        PostSection("居民委员会", "委员", 4, ("马丽", "王芳", "李娜", "杨洋", "赵磊", "黄敏", "陈静", "吴刚")),
    ),
    key_fingerprint="3f9a1c0b7d2e4f5a6b7c8d9e0f1a2b3c",
    committee="幸福里社区居民选举委员会",
)
A5_SPEC = BallotSpec(
    title="幸福里社区居务监督委员会成员选举选票",
    election="幸福里社区 2027 年换届选举",
    date="2027年3月15日",
    round="第一轮",
    sections=(PostSection("居务监督委员会", "委员", 3, ("孙丽", "郑涛", "冯雪", "钱坤", "刘洋", "何琳")),),
    key_fingerprint="3f9a1c0b7d2e4f5a6b7c8d9e0f1a2b3c",
    committee="幸福里社区居民选举委员会",
    paper_size="A5",
)

# style -> (weight, the reading a person would give it: approve, oppose, blank, or unsure
# for marks the paper's instructions give no meaning: a tick, a filled box)
STYLES: dict[str, tuple[int, str]] = {
    "blank": (24, "blank"),
    "circle": (24, "approve"),
    "cross": (20, "oppose"),
    "light_circle": (5, "approve"),
    "light_cross": (4, "oppose"),
    "edge_circle": (5, "approve"),
    "edge_cross": (4, "oppose"),
    "erased": (6, "blank"),
    "tick": (4, "unsure"),
    "filled": (4, "unsure"),
}
DPIS = (150, 200, 300)


@dataclass(frozen=True)
class Mark:
    page: int
    post: int
    index: int  # candidate index within the post
    style: str
    truth: str


@dataclass
class DeckPage:
    spec: BallotSpec
    layout: MarkMap
    image: Image  # the scanned front, greyscale
    marks: list[Mark]
    back: Image | None = None
    audit_qr: str | None = None


def audit_code(rng: random.Random) -> str:
    """A well-formed audit QR payload (JXA: + 26 base-32 characters)."""
    from election.protocol.codes import audit_qr

    return audit_qr(rng.randbytes(16))


def _codes(rng: random.Random, a_qr: str) -> PaperCodes:
    t = base64.b32encode(rng.randbytes(16)).decode().rstrip("=")
    return PaperCodes(t[:16], "https://jx.example.cn/r/" + t, a_qr)


@lru_cache(maxsize=16)
def _printed(spec: BallotSpec, a_qr: str = "JXA:00000000000000000000000000") -> bytes:
    buf = io.BytesIO()
    render_ballots(spec, [_codes(random.Random(a_qr), a_qr)], buf)
    return buf.getvalue()


def rasterise(pdf: bytes, page: int, dpi: float) -> Image:
    document = pypdfium2.PdfDocument(pdf)
    try:
        bitmap = document[page].render(scale=dpi / 72, grayscale=True)
        array = bitmap.to_numpy()
        return np.array(array[:, :, 0] if array.ndim == 3 else array, dtype=np.uint8)
    finally:
        document.close()


@lru_cache(maxsize=16)
def _clean_front(spec: BallotSpec, dpi: int) -> Image:
    image = rasterise(_printed(spec), 0, dpi)
    image.setflags(write=False)
    return image


# ---------------------------------------------------------------------- marks

def _stroke(image: Image, points: list[tuple[float, float]], width: int, shade: int) -> None:
    pts = np.array([[round(x * 4), round(y * 4)] for x, y in points], dtype=np.int32)
    cv2.polylines(image, [pts], False, int(shade), max(1, width), cv2.LINE_AA, shift=2)


def _wobble(rng: random.Random, n: int, amount: float) -> list[float]:
    # A smooth random wobble: a few low-frequency sines, as a hand drifts.
    waves = [(rng.uniform(-amount, amount), rng.uniform(1, 3), rng.uniform(0, 6.3)) for _ in range(3)]
    return [sum(a * math.sin(f * i / n * 2 * math.pi + p) for a, f, p in waves) / 2 for i in range(n)]


def _circle(image: Image, rng: random.Random, cx: float, cy: float, half: float, width: int, shade: int) -> None:
    r = half * rng.uniform(0.5, 0.82)
    squash = rng.uniform(0.8, 1.15)
    start = rng.uniform(0, 2 * math.pi)
    sweep = 2 * math.pi * rng.uniform(0.93, 1.12)  # a small gap or an overshoot
    n = 60
    wob = _wobble(rng, n, 0.08 * r)
    tilt = rng.uniform(-0.4, 0.4)
    pts = []
    for i in range(n + 1):
        a = start + sweep * i / n
        rr = r + wob[min(i, n - 1)]
        x, y = rr * math.cos(a), rr * math.sin(a) * squash
        pts.append((cx + x * math.cos(tilt) - y * math.sin(tilt), cy + x * math.sin(tilt) + y * math.cos(tilt)))
    _stroke(image, pts, width, shade)


def _line(rng: random.Random, cx: float, cy: float, angle: float, length: float, off: float) -> list[tuple[float, float]]:
    n = 12
    wob = _wobble(rng, n, 0.04 * length)
    dx, dy = math.cos(angle), math.sin(angle)
    pts = []
    for i in range(n + 1):
        s = -length / 2 + length * i / n
        w = wob[min(i, n - 1)]
        pts.append((cx + off * dy + s * dx - w * dy, cy - off * dx + s * dy + w * dx))
    return pts


def _cross(image: Image, rng: random.Random, cx: float, cy: float, half: float, width: int, shade: int) -> None:
    for base in (math.pi / 4, 3 * math.pi / 4):
        angle = base + math.radians(rng.uniform(-10, 10))
        length = 2 * half * rng.uniform(0.75, 1.2)
        _stroke(image, _line(rng, cx, cy, angle, length, rng.uniform(-0.08, 0.08) * half), width, shade)


def _tick(image: Image, rng: random.Random, cx: float, cy: float, half: float, width: int, shade: int) -> None:
    s = half * rng.uniform(0.7, 0.95)
    low = (cx - 0.15 * s, cy + 0.6 * s)
    pts = [(cx - 0.7 * s, cy + 0.05 * s), low, (cx + 0.75 * s, cy - 0.8 * s)]
    _stroke(image, pts, width, shade)


def _filled(image: Image, rng: random.Random, cx: float, cy: float, half: float, width: int, shade: int) -> None:
    s = half * rng.uniform(0.75, 0.95)
    y = cy - s
    pts = []
    while y < cy + s:
        pts += [(cx - s, y), (cx + s, y + width * 0.7)]
        y += width * 1.4
    _stroke(image, pts, width + 1, shade)


def draw_mark(image: Image, rng: random.Random, style: str, box: Box, height_pt: float, dpi: float) -> None:
    """Draw ``style`` in ``box`` (PDF points) on a page rasterised at ``dpi``."""
    k = dpi / 72
    cx, cy = (box.x + box.w / 2) * k, (height_pt - box.y - box.h / 2) * k
    half = box.w / 2 * k
    pen = max(2, round(rng.uniform(0.35, 0.7) * 72 / 25.4 * k))  # a 0.35-0.7 mm pen
    shade = rng.randint(20, 90)
    if style.startswith("light_"):
        shade, pen = rng.randint(140, 175), max(2, pen - 1)  # pencil, pressed lightly
    if style.startswith("edge_"):
        # Drawn off centre so the mark runs over one edge of the box.
        angle = rng.uniform(0, 2 * math.pi)
        shift = half * rng.uniform(0.25, 0.4)
        cx, cy = cx + shift * math.cos(angle), cy + shift * math.sin(angle)
    if style == "erased":
        ghost = image.copy()
        (_circle if rng.random() < 0.5 else _cross)(ghost, rng, cx, cy, half, pen, shade)
        # Rubbed out: a faint trace of the mark is left.
        keep = rng.uniform(0.04, 0.12)
        image[:] = np.clip(image.astype(np.float64) * (1 - keep) + ghost.astype(np.float64) * keep, 0, 255).astype(np.uint8)
        return
    kind = style.split("_")[-1]
    {"circle": _circle, "cross": _cross, "tick": _tick, "filled": _filled}[kind](image, rng, cx, cy, half, pen, shade)


# ---------------------------------------------------------------------- the scanner's effects

def scan_effects(image: Image, rng: random.Random, *, max_degrees: float = 5.0) -> Image:
    """Rotate (up to ``max_degrees``), scale, shift, blur, add noise and JPEG-compress a page."""
    # The scanner's window is larger than the paper: the sheet lies on a slightly grey bed.
    border = int(0.1 * image.shape[1])
    image = cv2.copyMakeBorder(image, border, border, border, border, cv2.BORDER_CONSTANT, value=rng.randint(200, 250))
    h, w = image.shape
    angle = rng.uniform(-max_degrees, max_degrees)
    scale = rng.uniform(0.96, 1.04)
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, scale)
    m[0, 2] += rng.uniform(-0.01, 0.01) * w
    m[1, 2] += rng.uniform(-0.01, 0.01) * h
    out = cv2.warpAffine(image, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=int(rng.randint(235, 255)))
    sigma = rng.uniform(0.3, 1.1)
    out = cv2.GaussianBlur(out, (0, 0), sigma)
    # Paper is not pure white and the sensor is noisy.
    noise = np.random.default_rng(rng.randrange(2**32)).normal(0, rng.uniform(2, 7), out.shape)
    out = np.clip(out.astype(np.float64) * rng.uniform(0.9, 1.0) + noise, 0, 255).astype(np.uint8)
    ok, jpeg = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(55, 90)])
    assert ok
    return np.asarray(cv2.imdecode(jpeg, cv2.IMREAD_GRAYSCALE), dtype=np.uint8)


def _style(rng: random.Random) -> str:
    names = list(STYLES)
    return rng.choices(names, weights=[STYLES[n][0] for n in names])[0]


def make_page(index: int, seed: int = 21, *, with_back: bool = False) -> DeckPage:
    """Deck page ``index``: reproducible from (index, seed)."""
    rng = random.Random(seed * 100003 + index)
    spec = A5_SPEC if index % 4 == 3 else A4_SPEC
    layout = mark_map(spec)
    dpi = rng.choice(DPIS)
    image = np.array(_clean_front(spec, dpi))
    marks = []
    for p, post in enumerate(layout.posts):
        for c, box in enumerate(post.candidates):
            style = _style(rng)
            if style != "blank":
                draw_mark(image, rng, style, box.box, layout.height, dpi)
            marks.append(Mark(index, p, c, style, STYLES[style][1]))
    page = DeckPage(spec, layout, scan_effects(image, rng), marks)
    if with_back:
        code = audit_code(rng)
        page.back = scan_effects(rasterise(_printed(spec, code), 1, dpi), rng)
        page.audit_qr = code
    return page


@dataclass
class Score:
    right: int = 0
    flagged: int = 0  # read unsure where a person would read it plainly
    wrong: int = 0  # read plainly, and not as a person would
    rejected_pages: int = 0

    @property
    def marks(self) -> int:
        return self.right + self.flagged + self.wrong

    @property
    def accuracy(self) -> float:
        return self.right / self.marks if self.marks else 0.0


def score(pages: int, seed: int = 21, verbose: bool = False) -> tuple[Score, Counter[tuple[str, str]]]:
    """Read ``pages`` deck pages; the score and a count of (style, reading) for every box."""
    from ballots.scan_reader import PageRejected, read_front

    result = Score()
    table: Counter[tuple[str, str]] = Counter()
    for i in range(pages):
        page = make_page(i, seed)
        try:
            reading = read_front(page.image, page.layout)
        except PageRejected:
            result.rejected_pages += 1
            result.flagged += len(page.marks)
            continue
        boxes = [b for b in reading.boxes if b.box.name is not None]
        for mark, box in zip(page.marks, boxes, strict=True):
            got = box.reading.value
            table[(mark.style, got)] += 1
            if got == mark.truth:
                result.right += 1
            elif got == "unsure":
                result.flagged += 1
            else:
                result.wrong += 1
            if verbose and got != mark.truth:
                print(f"page {i} post {mark.post} box {mark.index}: {mark.style} read {got}  {box.features}")
    return result, table


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    s, t = score(n, verbose=True)
    print(s, f"accuracy {s.accuracy:.4f}")
    for key, count in sorted(t.items()):
        print(key, count)
