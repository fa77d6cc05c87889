"""Read scanned ballot papers: find the page by its four fiducials, read the audit QR on the
back, and classify every mark box of the front as ○ (approve), × (oppose), blank or unsure.

Pure apart from decoding images: bytes or arrays in, readings out; no database, no files
written, nothing logged (a reading pairs a paper's D with its marks only in the caller's
record, as hand entry does). The reader never guesses: a page whose four fiducials do not
form the printed rectangle is rejected (PageRejected), and a box whose ink does not clearly
show ○, × or nothing is "unsure", for people to decide on the adjudication page.

How a box is read (in the box's interior, 3 pt inside its printed border, after the page is
mapped onto the printed layout by a homography from the four fiducial centres):

* ink = how much darker than the paper around the box a pixel is (0 paper, 1 black), after a
  3x3 blur that takes out scanner noise and JPEG speckle; ``dark`` is the share of pixels
  above ``ink``, ``faint`` the share above ``faint_ink`` (what an erasure leaves);
* blank: dark < ``blank_dark`` and faint < ``blank_faint``; unsure if only faint; unsure if
  dark > ``filled``;
* ○: a circle fitted to the inked pixels (least squares, so a partial arc fits too) holds
  ≥ ``on_shape`` of them within the pen's half-width (measured on the mark) plus a wobble;
  ≥ ``circle_coverage`` of its 15° sectors that lie inside the interior hold ink, at least
  ``circle_seen`` of 24 sectors being inside (a mark over the box edge loses the rest); the
  disc inside 0.45 of its radius is empty;
* ×: the two strongest straight lines (a small Hough transform) hold ≥ ``on_shape`` of the
  inked pixels, are diagonal (within 20° of 45° and 135°), cross inside the interior, and
  each runs on past the crossing by ≥ ``cross_reach`` of the half-side both ways (a tick √
  or a V ends at its vertex);
* anything else, or both ○ and ×, is unsure.

The values of Thresholds were chosen on the test deck (tests/scanning/deck.py); docs/SCANNING.md
says how. After reading, every box's printed border must be found where the map puts it, or
the page is rejected (turned round, another version's map).
"""
from __future__ import annotations

import io
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

import cv2
import numpy as np
import numpy.typing as npt

from ballots.ballot_paper import Box
from ballots.mark_map import MarkBox, MarkMap

Image = npt.NDArray[np.uint8]
AUDIT_PREFIX = "JXA:"
PX_PER_PT = 2.0  # the canonical frame boxes are read in: 144 dpi


class Reading(StrEnum):
    APPROVE = "approve"
    OPPOSE = "oppose"
    BLANK = "blank"
    UNSURE = "unsure"


class PageRejected(ValueError):
    """The page cannot be read and is not guessed at (message in Chinese)."""


@dataclass(frozen=True)
class Thresholds:
    """The parameters of the box classifier (module docstring; docs/SCANNING.md for how they were chosen)."""

    ink: float = 0.18
    faint_ink: float = 0.13
    blank_dark: float = 0.012
    blank_faint: float = 0.04
    filled: float = 0.6
    stroke: float = 0.06  # a hand's wobble off a straight stroke, beyond the pen's width, / half-side
    on_shape: float = 0.85
    circle_coverage: float = 0.80
    circle_seen: int = 14
    # A large ○ is clipped by the interior on all four sides: fewer sectors are seen, so all
    # of them must hold ink and nearly all ink lie on the circle.
    circle_seen_clipped: int = 10
    clipped_on: float = 0.97
    circle_inner: float = 0.03
    cross_reach: float = 0.4
    written: float = 0.01  # share of a write-in line's name area with ink: "written in"


DEFAULT = Thresholds()


@dataclass(frozen=True)
class BoxReading:
    post: int  # index of the post in the map
    box: MarkBox
    reading: Reading
    features: Features
    written: bool = False  # a write-in line's name area holds ink


