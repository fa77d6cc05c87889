"""Pages of polling day: printing, stations, check-in desks, boxes, proxies, turnout, close."""
from __future__ import annotations

import io
from datetime import date

from flask import (
    Blueprint,
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
from markupsafe import Markup

from ballots.notices import render_notice

from .. import clock
from ..address import is_loopback, receipt_check_url
from ..clock import cn_date
from ..errors import UserError
from ..models import BallotBox, Desk, Election, Resident, Round
from ..polling import close, deposit, handout, issuance, printing, scrub, stations, turnout, unused
from ..polling import day as polling_day
from ..polling.round_date import set_round_date
from ..roll.lookup import resolve_voter
from ..rounds import current_round, day_of, rounds_of
from ..settings import box_of, rulebook_of
from .access import public, roles
from .db import get_db
from .feedback import refuse

bp = Blueprint("polling", __name__)
COMMITTEE = ("committee", "street_admin")



def _instance() -> str:
    return current_app.instance_path


def _shown_round(election) -> tuple[Round, list[Round], bool]:
    """(round shown, all rounds, whether it is the current round). Pages work on the
    current round; ?round=N shows an earlier one read-only (404 for a round that is not)."""
    db = get_db()
    current = current_round(db, election)
    rounds = rounds_of(db, election) or [current]
    number = request.args.get("round", type=int)
    if number is None or number == current.number:
        return current, rounds, True
    shown = next((r for r in rounds if r.number == number), None)
    if shown is None:
        abort(404)
    return shown, rounds, False


def _posted_round() -> int | None:
    """The round a form was shown for (hidden field), so a page left open from an earlier
    round cannot act on the next one without the clerk seeing it."""
    try:
        return int(request.form["round"]) if request.form.get("round") else None
    except ValueError:
        return None


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
        check_url=_verify_prefix(), check_url_loopback=is_loopback(_verify_prefix()),
    )


@bp.route("/elections/<int:election_id>/polling/round-date", methods=["POST"])
@roles(*COMMITTEE)
def round_date(election: Election):
    db = get_db()
    try:
        try:
            day = date.fromisoformat(request.form.get("held_on", ""))
        except ValueError:
            raise UserError("本轮投票日期无效，请按 年-月-日 填写") from None
        number = _posted_round() or current_round(db, election).number
        set_round_date(db, election, number, day, current_user.username)
        db.commit()
        flash(_("第 %(n)s 轮投票日期已定为 %(d)s。", n=number, d=day.isoformat()), "info")
    except UserError as error:
        refuse(error)
    return redirect(url_for("polling.overview", election_id=election.id))


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
    return redirect(url_for("polling.overview", election_id=election.id))


@bp.route("/elections/<int:election_id>/polling/stations", methods=["POST"])
@roles(*COMMITTEE)
def create_station(election: Election):
    db = get_db()
    f = request.form
    try:
        stations.create_station(
            db, election, current_user.username, f.get("name", ""), int(f.get("desks") or 1), int(f.get("boxes") or 1),
            mobile=f.get("mobile") == "1", scrutineers=f.get("scrutineers", "").replace("，", ",").replace("、", ",").split(","),
            booths=int(f.get("booths") or 0),
        )
        db.commit()
        flash(_("投票站已建立。"), "info")
    except ValueError:
        flash(_("发票台数、票箱数和秘密写票处数须为整数。"), "error")
    except UserError as error:
        refuse(error)
    return redirect(url_for("polling.overview", election_id=election.id))


@bp.route("/elections/<int:election_id>/polling/stations/<int:station_id>/handover", methods=["POST"])
@roles(*COMMITTEE)
def handover(election: Election, station_id: int):
    db = get_db()
    try:
        stations.hand_over(db, election, current_user.username, station_id, int(request.form.get("count") or 0), request.form.get("signed_by", ""))
        db.commit()
        flash(_("选票交接已记录。"), "info")
    except ValueError:
        flash(_("交接张数须为整数。"), "error")
    except UserError as error:
        refuse(error)
    return redirect(url_for("polling.overview", election_id=election.id))


# --- printing -------------------------------------------------------------------------

def _verify_prefix() -> str:
    """The receipt-check address of every stub QR, the stub's text and the poster."""
    return current_app.config.get("VERIFY_URL_PREFIX") or receipt_check_url(
        current_app.config.get("PUBLIC_BASE_URL") or request.url_root)


