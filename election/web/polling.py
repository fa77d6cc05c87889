"""Pages of the polling capability (filled by its issue)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("polling", __name__)
