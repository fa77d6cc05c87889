"""Pages of the representatives capability: 推选片区 (proposal, adjustment, explanation),
each area's selection meeting, the 居民代表 list with its PDF notice and 补选, the
居民小组长, and the 居民选举委员会. The committee records; the street office reads."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from .. import clock
from ..errors import UserError
from ..models import COMMITTEE_BODIES, REP_METHODS, Election
from ..representatives import areas as area_svc
from ..representatives import committee as committee_svc
from ..representatives import meetings as meeting_svc
from ..representatives import roster as roster_svc
from ..settings import rulebook_of
from .access import roles
from .choices import options
from .db import get_db
from .feedback import committee_only as _writer
from .feedback import form_errors, found_or_404, post, refuse
from .feedback import run as _run
from .files import pdf_response

bp = Blueprint("representatives", __name__)

VOTES_HINT = _l("每行一人：“姓名 票数”；重名时写“姓名 身份证后4位 票数”")


class MethodForm(FlaskForm):
    method = SelectField(_l("居民代表推选方式"), choices=options(REP_METHODS))


class GroupSeatsForm(FlaskForm):
    seats = IntegerField(_l("每个居民小组推选人数"), default=3, validators=[InputRequired(message=_l("请填写人数"))])


class AdjustForm(FlaskForm):
    area = IntegerField(_l("从第几片区移出"), validators=[InputRequired(message=_l("请填写片区序号"))])
    neighbour = IntegerField(_l("移入相邻的第几片区"), validators=[InputRequired(message=_l("请填写片区序号"))])
    count = IntegerField(_l("移动的户数（相邻一端连续的户）"), validators=[InputRequired(message=_l("请填写户数"))])
    reason = StringField(_l("调整理由"))


class MeetingForm(FlaskForm):
    held_on = DateField(_l("会议日期"), default=clock.today, validators=[DataRequired(message=_l("请填写日期"))])
    present = IntegerField(_l("参加户数"), validators=[InputRequired(message=_l("请填写参加户数")), NumberRange(min=0)])
    votes = TextAreaField(_l("被推选人得票"), validators=[DataRequired(message=_l("请填写得票"))])


class ResignForm(FlaskForm):
    on = DateField(_l("辞去日期"), default=clock.today, validators=[DataRequired(message=_l("请填写日期"))])
    reason = StringField(_l("辞去原因"), validators=[DataRequired(message=_l("请填写原因"))])


class ReplaceForm(FlaskForm):
    successor = StringField(_l("补选产生的居民代表"), validators=[DataRequired(message=_l("请填写姓名"))])
    votes = IntegerField(_l("补选得票（可不填）"), validators=[Optional()])
    on = DateField(_l("补选日期"), default=clock.today, validators=[DataRequired(message=_l("请填写日期"))])
    reason = StringField(_l("补选原因"), validators=[DataRequired(message=_l("请填写原因"))])


class LeaderForm(FlaskForm):
    group = SelectField(_l("居民小组"), choices=[])
    basis = SelectField(_l("参加者"), choices=options([("voters", _l("本组选民")), ("households", _l("本组户代表"))]))
    held_on = DateField(_l("会议日期"), default=clock.today, validators=[DataRequired(message=_l("请填写日期"))])
    present = IntegerField(_l("参加人数"), validators=[InputRequired(message=_l("请填写参加人数")), NumberRange(min=0)])
    votes = TextAreaField(_l("被推选人得票"), validators=[DataRequired(message=_l("请填写得票"))])


class CommitteeForm(FlaskForm):
    chosen_by = SelectField(_l("推选方式"), choices=options(COMMITTEE_BODIES))
    size = IntegerField(_l("选举委员会人数"), default=7, validators=[InputRequired(message=_l("请填写人数"))])
    votes = TextAreaField(_l("推选结果（全部被推选人及得票）"), validators=[DataRequired(message=_l("请填写推选结果"))])
    chair = StringField(_l("主任"), validators=[DataRequired(message=_l("请填写主任姓名"))])
    decision = SelectField(_l("推选的会议决定"), choices=[], validate_choice=False)


class ChairForm(FlaskForm):
    chair = StringField(_l("新主任"), validators=[DataRequired(message=_l("请填写主任姓名"))])


@bp.route("/elections/<int:election_id>/representatives")
@roles("committee", "street_admin")
def areas(election: Election):
    db = get_db()
    rules = rulebook_of(election)
    method_form = MethodForm(method=area_svc.plan_method(db, election))
    return render_template(
        "representatives/areas.html", election=election, overview=area_svc.overview(db, election),
        method_form=method_form, seats_form=GroupSeatsForm(seats=rules.rep_per_group_min), adjust_form=AdjustForm(),
        rules=rules, sitting={a.id: meeting_svc.sitting(db, a) for a in area_svc.areas_of(db, election)},
    )


def _areas(election: Election) -> str:
    return url_for("representatives.areas", election_id=election.id)


@bp.route("/elections/<int:election_id>/representatives/method", methods=["POST"])
@roles("committee", "street_admin")
def set_method(election: Election):
    return post(MethodForm(), lambda db, f: area_svc.set_method(db, election, f.method.data, current_user.username),
                _("推选方式已保存。"), _areas(election))


@bp.route("/elections/<int:election_id>/representatives/propose", methods=["POST"])
@roles("committee", "street_admin")
def propose(election: Election):
    return post(FlaskForm(), lambda db, f: area_svc.propose_areas(db, election, current_user.username),
                _("已按户数划分推选片区。"), _areas(election))


@bp.route("/elections/<int:election_id>/representatives/groups", methods=["POST"])
@roles("committee", "street_admin")
def groups(election: Election):
    return post(GroupSeatsForm(), lambda db, f: area_svc.group_areas(db, election, f.seats.data, current_user.username),
                _("已按居民小组设置推选单位。"), _areas(election))


@bp.route("/elections/<int:election_id>/representatives/adjust", methods=["POST"])
@roles("committee", "street_admin")
def adjust(election: Election):
    return post(AdjustForm(), lambda db, f: area_svc.adjust_area(
        db, election, f.area.data, f.neighbour.data, f.count.data, current_user.username, f.reason.data or ""),
        _("片区已调整。"), _areas(election))


@bp.route("/elections/<int:election_id>/representatives/areas/<int:area_id>", methods=["GET", "POST"])
@roles("committee", "street_admin")
def meeting(election: Election, area_id: int):
    db = get_db()
    area = found_or_404(lambda: area_svc.area_of(db, election, area_id))
    form = MeetingForm()
    if form.is_submitted():
        _writer()
        if form.validate():
            if _run(lambda db: meeting_svc.record_area_meeting(
                    db, election, area.id, form.present.data, form.votes.data, form.held_on.data, current_user.username)):
                flash(_("推选会议已记录。"), "info")
                return redirect(url_for("representatives.meeting", election_id=election.id, area_id=area_id))
        else:
            form_errors(form)
    households = area_svc.area_households(db, area)
    return render_template(
        "representatives/meeting.html", election=election, area=area, form=form, households=households,
        meetings=[m for m in meeting_svc.meetings_of(db, election, "representative") if m.area_id == area.id],
        sitting=meeting_svc.sitting(db, area), votes_hint=VOTES_HINT,
    )


@bp.route("/elections/<int:election_id>/representatives/list")
@roles("committee", "street_admin")
def roster(election: Election):
    db = get_db()
    lines = roster_svc.roster(db, election)
    rules = rulebook_of(election)
    from ..rules.partition import representatives_total_warning
    serving = sum(1 for ln in lines if ln.rep.status == "serving")
    return render_template(
        "representatives/roster.html", election=election, lines=lines, serving=serving,
        warning=representatives_total_warning(serving, rules.rep_total_min, rules.rep_total_max,
                                              rules.rep_total_larger_may_exceed) if lines else None,
        forms={ln.rep.id: (ResignForm(prefix=f"r{ln.rep.id}"), ReplaceForm(prefix=f"b{ln.rep.id}")) for ln in lines},
    )


@bp.route("/elections/<int:election_id>/representatives/<int:rep_id>/resign", methods=["POST"])
@roles("committee", "street_admin")
def resign(election: Election, rep_id: int):
    return post(ResignForm(prefix=f"r{rep_id}"), lambda db, f: roster_svc.resign(
        db, election, rep_id, f.on.data, f.reason.data, current_user.username), _("已记录辞去。"),
        url_for("representatives.roster", election_id=election.id))


@bp.route("/elections/<int:election_id>/representatives/<int:rep_id>/replace", methods=["POST"])
@roles("committee", "street_admin")
def replace(election: Election, rep_id: int):
    return post(ReplaceForm(prefix=f"b{rep_id}"), lambda db, f: roster_svc.replace(
        db, election, rep_id, f.successor.data, f.on.data, f.reason.data, current_user.username, f.votes.data),
        _("补选结果已记录。"), url_for("representatives.roster", election_id=election.id))


@bp.route("/elections/<int:election_id>/representatives/notice.pdf")
@roles("committee", "street_admin")
def notice(election: Election):
    try:
        data = roster_svc.notice_pdf(get_db(), election)
    except UserError as error:
        refuse(error)
        return redirect(url_for("representatives.roster", election_id=election.id))
    return pdf_response(data, f"居民代表名单公告-{election.id}.pdf")


@bp.route("/elections/<int:election_id>/group-leaders", methods=["GET", "POST"])
@roles("committee", "street_admin")
def leaders(election: Election):
    db = get_db()
    form = LeaderForm()
    names = meeting_svc.group_names(db, election)
    form.group.choices = options([(n, n) for n in names])
    if form.is_submitted():
        _writer()
        if form.validate():
            if _run(lambda db: meeting_svc.record_group_leader(
                    db, election, form.group.data, form.basis.data, form.present.data, form.votes.data,
                    form.held_on.data, current_user.username)):
                flash(_("居民小组长推选会议已记录。"), "info")
                return redirect(url_for("representatives.leaders", election_id=election.id))
        else:
            form_errors(form)
    return render_template(
        "representatives/leaders.html", election=election, form=form, leaders=meeting_svc.group_leaders(db, election),
        meetings=meeting_svc.meetings_of(db, election, "group_leader"), votes_hint=VOTES_HINT, groups=names,
    )


@bp.route("/elections/<int:election_id>/election-committee", methods=["GET", "POST"])
@roles("committee", "street_admin")
def committee(election: Election):
    db = get_db()
    rules = rulebook_of(election)
    form = CommitteeForm()
    form.decision.choices = options([("", "—")] + [
        (str(d.id), f"{m.held_on.isoformat()}{COMMITTEE_BODIES[by]}“{m.title}”第{d.number}项：{d.motion}")
        for by in COMMITTEE_BODIES for d, m in committee_svc.choosing_decisions(db, election, by)])
    if form.is_submitted():
        _writer()
        if form.validate():
            cited = int(form.decision.data) if (form.decision.data or "").isdigit() else None
            if _run(lambda db: committee_svc.record_result(
                    db, election, form.chosen_by.data, form.votes.data, form.size.data, form.chair.data,
                    current_user.username, cited)):
                flash(_("选举委员会推选结果已记录。"), "info")
                return redirect(url_for("representatives.committee", election_id=election.id))
        else:
            form_errors(form)
    return render_template(
        "representatives/committee.html", election=election, form=form, chair_form=ChairForm(), rules=rules,
        entries=committee_svc.entries(db, election), history=committee_svc.history(db, election),
        bodies=COMMITTEE_BODIES, votes_hint=VOTES_HINT,
    )


@bp.route("/elections/<int:election_id>/election-committee/chair", methods=["POST"])
@roles("committee", "street_admin")
def chair(election: Election):
    return post(ChairForm(), lambda db, f: committee_svc.choose_chair(
        db, election, f.chair.data, current_user.username), _("主任已确定。"),
        url_for("representatives.committee", election_id=election.id))
