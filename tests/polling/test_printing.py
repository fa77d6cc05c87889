"""Printing (DESIGN.md ledger protocol step 1): candidates in ballot order, T on the stub
only and A on the body only, R and D stored in sorted hash order, a signed manifest per
batch recorded in the chain, and neither T nor A anywhere in the database."""
from __future__ import annotations

import io
import time

import pytest
from pypdf import PdfReader
from sqlalchemy import String, Text, select, text

from ballots.ballot_paper import paper_layout
from election.ledger.keys import key_of
from election.models import AuditCode, Base, ElectionEvent, PrintBatch, Receipt
from election.polling import printing
from election.protocol import codes, signing
from election.protocol.manifest import Manifest, validate
from tests.ballots.pdfcheck import crop_points, pieces, qr_payloads, render_page
from tests.conftest import DATA_KEY, csrf_token, login

PREFIX = "HTTPS://JX.EXAMPLE.CN/R"


def _print(db, election, n, body=""):
    out = io.BytesIO()
    result = printing.print_papers(db, election, n, out, "a_committee", DATA_KEY, PREFIX, body=body)
    db.commit()
    return result, out.getvalue()


def _forms(code: bytes) -> list[str]:
    c = codes.compact(code)
    h = codes.human(code)
    return [code.hex(), code.hex().upper(), c, c.lower(), h, h.replace("-", ""), h.replace("-", " ")]


def _all_text(db) -> str:
    """Every text column of every table, concatenated (the privacy scan)."""
    chunks = []
    for table in Base.metadata.sorted_tables:
        cols = [c.name for c in table.columns if isinstance(c.type, (String, Text)) or c.type.__class__.__name__ == "JSON"]
        for col in cols:
            for (value,) in db.execute(text(f'SELECT CAST("{col}" AS TEXT) FROM "{table.name}"')):
                if value is not None:
                    chunks.append(str(value))
    return "\n".join(chunks)


def test_pdf_read_back_codes_separated_and_never_stored(db, poll) -> None:
    election = poll["election"]
    result, pdf = _print(db, election, 3)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 3 * 2  # front and back of each paper
    spec = printing.ballot_specs(db, election)[0][1]
    layout = paper_layout(spec)
    # Candidates in ballot order, per post, as the text is read back top to bottom.
    page_text = reader.pages[0].extract_text()
    for post, names in poll["names"].items():
        positions = [page_text.index(n) for n in names]
        assert positions == sorted(positions), post
    assert key_of(db, election).fingerprint.split()[0] in page_text.replace("\n", " ")
    ts, as_ = [], []
    for i in range(3):
        # Issue 15: the marked side (front, page 2i) shows T on the stub and no audit QR at all;
        # A is read from the back (page 2i + 1) only.
        image = render_page(pdf, 2 * i)
        stub = crop_points(image, layout.height, 0, 0, layout.width, layout.cut_y - 1)
        body = crop_points(image, layout.height, 0, layout.cut_y + 1, layout.width, layout.height)
        (t_url,) = qr_payloads(stub)
        assert qr_payloads(body) == []
        (a_qr,) = qr_payloads(render_page(pdf, 2 * i + 1))
        t, a = codes.parse(t_url), codes.parse_audit_qr(a_qr)
        ts.append(t)
        as_.append(a)
        cut = layout.cut_y
        front = pieces(reader, 2 * i)
        stub_text = "".join(p.text for p in front if p.y < cut).replace(" ", "").replace("-", "")
        body_text = "".join(p.text for p in front + pieces(reader, 2 * i + 1) if p.y >= cut).replace(" ", "").replace("-", "")
        assert codes.human(t).replace("-", "") in stub_text
        for form in _forms(t):
            assert form.replace("-", "").replace(" ", "") not in body_text
        for form in _forms(a):
            flat = form.replace("-", "").replace(" ", "")
            assert flat not in stub_text and flat not in body_text
    # R and D of exactly these papers are stored; T and A nowhere, in no encoding.
    stored_r = set(db.scalars(select(Receipt.r_hash)))
    stored_d = set(db.scalars(select(AuditCode.d_hash)))
    assert stored_r == {codes.receipt_hash(election.uid, t) for t in ts}
    assert stored_d == {codes.audit_hash(election.uid, a) for a in as_}
    everything = _all_text(db)
    assert len(everything) > 1000  # the scan really read the tables
    for code in ts + as_:
        for form in _forms(code):
            assert form not in everything, "a printed code was found in the database"


def test_rows_in_sorted_hash_order_and_signed_manifest_in_chain(db, poll) -> None:
    election = poll["election"]
    result, _ = _print(db, election, 40)
    sql_order = "rowid" if db.get_bind().dialect.name == "sqlite" else "ctid"
    r_rows = [r for (r,) in db.execute(text(f"SELECT r_hash FROM receipt ORDER BY {sql_order}"))]
    d_rows = [d for (d,) in db.execute(text(f"SELECT d_hash FROM audit_code ORDER BY {sql_order}"))]
    assert r_rows == sorted(r_rows) and d_rows == sorted(d_rows) and len(r_rows) == 40
    batch = db.scalar(select(PrintBatch))
    manifest = Manifest.from_json(batch.manifest)
    assert validate([manifest]) == [] and manifest.digest == result.digest
    pub = signing.public_key_from_pem(key_of(db, election).public_pem.encode())
    assert signing.verify(pub, signing.SignedStatement.from_json(batch.signature))
    event = db.scalar(select(ElectionEvent).where(ElectionEvent.kind == "ballots.printed"))
    assert event.payload["digest"] == manifest.digest and event.payload["batch"] == 0
    assert event.payload["receipt_count"] == 40


