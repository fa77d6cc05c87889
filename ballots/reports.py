"""选举结果报告单: the signed record of one round's count, filed with the street office.

Input is plain dataclasses of strings and ints so the counting service can fill them without
knowing reportlab. The 当选证书 live in ballots/certificates.py (re-exported here).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ballots.certificates import Certificate, render_certificates
from ballots.fonts import markup, require_glyphs
from ballots.notices import PageCountCanvas, style

__all__ = ["CandidateTally", "PostTally", "ResultReport", "render_result_report", "Certificate", "render_certificates"]


@dataclass(frozen=True)
class CandidateTally:
    """Votes of one candidate or write-in (另选他人) for one post, and the outcome with its reason."""

    name: str
    votes: int
    elected: bool
    reason: str
    write_in: bool = False


@dataclass(frozen=True)
class PostTally:
    """One post's count: papers valid and invalid for this post, the threshold and every name."""

    body: str
    post: str
    seats: int
    papers_valid: int
    papers_invalid: int
    threshold_votes: int
    threshold_rule: str
    candidates: tuple[CandidateTally, ...]


@dataclass(frozen=True)
class ResultReport:
    """The whole report of one round (第一轮 / 另行选举 / 再次投票)."""

    title: str
    election: str
    round: str
    date: str
    registered_voters: int
    papers_issued: int
    papers_returned: int
    posts: tuple[PostTally, ...]
    key_fingerprint: str
    chain_head: str
    committee: str
    validity_note: str = ""
    held_on: str = ""
    """The round's voting day; ``date`` is the day the result was published (both local)."""
    signers: tuple[str, ...] = field(default=("总监票人", "计票人", "选举委员会主任"))
    # The election method and its base (RULES.md "Validity"): "选举方式：…；…以户代表计算（户代表 N 人）。"
    method_line: str = ""
    electors_label: str = "登记选民"
    # Separate papers per body: body name -> (issued, returned); posts reconcile with their body's.
    body_papers: tuple[tuple[str, int, int], ...] = ()
    # The rulebook in force (RULES.md: every parameter printed on the result report): (label, value).
    # Source tags stay off posted paper (election.wording); the pages show them.
    rulebook: tuple[tuple[str, str], ...] = ()
    # Further lines under the figures, e.g. how many papers were written for their voter (代写).
    notes: tuple[str, ...] = ()


def report_problems(report: ResultReport) -> list[str]:
    """Reasons (in Chinese, naming the post) why the figures do not add up; empty when they do."""
    out: list[str] = []
    if report.papers_returned > report.papers_issued and not report.body_papers:
        out.append(f"收回选票 {report.papers_returned} 张多于发出选票 {report.papers_issued} 张（RULES.md 有效性：收回数不得多于发出数）。")
    for body, issued, returned in report.body_papers:
        if returned > issued:
            out.append(f"收回{body}选票 {returned} 张多于发出 {issued} 张（RULES.md 有效性：收回数不得多于发出数）。")
    if report.papers_issued > report.registered_voters:
        out.append(f"发出选票 {report.papers_issued} 张多于{report.electors_label} {report.registered_voters} 人。")
    returned_of = {body: r for body, _, r in report.body_papers}
    for post in report.posts:
        name = f"{post.body}{post.post}"
        returned = returned_of.get(post.body, report.papers_returned)
        if post.papers_valid + post.papers_invalid != returned:
            out.append(
                f"{name}：有效票 {post.papers_valid} 张加无效票 {post.papers_invalid} 张"
                f"不等于收回选票 {returned} 张。"
            )
        elected = sum(1 for c in post.candidates if c.elected)
        if elected > post.seats:
            out.append(f"{name}：当选 {elected} 人，多于应选 {post.seats} 名。")
        for c in post.candidates:
            if c.votes > post.papers_valid:
                out.append(f"{name}：“{c.name}”得 {c.votes} 票，多于该职务有效票 {post.papers_valid} 张。")
            if c.elected and c.votes < post.threshold_votes:
                out.append(f"{name}：“{c.name}”得 {c.votes} 票，低于当选票数线 {post.threshold_votes} 票，却标为当选。")
    return out


def _check_glyphs(report: ResultReport) -> None:
    for where, text in (
        ("报告单标题", report.title),
        ("选举名称", report.election),
        ("轮次", report.round),
        ("日期", report.date),
        ("投票日期", report.held_on),
        ("选举委员会名称", report.committee),
        ("有效性说明", report.validity_note),
        ("公钥指纹", report.key_fingerprint),
        ("链头", report.chain_head),
        ("选举方式", report.method_line),
        ("说明", "".join(report.notes)),
    ):
        require_glyphs(where, text)
    for label, value in report.rulebook:
        require_glyphs("规则参数", label + value)
    for post in report.posts:
        require_glyphs("职务", post.body + post.post + post.threshold_rule)
        for c in post.candidates:
            require_glyphs(f"{post.body}{post.post}的得票人", c.name)
            require_glyphs(f"{post.body}{post.post}“{c.name}”的说明", c.reason)


