"""Residents' pages, no login: check a receipt code (typed or scanned, /r/<code>), the
published result with its signed root and the public bundle, and the complaint form.
The receipt page names no candidate and answers "not found" identically for a code
that was printed but not deposited and one never printed."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from .. import clock
from ..accounts.ratelimit import WINDOW_SECONDS, hit
from ..counting.summary import final_list
from ..counting.tables import bundle_round
from ..errors import UserError
from ..jobs import Running
from ..models import Election
from ..protocol.codes import CodeError
from ..publication import published as publication
from ..publication.bundle import EXPORT_STEPS
from ..publication.complaints import KINDS, answer_complaint, complaints_of, file_complaint
from ..publication.receipts import lookup_sealed
from ..rounds import current_round, rounds_of
from ..rules.phrase import phrase
from ..settings import post_specs_of
from . import parse
from .access import public, roles
from .choices import options
from .db import get_db
from .feedback import found_or_404, refuse, run
from .files import pdf_response
from .jobs import start as start_job

bp = Blueprint("public", __name__)


def _allowed(bucket: str) -> bool:
    """The receipt page's and complaint form's limit per client address, shared by every
    app process (accounts.ratelimit): RECEIPT_LOOKUP_BURST lookups plus RECEIPT_LOOKUP_RATE
    per second, counted per minute. Behind a reverse proxy the address is the resident's
    only when JUXUAN_TRUSTED_PROXIES says how many proxies to believe (docs/OPERATIONS.md)."""
    config = current_app.config
    limit = int(config.get("RECEIPT_LOOKUP_BURST", 10) + config.get("RECEIPT_LOOKUP_RATE", 0.2) * WINDOW_SECONDS)
    return hit(get_db(), bucket, request.remote_addr or "?", max(1, limit))


class ReceiptForm(FlaskForm):
    code = StringField(_l("回执码（选票存根上的 28 位编码）"), validators=[DataRequired(message=_l("请输入回执码"))])


class CardForm(FlaskForm):
    code = StringField(_l("选民证上的编码"), validators=[DataRequired(message=_l("请输入选民证上的编码")), Length(max=40)])


class ComplaintForm(FlaskForm):
    kind = SelectField(_l("申诉类型"), choices=options([("receipt", _l("查不到我的回执")), ("procedure", _l("选举程序问题"))]))
    text = TextAreaField(_l("申诉内容（请勿填写回执码）"), validators=[DataRequired(message=_l("请填写申诉内容")), Length(max=2000)])
    contact = StringField(_l("联系方式（可不填）"), validators=[Length(max=120)])


def _open_windows(db) -> list[tuple[Election, date]]:
    """Elections whose complaint window is open today, with the deadline (same list for
    every not-found code: it says nothing about the code)."""
    return publication.open_complaint_windows(db, clock.today())


def _answer(code_text: str):
    if not _allowed("receipt"):
        abort(429)
    db = get_db()
    try:
        answer = lookup_sealed(db, code_text, current_app.instance_path)
    except CodeError as error:
        # The reason in the page's language (codes.MESSAGES are in the catalogue).
        flash(_("回执码无法识别：%(why)s", why=_(error.template, **error.fields)), "error")
        return render_template("public/receipt.html", form=ReceiptForm(code=code_text), answer=None, windows=[])
    summary = (publication.published_summary(current_app.instance_path, answer.election, answer.round_number)
               if answer.found and answer.election is not None else None)
    return render_template("public/receipt.html", form=ReceiptForm(code=code_text), answer=answer,
                           summary=summary, windows=[] if answer.found else _open_windows(db))


@bp.route("/card", methods=["GET", "POST"])
@public
def card():
    """Was a paper issued against my name? Yes/no and the station, per round (rate-limited
    like the receipt page)."""
    from ..polling.issuance_check import issuance_by_card

    form = CardForm()
    seen = None
    if form.validate_on_submit():
        if not _allowed("card"):
            abort(429)
        seen = issuance_by_card(get_db(), form.code.data)
    return render_template("public/card.html", form=form, seen=seen)


@bp.route("/r", methods=["GET", "POST"])
@public
def receipt():
    form = ReceiptForm()
    if form.validate_on_submit():
        # Answered here, never redirected to /r/<code>: a typed code stays out of the
        # browser's history and of every proxy's access log (only a scanned QR puts it in a URL).
        return _answer(form.code.data.strip().replace(" ", ""))
    return render_template("public/receipt.html", form=form, answer=None, windows=[])


@bp.route("/r/<path:code>")
@bp.route("/R/<path:code>")  # an upper-case QR prefix keeps the QR in alphanumeric mode
@public
def receipt_code(code: str):
    return _answer(code)


def _election(election_id: int) -> Election:
    """A public page's election: any election's result is public; none answers 404."""
    return found_or_404(lambda: publication.public_election(get_db(), election_id))


def _bundle_round_shown(election: Election) -> tuple[int, list[int]]:
    """(round shown, rounds with a sealed public bundle): ?round=N, else the latest sealed."""
    rounds = publication.published_rounds(current_app.instance_path, election)
    number = request.args.get("round", type=int)
    return (number if number is not None else (rounds[-1] if rounds else 1)), rounds


@bp.route("/e/<int:election_id>/result")
@public
def result(election_id: int):
    db = get_db()
    election = _election(election_id)
    number, sealed = _bundle_round_shown(election)
    summary = publication.published_summary(current_app.instance_path, election, number)
    shown = publication.result_shown(db, election, number, summary)
    can_publish = current_user.is_authenticated and current_user.role in ("committee", "street_admin")
    post_names = {spec.key: spec.name_zh for spec in post_specs_of(election)}
    rounds = rounds_of(db, election)
    return render_template("public/result.html", election=election, summary=summary, names=shown.names, post_names=post_names,
                           elected=shown.elected, final=final_list(db, election),
                           number=number, sealed=[r for r in rounds if r.number in sealed],
                           rounds=rounds or [current_round(db, election)], default_round=bundle_round(db, election),
                           deadline=publication.complaint_deadline(db, election), can_publish=can_publish,
                           can_notice=current_user.is_authenticated and current_user.role in ("committee", "street_admin", "auditor"),
                           outcome=shown.outcome)


@bp.route("/e/<int:election_id>/bundle.zip")
@public
def bundle(election_id: int):
    election = _election(election_id)
    number, _sealed = _bundle_round_shown(election)
    path = publication.bundle_path(current_app.instance_path, election, number)
    if not path.exists():
        abort(404)
    return send_file(path, mimetype="application/zip", as_attachment=True,
                     download_name=f"juxuan-{election.uid}-round{number}-public.zip")


@bp.route("/e/<int:election_id>/publish", methods=["POST"])
@roles("committee", "street_admin")
def publish(election: Election):
    """Seal and publish a round's public bundle, as a job with a progress page."""
    number = request.form.get("round", type=int)
    data_key, actor, instance = current_app.config["DATA_KEY"], current_user.username, current_app.instance_path

    def work(db: Session, election: Election, running: Running) -> dict:
        out = publication.publish_bundle(db, election, data_key, actor, instance, number,
                                         progress=running.progress)
        return {"round": out.round_number}

    return redirect(start_job(election, "bundle_publish", phrase("签名发布公示包"), work, allowed=("committee", "street_admin"),
                              back=url_for("public.result", election_id=election.id, round=number),
                              back_label=phrase("返回选举结果页"), total=EXPORT_STEPS))