def test_reprint_is_a_supplement_batch(db, poll) -> None:
    election = poll["election"]
    _print(db, election, 5)
    second, _ = _print(db, election, 2)
    assert second.batch == 1
    manifests = [Manifest.from_json(b.manifest) for b in db.scalars(select(PrintBatch).order_by(PrintBatch.batch))]
    assert validate(manifests) == []
    assert [e.payload["batch"] for e in db.scalars(select(ElectionEvent).where(ElectionEvent.kind == "ballots.printed").order_by(ElectionEvent.seq))] == [0, 1]
    assert db.scalar(select(Receipt).where(Receipt.batch == 1)) is not None


def test_missing_candidates_refused(db, world) -> None:
    from election.errors import UserError
    with pytest.raises(UserError) as info:
        printing.ballot_specs(db, world["b"]["election"])
    assert "没有正式候选人" in info.value.messages[0]


def test_per_body_layout_prints_one_paper_per_body(db, poll) -> None:
    election = poll["election"]
    election.paper_layout = "per_body"
    db.commit()
    specs = printing.ballot_specs(db, election)
    assert [b for b, _ in specs] == ["jwh", "jdw"]
    _, pdf = _print(db, election, 2, body="jdw")
    page = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert poll["names"]["jdw_zhuren"][0] in page and poll["names"]["jwh_zhuren"][0] not in page


def test_print_job_over_http_progress_then_single_download(app, db, poll) -> None:
    client = app.test_client()
    login(client, "a_committee")
    election = poll["election"]
    token = csrf_token(client, f"/elections/{election.id}/polling")
    resp = client.post(f"/elections/{election.id}/polling/print", data={"papers": "150", "body": "", "csrf_token": token})
    assert resp.status_code == 302
    job_url = resp.headers["Location"]
    job = job_url.rstrip("/").rsplit("/", 1)[1]
    page = client.get(job_url).get_data(as_text=True)
    # The PDF pairs every T with its A: the page says to print it in house and delete it.
    assert "进度" in page and "同时印有回执码和审计码" in page and "打印完毕立即删除文件" in page
    for _ in range(600):
        state = client.get(job_url + "/progress").get_json()
        if state["state"] != "running":
            break
        time.sleep(0.1)
    assert state["state"] == "ready", state
    assert state["done"] == 150
    download = client.get(job_url + "/download")
    pdf = b"".join(download.response)
    assert download.status_code == 200 and pdf.startswith(b"%PDF") and len(PdfReader(io.BytesIO(pdf)).pages) == 150 * 2
    folder = printing.jobs_dir(app.instance_path)
    assert not (folder / f"{job}.pdf").exists() and not (folder / f"{job}.pdf.part").exists()
    again = client.get(job_url + "/download")
    assert again.status_code == 302  # deleted after the first download
    db.rollback()  # the fixture session's snapshot predates the job's commit
    assert db.scalar(select(PrintBatch).where(PrintBatch.election_id == election.id)).papers == 150


def test_demo_adds_station_with_two_desks_two_boxes_and_a_mobile_box(db) -> None:
    """election/demo.py build_demo calls add_demo_polling after the other steps."""
    from election.demo import build_demo
    from election.models import PollingStation

    result = build_demo(db, DATA_KEY)
    db.commit()
    stations = list(db.scalars(select(PollingStation).where(PollingStation.election_id == result.election_id).order_by(PollingStation.id)))
    fixed = [s for s in stations if not s.mobile]
    mobile = [s for s in stations if s.mobile]
    assert len(fixed) == 1 and len(fixed[0].desks) == 2 and len(fixed[0].boxes) == 2
    assert len(mobile) == 1 and len(mobile[0].scrutineers) >= 3 and mobile[0].boxes[0].mobile


def test_healthz_is_public(app) -> None:
    resp = app.test_client().get("/healthz")
    assert resp.status_code == 200 and resp.get_data(as_text=True) == "ok"


@pytest.mark.parametrize("typed,said", [
    ("", "请填写印制张数（1 至 20000 张）。"),  # said "印制张数为 0，须在 1 至 20000 之间" before
    ("abc", "印制张数须为整数。"),
    ("0", "印制张数为 0，须在 1 至 20000 之间"),
])
def test_the_print_form_names_what_was_typed(app, db, poll, typed, said) -> None:
    client = app.test_client()
    login(client, "a_committee")
    election = poll["election"]
    token = csrf_token(client, f"/elections/{election.id}/polling")
    page = client.post(f"/elections/{election.id}/polling/print", data={"papers": typed, "body": "", "csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert said in page
    db.rollback()
    assert db.query(PrintBatch).filter_by(election_id=election.id).count() == 0
