"""The ballot box: a deposit scanned at the box (one at a time, or a scanner's batch), the
mobile box's own issue; spoiled papers and unused papers voided (by scan or whole batch)."""
from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import Session

from ...errors import UserError
from ...models import Election
from ...polling import deposit, issuance, stations, unused
from ...rounds import current_round
from .. import parse
from ..access import roles
from ..db import get_db
from ..feedback import refuse, run
from .common import box_or_404, bp, posted_round


@bp.route("/elections/<int:election_id>/polling/boxes/<int:box_id>", methods=["GET", "POST"])
@roles("scrutineer", "committee")
def box(election: Election, box_id: int):
    db = get_db()
    the_box = box_or_404(election, box_id)
    result, refused = None, []
    if request.method == "POST":
        try:
            result = deposit.deposit(db, election, box_id, request.form.get("stub", ""))
        except UserError as error:
            db.rollback()
            refused = error.messages
    rnd = current_round(db, election)
    voters = [(r, v, issuance.status_of(db, election, v, rnd.number).issued)
              for r, v, b in stations.mobile_voters(db, election) if b.id == box_id] if the_box.mobile else []
    return render_template("polling/box.html", election=election, box=the_box, result=result, refused=refused,
                           voters=voters, rnd=rnd), (422 if refused else 200)


@bp.route("/elections/<int:election_id>/polling/boxes/<int:box_id>/sync", methods=["POST"])
@roles("scrutineer", "committee")
def box_sync(election: Election, box_id: int):
    db = get_db()
    box_or_404(election, box_id)
    payload = request.get_json(silent=True) or {}
    scans = payload.get("scans")
    if not isinstance(scans, list):
        return jsonify({"error": "请求格式错误：应为 {\"scans\": [...]}"}), 400
    return jsonify({"results": deposit.deposit_batch(db, election, box_id, [s for s in scans if isinstance(s, dict)])})


@bp.route("/elections/<int:election_id>/polling/boxes/<int:box_id>/issue", methods=["POST"])
@roles("scrutineer", "committee")
def mobile_issue(election: Election, box_id: int):
    db = get_db()
    box_or_404(election, box_id)
    try:
        voter_id = parse.integer(request.form.get("voter_id"), "选民编号无效", default=0)
        # Its own transaction, like the desk's issue: the service commits.
        issuance.issue_mobile(db, election, box_id, voter_id, current_user.username, round_number=posted_round())
        flash(_("已向流动票箱选民发出一张选票。"), "info")
    except UserError as error:
        refuse(error)
    return redirect(url_for("polling.box", election_id=election.id, box_id=box_id))


def _void(election: Election) -> list | None:
    """One of the page's four forms, each one service call: a spoiled paper exchanged, an
    unused paper, a pile of unused papers scanned, or what is left of a print batch. Returns
    the scanned pile's outcomes (shown in a table), else None."""
    f = request.form
    kind = f.get("kind")
    whole = _("请选择投票站，并填写数字。")
    if kind == "unused_scans":
        scanned: list[list[unused.ScanOutcome]] = []
        if not run(lambda db: scanned.append(unused.void_scanned(db, election, f.get("scans", "")))):
            return None
        done = sum(1 for o in scanned[0] if o.ok)
        flash(_("已作废 %(n)s 张未用选票。", n=done), "info")
        if done < len(scanned[0]):
            flash(_("%(n)s 张未能作废，见下表。", n=len(scanned[0]) - done), "error")
        return scanned[0]
    if kind == "unused_batch":
        voided: list[tuple[int, int]] = []

        def void_batch(db: Session) -> None:
            if current_user.role != "committee":
                raise UserError("整批作废未用选票须由选举委员会进行")
            batch = parse.integer(f.get("batch"), whole, default=-1)
            voided.append((batch, unused.void_batch(db, election, batch, parse.integer(f.get("counted"), whole, default=0),
                                                    current_user.username)))

        run(void_batch, lambda: _("第 %(b)s 批剩余的 %(n)s 张未用选票已作废。", b=voided[0][0] + 1, n=voided[0][1]))
    elif kind == "unused":
        run(lambda db: deposit.void_unused(db, election, f.get("stub", ""), f.get("body", "")), _("未使用的选票已作废。"))
    else:
        run(lambda db: deposit.spoil(db, election, parse.integer(f.get("station_id"), whole, default=0), f.get("stub", ""),
                                     f.get("body", "")), _("写错的选票已作废，请另发一张新选票。"))
    return None


@bp.route("/elections/<int:election_id>/polling/spoiled", methods=["GET", "POST"])
@roles("clerk", "scrutineer", "committee")
def spoiled(election: Election):
    db = get_db()
    outcomes = _void(election) if request.method == "POST" else None
    if request.method == "POST" and outcomes is None:
        return redirect(url_for("polling.spoiled", election_id=election.id))
    rnd = current_round(db, election)
    return render_template("polling/spoiled.html", election=election, stations=stations.stations_of(db, election),
                           rnd=rnd, spoils=deposit.spoiled_by_hour(db, election, rnd.number), outcomes=outcomes,
                           batches=unused.batches_left(db, election))
