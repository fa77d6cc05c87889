"""The paper forms of the count: the 计票单 lists every candidate of each post with 赞成,
反对 and 弃权 columns and a 另选他人 line; the 选票清点表 gives the recorded figures; both end
with the signature lines of the 监票人, 计票人, 唱票人 and 记票人."""
from __future__ import annotations

import io

from pypdf import PdfReader

from election.clock import cn_date
from tests.conftest import DATA_KEY, login

from .builder import build


def _text(data: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).replace("\n", "")


def test_tally_sheet_and_reconcile_sheet(app, db, world) -> None:
    election = world["a"]["election"]
    b = build(db, election, DATA_KEY, voters=12, papers=8, boxes=2)
    db.commit()
    client = app.test_client()
    login(client, "a_scrutineer")
    overview = client.get(f"/elections/{election.id}/counting").get_data(as_text=True)
    assert "计票单（PDF）" in overview and "选票清点表（PDF）" in overview
    sheet = client.get(f"/elections/{election.id}/counting/1/tally-sheet.pdf")
    assert sheet.status_code == 200 and sheet.mimetype == "application/pdf"
    text = _text(sheet.data)
    for post, candidates in b.candidates.items():
        assert all(c.resident.name in text for c in candidates), post
    for word in ("赞成", "反对", "弃权", "另选他人", "居民委员会主任（应选 1 名）", f"投票日期：{cn_date(election.election_day)}"):
        assert word in text, word
    for who in ("监票人（签名）", "计票人（签名）", "唱票人（签名）", "记票人（签名）"):
        assert who in text, who
    reconcile = _text(client.get(f"/elections/{election.id}/counting/1/reconcile-sheet.pdf").data)
    assert "选票清点表" in reconcile and "1号票箱" in reconcile and "2号票箱" in reconcile
    assert all(f"{who}（签名）" in reconcile for who in ("监票人", "计票人", "唱票人", "记票人"))


def test_tally_sheet_read_back_signatures_below_the_table(app, db, world) -> None:
    """Read back with pdfcheck: each signer's line is on the last page, below the last table
    row (PDF y grows upwards), in the order 监票人, 计票人, 唱票人, 记票人: never on a page alone."""
    from election.counting.sheets import reconcile_sheet_pdf, tally_sheet_pdf
    from tests.ballots.pdfcheck import pieces

    election = world["a"]["election"]
    build(db, election, DATA_KEY, voters=12, papers=8, boxes=2)
    db.commit()
    for data in (tally_sheet_pdf(db, election, 1), reconcile_sheet_pdf(db, election, 1)):
        reader = PdfReader(io.BytesIO(data))
        last = pieces(reader, len(reader.pages) - 1)
        signs = [p for p in last if "（签名）" in p.text]
        assert [p.text.split("（")[0].strip() for p in signs] == ["监票人", "计票人", "唱票人", "记票人"]
        assert [p.y for p in signs] == sorted((p.y for p in signs), reverse=True)
        table = [p for p in last if "另选他人" in p.text or "号票箱" in p.text]
        assert table and min(p.y for p in table) > signs[0].y
