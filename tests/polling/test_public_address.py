"""The public address, set once (PUBLIC_BASE_URL / JUXUAN_PUBLIC_URL), is the one every stub
QR code and the notice-board poster carry, printed beside them as text; the printing page
shows it and warns when it is loopback (a phone on the LAN cannot reach 127.0.0.1)."""
from __future__ import annotations

import io

from pypdf import PdfReader

from election.polling import printing
from tests.ballots.pdfcheck import qr_payloads, render_page
from tests.conftest import DATA_KEY, login

LAN = "http://192.168.1.20:5001"


def test_stub_prints_the_address_as_text_and_in_its_qr(db, poll) -> None:
    out = io.BytesIO()
    printing.print_papers(db, poll["election"], 2, out, "a_committee", DATA_KEY, LAN + "/r")
    db.commit()
    pdf = out.getvalue()
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert f"查询网站：{LAN}/r" in text
    stub = [q for q in qr_payloads(render_page(pdf, 0, dpi=150)) if not q.startswith("JXA:")]
    assert len(stub) == 1 and stub[0].startswith(LAN + "/r/"), stub


def test_printing_page_and_poster_use_the_configured_address(app, db, poll) -> None:
    election = poll["election"]
    client = app.test_client()
    login(client, "a_committee")
    app.config["PUBLIC_BASE_URL"] = LAN
    page = client.get(f"/elections/{election.id}/polling").get_data(as_text=True)
    assert f"<code>{LAN}/r</code>" in page and "loopback-warning" not in page
    poster = client.get(f"/elections/{election.id}/polling/receipt-poster.pdf")
    assert poster.status_code == 200
    assert f"查询地址：{LAN}/r" in PdfReader(io.BytesIO(poster.data)).pages[0].extract_text()
    assert qr_payloads(render_page(poster.data, 0, dpi=150)) == [f"{LAN}/r"]

    # Not set: the address the page was opened with, loopback here, and the page says so.
    app.config["PUBLIC_BASE_URL"] = ""
    page = client.get(f"/elections/{election.id}/polling").get_data(as_text=True)  # http://localhost/
    assert "<code>http://localhost/r</code>" in page
    assert "loopback-warning" in page and "手机打不开" in page
