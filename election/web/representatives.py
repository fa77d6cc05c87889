"""Pages of the representatives capability (filled by its issue)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("representatives", __name__)
