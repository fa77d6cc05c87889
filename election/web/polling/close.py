"""Turnout through the day and the reconciliation at close of poll (the hourly figures,
explained differences, and the final close that rewrites storage in hash order)."""
from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from ...errors import UserError
from ...models import Election
from ...polling import close, scrub, turnout
from ..access import roles
from ..db import get_db
from ..feedback import refuse
from .common import COMMITTEE, bp, posted_round, shown_round


@bp.route("/elections/<int:election_id>/polling/turnout")
@roles(*COMMITTEE)
def turnout_page(election: Election):
    rnd, rounds, is_current = shown_round(election)
    data = turnout.live(get_db(), election, rnd.number)
    return render_template("polling/turnout.html", election=election, data=data, svg=Markup(data["svg"]),
                           rnd=rnd, rounds=rounds, is_current=is_current)


@bp.route("/elections/<int:election_id>/polling/turnout.json")
@roles(*COMMITTEE)
def turnout_json(election: Election):
    rnd, _rounds, _current = shown_round(election)
    return jsonify(turnout.live(get_db(), election, rnd.number))


@bp.route("/elections/<int:election_id>/polling/reconcile", methods=["GET", "POST"])
@roles(*COMMITTEE)
def reconcile(election: Election):
    db = get_db()
    rnd, rounds, is_current = shown_round(election)
    if request.method == "POST":
        f = request.form
        try:
            number = posted_round() or rnd.number
            final = f.get("action") == "close_hours" and f.get("final") == "1"
            if f.get("action") == "close_hours":
                n = turnout.close_hours(db, election, current_user.username, final=final, round_number=number)
                flash(_("已记录 %(n)s 条按小时汇总的发票和投票数。", n=n), "info")
            else:
                close.explain(db, election, current_user.username, f.get("code", ""), f.get("subject", ""),
                              f.get("message", ""), f.get("explanation", ""), round_number=number)
                flash(_("差异说明已记录。"), "info")
            db.commit()
            if final:
                # Close of poll: storage keeps no order of check-ins and deposits (issue 15).
                report = scrub.scrub(db, election, current_user.username)
                flash(_("闭票：已按哈希顺序重写发票、投票和计票记录（%(n)s 条发票记录），存储已整理。", n=report.issuances)
                      if report.compacted else _("闭票：记录已重写，但存储未能整理完毕：%(why)s", why=report.detail), "info")
        except UserError as error:
            refuse(error)
        return redirect(url_for("polling.reconcile", election_id=election.id))
    return render_template("polling/reconcile.html", election=election, rec=close.reconciliation(db, election, rnd.number),
                           rnd=rnd, rounds=rounds, is_current=is_current)
