"""The scan page's upload (election/web/scanning.py): what a user can get wrong is refused in
Chinese naming the file or field, before a job starts or on the job's page, never with a
traceback; nothing is kept. A good batch is read as a job whose page links to the batch, where
a counter cannot approve and a scrutineer can; another community's batch is 404."""
from __future__ import annotations

import io

import cv2
from sqlalchemy import select

from election.counting import mixing
from election.models import AuditCode, ScanBatch
from tests.conftest import csrf_token, finish_job, login

from .test_scanning import scanned  # noqa: F401 — the fixture


def _files(pages) -> list[tuple[io.BytesIO, str]]:
    out = []
    for i, page in enumerate(pages):
        ok, data = cv2.imencode(".png", page)
        assert ok
        out.append((io.BytesIO(data.tobytes()), f"scan-{i:03d}.png"))
    return out


def test_upload_refusals_and_a_batch_read_as_a_job(app, db, world, scanned):  # noqa: F811
    election, built, _plans, pages = scanned
    box = built.boxes[0]
    client = app.test_client()
    login(client, "a_counter")
    url = f"/elections/{election.id}/scan/1"
    assert "扫描计票" in client.get(url).get_data(as_text=True)

    def post(files, box_id=box.id) -> str:
        data = {"csrf_token": csrf_token(client, url), "box": str(box_id), "scans": files}
        return client.post(url, data=data, content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)

    assert "尚未确认已混合" in post(_files(pages[:2]))
    mixing.confirm_mixed(db, election, 1, box.id, "监票人甲、乙", "a_scrutineer")
    db.commit()
    assert "请选择扫描件" in post([])
    assert "不属于本次选举" in post(_files(pages[:2]), box_id=999999)
    html = post([(io.BytesIO(b"PK\x03\x04 not a scan"), "votes.zip"), *_files(pages[:2])])
    assert "文件“votes.zip”不是 PDF、TIFF、PNG 或 JPEG 扫描件" in html
    # A file that claims to be a PDF but is not: the job fails and says so, in Chinese.
    data = {"csrf_token": csrf_token(client, url), "box": str(box.id), "scans": [(io.BytesIO(b"%PDF-1.7 broken"), "a.pdf")]}
    page = finish_job(client, client.post(url, data=data, content_type="multipart/form-data"))
    assert "PDF 文件已损坏或加密" in page and "Traceback" not in page and "a.pdf" in page
    # A batch larger than the app's 32 MB form limit reaches the page (the CSRF check reads the
    # body under the batch's own limit); a JPEG that is no image fails its job in Chinese.
    big = io.BytesIO(b"\xff\xd8\xff" + bytes(40 * 1024 * 1024))
    data = {"csrf_token": csrf_token(client, url), "box": str(box.id), "scans": [(big, "big.jpg")]}
    page = finish_job(client, client.post(url, data=data, content_type="multipart/form-data"))
    assert "文件“big.jpg”：无法识别的扫描文件" in page
    assert db.scalar(select(ScanBatch)) is None

    # The batch: a job with progress, then the batch page; the counter cannot approve it.
    data = {"csrf_token": csrf_token(client, url), "box": str(box.id), "scans": _files(pages)}
    polls: list = []
    page = finish_job(client, client.post(url, data=data, content_type="multipart/form-data"), polls)
    assert "机器确定 2 张，待人工认定 3 张，搁置 0 张" in page
    assert polls[-1]["state"] == "ready" and polls[-1]["done"] == polls[-1]["total"] == 5
    db.rollback()
    batch = db.scalar(select(ScanBatch))
    burl = f"/elections/{election.id}/scan/batches/{batch.id}"
    assert 'id="approve-batch"' not in client.get(burl).get_data(as_text=True)
    assert client.post(burl, data={"csrf_token": csrf_token(client, burl)}).status_code == 403
    client.get("/logout")
    login(client, "a_scrutineer")
    html = client.post(burl, data={"csrf_token": csrf_token(client, burl)}, follow_redirects=True).get_data(as_text=True)
    assert "2 张选票已计入" in html
    db.rollback()
    assert len(list(db.scalars(select(AuditCode).where(AuditCode.state == "counted")))) == 2
    # Another community's user sees nothing of it.
    client.get("/logout")
    login(client, "b_scrutineer")
    assert client.get(burl).status_code == 404
