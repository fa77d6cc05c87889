"""How a page answers a refused action: the request's transaction is undone, so the
database stays as it was, and every Chinese message of the error is shown; a form that
did not validate shows each field's message after the field's label."""
from __future__ import annotations

from flask import flash
from flask_wtf import FlaskForm

from ..errors import UserError
from .db import get_db


def refuse(error: UserError) -> None:
    get_db().rollback()
    for message in error.messages:
        flash(message, "error")


def form_errors(form: FlaskForm) -> None:
    for field in form:
        for message in field.errors:
            flash(f"{field.label.text}：{message}", "error")
