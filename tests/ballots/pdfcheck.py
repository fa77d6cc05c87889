"""Helpers for the ballots tests: read a PDF back (text with positions, fonts), render a page
and decode its QR codes. Rendering (pypdfium2) and decoding (zxing-cpp) come from wheels, so
the tests need no system library (no poppler, no zbar)."""
from __future__ import annotations

from dataclasses import dataclass

import pypdfium2
import zxingcpp
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import DictionaryObject


@dataclass(frozen=True)
class Piece:
    text: str
    x: float
    y: float


def pieces(reader: PdfReader, page_index: int) -> list[Piece]:
    """Every text piece on a page with its position in page points (forms included)."""
    out: list[Piece] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            out.append(Piece(text, x, y))

    reader.pages[page_index].extract_text(visitor_text=visit)
    return out


def fonts_of(reader: PdfReader) -> dict[str, DictionaryObject]:
    """All font dictionaries reachable from every page's resources, XObject forms included."""
    found: dict[str, DictionaryObject] = {}

    def walk(resources: DictionaryObject) -> None:
        for key, ref in (resources.get("/Font") or {}).items():
            found[key] = ref.get_object()
        for ref in (resources.get("/XObject") or {}).values():
            xobject = ref.get_object()
            if xobject.get("/Subtype") == "/Form" and "/Resources" in xobject:
                walk(xobject["/Resources"].get_object())

    for page in reader.pages:
        walk(page["/Resources"].get_object())
    return found


def render_page(pdf: bytes, page_index: int, dpi: int = 200) -> Image.Image:
    """The page as a greyscale image at ``dpi``, rendered by PDFium."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        bitmap = document[page_index].render(scale=dpi / 72, grayscale=True)
        return bitmap.to_pil().convert("L")
    finally:
        document.close()


def crop_points(image: Image.Image, page_height: float, x0: float, y0: float, x1: float, y1: float, dpi: int = 200) -> Image.Image:
    """Crop the page image to the rectangle (x0, y0)-(x1, y1) given in PDF points."""
    k = dpi / 72
    return image.crop((int(x0 * k), int((page_height - y1) * k), int(x1 * k), int((page_height - y0) * k)))


def qr_payloads(image: Image.Image) -> list[str]:
    """The payloads of every QR code zxing-cpp finds in the image."""
    return [found.text for found in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]
