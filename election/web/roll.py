"""Pages of the voter roll (选民登记): overview and search, import with dry run and error
table, template download, resident detail and status changes, applications, publication
and notice, objections, freezing, voter cards. Committee writes; the street office reads.
The import, the notice and the cards of the whole roll run as jobs with a progress page."""
from __future__ import annotations

import io
from dataclasses import asdict

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy.orm import Session
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired

from .. import clock
from ..clock import cn_date
from ..errors import NotFound, UserError
from ..jobs import JobFailed, Running
from ..ledger.events import events_of
from ..models import APPLICATION_KINDS, STATUSES, Election, Resident
from ..pii import PersonalData
from ..roll import electors
from ..roll.cards import (
    any_card_assigned,
    assign_cards,
    card_pdf,
    default_station,
    render_cards,
    search_voters,
    voter_number_text,
)
from ..roll.edit import edit_resident
from ..roll.files import template_xlsx
from ..roll.glyphs import describe, unprintable, unprintable_on_roll
from ..roll.groups import groups_of
from ..roll.importing import import_roll
from ..roll.lookup import resolve_resident
from ..roll.publication import (
    decide_objection,
    file_objection,
    freeze_roll,
    latest_publication_day,
    objection_deadline,
    objection_of,
    objections_of,
    publish_roll,
    render_roll_notice,
    roll_fingerprint,
)
from ..roll.register import (
    CHANGES,
    applications_for,
    applications_of,
    apply_for_registration,
    awaiting_registration,
    category_label,
    change_status,
    consent_decisions,
    consent_label,
    judge_resident,
    overview,
    resident_of,
)
from ..rules.phrase import phrase
from .access import roles
from .choices import options
from .db import get_db
from .feedback import form_errors, refuse
from .files import pdf_response
from .i18n import kept
from .jobs import start as start_job

bp = Blueprint("roll", __name__, url_prefix="/elections/<int:election_id>/roll")

READ = ("committee", "street_admin")
WRITE = ("committee",)


class ImportForm(FlaskForm):
    file = FileField(_l("名册文件（.xlsx 或 .csv）"), validators=[FileRequired(message=_l("请选择要上传的文件"))])
    dry_run = BooleanField(_l("只检查，不写入（预览）"), default=True)


class StatusForm(FlaskForm):
    status = SelectField(_l("新的登记状态"), choices=options(CHANGES))
    basis = StringField(_l("依据（剥夺政治权利、无民事行为能力时必填，如判决书文号）"))
    reason = TextAreaField(_l("变更理由"), validators=[DataRequired(message=_l("请填写变更理由"))])


class EditForm(FlaskForm):
    name = StringField(_l("姓名"), validators=[DataRequired(message=_l("请填写姓名"))])
    sex = SelectField(_l("性别"), choices=options([("男", _l("男")), ("女", _l("女"))]))
    group = StringField(_l("居民小组"), validators=[DataRequired(message=_l("请填写居民小组"))])
    reason = TextAreaField(_l("更正理由（记入事件记录）"), validators=[DataRequired(message=_l("请填写更正理由"))])


class ApplicationForm(FlaskForm):
    resident_id = SelectField(_l("申请人"), coerce=int)
    kind = SelectField(_l("申请类别"), choices=options(APPLICATION_KINDS))
    since = DateField(_l("居住（工作）起始日期"), validators=[DataRequired(message=_l("请填写起始日期（年-月-日）"))])
    declared_single = BooleanField(_l("申请人声明未在其他地方登记为选民"))
    recommendation = StringField(_l("推荐单位及推荐材料（社区工作者须经推荐的，必填）"))
    consent = SelectField(_l("同意登记的会议决定（非户籍常住居民须经会议同意的，必选）"), choices=[], validate_choice=False)
    note = TextAreaField(_l("备注（名单冻结后须填写决定）"))


class PublishForm(FlaskForm):
    published_on = DateField(_l("公布日期"), validators=[DataRequired(message=_l("请填写公布日期（年-月-日）"))])


class FreezeForm(FlaskForm):
    reason = TextAreaField(_l("冻结说明"))
    early = BooleanField(_l("申诉期尚未结束，确认现在冻结（请在上栏写明理由）"))


