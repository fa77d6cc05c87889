"""How a page answers a refused action: the request's transaction is undone, so the
database stays as it was, and every Chinese message of the error is shown; a form that
did not validate shows each field's message after the field's label."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, flash, redirect
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from ..errors import UserError
from .db import get_db
from .i18n import CHINESE_MARKS, ENGLISH_MARKS, say, select_locale

T = TypeVar("T")


def found_or_404(find: Callable[[], T]) -> T:
    """What a service's lookup finds, or 404 where it refuses (a row of another election, or
    none at all, reads the same: a URL never tells which)."""
    try:
        return find()
    except UserError:
        abort(404)


def refuse(error: UserError) -> None:
    get_db().rollback()
    for message in error.messages:
        flash(say(message), "error")  # a Phrase in the page's language; a plain sentence as it is


def form_errors(form: FlaskForm) -> None:
    for field in form:
        for message in field.errors:
            flash(f"{field.label.text}{ENGLISH_MARKS['colon'] if select_locale() == 'en' else CHINESE_MARKS['colon']}{message}", "error")


def run(action: Callable[[Session], Any], done: str | Callable[[], str] | None = None) -> bool:
    """Run one service call in the request's transaction: committed and ``done`` flashed (a
    callable is asked after the call, for a message naming what it made), or undone with
    each Chinese message of the refusal shown."""
    db = get_db()
    try:
        action(db)
        db.commit()
    except UserError as error:
        refuse(error)
        return False
    if done is not None:
        flash(done() if callable(done) else done, "info")
    return True


def submit(form: FlaskForm, action: Callable[[Session], Any], done: str | Callable[[], str]) -> bool:
    """A form's POST in the house's one shape: the form validated (else each field's message
    shown), one service call run and committed, ``done`` flashed (a callable is asked after
    the call, for a message naming what it made), or the refusal shown."""
    if not form.validate_on_submit():
        form_errors(form)
        return False
    return run(action, done)


def committee_only() -> None:
    """Pages the street office may read but only the committee may change."""
    if current_user.role != "committee":
        abort(403)


def post(form: FlaskForm, action: Callable[[Session, FlaskForm], T], done: str | Callable[[T], str],
         back: str) -> Response:
    """A POST of a page the street office may read but only the committee may change
    (committee_only), in the one shape (submit): ``action(db, form)`` makes the one service
    call; ``done`` is the message flashed, or makes it from what the call returned (the person
    recorded, the decision made); then back to the page ``back``, where the refusals show."""
    committee_only()
    made: list[T] = []
    said = (lambda: done) if isinstance(done, str) else (lambda: done(made[0]))
    submit(form, lambda db: made.append(action(db, form)), said)
    return redirect(back)
