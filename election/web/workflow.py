"""Pages of the workflow capability (filled by its issue)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("workflow", __name__)
