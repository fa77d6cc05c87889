"""The signed-in home page: the communities and elections this user may see."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from ..setup.service import communities_for
from .access import roles
from .db import get_db

bp = Blueprint("home", __name__)


@bp.route("/")
@roles()
def index():
    communities = communities_for(get_db(), current_user)
    return render_template("home.html", communities=communities)
