"""The dates on the printed results are the local dates of what they name: the round's voting
day (the election day for round 1) and the day the result was published, in Beijing, read
back from the PDFs with the project clock at 23:30 and at 00:30 Beijing time."""
from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader

from election import clock
from election.clock import cn_date
from election.counting.reports import certificates_pdf, notice_pdf, report_pdf
from election.counting.result import publish_result
from election.counting.service import enter_scanned
from tests.conftest import DATA_KEY
from tests.counting.builder import board_as_counted

from .builder import build, entry_fields


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize(("utc_hour", "local_day_offset"), [(15, 0), (16, 1)])  # 23:30 / 00:30 Beijing
def test_reports_notices_and_certificates_print_local_dates(db, world, monkeypatch, utc_hour, local_day_offset) -> None:
    monkeypatch.delenv("JUXUAN_TIMEZONE", raising=False)
    election = world["a"]["election"]
    b = build(db, election, DATA_KEY, voters=12, papers=8, boxes=2)
    marks = {"jwh_zhuren": {0: "1"}, "jwh_fu_zhuren": {0: "1"}, "jdw_zhuren": {0: "1"},
             "jdw_weiyuan": {0: "1", 1: "1"}, "jwh_weiyuan": {0: "1", 1: "1", 2: "1"}}
    for i, scan in enumerate(b.scans):
        enter_scanned(db, election, b.boxes[i % 2].id, scan, entry_fields(b, marks), "c")
        db.commit()
    board_as_counted(db, election, 1)
    # Published on the evening after polling: 23:30 (same day) or 00:30 (next day) in Beijing.
    voting_day = election.election_day
    moment = datetime(voting_day.year, voting_day.month, voting_day.day, utc_hour, 30, tzinfo=UTC)
    monkeypatch.setattr(clock, "now", lambda: moment)
    publish_result(db, election, 1, "a_committee")
    db.commit()
    published_on = voting_day + timedelta(days=local_day_offset)
    wrong_day = voting_day + timedelta(days=1 - local_day_offset)  # the other side of the boundary

    # Printed a week later: the printing day appears nowhere.
    monkeypatch.setattr(clock, "now", lambda: moment + timedelta(days=7))
    printing_day = clock.today()
    for pdf in (report_pdf(db, election, 1), notice_pdf(db, election, 1)):
        text = _text(pdf)
        assert cn_date(published_on) in text
        assert cn_date(printing_day) not in text
        if local_day_offset:
            assert cn_date(wrong_day) not in text.replace(f"投票日期：{cn_date(voting_day)}", "")
    report = _text(report_pdf(db, election, 1))
    assert f"投票日期：{cn_date(voting_day)}" in report
    certificates = _text(certificates_pdf(db, election))
    assert f"在{cn_date(voting_day)}举行的" in certificates  # the election day, not the printing day
    assert cn_date(published_on) in certificates and cn_date(printing_day) not in certificates
    assert "（任期五年）" in certificates and "，五年" not in certificates
    assert "。；" not in report
