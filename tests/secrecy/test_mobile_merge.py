"""A mobile box (流动票箱) serves few voters whose names are public: it is never counted on
its own. At the close of poll, once its hourly deposits are recorded as its own, its papers
are poured into a fixed station's box and mixed (counting.box_merged); every record is then
that box's, the receipt page still finds its stubs, and the bundle's `boxes` check accepts
it (the mobile box's stubs + the box's own = the box's records)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from election.counting import mixing
from election.counting.result import box_counts
from election.errors import UserError
from election.models import AuditCode, ElectionEvent
from election.polling import close, turnout
from election.polling.merge import merge_mobile_box
from election.polling.stations import create_station
from election.publication.bundle import export_bundle, lookup_receipt
from tests.conftest import DATA_KEY, csrf_token, login
from tests.polling.helpers import vote_in_fixed_and_mobile
from tools.verify import run


def test_mobile_box_is_poured_into_a_station_box_before_counting(db, poll, monkeypatch) -> None:
    election = poll["election"]
    fixed = poll["boxes"][0]
    mobile = create_station(db, election, "t", "流动票箱一", mobile=True, scrutineers=["甲", "乙", "丙"]).boxes[0]
    late = create_station(db, election, "t", "流动票箱二", mobile=True, scrutineers=["甲", "乙", "丙"]).boxes[0]
    papers = vote_in_fixed_and_mobile(db, poll, mobile, monkeypatch)

    # Not counted on its own, not mixed on its own, not poured before its hours are on record.
    with pytest.raises(UserError, match="流动票箱“流动票箱一”不能单独计票"):
        mixing.enter_from_mixed_box(db, election, mobile.id, papers[3][1], {}, "a_teller", 1)
    db.rollback()
    with pytest.raises(UserError, match="不能单独计票"):
        mixing.confirm_mixed(db, election, 1, mobile.id, "甲、乙", "a_scrutineer")
    db.rollback()
    with pytest.raises(UserError, match="投入数还没有记入选举记录"):
        merge_mobile_box(db, election, 1, mobile.id, fixed.id, "甲、乙、丙", "a_committee")
    db.rollback()
    turnout.close_hours(db, election, "a_committee", final=True, round_number=1)
    db.commit()
    for box, into, refusal in ((fixed.id, poll["boxes"][1].id, "不是流动票箱"), (mobile.id, late.id, "是流动票箱")):
        with pytest.raises(UserError, match=refusal):
            merge_mobile_box(db, election, 1, box, into, "甲、乙、丙", "a_committee")
        db.rollback()
    for names, refusal in (("  ", "请填写见证将流动票箱倒入投票站票箱并混合选票的监票人姓名"), ("甲" * 121, "共 121 个字，不能超过 120 个字")):
        with pytest.raises(UserError, match=refusal):
            merge_mobile_box(db, election, 1, mobile.id, fixed.id, names, "a_committee")
        db.rollback()
    merge_mobile_box(db, election, 1, mobile.id, fixed.id, "甲、乙、丙", "a_committee")
    db.commit()
    event = db.scalar(select(ElectionEvent).where(ElectionEvent.election_id == election.id,
                                                  ElectionEvent.kind == "counting.box_merged"))
    assert event.payload == {"round": 1, "box": "流动票箱一", "into": fixed.label}
    with pytest.raises(UserError, match="已倒入其他票箱"):
        merge_mobile_box(db, election, 1, mobile.id, fixed.id, "甲、乙、丙", "a_committee")
    db.rollback()

    # Counted as the station box's: the merged box is refused by name, the records carry the station box.
    with pytest.raises(UserError, match=f"已倒入票箱“{fixed.label}”"):
        mixing.enter_from_mixed_box(db, election, mobile.id, papers[3][1], {}, "a_teller", 1)
    db.rollback()
    mixing.confirm_mixed(db, election, 1, fixed.id, "甲、乙", "a_scrutineer")
    db.commit()
    for i in (4, 0, 3, 2, 1):
        mixing.enter_from_mixed_box(db, election, fixed.id, papers[i][1], {}, "a_teller", 1)
        db.commit()
    assert set(db.scalars(select(AuditCode.box_id).where(AuditCode.election_id == election.id,
                                                         AuditCode.state == "counted"))) == {fixed.id}
    counted = [e.payload["box"] for e in db.scalars(select(ElectionEvent).where(
        ElectionEvent.election_id == election.id, ElectionEvent.kind == "counting.paper_counted"))]
    assert counted == [fixed.label] * 5
    rows = {r["label"]: r for r in box_counts(db, election, 1)}
    assert mobile.label not in rows and (rows[fixed.label]["stubs"], rows[fixed.label]["records"]) == (5, 5)
    assert not rows[fixed.label]["differs"]
    rec = close.reconciliation(db, election, 1)
    assert not [f for f in rec.findings if f.code == "box.mismatch"], rec.findings
    assert next(b for b in rec.boxes if b["label"] == mobile.label)["poured_into"] == fixed.label

    # Counting began: another mobile box can no longer be poured.
    with pytest.raises(UserError, match="已开始计票"):
        merge_mobile_box(db, election, 1, late.id, fixed.id, "甲、乙、丙", "a_committee")
    db.rollback()

    # The receipt of a mobile-box paper is found, with its own box's proof and the counted papers.
    answer = lookup_receipt(db, papers[3][0])
    assert answer.found and answer.box == mobile.label and answer.box_papers == 5

    data = export_bundle(db, election, DATA_KEY, "a_committee", auditor=True, round_number=1).data
    db.commit()
    checks = {c.name_en: c for c in run(data)}
    for name in ("boxes", "records_per_box", "reconcile"):
        assert checks[name].ok, (name, checks[name].detail)
    assert "1 个流动票箱倒入固定投票站的票箱后统一计票" in checks["boxes"].detail


def test_reconcile_page_pours_the_mobile_box_into_a_station_box(app, db, poll) -> None:
    election, fixed = poll["election"], poll["boxes"][1]
    mobile = create_station(db, election, "t", "流动票箱一", mobile=True, scrutineers=["甲", "乙", "丙"]).boxes[0]
    db.commit()
    client = app.test_client()
    login(client, "a_committee")
    url = f"/elections/{election.id}/polling/reconcile"
    page = client.get(url).get_data(as_text=True)
    assert 'id="merges"' in page and f'name="box_id" value="{mobile.id}"' in page
    assert f'<option value="{mobile.id}">' not in page.split('id="merges"')[1]  # never into a mobile box
    page = client.post(url, data={"csrf_token": csrf_token(client, url), "action": "merge", "round": "1",
                                  "box_id": str(mobile.id), "into_id": str(fixed.id), "witnesses": "甲、乙、丙"},
                       follow_redirects=True).get_data(as_text=True)
    assert "已记录：流动票箱的选票已倒入投票站的票箱并混合" in page
    assert f"{mobile.label} 已倒入 {fixed.label}" in page