def _grid(data: list[list[Any]], widths: Sequence[float], header: bool = True) -> Table:
    table = Table(data, colWidths=list(widths), repeatRows=1 if header else 0)
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)))
    table.setStyle(TableStyle(commands))
    return table


def render_result_report(report: ResultReport, out: BinaryIO) -> int:
    """Write the 选举结果报告单 as an A4 PDF to ``out`` and return its number of pages.

    Refuses (ValueError, in Chinese) a report whose figures do not reconcile.
    """
    problems = report_problems(report)
    if problems:
        raise ValueError("选举结果报告单数字不一致，未打印：" + "".join(problems))
    _check_glyphs(report)
    p = style(10.5)
    centre = style(10.5, TA_CENTER)
    small = style(8, TA_LEFT, 11)
    story: list[Flowable] = [
        Paragraph(markup(report.title), style(18, TA_CENTER, 26)),
        Paragraph(markup(f"{report.election}　{report.round}　投票日期：{report.held_on or report.date}"), style(11, TA_CENTER)),
        Spacer(1, 5 * mm),
    ]
    if report.method_line:
        story += [Paragraph(markup(report.method_line), p), Spacer(1, 2 * mm)]
    for note in report.notes:
        story += [Paragraph(markup(note), p)]
    sheets = [(f"{body}选票", i, r) for body, i, r in report.body_papers] or [("选票", report.papers_issued, report.papers_returned)]
    summary = [[Paragraph(markup(h), centre) for h in (f"{report.electors_label}数", "选票", "发出", "收回", "参加投票比例")]]
    for what, issued, returned in sheets:
        turnout = returned / report.registered_voters * 100 if report.registered_voters else 0.0
        summary.append([Paragraph(markup(v), centre) for v in (
            f"{report.registered_voters} 人", what, f"{issued} 张", f"{returned} 张", f"{turnout:.1f}%")])
    story.append(_grid(summary, [34.8 * mm] * 5))
    if report.validity_note:
        story += [Spacer(1, 2 * mm), Paragraph(markup(report.validity_note), p)]
    story.append(Spacer(1, 5 * mm))
    for post in report.posts:
        block: list[Flowable] = [
            Paragraph(markup(f"{post.body}{post.post}（应选 {post.seats} 名）"), style(12.5, TA_LEFT, 18)),
            Paragraph(
                markup(
                    f"有效票 {post.papers_valid} 张，无效票 {post.papers_invalid} 张；"
                    f"当选票数线 {post.threshold_votes} 票（{post.threshold_rule}）"
                ),
                p,
            ),
            Spacer(1, 1.5 * mm),
        ]
        rows = [[Paragraph(markup(h), centre) for h in ("序号", "姓名", "类别", "得票数", "结果", "说明")]]
        for n, c in enumerate(post.candidates, start=1):
            rows.append(
                [
                    Paragraph(str(n), centre),
                    Paragraph(markup(c.name), p),
                    Paragraph(markup("另选他人" if c.write_in else "候选人"), centre),
                    Paragraph(str(c.votes), style(10.5, TA_RIGHT)),
                    Paragraph(markup("当选" if c.elected else "未当选"), centre),
                    Paragraph(markup(c.reason), p),
                ]
            )
        block.append(_grid(rows, [12 * mm, 32 * mm, 20 * mm, 18 * mm, 16 * mm, 76 * mm]))
        block.append(Spacer(1, 5 * mm))
        story.append(KeepTogether(block))
    if report.rulebook:
        rows = [[Paragraph(markup(h), centre) for h in ("规则参数", "本次适用")]]
        rows += [[Paragraph(markup(a), small), Paragraph(markup(b), small)] for a, b in report.rulebook]
        story += [Paragraph(markup("本次选举适用的规则参数"), style(12.5, TA_LEFT, 18)), Spacer(1, 1.5 * mm),
                  _grid(rows, [110 * mm, 64 * mm]), Spacer(1, 5 * mm)]
    story += [
        Paragraph(markup(f"选举公钥指纹：{report.key_fingerprint}"), small),
        Paragraph(markup(f"事件链头：{report.chain_head}"), small),
        Spacer(1, 10 * mm),
    ]
    signatures = [[Paragraph(markup(f"{role}（签名）："), p), ""] for role in report.signers]
    table = Table(signatures, colWidths=[58 * mm, 70 * mm], rowHeights=[12 * mm] * len(signatures))
    table.setStyle(TableStyle([("LINEBELOW", (1, 0), (1, -1), 0.6, colors.black), ("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
    story.append(KeepTogether([table, Spacer(1, 8 * mm), Paragraph(markup(f"{report.committee}（盖章）"), style(12, TA_RIGHT, 20)), Paragraph(markup(report.date), style(12, TA_RIGHT, 20))]))
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm, bottomMargin=18 * mm, title=report.title, creator="Juxuan 居选")
    pages: list[int] = []
    doc.build(story, onFirstPage=lambda c, d: pages.append(1), onLaterPages=lambda c, d: pages.append(1), canvasmaker=PageCountCanvas)
    return len(pages)
