"""The street office's auditor pages: the risk-limiting audit (the seed from the auditor's
secret committed before the seal and public dice rolled after it before witnesses, then the
reveal; the draws, blind entry of each drawn paper, conclusion), the countersignature (备案)
and the auditor bundle download."""
from __future__ import annotations

import json
from collections.abc import Callable

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired

from ..audit import service
from ..counting import scan_batches
from ..counting.service import ballot_of
from ..counting.tables import bundle_round
from ..errors import UserError
from ..jobs import Running
from ..models import Election
from ..publication.bundle import EXPORT_STEPS, export_bundle
from ..publication.countersign import (
    MAX_COUNTERSIGNATURE,
    MAX_OFFICE_KEY,
    auditor_bundle_path,
    office_key_of,
    register_office_key,
    seal_for_countersign,
    upload_countersignature,
)
from ..rounds import rounds_of
from ..rules.phrase import phrase
from . import parse
from .access import roles
from .db import get_db
from .feedback import found_or_404, refuse, run, submit
from .jobs import start as start_job

bp = Blueprint("audit", __name__, url_prefix="/audit")


class CommitForm(FlaskForm):
    commitment = StringField(_l("种子承诺（秘密数字的 SHA-256，64 位十六进制）"),
                             validators=[DataRequired(message=_l("请填写种子承诺"))])


class DiceForm(FlaskForm):
    dice = StringField(_l("掷骰结果（公开掷骰得到的数字，至少 20 位）"), validators=[DataRequired(message=_l("请填写掷骰结果"))])
    witnesses = TextAreaField(_l("见证人姓名（至少 2 位，每行一位）"), validators=[DataRequired(message=_l("请填写见证人姓名"))])


class StartForm(FlaskForm):
    reveal = StringField(_l("审计员的秘密数字（封存前已提交其承诺）"), validators=[DataRequired(message=_l("请填写审计员的秘密数字"))])
    risk_limit = StringField(_l("风险上限（如 1/20）"))


class DrawForm(FlaskForm):
    scanned = StringField(_l("扫描选票背面的审计二维码"), validators=[DataRequired(message=_l("请扫描审计二维码，或勾选“此位置没有选票”"))])



def _round(election) -> int:
    """The round the auditor works on: ?round=N, else the last published round."""
    return found_or_404(lambda: bundle_round(get_db(), election, request.args.get("round", type=int)))


@bp.route("/e/<int:election_id>", methods=["GET", "POST"])
@roles("auditor")
def overview(election: Election):
    db = get_db()
    number = _round(election)
    form = StartForm()
    if form.validate_on_submit() and run(lambda db: service.start_audit(
            db, election, form.reveal.data, current_user.username,
            parse.fraction(form.risk_limit.data, f"风险上限“{form.risk_limit.data}”无效，应为 0 与 1 之间的分数，如 1/20"),
            round_number=number), _("审计已开始，请按清单抽取选票。")):
        return redirect(url_for("audit.overview", election_id=election.id, round=number))
    audit = service.current_audit(db, election, number)
    draws = service.draws_of(db, audit) if audit else []
    evaluation = None
    if audit is not None and audit.status not in ("open",) and any(d.d_hash for d in draws):
        try:
            evaluation = service.evaluate(db, election, audit)
        except UserError:
            evaluation = None
    sample = service.sample_status(db, election, audit) if audit is not None else None
    return render_template("audit/overview.html", election=election, form=form, audit=audit, draws=draws, sample=sample,
                           commit_form=CommitForm(formdata=None), dice_form=DiceForm(formdata=None),
                           steps=service.seed_steps(db, election, number),
                           seed_parts=service.seed_parts(db, election, audit) if audit is not None else None,
                           number=number, rounds=rounds_of(db, election), evaluation=evaluation,
                           manifest=service.manifest_of(db, election, number),
                           sealed=service.usable_seal(db, election, number) is not None,
                           records_per_box=service.box_paper_counts(db, election, number),
                           poured=service.poured_boxes(db, election, number),
                           status_zh=service.STATUS_ZH, retrieval=service.RETRIEVAL,
                           has_bundle=auditor_bundle_path(current_app.instance_path, election, number).exists(),
                           office_key=_registered(db, election),
                           scanned=scan_batches.scanned_papers(db, election, [d.d_hash for d in draws if d.d_hash]))


def _registered(db: Session, election: Election) -> str:
    try:
        return office_key_of(db, election.community.street_office).fingerprint
    except UserError:
        return ""


@bp.route("/e/<int:election_id>/manifest", methods=["POST"])
@roles("auditor")
def manifest(election: Election):
    """The scrutineers' count of papers per box, entered before the audit."""
    number = _round(election)
    counts = {k[4:]: v for k, v in request.form.items() if k.startswith("box-")}
    run(lambda db: service.enter_manifest(db, election, counts, current_user.username, round_number=number),
        _("票箱清单已录入。"))
    return redirect(url_for("audit.overview", election_id=election.id, round=number))


