"""Pages between elections: the committees' composition over time with the vacant seats
(a member's resignation, death, moving away or loss of office recorded there), and recall
(罢免) from proposal to result. The 居委会 (committee role) records; the street office reads."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange

from .. import clock
from ..mandates import by_election, chosen
from ..mandates import service as mandates
from ..models import END_REASONS, RECALL_STATUSES, Election
from ..recall import documents as recall_docs
from ..recall import service as recalls
from ..rounds import term_ends
from .access import roles
from .choices import options
from .db import get_db
from .feedback import committee_only as _writer
from .feedback import form_errors, found_or_404, post, submit
from .feedback import run as _run
from .files import pdf_or_back

bp = Blueprint("between", __name__)
LEAVE_REASONS = {k: v for k, v in END_REASONS.items() if k != "recalled"}  # a recall is voted, not entered


class VacateForm(FlaskForm):
    member = SelectField(_l("成员"), choices=[], validate_choice=False)
    reason = SelectField(_l("离任原因"), choices=options(LEAVE_REASONS))
    ended_on = DateField(_l("离任日期"), default=clock.today, validators=[DataRequired(message=_l("请填写日期"))])
    decision = SelectField(_l("接受辞职的会议决定"), choices=[], validate_choice=False)
    note = StringField(_l("说明（辞职须写明接受辞职的会议决定）"))


class ChoiceForm(FlaskForm):
    """The 监督委员会 members a meeting's decision chose (jdw_chosen_by)."""

    decision = SelectField(_l("推选的会议决定"), choices=[], validate_choice=False)
    jdw_zhuren = TextAreaField(_l("居务监督委员会主任（选民编号或姓名）"))
    jdw_fu_zhuren = TextAreaField(_l("居务监督委员会副主任（每行一人）"))
    jdw_weiyuan = TextAreaField(_l("居务监督委员会委员（每行一人）"))


class ByElectionForm(FlaskForm):
    held_on = DateField(_l("补选投票日期"), validators=[DataRequired(message=_l("请填写日期"))])


class ProposeForm(FlaskForm):
    member = SelectField(_l("被罢免人"), choices=[], validate_choice=False)
    base = SelectField(_l("联名人"), choices=options(recalls.BASES))
    reasons = TextAreaField(_l("罢免理由"), validators=[DataRequired(message=_l("请填写罢免理由"))])
    signers = TextAreaField(_l("联名人（每行一人：选民编号、姓名或扫描选民证）"),
                            validators=[DataRequired(message=_l("请填写联名人"))])


class DefenceForm(FlaskForm):
    defence = TextAreaField(_l("被罢免人的申辩意见"), validators=[DataRequired(message=_l("请填写申辩意见"))])


class VoteForm(FlaskForm):
    voted_on = DateField(_l("投票日期"), default=clock.today, validators=[DataRequired(message=_l("请填写日期"))])
    voted = IntegerField(_l("参加投票人数"), validators=[InputRequired(message=_l("请填写人数")), NumberRange(min=0)])
    in_favour = IntegerField(_l("赞成罢免票数"), validators=[InputRequired(message=_l("请填写票数")), NumberRange(min=0)])


class PaperVoteForm(FlaskForm):
    held_on = DateField(_l("表决票投票日期"), default=clock.today, validators=[DataRequired(message=_l("请填写日期"))])


class PublishForm(FlaskForm):
    pass


def _members(comp: mandates.Composition) -> list:
    return options([("", "—")] + [(m.key, f"{m.name}（{m.post_name}）") for m in comp.serving])


@bp.route("/elections/<int:election_id>/composition", methods=["GET", "POST"])
@roles("committee", "street_admin")
def composition(election: Election):
    db = get_db()
    comp = mandates.composition(db, election)
    form = VacateForm()
    form.member.choices = _members(comp)
    form.decision.choices = options([("", "—")] + [(str(d.id), mandates.decision_label(d, m))
                                                   for d, m in mandates.adopted_decisions(db, election)])
    if form.is_submitted():
        _writer()
        if form.validate():
            cited = int(form.decision.data) if (form.decision.data or "").isdigit() else None
            if _run(lambda db: mandates.vacate(db, election, form.member.data, form.reason.data, form.ended_on.data,
                                               form.note.data or "", current_user.username, cited)):
                flash(_("已记录离任，该职位出缺。"), "info")
                return redirect(url_for("between.composition", election_id=election.id))
        else:
            form_errors(form)
    return render_template("between/composition.html", election=election, comp=comp, form=form,
                           by_form=ByElectionForm(), term_ends=term_ends(election),
                           presiding=mandates.presiding(election, comp) if comp.mandates else "",
                           choice_form=_choice_form(election) if chosen.choosing_kind(election) else None)


def _choice_form(election: Election) -> ChoiceForm:
    form = ChoiceForm()
    form.decision.choices = options([("", "—")] + [(str(d.id), mandates.decision_label(d, m))
                                                   for d, m in chosen.choosing_decisions(get_db(), election)])
    return form