class ObjectionForm(FlaskForm):
    objector = StringField(_l("申诉人"), validators=[DataRequired(message=_l("请填写申诉人姓名"))])
    resident = StringField(_l("涉及的居民（选民编号或姓名，可不填）"))
    text = TextAreaField(_l("申诉内容"), validators=[DataRequired(message=_l("请填写申诉内容"))])
    filed_on = DateField(_l("申诉日期"), validators=[DataRequired(message=_l("请填写申诉日期（年-月-日）"))])


class DecisionForm(FlaskForm):
    upheld = SelectField(_l("处理结果"), choices=options([("yes", _l("申诉成立")), ("no", _l("申诉不成立"))]))
    new_status = SelectField(_l("同时变更该居民的登记状态"), choices=options([("", _l("不变更")), *CHANGES.items()]))
    decision = TextAreaField(_l("处理决定及理由"), validators=[DataRequired(message=_l("请填写处理决定及理由"))])
    decided_on = DateField(_l("决定日期"), validators=[DataRequired(message=_l("请填写决定日期（年-月-日）"))])


class HouseholdRepForm(FlaskForm):
    household = StringField(_l("户号"), validators=[DataRequired(message=_l("请填写户号"))])
    voter = StringField(_l("户代表（本户选民的姓名或选民编号）"), validators=[DataRequired(message=_l("请填写户代表"))])
    designation = TextAreaField(_l("书面推选情况（由谁签字推选、书面材料编号）"),
                                validators=[DataRequired(message=_l("请写明本户书面推选户代表的情况"))])


class CardsForm(FlaskForm):
    group = SelectField(_l("打印哪个居民小组"), choices=[], validate_choice=False)
    stations = TextAreaField(_l("投票站分配（每行：居民小组=投票站；未填写的印默认投票站）"))



def _resident(election, resident_id: int) -> Resident:
    try:
        return resident_of(get_db(), election, resident_id)
    except NotFound:
        abort(404)


@bp.route("/")
@roles(*READ)
def index(election: Election):
    db = get_db()
    q = request.args.get("q", "").strip()
    results = search_voters(db, election, q, pii=PersonalData(current_app.config["DATA_KEY"])) if q else []
    return render_template("roll/index.html", election=election, counts=overview(db, election), q=q,
                           unprintable=unprintable_on_roll(db, election), describe=describe,
                           results=results, statuses=STATUSES, number=voter_number_text)


