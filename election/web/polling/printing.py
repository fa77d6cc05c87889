"""Printing the papers: a print run starts a background job; its page follows the progress
and offers the PDF for one download (it holds every paper's codes, then it is deleted)."""
from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from ...errors import UserError
from ...models import Election
from ...polling import printing
from ...rounds import current_round
from .. import parse
from ..access import roles
from ..db import get_db
from ..feedback import refuse
from .common import COMMITTEE, bp, instance, posted_round, verify_prefix


@bp.route("/elections/<int:election_id>/polling/print", methods=["POST"])
@roles(*COMMITTEE)
def start_print(election: Election):
    try:
        papers = request.form.get("papers")
        blank = not (papers or "").strip()  # said as such, not as "印制张数为 0"
        n = parse.integer(papers, _("请填写印制张数（1 至 %(n)s 张）。", n=printing.MAX_PAPERS) if blank else _("印制张数须为整数。"))
        job = printing.start_print_job(
            current_app.extensions["juxuan.sessions"], instance(), election.id, n, current_user.username,
            current_app.config["DATA_KEY"], verify_prefix(), request.form.get("body", ""),
            round_number=posted_round() or current_round(get_db(), election).number,
        )
    except UserError as error:
        refuse(error)
        return redirect(url_for("polling.overview", election_id=election.id))
    return redirect(url_for("polling.print_job", election_id=election.id, job=job))


def _job_or_404(election_id: int, job: str) -> dict:
    state = printing.job_state(instance(), job)
    if state is None or state.get("election_id") != election_id:
        abort(404)
    return state


@bp.route("/elections/<int:election_id>/polling/print/<job>")
@roles(*COMMITTEE)
def print_job(election: Election, job: str):
    return render_template("polling/print_job.html", election=election, job=job, state=_job_or_404(election.id, job))


@bp.route("/elections/<int:election_id>/polling/print/<job>/progress")
@roles(*COMMITTEE)
def print_progress(election: Election, job: str):
    return jsonify(_job_or_404(election.id, job))


@bp.route("/elections/<int:election_id>/polling/print/<job>/download")
@roles(*COMMITTEE)
def print_download(election: Election, job: str):
    _job_or_404(election.id, job)
    handle = printing.open_download(instance(), job)
    if handle is None:
        flash(_("选票文件已下载过一次并已删除（或尚未印制完成）；如需更多选票，请补印。"), "error")
        return redirect(url_for("polling.overview", election_id=election.id))

    def chunks():
        with handle:
            while block := handle.read(256 * 1024):
                yield block

    return Response(stream_with_context(chunks()), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="ballots-{election.id}-{job[:8]}.pdf"',
        "Cache-Control": "no-store",
    })
