"""选举结果报告单 and 当选证书 (RULES.md Counting and results: report archived, certificates issued)."""
from __future__ import annotations

import io
from dataclasses import replace

import pytest
from pypdf import PdfReader

from ballots.reports import CandidateTally, Certificate, PostTally, ResultReport, render_certificates, render_result_report
from tests.ballots.pdfcheck import fonts_of

CHAIR = PostTally(
    "居民委员会", "主任", 1, 950, 50, 501, "得票超过参加投票选民的半数",
    (
        CandidateTally("王建国", 700, True, "得票过半，当选"),
        CandidateTally("李秀英", 230, False, "得票未过半数"),
        CandidateTally("赵六", 12, False, "另选他人，得票未过半数", write_in=True),
    ),
)
REPORT = ResultReport(
    "幸福里社区第十二届居民委员会选举结果报告单", "幸福里社区换届选举", "第一轮", "2027年3月15日",
    1800, 1010, 1000, (CHAIR,), "3f9a 1c0b 7d2e 4f5a", "9c1e5d0a77 第 1234 号事件", "幸福里社区居民选举委员会",
    "参加投票选民 1000 人，超过登记选民半数，选举有效。",
)


def test_report_shows_figures_votes_outcomes_and_signature_lines() -> None:
    buf = io.BytesIO()
    assert render_result_report(REPORT, buf) == 1
    reader = PdfReader(io.BytesIO(buf.getvalue()))
    text = reader.pages[0].extract_text()
    for wanted in ("1800 人", "1010 张", "1000 张", "55.6%", "有效票 950 张，无效票 50 张", "当选票数线 501 票",
                   "总监票人（签名）", "计票人（签名）", "选举委员会主任（签名）", "3f9a 1c0b 7d2e 4f5a", "9c1e5d0a77",
                   "另选他人", "得票未过半数"):
        assert wanted in text, wanted
    assert text.index("王建国") < text.index("700") < text.index("李秀英") < text.index("230")
    assert all("/FontFile2" in f["/FontDescriptor"].get_object() for f in fonts_of(reader).values() if "/FontDescriptor" in f)


def test_report_that_does_not_reconcile_is_refused() -> None:
    """RULES.md Validity "returned vs issued" and per-post valid + invalid == returned."""
    bad = replace(REPORT, papers_returned=1020)
    with pytest.raises(ValueError) as caught:
        render_result_report(bad, io.BytesIO())
    assert "收回选票 1020 张多于发出选票 1010 张" in str(caught.value)
    assert "居民委员会主任：有效票 950 张加无效票 50 张不等于收回选票 1020 张" in str(caught.value)
    wrong = replace(REPORT, posts=(replace(CHAIR, candidates=(CandidateTally("李秀英", 230, True, "当选"),)),))
    with pytest.raises(ValueError, match="低于当选票数线 501 票"):
        render_result_report(wrong, io.BytesIO())


def test_certificates_one_page_each() -> None:
    certs = [
        Certificate(name, "幸福里社区居民委员会", post, "幸福里社区第十二届居民委员会换届选举", "任期五年", "2027年3月15日", "幸福里社区居民选举委员会", f"XFL-{n}")
        for n, (name, post) in enumerate((("王建国", "主任"), ("刘䶮", "副主任")), start=1)
    ]
    buf = io.BytesIO()
    assert render_certificates(certs, buf) == 2
    reader = PdfReader(io.BytesIO(buf.getvalue()))
    assert len(reader.pages) == 2
    for page, cert in zip(reader.pages, certs):
        text = page.extract_text()
        assert "当 选 证 书" in text and f"{cert.name}同志" in text and f"当选为幸福里社区居民委员会{cert.post}" in text.replace("\n", "")