@bp.route("/template.xlsx")
@roles(*READ)
def template(election: Election):
    return send_file(io.BytesIO(template_xlsx()), download_name="选民登记导入模板.xlsx", as_attachment=True,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/import", methods=["GET", "POST"])
@roles(*WRITE)
def import_page(election: Election):
    """Upload a roll file: the check and the import run as a job with a progress page."""
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        content, filename, dry_run = upload.read(), upload.filename or "", bool(form.dry_run.data)
        data_key, actor = current_app.config["DATA_KEY"], current_user.username

        def work(db: Session, election: Election, running: Running) -> dict:
            try:
                report = import_roll(db, election, data_key, content, filename, actor,
                                     dry_run=dry_run, progress=running.progress)
            except UserError as error:
                # Kept as phrases: the finished page says each in the language of whoever looks.
                raise JobFailed(error.messages,
                                {"errors": [{**asdict(e), "message": kept(e.message)} for e in error.rows]}) from None
            if report.dry_run:
                db.rollback()
            return {"report": {k: v for k, v in asdict(report).items() if k not in ("errors", "warnings")},
                    "warnings": [kept(w.message) for w in report.warnings]}

        return redirect(start_job(election, "roll_import", phrase("检查名册（预览）") if dry_run else phrase("导入名册"), work,
                                  allowed=WRITE, back=url_for("roll.index", election_id=election.id),
                                  back_label=phrase("返回选民名单")))
    return render_template("roll/import.html", election=election, form=form)


@bp.route("/residents/<int:resident_id>", methods=["GET", "POST"])
@roles(*READ)
def resident(election: Election, resident_id: int):
    person = _resident(election, resident_id)
    db = get_db()
    form = StatusForm()
    if form.validate_on_submit():
        if current_user.role not in WRITE:
            abort(403)
        try:
            change_status(db, election, person, form.status.data, form.reason.data, current_user.username,
                          form.basis.data or "")
            db.commit()
        except UserError as error:
            refuse(error)
        else:
            flash(_("登记状态已变更，并记入事件记录。"), "info")
            return redirect(url_for("roll.resident", election_id=election.id, resident_id=person.id))
    edit_form = EditForm(prefix="e", formdata=None, name=person.name, sex=person.sex, group=person.group_name)
    verdict = judge_resident(db, election, person)
    applications = applications_for(db, person)
    history = [e for e in events_of(db, election) if e.payload.get("resident") == person.id
               or [person.id, person.id_masked] in (e.payload.get("added") or [])]
    return render_template("roll/resident.html", election=election, person=person, form=form, edit_form=edit_form,
                           unprintable=unprintable([person]), describe=describe, verdict=verdict,
                           applications=applications, history=history, statuses=STATUSES,
                           category=category_label(person), number=voter_number_text(person))


@bp.route("/residents/<int:resident_id>/edit", methods=["POST"])
@roles(*WRITE)
def edit(election: Election, resident_id: int):
    """Correct name, sex or 居民小组 before the freeze (a recorded event)."""
    person = _resident(election, resident_id)
    db = get_db()
    form = EditForm(prefix="e")
    if not form.validate_on_submit():
        form_errors(form)
    else:
        try:
            changed = edit_resident(db, election, person, name=form.name.data, sex=form.sex.data,
                                    group=form.group.data, reason=form.reason.data, actor=current_user.username)
            db.commit()
        except UserError as error:
            refuse(error)
        else:
            if not changed:
                flash(_("没有改动。"), "info")
            elif election.roll_published_on is not None:
                flash(_("已更正：%(fields)s，并记入事件记录。名单已公布，请在“公布与冻结”页打印选民名单更正公告并张贴。",
                        fields="、".join(_(f) for f in changed)), "info")
            else:
                flash(_("已更正：%(fields)s，并记入事件记录。", fields="、".join(_(f) for f in changed)), "info")
    return redirect(url_for("roll.resident", election_id=election.id, resident_id=person.id))


@bp.route("/residents/<int:resident_id>/card.pdf")
@roles(*READ)
def one_card(election: Election, resident_id: int):
    """One voter's card (a lost or damaged card reprinted; the same card code)."""
    person = _resident(election, resident_id)
    try:
        data = card_pdf(get_db(), election, person.id)
    except UserError as error:  # no card yet, or a name the fonts cannot print (named)
        refuse(error)
        return redirect(url_for("roll.resident", election_id=election.id, resident_id=person.id))
    return pdf_response(data, f"选民证-{voter_number_text(person)}.pdf")


@bp.route("/applications", methods=["GET", "POST"])
@roles(*READ)
def applications(election: Election):
    db = get_db()
    candidates = awaiting_registration(db, election)
    form = ApplicationForm()
    form.consent.choices = options([("", "—")] + [(str(d.id), consent_label(d, m)) for d, m in consent_decisions(db, election)])
    form.resident_id.choices = options(
        (r.id, f"{r.name} · {r.id_masked} · {r.group_name} · {_(STATUSES[r.status])}") for r in candidates
    )
    if form.validate_on_submit():
        if current_user.role not in WRITE:
            abort(403)
        try:
            application = apply_for_registration(
                db, election, _resident(election, form.resident_id.data), form.kind.data, form.since.data,
                form.declared_single.data, current_user.username, form.note.data or "",
                form.recommendation.data or "",
                int(form.consent.data) if (form.consent.data or "").isdigit() else None)
            db.commit()
        except UserError as error:
            refuse(error)
        else:
            if application.result == "approved":
                flash(_("申请已记录，%(name)s已登记为选民。", name=application.resident.name), "info")
            else:
                flash(_("申请已记录，但不符合条件：%(r)s", r=application.reasons), "error")
            return redirect(url_for("roll.applications", election_id=election.id))
    return render_template("roll/applications.html", election=election, form=form,
                           records=applications_of(db, election))


@bp.route("/publication", methods=["GET", "POST"])
@roles(*READ)
def publication(election: Election):
    db = get_db()
    form = PublishForm()
    if request.method == "GET" and not form.published_on.data:
        form.published_on.data = min(clock.today(), latest_publication_day(election))
    if form.validate_on_submit():
        if current_user.role not in WRITE:
            abort(403)
        try:
            publish_roll(db, election, form.published_on.data, current_user.username)
            db.commit()
        except UserError as error:
            refuse(error)
        else:
            flash(_("选民名单公布日期已记录，规则随之冻结。"), "info")
            return redirect(url_for("roll.publication", election_id=election.id))
    in_window = election.roll_published_on is not None and clock.today() <= objection_deadline(election)
    return render_template("roll/publication.html", election=election, form=form, freeze=FreezeForm(prefix="f"),
                           notice_form=FlaskForm(prefix="n"), groups=groups_of(db, election), in_window=in_window,
                           latest=latest_publication_day(election), fingerprint=roll_fingerprint(db, election),
                           deadline=objection_deadline(election) if election.roll_published_on else None)


@bp.route("/freeze", methods=["POST"])
@roles(*WRITE)
def freeze(election: Election):
    form = FreezeForm(prefix="f")
    if form.validate_on_submit():
        db = get_db()
        if election.roll_published_on is not None and clock.today() <= objection_deadline(election) and not (form.early.data and (form.reason.data or "").strip()):
            flash(_("申诉期至 %(d)s 才结束，期内冻结后选民提出的申诉只能作为选举委员会的决定处理。确需现在冻结，请勾选确认并写明理由。",
                    d=cn_date(objection_deadline(election))), "error")
            return redirect(url_for("roll.publication", election_id=election.id))
        try:
            freeze_roll(db, election, current_user.username, form.reason.data or "")
            db.commit()
        except UserError as error:
            refuse(error)
        else:
            flash(_("选民名单已冻结；此后的变更须记录选举委员会的决定。"), "info")
    return redirect(url_for("roll.publication", election_id=election.id))


@bp.route("/notice", methods=["POST"])
@roles(*READ)
def notice(election: Election):
    """The 选民名单公告 (or 更正公告) PDF of the whole roll, rendered as a job."""
    if not FlaskForm(prefix="n").validate_on_submit():
        abort(400)
    amended = request.form.get("amended") == "1"
    group = request.form.get("group") or None  # one 居民小组's sheet for its own notice board

    def work(db: Session, election: Election, running: Running) -> dict:
        with open(running.part, "wb") as out:
            render_roll_notice(db, election, out, amended=amended, progress=running.progress,
                               group=group)
        return {}

    title = ("选民名单更正公告" if amended else "选民名单公告") + (f"（{group}）" if group else "")
    job_title = (phrase("生成选民名单更正公告") if amended else phrase("生成选民名单公告")) if not group else (
        phrase("生成选民名单更正公告（%(group)s）", group=group) if amended else phrase("生成选民名单公告（%(group)s）", group=group))
    return redirect(start_job(election, "roll_notice", job_title, work, allowed=READ, suffix=".pdf",
                              download_name=f"{title}.pdf", back=url_for("roll.publication", election_id=election.id),
                              back_label=phrase("返回公布与冻结")))


@bp.route("/objections", methods=["GET", "POST"])
@roles(*READ)
def objections(election: Election):
    db = get_db()
    form = ObjectionForm()
    if request.method == "GET":
        form.filed_on.data = clock.today()
    if form.validate_on_submit():
        if current_user.role not in WRITE:
            abort(403)
        try:
            # Chosen the way every page chooses a person: voter number or name, never the
            # register's internal id.
            about = resolve_resident(db, election, form.resident.data, "涉及的居民") \
                if (form.resident.data or "").strip() else None
            file_objection(db, election, form.objector.data, form.text.data, form.filed_on.data,
                           current_user.username, about.id if about is not None else None)
            db.commit()
        except UserError as error:
            refuse(error)
        else:
            flash(_("申诉已登记。"), "info")
            return redirect(url_for("roll.objections", election_id=election.id))
    records = objections_of(db, election)
    decisions = {o.id: DecisionForm(prefix=f"d{o.id}", formdata=None, decided_on=clock.today())
                 for o in records if o.status == "open"}
    return render_template("roll/objections.html", election=election, form=form, records=records,
                           decisions=decisions, deadline=objection_deadline(election) if election.roll_published_on else None)


@bp.route("/objections/<int:objection_id>/decide", methods=["POST"])
@roles(*WRITE)
def decide(election: Election, objection_id: int):
    db = get_db()
    try:
        objection = objection_of(db, election, objection_id)
    except NotFound:
        abort(404)
    form = DecisionForm(prefix=f"d{objection.id}")
    if form.validate_on_submit():
        try:
            decide_objection(db, election, objection, form.upheld.data == "yes", form.decision.data,
                             form.decided_on.data, current_user.username, form.new_status.data or "")
            db.commit()
        except UserError as error:
            refuse(error)
        else:
            flash(_("处理决定已记录。可打印更正公告。"), "info")
    else:
        form_errors(form)
    return redirect(url_for("roll.objections", election_id=election.id))


@bp.route("/cards", methods=["GET", "POST"])
@roles(*READ)
def cards(election: Election):
    db = get_db()
    form = CardsForm()
    form.group.choices = options([("", _("全部居民小组")), *((g, g) for g in groups_of(db, election))])
    if form.validate_on_submit():
        only_group = form.group.data or None
        stations = {}
        for n, line in enumerate((form.stations.data or "").splitlines(), start=1):
            if line.strip():
                group, sep, station = line.partition("=")
                if not sep or not group.strip() or not station.strip():
                    flash(_("投票站分配第%(n)s行应为“居民小组=投票站”。", n=n), "error")
                    return render_template("roll/cards.html", election=election, form=form,
                                           counts=overview(db, election), assign=FlaskForm(prefix="a"),
                                           fallback=default_station(db, election))
                stations[group.strip()] = station.strip()

        def work(db: Session, election: Election, running: Running) -> dict:
            # A name the fonts cannot print is refused by name (UserError), a station name
            # by MissingGlyphError: the job shows either as its failure.
            with open(running.part, "wb") as out:
                render_cards(db, election, out, stations, group=only_group,
                             progress=running.progress)
            return {}

        cards_title = phrase("打印选民证（%(group)s）", group=only_group) if only_group else phrase("打印选民证")
        return redirect(start_job(election, "voter_cards", cards_title, work,
                                  allowed=READ, suffix=".pdf", download_name=f"选民证{only_group or ''}.pdf", back=url_for("roll.cards", election_id=election.id),
                                  back_label=phrase("返回选民证")))
    numbered = any_card_assigned(db, election)
    return render_template("roll/cards.html", election=election, form=form, counts=overview(db, election),
                           assign=FlaskForm(prefix="a"), numbered=numbered, fallback=default_station(db, election))


@bp.route("/cards/assign", methods=["POST"])
@roles(*WRITE)
def assign(election: Election):
    if FlaskForm(prefix="a").validate_on_submit():
        db = get_db()
        n = assign_cards(db, election, current_user.username)
        db.commit()
        if n:
            flash(_("已为 %(n)s 名选民分配选民编号和选民证码。", n=n), "info")
        else:  # pressed again (or after the demo): nobody was waiting for a number
            flash(_("每名选民都已有选民编号和选民证码，没有需要分配的。"), "info")
    return redirect(url_for("roll.cards", election_id=election.id))


@bp.route("/household-reps", methods=["GET", "POST"])
@roles(*READ)
def household_reps(election: Election):
    """户代表选举: each household's designated representative, with its written designation;
    the electors of the election are these representatives (roll.electors)."""
    db = get_db()
    form = HouseholdRepForm()
    if form.validate_on_submit():
        if current_user.role not in WRITE:
            abort(403)
        try:
            electors.designate(db, election, form.household.data, form.voter.data, form.designation.data,
                               current_user.username)
            db.commit()
        except UserError as error:
            db.rollback()
            refuse(error)
        else:
            flash(_("已记录户号 %(h)s 的户代表。", h=form.household.data.strip()), "info")
            return redirect(url_for("roll.household_reps", election_id=election.id))
    else:
        form_errors(form)
    return render_template("roll/household_reps.html", election=election, form=form,
                           rows=electors.household_reps(db, election), electors=electors.electors_count(db, election))