@bp.route("/elections/<int:election_id>/composition/chosen", methods=["POST"])
@roles("committee")
def record_choice(election: Election):
    form = _choice_form(election)
    cited = int(form.decision.data) if (form.decision.data or "").isdigit() else None
    names = {key: (getattr(form, key).data or "").splitlines() for key in ("jdw_zhuren", "jdw_fu_zhuren", "jdw_weiyuan")}
    submit(form, lambda db: chosen.record_choice(db, election, cited, names, current_user.username),
           _("已按会议决定记录居务监督委员会成员。"))
    return redirect(url_for("between.composition", election_id=election.id))


@bp.route("/elections/<int:election_id>/by-election", methods=["POST"])
@roles("committee")
def call_by_election(election: Election):
    form = ByElectionForm()
    if form.validate_on_submit():
        made: list = []
        if _run(lambda db: made.append(by_election.call_by_election(db, election, form.held_on.data, current_user.username))):
            flash(_("已决定补选（第 %(n)s 轮）：请提名候选人并公布名单。", n=made[0].number), "info")
            return redirect(url_for("nomination.round_page", election_id=election.id))
    else:
        form_errors(form)
    return redirect(url_for("between.composition", election_id=election.id))


@bp.route("/elections/<int:election_id>/recalls", methods=["GET", "POST"])
@roles("committee", "street_admin")
def recall_list(election: Election):
    db = get_db()
    form = ProposeForm()
    form.member.choices = _members(mandates.composition(db, election))
    if form.is_submitted():
        _writer()
        if form.validate():
            made: list = []
            if _run(lambda db: made.append(recalls.propose(db, election, form.member.data, form.reasons.data,
                                                           form.base.data, form.signers.data, current_user.username))):
                flash(_("罢免要求已提出。"), "info")
                return redirect(url_for("between.recall_page", election_id=election.id, recall_id=made[0].id))
        else:
            form_errors(form)
    rows = [(r, recalls.person_of(db, r)) for r in recalls.recalls_of(db, election)]
    return render_template("between/recalls.html", election=election, form=form, rows=rows, statuses=RECALL_STATUSES)


def _recall_or_404(election, recall_id: int):
    return found_or_404(lambda: recalls.recall_of(get_db(), election, recall_id))


@bp.route("/elections/<int:election_id>/recalls/<int:recall_id>")
@roles("committee", "street_admin")
def recall_page(election: Election, recall_id: int):
    db = get_db()
    row = _recall_or_404(election, recall_id)
    return render_template("between/recall.html", election=election, recall=row, person=recalls.person_of(db, row),
                           signers=recalls.signers_of(db, row), statuses=RECALL_STATUSES, bases=recalls.BASES,
                           defence_form=DefenceForm(), vote_form=VoteForm(), paper_form=PaperVoteForm(),
                           publish_form=PublishForm(), paper_round=recalls.round_of_recall(db, election, row.id))


def _back(election: Election, recall_id: int) -> str:
    return url_for("between.recall_page", election_id=election.id, recall_id=recall_id)


def _post(election: Election, recall_id: int, form: FlaskForm, action, done: str):
    """A POST of the recall's page, back to it (feedback.post)."""
    return post(form, action, done, _back(election, recall_id))


@bp.route("/elections/<int:election_id>/recalls/<int:recall_id>/defence", methods=["POST"])
@roles("committee")
def defence(election: Election, recall_id: int):
    return _post(election, recall_id, DefenceForm(), lambda db, f: recalls.record_defence(
        db, election, recall_id, f.defence.data, current_user.username), _("申辩意见已记录。"))


@bp.route("/elections/<int:election_id>/recalls/<int:recall_id>/vote", methods=["POST"])
@roles("committee")
def vote(election: Election, recall_id: int):
    return _post(election, recall_id, VoteForm(), lambda db, f: recalls.record_vote(
        db, election, recall_id, f.voted.data, f.in_favour.data, f.voted_on.data, current_user.username),
        _("罢免投票结果已记录。"))


@bp.route("/elections/<int:election_id>/recalls/<int:recall_id>/paper-vote", methods=["POST"])
@roles("committee")
def paper_vote(election: Election, recall_id: int):
    """The recall voted on paper: a round of kind recall, printed and polled like any round."""
    return _post(election, recall_id, PaperVoteForm(), lambda db, f: recalls.call_vote(
        db, election, recall_id, f.held_on.data, current_user.username),
        _("已决定以表决票进行罢免投票：请印制表决票，投票后计票。"))


@bp.route("/elections/<int:election_id>/recalls/<int:recall_id>/publish", methods=["POST"])
@roles("committee")
def publish_paper_vote(election: Election, recall_id: int):
    return _post(election, recall_id, PublishForm(), lambda db, f: recalls.publish_vote(
        db, election, recall_id, current_user.username), _("罢免表决结果已公布。"))


@bp.route("/elections/<int:election_id>/recalls/<int:recall_id>/result.pdf")
@roles("committee", "street_admin")
def recall_pdf(election: Election, recall_id: int):
    _recall_or_404(election, recall_id)
    return pdf_or_back(lambda: recall_docs.result_pdf(get_db(), election, recall_id), f"罢免结果公告-{recall_id}.pdf",
                       _back(election, recall_id))