@bp.route("/e/<int:election_id>/commit", methods=["POST"])
@roles("auditor")
def commit(election: Election):
    """The auditor's commitment to a secret (its SHA-256, computed on the auditor's own computer),
    before the seal."""
    number = _round(election)
    form = CommitForm()
    submit(form, lambda db: service.commit_seed(db, election, form.commitment.data, current_user.username, round_number=number),
           _("审计员的种子承诺已记入事件链。请保管好秘密数字，掷骰之后再输入。"))
    return redirect(url_for("audit.overview", election_id=election.id, round=number))


@bp.route("/e/<int:election_id>/dice", methods=["POST"])
@roles("auditor")
def dice(election: Election):
    """The public dice, rolled after the seal in front of the committee and the witnesses."""
    number = _round(election)
    form = DiceForm()
    submit(form, lambda db: service.record_dice(db, election, form.dice.data, form.witnesses.data, current_user.username,
                                                round_number=number),
           _("掷骰结果与见证人已记入事件链。现在请审计员输入秘密数字，开始审计。"))
    return redirect(url_for("audit.overview", election_id=election.id, round=number))


@bp.route("/e/<int:election_id>/seal", methods=["POST"])
@roles("auditor")
def seal(election: Election):
    """Commit the records and the manifest under a signed head, before the dice are rolled."""
    number = _round(election)
    run(lambda db: service.seal(db, election, current_app.config["DATA_KEY"], current_user.username, round_number=number),
        _("计票记录与票箱清单已封存，现在可以在见证人面前公开掷骰并录入点数。"))
    return redirect(url_for("audit.overview", election_id=election.id, round=number))


@bp.route("/e/<int:election_id>/draw/<int:index>", methods=["GET", "POST"])
@roles("auditor")
def draw(election: Election, index: int):
    db = get_db()
    number = _round(election)
    audit = service.current_audit(db, election, number)
    if audit is None:
        return redirect(url_for("audit.overview", election_id=election.id, round=number))
    row = next((d for d in service.draws_of(db, audit) if d.index == index), None)
    if row is None:
        flash(_("第 %(i)s 次抽取不存在", i=index), "error")
        return redirect(url_for("audit.overview", election_id=election.id, round=number))
    if request.method == "POST":
        form = DrawForm()
        missing = request.form.get("missing") in ("on", "1")
        if missing or form.validate_on_submit():
            try:
                entry = service.paper_from_form(db, election, audit.round_number, request.form)
                service.record_draw(db, election, audit, index, form.scanned.data or "", entry, current_user.username)
                db.commit()
            except UserError as error:
                db.rollback()
                refuse(error)
            else:
                nxt = next((d.index for d in service.draws_of(db, audit) if d.d_hash is None), None)
                flash(_("已录入第 %(i)s 次抽取。", i=index), "info")
                if nxt is not None:
                    return redirect(url_for("audit.draw", election_id=election.id, index=nxt, round=number))
                return redirect(url_for("audit.overview", election_id=election.id, round=number))
    else:
        form = DrawForm()
    return render_template("audit/draw.html", election=election, audit=audit, draw=row, form=form,
                           ballot=ballot_of(db, election, audit.round_number), number=number)


def _drawn(election: Election, index: int):
    """The entered draw ``index`` of the round's audit and the kept image of its paper (404 without)."""
    db = get_db()
    number = _round(election)
    audit = service.current_audit(db, election, number)
    row = next((d for d in service.draws_of(db, audit) if d.index == index), None) if audit else None
    image = scan_batches.kept_image(db, election, row.d_hash) if row is not None and row.d_hash else None
    if row is None or image is None:
        abort(404)
    return number, row, image


@bp.route("/e/<int:election_id>/draw/<int:index>/scan")
@roles("auditor")
def draw_scan(election: Election, index: int):
    """The kept scan of a drawn paper beside the auditor's reading of the paper in hand: the
    image the count was read from must show the same paper."""
    number, row, _image = _drawn(election, index)
    db = get_db()
    posts = (row.paper or {}).get("posts", {})
    return render_template("audit/draw_scan.html", election=election, draw=row, number=number, posts=posts,
                           ballot=ballot_of(db, election, number), names=scan_batches.names_of(db, [posts]))


