"""The progress page of a long operation (导入名册, 打印选民证, 选民名单公告) and its result.

A page starts a job with `start` and redirects to its progress page. The page shows a
<progress> bar and "已处理 X / N"; without JavaScript it reloads itself every two seconds,
with JavaScript it polls the progress JSON and reloads once the job is over, so the
finished page (result, download, or every error) is always rendered by the server.
State lives in files (election/jobs.py), so any app process answers any poll. A job is
seen by the roles of the page that started it, within its election (404 elsewhere).
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import Blueprint, abort, current_app, jsonify, render_template, send_file, url_for
from flask_login import current_user
from sqlalchemy.orm import Session

from .. import jobs
from ..models import Election
from .access import roles
from .i18n import kept

bp = Blueprint("jobs", __name__, url_prefix="/elections/<int:election_id>/jobs")
MIMETYPES = {".pdf": "application/pdf"}


def folder() -> Path:
    return jobs.jobs_dir(current_app.instance_path)


# A job's work: its own session, the election read in it (the request's is gone), the progress.
ElectionWork = Callable[[Session, Election, jobs.Running], dict]


def start(election: Election, kind: str, title: str, work: ElectionWork, *, allowed: tuple[str, ...], back: str,
          back_label: str, download_name: str = "", suffix: str = "", total: int = 0) -> str:
    """Start ``work`` for ``election`` (handed the election read in the job's own session);
    returns the URL of its progress page.

    ``allowed`` are the roles that may watch it (those of the page that starts it), ``back``
    the page to return to, ``download_name`` the Chinese file name of a result file.
    """
    # The title and the back link are kept as phrases: the page says them in its language.
    base = {"election_id": election.id, "kind": kind, "title": kept(title), "actor": current_user.username,
            "roles": list(allowed), "back": back, "back_label": kept(back_label), "download_name": download_name,
            "suffix": suffix, "total": total}
    election_id = election.id

    def run(db: Session, running: jobs.Running) -> dict:
        return work(db, db.get_one(Election, election_id), running)

    job = jobs.start(current_app.extensions["juxuan.sessions"], folder(), base, run, suffix=suffix,
                     failure=f"{title}失败")
    return url_for("jobs.page", election_id=election.id, job=job)


def _state(election_id: int, job: str) -> dict:
    state = jobs.read_state(folder(), job)
    if state is None or state.get("election_id") != election_id:
        abort(404)
    if current_user.role not in state.get("roles", ()):
        abort(403)
    return state


@bp.route("/<job>")
@roles()
def page(election: Election, job: str):
    return render_template("jobs/job.html", election=election, job=job, state=_state(election.id, job))


@bp.route("/<job>/progress")
@roles()
def progress(election_id: int, job: str):
    state = _state(election_id, job)
    # The poll needs the counts only; the details (every row error) are on the page.
    return jsonify({key: state.get(key) for key in ("state", "done", "total", "error")})


@bp.route("/<job>/download")
@roles()
def download(election_id: int, job: str):
    state = _state(election_id, job)
    suffix = state.get("suffix") or ""
    handle = jobs.open_result(folder(), job, suffix, once=False) if suffix and state.get("state") == "ready" else None
    if handle is None:
        abort(404)  # no file, or swept after an hour: start the job again
    return send_file(handle, mimetype=MIMETYPES.get(suffix, "application/octet-stream"), as_attachment=True,
                     download_name=state["download_name"])
