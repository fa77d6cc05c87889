"""Turnout through the day and the reconciliation at close of poll (the hourly figures,
explained differences, and the final close that rewrites storage in hash order)."""
from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from ...models import Election
from ...polling import close, merge, printing, turnout
from ...polling.scrub import ScrubReport
from ..access import roles
from ..db import get_db
from ..feedback import run
from ..parse import integer
from .common import COMMITTEE, bp, instance, posted_round, shown_round


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
        f, actor = request.form, current_user.username
        number = posted_round() or rnd.number
        if f.get("action") == "close_hours" and f.get("final") == "1":
            # Close of poll: storage keeps no order of check-ins and deposits (issue 15).
            closed: list[tuple[int, ScrubReport]] = []
            if run(lambda db: closed.append(turnout.close_of_poll(db, election, actor, number)),
                   lambda: _("已记录 %(n)s 条按小时汇总的发票和投票数。", n=closed[0][0])):
                report = closed[0][1]
                # The round's print PDFs nobody downloaded (T beside A) go with the close.
                printing.discard_round_pdfs(instance(), election.id, number)
                flash(_("已闭票：本轮不再发放或投入选票，可以开始计票。发票、投票和计票记录已按哈希顺序重写（%(n)s 条发票记录），存储已整理，不留先后顺序。", n=report.issuances)
                      if report.compacted else _("闭票：记录已重写，但存储未能整理完毕：%(why)s", why=report.detail), "info")
        elif f.get("action") == "close_hours":
            written: list[int] = []
            run(lambda db: written.append(turnout.close_hours(db, election, actor, round_number=number)),
                lambda: _("已记录 %(n)s 条按小时汇总的发票和投票数。", n=written[0]))
        elif f.get("action") == "merge":
            box_id = integer(f.get("box_id"), _("请选择流动票箱"))
            into_id = integer(f.get("into_id"), _("请选择倒入的票箱"))
            run(lambda db: merge.merge_mobile_box(db, election, number, box_id, into_id, f.get("witnesses", ""), actor),
                _("已记录：流动票箱的选票已倒入投票站的票箱并混合，将作为该票箱的选票统一计票。"))
        else:
            run(lambda db: close.explain(db, election, actor, f.get("code", ""), f.get("subject", ""), f.get("message", ""),
                                         f.get("explanation", ""), round_number=number), _("差异说明已记录。"))
        return redirect(url_for("polling.reconcile", election_id=election.id))
    return render_template("polling/reconcile.html", election=election, rec=close.reconciliation(db, election, rnd.number),
                           rnd=rnd, rounds=rounds, is_current=is_current, closed=turnout.poll_closed(db, election, rnd.number))
