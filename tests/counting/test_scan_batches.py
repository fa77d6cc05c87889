"""Batches of scanned papers on their way to the records (election/counting/scan_batches.py):
read into proposals and kept images (the front only, never the back with A), nothing recorded
until a scrutineer approves the batch; every other paper entered by one person and approved
by another account; the kept image of a counted paper is there for the audit."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
from sqlalchemy import select

from ballots.scan_reader import any_code, audit_qr_of
from election.counting import mixing
from election.counting.scan_batches import (
    approve_batch,
    approve_reading,
    batch_view,
    enter_reading,
    kept_image,
    papers_of,
    read_batch,
    return_reading,
    waiting_papers,
)
from election.errors import UserError
from election.models import AuditCode, ElectionEvent, ScanPaper

from .builder import entry_fields
from .test_scanning import scanned  # noqa: F401 — the fixture


def _counted(db) -> dict[str, dict]:
    return {c.d_hash: c.marks for c in db.scalars(select(AuditCode).where(AuditCode.state == "counted"))}


def test_a_batch_is_recorded_only_by_people(db, scanned):  # noqa: F811
    election, built, plans, pages = scanned
    box = built.boxes[0]
    with pytest.raises(UserError, match="尚未确认已混合"):
        read_batch(db, election, 1, box.id, iter(pages), "scan.pdf", "a_committee")
    db.rollback()
    mixing.confirm_mixed(db, election, 1, box.id, "监票人甲、乙", "a_scrutineer")
    db.commit()
    done: list[int] = []
    batch = read_batch(db, election, 1, box.id, iter(pages), "scan.pdf", "a_committee", done.append)
    db.commit()
    assert done[-1] == 5 and batch.pages == 10
    papers = papers_of(db, election, batch.id)
    assert [p.pages for p in papers] == ["1-2", "3-4", "5-6", "7-8", "9-10"]
    assert [p.state for p in papers] == ["confident", "confident", "to_people", "to_people", "to_people"]
    assert _counted(db) == {}  # nothing recorded by reading
    # Every front kept, de-skewed; never a back (its QR is A, which is never stored).
    for p in papers:
        image = cv2.imdecode(np.frombuffer(p.image, np.uint8), cv2.IMREAD_GRAYSCALE)
        assert image is not None and audit_qr_of(image) is None and not any_code(image)  # nor the stub's T
        # every candidate's box and one write-in line per seat (1+1+3+1+2)
        assert len(p.boxes) == sum(len(c) for c in built.candidates.values()) + 8
    view = batch_view(db, election, batch.id)
    assert view.states == {"confident": 2, "to_people": 3}
    zhuren = dict(view.counts)["居民委员会主任"]
    assert zhuren == [(built.candidates["jwh_zhuren"][0].resident.name, 1, 0),
                      (built.candidates["jwh_zhuren"][1].resident.name, 0, 1)]
    kinds = [e.kind for e in db.scalars(select(ElectionEvent).where(ElectionEvent.election_id == election.id))]
    assert "counting.scan_batch_read" in kinds

    assert approve_batch(db, election, batch.id, "a_scrutineer") == 2
    db.commit()
    assert _counted(db) == {p.d_hash: p.proposed for p in papers[:2]}
    with pytest.raises(UserError, match="已由 a_scrutineer 确认"):
        approve_batch(db, election, batch.id, "a_scrutineer")
    db.rollback()

    # The tick (paper 3): one person enters, the same person cannot approve, another can.
    tick = papers[2]
    assert any(b["reading"] == "unsure" for b in tick.boxes)
    fields = entry_fields(built, {"jwh_zhuren": {0: "1"}})
    enter_reading(db, election, tick.token, fields, "counter_a")
    db.commit()
    assert _counted(db).get(tick.d_hash) is None
    with pytest.raises(UserError, match="须由另一人"):
        approve_reading(db, election, tick.token, "counter_a")
    db.rollback()
    with pytest.raises(UserError, match="写明理由"):
        return_reading(db, election, tick.token, "counter_b", "")
    return_reading(db, election, tick.token, "counter_b", "主任栏是“√”，应由委员会认定")
    db.commit()
    with pytest.raises(UserError, match="尚未录入"):
        approve_reading(db, election, tick.token, "counter_b")
    db.rollback()
    enter_reading(db, election, tick.token, fields, "counter_a", "√ 认作赞成，委员会决定")
    db.commit()
    approve_reading(db, election, tick.token, "counter_b")
    db.commit()
    assert _counted(db)[tick.d_hash]["jwh_zhuren"]["approve"] == [str(built.candidates["jwh_zhuren"][0].resident_id)]
    assert {p.token for _, p in waiting_papers(db, election, 1)} == {papers[3].token, papers[4].token}

    # The audit sees the kept front of a counted paper, and nothing for a paper not counted.
    assert kept_image(db, election, tick.d_hash) == db.get(ScanPaper, (election.id, tick.token)).image
    assert kept_image(db, election, papers[3].d_hash) is None

    # The same pages again: counted papers are set aside, the waiting ones too (once only).
    again = read_batch(db, election, 1, box.id, iter(pages), "again.pdf", "a_committee")
    db.commit()
    assert [p.state for p in papers_of(db, election, again.id)] == ["set_aside"] * 5


def test_a_doubtful_post_needs_the_committee_where_the_rulebook_says_so(db, scanned):  # noqa: F811
    from tests.counting.test_rulebook_parameters import _rulebook

    election, built, _plans, pages = scanned
    box = built.boxes[0]
    _rulebook(db, election, doubtful_by_committee=True)
    mixing.confirm_mixed(db, election, 1, box.id, "监票人甲、乙", "a_scrutineer")
    batch = read_batch(db, election, 1, box.id, iter(pages[4:6]), "scan.pdf", "a_committee")
    db.commit()
    (tick,) = papers_of(db, election, batch.id)
    enter_reading(db, election, tick.token, entry_fields(built, {}, unreadable=("jwh_zhuren",)), "counter_a")
    db.commit()
    with pytest.raises(UserError, match="由选举委员会认定"):
        approve_reading(db, election, tick.token, "counter_b")
    db.rollback()
    approve_reading(db, election, tick.token, "a_committee", "委员会认定：主任栏打勾，无法辨认")
    db.commit()
    assert _counted(db)[tick.d_hash]["jwh_zhuren"]["unreadable"] is True


def test_a_front_that_cannot_be_read_is_kept_only_without_a_code(db, scanned):  # noqa: F811
    """A front the reader rejects is kept as scanned for people, unless a code shows on it:
    a sheet scanned with its stub still on carries T, which is never kept beside D."""
    import cv2 as _cv2

    election, built, _plans, pages = scanned
    box = built.boxes[0]
    mixing.confirm_mixed(db, election, 1, box.id, "监票人甲、乙", "a_scrutineer")
    # The test's fronts are whole printed pages, stub and its receipt QR included.
    turned = _cv2.rotate(pages[0], _cv2.ROTATE_90_CLOCKWISE)
    assert any_code(turned)
    covered = pages[2].copy()
    h, w = covered.shape
    covered[: h // 10, : w // 6] = 255  # a corner square covered: rejected
    covered[int(h * 0.8):, :] = 255  # and the stub torn off: no code left
    batch = read_batch(db, election, 1, box.id, iter([turned, pages[1], covered, pages[3]]), "x", "a_committee")
    db.commit()
    first, second = papers_of(db, election, batch.id)
    assert first.state == second.state == "to_people" and first.boxes == second.boxes == []
    assert first.image is None
    assert second.image is not None and not any_code(cv2.imdecode(np.frombuffer(second.image, np.uint8), 0))
