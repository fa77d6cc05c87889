"""Pages of meetings between elections (居民会议, 居民代表会议, 居民小组会议): convening with
the printable notice, attendance at the door (card scan, voter number or name), leaving
(离场) recorded the same way, with the quorum of those present shown live against the rulebook, decisions by show of hands or on secret paper (a
round of kind motion, printed, polled and counted on the election's pages, published here),
minutes and the decision notice. The 居委会 (committee role) records; the street office reads."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from .. import clock
from ..meetings import documents
from ..meetings import service as svc
from ..models import Election
from ..motions import service as motions
from ..rules.meetings import MEETING_BASES, MEETING_KINDS, REQUEST_BASES
from ..settings import rulebook_of
from .access import roles
from .choices import options
from .db import get_db
from .feedback import committee_only as _writer
from .feedback import form_errors, found_or_404, post
from .feedback import run as _run
from .files import pdf_or_back

bp = Blueprint("meetings", __name__)

CONVENERS = {"committee": "居民委员会召集", "request": "依提议召集"}


class ConveneForm(FlaskForm):
    kind = SelectField(_l("会议类型"), choices=options(MEETING_KINDS))
    basis = SelectField(_l("参加人员"), choices=options(MEETING_BASES))
    group = SelectField(_l("居民小组（居民小组会议）"), choices=[], validate_choice=False)
    title = StringField(_l("会议名称"), validators=[DataRequired(message=_l("请填写会议名称"))])
    agenda = TextAreaField(_l("会议议题（每行一项）"))
    held_on = DateField(_l("会议日期"), validators=[DataRequired(message=_l("请填写会议日期"))])
    place = StringField(_l("会议地点"))
    convened_by = SelectField(_l("召集"), choices=options(CONVENERS))
    request_base = SelectField(_l("提议人"), choices=options({"": "—", **REQUEST_BASES}), validate_choice=False)
    supporters = IntegerField(_l("提议人数（户数、组数）"), validators=[Optional(), NumberRange(min=0)])


class AttendForm(FlaskForm):
    entry = StringField(_l("扫描选民证，或填写选民编号、姓名"), validators=[DataRequired(message=_l("请扫描选民证或填写姓名"))])


class LeaveForm(FlaskForm):
    leaving = StringField(_l("离场人员的选民证、选民编号或姓名"),
                          validators=[DataRequired(message=_l("请扫描离场人员的选民证或填写姓名"))])


class PaperVoteForm(FlaskForm):
    paper_motion = StringField(_l("以表决票表决的事项（印在票上，不超过 60 字）"),
                         validators=[DataRequired(message=_l("请填写表决事项"))])


class DecideForm(FlaskForm):
    motion = TextAreaField(_l("表决事项"), validators=[DataRequired(message=_l("请填写表决事项"))])
    in_favour = IntegerField(_l("赞成"), validators=[InputRequired(message=_l("请填写人数")), NumberRange(min=0)])
    against = IntegerField(_l("反对"), default=0, validators=[InputRequired(message=_l("请填写人数")), NumberRange(min=0)])
    abstain = IntegerField(_l("弃权"), default=0, validators=[InputRequired(message=_l("请填写人数")), NumberRange(min=0)])


@bp.route("/elections/<int:election_id>/meetings", methods=["GET", "POST"])
@roles("committee", "street_admin")
def index(election: Election):
    db = get_db()
    form = ConveneForm()
    form.group.choices = options([("", "—")] + [(g, g) for g in svc.groups(db, election)])
    if form.is_submitted():
        _writer()
        if form.validate():
            made = []
            if _run(lambda db: made.append(svc.convene(
                    db, election, kind=form.kind.data, basis=form.basis.data, title=form.title.data or "",
                    agenda=form.agenda.data or "", held_on=form.held_on.data, place=form.place.data or "",
                    convened_by=form.convened_by.data, actor=current_user.username, group_name=form.group.data or "",
                    request_base=form.request_base.data or "", supporters=form.supporters.data))):
                flash(_("会议已召集，请打印公告张贴。"), "info")
                return redirect(url_for("meetings.page", election_id=election.id, meeting_id=made[0].id))
        else:
            form_errors(form)
    if not form.is_submitted():
        form.held_on.data = clock.today() + timedelta(days=rulebook_of(election).meeting_notice_days)
    return render_template("meetings/index.html", election=election, form=form, meetings=svc.meetings_of(db, election),
                           kinds=MEETING_KINDS)


def _meeting_or_404(election, meeting_id: int):
    return found_or_404(lambda: svc.meeting_of(get_db(), election, meeting_id))


@bp.route("/elections/<int:election_id>/meetings/<int:meeting_id>")
@roles("committee", "street_admin")
def page(election: Election, meeting_id: int):
    db = get_db()
    meeting = _meeting_or_404(election, meeting_id)
    return render_template(
        "meetings/meeting.html", election=election, meeting=meeting, kinds=MEETING_KINDS, bases=MEETING_BASES,
        requests=REQUEST_BASES, quorum=svc.quorum_of(db, election, meeting), parameters=svc.parameters(election, meeting),
        attendees=svc.attendees(db, meeting), departed=svc.attendees(db, meeting, left=True),
        decisions=svc.decisions_of(db, meeting),
        paper_votes=motions.votes_of(db, election, meeting.id),
        attend_form=AttendForm(), leave_form=LeaveForm(), decide_form=DecideForm(), close_form=FlaskForm(), paper_form=PaperVoteForm(),
        publish_form=FlaskForm(),
    )


@bp.route("/elections/<int:election_id>/meetings/<int:meeting_id>/quorum.json")
@roles("committee", "street_admin")
def quorum_json(election: Election, meeting_id: int):
    """The quorum as it stands, for the chair's screen while several doors record attendance."""
    meeting = _meeting_or_404(election, meeting_id)
    db = get_db()
    q = svc.quorum_of(db, election, meeting)
    return jsonify({"present": q.present, "members": q.members, "needed": q.needed, "quorate": q.quorate,
                    "message": q.message, "attendees": [_listed(p) for p in svc.attendees(db, meeting)],
                    "departed": [_listed(p) for p in svc.attendees(db, meeting, left=True)]})