@bp.route("/elections/<int:election_id>/polling/print", methods=["POST"])
@roles(*COMMITTEE)
def start_print(election: Election):
    try:
        n = int(request.form.get("papers") or 0)
    except ValueError:
        flash(_("印制张数须为整数。"), "error")
        return redirect(url_for("polling.overview", election_id=election.id))
    if not 1 <= n <= printing.MAX_PAPERS:
        flash(_("印制张数为 %(n)s，须在 1 至 %(max)s 之间", n=n, max=printing.MAX_PAPERS), "error")
        return redirect(url_for("polling.overview", election_id=election.id))
    job = printing.start_print_job(
        current_app.extensions["juxuan.sessions"], _instance(), election.id, n, current_user.username,
        current_app.config["DATA_KEY"], _verify_prefix(), request.form.get("body", ""),
        round_number=_posted_round() or current_round(get_db(), election).number,
    )
    return redirect(url_for("polling.print_job", election_id=election.id, job=job))


def _job_or_404(election_id: int, job: str) -> dict:
    state = printing.job_state(_instance(), job)
    if state is None or state.get("election_id") != election_id:
        abort(404)
    return state


@bp.route("/elections/<int:election_id>/polling/print/<job>")
@roles(*COMMITTEE)
def print_job(election: Election, job: str):
    return render_template("polling/print_job.html", election=election, job=job, state=_job_or_404(election.id, job))


@bp.route("/elections/<int:election_id>/polling/print/<job>/progress")
@roles(*COMMITTEE)
def print_progress(election_id: int, job: str):
    return jsonify(_job_or_404(election_id, job))


@bp.route("/elections/<int:election_id>/polling/print/<job>/download")
@roles(*COMMITTEE)
def print_download(election_id: int, job: str):
    _job_or_404(election_id, job)
    handle = printing.open_download(_instance(), job)
    if handle is None:
        flash(_("选票文件已下载过一次并已删除（或尚未印制完成）；如需更多选票，请补印。"), "error")
        return redirect(url_for("polling.overview", election_id=election_id))

    def chunks():
        with handle:
            while block := handle.read(256 * 1024):
                yield block

    return Response(stream_with_context(chunks()), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="ballots-{election_id}-{job[:8]}.pdf"',
        "Cache-Control": "no-store",
    })


# --- check-in desk --------------------------------------------------------------------

def _desk(election, desk_id: int) -> Desk:
    try:
        return stations.desk_of(get_db(), election, desk_id)
    except UserError:
        abort(404)


@bp.route("/elections/<int:election_id>/polling/desks/<int:desk_id>")
@roles("clerk", "committee")
def desk(election: Election, desk_id: int):
    db = get_db()
    the_desk = _desk(election, desk_id)
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


@bp.route("/elections/<int:election_id>/polling/desks/<int:desk_id>/issue", methods=["POST"])
@roles("clerk", "committee")
def issue(election: Election, desk_id: int):
    db = get_db()
    try:
        voter_id = int(request.form.get("voter_id") or 0)
        holder = request.form.get("collected_by") or None
        row = issuance.issue_ballot(db, election, desk_id, voter_id, current_user.username,
                                    collected_by_id=int(holder) if holder else None, round_number=_posted_round())
    except ValueError:
        _desk(election, desk_id)
        if request.accept_mimetypes.best == "application/json":
            return jsonify({"ok": False, "message": "选民编号无效"}), 400
        flash(_("选民编号无效。"), "error")
    except UserError as error:
        _desk(election, desk_id)  # another election's desk: 404, as for the desk page
        if request.accept_mimetypes.best == "application/json":
            return jsonify({"ok": False, "message": "；".join(error.messages)}), 409
        refuse(error)
    else:
        if request.accept_mimetypes.best == "application/json":
            return jsonify({"ok": True})
        flash(_("已向 %(name)s 发出一张选票。", name=db.get_one(Resident, row.voter_id).name), "info")
    return redirect(url_for("polling.desk", election_id=election.id, desk_id=desk_id))


@bp.route("/elections/<int:election_id>/polling/desks/<int:desk_id>/hand-out", methods=["POST"])
@roles("clerk", "committee")
def hand_out(election: Election, desk_id: int):
    """The stub of the paper handed across the desk, scanned into the station's pool of
    handed-out papers (no voter: a request of its own, after the check-in)."""
    db = get_db()
    the_desk = _desk(election, desk_id)
    wants_json = request.accept_mimetypes.best == "application/json"
    try:
        done = handout.hand_out(db, election, the_desk.station_id, request.form.get("stub", ""))
    except UserError as error:
        if wants_json:
            return jsonify({"ok": False, "message": "；".join(error.messages)}), 409
        refuse(error)
    else:
        if wants_json:
            return jsonify({"ok": True, "handed": done.handed, "allowed": done.allowed})
        flash(_("已发出一张选票（本站本轮已发出 %(n)s 张）。", n=done.handed), "info")
    return redirect(url_for("polling.desk", election_id=election.id, desk_id=desk_id))


