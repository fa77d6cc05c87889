"""The check-in desk: find the voter (card scan or search), issue the paper, and scan the
stub of the paper handed across. The desk's script asks for JSON; a plain form gets a page."""
from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...errors import UserError
from ...models import Election, Resident
from ...polling import handout, issuance
from ...rounds import current_round
from .. import parse
from ..access import election_or_404, election_scope_or_404, roles
from ..db import get_db
from ..feedback import refuse
from .common import bp, desk_or_404, posted_round, wants_json


@bp.route("/elections/<int:election_id>/polling/desks/<int:desk_id>")
@roles("clerk", "committee")
def desk(election: Election, desk_id: int):
    db = get_db()
    the_desk = desk_or_404(election, desk_id)
    scan, q = request.args.get("scan", "").strip(), request.args.get("q", "").strip()
    found: list[Resident] = []
    try:
        if scan:
            found = [issuance.find_by_card(db, election, scan)]
        elif q:
            found = issuance.search(db, election, q)
            if not found:
                flash(_("没有找到与“%(q)s”相符的选民。", q=q), "error")
    except UserError as error:
        refuse(error)
    rnd = current_round(db, election)
    statuses = [issuance.status_of(db, election, r, rnd.number) for r in found]
    return render_template("polling/desk.html", election=election, desk=the_desk, statuses=statuses, scan=scan, q=q,
                           rnd=rnd)


def _refused(error: UserError, status: int):
    """A refusal: JSON for the desk's script, else the messages shown on the desk page."""
    if wants_json():
        return jsonify({"ok": False, "message": "；".join(error.messages)}), status
    refuse(error)
    return None


@bp.route("/elections/<int:election_id>/polling/desks/<int:desk_id>/issue", methods=["POST"])
@roles("clerk", "committee")
def issue(election_id: int, desk_id: int):
    # Not handed the election entity: the check-in needs only the columns of its scope, read
    # with the login in the same statement (access.ElectionScope); the service loads the
    # election itself when the check-in is not the common one.
    db = get_db()
    status = 400  # a voter number that is not a number; the service's refusals answer 409
    try:
        voter_id = parse.integer(request.form.get("voter_id"), "选民编号无效", default=0)
        holder = parse.optional_integer(request.form.get("collected_by"), "选民编号无效")
        status = 409
        # Issuing a paper is its own transaction: the service commits (DECISIONS.md). The
        # desk is checked inside it, in the check-in's one locking read.
        row = issuance.issue_ballot(db, election_scope_or_404(election_id), desk_id, voter_id, current_user.username,
                                    collected_by_id=holder, round_number=posted_round())
    except UserError as error:
        desk_or_404(election_or_404(election_id), desk_id)  # another election's desk: 404, as for the desk page
        if (answer := _refused(error, status)) is not None:
            return answer
    else:
        if wants_json():
            return jsonify({"ok": True})
        flash(_("已向 %(name)s 发出一张选票。", name=db.get_one(Resident, row.voter_id).name), "info")
    return redirect(url_for("polling.desk", election_id=election_id, desk_id=desk_id))


@bp.route("/elections/<int:election_id>/polling/desks/<int:desk_id>/hand-out", methods=["POST"])
@roles("clerk", "committee")
def hand_out(election: Election, desk_id: int):
    """The stub of the paper handed across the desk, scanned into the station's pool of
    handed-out papers (no voter: a request of its own, after the check-in)."""
    db = get_db()
    the_desk = desk_or_404(election, desk_id)
    try:
        done = handout.hand_out(db, election, the_desk.station_id, request.form.get("stub", ""))
    except UserError as error:
        if (answer := _refused(error, 409)) is not None:
            return answer
    else:
        if wants_json():
            return jsonify({"ok": True, "handed": done.handed, "allowed": done.allowed})
        flash(_("已发出一张选票（本站本轮已发出 %(n)s 张）。", n=done.handed), "info")
    return redirect(url_for("polling.desk", election_id=election.id, desk_id=desk_id))
