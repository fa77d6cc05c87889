"""The audit after a mobile box (流动票箱) was poured into a fixed station's box before counting
(counting.box_merged): the poured box has no stack of its own, so the manifest form does not
ask for it (it says which box holds its papers), the manifest refuses a count for it, the
records per box and the sealed manifest name only the boxes that hold papers, and every draw
is a position in a stack that exists ("票箱 C 第 30 张" counts the poured papers with C's)."""
from __future__ import annotations

import pytest

from election.audit import service
from election.counting import mixing
from election.errors import UserError
from election.polling import turnout
from election.polling.merge import merge_mobile_box
from election.polling.stations import create_station
from election.protocol import rla
from election.publication.bundle import export_bundle
from tests.audit import seeding
from tests.conftest import DATA_KEY, login
from tests.polling.conftest import poll  # noqa: F401
from tests.polling.helpers import vote_in_fixed_and_mobile
from tools.verify import run

SEED = "3141 5926 5358 9793 2384 6"


def test_a_poured_mobile_box_is_left_out_of_the_manifest_and_the_draws(app, db, poll, monkeypatch) -> None:  # noqa: F811
    election = poll["election"]
    fixed, other = poll["boxes"]
    mobile = create_station(db, election, "t", "流动票箱一", mobile=True, scrutineers=["甲", "乙", "丙"]).boxes[0]
    papers = vote_in_fixed_and_mobile(db, poll, mobile, monkeypatch)
    turnout.close_hours(db, election, "a_committee", final=True, round_number=1)
    merge_mobile_box(db, election, 1, mobile.id, fixed.id, "甲、乙、丙", "a_committee")
    mixing.confirm_mixed(db, election, 1, fixed.id, "甲、乙", "a_scrutineer")
    db.commit()
    for i in (4, 0, 3, 2, 1):
        mixing.enter_from_mixed_box(db, election, fixed.id, papers[i][1], {}, "a_teller", 1)
        db.commit()

    assert service.poured_boxes(db, election, 1) == {mobile.label: fixed.label}
    assert service.box_paper_counts(db, election, 1) == {fixed.label: 5, other.label: 0}

    # The manifest form asks for the fixed boxes only and says where the mobile box's papers are.
    client = app.test_client()
    login(client, "a_auditor")
    page = client.get(f"/audit/e/{election.id}?round=1").get_data(as_text=True)
    assert f'name="box-{fixed.label}"' in page and f'name="box-{other.label}"' in page
    assert f'name="box-{mobile.label}"' not in page
    assert f"流动票箱 {mobile.label} 的选票已于计票前倒入票箱 {fixed.label}" in page

    # A count for the poured box is refused, naming the box that holds its papers; 0 or blank is no count.
    with pytest.raises(UserError, match=f"流动票箱“{mobile.label}”的选票已于计票前倒入票箱“{fixed.label}”"):
        service.enter_manifest(db, election, {fixed.label: "3", other.label: "0", mobile.label: "2"}, "a_scrutineer", 1)
    db.rollback()
    manifest = service.enter_manifest(db, election, {fixed.label: "5", other.label: "0", mobile.label: ""}, "a_scrutineer", 1)
    assert manifest == {fixed.label: 5, other.label: 0}
    seeding.commit(db, election, 1)
    service.seal(db, election, DATA_KEY, "a_committee", 1)
    audit = seeding.start(db, election, SEED, "a_auditor", round_number=1)
    db.commit()
    assert audit.boxes == {fixed.label: 5, other.label: 0} and audit.papers == 5
    # Five papers: a hand count at once, every box of the manifest entered, the poured one not asked for.
    assert audit.status == "full_count" and service.draws_of(db, audit) == []
    with pytest.raises(UserError, match=f"票箱“{mobile.label}”不在票箱清单中"):
        service.record_hand_count(db, election, audit, {fixed.label: [{"state": "found", "posts": {}}] * 5, other.label: [],
                                                        mobile.label: []}, "a_auditor")
    db.rollback()
    # Any draw of the seed is a position in a stack the scrutineers counted: the fixed box's five.
    draws = rla.draw_sample(SEED, audit.boxes, 40)
    assert {d.box for d in draws} == {fixed.label} and {d.position for d in draws} <= set(range(1, 6))
    # The auditor bundle's audit verifies with the poured box out of the manifest.
    data = export_bundle(db, election, DATA_KEY, "a_committee", auditor=True, round_number=1).data
    db.commit()
    checks = {c.name_en: c for c in run(data)}
    for name in ("boxes", "audit_sample", "audit_commitment", "audit_count", "audit_recompute"):
        assert checks[name].ok, (name, checks[name].detail)