@dataclass(frozen=True)
class FrontReading:
    boxes: tuple[BoxReading, ...]
    homography: npt.NDArray[np.float64] = field(repr=False)  # image px -> canonical px
    turned: bool = False  # read turned round (fed upside down); the homography is of the turned image

    @property
    def unsure(self) -> bool:
        return any(b.reading is Reading.UNSURE or b.written for b in self.boxes)


# ---------------------------------------------------------------------- images

MAX_PAGE_PT = 1300.0  # a page larger than A3 (842 x 1191 pt) is no ballot paper: refused before rasterising
MAX_PAGE_PIXELS = 60_000_000  # an image larger than A3 at 600 dpi is refused, never decoded into memory


def load_pages(data: bytes, dpi: int = 200) -> list[Image]:
    """Every page of a scan file as a greyscale array: PDF (rasterised by PDFium at ``dpi``),
    multi-page TIFF, PNG, JPEG. Raises PageRejected for what is not an image."""
    return list(iter_pages(data, dpi))


def iter_pages(data: bytes, dpi: int = 200) -> Iterator[Image]:
    """The pages of a scan file one at a time (a PDF of hundreds of pages is rasterised page by
    page, never all at once). Raises PageRejected, in Chinese, for what is not a scan or is too
    large to be a ballot paper."""
    if data[:5] == b"%PDF-":
        import pypdfium2

        try:
            document = pypdfium2.PdfDocument(data)
        except pypdfium2.PdfiumError:
            raise PageRejected("PDF 文件已损坏或加密，无法读取") from None
        try:
            if len(document) > MAX_FRAMES:  # a page of a few dozen bytes each: hours of rendering
                raise PageRejected(f"PDF 有 {len(document)} 页，过多（一个文件上限 {MAX_FRAMES} 页），请拆分后上传")
            for number in range(1, len(document) + 1):
                try:
                    page = document[number - 1]
                    width, height = page.get_size()
                    if max(width, height) > MAX_PAGE_PT:
                        raise PageRejected(f"PDF 第 {number} 页大于 A3（{width / 72 * 25.4:.0f}×{height / 72 * 25.4:.0f} 毫米），"
                                           "不是选票的扫描页")
                    array = page.render(scale=dpi / 72, grayscale=True).to_numpy()
                except pypdfium2.PdfiumError:  # "Failed to load page", a render that fails
                    raise PageRejected(f"PDF 第 {number} 页已损坏，无法读取") from None
                yield np.array(array[:, :, 0] if array.ndim == 3 else array, dtype=np.uint8)
        finally:
            document.close()
        return
    frames = _check_pixels(data)
    buf = np.frombuffer(data, dtype=np.uint8)
    if frames == 1:
        image = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
        if image is None:
            raise PageRejected(UNREADABLE)
        yield np.asarray(image, dtype=np.uint8)
        return
    # A multi-page TIFF a page at a time: decoding them all at once held every page (200
    # papers at 200 dpi: 800 MB).
    for number in range(1, frames + 1):
        ok, images = cv2.imdecodemulti(buf, cv2.IMREAD_GRAYSCALE, range=(number - 1, number))
        if not ok or len(images) != 1:
            raise PageRejected(f"图像文件第 {number} 页已损坏，无法读取")
        yield np.ascontiguousarray(images[0], dtype=np.uint8)


UNREADABLE = "无法识别的扫描文件：应为 PDF、TIFF、PNG 或 JPEG 图像"
MAX_FRAMES = 2000  # pages of one file (a batch of 500 sheets duplex is 1,000)


def _check_pixels(data: bytes) -> int:
    """The number of pages of an image file, once the header of every page says it has no
    more pixels than a scanned paper (a decompression bomb is refused before it is decoded).

    An image whose header PIL cannot read is refused too: OpenCV would decode it without
    any bound but its own (a gigapixel), and PIL reads the headers of every format a
    scanner writes."""
    from PIL import Image as PILImage

    try:
        with PILImage.open(io.BytesIO(data)) as probe:
            frames = getattr(probe, "n_frames", 1)
            if frames > MAX_FRAMES:
                raise PageRejected(f"图像文件有 {frames} 页，过多（上限 {MAX_FRAMES} 页）")
            for index in range(frames):
                if index:
                    probe.seek(index)
                width, height = probe.size
                if width * height > MAX_PAGE_PIXELS:
                    raise _too_many_pixels(width, height)
    except PILImage.DecompressionBombError:
        # PIL's own bound (twice its MAX_IMAGE_PIXELS), far above ours: the header said more.
        raise PageRejected(f"图像像素过多，不是选票的扫描页（上限 {MAX_PAGE_PIXELS // 1_000_000} 百万像素）") from None
    except PageRejected:
        raise
    except Exception:  # noqa: BLE001 — whatever PIL raises on a header it cannot read
        raise PageRejected(UNREADABLE) from None
    return frames


