"""Pages of counting (唱票、计票、监票): ballot entry for keyboard and scanner, second
entry, reconciliation, the running tally and projector view, the hand tally board,
publication, the printed results, and filings (备案) for the street office's auditor."""
from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as WerkzeugResponse

from ..counting import mixing, reports, sheets, summary
from ..counting.live import live_state, live_tally
from ..counting.result import (
    blockers,
    board_differences,
    box_counts,
    decide_woman,
    enter_board,
    explain_board,
    explain_box,
    preview_result,
    publish_result,
    published,
    running_tally,
)
from ..counting.service import (
    ballot_of,
    boxes_of,
    described_mismatches,
    resolve_mismatch,
    second_entry,
)
from ..errors import UserError
from ..models import Election, Round
from ..polling import printing, turnout
from ..polling.scrub import scrub_if_pending
from ..rounds import round_of, rounds_of
from ..rules.tally_types import WOMAN_DECISIONS
from ..settings import rulebook_of
from .access import roles
from .db import get_db
from .feedback import found_or_404, refuse, run
from .files import pdf_response

bp = Blueprint("counting", __name__)

WATCHERS = ("committee", "counter", "scrutineer")



def _round(election, number: int) -> Round:
    return found_or_404(lambda: round_of(get_db(), election, number))


def own_papers(election: Election, rnd: Round) -> tuple[str, str, bool] | None:
    """Where a round that elects no one (reports.OWN_PAPERS) prints its outcome, as (link,
    label, a PDF to download): a meeting's motion on its meeting's page (minutes and decision
    notice), a recall in the recall's result notice; None for a round that elects."""
    if rnd.kind not in reports.OWN_PAPERS:
        return None
    section = next(iter(rnd.posts.values()))
    if rnd.kind == "motion":
        return url_for("meetings.page", election_id=election.id, meeting_id=section["meeting"]), _("会议记录与决定公告"), False
    return url_for("between.recall_pdf", election_id=election.id, recall_id=section["recall"]), _("罢免结果公告 PDF"), True


@bp.route("/elections/<int:election_id>/counting")
@roles(*WATCHERS)
def overview(election: Election):
    db = get_db()
    detail = []
    post_names: dict[str, str] = {}
    for rnd in rounds_of(db, election):
        described, posts = described_mismatches(db, election, rnd.number)
        post_names.update(posts)
        detail.append({
            "round": rnd, "boxes": box_counts(db, election, rnd.number), "blockers": blockers(db, election, rnd.number),
            "mismatches": described,
            "board": board_differences(db, election, rnd.number), "published": published(db, election, rnd.number),
            "filing": reports.filing_of(db, election, rnd.number), "papers": own_papers(election, rnd),
        })
    return render_template("counting/overview.html", election=election, detail=detail, form=FlaskForm(),
                           final=summary.final_list(db, election) if detail else None,
                           woman_options=WOMAN_DECISIONS, post_names=post_names)


