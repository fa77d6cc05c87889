"""Proxies (委托投票) and the voters registered for the mobile box."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...errors import UserError
from ...models import Election
from ...polling import issuance, stations
from ...rounds import current_round
from .. import parse
from ..access import roles
from ..db import get_db
from ..feedback import refuse
from .common import COMMITTEE, bp


@bp.route("/elections/<int:election_id>/polling/proxies", methods=["GET", "POST"])
@roles(*COMMITTEE)
def proxies(election: Election):
    db = get_db()
    if request.method == "POST":
        f = request.form
        try:
            signed = parse.iso_date(f.get("signed_on"), "委托书签署日期无效，请按 年-月-日 填写")
            # The voter and the holder as typed: a voter number or name, or scanned from the card.
            issuance.authorise_proxy(db, election, current_user.username, f.get("voter", ""), f.get("holder", ""), signed)
            db.commit()
            flash(_("委托投票已批准并记录。"), "info")
        except UserError as error:
            refuse(error)
        return redirect(url_for("polling.proxies", election_id=election.id))
    rnd = current_round(db, election)
    rows = issuance.proxies_of(db, election)
    # An authorisation holds for every round; the holder collects one paper per round.
    collected = {p.voter_id for p, voter, _holder in rows if issuance.status_of(db, election, voter, rnd.number).issued}
    return render_template("polling/proxies.html", election=election, rows=rows,
                           boxes=[b for b in stations.boxes_of(db, election) if b.mobile],
                           mobile=stations.mobile_voters(db, election), rnd=rnd, collected=collected)


@bp.route("/elections/<int:election_id>/polling/mobile-voters", methods=["POST"])
@roles(*COMMITTEE)
def mobile_voter(election: Election):
    db = get_db()
    f = request.form
    try:
        box_id = parse.integer(f.get("box_id"), _("请选择流动票箱。"), default=0)
        stations.register_mobile_voter(db, election, current_user.username, box_id, f.get("voter", ""),
                                       f.get("reason", ""))
        db.commit()
        flash(_("流动票箱选民已登记。"), "info")
    except UserError as error:
        refuse(error)
    return redirect(url_for("polling.proxies", election_id=election.id))