def _too_many_pixels(width: int, height: int) -> PageRejected:
    return PageRejected(f"图像 {width}×{height} 像素过大，不是选票的扫描页（上限 {MAX_PAGE_PIXELS // 1_000_000} 百万像素）")


def audit_qr_of(image: Image) -> str | None:
    """The audit QR's text (JXA:...) if the page shows one (the back of a paper), else None."""
    import zxingcpp

    for result in zxingcpp.read_barcodes(image):
        if result.text.upper().startswith(AUDIT_PREFIX):
            return str(result.text)
    return None


def any_code(image: Image) -> bool:
    """Whether any barcode shows on the page (a stub's receipt QR left on the paper, the back's
    audit QR): such an image is not kept."""
    import zxingcpp

    return bool(zxingcpp.read_barcodes(image))


# ---------------------------------------------------------------------- fiducials

@dataclass(frozen=True)
class _Blob:
    x: float
    y: float
    side: float


def _blobs(image: Image) -> tuple[list[_Blob], float]:
    """Solid, square dark blobs on a reduced copy of the page; coordinates in full-size px."""
    scale = min(1.0, 900 / max(image.shape[1], 1))
    small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else image
    white = float(np.percentile(small, 90))
    dark = (small < white * 0.5).astype(np.uint8)
    count, _labels, stats, centroids = cv2.connectedComponentsWithStats(dark, connectivity=8)
    out = []
    for i in range(1, count):
        _x, _y, w, h, area = (int(v) for v in stats[i])
        if w < 5 or h < 5 or not 0.75 <= w / h <= 1.33 or area < 0.72 * w * h:
            continue
        out.append(_Blob(float(centroids[i][0]) / scale, float(centroids[i][1]) / scale, math.sqrt(area) / scale))
    return out, scale


def find_fiducials(image: Image, layout: MarkMap) -> npt.NDArray[np.float64]:
    """The four fiducial centres on ``image`` (px; top-left, top-right, bottom-left, bottom-right).

    Found only if four solid squares form the printed rectangle (side ratio within 3 %, sizes
    matching the printed squares within 30 %); otherwise PageRejected, never a guess.
    """
    (tl, tr, bl, _br) = layout.fiducial_centres
    span_x = tr[0] - tl[0]
    span_y = tl[1] - bl[1]
    side = layout.fiducials[0].w
    blobs, _ = _blobs(image)
    best: tuple[float, tuple[_Blob, _Blob, _Blob, _Blob]] | None = None
    for a in blobs:
        for b in blobs:
            dx, dy = b.x - a.x, b.y - a.y
            d = math.hypot(dx, dy)
            if dx <= 0 or abs(dy) > 0.1 * dx:
                continue
            unit = d / span_x  # px per point along the top edge
            if not all(0.7 <= blob.side / (side * unit) <= 1.3 for blob in (a, b)):
                continue
            # Down the page is the top edge turned a quarter clockwise (image y grows downward).
            px, py = -dy / d * span_y * unit, dx / d * span_y * unit
            want_bl, want_br = (a.x + px, a.y + py), (b.x + px, b.y + py)
            tol = 0.03 * d
            c = _nearest(blobs, want_bl, tol, side * unit)
            e = _nearest(blobs, want_br, tol, side * unit)
            if c is None or e is None:
                continue
            error = math.hypot(c.x - want_bl[0], c.y - want_bl[1]) + math.hypot(e.x - want_br[0], e.y - want_br[1])
            if best is None or error < best[0]:
                best = (error, (a, b, c, e))
    if best is None:
        raise PageRejected("找不到选票正面四角的定位方块（或位置不符）：此页不予识别，请检查后重新扫描或人工录入")
    return np.array([[blob.x, blob.y] for blob in best[1]], dtype=np.float64)