# --- deposit at the box, spoiled and unused papers -------------------------------------

def _box(election, box_id: int) -> BallotBox:
    try:
        return box_of(get_db(), election, box_id)
    except UserError:
        abort(404)


@bp.route("/elections/<int:election_id>/polling/boxes/<int:box_id>", methods=["GET", "POST"])
@roles("scrutineer", "committee")
def box(election: Election, box_id: int):
    db = get_db()
    the_box = _box(election, box_id)
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
    _box(election, box_id)
    payload = request.get_json(silent=True) or {}
    scans = payload.get("scans")
    if not isinstance(scans, list):
        return jsonify({"error": "请求格式错误：应为 {\"scans\": [...]}"}), 400
    return jsonify({"results": deposit.deposit_batch(db, election, box_id, [s for s in scans if isinstance(s, dict)])})


@bp.route("/elections/<int:election_id>/polling/boxes/<int:box_id>/issue", methods=["POST"])
@roles("scrutineer", "committee")
def mobile_issue(election: Election, box_id: int):
    db = get_db()
    _box(election, box_id)
    try:
        issuance.issue_mobile(db, election, box_id, int(request.form.get("voter_id") or 0), current_user.username,
                              round_number=_posted_round())
        flash(_("已向流动票箱选民发出一张选票。"), "info")
    except (ValueError, UserError) as error:
        refuse(error if isinstance(error, UserError) else UserError("选民编号无效"))
    return redirect(url_for("polling.box", election_id=election.id, box_id=box_id))


@bp.route("/elections/<int:election_id>/polling/spoiled", methods=["GET", "POST"])
@roles("clerk", "scrutineer", "committee")
def spoiled(election: Election):
    db = get_db()
    outcomes = None
    if request.method == "POST":
        f = request.form
        try:
            if f.get("kind") == "unused_scans":
                outcomes = unused.void_scanned(db, election, f.get("scans", ""))
                done = sum(1 for o in outcomes if o.ok)
                flash(_("已作废 %(n)s 张未用选票。", n=done), "info")
                if done < len(outcomes):
                    flash(_("%(n)s 张未能作废，见下表。", n=len(outcomes) - done), "error")
            elif f.get("kind") == "unused_batch":
                if current_user.role != "committee":
                    raise UserError("整批作废未用选票须由选举委员会进行")
                n = unused.void_batch(db, election, int(f.get("batch") or -1), int(f.get("counted") or 0),
                                      current_user.username)
                db.commit()
                flash(_("第 %(b)s 批剩余的 %(n)s 张未用选票已作废。", b=f.get("batch"), n=n), "info")
            elif f.get("kind") == "unused":
                deposit.void_unused(db, election, f.get("stub", ""), f.get("body", ""))
                flash(_("未使用的选票已作废。"), "info")
            else:
                deposit.spoil(db, election, int(f.get("station_id") or 0), f.get("stub", ""), f.get("body", ""))
                flash(_("写错的选票已作废，请另发一张新选票。"), "info")
        except ValueError:
            flash(_("请选择投票站，并填写数字。"), "error")
        except UserError as error:
            refuse(error)
        if outcomes is None:
            return redirect(url_for("polling.spoiled", election_id=election.id))
    rnd = current_round(db, election)
    return render_template("polling/spoiled.html", election=election, stations=stations.stations_of(db, election),
                           rnd=rnd, spoils=deposit.spoiled_by_hour(db, election, rnd.number), outcomes=outcomes,
                           batches=unused.batches_left(db, election))


# --- proxies and mobile-box voters -----------------------------------------------------

def _by_card(db, election, text: str, role: str) -> Resident:
    """The voter typed as a voter number or name, or scanned from the voter card."""
    return resolve_voter(db, election, text, role)


