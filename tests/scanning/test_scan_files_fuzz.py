"""Scan files people upload (PNG, JPEG, TIFF, PDF), fuzzed: any bytes give pages or
PageRejected in Chinese, never a traceback, and no file is decoded past the pixels of a
scanned paper. What the fuzzing and the bombs found, kept as regressions: a PNG whose header
says more pixels than PIL's own bomb bound made PIL's probe fail, and the failure let OpenCV
decode it (a 76 KB file, 20,000 x 20,000: 850 MB); a multi-page TIFF had only its first page
measured and then every page decoded at once; a PDF had no bound on its pages, and a page
pdfium could not load raised PdfiumError. A short run
in the suite; a long one under `make soak`."""
from __future__ import annotations

import io
import random
import struct
import time
import zlib

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from ballots.scan_reader import MAX_FRAMES, MAX_PAGE_PIXELS, PageRejected, iter_pages, read_front
from tests.mutate import IMAGE_TOKENS, mutate_bytes
from tests.scanning.deck import A4_SPEC, _printed, make_page


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def blank_png(width: int, height: int) -> bytes:
    """A valid white 1-bit PNG of any size, built without holding its pixels."""
    row = b"\x00" + b"\xff" * ((width + 7) // 8)
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + _chunk(b"IDAT", idat) + _chunk(b"IEND", b""))


def test_a_png_past_pils_own_bomb_bound_is_refused_before_it_is_decoded() -> None:
    bomb = blank_png(14_000, 14_000)  # 196 million pixels in ~25 KB
    assert len(bomb) < 100_000
    with pytest.raises(PageRejected, match="像素过多"):
        next(iter_pages(bomb))


def test_every_page_of_a_tiff_is_measured_before_any_is_decoded() -> None:
    small = Image.new("1", (200, 300), 1)
    big = Image.new("1", (10_000, MAX_PAGE_PIXELS // 10_000 + 1), 1)
    buf = io.BytesIO()
    small.save(buf, format="TIFF", save_all=True, append_images=[small, big], compression="group4")
    with pytest.raises(PageRejected, match="像素过大"):
        next(iter_pages(buf.getvalue()))


def test_a_multi_page_tiff_is_decoded_a_page_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    pages = [Image.new("L", (120, 160), shade) for shade in (255, 200, 150)]
    buf = io.BytesIO()
    pages[0].save(buf, format="TIFF", save_all=True, append_images=pages[1:], compression="tiff_deflate")
    decoded: list[int] = []
    real = cv2.imdecodemulti

    def counting(*args, **kwargs):
        ok, images = real(*args, **kwargs)
        decoded.append(len(images))
        return ok, images

    monkeypatch.setattr(cv2, "imdecodemulti", counting)
    reading = iter_pages(buf.getvalue())
    assert int(next(reading)[0, 0]) == 255 and decoded == [1]  # the first page only, so far
    assert [int(p[0, 0]) for p in reading] == [200, 150] and decoded == [1, 1, 1]


def test_a_pdf_of_more_pages_than_a_batch_is_refused_before_any_is_rendered() -> None:
    """Pages of a few dozen bytes each: 200 MB of them would be millions of pages to render."""
    import pypdfium2

    document = pypdfium2.PdfDocument.new()
    for _ in range(MAX_FRAMES + 1):
        document.new_page(595, 842)
    buf = io.BytesIO()
    document.save(buf)
    with pytest.raises(PageRejected, match=f"PDF 有 {MAX_FRAMES + 1} 页，过多"):
        next(iter_pages(buf.getvalue()))


def _pdf_claiming_pages(count: int) -> bytes:
    """A PDF of one page whose page tree says it has ``count``."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", f"<< /Type /Pages /Kids [3 0 R] /Count {count} >>".encode(),
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def test_a_pdf_page_pdfium_cannot_load_is_refused_naming_it() -> None:
    """Found by fuzzing: PdfiumError ("Failed to load page") escaped the batch job."""
    assert len(list(iter_pages(_pdf_claiming_pages(1)))) == 1
    with pytest.raises(PageRejected, match="PDF 第 2 页已损坏"):
        list(iter_pages(_pdf_claiming_pages(2)))


PAGE = make_page(0, with_back=True)
_HALF = cv2.resize(PAGE.image, (PAGE.image.shape[1] // 3, PAGE.image.shape[0] // 3))


def _seeds() -> list[bytes]:
    seeds = [cv2.imencode(".png", _HALF)[1].tobytes(), cv2.imencode(".jpg", _HALF, [cv2.IMWRITE_JPEG_QUALITY, 60])[1].tobytes()]
    for compression in ("raw", "tiff_deflate", "packbits", "tiff_lzw"):
        buf = io.BytesIO()
        Image.fromarray(_HALF).save(buf, format="TIFF", save_all=True, append_images=[Image.fromarray(_HALF)],
                                    compression=compression)
        seeds.append(buf.getvalue())
    buf = io.BytesIO()
    Image.fromarray(_HALF).convert("1").save(buf, format="TIFF", compression="group4")
    seeds.append(buf.getvalue())
    seeds.append(_printed(A4_SPEC))
    return seeds


SEEDS = _seeds()


def fuzz_one(rng: random.Random) -> None:
    """One mutated scan read as a batch reads it: pages read or rejected, never a traceback."""
    data = mutate_bytes(rng, rng.choice(SEEDS), IMAGE_TOKENS)
    if rng.random() < 0.5:  # the header, where the sizes are
        head = mutate_bytes(rng, data[:64], IMAGE_TOKENS)
        data = head + data[64:]
    started = time.monotonic()
    try:
        for number, page in enumerate(iter_pages(data, dpi=100)):
            assert page.dtype == np.uint8 and page.size <= MAX_PAGE_PIXELS
            if number == 0 and page.size:
                try:
                    read_front(page, PAGE.layout)
                except (PageRejected, ValueError):
                    pass
    except PageRejected as error:
        assert str(error)
    assert time.monotonic() - started < 10


@settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(st.randoms(use_true_random=False))
def test_mutated_scans_give_pages_or_a_chinese_rejection(rng: random.Random) -> None:
    fuzz_one(rng)


@pytest.mark.soak
def test_ten_minutes_of_mutated_scans() -> None:
    rng = random.Random(20261130)
    end, done = time.monotonic() + 600, 0
    while time.monotonic() < end:
        fuzz_one(rng)
        done += 1
    print(f"{done} mutated scans")