def _nearest(blobs: Sequence[_Blob], at: tuple[float, float], tol: float, side: float) -> _Blob | None:
    found = None
    best = tol
    for blob in blobs:
        d = math.hypot(blob.x - at[0], blob.y - at[1])
        if d <= best and 0.7 <= blob.side / side <= 1.3:
            found, best = blob, d
    return found


def homography(image: Image, layout: MarkMap) -> npt.NDArray[np.float64]:
    """Image px -> canonical px (PDF points x PX_PER_PT, y downward from the top of the page)."""
    found = find_fiducials(image, layout).astype(np.float32)
    canon = np.array([[x * PX_PER_PT, (layout.height - y) * PX_PER_PT] for x, y in layout.fiducial_centres],
                     dtype=np.float32)
    return cv2.getPerspectiveTransform(found, canon).astype(np.float64)


def crop(image: Image, h: npt.NDArray[np.float64], layout: MarkMap, box: Box, pad: float = 4.0) -> Image:
    """The region ``box`` (points) plus ``pad`` points around it, de-skewed and scaled to PX_PER_PT."""
    k = PX_PER_PT
    x0, y0 = (box.x - pad) * k, (layout.height - box.y - box.h - pad) * k
    size = (int(round((box.w + 2 * pad) * k)), int(round((box.h + 2 * pad) * k)))
    shift = np.array([[1, 0, -x0], [0, 1, -y0], [0, 0, 1]], dtype=np.float64)
    out = cv2.warpPerspective(image, shift @ h, size, flags=cv2.INTER_LINEAR, borderValue=255)
    return np.asarray(out, dtype=np.uint8)


# ---------------------------------------------------------------------- boxes

_SECTORS = 24


def _ink(region: Image, around: Image) -> npt.NDArray[np.float64]:
    white = max(float(np.percentile(around, 95)), 60.0)
    g = cv2.blur(region, (3, 3)).astype(np.float64)
    return np.clip((white - g) / white, 0.0, 1.0)


