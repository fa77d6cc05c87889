"""A print job's PDF holds every paper's T (stub) beside its A (body QR): kept on disk
after the papers are counted it pairs every receipt with its paper's marks. It was removed
when downloaded once, and otherwise only when the *next* print job started: a PDF nobody
downloaded (the committee printed from another copy, the browser gave up) stayed in
instance/print-jobs for the rest of the election. Now it goes an hour after it was written
at the app's start and whenever a print job's page or progress is read, and at the close of
the round's poll whatever its age."""
from __future__ import annotations

import io
import os
import time

from pypdf import PdfReader

from election.app import create_app
from election.polling import printing
from election.protocol import codes
from tests.conftest import DATA_KEY, csrf_token, login


def _print(app, election_id: int, n: int) -> str:
    job = printing.start_print_job(app.extensions["juxuan.sessions"], app.instance_path, election_id, n, "t",
                                   DATA_KEY, "http://x/r")
    folder = printing.jobs_dir(app.instance_path)
    for _ in range(600):
        state = printing.jobs.read_state(folder, job)
        if state and state["state"] != "running":
            break
        time.sleep(0.05)
    assert state["state"] == "ready", state
    return job


def _age(path, seconds: float) -> None:
    old = time.time() - seconds
    os.utime(path, (old, old))


def test_an_undownloaded_print_pdf_does_not_outlive_its_hour_or_the_close(app, db, poll) -> None:
    election = poll["election"]
    folder = printing.jobs_dir(app.instance_path)
    job = _print(app, election.id, 3)
    pdf = folder / f"{job}.pdf"
    # What the file gives whoever copies the instance folder: every T (with its A beside it).
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages]
    assert len(pages) == 6 and sum(codes.mentions_code(t) for t in pages) == 3  # each front's stub

    # Two hours later, with no other print job: the app's start removes it...
    for path in folder.iterdir():
        _age(path, 2 * 3600)
    create_app({"TESTING": True, "INSTANCE_PATH": app.instance_path, "DATABASE_URL": app.config["DATABASE_URL"],
                "DATA_KEY": DATA_KEY, "SECRET_KEY": app.config["SECRET_KEY"]})
    assert not pdf.exists() and printing.job_state(app.instance_path, job) is None

    # ...and so does reading any print job's page once the hour is past.
    second = _print(app, election.id, 2)
    for path in folder.iterdir():
        _age(path, 2 * 3600)
    assert printing.job_state(app.instance_path, "0" * 24) is None
    assert not (folder / f"{second}.pdf").exists()


def test_the_close_of_poll_removes_the_rounds_waiting_pdfs(app, db, poll) -> None:
    election = poll["election"]
    folder = printing.jobs_dir(app.instance_path)
    job = _print(app, election.id, 2)
    assert (folder / f"{job}.pdf").exists()
    db.close()
    client = app.test_client()
    login(client, "a_committee")
    url = f"/elections/{election.id}/polling/reconcile"
    page = client.post(url, data={"action": "close_hours", "final": "1", "csrf_token": csrf_token(client, url)},
                       follow_redirects=True).get_data(as_text=True)
    assert "已闭票" in page
    assert not (folder / f"{job}.pdf").exists()
