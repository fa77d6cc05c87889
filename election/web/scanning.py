"""Pages of counting from scans (issue 21): upload a batch of one box (read as a job with
progress), the batch page where a scrutineer approves the confident papers' counts, and the
adjudication page where one person enters what the machine was unsure of and another
account approves it. The services are election/counting/scan_batches.py."""
from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session

from ballots.scan_reader import Image, PageRejected, crop_kept, iter_pages

from ..counting import scan_batches as scans
from ..counting.service import ballot_of, boxes_of
from ..errors import UserError
from ..jobs import Running
from ..models import Election
from ..rounds import round_of, rounds_of
from ..rules.phrase import phrase
from ..settings import rulebook_of
from .access import roles
from .db import get_db
from .feedback import found_or_404, refuse, run
from .jobs import start as start_job

bp = Blueprint("scanning", __name__, url_prefix="/elections/<int:election_id>/scan")


PEOPLE = ("committee", "counter", "scrutineer")
APPROVERS = ("committee", "scrutineer")
MAX_UPLOAD = 512 * 1024 * 1024  # one batch: 500 sheets scanned duplex as JPEG is about 150 MB
MAX_FILE = 200 * 1024 * 1024
MAX_FILES = 1000
KINDS = {b"%PDF-": "PDF", b"II*\x00": "TIFF", b"MM\x00*": "TIFF", b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG"}


@bp.url_value_preprocessor
def _batch_limits(endpoint: str | None, _values: dict | None) -> None:
    # A batch is larger than a form: raise the limits for the upload only, and before the
    # CSRF check (an app-level before_request) reads the body under the app's 32 MB limit.
    # URL value preprocessors run before every before_request function.
    if endpoint == "scanning.round_page" and request.method == "POST":
        request.max_content_length = MAX_UPLOAD
        request.max_form_parts = MAX_FILES + 10


def _kind(head: bytes) -> str | None:
    return next((name for magic, name in KINDS.items() if head.startswith(magic)), None)


def _round_or_404(election: Election, number: int) -> None:
    found_or_404(lambda: round_of(get_db(), election, number))


def _scan_folder() -> Path:
    path = Path(current_app.instance_path) / "scans"
    path.mkdir(parents=True, exist_ok=True)
    return path


@bp.route("/<int:number>", methods=["GET", "POST"])
@roles(*PEOPLE)
def round_page(election: Election, number: int):
    """The round's batches, the papers waiting for people, and the upload of a new batch."""
    _round_or_404(election, number)
    db = get_db()
    form = FlaskForm()
    if request.method == "POST":
        if form.validate_on_submit():
            started = _start_batch(election, number)
            if started:
                return redirect(started)
        return redirect(url_for("scanning.round_page", election_id=election.id, number=number))
    return render_template("counting/scan.html", election=election, number=number, form=form,
                           rounds=rounds_of(db, election), boxes=boxes_of(db, election),
                           batches=scans.batches_of(db, election, number),
                           waiting=scans.waiting_papers(db, election, number),
                           max_mb=MAX_UPLOAD // (1024 * 1024))


def _start_batch(election: Election, number: int) -> str | None:
    """Check the upload, keep its files for the job, and start reading them; the job page's URL."""
    db = get_db()
    box_id = request.form.get("box", type=int)
    uploads = [f for f in request.files.getlist("scans") if f and f.filename]
    try:
        if box_id is None:
            raise UserError("请选择票箱（字段“票箱”）")
        if not uploads:
            raise UserError("请选择扫描件（PDF、TIFF、PNG 或 JPEG，可多选）")
        if len(uploads) > MAX_FILES:
            raise UserError(f"一批最多 {MAX_FILES} 个文件（选了 {len(uploads)} 个），请分批上传")
        scans.check_batch(db, election, number, box_id)
    except UserError as error:
        refuse(error)
        return None
    folder = _scan_folder() / secrets.token_hex(12)
    folder.mkdir()
    names: list[str] = []
    problems: list[str] = []
    for i, upload in enumerate(sorted(uploads, key=lambda f: f.filename or "")):
        name = upload.filename or f"{i}"
        head = upload.stream.read(16)
        upload.stream.seek(0)
        if _kind(head) is None:
            problems.append(f"文件“{name}”不是 PDF、TIFF、PNG 或 JPEG 扫描件")
            continue
        path = folder / f"{i:04d}"
        upload.save(path)
        if path.stat().st_size > MAX_FILE:
            problems.append(f"文件“{name}”大于 {MAX_FILE // (1024 * 1024)} MB，请拆分后上传")
        names.append(name)
    if problems:
        shutil.rmtree(folder, ignore_errors=True)
        refuse(UserError(*problems))
        return None
    label = names[0] if len(names) == 1 else f"{names[0]} 等 {len(names)} 个文件"
    actor = current_user.username

    def work(session: Session, election: Election, running: Running) -> dict:
        try:
            files = sorted(folder.iterdir())
            total = sum(_count_pages(p) for p in files)
            running.progress(0, max((total + 1) // 2, 1))

            def pages() -> Iterator[Image]:
                for path, name in zip(files, names, strict=True):
                    try:
                        yield from iter_pages(path.read_bytes())
                    except PageRejected as error:
                        raise UserError(f"文件“{name}”：{error}") from None

            def progress(done: int) -> None:
                running.progress(done, max(running.state.get("total", 0), done))

            batch = scans.read_batch(session, election, number, box_id, pages(), label,
                                     actor, progress)
            view = scans.batch_view(session, election, batch.id)
            return {"batch": batch.id, "states": view.states}
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    return start_job(election, "scan_batch", phrase("读取扫描批次"), work, allowed=PEOPLE,
                     back=url_for("scanning.round_page", election_id=election.id, number=number),
                     back_label=phrase("返回扫描计票"), total=0)


def _count_pages(path: Path) -> int:
    """Pages in a file, cheaply (for the progress bar only; 1 when unknown)."""
    data = path.read_bytes()
    try:
        if data[:5] == b"%PDF-":
            import pypdfium2

            document = pypdfium2.PdfDocument(data)
            try:
                return len(document)
            finally:
                document.close()
        import cv2

        return max(int(cv2.imcount(str(path))), 1) if data[:2] in (b"II", b"MM") else 1
    except Exception:  # noqa: BLE001 — a count for the bar only; the reading reports the file's fault
        return 1


@bp.route("/batches/<int:batch_id>", methods=["GET", "POST"])
@roles(*PEOPLE)
def batch(election: Election, batch_id: int):
    """The batch's counts; a scrutineer approves them and the confident papers are recorded."""
    db = get_db()
    form = FlaskForm()
    view = found_or_404(lambda: scans.batch_view(db, election, batch_id))
    if request.method == "POST" and form.validate_on_submit():
        if current_user.role not in APPROVERS:
            abort(403)
        done: list[int] = []
        if run(lambda s: done.append(scans.approve_batch(s, election, batch_id, current_user.username))):
            flash(_("已确认本批，%(n)s 张选票已计入。", n=done[0]), "info")
        return redirect(url_for("scanning.batch", election_id=election.id, batch_id=batch_id))
    box = next((b for b in boxes_of(db, election) if b.id == view.batch.box_id), None)
    return render_template("counting/scan_batch.html", election=election, view=view, box=box, form=form,
                           may_approve=current_user.role in APPROVERS)


@bp.route("/papers/<token>", methods=["GET", "POST"])
@roles(*PEOPLE)
def paper(election: Election, token: str):
    """One paper people decide: the crop of every box beside the machine's reading; one
    person enters, another account approves or sends it back."""
    db = get_db()
    form = FlaskForm()
    row = found_or_404(lambda: scans.paper_of(db, election, token))
    batch = found_or_404(lambda: scans.batch_of(db, election, row.batch_id))
    if request.method == "POST" and form.validate_on_submit():
        action = request.form.get("action")
        actor = current_user.username
        fields = dict(request.form.items())
        # Only a committee member's note decides a doubtful paper (doubtful_by_committee).
        decision = fields.get("doubtful_note", "") if current_user.role == "committee" else ""
        if action == "enter" and run(lambda s: scans.enter_reading(s, election, token, fields, actor,
                                                                   fields.get("note", ""))):
            flash(_("已录入认定结果，请另一人核对确认。"), "info")
        elif action == "approve" and run(lambda s: scans.approve_reading(s, election, token, actor, decision)):
            flash(_("已确认，此选票已计入。"), "info")
            nxt = next((p for _b, p in scans.waiting_papers(db, election, batch.round_number)
                        if p.state == "entered" and p.entered_by != actor), None)
            if nxt is not None:
                return redirect(url_for("scanning.paper", election_id=election.id, token=nxt.token))
            return redirect(url_for("scanning.round_page", election_id=election.id, number=batch.round_number))
        elif action == "return" and run(lambda s: scans.return_reading(s, election, token, actor,
                                                                       fields.get("reason", ""))):
            flash(_("已退回，待重新录入。"), "info")
        elif action == "enter":
            # Keep what was typed: the refusal names what to change.
            return _paper_page(election, row, batch, form, fields)
        return redirect(url_for("scanning.paper", election_id=election.id, token=token))
    return _paper_page(election, row, batch, form, None)


def _paper_page(election: Election, row, batch, form: FlaskForm, typed: dict[str, str] | None):
    db = get_db()
    ballot = None
    try:
        ballot = scans.ballot_for(db, election, row)
    except UserError:
        ballot = None
    by_box: dict[tuple[str, str | None, int | None], tuple[int, dict]] = {
        (b["post"], b.get("candidate"), b.get("line")): (i, b) for i, b in enumerate(row.boxes)}
    return render_template("counting/scan_paper.html", election=election, paper=row, batch=batch, form=form,
                           ballot=ballot, by_box=by_box, typed=typed, rules=rulebook_of(election),
                           names=scans.names_of(db, [row.entered, row.proposed]),
                           full_ballot=ballot_of(db, election, batch.round_number))


@bp.route("/papers/<token>/page.jpg")
@roles(*PEOPLE)
def page_image(election: Election, token: str):
    db = get_db()
    row = found_or_404(lambda: scans.paper_of(db, election, token))
    if row.image is None:
        abort(404)
    return _private(Response(row.image, mimetype="image/jpeg"))


@bp.route("/papers/<token>/box/<int:index>.png")
@roles(*PEOPLE)
def box_image(election: Election, token: str, index: int):
    db = get_db()
    row = found_or_404(lambda: scans.paper_of(db, election, token))
    if row.image is None or not 0 <= index < len(row.boxes):
        abort(404)
    return _private(Response(crop_kept(row.image, row.boxes[index]["rect"]), mimetype="image/png"))


def _private(response: Response) -> Response:
    # A paper's image is the paper: never kept by a browser's or a proxy's cache.
    response.headers["Cache-Control"] = "no-store, private"
    return response