def _fit_circle(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> tuple[float, float, float]:
    """Least-squares circle through the points (algebraic fit; works on a partial arc)."""
    a = np.column_stack([x, y, np.ones_like(x)])
    b = -(x * x + y * y)
    (d, e, f), *_ = np.linalg.lstsq(a, b, rcond=None)
    cx, cy = -d / 2, -e / 2
    r2 = cx * cx + cy * cy - f
    return float(cx), float(cy), float(math.sqrt(r2)) if r2 > 0 else 0.0


def _circle_measures(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], n: int,
                     tol: float) -> tuple[float, float, int, float, float]:
    """(share of ink on the fitted circle, share of its visible 15° sectors holding ink, visible
    sectors, share of the inner disc holding ink, radius/half-side) of the fitted circle."""
    cx, cy, r = _fit_circle(x, y)
    half = n / 2
    if not 0.25 * half <= r <= 1.5 * half:
        return 0.0, 0.0, 0, 1.0, r / half
    d = np.hypot(x - cx, y - cy)
    band = tol + 0.12 * r
    near = np.abs(d - r) <= band
    on = float(near.mean())
    angles = np.degrees(np.arctan2(y - cy, x - cx)) % 360
    counts = np.bincount((angles[near] // 15).astype(int), minlength=_SECTORS)
    # A sector is visible if the circle passes through the interior there (a mark over the
    # box edge loses the part outside: that part is neither counted for nor against it).
    mids = np.radians(np.arange(_SECTORS) * 15 + 7.5)
    px, py = cx + r * np.cos(mids), cy + r * np.sin(mids)
    visible = (px >= 0) & (px < n) & (py >= 0) & (py < n)
    min_px = max(2.0, 0.25 * r * math.radians(15))
    seen = int(visible.sum())
    coverage = float((counts[visible] >= min_px).mean()) if seen else 0.0
    inner = float((d < 0.45 * r).mean())
    return on, coverage, seen, inner, r / half


def _lines(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], tol: float) -> list[tuple[float, float]]:
    """The two strongest straight lines through the points (angle in degrees of the normal,
    distance from the origin), found by a small Hough transform."""
    thetas = np.radians(np.arange(0, 180, 2.0))
    cos, sin = np.cos(thetas), np.sin(thetas)
    out: list[tuple[float, float]] = []
    keep = np.ones(x.shape, dtype=bool)
    for _ in range(2):
        if keep.sum() < 5:
            break
        rho = np.outer(x[keep], cos) + np.outer(y[keep], sin)  # points x angles
        best_count, best = -1, (0.0, 0.0)
        for j in range(len(thetas)):
            column = rho[:, j]
            lo = math.floor(column.min())
            hist = np.bincount(np.floor(column - lo).astype(int))
            window = np.convolve(hist, np.ones(int(2 * tol) + 1), mode="same")
            k = int(window.argmax())
            if window[k] > best_count:
                best_count, best = int(window[k]), (float(thetas[j]), lo + k + 0.5)
        out.append(best)
        theta, r0 = best
        keep &= np.abs(x * math.cos(theta) + y * math.sin(theta) - r0) > tol
    return out


def _cross_measures(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], n: int,
                    tol: float) -> tuple[float, bool, float]:
    """(share of ink on the two strongest lines, both lines diagonal (within 20° of 45° and
    135°) and crossing inside the interior, the shorter reach of the four arms from the
    crossing / half-side)."""
    lines = _lines(x, y, tol)
    if len(lines) < 2:
        return 0.0, False, 0.0
    (t1, r1), (t2, r2) = lines
    near1 = np.abs(x * math.cos(t1) + y * math.sin(t1) - r1) <= tol
    near2 = np.abs(x * math.cos(t2) + y * math.sin(t2) - r2) <= tol
    on = float((near1 | near2).mean())
    # The normal of a 45° stroke points at 135° and the other way round.
    normals = sorted(math.degrees(t) for t in (t1, t2))
    diagonal = abs(normals[0] - 45) <= 20 and abs(normals[1] - 135) <= 20
    det = math.cos(t1) * math.sin(t2) - math.sin(t1) * math.cos(t2)
    if abs(det) < 1e-6:
        return on, False, 0.0
    px = (r1 * math.sin(t2) - r2 * math.sin(t1)) / det
    py = (r2 * math.cos(t1) - r1 * math.cos(t2)) / det
    inside = 0 <= px < n and 0 <= py < n
    reach = []
    # Each arm measured on ink near its own line only: round the vertex of a tick (√) or a V
    # the other stroke's ink would seem to run on past the crossing.
    for theta, near in ((t1, near1 & ~near2), (t2, near2 & ~near1)):
        # Along the line: the direction is the normal turned a quarter.
        along = (x[near] - px) * -math.sin(theta) + (y[near] - py) * math.cos(theta)
        if along.size == 0:
            return on, False, 0.0
        reach += [float(along.max()), float(-along.min())]
    return on, diagonal and inside, min(reach) / (n / 2)


@dataclass(frozen=True)
class Features:
    """The measures of one box (module docstring)."""

    dark: float
    faint: float
    circle_on: float = 0.0
    circle_coverage: float = 0.0
    circle_seen: int = 0
    circle_inner: float = 1.0
    circle_radius: float = 0.0
    cross_on: float = 0.0
    cross_shape: bool = False
    cross_reach: float = 0.0


