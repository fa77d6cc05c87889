"""Pages of the nomination capability: nominees per post, adding a nomination, the street's
confirmation of the 监督委员会 chair, primaries, relatives, the differential check and
the publication of the formal candidate list (with its PDF notice)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired

from .. import clock
from ..errors import UserError
from ..meetings import service as meetings
from ..models import CANDIDATE_STATUSES, CHANNELS, RELATIONS, Election
from ..nomination import round_candidates, service
from ..settings import posts_of, rulebook_of
from .access import roles
from .choices import options
from .db import get_db
from .feedback import form_errors, refuse, submit
from .files import pdf_response

bp = Blueprint("nomination", __name__)


class NominationForm(FlaskForm):
    post = SelectField(_l("职位"))
    nominee = StringField(_l("被提名人（选民编号或姓名）"), validators=[DataRequired(message=_l("请填写被提名人"))])
    channel = SelectField(_l("提名方式"), choices=options(CHANNELS))
    evidence = TextAreaField(_l("提名依据（文字说明或文件编号）"))
    decision = SelectField(_l("会议决定（居民会议或居民代表会议提名时必选）"), choices=[], validate_choice=False)
    signers = TextAreaField(_l("联名人（每行一个选民编号或姓名，仅联名推荐）"))
    education = StringField(_l("文化程度"))
    current_job = StringField(_l("现任职务"))
    biography = TextAreaField(_l("简历"))


class ConfirmForm(FlaskForm):
    body = SelectField(_l("审核确认机关"), choices=options([(b, b) for b in service.CONFIRMING_BODIES]))
    note = StringField(_l("审核确认依据（文件编号）"))


class RelationForm(FlaskForm):
    resident = StringField(_l("居民（选民编号或姓名）"), validators=[DataRequired(message=_l("请填写居民"))])
    relative = StringField(_l("亲属（选民编号或姓名）"), validators=[DataRequired(message=_l("请填写亲属"))])
    kind = SelectField(_l("亲属关系"), choices=options(RELATIONS))


class PublishForm(FlaskForm):
    published_on = DateField(_l("公布日期"), validators=[DataRequired(message=_l("请填写公布日期（年-月-日）"))])


class WithdrawForm(FlaskForm):
    letter = StringField(_l("书面申请（说明或文件编号）"))
    on_date = DateField(_l("退出日期"), validators=[DataRequired(message=_l("请填写退出日期"))])



@bp.route("/elections/<int:election_id>/nomination")
@roles("committee", "street_admin")
def index(election: Election):
    db = get_db()
    candidates = service.candidates_of(db, election, statuses=tuple(CANDIDATE_STATUSES))
    by_post = {p.key: [c for c in candidates if c.post == p.key] for p in posts_of(election)}
    return render_template(
        "nomination/index.html", election=election, posts=posts_of(election), by_post=by_post,
        nominations=service.nominations_by_candidate(db, election), votes=service.primary_votes(db, election),
        check=service.check_list(db, election), statuses=CANDIDATE_STATUSES,
        published=service.latest_publication(db, election),
    )


@bp.route("/elections/<int:election_id>/nomination/new", methods=["GET", "POST"])
@roles("committee")
def new(election: Election):
    form = NominationForm()
    form.post.choices = options([(p.key, p.name_zh) for p in posts_of(election)])
    form.decision.choices = options([("", "—")] + [(str(d.id), meetings.decision_label(d, m))
                                                   for d, m in meetings.adopted(get_db(), election)])
    if form.validate_on_submit():
        db = get_db()
        cited = int(form.decision.data) if (form.decision.data or "").isdigit() else None
        try:
            result = service.nominate(
                db, election, current_user.username, form.post.data, form.nominee.data, form.channel.data,
                form.evidence.data or "", (form.signers.data or "").splitlines(), form.education.data or "",
                form.current_job.data or "", form.biography.data or "", meeting_decision_id=cited,
            )
            db.commit()
        except UserError as error:
            refuse(error)
        else:
            flash(_("已登记提名：%(name)s", name=result.candidate.resident.name), "info")
            for note in result.notes:
                flash(note, "info")
            return redirect(url_for("nomination.index", election_id=election.id))
    return render_template("nomination/new.html", election=election, form=form)


@bp.route("/elections/<int:election_id>/nomination/confirm")
@roles("committee", "street_admin")
def confirm(election: Election):
    db = get_db()
    chairs = service.candidates_of(db, election, "jdw_zhuren")
    # Where the rulebook asks for it, the community Party organisation confirms the
    # 监督委员会's other nominees too (jdw_members_party_confirmed); the committee records it.
    members = ([c for key in service.MEMBER_POSTS for c in service.candidates_of(db, election, key)]
               if rulebook_of(election).jdw_members_party_confirmed else [])
    return render_template(
        "nomination/confirm.html", election=election, chairs=chairs, form=ConfirmForm(), members=members,
        nominations=service.nominations_by_candidate(db, election),
        post_names={p.key: p.name_zh for p in posts_of(election)},
    )


@bp.route("/elections/<int:election_id>/nomination/confirm/<int:candidate_id>", methods=["POST"])
@roles("street_admin")
def confirm_post(election: Election, candidate_id: int):
    form = ConfirmForm()
    submit(form, lambda db: service.confirm_chair(
        db, election, current_user.username, candidate_id, form.body.data, form.note.data or ""),
        _("已审核确认。"))
    return redirect(url_for("nomination.confirm", election_id=election.id))


@bp.route("/elections/<int:election_id>/nomination/confirm/<int:candidate_id>/reject", methods=["POST"])
@roles("street_admin")
def reject_post(election: Election, candidate_id: int):
    form = FlaskForm()
    submit(form, lambda db: service.reject_chair(
        db, election, current_user.username, candidate_id, request.form.get("body", ""), request.form.get("reason", "")),
        _("已驳回，驳回理由已记入选举事件记录。"))
    return redirect(url_for("nomination.confirm", election_id=election.id))


@bp.route("/elections/<int:election_id>/nomination/confirm-member/<int:candidate_id>/reject", methods=["POST"])
@roles("committee")
def reject_member_post(election: Election, candidate_id: int):
    form = FlaskForm()
    submit(form, lambda db: service.reject_member(
        db, election, current_user.username, candidate_id, request.form.get("reason", "")),
        _("已登记社区党组织驳回，驳回理由已记入选举事件记录。"))
    return redirect(url_for("nomination.confirm", election_id=election.id))


@bp.route("/elections/<int:election_id>/nomination/confirm-member/<int:candidate_id>", methods=["POST"])
@roles("committee")
def confirm_member_post(election: Election, candidate_id: int):
    form = FlaskForm()
    submit(form, lambda db: service.confirm_member(
        db, election, current_user.username, candidate_id, request.form.get("note", "")),
        _("已登记社区党组织确认。"))
    return redirect(url_for("nomination.confirm", election_id=election.id))


@bp.route("/elections/<int:election_id>/nomination/primary/<post>", methods=["GET", "POST"])
@roles("committee")
def primary(election: Election, post: str):
    db = get_db()
    try:
        the_post = service.post_of(election, post)
    except UserError:
        return render_template("error.html", code=404, message=_("页面不存在，或您无权查看。")), 404
    form = FlaskForm()
    nominees, tied = service.primary_field(db, election, the_post.key)
    in_vote = tied or nominees
    if form.validate_on_submit():
        try:
            parsed: dict[int, int] = {}
            for c in in_vote:
                raw = request.form.get(f"vote-{c.id}", "").strip()
                if not raw.isdigit():
                    raise UserError(f"{the_post.name_zh}：{c.resident.name}的预选得票须为非负整数，收到“{raw}”")
                parsed[c.id] = int(raw)
            raw = request.form.get("participants", "").strip()
            if raw and not raw.isdigit():
                raise UserError(f"参加预选人数须为非负整数，收到“{raw}”")
            ways = {}
            for key, what in (("by_proxy", "委托投票人数"), ("by_mobile_box", "流动票箱投票人数")):
                text = request.form.get(key, "").strip() or "0"
                if not text.isdigit():
                    raise UserError(f"{what}须为非负整数，收到“{text}”")
                ways[key] = int(text)
            result = service.record_primary(db, election, current_user.username, post, parsed,
                                            int(raw) if raw else None, **ways)
            db.commit()
        except UserError as error:
            refuse(error)
        else:
            flash(result.message, "info")
            return redirect(url_for("nomination.index", election_id=election.id))
    return render_template("nomination/primary.html", election=election, post=the_post, nominees=in_vote,
                           form=form, tied=bool(tied))


@bp.route("/elections/<int:election_id>/nomination/relations", methods=["GET", "POST"])
@roles("committee")
def relations(election: Election):
    db = get_db()
    form = RelationForm()
    if form.validate_on_submit():
        try:
            service.add_relation(db, election, current_user.username, form.resident.data, form.relative.data, form.kind.data)
            db.commit()
        except UserError as error:
            refuse(error)
        else:
            flash(_("亲属关系已登记。"), "info")
            return redirect(url_for("nomination.relations", election_id=election.id))
    return render_template("nomination/relations.html", election=election, form=form,
                           relations=service.relations_of(db, election), label=service.label)


@bp.route("/elections/<int:election_id>/nomination/publish", methods=["GET", "POST"])
@roles("committee", "street_admin")
def publish(election: Election):
    db = get_db()
    form = PublishForm()
    if request.method == "GET" and form.published_on.data is None:
        form.published_on.data = clock.today()
    if request.method == "POST":
        if current_user.role != "committee":
            return render_template("error.html", code=403, message=_("您的角色无权进行此操作。")), 403
        if form.validate_on_submit():
            try:
                service.publish(db, election, current_user.username, form.published_on.data)
                db.commit()
            except UserError as error:
                refuse(error)
            else:
                flash(_("正式候选人名单已公布。"), "info")
                return redirect(url_for("nomination.publish", election_id=election.id))
    return render_template(
        "nomination/publish.html", election=election, form=form, check=service.check_list(db, election),
        formal=service.formal_candidates(db, election), posts=posts_of(election),
        nominations=service.nominations_by_candidate(db, election),
        published=service.latest_publication(db, election), withdraw_form=WithdrawForm(formdata=None, on_date=clock.today()),
    )


@bp.route("/elections/<int:election_id>/nomination/withdraw/<int:candidate_id>", methods=["POST"])
@roles("committee")
def withdraw(election: Election, candidate_id: int):
    form = WithdrawForm()
    if form.validate_on_submit():
        db = get_db()
        try:
            notes = service.withdraw(db, election, current_user.username, candidate_id, form.letter.data or "", form.on_date.data)
            db.commit()
        except UserError as error:
            refuse(error)
        else:
            flash(_("候选人已书面退出。"), "info")
            for note in notes:
                flash(note, "info")
    else:
        form_errors(form)
    return redirect(url_for("nomination.publish", election_id=election.id))


@bp.route("/elections/<int:election_id>/nomination/notice.pdf")
@roles("committee", "street_admin")
def notice(election: Election):
    try:
        pdf = service.notice_pdf(get_db(), election)
    except UserError as error:
        refuse(error)
        return redirect(url_for("nomination.publish", election_id=election.id))
    return pdf_response(pdf, f"candidates-{election.id}.pdf")


class RoundCandidateForm(FlaskForm):
    post = SelectField(_l("另行选举职位"))
    nominee = StringField(_l("被提名人（选民编号或姓名）"), validators=[DataRequired(message=_l("请填写被提名人"))])
    evidence = StringField(_l("提名依据（选举委员会决定的文号或说明）"), validators=[DataRequired(message=_l("请填写提名依据"))])
    confirmation = StringField(_l("监督委员会候选人的党组织确认文件（主任须经街道审核确认）"))


@bp.route("/elections/<int:election_id>/nomination/round", methods=["GET", "POST"])
@roles("committee", "street_admin")
def round_page(election: Election):
    """A later round short of candidates: the committee nominates for each section, then
    publishes the list like the first one (the round opens for printing)."""
    db = get_db()
    rnd = round_candidates.nominating_round(db, election)
    secs = round_candidates.sections(db, election, rnd) if rnd else []
    form = RoundCandidateForm()
    form.post.choices = options((s.post, s.name) for s in secs)
    if request.method == "POST" and current_user.role != "committee":
        return render_template("error.html", code=403, message=_("您的角色无权进行此操作。")), 403
    if request.method == "POST" and request.form.get("action") == "publish":
        try:
            published = round_candidates.publish_candidates(db, election, current_user.username)
            db.commit()
        except UserError as error:
            db.rollback()
            refuse(error)
        else:
            flash(_("第 %(n)s 轮另行选举候选人名单已公布，可以印制选票。", n=published.number), "info")
            return redirect(url_for("nomination.round_page", election_id=election.id, published=published.number))
    elif form.validate_on_submit():
        try:
            round_candidates.add_candidate(db, election, form.post.data, form.nominee.data, form.evidence.data,
                                           current_user.username, form.confirmation.data or "")
            db.commit()
        except UserError as error:
            db.rollback()
            refuse(error)
        else:
            flash(_("已提名。"), "info")
            return redirect(url_for("nomination.round_page", election_id=election.id))
    else:
        form_errors(form)
    return render_template("nomination/round.html", election=election, rnd=rnd, sections=secs, form=form,
                           published=request.args.get("published", type=int))


@bp.route("/elections/<int:election_id>/nomination/round/<int:number>/notice.pdf")
@roles("committee", "street_admin")
def round_notice(election: Election, number: int):
    try:
        pdf = round_candidates.notice_pdf(get_db(), election, number)
    except UserError as error:
        refuse(error)
        return redirect(url_for("nomination.round_page", election_id=election.id))
    return pdf_response(pdf, f"round-{number}-candidates-{election.id}.pdf")
