"""The guided workflow pages: the legal calendar of an election, on screen and as PDF,
marked with the steps done and the steps late, and the banner that names every late
step on each page of the election."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, has_request_context, render_template, request
from flask_login import current_user

from .. import clock
from ..models import Election
from ..workflow import documents
from ..workflow.documents import KIND_LABELS
from ..workflow.stages import calendar as calendar_lines
from ..workflow.stages import late_of, warnings
from .access import roles
from .db import get_db
from .files import pdf_response

bp = Blueprint("workflow", __name__)

# Who runs the steps: the banner is for them (a desk clerk can do nothing about a late roll).
BANNER_ROLES = ("committee", "street_admin")


def today() -> date:
    """The day the deadlines are measured against (one place, so a test can fix it)."""
    return clock.today()


@bp.app_context_processor
def late_banner() -> dict:
    """`late_steps` for base.html on every page addressed by an election the user may see."""
    election_id = (request.view_args or {}).get("election_id") if has_request_context() else None
    if not election_id or not current_user.is_authenticated or current_user.role not in BANNER_ROLES:
        return {}
    late = late_of(get_db(), election_id, current_user, today())
    if late is None:
        return {}
    return {"late_steps": late[1], "late_election": late[0]}


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
    return pdf_response(documents.calendar_pdf(get_db(), election, today()), f"calendar-{election.id}.pdf")