def _entry(election: Election, number: int, second: bool):
    _round(election, number)
    db = get_db()
    form = FlaskForm()
    box_id = request.values.get("box", type=int)
    if request.method == "POST" and form.validate_on_submit() and request.form.get("action") == "mixed":
        try:
            if box_id is None:
                raise UserError("请先选择票箱")
            if mixing.confirm_mixed(db, election, number, box_id, request.form.get("witnesses", ""), current_user.username):
                db.commit()
                flash(_("已确认本票箱的选票已混合，可以开始录入。"), "info")
        except UserError as error:
            db.rollback()
            refuse(error)
        return redirect(url_for("counting.entry", election_id=election.id, number=number, box=box_id))
    if request.method == "POST" and form.validate_on_submit():
        fields = {k: v for k, v in request.form.items()}
        scan, actor = fields.get("scan", ""), current_user.username
        # Only a committee member's note decides a doubtful paper (doubtful_by_committee).
        decision = fields.get("doubtful_note", "") if current_user.role == "committee" else ""
        if run((lambda db: second_entry(db, election, scan, fields, actor, number)) if second else
               (lambda db: mixing.enter_from_mixed_box(db, election, box_id, scan, fields, actor, number, decision)),
               _("已记录。")):
            _scrub_pending(election, number)
        endpoint = "counting.second" if second else "counting.entry"
        return redirect(url_for(endpoint, election_id=election.id, number=number, box=box_id))
    # A mobile box is counted only as the station box it was poured into (polling.merge).
    boxes = [b for b in boxes_of(db, election) if not b.mobile]
    if box_id is None and not second and boxes:
        # Reached from the counting page's link: the first box, with its mixing form when
        # it is not confirmed yet (a scan would be refused until it is).
        box_id = boxes[0].id
    counted = None
    if box_id is not None and not second:
        counted = next((b for b in box_counts(db, election, number) if b["box_id"] == box_id), None)
    box = next((b for b in boxes if b.id == box_id), None) if not second else None
    # The first paper entered closes the round's poll in the chain (polling.turnout.close_before_counting).
    poll_open = not second and not turnout.poll_closed(db, election, number)
    unmixed = box is not None and box.label not in mixing.mixed_boxes(db, election, number)
    return render_template(
        "counting/entry.html", election=election, ballot=ballot_of(db, election, number), boxes=boxes,
        box_id=box_id, counted=counted, form=form, second=second, unmixed=unmixed, box=box, rules=rulebook_of(election),
        poll_open=poll_open,
    )


@bp.route("/elections/<int:election_id>/counting/<int:number>/entry", methods=["GET", "POST"])
@roles("counter", "committee")
def entry(election: Election, number: int):
    return _entry(election, number, second=False)


@bp.route("/elections/<int:election_id>/counting/<int:number>/second", methods=["GET", "POST"])
@roles("counter", "committee")
def second(election: Election, number: int):
    return _entry(election, number, second=True)


@bp.route("/elections/<int:election_id>/counting/<int:number>/tally.json")
@roles(*WATCHERS)
def tally_json(election: Election, number: int):
    _round(election, number)
    live = live_state(get_db(), election, number)
    # Written once per ledger position; a browser that sends the ETag back gets 304, no body.
    response = Response(live.body, mimetype="application/json")
    response.set_etag(live.etag)
    response.cache_control.no_cache = True
    return response.make_conditional(request)


@bp.route("/elections/<int:election_id>/counting/<int:number>/running")
@roles(*WATCHERS)
def running(election: Election, number: int):
    _round(election, number)
    return render_template("counting/running.html", election=election, number=number, projector=False,
                           data=live_tally(get_db(), election, number))


@bp.route("/elections/<int:election_id>/counting/<int:number>/projector")
@roles(*WATCHERS)
def projector(election: Election, number: int):
    _round(election, number)
    return render_template("counting/projector.html", election=election, number=number, projector=True,
                           data=live_tally(get_db(), election, number))


@bp.route("/elections/<int:election_id>/counting/<int:number>/board", methods=["GET", "POST"])
@roles("committee", "scrutineer")
def board(election: Election, number: int):
    _round(election, number)
    db = get_db()
    form = FlaskForm()
    data = running_tally(db, election, number)
    if request.method == "POST" and form.validate_on_submit():
        try:
            totals: dict = {}
            against: dict = {}
            for post in data["posts"]:
                for row in post["rows"]:
                    approve = _board_number(post, row, "b", "赞成")
                    if approve is not None:
                        totals.setdefault(post["key"], {})[row["person"]] = approve
                    if row["write_in"]:
                        continue
                    oppose, abstain = _board_number(post, row, "o", "反对"), _board_number(post, row, "a", "弃权")
                    if (oppose is None) != (abstain is None):
                        raise UserError(f"{post['name']}“{row['name']}”：反对和弃权须同时填写（没有的填 0）")
                    if oppose is not None and abstain is not None:
                        against.setdefault(post["key"], {})[row["person"]] = [oppose, abstain]
            enter_board(db, election, number, totals, current_user.username, against)
            db.commit()
        except UserError as error:
            refuse(error)
        else:
            _scrub_pending(election, number)
            flash(_("计票板合计已录入。"), "info")
            return redirect(url_for("counting.overview", election_id=election.id))
    return render_template("counting/board.html", election=election, number=number, data=data, form=form)


