"""Pages of the public capability (filled by its issue)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("public", __name__)
