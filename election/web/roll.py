"""Pages of the roll capability (filled by its issue)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("roll", __name__)
