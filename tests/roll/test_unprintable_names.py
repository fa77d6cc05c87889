"""A name with a character neither embedded font has (龚𬌗, U+2C317): the import names the
row, column and character, the notice refuses in Chinese (never a font error's name), the
committee corrects the name on the resident's page, and then every notice and card prints."""
from __future__ import annotations

import io
from datetime import date

from pypdf import PdfReader
from sqlalchemy import select

from ballots.fonts import missing_glyphs
from election import clock
from election.models import ElectionEvent, Resident
from tests.conftest import csrf_token, finish_job, login
from tests.factories import make_id

from .helpers import csv_bytes, row

RARE = "𬌗"


def _job(client, url: str, data: dict) -> tuple[str, bytes | None]:
    """Start a PDF job by POST; the finished page and the PDF (None when it failed)."""
    response = client.post(url, data=data)
    page = finish_job(client, response)
    job_url = response.headers["Location"]
    if 'data-state="ready"' not in page:
        return page, None
    return page, client.get(job_url + "/download").data


def _text(pdf: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def test_rare_character_named_corrected_in_the_page_then_everything_prints(app, db, world) -> None:
    assert missing_glyphs(RARE) == {RARE}, "the test needs a character no vendored font has"
    election = world["a"]["election"]
    base = f"/elections/{election.id}/roll"
    client = app.test_client()
    login(client, "a_committee")
    rows = [row("张伟", make_id(date(1970, 1, 2), seq=11)), row(f"龚{RARE}", make_id(date(1960, 3, 4), male=False, seq=12), sex="女"),
            row("李娜", make_id(date(1980, 5, 6), male=False, seq=13), sex="女", household="0002", group="第二居民小组")]
    token = csrf_token(client, f"{base}/import")
    started = client.post(f"{base}/import", data={"csrf_token": token, "file": (io.BytesIO(csv_bytes(rows)), "roll.csv")},
                          content_type="multipart/form-data")
    page = finish_job(client, started)
    assert "已导入 3 名居民" in page
    assert f"第3行“姓名”：“龚{RARE}”中的字 “{RARE}”(U+2C317) 打印字体中没有" in page  # row, column, character
    # The same finished job in English: its title, warning and back link (they stayed Chinese).
    english = client.get(started.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "<h1>Import the roll</h1>" in english and "Back to the voter roll" in english, english
    assert f"Row 3, “Name”: the characters “{RARE}”(U+2C317) in “龚{RARE}” are not in the printing fonts" in english
    client.get(f"{base}/?lang=zh")

    index = client.get(f"{base}/").get_data(as_text=True)
    assert f"龚{RARE}" in index and "U+2C317" in index and 'id="unprintable"' in index

    token = csrf_token(client, f"{base}/publication")
    client.post(f"{base}/publication", data={"csrf_token": token, "published_on": clock.today().isoformat()})
    notice_token = csrf_token(client, f"{base}/publication")
    page, pdf = _job(client, f"{base}/notice", {"n-csrf_token": notice_token})
    assert pdf is None
    assert "选民名单公告未打印" in page and "U+2C317" in page and "更正居民信息" in page
    assert "Error" not in page and "已处理 0 / 0" not in page  # no exception name, no stale count

    db.rollback()
    person = db.scalar(select(Resident).where(Resident.election_id == election.id, Resident.name == f"龚{RARE}"))
    resident_page = client.get(f"{base}/residents/{person.id}").get_data(as_text=True)
    assert "更正居民信息" in resident_page and "U+2C317" in resident_page
    token = csrf_token(client, f"{base}/residents/{person.id}")
    # A correction that still cannot print is refused, naming the character; nothing changes.
    page = client.post(f"{base}/residents/{person.id}/edit", follow_redirects=True, data={
        "e-csrf_token": token, "e-name": f"龚{RARE}", "e-sex": "女", "e-group": "第一居民小组", "e-reason": "核对户口簿"}).get_data(as_text=True)
    assert "打印字体中没有" in page
    page = client.post(f"{base}/residents/{person.id}/edit", follow_redirects=True, data={
        "e-csrf_token": token, "e-name": "龚佳", "e-sex": "女", "e-group": "第一居民小组",
        "e-reason": "“𬌗”印不出，按本人意见改用“佳”，原字记入备注"}).get_data(as_text=True)
    assert "已更正：姓名" in page and "选民名单更正公告" in page
    db.rollback()
    assert db.get(Resident, person.id).name == "龚佳"
    event = db.scalars(select(ElectionEvent).where(ElectionEvent.kind == "roll.resident_corrected")).one()
    assert event.payload["resident"] == person.id and event.payload["changed"] == {"姓名": "龚佳"}
    assert 'id="unprintable"' not in client.get(f"{base}/").get_data(as_text=True)

    # Now every notice and card prints, with the corrected name.
    notice_token = csrf_token(client, f"{base}/publication")
    for data in ({"n-csrf_token": notice_token}, {"n-csrf_token": notice_token, "amended": "1"}):
        page, pdf = _job(client, f"{base}/notice", data)
        assert pdf is not None, page
        assert "龚佳" in _text(pdf)
    client.post(f"{base}/cards/assign", data={"a-csrf_token": csrf_token(client, f"{base}/cards")})
    page, pdf = _job(client, f"{base}/cards", {"csrf_token": csrf_token(client, f"{base}/cards"), "stations": ""})
    assert pdf is not None, page
    assert "龚佳" in _text(pdf) and len(PdfReader(io.BytesIO(pdf)).pages) == 1


def test_no_correction_after_the_freeze(app, db, world) -> None:
    from election.errors import UserError
    from election.roll.edit import edit_resident
    from tests.conftest import DATA_KEY
    from tests.counting.builder import build

    election = world["a"]["election"]
    person = build(db, election, DATA_KEY, voters=12, papers=1, boxes=1).residents[0]
    election.roll_frozen_at = clock.now()
    db.commit()
    try:
        edit_resident(db, election, person, name="改名", sex="男", group="第一居民小组", reason="x", actor="c")
    except UserError as error:
        assert "已冻结" in str(error)
    else:
        raise AssertionError("a frozen roll was corrected")
    db.rollback()
    assert db.get(Resident, person.id).name != "改名"