def _board_number(post: dict, row: dict, prefix: str, column: str) -> int | None:
    """One cell of the board form: a non-negative whole number, or None when left empty."""
    raw = request.form.get(f"{prefix}-{post['key']}-{row['person']}", "").strip()
    if raw == "":
        return None
    if not raw.isdigit():
        raise UserError(f"{post['name']}“{row['name']}”的计票板{column}票数须为非负整数，收到“{raw}”")
    return int(raw)


def _post_action(election: Election, action: Callable[[Session], object], done: str) -> WerkzeugResponse:
    """A committee action on the counting overview: one service call, committed, ``done``
    flashed, or the refusal shown."""
    if FlaskForm().validate_on_submit():
        run(action, done)
    else:
        flash(_("请求无效（表单可能已过期，请刷新后重试）。"), "error")
    return redirect(url_for("counting.overview", election_id=election.id))


@bp.route("/elections/<int:election_id>/counting/<int:number>/board/explain", methods=["POST"])
@roles("committee")
def board_explain(election: Election, number: int):
    return _post_action(election, lambda db: explain_board(
        db, election, number, request.form.get("text", ""), current_user.username),
                        _("说明已记录。"))


@bp.route("/elections/<int:election_id>/counting/<int:number>/boxes/<int:box_id>/explain", methods=["POST"])
@roles("committee")
def box_explain(election: Election, number: int, box_id: int):
    return _post_action(election, lambda db: explain_box(
        db, election, number, box_id, request.form.get("text", ""), current_user.username),
                        _("说明已记录。"))


@bp.route("/elections/<int:election_id>/counting/<int:number>/mismatch/<d_hash>", methods=["POST"])
@roles("committee")
def mismatch_resolve(election: Election, number: int, d_hash: str):
    return _post_action(election, lambda db: resolve_mismatch(
        db, election, d_hash, request.form.get("keep", ""), current_user.username, request.form.get("text", "")),
                        _("已按核对结果更正。"))


@bp.route("/elections/<int:election_id>/counting/<int:number>/preview")
@roles("committee", "scrutineer")
def preview(election: Election, number: int):
    """The result as it would be published, computed from the records; nothing is written.
    The committee checks it against the tally board before pressing 公布."""
    db = get_db()
    _round(election, number)
    if published(db, election, number) is not None:
        return redirect(url_for("counting.overview", election_id=election.id))
    problems = blockers(db, election, number)
    try:
        data, names = preview_result(db, election, number)
    except UserError as error:
        refuse(error)
        return redirect(url_for("counting.overview", election_id=election.id))
    return render_template("counting/preview.html", election=election, number=number, data=data,
                           lines=summary.lines(election, data, names), next_step=summary.next_step(data),
                           blockers=problems)


@bp.route("/elections/<int:election_id>/final-list")
@roles("committee", "scrutineer", "street_admin", "auditor")
def final_list(election: Election):
    return render_template("counting/final_list.html", election=election, final=summary.final_list(get_db(), election))


@bp.route("/elections/<int:election_id>/final-list.pdf")
@roles("committee", "street_admin")
def final_list_pdf(election: Election):
    return _pdf(election, summary.final_list_pdf, "final-list.pdf")


@bp.route("/elections/<int:election_id>/counting/<int:number>/publish", methods=["POST"])
@roles("committee")
def publish(election: Election, number: int):
    answer = _post_action(election, lambda db: publish_result(db, election, number, current_user.username),
                          _("结果已公布。"))
    _scrub_pending(election, number)
    return answer


def _scrub_pending(election: Election, number: int) -> None:
    """After a committed count's first step (a paper, the board, the result), which closes
    the round's poll when the committee did not: what the committee's close does — the
    storage scrub (polling.scrub.scrub_if_pending) and the round's print PDFs nobody
    downloaded removed — so the count never starts on stored order or on T beside A."""
    if scrub_if_pending(get_db(), election, current_user.username) is not None:
        printing.discard_round_pdfs(current_app.instance_path, election.id, number)