@bp.route("/e/<int:election_id>/draw/<int:index>/scan.jpg")
@roles("auditor")
def draw_scan_image(election: Election, index: int):
    _number, _row, image = _drawn(election, index)
    response = Response(image, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "no-store, private"
    return response


@bp.route("/e/<int:election_id>/sample.json")
@roles("auditor")
def sample_ciphertexts(election: Election):
    """The drawn papers' ciphertexts for the trustees to decrypt with their own tool."""
    db = get_db()
    number = _round(election)
    try:
        audit = service.open_audit(db, election, number)
        body = service.sample_for_trustees(db, election, audit)
    except UserError as error:
        refuse(error)
        return redirect(url_for("audit.overview", election_id=election.id, round=number))
    data = json.dumps(body, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
    return Response(data, mimetype="application/json", headers={
        "Content-Disposition": f"attachment; filename={election.uid}-round{number}-audit{audit.id}-sample.json"})


@bp.route("/e/<int:election_id>/sample", methods=["POST"])
@roles("auditor")
def sample_partials(election: Election):
    """A trustee's partial decryptions of the drawn papers (the trustee tool's file)."""
    number = _round(election)

    def act(db: Session) -> None:
        text = parse.upload(request.files.get("partials"), service.MAX_UPLOAD, "请选择受托人工具生成的部分解密文件")
        service.add_sample_partials(db, election, service.open_audit(db, election, number), text, current_user.username)

    run(act, _("已收到受托人对抽中选票的部分解密"))
    return redirect(url_for("audit.overview", election_id=election.id, round=number))


@bp.route("/e/<int:election_id>/conclude", methods=["POST"])
@roles("auditor")
def conclude(election: Election):
    number = _round(election)
    made: list = []
    if run(lambda db: made.append(service.conclude(db, election, service.open_audit(db, election, number),
                                                   current_user.username))):
        flash(made[0].message, "info" if made[0].status == "confirmed" else "error")
    return redirect(url_for("audit.overview", election_id=election.id, round=number))


@bp.route("/e/<int:election_id>/office-key", methods=["POST"])
@roles("auditor")
def office_key(election: Election):
    """Register the public key the street office made on its own computer."""
    number = _round(election)
    made: list = []

    def act(db: Session) -> None:
        # The file, or its text pasted as public_pem (a script posting the key).
        pem = parse.upload_or_pasted(request.files.get("public_key"), request.form.get("public_pem"), MAX_OFFICE_KEY,
                                     "请选择 juxuan office keygen 生成的街道办事处公钥文件（office-key.pub.pem）")
        made.append(register_office_key(db, election.community.street_office, pem, current_user.username))

    run(act, lambda: _("已登记街道办事处公钥，指纹 %(fp)s", fp=made[0].fingerprint))
    return redirect(url_for("audit.overview", election_id=election.id, round=number))


# What a sealing job runs: (session, election, data key, actor, instance folder, round, progress).
Sealer = Callable[[Session, Election, str, str, str, int, Callable[[int, int], None]], object]


def _sealing_job(election: Election, kind: str, title: str, seal: Sealer):
    """Seal an auditor bundle of the round shown as a job with a progress page. The job runs
    after the request's session: everything from the app is read before it starts."""
    number = _round(election)
    data_key, actor, instance = current_app.config["DATA_KEY"], current_user.username, current_app.instance_path

    def work(db: Session, election: Election, running: Running) -> dict:
        seal(db, election, data_key, actor, instance, number, running.progress)
        return {"round": number}

    return redirect(start_job(election, kind, title, work, allowed=("auditor",),
                              back=url_for("audit.overview", election_id=election.id, round=number),
                              back_label=phrase("返回审计页面"), total=EXPORT_STEPS))


@bp.route("/e/<int:election_id>/countersign", methods=["POST"])
@roles("auditor")
def sign(election: Election):
    """Seal the auditor bundle the office will check and countersign on its own computer, as a job."""
    return _sealing_job(election, "bundle_countersign", phrase("封存待会签公示包"),
                        lambda db, e, key, actor, instance, number, progress: seal_for_countersign(
                            db, e, key, actor, instance, round_number=number, progress=progress))


@bp.route("/e/<int:election_id>/countersign/upload", methods=["POST"])
@roles("auditor")
def upload(election: Election):
    """Attach the signature file the office made with `juxuan office countersign`."""
    number = _round(election)
    instance = current_app.instance_path

    def act(db: Session) -> None:
        signature = parse.upload(request.files.get("signature"), MAX_COUNTERSIGNATURE,
                                 "请选择 juxuan office countersign 生成的会签文件（.countersign.json）")
        upload_countersignature(db, election, signature, current_user.username, instance, round_number=number)

    run(act, _("已会签备案：会签已附入审计公示包和公开公示包"))
    return redirect(url_for("audit.overview", election_id=election.id, round=number))


def _export(db: Session, election: Election, data_key: str, actor: str, instance: str, number: int,
            progress: Callable[[int, int], None]) -> None:
    out = export_bundle(db, election, data_key, actor, auditor=True, round_number=number, progress=progress,
                        instance=instance)
    path = auditor_bundle_path(instance, election, number)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.data)


@bp.route("/e/<int:election_id>/export", methods=["POST"])
@roles("auditor")
def export(election: Election):
    """Seal a fresh auditor bundle (records, audit) without countersigning it, as a job."""
    return _sealing_job(election, "bundle_export", phrase("导出审计公示包"), _export)


@bp.route("/e/<int:election_id>/bundle.zip")
@roles("auditor")
def bundle(election: Election):
    number = _round(election)
    path = auditor_bundle_path(current_app.instance_path, election, number)
    if not path.exists():
        flash(_("请先会签备案，生成审计公示包。"), "error")
        return redirect(url_for("audit.overview", election_id=election.id, round=number))
    return send_file(path, mimetype="application/zip", as_attachment=True,
                     download_name=f"juxuan-{election.uid}-round{number}-auditor.zip")