def features(ink: npt.NDArray[np.float64], t: Thresholds = DEFAULT) -> Features:
    """The measures of one box interior (``ink`` 0..1 per pixel, square)."""
    n = ink.shape[0]
    mask = ink > t.ink
    dark, faint = float(mask.mean()), float((ink > t.faint_ink).mean())
    if dark < t.blank_dark or dark > t.filled:
        return Features(dark, faint)
    ys, xs = np.nonzero(mask)
    x, y = xs.astype(np.float64) + 0.5, ys.astype(np.float64) + 0.5
    # How far ink may lie from a fitted line or circle: the pen's half-width, measured on the
    # mark itself (a felt pen and a ballpoint differ by a factor of three), plus a wobble.
    depth = cv2.distanceTransform(mask.astype(np.uint8), cv2.DIST_L2, 3)
    half_width = float(np.percentile(depth[mask], 90))
    tol = max(half_width * 1.2, 1.5) + t.stroke * n / 2
    c = _circle_measures(x, y, n, tol)
    x_on, x_shape, x_reach = _cross_measures(x, y, n, tol)
    return Features(dark, faint, *c, x_on, x_shape, x_reach)


def classify(f: Features, t: Thresholds = DEFAULT) -> Reading:
    if f.dark < t.blank_dark:
        return Reading.BLANK if f.faint < t.blank_faint else Reading.UNSURE
    if f.dark > t.filled:
        return Reading.UNSURE
    seen = f.circle_seen >= t.circle_seen or (
        f.circle_seen >= t.circle_seen_clipped and f.circle_coverage >= 1.0 and f.circle_on >= t.clipped_on)
    circle = (f.circle_on >= t.on_shape and f.circle_coverage >= t.circle_coverage and seen
              and f.circle_inner <= t.circle_inner)
    cross = f.cross_shape and f.cross_on >= t.on_shape and f.cross_reach >= t.cross_reach
    if circle and not cross:
        return Reading.APPROVE
    if cross and not circle:
        return Reading.OPPOSE
    return Reading.UNSURE


_INSET = 3.0  # points inside the printed box edge: past its 1 pt border and a little misregistration


def read_box(image: Image, h: npt.NDArray[np.float64], layout: MarkMap, box: Box,
             t: Thresholds = DEFAULT) -> tuple[Reading, Features, bool]:
    """The box's reading, its measures, and whether its printed border is where the map puts it."""
    pad = 4.0
    region = crop(image, h, layout, box, pad)
    k = PX_PER_PT
    lo = int(round((pad + _INSET) * k))
    hi = int(round((pad + box.w - _INSET) * k))
    f = features(_ink(region[lo:hi, lo:hi], region), t)
    return classify(f, t), f, _border_found(_ink(region, region), pad * k, box.w * k)


def _border_found(ink: npt.NDArray[np.float64], start: float, size: float) -> bool:
    """Whether all four printed edges of the box are there: along each, 70 % of the positions
    have ink within 2 px of where the edge should be. A page turned round, of another paper
    version or mapped wrongly fails this for some box and is rejected."""
    a, b = int(round(start)), int(round(start + size))
    span = slice(a + 2, b - 2)
    for at in (a, b):
        rows = ink[max(at - 2, 0):at + 3, span].max(axis=0)
        cols = ink[span, max(at - 2, 0):at + 3].max(axis=1)
        if (rows > 0.3).mean() < 0.7 or (cols > 0.3).mean() < 0.7:
            return False
    return True


def _written(image: Image, h: npt.NDArray[np.float64], layout: MarkMap, name_box: Box, t: Thresholds) -> bool:
    # The grey "另选他人" label sits in the top 3.2 mm of the line: measured below it only.
    label = 3.2 * 72 / 25.4
    area = Box(name_box.x + 2, name_box.y + 2, name_box.w - 4, name_box.h - label - 2)
    region = crop(image, h, layout, area, 2.0)
    k = int(round(2.0 * PX_PER_PT))
    ink = _ink(region[k:-k, k:-k], region)
    return float((ink > t.ink).mean()) > t.written


def read_front(image: Image, layout: MarkMap, t: Thresholds = DEFAULT) -> FrontReading:
    """Every mark box of the front page ``image`` (raises PageRejected without its fiducials).

    A paper fed upside down is read turned round: its four squares fit either way up, so the
    box borders decide which way is right (one way fails them); a page failing both ways is
    rejected with the first reason."""
    if layout.oppose_mark != "×" or layout.approve_mark not in ("○", "√"):
        raise ValueError(f"扫描计票只识别“○”“√”和“×”，此版选票要求划“{layout.approve_mark}”和“{layout.oppose_mark}”：请人工录入")
    try:
        reading = _read_front(image, layout, t)
    except PageRejected as error:
        try:
            turned = _read_front(np.ascontiguousarray(cv2.rotate(image, cv2.ROTATE_180)), layout, t)
        except PageRejected:
            raise error from None
        reading = FrontReading(turned.boxes, turned.homography, turned=True)
    return _tick_paper(reading) if layout.approve_mark == "√" else reading


