"""Printable public notices (公告): a title, lines of text, a long table and the committee's footer.

One builder serves 选民名单公告, 居民代表名单公告, 正式候选人名单公告, 选举结果公告, the signed
chain-head notice (with a QR) and the deadline calendar: A4, Chinese, tables that run over
several pages with the header row repeated, optional grouping (e.g. by 居民小组) and
"第 x 页 共 y 页" on every page.
"""
from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

from ballots.fonts import PRIMARY, draw_text, font_name, markup, require_glyphs, text_width
from ballots.qr import draw_qr

MARGIN = 18 * mm


@dataclass(frozen=True)
class NoticeGroup:
    """Rows under one heading, e.g. heading "第三居民小组" and that group's voters."""

    heading: str
    rows: Sequence[Sequence[str]]


def style(size: float, align: int = TA_LEFT, leading: float | None = None) -> ParagraphStyle:
    """A paragraph style in the embedded font that breaks Chinese lines between characters."""
    font_name()
    return ParagraphStyle(
        f"jx-{size}-{align}",
        fontName=PRIMARY,
        fontSize=size,
        leading=leading or size * 1.45,
        alignment=align,
        wordWrap="CJK",
    )


class PageCountCanvas(Canvas):
    """A canvas that writes "第 x 页 共 y 页" at the foot of every page once the total is known."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("pageCompression", 1)
        kwargs.setdefault("invariant", 1)
        super().__init__(*args, **kwargs)
        self._saved_pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        # Hold the page back until the total page count is known.
        self._saved_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._saved_pages)
        for state in self._saved_pages:
            self.__dict__.update(state)
            width = self._pagesize[0]
            draw_text(self, width / 2, 10 * mm, f"第 {self._pageNumber} 页 共 {total} 页", 9, "centre")
            super().showPage()
        super().save()


class QrFlowable(Flowable):
    """A QR code with a caption beneath, for notices that point to a public page or a chain head."""

    def __init__(self, payload: str, size: float, caption: str = "") -> None:
        super().__init__()
        self.payload = payload
        self.size = size
        self.caption = caption
        self.width = size
        self.height = size + (6 * mm if caption else 0)

    def draw(self) -> None:
        offset = 6 * mm if self.caption else 0
        draw_qr(self.canv, self.payload, 0, offset, self.size)
        if self.caption:
            draw_text(self.canv, self.size / 2, 1.5 * mm, self.caption, 8, "centre")


def _check(title: str, subtitle_lines: Sequence[str], headers: Sequence[str], groups: list[NoticeGroup], footer_lines: Sequence[str]) -> None:
    require_glyphs("公告标题", title)
    for line in subtitle_lines:
        require_glyphs("公告说明", line)
    for header in headers:
        require_glyphs("表头", header)
    for group in groups:
        require_glyphs("分组标题", group.heading)
        for r, row in enumerate(group.rows, start=1):
            if len(row) != len(headers):
                raise ValueError(
                    f"{group.heading or '表格'}第 {r} 行有 {len(row)} 栏，表头有 {len(headers)} 栏，两者须一致。"
                )
            for header, cell in zip(headers, row):
                require_glyphs(f"{group.heading}第 {r} 行“{header}”栏", str(cell))
    for line in footer_lines:
        require_glyphs("落款", line)


def _column_widths(headers: Sequence[str], groups: list[NoticeGroup], available: float, size: float) -> list[float]:
    # Widths follow the content (sampled), capped so one long cell cannot squeeze the others.
    widths = [text_width(h, size) for h in headers]
    sampled = 0
    for group in groups:
        for row in group.rows:
            for i, cell in enumerate(row):
                widths[i] = max(widths[i], text_width(str(cell), size))
            sampled += 1
            if sampled > 500:
                break
    wanted = [min(w, 70 * mm) + 5 * mm for w in widths]  # 5 mm: the cell padding (2 x 6 pt) and a little
    if sum(wanted) <= available:
        scale = available / sum(wanted)
        return [w * scale for w in wanted]
    # Too wide: short columns (a date, 性别) keep their width, only the long ones wrap.
    fair = available / len(wanted)
    short = [w if w <= fair else 0.0 for w in wanted]
    long_total = sum(w for w in wanted if w > fair)
    scale = (available - sum(short)) / long_total
    return [w if w <= fair else w * scale for w in wanted]


def _counting_table(on_rows: Callable[[int], None]) -> type[LongTable]:
    """A LongTable that reports the data rows it has drawn. A table split across pages is
    redrawn as new instances of the same class, each holding the repeated header rows."""

    class CountingTable(LongTable):
        def draw(self) -> None:
            super().draw()
            on_rows(self._nrows - self.repeatRows)

    return CountingTable


KEEP_WITH_CLOSING = 12  # rows of a last table kept on the page of the closing lines


def notice_bytes(
    title: str,
    subtitle_lines: Sequence[str],
    table_headers: Sequence[str],
    table_rows: Sequence[Sequence[str]] | Sequence[NoticeGroup],
    footer_lines: Sequence[str],
    *,
    qr_payload: str | None = None,
    qr_caption: str = "",
    table_font_size: float = 10,
) -> bytes:
    """The notice as the bytes of an A4 PDF (render_notice into memory): what the services
    hand the pages."""
    out = io.BytesIO()
    render_notice(title, subtitle_lines, table_headers, table_rows, footer_lines, out, qr_payload=qr_payload,
                  qr_caption=qr_caption, table_font_size=table_font_size)
    return out.getvalue()


def render_notice(
    title: str,
    subtitle_lines: Sequence[str],
    table_headers: Sequence[str],
    table_rows: Sequence[Sequence[str]] | Sequence[NoticeGroup],
    footer_lines: Sequence[str],
    out: BinaryIO,
    *,
    qr_payload: str | None = None,
    qr_caption: str = "",
    table_font_size: float = 10,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write the notice as an A4 PDF to ``out`` and return its number of pages.

    ``table_rows`` is either plain rows or a sequence of :class:`NoticeGroup`; each group is
    printed under its heading and its table repeats the header row on every page it spans.
    ``footer_lines`` (committee name, date) are set right-aligned after the table.
    ``progress(done, total)`` counts the table rows as the pages are laid out.
    """
    groups = [g for g in table_rows if isinstance(g, NoticeGroup)]
    if len(groups) != len(table_rows):
        if groups:
            raise ValueError("公告表格不能同时含分组和未分组的行。")
        groups = [NoticeGroup("", table_rows)]  # type: ignore[arg-type]
    _check(title, subtitle_lines, table_headers, groups, footer_lines)

    cell = style(table_font_size, leading=table_font_size * 1.3)
    head = style(table_font_size, TA_CENTER, table_font_size * 1.3)
    available = A4[0] - 2 * MARGIN
    widths = _column_widths(table_headers, groups, available, table_font_size) if table_headers else []
    total = sum(len(g.rows) for g in groups)
    drawn = [0]

    def rows_drawn(n: int) -> None:
        drawn[0] += n
        if progress is not None:
            progress(min(drawn[0], total), total)

    table_class = _counting_table(rows_drawn)

    story: list[Flowable] = [Paragraph(markup(title), style(18, TA_CENTER, 26)), Spacer(1, 3 * mm)]
    for line in subtitle_lines:
        story.append(Paragraph(markup(line), style(11, TA_LEFT)))
    story.append(Spacer(1, 4 * mm))
    for group in groups:
        if not table_headers:
            break
        data = [[Paragraph(markup(h), head) for h in table_headers]]
        data += [[Paragraph(markup(str(c)), cell) for c in row] for row in group.rows]
        commands: list[tuple[Any, ...]] = [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
        header_rows = 1
        if group.heading:
            # The group heading is a spanning row repeated with the header on every page the
            # group runs over, so a reader of page 3 still knows which 居民小组 it is.
            data.insert(0, [Paragraph(markup(group.heading), style(12, TA_LEFT))] + [""] * (len(table_headers) - 1))
            commands += [("SPAN", (0, 0), (-1, 0)), ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.8, 0.8, 0.8))]
            header_rows = 2
        commands.append(("BACKGROUND", (0, header_rows - 1), (-1, header_rows - 1), colors.Color(0.9, 0.9, 0.9)))
        table = table_class(data, colWidths=widths, repeatRows=header_rows)
        table.setStyle(TableStyle(commands))
        story.append(table)
        story.append(Spacer(1, 5 * mm))
    closing: list[Flowable] = []
    if qr_payload:
        closing.append(QrFlowable(qr_payload, 35 * mm, qr_caption))
    closing.append(Spacer(1, 6 * mm))
    for line in footer_lines:
        closing.append(Paragraph(markup(line), style(12, TA_RIGHT, 20)))
    # The QR and the committee's name and date stay on one page; a short last table stays on
    # that page too, so signature lines (计票单, 选票清点表) never stand on a page of their own.
    if groups and table_headers and len(groups[-1].rows) <= KEEP_WITH_CLOSING:
        last_table, gap = story[-2], story[-1]
        story[-2:] = [KeepTogether([last_table, gap, *closing])]
    else:
        story.append(KeepTogether(closing))

    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=title,
        creator="Juxuan 居选",
    )
    pages: list[int] = []

    def count(canvas: Canvas, _doc: object) -> None:
        pages.append(canvas.getPageNumber())

    doc.build(story, onFirstPage=count, onLaterPages=count, canvasmaker=PageCountCanvas)
    if progress is not None:
        progress(total, total)
    return len(pages)
