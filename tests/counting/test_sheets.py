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
