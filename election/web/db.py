"""The request's database session (one per request, closed at teardown)."""
from __future__ import annotations

from flask import current_app, g
from sqlalchemy.orm import Session


def get_db() -> Session:
    if "db" not in g:
        g.db = current_app.extensions["juxuan.sessions"]()
    return g.db
