"""The guided workflow pages: the legal calendar of an election, on screen and as PDF."""
from __future__ import annotations

import io

from flask import Blueprint, render_template, send_file

from ballots.notices import render_notice
from ..workflow.stages import legal_deadlines, warnings
from .access import election_or_404, roles
from .db import get_db

bp = Blueprint("workflow", __name__)

KIND_LABELS = {"by": "截止", "on": "当日", "until": "期满"}


@bp.route("/elections/<int:election_id>/calendar")
@roles()
def calendar(election_id: int):
    election = election_or_404(election_id)
    return render_template(
        "workflow/calendar.html", election=election, deadlines=legal_deadlines(election),
        warnings=warnings(get_db(), election), kinds=KIND_LABELS,
    )


@bp.route("/elections/<int:election_id>/calendar.pdf")
@roles()
def calendar_pdf(election_id: int):
    election = election_or_404(election_id)
    out = io.BytesIO()
    render_notice(
        f"{election.title}法定时间表",
        [f"{election.community.name} · 选举日 {election.election_day.isoformat()}"],
        ["日期", "事项", "类型", "依据"],
        [[d.date.isoformat(), d.label, KIND_LABELS.get(d.kind, d.kind), d.rule] for d in legal_deadlines(election)],
        [f"{election.community.name}居民选举委员会"],
        out,
    )
    out.seek(0)
    return send_file(out, mimetype="application/pdf", download_name=f"calendar-{election.id}.pdf")
