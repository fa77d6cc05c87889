"""Rulebook parameters of the papers and the printed result, each changed to show the
difference it makes (issue 16, "every preset parameter changes behaviour"):
mark_approve / mark_oppose (RULES.md "marks": printed on the paper, accepted at entry),
overvote_scope (the paper's instruction says what an overvote voids), term_years ([L2018]:
the report, notice and certificates) and papers_sealed_until_next ([P:SH]: the report)."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from ballots.ballot_paper import instructions
from election.counting import reports
from election.counting.service import enter_scanned
from election.errors import UserError
from election.polling import deposit, handout, issuance, printing
from election.rules.rulebook import Rulebook
from tests.polling.helpers import polling_day, print_capturing

from .voting import fields_for, setup, vote_round


def _rulebook(db, election, **changes) -> None:
    election.rulebook = Rulebook().with_changes(**changes).to_dict()
    db.commit()


@pytest.mark.parametrize("approve", ["○", "√"])
def test_the_approve_mark_is_printed_and_entered(db, world, monkeypatch, approve):
    w = setup(db, world["a"]["election"], voters=20)
    e = w.election
    _rulebook(db, e, mark_approve=approve)
    out = io.BytesIO()
    papers = print_capturing(db, e, 2, monkeypatch, out=out)
    text = PdfReader(io.BytesIO(out.getvalue())).pages[0].extract_text()
    other = "√" if approve == "○" else "○"
    assert f"赞成的划“{approve}”" in text and f"划“{approve}”不得超过" in text
    assert f"赞成的划“{other}”" not in text
    stub, body = papers[0]
    box = w.station.boxes[0]
    with polling_day(db, e, 1):
        issuance.issue_ballot(db, e, w.station.desks[0].id, w.voters[0].id, "a_clerk", round_number=1)
    handout.hand_out(db, e, w.station.id, stub)
    deposit.deposit(db, e, box.id, stub)
    fields = fields_for(db, e, 1, {})
    first = next(k for k in fields if k.startswith("m-jwh_zhuren-"))
    fields[first] = "√"
    if approve == "√":
        record = enter_scanned(db, e, box.id, body, fields, "a_counter", 1)
        assert len(record.marks["jwh_zhuren"]["approve"]) == 1
    else:
        with pytest.raises(UserError, match="标记“√”无效：1（○）赞成"):
            enter_scanned(db, e, box.id, body, fields, "a_counter", 1)


@pytest.mark.parametrize("scope,words", [("post", "该职务的选票无效"), ("paper", "整张选票无效")])
def test_the_paper_says_what_an_overvote_voids(db, world, scope, words):
    w = setup(db, world["a"]["election"], voters=20)
    _rulebook(db, w.election, overvote_scope=scope)
    (_, spec), = printing.ballot_specs(db, w.election)
    lines = "".join(instructions(spec))
    assert f"多于应选人数的，{words}" in lines


@pytest.mark.parametrize("years,sealed", [(5, True), (3, False)])
def test_term_and_sealing_on_the_printed_result(db, world, monkeypatch, years, sealed):
    w = setup(db, world["a"]["election"], voters=20)
    e = w.election
    _rulebook(db, e, term_years=years, papers_sealed_until_next=sealed)
    marks = {"jwh_zhuren": [0], "jwh_fu_zhuren": [0], "jwh_weiyuan": [0, 1, 2], "jdw_zhuren": [0], "jdw_weiyuan": [0, 1]}
    vote_round(db, w, monkeypatch, 1, w.voters[:14], lambda i: marks)
    term = {5: "五年", 3: "三年"}[years]
    report = reports.result_report(db, e, 1)
    assert f"当选人任期{term}。" in report.notes
    assert any("保存至下届选举" in n for n in report.notes) is sealed
    notice = PdfReader(io.BytesIO(reports.notice_pdf(db, e, 1))).pages[0].extract_text()
    assert f"当选人任期{term}" in notice.replace("\n", "")
    certificates = "".join(p.extract_text() for p in PdfReader(io.BytesIO(reports.certificates_pdf(db, e))).pages)
    assert f"任期{term}" in certificates.replace("\n", "")


def test_chinese_years() -> None:
    assert [reports.cn_years(n) for n in (3, 5, 10, 12, 20, 25)] == ["三年", "五年", "十年", "十二年", "二十年", "二十五年"]