@bp.route("/elections/<int:election_id>/polling/proxies", methods=["GET", "POST"])
@roles(*COMMITTEE)
def proxies(election: Election):
    db = get_db()
    if request.method == "POST":
        f = request.form
        try:
            try:
                signed = date.fromisoformat(f.get("signed_on", ""))
            except ValueError:
                raise UserError("委托书签署日期无效，请按 年-月-日 填写") from None
            issuance.authorise_proxy(db, election, current_user.username, _by_card(db, election, f.get("voter", ""), "委托人"),
                                     _by_card(db, election, f.get("holder", ""), "受委托人"), signed)
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
        stations.register_mobile_voter(db, election, current_user.username, int(f.get("box_id") or 0),
                                       _by_card(db, election, f.get("voter", ""), "选民"), f.get("reason", ""))
        db.commit()
        flash(_("流动票箱选民已登记。"), "info")
    except ValueError:
        flash(_("请选择流动票箱。"), "error")
    except UserError as error:
        refuse(error)
    return redirect(url_for("polling.proxies", election_id=election.id))


def _pdf(data: bytes, name: str) -> Response:
    return Response(data, mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="{name}"'})


@bp.route("/elections/<int:election_id>/polling/proxies.pdf")
@roles(*COMMITTEE)
def proxies_notice(election: Election):
    db = get_db()
    rows = [(str(i), h.name, v.name, cn_date(p.signed_on)) for i, (p, v, h) in enumerate(issuance.proxies_of(db, election), 1)]
    out = io.BytesIO()
    render_notice(f"{election.title}委托投票公告", ["经选举委员会审核批准的委托投票如下："], ["序号", "受委托人", "委托人", "委托日期"],
                  rows or [("—", "无", "—", "—")], [f"{election.community.name}居民选举委员会", cn_date(clock.today())], out)
    return _pdf(out.getvalue(), "proxies.pdf")


@bp.route("/elections/<int:election_id>/polling/receipt-poster.pdf")
@roles(*COMMITTEE)
def receipt_poster(election: Election):
    """A notice-board poster: the receipt-check address as text and as a QR code."""
    url = _verify_prefix()
    out = io.BytesIO()
    render_notice(
        "选票回执查询", [election.title,
                   "投票后请保存选票存根。用手机扫描下方二维码，或在浏览器中输入以下地址，"
                   "再输入存根上的查询码，即可查询您的选票是否已投入票箱并计入；查询不显示选票内容。",
                   f"查询地址：{url}"],
        [], [], [f"{election.community.name}居民选举委员会", cn_date(day_of(election, current_round(get_db(), election)))],
        out, qr_payload=url, qr_caption="扫码查询选票回执",
    )
    return _pdf(out.getvalue(), "receipt-poster.pdf")


@bp.route("/elections/<int:election_id>/polling/mobile-voters.pdf")
@roles(*COMMITTEE)
def mobile_notice(election: Election):
    db = get_db()
    # A public notice: the reason a voter cannot come (often their health) stays off it.
    rows = [(str(i), b.label, v.name, v.group_name or "—") for i, (_m, v, b) in enumerate(stations.mobile_voters(db, election), 1)]
    out = io.BytesIO()
    render_notice(f"{election.title}流动票箱投票选民名单公告", ["以下选民因故不能到投票站投票，经登记使用流动票箱："],
                  ["序号", "流动票箱", "姓名", "居民小组"], rows or [("—", "—", "无", "—")],
                  [f"{election.community.name}居民选举委员会", cn_date(clock.today())], out)
    return _pdf(out.getvalue(), "mobile-voters.pdf")


# --- turnout and close ----------------------------------------------------------------

@bp.route("/elections/<int:election_id>/polling/turnout")
@roles(*COMMITTEE)
def turnout_page(election: Election):
    db = get_db()
    rnd, rounds, is_current = _shown_round(election)
    data = turnout.turnout(db, election, rnd.number)
    return render_template("polling/turnout.html", election=election, data=data, svg=Markup(turnout.turnout_svg(data)),
                           rnd=rnd, rounds=rounds, is_current=is_current)


@bp.route("/elections/<int:election_id>/polling/turnout.json")
@roles(*COMMITTEE)
def turnout_json(election: Election):
    db = get_db()
    rnd, _rounds, _current = _shown_round(election)
    data = turnout.turnout(db, election, rnd.number)
    return jsonify({**data, "round": rnd.number, "svg": turnout.turnout_svg(data)})


@bp.route("/elections/<int:election_id>/polling/reconcile", methods=["GET", "POST"])
@roles(*COMMITTEE)
def reconcile(election: Election):
    db = get_db()
    rnd, rounds, is_current = _shown_round(election)
    if request.method == "POST":
        f = request.form
        try:
            number = _posted_round() or rnd.number
            if number != current_round(db, election).number:
                raise UserError(f"第 {number} 轮已结束，其选票清点只能查看，不能再记录")
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