def _listed(person) -> str:
    return person.name + (f" · {person.group_name}" if person.group_name else "")


def _back(election: Election, meeting_id: int) -> str:
    return url_for("meetings.page", election_id=election.id, meeting_id=meeting_id)


def _post(election: Election, meeting_id: int, form: FlaskForm, action, done):
    """A POST of the meeting's page, back to it (feedback.post)."""
    return post(form, action, done, _back(election, meeting_id))


@bp.route("/elections/<int:election_id>/meetings/<int:meeting_id>/attend", methods=["POST"])
@roles("committee")
def attend(election: Election, meeting_id: int):
    return _post(election, meeting_id, AttendForm(),
                 lambda db, f: svc.attend(db, election, meeting_id, f.entry.data, current_user.username),
                 lambda person: _("%(name)s 已登记到会。", name=person.name))


@bp.route("/elections/<int:election_id>/meetings/<int:meeting_id>/leave", methods=["POST"])
@roles("committee")
def leave(election: Election, meeting_id: int):
    """离场: one present leaves; the quorum follows."""
    return _post(election, meeting_id, LeaveForm(),
                 lambda db, f: svc.leave(db, election, meeting_id, f.leaving.data, current_user.username),
                 lambda person: _("%(name)s 已登记离场。", name=person.name))


@bp.route("/elections/<int:election_id>/meetings/<int:meeting_id>/decide", methods=["POST"])
@roles("committee")
def decide(election: Election, meeting_id: int):
    return _post(election, meeting_id, DecideForm(), lambda db, f: svc.decide(
        db, election, meeting_id, f.motion.data, f.in_favour.data, f.against.data, f.abstain.data,
        current_user.username), lambda decision: decision.message)


@bp.route("/elections/<int:election_id>/meetings/<int:meeting_id>/paper-vote", methods=["POST"])
@roles("committee")
def paper_vote(election: Election, meeting_id: int):
    """A motion voted on secret paper: a round of kind motion, printed and polled like any round."""
    return _post(election, meeting_id, PaperVoteForm(), lambda db, f: motions.call_vote(
        db, election, meeting_id, f.paper_motion.data, current_user.username),
        _("已决定以表决票表决：请印制表决票，向到会人员发放，投票后计票。"))


@bp.route("/elections/<int:election_id>/meetings/<int:meeting_id>/paper-vote/<int:number>/publish", methods=["POST"])
@roles("committee")
def publish_paper_vote(election: Election, meeting_id: int, number: int):
    return _post(election, meeting_id, FlaskForm(),
                 lambda db, f: motions.publish_vote(db, election, number, current_user.username),
                 lambda decision: decision.message)


@bp.route("/elections/<int:election_id>/meetings/<int:meeting_id>/close", methods=["POST"])
@roles("committee")
def close(election: Election, meeting_id: int):
    return _post(election, meeting_id, FlaskForm(),
                 lambda db, f: svc.close(db, election, meeting_id, current_user.username), _("会议已闭会。"))


def _pdf(election: Election, meeting_id: int, make, name: str):
    _meeting_or_404(election, meeting_id)
    return pdf_or_back(lambda: make(get_db(), election, meeting_id), f"{name}-{meeting_id}.pdf",
                       _back(election, meeting_id))


@bp.route("/elections/<int:election_id>/meetings/<int:meeting_id>/notice.pdf")
@roles("committee", "street_admin")
def notice_pdf(election: Election, meeting_id: int):
    return _pdf(election, meeting_id, documents.notice_pdf, "会议公告")


@bp.route("/elections/<int:election_id>/meetings/<int:meeting_id>/minutes.pdf")
@roles("committee", "street_admin")
def minutes_pdf(election: Election, meeting_id: int):
    return _pdf(election, meeting_id, documents.minutes_pdf, "会议记录")


@bp.route("/elections/<int:election_id>/meetings/<int:meeting_id>/decisions.pdf")
@roles("committee", "street_admin")
def decisions_pdf(election: Election, meeting_id: int):
    return _pdf(election, meeting_id, documents.decisions_pdf, "会议决定公告")
