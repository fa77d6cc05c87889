"""Pages of the counting capability (filled by its issue)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("counting", __name__)
