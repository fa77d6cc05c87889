"""Communities, elections and the rulebook pages of the election committee."""
from __future__ import annotations

import dataclasses

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, NumberRange

from ..counting.summary import final_list
from ..errors import UserError
from ..fields import TextRule
from ..ledger.events import events_of
from ..models import METHODS, Community, Election
from ..rules.presets import PRESET_LABELS
from ..rules.rulebook import CHOICE_LABELS, CHOICE_LABELS_EN, UNIT_EN, Rulebook
from ..settings import rulebook_of
from ..setup.service import ElectionDraft, change_rulebook, create_community, create_election
from ..workflow.stages import next_stage, stages, warnings
from . import parse
from .access import community_or_404, roles
from .choices import options
from .db import get_db
from .feedback import refuse

bp = Blueprint("setup", __name__)


class CommunityForm(FlaskForm):
    name = StringField(_l("社区名称"), validators=[DataRequired(message=_l("请填写社区名称")), TextRule(Community.name)])
    # Chosen from a list (the admin's own street office), never typed: a typed name that
    # differs by one character would hide the community from its own street office.
    street_office = SelectField(_l("所属街道办事处"), choices=[], validators=[DataRequired(message=_l("请选择街道办事处"))])
    households = IntegerField(_l("户数"), validators=[NumberRange(min=1, message=_l("户数须为正整数"))])


class ElectionForm(FlaskForm):
    title = StringField(_l("选举名称"), validators=[DataRequired(message=_l("请填写选举名称")), TextRule(Election.title)])
    election_day = DateField(_l("选举日"), validators=[DataRequired(message=_l("请填写选举日（年-月-日）"))])
    method = SelectField(_l("选举方式"), choices=options(METHODS))
    preset = SelectField(_l("规则预设"), choices=options(PRESET_LABELS))
    jwh_deputies = IntegerField(_l("居委会副主任人数"), default=1)
    jwh_members = IntegerField(_l("居委会委员人数"), default=5)
    jdw_deputies = IntegerField(_l("监督委员会副主任人数"), default=0)
    jdw_members = IntegerField(_l("监督委员会委员人数"), default=2)
    paper_size = SelectField(_l("选票纸张"), choices=options([("A4", "A4"), ("A5", "A5")]))
    paper_layout = SelectField(_l("选票版式"), choices=options([("one", _l("一张选票含全部职位")), ("per_body", _l("每个机构一张选票"))]))


@bp.route("/communities/new", methods=["GET", "POST"])
@roles("street_admin")
def new_community():
    form = CommunityForm()
    form.street_office.choices = options([(current_user.street_office, current_user.street_office)])
    if not form.street_office.data:
        form.street_office.data = current_user.street_office
    if form.validate_on_submit():
        db = get_db()
        try:
            if form.street_office.data.strip() != current_user.street_office:
                raise UserError(f"只能在本街道（{current_user.street_office}）下建立社区")
            community = create_community(db, form.name.data, form.street_office.data, form.households.data)
            db.commit()
        except UserError as error:
            refuse(error)
        else:
            flash(_("社区已建立。"), "info")
            return redirect(url_for("setup.community", community_id=community.id))
    return render_template("setup/community_form.html", form=form)


@bp.route("/communities/<int:community_id>")
@roles()
def community(community_id: int):
    return render_template("setup/community.html", community=community_or_404(community_id))


@bp.route("/communities/<int:community_id>/elections/new", methods=["GET", "POST"])
@roles("street_admin", "committee")
def new_election(community_id: int):
    community = community_or_404(community_id)
    form = ElectionForm()
    if form.validate_on_submit():
        db = get_db()
        draft = ElectionDraft(**{f.name: form[f.name].data for f in dataclasses.fields(ElectionDraft)})
        try:
            election = create_election(db, current_user.username, community, draft, current_app.config["DATA_KEY"])
            db.commit()
        except UserError as error:
            refuse(error)
        else:
            flash(_("选举已建立。"), "info")
            return redirect(url_for("setup.election", election_id=election.id))
    return render_template("setup/election_form.html", form=form, community=community)


@bp.route("/elections/<int:election_id>")
@roles()
def election(election: Election):
    db = get_db()
    views = stages(db, election)
    return render_template(
        "setup/election.html", election=election, rules=rulebook_of(election).describe(),
        events=events_of(db, election)[-20:], stages=views, next_stage=next_stage(views),
        warnings=warnings(db, election), final=final_list(db, election),
    )


def _parse(rulebook: Rulebook, form: dict) -> dict:
    """Turn the form's strings into typed values for the fields that changed."""
    changes: dict = {}
    for field in dataclasses.fields(Rulebook):
        current = getattr(rulebook, field.name)
        if isinstance(current, bool):
            value = form.get(field.name) == "on"
        elif field.name not in form:
            continue
        else:
            raw = form[field.name].strip()
            if isinstance(current, int):
                value = parse.integer(raw, f"{Rulebook.label(field.name)}须为整数，收到“{raw}”")
            else:
                value = raw
        if value != rulebook.to_dict()[field.name]:
            changes[field.name] = value
    return changes


@bp.route("/elections/<int:election_id>/rulebook", methods=["GET", "POST"])
@roles("committee", "street_admin")
def rulebook(election: Election):
    current = rulebook_of(election)
    form = FlaskForm()
    if form.validate_on_submit():
        db = get_db()
        try:
            changes = _parse(current, request.form)
            change_rulebook(db, current_user.username, election, changes, request.form.get("reason", ""))
            db.commit()
        except UserError as error:
            refuse(error)
        else:
            flash(_("规则已保存。"), "info")
            return redirect(url_for("setup.election", election_id=election.id))
    fields = [
        (f.name, f.metadata, getattr(current, f.name), current.to_dict()[f.name])
        for f in dataclasses.fields(Rulebook)
    ]
    return render_template(
        "setup/rulebook.html", election=election, form=form, fields=fields, choice_labels=CHOICE_LABELS,
        choices_en=CHOICE_LABELS_EN, units_en=UNIT_EN,
    )