@bp.route("/e/<int:election_id>/head-notice", methods=["POST"])
@roles("committee", "street_admin", "auditor")
def head_notice(election: Election):
    """Today's signed chain-head notice as a PDF (made and recorded on the first print of the day)."""
    from ..publication.notices import printed_notice

    db = get_db()
    notice, data = printed_notice(db, election, current_app.config["DATA_KEY"], current_user.username)
    db.commit()
    return pdf_response(data, f"head-{election.id}-{notice.day.isoformat()}.pdf", attachment=True)


@bp.route("/e/<int:election_id>/complaint", methods=["GET", "POST"])
@public
def complaint(election_id: int):
    db = get_db()
    election = _election(election_id)
    form = ComplaintForm()
    deadline = publication.complaint_deadline(db, election)
    if form.validate_on_submit():
        if not _allowed("complaint"):
            abort(429)
        try:
            row = file_complaint(db, election, form.kind.data, form.text.data, form.contact.data, clock.today())
            db.commit()
        except UserError as error:
            refuse(error)
        else:
            flash(_("申诉已登记，编号 %(n)s。选举委员会将在事件记录中公开答复。", n=row.id), "info")
            return redirect(url_for("public.result", election_id=election.id))
    return render_template("public/complaint.html", election=election, form=form, deadline=deadline)


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("答复内容"), validators=[DataRequired(message=_l("请填写答复内容")), Length(max=4000)])


@bp.route("/e/<int:election_id>/complaints", methods=["GET", "POST"])
@roles("committee")
def complaints(election: Election):
    """The committee's list of complaints; each answer is recorded in the ledger."""
    db = get_db()
    form = AnswerForm()
    if form.validate_on_submit():
        if run(lambda db: answer_complaint(
                db, election, parse.integer(request.form.get("complaint"), "请选择要答复的申诉"),
                form.answer.data, current_user.username), _("答复已记入事件记录。")):
            return redirect(url_for("public.complaints", election_id=election.id))
    return render_template("public/complaints.html", election=election, rows=complaints_of(db, election), form=form,
                           kinds=KINDS, deadline=publication.complaint_deadline(db, election))
