"""Pages of the nomination capability (filled by its issue)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("nomination", __name__)
