"""The guided workflow pages: the legal calendar of an election, on screen and as PDF,
marked with the steps done and the steps late, and the banner that names every late
step on each page of the election."""
from __future__ import annotations

import io
from datetime import date

from flask import Blueprint, current_app, has_request_context, render_template, request, send_file
from flask_login import current_user

from ballots.notices import render_notice

from .. import clock
from ..accounts.service import can_see
from ..clock import cn_date
from ..models import Election
from ..wording import plain_rule
from ..workflow.stages import calendar as calendar_lines
from ..workflow.stages import late_steps, warnings
from .access import roles
from .db import get_db

bp = Blueprint("workflow", __name__)

KIND_LABELS = {"by": "截止", "on": "当日", "until": "期满"}
# Who runs the steps: the banner is for them (a desk clerk can do nothing about a late roll).
BANNER_ROLES = ("committee", "street_admin")


def today() -> date:
    """The day the deadlines are measured against (one place, so a test can fix it)."""
    return clock.today()


def may_open(endpoint: str) -> bool:
    """Whether the current user's role may open the page of ``endpoint``."""
    mark = getattr(current_app.view_functions.get(endpoint), "_juxuan_access", None)
    return mark in ("any", "public") or (isinstance(mark, tuple) and current_user.role in mark)


@bp.app_context_processor
def late_banner() -> dict:
    """`late_steps` for base.html on every page addressed by an election the user may see."""
    election_id = (request.view_args or {}).get("election_id") if has_request_context() else None
    if not election_id or not current_user.is_authenticated or current_user.role not in BANNER_ROLES:
        return {}
    db = get_db()
    election = db.get(Election, election_id)
    if election is None or not can_see(current_user, election.community):
        return {}
    return {"late_steps": late_steps(db, election, today()), "late_election": election, "may_open": may_open}


@bp.route("/elections/<int:election_id>/calendar")
@roles()
def calendar(election: Election):
    db = get_db()
    return render_template(
        "workflow/calendar.html", election=election, lines=calendar_lines(db, election, today()),
        warnings=warnings(db, election, today()), kinds=KIND_LABELS,
    )


@bp.route("/elections/<int:election_id>/calendar.pdf")
@roles()
def calendar_pdf(election: Election):
    out = io.BytesIO()
    lines = calendar_lines(get_db(), election, today())
    render_notice(
        f"{election.title}法定时间表",
        [f"选举日 {cn_date(election.election_day)} · 截至 {cn_date(today())}"],
        ["日期", "事项", "类型", "要求", "进度"],
        # The requirement in words; where it comes from stays on the page's 依据 detail.
        [[cn_date(line.deadline.date), line.deadline.label, KIND_LABELS.get(line.deadline.kind, line.deadline.kind),
          plain_rule(line.deadline.rule) or "—", line.status_text] for line in lines],
        [f"{election.community.name}居民选举委员会", cn_date(today())],
        out,
    )
    out.seek(0)
    return send_file(out, mimetype="application/pdf", download_name=f"calendar-{election.id}.pdf")