def _tick_paper(reading: FrontReading) -> FrontReading:
    """A paper whose rulebook makes √ the approve mark (mark_approve "√", as Chinese vendors'
    papers do). The classifier knows ○ and × and only that a tick is neither (the deck's ticks
    are all unsure, none ×): so on such a paper × and blank are read, and every other mark —
    a √, and a ○ the paper gives no meaning — is unsure, for people. A √ is never taken for
    赞成 by the machine, and never for blank or ×."""
    boxes = tuple(replace(b, reading=Reading.UNSURE) if b.reading is Reading.APPROVE else b for b in reading.boxes)
    return FrontReading(boxes, reading.homography, reading.turned)


def _read_front(image: Image, layout: MarkMap, t: Thresholds) -> FrontReading:
    h = homography(image, layout)
    out = []
    missing = 0
    for index, post in enumerate(layout.posts):
        for mark in (*post.candidates, *post.write_ins):
            reading, f, border = read_box(image, h, layout, mark.box, t)
            missing += not border
            written = mark.name is None and _written(image, h, layout, mark.name_box, t)
            out.append(BoxReading(index, mark, reading, f, written))
    if missing:
        raise PageRejected(f"此页有 {missing} 个符号栏不在此版选票的位置上（选票放反、版本不符或扫描变形）："
                           "此页不予识别，请检查后重新扫描或人工录入")
    return FrontReading(tuple(out), h)


KEPT_PX_PER_PT = 1.5  # the kept image of a front: 108 dpi, enough to read a written-in name


def rectify(image: Image, reading: FrontReading, layout: MarkMap, scale: float = KEPT_PX_PER_PT) -> Image:
    """The front de-skewed and scaled onto the printed page (``scale`` px per point, y down
    from the top), for keeping and for showing crops: a box of the map at (x, y, w, h) points
    lies at (x, height - y - h) x ``scale`` pixels. The stub's area below the cut is left out
    (torn off before counting)."""
    page = np.ascontiguousarray(cv2.rotate(image, cv2.ROTATE_180)) if reading.turned else image
    k = scale / PX_PER_PT
    to_scale = np.array([[k, 0, 0], [0, k, 0], [0, 0, 1]], dtype=np.float64)
    size = (int(round(layout.width * scale)), int(round((layout.height - layout.cut_y) * scale)))
    out = cv2.warpPerspective(page, to_scale @ reading.homography, size, flags=cv2.INTER_AREA, borderValue=255)
    return np.asarray(out, dtype=np.uint8)


def encode_jpeg(image: Image, quality: int = 80) -> bytes:
    """A kept page as grey JPEG bytes (a tenth of a PNG's size for a scanned page)."""
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return data.tobytes()


def crop_kept(data: bytes, rect: Sequence[float], pad: float = 4.0) -> bytes:
    """A region (x, y, w, h pixels, plus ``pad``) of a kept page, as PNG bytes."""
    page = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
    if page is None:
        raise ValueError("kept image unreadable")
    x, y, w, h = (float(v) for v in rect)
    x0, y0 = max(int(x - pad), 0), max(int(y - pad), 0)
    x1, y1 = min(int(x + w + pad), page.shape[1]), min(int(y + h + pad), page.shape[0])
    return encode_png(np.ascontiguousarray(page[y0:y1, x0:x1]))


def encode_png(image: Image) -> bytes:
    """A page or crop as PNG bytes (for keeping the scan and showing a crop)."""
    ok, data = cv2.imencode(".png", image)
    if not ok:
        raise ValueError("PNG encoding failed")
    return io.BytesIO(data.tobytes()).getvalue()
