"""The committee's page for the public recount: the trustees' key ceremony (the committee
relays the files each trustee makes on their own device with ``python -m tools.trustee``),
the encryption of a counted round and the trustees' partial decryptions. Every file is
checked by the trustees service; nothing here holds or sees a key share."""
from __future__ import annotations

import json

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response
from wtforms import HiddenField, IntegerField, TextAreaField
from wtforms.validators import DataRequired, NumberRange

from ..counting.tables import result_rounds
from ..errors import UserError
from ..jobs import Running
from ..models import Election
from ..trustees import service
from . import parse
from .access import roles
from .db import get_db
from .feedback import form_errors, refuse
from .jobs import start as start_job

bp = Blueprint("trustees", __name__)


class StartForm(FlaskForm):
    names = TextAreaField(_l("受托人（每行一位：姓名或身份）"), default="\n".join(service.DEFAULT_TRUSTEES),
                          validators=[DataRequired(message=_l("请填写受托人"))])
    quorum = IntegerField(_l("解密所需人数（门限）"), default=2,
                          validators=[NumberRange(min=1, max=9, message=_l("门限须为 1 到 9"))])


class UploadForm(FlaskForm):
    file = FileField(_l("受托人工具生成的文件"), validators=[FileRequired(message=_l("请选择要上传的文件"))])
    round = HiddenField()




@bp.route("/e/<int:election_id>/trustees", methods=["GET"])
@roles("committee")
def page(election: Election) -> str:
    db = get_db()
    state = service.ceremony_of(db, election)
    rounds = [{"number": n, "encrypted": n in state.encrypted, "partials": sorted(state.partials.get(n, {})),
               "ready": len(state.partials.get(n, {})) >= state.quorum > 0}
              for n in result_rounds(db, election)]
    return render_template("trustees/page.html", election=election, state=state, rounds=rounds,
                           start_form=StartForm(), upload_form=UploadForm())


@bp.route("/e/<int:election_id>/trustees/start", methods=["POST"])
@roles("committee")
def start(election: Election) -> Response:
    db = get_db()
    form = StartForm()
    if not form.validate_on_submit():
        form_errors(form)
    else:
        try:
            service.issue(db, election, (form.names.data or "").splitlines(), int(form.quorum.data or 0),
                          current_user.username)
            db.commit()
            flash(_("受托人仪式已开始：请把仪式文件交给每位受托人"), "ok")
        except UserError as error:
            refuse(error)
    return redirect(url_for("trustees.page", election_id=election.id))


def _kind(doc: object) -> str:
    if isinstance(doc, dict):
        if "commitments" in doc:
            return "public"
        if "from" in doc and "to" in doc:
            return "shares"
        if "verification_key" in doc:
            return "ready"
        if "partials" in doc:
            return "partials"
    return ""


@bp.route("/e/<int:election_id>/trustees/upload", methods=["POST"])
@roles("committee")
def upload(election: Election) -> Response:
    db = get_db()
    form = UploadForm()
    if not form.validate_on_submit():
        form_errors(form)
        return redirect(url_for("trustees.page", election_id=election.id))
    text = form.file.data.read(service.MAX_UPLOAD + 1)
    try:
        kind = _kind(parse.json_document(text))  # "" when not JSON: the service says so
        actor = current_user.username
        if kind == "public":
            index = service.add_public(db, election, text, actor)
        elif kind == "shares":
            index = service.add_shares(db, election, text, actor)
        elif kind == "ready":
            index = service.add_ready(db, election, text, actor)
        elif kind == "partials":
            if not (form.round.data or "").isdigit():
                raise UserError("部分解密文件请在对应轮次下上传")
            index = service.add_partials(db, election, int(form.round.data), text, current_app.instance_path, actor)
        else:
            raise UserError("这不是受托人工具生成的文件（公开部分、份额、确认或部分解密）")
        db.commit()
        flash(_("已收到第 %(i)s 位受托人的文件", i=index), "ok")
    except UserError as error:
        refuse(error)
    return redirect(url_for("trustees.page", election_id=election.id))


def _json_download(body: object, name: str) -> Response:
    data = json.dumps(body, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
    return current_app.response_class(data, mimetype="application/json",
                    headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.route("/e/<int:election_id>/trustees/<any(ceremony,publics,shares):what>.json")
@roles("committee")
def download(election: Election, what: str) -> Response:
    docs = service.documents(get_db(), election)
    return _json_download(docs[what], f"{election.uid}-{what}.json")


@bp.route("/e/<int:election_id>/trustees/round/<int:number>/encrypt", methods=["POST"])
@roles("committee")
def encrypt(election: Election, number: int) -> Response:
    instance, actor = current_app.instance_path, current_user.username

    def work(db: Session, election: Election, running: Running) -> dict[str, int]:
        done = service.encrypt_round(db, election, number, instance, actor, running.progress)
        return {"papers": done}

    return redirect(start_job(election, "recount_encrypt", _("加密第 %(n)s 轮计票记录", n=number), work,
                              allowed=("committee",), back=url_for("trustees.page", election_id=election.id),
                              back_label=_("返回公开重计")))


@bp.route("/e/<int:election_id>/trustees/round/<int:number>/totals.json")
@roles("committee")
def totals(election: Election, number: int) -> Response:
    try:
        body = service.totals_for_trustees(current_app.instance_path, election, number)
    except UserError as error:
        refuse(error)
        return redirect(url_for("trustees.page", election_id=election.id))
    return _json_download(body, f"{election.uid}-round{number}-totals.json")
