"""The polling overview: the round's date (and the day override), stations with their desks
and boxes, the hand-over of papers to a station; and the health check."""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ... import clock
from ...address import is_loopback
from ...errors import UserError
from ...models import Election
from ...polling import day as polling_day
from ...polling import printing, stations
from ...polling.round_date import set_round_date
from ...rounds import current_round, day_of
from ...settings import rulebook_of
from .. import parse
from ..access import public, roles
from ..db import get_db
from ..feedback import refuse
from .common import COMMITTEE, bp, posted_round, verify_prefix


@bp.route("/healthz")
@public
def healthz():
    return Response("ok", mimetype="text/plain")


@bp.route("/elections/<int:election_id>/polling")
@roles("committee", "street_admin", "clerk", "scrutineer")
def overview(election: Election):
    db = get_db()
    rnd = current_round(db, election)
    try:
        specs = [(body, spec.title) for body, spec in printing.ballot_specs(db, election, rnd.number)]
        spec_error = ""
    except UserError as error:
        specs, spec_error = [], "；".join(error.messages)
    batches = printing.batches(db, election)
    return render_template(
        "polling/overview.html", election=election, stations=stations.stations_of(db, election),
        batches=batches, specs=specs, spec_error=spec_error, rnd=rnd, day=day_of(election, rnd),
        today=clock.today(), overridden=polling_day.override_for(db, election, rnd.number, clock.today()) is not None,
        printed=any(b.round_number == rnd.number for b in batches),
        scrutineers_needed=rulebook_of(election).mobile_box_scrutineers,
        check_url=verify_prefix(), check_url_loopback=is_loopback(verify_prefix()),
    )


def _back(election: Election):
    return redirect(url_for("polling.overview", election_id=election.id))


@bp.route("/elections/<int:election_id>/polling/round-date", methods=["POST"])
@roles(*COMMITTEE)
def round_date(election: Election):
    db = get_db()
    try:
        day = parse.iso_date(request.form.get("held_on"), "本轮投票日期无效，请按 年-月-日 填写")
        number = posted_round() or current_round(db, election).number
        set_round_date(db, election, number, day, current_user.username)
        db.commit()
        flash(_("第 %(n)s 轮投票日期已定为 %(d)s。", n=number, d=day.isoformat()), "info")
    except UserError as error:
        refuse(error)
    return _back(election)


@bp.route("/elections/<int:election_id>/polling/day-override", methods=["POST"])
@roles(*COMMITTEE)
def day_override(election: Election):
    """The committee records, with its reason, that papers of the current round go out today
    although today is not the round's voting day (polling.day)."""
    db = get_db()
    try:
        polling_day.record_override(db, election, current_round(db, election), current_user.username,
                                    request.form.get("reason", ""))
        db.commit()
        flash(_("已登记：今天可以发放本轮选票。"), "info")
    except UserError as error:
        refuse(error)
    return _back(election)


@bp.route("/elections/<int:election_id>/polling/stations", methods=["POST"])
@roles(*COMMITTEE)
def create_station(election: Election):
    db = get_db()
    f = request.form
    try:
        whole = _("发票台数、票箱数和秘密写票处数须为整数。")
        desks = parse.integer(f.get("desks"), whole, default=1)
        boxes = parse.integer(f.get("boxes"), whole, default=1)
        booths = parse.integer(f.get("booths"), whole, default=0)
        scrutineers = f.get("scrutineers", "").replace("，", ",").replace("、", ",").split(",")
        stations.create_station(db, election, current_user.username, f.get("name", ""), desks, boxes,
                                mobile=f.get("mobile") == "1", scrutineers=scrutineers, booths=booths)
        db.commit()
        flash(_("投票站已建立。"), "info")
    except UserError as error:
        refuse(error)
    return _back(election)


@bp.route("/elections/<int:election_id>/polling/stations/<int:station_id>/handover", methods=["POST"])
@roles(*COMMITTEE)
def handover(election: Election, station_id: int):
    db = get_db()
    try:
        count = parse.integer(request.form.get("count"), _("交接张数须为整数。"), default=0)
        stations.hand_over(db, election, current_user.username, station_id, count, request.form.get("signed_by", ""))
        db.commit()
        flash(_("选票交接已记录。"), "info")
    except UserError as error:
        refuse(error)
    return _back(election)
