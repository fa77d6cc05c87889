"""The election methods end to end through the services (issue 16, RULES.md "Validity":
household method — of household representatives; representative method — of
representatives): who may take a paper, the turnout base, and the result's validity and
thresholds counted on the method's electors, named in the result."""
from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from election.counting.reports import notice_pdf, report_pdf
from election.counting.result import enter_board, publish_result, running_tally
from election.errors import UserError
from election.models import Household, RepArea, Representative
from election.polling import issuance
from election.polling.turnout import turnout
from election.roll import electors

from .voting import setup, vote_round

FIRST: dict[str, list[int]] = {"jwh_zhuren": [0], "jwh_fu_zhuren": [0], "jwh_weiyuan": [0, 1],
                               "jdw_zhuren": [0], "jdw_weiyuan": [0, 1]}


def _households_of_two(db, w) -> None:
    for k in range(len(w.voters) // 2):
        h = Household(election_id=w.election.id, number=f"F{k:02d}", building="2栋", group_name="第一居民小组")
        db.add(h)
        db.flush()
        for v in w.voters[2 * k:2 * k + 2]:
            v.household_id = h.id
    db.commit()


def test_household_method_one_paper_per_household_on_the_reps_base(db, world, monkeypatch):
    """40 voters in 20 households of two; 16 households designate a representative in
    writing. The electors are the 16: a household member who is not its representative is
    refused at the desk (naming the representative), turnout is out of 16, and 9 papers
    (> 16/2) make a valid round whose thresholds are on 9 papers — where the direct method
    (40 voters) would have declared the same 9 papers void."""
    w = setup(db, world["a"]["election"])
    e = w.election
    e.method = "household"
    _households_of_two(db, w)
    for k in range(16):
        electors.designate(db, e, f"F{k:02d}", str(w.voters[2 * k].voter_number), f"本户成员书面推选（材料第 {k} 号）",
                           "a_committee")
    db.commit()
    assert electors.electors_count(db, e) == 16
    assert "户代表 16 人" in electors.basis(db, e)

    # One representative per household, a voter of the household, with a written designation.
    with pytest.raises(UserError, match="每户只有一名户代表"):
        electors.designate(db, e, "F00", str(w.voters[1].voter_number), "另一人推选", "a_committee")
    with pytest.raises(UserError, match="须为本户一名居民"):
        electors.designate(db, e, "F17", str(w.voters[0].voter_number), "推选", "a_committee")
    with pytest.raises(UserError, match="书面推选"):
        electors.designate(db, e, "F17", str(w.voters[34].voter_number), " ", "a_committee")
    db.rollback()

    reps = [w.voters[2 * k] for k in range(16)]
    status = issuance.status_of(db, e, w.voters[1], 1)
    assert not status.eligible and w.voters[0].name in status.label and "户代表" in status.label
    assert "尚未推选户代表" in issuance.status_of(db, e, w.voters[36], 1).label

    # Refused at the desk before the poll (after the close, the close is the refusal).
    desk = w.station.desks[1]
    with pytest.raises(UserError, match="户代表"):
        issuance.issue_ballot(db, e, desk.id, w.voters[1].id, "a_clerk", round_number=1)
    vote_round(db, w, monkeypatch, 1, reps[:9], lambda i: FIRST, publish=False)
    assert turnout(db, e, 1)["registered"] == 16 and turnout(db, e, 1)["issued"] == 9
    running = running_tally(db, e, 1)
    enter_board(db, e, 1, {p["key"]: {r["person"]: r["votes"] for r in p["rows"]} for p in running["posts"]},
                "a_scrutineer")
    result = publish_result(db, e, 1, "a_committee").result
    db.commit()
    assert result["valid"] is True and result["registered_voters"] == 16 and result["method"] == "household"
    assert result["electors"] == "户代表"
    assert result["posts"]["jwh_zhuren"]["threshold"]["base"] == 9
    assert any("户代表 16 人" in line for line in result["explanation"])

    # The result report and the notice name the method and its base, and print the rulebook in force.
    report = "".join(pg.extract_text() for pg in PdfReader(io.BytesIO(report_pdf(db, e, 1))).pages).replace("\n", "")
    assert "选举方式：户代表选举" in report and "户代表数" in report and "户代表 16 人" in report
    assert "本次选举适用的规则参数" in report and "无妇女当选时的处理办法" in report and "定位选举" in report
    notice = "".join(pg.extract_text() for pg in PdfReader(io.BytesIO(notice_pdf(db, e, 1))).pages).replace("\n", "")
    assert "户代表选举" in notice and "户代表 16 人" in notice


def test_household_method_void_below_half_of_reps(db, world, monkeypatch):
    """Same households, 16 representatives; 8 papers are exactly half: void, a new election."""
    w = setup(db, world["a"]["election"])
    e = w.election
    e.method = "household"
    _households_of_two(db, w)
    for k in range(16):
        electors.designate(db, e, f"F{k:02d}", w.voters[2 * k].name, "书面推选", "a_committee")
    db.commit()
    result = vote_round(db, w, monkeypatch, 1, [w.voters[2 * k] for k in range(8)], lambda i: FIRST).result
    assert result["valid"] is False and result["next_round"] == "new_election"
    assert "户代表 16 人" in result["reason"]


def test_representative_method_electors_are_the_representatives(db, world, monkeypatch):
    """居民代表选举: 12 serving 居民代表 (one ended) are the electors; a voter who is not a
    representative gets no paper; 7 of 12 papers make a valid round with thresholds on 7."""
    w = setup(db, world["a"]["election"])
    e = w.election
    e.method = "representative"
    area = RepArea(election_id=e.id, number=1, group_name="第一居民小组", seats=13, explanation="测试片区")
    db.add(area)
    db.flush()
    for i, v in enumerate(w.voters[20:33]):
        db.add(Representative(election_id=e.id, area_id=area.id, resident_id=v.id, since=date(2026, 1, 1),
                              status="ended" if i == 12 else "serving"))
    db.commit()
    assert electors.electors_count(db, e) == 12
    assert "只有居民代表" in issuance.status_of(db, e, w.voters[0], 1).label
    result = vote_round(db, w, monkeypatch, 1, w.voters[20:27], lambda i: FIRST).result
    assert result["valid"] is True and result["registered_voters"] == 12 and result["electors"] == "居民代表"
    assert result["posts"]["jwh_zhuren"]["threshold"]["base"] == 7
    assert any("选举方式：居民代表选举" in line for line in result["explanation"])
