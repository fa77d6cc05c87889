"""Reading scanned papers (ballots/scan_reader.py) on the test deck (tests/scanning/deck.py):
real papers from the ballot code, marked by a program and put through scanner effects.

The suite reads a modest deck; `make soak` reads 2,000 marks and more. Either way at least
99.5 % of the marks must be read as a person would read them and none silently wrong: every
other mark is flagged unsure. Pages without their fiducials are rejected, never guessed.
"""
from __future__ import annotations

import io
import random
from dataclasses import replace

import cv2
import numpy as np
import pytest
from PIL import Image

from ballots.ballot_spec import PostSection
from ballots.mark_map import mark_map
from ballots.scan_reader import PageRejected, Reading, audit_qr_of, load_pages, read_front
from tests.scanning.deck import A4_SPEC, A5_SPEC, _printed, audit_code, make_page, scan_effects, score


def _check(pages: int, seed: int, min_marks: int) -> None:
    result, table = score(pages, seed)
    assert result.marks >= min_marks
    print(result, f"accuracy {result.accuracy:.4f}", dict(table))
    assert result.rejected_pages == 0
    assert result.wrong == 0, table  # never silently wrong
    assert result.accuracy >= 0.995, (result, table)
    # The deck holds every style, so the score covers each of them.
    assert {style for style, _ in table} >= {"circle", "cross", "light_circle", "light_cross", "edge_circle", "edge_cross",
                                              "erased", "tick", "filled", "blank"}


def test_deck_is_read_right_or_flagged() -> None:
    _check(24, seed=21, min_marks=200)


@pytest.mark.soak
def test_full_deck_of_two_thousand_marks() -> None:
    _check(220, seed=5, min_marks=2000)


def test_clean_print_reads_blank_and_back_gives_the_audit_qr() -> None:
    code = audit_code(random.Random(3))
    pages = load_pages(_printed(A4_SPEC, code), dpi=150)
    assert len(pages) == 2
    assert audit_qr_of(pages[1]) == code
    assert audit_qr_of(pages[0]) is None  # the stub's QR (T) is not an audit QR
    reading = read_front(pages[0], mark_map(A4_SPEC))
    assert {b.reading for b in reading.boxes} == {Reading.BLANK}
    assert not any(b.written for b in reading.boxes)
    assert not reading.unsure
    with pytest.raises(PageRejected):
        read_front(pages[1], mark_map(A4_SPEC))  # the back has no fiducials


def test_scan_files_png_jpeg_multipage_tiff() -> None:
    page = make_page(0, with_back=True)
    assert page.back is not None
    ok, png = cv2.imencode(".png", page.image)
    ok2, jpeg = cv2.imencode(".jpg", page.back, [cv2.IMWRITE_JPEG_QUALITY, 80])
    assert ok and ok2
    assert load_pages(png.tobytes())[0].shape == page.image.shape
    assert audit_qr_of(load_pages(jpeg.tobytes())[0]) == page.audit_qr
    buf = io.BytesIO()
    Image.fromarray(page.image).save(buf, format="TIFF", save_all=True, append_images=[Image.fromarray(page.back)])
    front, back = load_pages(buf.getvalue())
    assert audit_qr_of(back) == page.audit_qr
    readings = [b.reading.value for b in read_front(front, page.layout).boxes if b.box.name is not None]
    assert all(got in (m.truth, "unsure") for got, m in zip(readings, page.marks, strict=True))
    with pytest.raises(PageRejected):
        load_pages(b"not an image")


