"""Long operations run as jobs with progress (election/jobs.py, election/web/jobs.py): the
services report increasing counts ending at the total; over HTTP a job is started, its
progress polled until done, and its result fetched; a failed roll import shows every
error and leaves the database unchanged; a second app process (another gunicorn worker)
answers the same progress poll from the files alone."""
from __future__ import annotations

import io
import random
import time
from datetime import date

from pypdf import PdfReader
from sqlalchemy import func, select

from election import clock, jobs
from election.app import create_app
from election.errors import UserError
from election.models import Community, Resident
from election.roll.cards import assign_cards, render_cards
from election.roll.demo import generate_rows
from election.roll.files import rows_to_csv
from election.roll.importing import CHUNK, import_roll
from election.roll.publication import publish_roll, render_roll_notice
from tests.conftest import DATA_KEY, csrf_token, finish_job, login
from tests.factories import make_id
from tests.roll.helpers import csv_bytes, row


def _increasing_to(calls: list[tuple[int, int]], total: int) -> None:
    dones = [d for d, _t in calls]
    assert calls and all(t == total for _d, t in calls), calls
    assert dones == sorted(dones) and dones[-1] == total and len(set(dones)) > 2, dones


def _roll_csv(households: int = 500) -> tuple[bytes, int]:
    rows = generate_rows(households, random.Random(3), clock.today())
    return rows_to_csv(rows), len(rows)


# --- the services report progress --------------------------------------------------------------

def test_import_cards_and_notice_report_increasing_progress_ending_at_the_total(db, world):
    election = world["a"]["election"]
    content, n = _roll_csv()
    assert n > 2 * CHUNK
    calls: list[tuple[int, int]] = []
    import_roll(db, election, DATA_KEY, content, "r.csv", "a_committee", progress=lambda d, t: calls.append((d, t)))
    _increasing_to(calls, n)
    assert calls[0] == (0, n)
    db.commit()
    dry: list[tuple[int, int]] = []
    import_roll(db, election, DATA_KEY, csv_bytes([row("新居民", make_id(date(1980, 1, 1), seq=77), household="x1")]),
                "d.csv", "a_committee", dry_run=True, progress=lambda d, t: dry.append((d, t)))
    assert dry == [(0, 1), (1, 1)]
    db.rollback()
    assign_cards(db, election, "a_committee")
    voters = db.scalar(select(func.count(Resident.id)).where(Resident.election_id == election.id,
                                                            Resident.card_code.is_not(None)))
    cards: list[tuple[int, int]] = []
    render_cards(db, election, io.BytesIO(), progress=lambda d, t: cards.append((d, t)))
    _increasing_to(cards, voters)
    publish_roll(db, election, clock.today(), "a_committee")
    notice: list[tuple[int, int]] = []
    render_roll_notice(db, election, io.BytesIO(), progress=lambda d, t: notice.append((d, t)))
    _increasing_to(notice, voters)


def test_bundle_export_reports_its_steps(db, world):
    from election.publication.bundle import EXPORT_STEPS, export_bundle
    from tests.ledger.helpers import simulated

    sim = simulated(db, world)
    steps: list[tuple[int, int]] = []
    export_bundle(db, sim.election, DATA_KEY, "a_committee", progress=lambda d, t: steps.append((d, t)))
    assert steps == [(n, EXPORT_STEPS) for n in range(1, EXPORT_STEPS + 1)]
    db.rollback()


# --- the job machinery ---------------------------------------------------------------------------

def _wait(folder, job: str) -> dict:
    for _ in range(400):
        state = jobs.read_state(folder, job)
        if state["state"] != "running":
            return state
        time.sleep(0.02)
    raise AssertionError("job did not finish")


def test_a_failed_job_rolls_back_and_a_ready_one_commits(app, db, world, tmp_path):
    sessions = app.extensions["juxuan.sessions"]
    folder = jobs.jobs_dir(tmp_path)
    name = world["a"]["community"].name

    def rename_then_refuse(session, running):
        session.get(Community, world["a"]["community"].id).name = "改名社区"
        session.flush()
        raise UserError("第一条理由", "第二条理由")

    state = _wait(folder, jobs.start(sessions, folder, {"total": 3}, rename_then_refuse))
    assert state["state"] == "failed" and state["messages"] == ["第一条理由", "第二条理由"]
    db.rollback()
    assert db.scalar(select(Community.name).where(Community.id == world["a"]["community"].id)) == name  # unchanged

    def write_file(session, running):
        for i in range(1, 4):
            running.progress(i, 3)
        running.part.write_bytes(b"%PDF-1.4 x")
        session.get(Community, world["a"]["community"].id).households = 401
        return {"note": "ok"}

    job = jobs.start(sessions, folder, {"total": 3}, write_file, suffix=".pdf")
    state = _wait(folder, job)
    assert state["state"] == "ready" and state["done"] == 3 and state["note"] == "ok"
    assert not (folder / f"{job}.pdf.part").exists()
    handle = jobs.open_result(folder, job, ".pdf", once=False)
    assert handle.read().startswith(b"%PDF") and (folder / f"{job}.pdf").exists()
    handle.close()
    db.rollback()
    assert db.scalar(select(Community.households).where(Community.id == world["a"]["community"].id)) == 401
    jobs.sweep(folder, max_age=-1)
    assert jobs.read_state(folder, job) is None and not (folder / f"{job}.pdf").exists()
    assert jobs.read_state(folder, "../etc") is None