@bp.route("/elections/<int:election_id>/counting/<int:number>/woman", methods=["POST"])
@roles("committee")
def woman_decision(election: Election, number: int):
    return _post_action(election, lambda db: decide_woman(
        db, election, number, request.form.get("decision", ""), current_user.username),
                        _("选举委员会的决定已记录，结果已按决定确定。"))


@bp.route("/elections/<int:election_id>/counting/<int:number>/file", methods=["POST"])
@roles("committee")
def file(election: Election, number: int):
    return _post_action(election, lambda db: reports.file_result(db, election, number, current_user.username),
                        _("结果报告单已报街道备案。"))


def _pdf(election: Election, make: Callable[[Session, Election], bytes], name: str) -> WerkzeugResponse:
    try:
        data = make(get_db(), election)
    except UserError as error:
        refuse(error)
        if current_user.role == "auditor":
            return redirect(url_for("counting.filings"))
        return redirect(url_for("counting.overview", election_id=election.id))
    return pdf_response(data, name)


@bp.route("/elections/<int:election_id>/counting/<int:number>/report.pdf")
@roles("committee", "counter", "scrutineer", "auditor", "street_admin")
def report(election: Election, number: int):
    return _pdf(election, lambda db, e: reports.report_pdf(db, e, number), f"result-report-{number}.pdf")


@bp.route("/elections/<int:election_id>/counting/<int:number>/notice.pdf")
@roles("committee", "scrutineer", "street_admin")
def notice(election: Election, number: int):
    return _pdf(election, lambda db, e: reports.notice_pdf(db, e, number), f"result-notice-{number}.pdf")


@bp.route("/elections/<int:election_id>/counting/<int:number>/tally-sheet.pdf")
@roles("committee", "counter", "scrutineer")
def tally_sheet(election: Election, number: int):
    """计票单: the hand tally form of the round, signed by 监票人, 计票人, 唱票人, 记票人."""
    return _pdf(election, lambda db, e: sheets.tally_sheet_pdf(db, e, number), f"tally-sheet-{number}.pdf")


@bp.route("/elections/<int:election_id>/counting/<int:number>/reconcile-sheet.pdf")
@roles("committee", "counter", "scrutineer")
def reconcile_sheet(election: Election, number: int):
    """选票清点表 with the recorded figures, to check against the paper and sign."""
    return _pdf(election, lambda db, e: sheets.reconcile_sheet_pdf(db, e, number), f"reconcile-sheet-{number}.pdf")


@bp.route("/elections/<int:election_id>/counting/certificates.pdf")
@roles("committee", "street_admin")
def certificates(election: Election):
    return _pdf(election, reports.certificates_pdf, "certificates.pdf")


@bp.route("/filings")
@roles("auditor")
def filings():

    db = get_db()
    rows = reports.filings_for(db, current_user.street_office or "")
    return render_template("counting/filings.html", rows=rows, form=FlaskForm())


@bp.route("/filings/<int:filing_id>/reject", methods=["POST"])
@roles("auditor")
def reject_filing(filing_id: int):
    form = FlaskForm()
    if form.validate_on_submit():
        db = get_db()
        try:
            reports.reject_filing(db, filing_id, current_user, request.form.get("reason", ""))
            db.commit()
        except UserError as error:
            refuse(error)
        else:
            flash(_("已驳回，选举委员会将看到驳回理由。"), "info")
    return redirect(url_for("counting.filings"))


@bp.route("/filings/<int:filing_id>/receive", methods=["POST"])
@roles("auditor")
def receive(filing_id: int):
    form = FlaskForm()
    if form.validate_on_submit():
        db = get_db()
        try:
            reports.receive_filing(db, filing_id, current_user)
            db.commit()
        except UserError as error:
            refuse(error)
        else:
            flash(_("已签收。"), "info")
    return redirect(url_for("counting.filings"))