def test_page_without_its_fiducials_is_rejected_never_guessed() -> None:
    page = make_page(1)
    layout = page.layout
    read_front(page.image, layout)  # readable as scanned
    # One corner square covered (a torn corner, a sticker): the page is refused.
    covered = page.image.copy()
    found = _fiducial_px(page.image, layout)
    x, y = found[3]
    cv2.circle(covered, (int(x), int(y)), 60, 255, -1)
    with pytest.raises(PageRejected):
        read_front(covered, layout)
    # Fed upside down: the four squares fit either way, the boxes' borders one way only: read
    # turned round, the same as the right way up.
    upright = read_front(page.image, layout)
    turned = read_front(cv2.rotate(page.image, cv2.ROTATE_180), layout)
    assert turned.turned and not upright.turned
    assert [b.reading for b in turned.boxes] == [b.reading for b in upright.boxes]
    # Read with the map of another version of the same size: refused, not misread.
    other = replace(A4_SPEC if layout.paper_size == "A4" else A5_SPEC,
                    sections=(PostSection("居民委员会", "委员", 7, ("甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "壬")),))
    with pytest.raises(PageRejected, match="符号栏"):
        read_front(page.image, mark_map(other))
    # A blank sheet, and the page of another paper size, are refused too.
    with pytest.raises(PageRejected):
        read_front(np.full((2339, 1654), 245, dtype=np.uint8), layout)
    with pytest.raises(PageRejected):
        read_front(page.image, mark_map(A5_SPEC) if layout.paper_size == "A4" else mark_map(A4_SPEC))


def _fiducial_px(image: np.ndarray, layout: object) -> np.ndarray:
    from ballots.scan_reader import find_fiducials

    return find_fiducials(image, layout)  # type: ignore[arg-type]


def test_written_in_name_is_flagged() -> None:
    rng = random.Random(8)
    pdf = _printed(A4_SPEC)
    layout = mark_map(A4_SPEC)
    from tests.scanning.deck import rasterise

    image = rasterise(pdf, 0, 200)
    line = layout.posts[1].write_ins[0]
    k = 200 / 72
    nb = line.name_box
    x0, y0 = int((nb.x + 10) * k), int((layout.height - nb.y - 8) * k)
    cv2.putText(image, "Wang Li", (x0, y0), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 30, 3)
    reading = read_front(scan_effects(image, rng), layout)
    written = [b for b in reading.boxes if b.written]
    assert [(b.post, b.box.line) for b in written] == [(1, 0)]
    assert reading.unsure


def test_on_a_tick_paper_a_tick_goes_to_people_and_cross_and_blank_are_read() -> None:
    """Issue 21: vendors' papers use √. Where the rulebook makes √ the approve mark
    (mark_approve), the reader flags every √ (and a ○, which that paper gives no meaning) as
    unsure; × and blank are read. Never a √ silently read as 赞成, 反对 or blank."""
    from tests.scanning.deck import draw_mark, rasterise

    spec = replace(A4_SPEC, approve_mark="√")
    layout = mark_map(spec)
    rng = random.Random(8)
    styles = ["tick", "cross", "circle", "blank", "tick", "light_cross", "erased"]
    front = rasterise(_printed(spec, "JXA:" + "0" * 26), 0, 150)
    boxes = [*layout.posts[0].candidates, *layout.posts[1].candidates]
    for style, mark in zip(styles, boxes, strict=False):
        if style != "blank":
            draw_mark(front, rng, style, mark.box, layout.height, 150)
    reading = read_front(scan_effects(front, rng, max_degrees=3), layout)
    got = [b.reading.value for b in reading.boxes if b.box.name is not None][:len(styles)]
    assert got == ["unsure", "oppose", "unsure", "blank", "unsure", "oppose", "blank"]
    # The same ticks on a ○ paper: unsure too (the paper gives √ no meaning).
    plain = rasterise(_printed(A4_SPEC, "JXA:" + "0" * 26), 0, 150)
    draw_mark(plain, rng, "tick", mark_map(A4_SPEC).posts[0].candidates[0].box, layout.height, 150)
    assert read_front(scan_effects(plain, rng, max_degrees=3), mark_map(A4_SPEC)).boxes[0].reading is Reading.UNSURE
    # A paper asking for other marks still is not read.
    with pytest.raises(ValueError, match="只识别"):
        read_front(front, replace(layout, oppose_mark="✕"))


def test_bench_reads_every_paper_it_times() -> None:
    from ballots.scan_bench import bench_scan

    result = bench_scan(papers=2, dpi=150)
    assert result["pages"] == 4 and result["unsure_papers"] == 0
    assert result["ratio"] > 0 and result["vs_50_pages_per_min_scanner"] > 0


def test_colour_scan_of_an_a5_paper_on_an_a4_bed() -> None:
    """The printed size on a larger scanner: an A5 paper lying in an A4 colour scan at 300 dpi."""
    page = make_page(3)  # an A5 page of the deck (150, 200 or 300 dpi, already scanned)
    assert page.layout.paper_size == "A5"
    bed = np.full((3508, 2480, 3), (236, 240, 238), dtype=np.uint8)
    h, w = page.image.shape
    bed[400:400 + h, 300:300 + w] = cv2.cvtColor(page.image, cv2.COLOR_GRAY2BGR)
    ok, data = cv2.imencode(".png", bed)
    assert ok
    (grey,) = load_pages(data.tobytes())
    readings = [b.reading.value for b in read_front(grey, page.layout).boxes if b.box.name is not None]
    assert all(got in (m.truth, "unsure") for got, m in zip(readings, page.marks, strict=True))
    assert sum(got == m.truth for got, m in zip(readings, page.marks, strict=True)) >= len(page.marks) - 1
