"""How a page answers a refused action: the request's transaction is undone, so the
database stays as it was, and every Chinese message of the error is shown."""
from __future__ import annotations

from flask import flash

from ..errors import UserError
from .db import get_db


def refuse(error: UserError) -> None:
    get_db().rollback()
    for message in error.messages:
        flash(message, "error")