# --- over HTTP ------------------------------------------------------------------------------------

def _upload(client, election_id: int, content: bytes, name: str, dry_run: bool = False):
    url = f"/elections/{election_id}/roll/import"
    data = {"csrf_token": csrf_token(client, url), "file": (io.BytesIO(content), name)}
    if dry_run:
        data["dry_run"] = "y"
    return client.post(url, data=data, content_type="multipart/form-data")


def test_roll_import_job_over_http_progress_until_done(app, db, world):
    election = world["a"]["election"]
    client = app.test_client()
    login(client, "a_committee")
    content, n = _roll_csv()
    response = _upload(client, election.id, content, "名册.csv")
    polls: list[dict] = []
    page = finish_job(client, response, polls)
    assert polls[-1] == {"state": "ready", "done": n, "total": n, "error": None}
    assert [p["done"] for p in polls] == sorted(p["done"] for p in polls)
    assert f"已导入 {n} 名居民" in page and f"已处理 {n} / {n}" in page and "<progress" in page
    db.rollback()
    assert db.scalar(select(func.count(Resident.id)).where(Resident.election_id == election.id)) == n
    # The job page is the committee's: another role of the community is refused, another community gets 404.
    url = response.headers["Location"]
    street = app.test_client()
    login(street, "a_street_admin")
    assert street.get(url).status_code == 403 and street.get(url + "/progress").status_code == 403
    other = app.test_client()
    login(other, "b_committee")
    assert other.get(url).status_code == 404
    assert other.get(url.replace(f"/elections/{election.id}/", f"/elections/{world['b']['election'].id}/")).status_code == 404


def test_failed_import_job_shows_every_error_and_changes_nothing(app, db, world):
    election = world["a"]["election"]
    client = app.test_client()
    login(client, "a_committee")
    rows = [row("张伟", make_id(date(1970, 1, 2))), row("李四", "320102198005011234"),
            row("", make_id(date(1960, 1, 1), seq=50), household="0002")]
    page = finish_job(client, _upload(client, election.id, csv_bytes(rows), "bad.csv"))
    assert "整个文件未导入" in page and "错误清单（共 2 处）" in page
    assert "校验码错误" in page and "姓名" in page and '<td class="num">3</td>' in page and '<td class="num">4</td>' in page
    assert "320102198005011234" not in page  # masked, also in the job's files
    db.rollback()
    assert db.scalar(select(func.count(Resident.id)).where(Resident.election_id == election.id)) == 0
    page = finish_job(client, _upload(client, election.id, csv_bytes(rows[:1]), "ok.csv", dry_run=True))
    assert "检查通过（预览，未写入）" in page
    db.rollback()
    assert db.scalar(select(func.count(Resident.id)).where(Resident.election_id == election.id)) == 0


def test_notice_and_cards_jobs_give_their_pdf(app, db, world):
    election = world["a"]["election"]
    content, n = _roll_csv(60)
    import_roll(db, election, DATA_KEY, content, "r.csv", "a_committee")
    assign_cards(db, election, "a_committee")
    publish_roll(db, election, clock.today(), "a_committee")
    db.commit()
    client = app.test_client()
    login(client, "a_street_admin")  # the street office may print both
    token = csrf_token(client, f"/elections/{election.id}/roll/publication")
    response = client.post(f"/elections/{election.id}/roll/notice", data={"n-csrf_token": token})
    page = finish_job(client, response)
    assert "下载 选民名单公告.pdf" in page
    pdf = client.get(response.headers["Location"] + "/download")
    assert pdf.status_code == 200 and "filename*=UTF-8''" in pdf.headers["Content-Disposition"]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "选民名单公告" in text
    token = csrf_token(client, f"/elections/{election.id}/roll/cards")
    response = client.post(f"/elections/{election.id}/roll/cards", data={"csrf_token": token, "stations": ""})
    finish_job(client, response)
    pdf = client.get(response.headers["Location"] + "/download")
    voters = db.scalar(select(func.count(Resident.id)).where(Resident.election_id == election.id,
                                                            Resident.card_code.is_not(None)))
    assert len(PdfReader(io.BytesIO(pdf.data)).pages) == -(-voters // 8)


def test_a_second_app_process_answers_the_progress_poll(app, db, world, schema):
    """Two gunicorn workers share the instance folder and the database, nothing else: the
    job started through one is polled, shown and finished through the other."""
    second = create_app({"DATABASE_URL": schema, "INSTANCE_PATH": app.instance_path,
                         "SECRET_KEY": app.config["SECRET_KEY"], "TESTING": True, "DATA_KEY": DATA_KEY})
    try:
        election = world["a"]["election"]
        first = app.test_client()
        login(first, "a_committee")
        content, n = _roll_csv()
        response = _upload(first, election.id, content, "名册.csv")
        other = second.test_client()
        login(other, "a_committee")
        polls: list[dict] = []
        page = finish_job(other, response, polls)
        assert polls[-1]["state"] == "ready" and polls[-1]["done"] == n
        assert f"已导入 {n} 名居民" in page
    finally:
        second.extensions["juxuan.engine"].dispose()
