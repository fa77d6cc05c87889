"""Writing a reportlab PDF's page contents to the file as the pages are finished, so that
printing 5,000 papers holds about as much memory as printing 1,000.

reportlab keeps every page, with its whole content stream, until ``canvas.save()`` formats
the document in one piece (about 20 KB a paper here: the two QR codes' paths and the code
text). A paper's content stream refers to nothing but names (its fonts and forms are named
in the page's resources), so it can be compressed and written as soon as the page is shown:
``PageStreamer.flush()`` writes the content streams of the pages shown since the last call
as PDF objects at the head of the output, and leaves reportlab a reference to each; at save,
reportlab's own formatting writes the rest (page dictionaries, fonts, forms, catalogue)
after them, skipping the objects already written, and its cross-reference table gets their
offsets. What stays in memory per page is reportlab's small page dictionary.

Everything is still formatted by reportlab (PDFStream, PDFIndirectObject, the cross-
reference table); what is ours is the order in which objects reach the file. The format
loop below follows reportlab's PDFDocument.format (reportlab 4.2 to 5), which the tests
read back with pypdf and pypdfium2.
"""
from __future__ import annotations

from typing import Any, BinaryIO

from reportlab import rl_config
from reportlab.pdfbase.pdfdoc import (
    PDFBase85Encode,
    PDFCrossReferenceTable,
    PDFFile,
    PDFIndirectObject,
    PDFObject,
    PDFObjectReference,
    PDFStream,
    PDFTrailer,
    PDFZCompress,
    pdfdocEnc,
)
from reportlab.pdfgen.canvas import Canvas


class _Written(PDFObject):
    """Stands in the document for an object already in the file (never formatted again)."""

    def format(self, document: Any) -> bytes:
        raise AssertionError("an object already written was formatted again")


_WRITTEN = _Written()
# Attributes of a page that reportlab's PDFPage.check_format reads directly (its format
# reads the others with a default of None, so a None among them need not be stored).
_READ_DIRECTLY = frozenset({"MediaBox", "Rotate", "Annots", "Contents", "Resources", "Parent", "ExtGState"})


class PageStreamer:
    """Streams the content of ``canvas``'s pages into ``out`` (the file the canvas saves to,
    written from where it stands now)."""

    def __init__(self, canvas: Canvas, out: BinaryIO) -> None:
        self.doc = canvas._doc
        self.out = out
        header = PDFFile(self.doc._pdfVersion).format(self.doc)
        out.write(header)
        self.offset = len(header)  # offsets in a PDF count from its first byte
        self.written: dict[str, int] = {}  # reportlab's name of each object written -> its offset
        self.pages_done = 0
        self.doc.format = self._format  # GetPDFData (canvas.save) calls it

    def flush(self) -> None:
        """Write the content stream of every page shown since the last flush."""
        doc = self.doc
        pages = doc.Pages.pages
        for index in range(self.pages_done, len(pages)):
            page = pages[index]
            if isinstance(page, PDFObjectReference) or page.Contents or not page.stream:
                continue
            stream = PDFStream()
            if page.compression:
                stream.filters = [PDFBase85Encode, PDFZCompress] if rl_config.useA85 else [PDFZCompress]
            stream.content = page.stream
            reference = doc.Reference(stream)
            self._write(reference.name, PDFIndirectObject(reference.name, stream).format(doc))
            page.Contents = reference
            page.stream = None
            # The page dictionary itself refers by name to objects reportlab registers before
            # any page (the shared font dictionary, the forms, the page tree): write it now too,
            # and leave reportlab's page tree a reference in its place.
            name: str | None = getattr(page, "__InternalName__", None)
            data = None
            if name is not None:
                try:
                    data = PDFIndirectObject(name, page).format(doc)
                except KeyError:  # a reference not registered yet: reportlab writes the page at save
                    data = None
            if name is None or data is None:
                # A PDFPage sets some thirty attributes to None: keep its dictionary small.
                page.__dict__ = {k: v for k, v in page.__dict__.items() if v is not None or k in _READ_DIRECTLY}
                continue
            self._write(name, data)
            pages[index] = PDFObjectReference(name)
        self.pages_done = len(pages)

    def _write(self, name: str, data: bytes) -> None:
        self.out.write(data)
        self.written[name] = self.offset
        self.offset += len(data)
        self.doc.idToObject[name] = _WRITTEN

    def _format(self) -> bytes:
        """reportlab's PDFDocument.format, minus the header and the objects already written."""
        doc = self.doc
        doc.encrypt.prepare(doc)
        doc.Reference(doc.Catalog)
        doc.Reference(doc.info)
        encryptinfo = doc.encrypt.info()
        encryptref = doc.Reference(encryptinfo) if encryptinfo else None
        numbertoid, ids = doc.numberToId, []
        out = PDFFile(doc._pdfVersion)
        out.strings.clear()
        out.offset = self.offset
        counter = 0
        while True:  # objects may be added while others are formatted: reportlab loops the same way
            counter += 1
            if counter not in numbertoid:
                break
            oid = numbertoid[counter]
            if oid in self.written:
                doc.idToOffset[oid] = self.written[oid]
            else:
                doc.idToOffset[oid] = out.add(PDFIndirectObject(oid, doc.idToObject[oid]).format(doc))
            ids.append(oid)
        if counter - 1 != len(numbertoid):
            raise ValueError(f"PDF objects numbered {counter - 1}, registered {len(numbertoid)}")
        xref = PDFCrossReferenceTable()
        xref.addsection(0, ids)
        start = out.add(xref.format(doc))
        trailer = PDFTrailer(startxref=start, Size=len(numbertoid) + 1, Root=doc.Reference(doc.Catalog),
                             Info=doc.Reference(doc.info), Encrypt=encryptref, ID=doc.ID())
        out.add(trailer.format(doc))
        return pdfdocEnc(out.format(doc))
