"""The roll after import: status changes and applications with events, publication
deadline and fingerprint, objections window, freeze, voter cards and the desk look-ups,
and the printed notice and cards (Must show 4: embedded font, QR decodes to the card code)."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from sqlalchemy import select

from ballots.voter_cards import CARD_H, CARD_W, card_origin
from election import clock
from election.errors import UserError
from election.ledger.events import events_of
from election.models import Resident
from election.pii import PersonalData
from election.protocol.canonical import digest
from election.roll.cards import assign_cards, find_voter_by_card, render_cards, search_voters
from election.roll.importing import import_roll
from election.roll.publication import (
    decide_objection,
    file_objection,
    freeze_roll,
    publish_roll,
    render_roll_notice,
    roll_fingerprint,
)
from election.roll.register import apply_for_registration, change_status, overview
from tests.ballots.pdfcheck import crop_points, fonts_of, qr_payloads, render_page
from tests.conftest import DATA_KEY
from tests.factories import make_id
from tests.races import OtherWriter
from tests.roll.helpers import csv_bytes, row

TODAY = clock.today()


@pytest.fixture
def roll(world, db):
    """Six residents: three 户籍 adults, a minor, a 非户籍 resident of 2 years, one of 3 months."""
    election = world["a"]["election"]
    day = election.election_day
    ids = {
        "张伟": make_id(date(1970, 1, 2)), "李娜": make_id(date(1975, 2, 3), male=False),
        "王强": make_id(date(1990, 4, 5), seq=40), "刘小明": make_id(day - timedelta(days=365 * 10)),
        "陈静": make_id(date(1985, 6, 7), male=False, seq=41), "杨洋": make_id(date(1992, 8, 9), seq=42),
    }
    rows = [
        row("张伟", ids["张伟"], household="0001"), row("李娜", ids["李娜"], sex="女", household="0001"),
        row("王强", ids["王强"], household="0002", group="第二居民小组", 室号="102"),
        row("刘小明", ids["刘小明"], household="0002", group="第二居民小组", 室号="102"),
        row("陈静", ids["陈静"], sex="女", household="0003", 室号="201", category="非户籍常住",
            since=(TODAY - timedelta(days=730)).isoformat()),
        row("杨洋", ids["杨洋"], household="0004", 室号="202", category="非户籍常住",
            since=(TODAY - timedelta(days=90)).isoformat()),
    ]
    import_roll(db, election, DATA_KEY, csv_bytes(rows), "r.csv", "committee_a", today=TODAY)
    db.commit()
    people = {r.name: r for r in db.scalars(select(Resident))}
    return election, people, ids


def test_hukou_registered_minor_not_a_voter_nonlocal_waits_for_application(roll, db):
    """Rules: 本社区户籍 registered; under 18 not eligible; 非户籍常住 registered on application [V art.13]."""
    election, people, _ = roll
    assert [people[n].is_voter for n in ("张伟", "李娜", "王强")] == [True, True, True]
    assert people["刘小明"].status == "registered" and not people["刘小明"].eligible
    assert people["陈静"].status == "pending" and people["杨洋"].status == "pending"
    counts = overview(db, election)
    assert (counts.residents, counts.voters, counts.under_age, counts.pending) == (6, 3, 1, 2)


def test_applications_register_after_12_months_and_refuse_before(roll, db):
    """Rule: 非户籍常住 registered on application if resident >= 12 months (rulebook nonhukou_residence_months)."""
    election, people, _ = roll
    ok = apply_for_registration(db, election, people["陈静"], "resident", people["陈静"].residence_since, True, "c")
    short = apply_for_registration(db, election, people["杨洋"], "resident", people["杨洋"].residence_since, True, "c")
    db.commit()
    assert ok.result == "approved" and people["陈静"].is_voter
    assert short.result == "refused" and "不足12个月" in short.reasons and not people["杨洋"].is_voter
    with pytest.raises(UserError, match="声明"):
        apply_for_registration(db, election, people["杨洋"], "resident", TODAY, False, "c")
    kinds = [e.kind for e in events_of(db, election)]
    assert kinds.count("roll.application_decided") == 2


def test_community_worker_after_six_months(roll, db):
    """Rule: 社区工作者 registered after >= 6 months of work there [L2025]."""
    election, people, _ = roll
    since = election.election_day - timedelta(days=200)
    application = apply_for_registration(db, election, people["杨洋"], "worker", since, True, "c")
    db.commit()
    assert application.result == "approved" and people["杨洋"].category == "worker" and people["杨洋"].is_voter


def test_status_change_needs_reason_and_writes_masked_event(roll, db):
    election, people, ids = roll
    with pytest.raises(UserError, match="变更理由"):
        change_status(db, election, people["王强"], "deceased", "  ", "c")
    with pytest.raises(UserError, match="依据"):
        change_status(db, election, people["王强"], "deprived", "法院判决", "c")
    change_status(db, election, people["王强"], "deprived", "法院判决", "c", basis="(2025)宁01刑初12号")
    db.commit()
    assert not people["王强"].is_voter
    event = events_of(db, election)[-1]
    assert event.kind == "roll.status_changed" and event.reason == "法院判决" and event.actor == "c"
    assert event.payload["resident"] == people["王强"].id and event.payload["id_masked"] == people["王强"].id_masked
    assert ids["王强"] not in str(event.payload) and "王强" not in str(event.payload)
    change_status(db, election, people["王强"], "registered", "刑满恢复政治权利", "c")
    db.commit()
    assert people["王强"].is_voter


def test_publication_at_least_20_days_before_with_fingerprint(roll, db):
    """Rule: roll published >= 20 days before election day [V] (refused otherwise)."""
    election, _, _ = roll
    too_late = election.election_day - timedelta(days=19)
    with pytest.raises(UserError, match="至少提前20天"):
        publish_roll(db, election, too_late, "c")
    assert election.roll_published_on is None
    on = election.election_day - timedelta(days=20)
    fingerprint = publish_roll(db, election, on, "c")
    db.commit()
    pii = PersonalData(DATA_KEY)
    hashes = sorted(r.id_hash for r in db.scalars(select(Resident)) if r.is_voter)
    assert fingerprint == digest(hashes) == roll_fingerprint(db, election)
    assert len(hashes) == 3 and pii.lookup_hash(make_id(date(1970, 1, 2))) in hashes
    event = events_of(db, election)[-1]
    assert event.kind == "roll.published" and event.payload["roll_fingerprint"] == fingerprint
    assert election.rulebook_frozen


def test_objections_within_window_decided_and_late_refused(roll, db):
    """Rule: objections within 5 days of publication; decision recorded [V]."""
    election, people, _ = roll
    with pytest.raises(UserError, match="尚未公布"):
        file_objection(db, election, "某居民", "漏登", TODAY, "c")
    published = TODAY
    publish_roll(db, election, published, "c")
    late = published + timedelta(days=6)
    with pytest.raises(UserError, match="申诉期限已过"):
        file_objection(db, election, "某居民", "漏登", late, "c")
    objection = file_objection(db, election, "张伟", "刘小明未满十八周岁", published + timedelta(days=5), "c",
                               resident_id=people["刘小明"].id)
    with pytest.raises(UserError, match="未作决定"):
        freeze_roll(db, election, "c")
    decide_objection(db, election, objection, True, "经核实未满十八周岁，予以除名", published + timedelta(days=6), "c",
                     new_status="removed")
    db.commit()
    assert people["刘小明"].status == "removed"
    kinds = [e.kind for e in events_of(db, election)]
    assert kinds[-3:] == ["roll.objection_filed", "roll.status_changed", "roll.objection_decided"]
    amended = io.BytesIO()
    render_roll_notice(db, election, amended, amended=True)
    assert "更正" in PdfReader(io.BytesIO(amended.getvalue())).pages[0].extract_text()


def test_after_freeze_changes_are_recorded_decisions(roll, db):
    election, people, _ = roll
    publish_roll(db, election, TODAY, "c")
    freeze_roll(db, election, "c", "发票前冻结")
    db.commit()
    with pytest.raises(UserError, match="已冻结"):
        import_roll(db, election, DATA_KEY, csv_bytes([row("新人", make_id(date(1960, 1, 1), seq=77))]), "x.csv", "c")
    change_status(db, election, people["李娜"], "moved_out", "选举委员会第5次会议决定：已迁出", "c")
    db.commit()
    assert events_of(db, election)[-1].kind == "roll.status_changed_by_decision"


def test_notice_pdf_has_embedded_chinese_font_groups_and_masked_ids_only(roll, db):
    """Must show 4: notice renders Chinese with an embedded TrueType font (/FontFile2)."""
    election, people, ids = roll
    publish_roll(db, election, TODAY, "c")
    db.commit()
    buffer = io.BytesIO()
    render_roll_notice(db, election, buffer)
    reader = PdfReader(io.BytesIO(buffer.getvalue()))
    text = "".join(p.extract_text() for p in reader.pages)
    assert "选民名单公告" in text and "第一居民小组" in text and "第二居民小组" in text
    assert "张伟" in text and people["张伟"].id_masked in text and "甲社区居民选举委员会" in text
    assert "刘小明" not in text and "陈静" not in text  # minors and applicants-to-be are not voters
    assert not [i for i in ids.values() if i in text]
    fonts = [f for f in fonts_of(reader).values() if "/FontDescriptor" in f]
    assert fonts and all("/FontFile2" in f["/FontDescriptor"].get_object() for f in fonts)


def test_voter_cards_qr_decodes_to_card_code_and_desk_lookups(roll, db):
    """Must show 4: voter-card QR holds the random card code, not the ID number."""
    election, people, ids = roll
    assert assign_cards(db, election, "c") == 3
    assert assign_cards(db, election, "c") == 0  # numbers are given once
    db.commit()
    voters = sorted((r for r in people.values() if r.is_voter), key=lambda r: r.voter_number)
    assert [r.voter_number for r in voters] == [1, 2, 3]
    assert all(len(r.card_code) == 16 for r in voters)
    buffer = io.BytesIO()
    assert render_cards(db, election, buffer, {"第二居民小组": "第二投票站"}) == 3
    reader = PdfReader(io.BytesIO(buffer.getvalue()))
    text = reader.pages[0].extract_text()
    assert "第二投票站" in text and "第一投票站" in text and voters[0].name in text
    assert not [i for i in ids.values() if i in text]
    fonts = [f for f in fonts_of(reader).values() if "/FontDescriptor" in f]
    assert fonts and all("/FontFile2" in f["/FontDescriptor"].get_object() for f in fonts)
    image = render_page(buffer.getvalue(), 0)
    for slot, voter in enumerate(voters):
        x, y = card_origin(slot)
        assert qr_payloads(crop_points(image, A4[1], x, y, x + CARD_W, y + CARD_H)) == [voter.card_code]
    assert find_voter_by_card(db, election, voters[1].card_code.lower()).id == voters[1].id
    assert find_voter_by_card(db, election, "AAAAAAAAAAAAAAAA") is None
    assert [r.name for r in search_voters(db, election, "张")] == ["张伟"]
    assert {r.name for r in search_voters(db, election, "第二居民小组")} == {"王强", "刘小明"}
    assert [r.name for r in search_voters(db, election, people["李娜"].id_masked)] == ["李娜"]
    assert [r.name for r in search_voters(db, election, ids["李娜"][-4:])] == ["李娜"]
    assert search_voters(db, election, ids["李娜"]) == []  # a full number only with the key
    assert [r.name for r in search_voters(db, election, ids["李娜"], pii=PersonalData(DATA_KEY))] == ["李娜"]


def test_publication_holds_the_write_lock_from_its_first_read(roll, db, schema, monkeypatch):
    """SQLite: publishing read the roll (eligibility, the fingerprint) as a reader and wrote the
    event after, so anyone committing in between (a desk, a login, a roll edit) made the write
    fail with "database is locked", or the fingerprint could be of a roll older than the one
    published. The write lock is taken first: another writer meanwhile is refused and the
    roll is published with the fingerprint of the roll as it stands."""

    from election.roll import publication

    if not schema.startswith("sqlite"):
        pytest.skip("PostgreSQL's readers never upgrade: row locks and constraints do the work")
    election, _, _ = roll
    db.commit()
    other = OtherWriter(schema, election.id)
    real = publication.roll_fingerprint

    def meanwhile(*args, **kwargs):  # after the roll was read, before the event is written
        other.attempt()
        return real(*args, **kwargs)

    monkeypatch.setattr(publication, "roll_fingerprint", meanwhile)
    try:
        fingerprint = publish_roll(db, election, election.election_day - timedelta(days=20), "c")
        db.commit()
    finally:
        other.close()
    assert other.outcome == ["database is locked"]
    assert events_of(db, election)[-1].payload["roll_fingerprint"] == fingerprint
