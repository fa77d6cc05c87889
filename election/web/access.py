"""Who may see what: login, role marks on every view, and community scoping.

Each view is decorated with `roles(...)` or `public`; `check_every_view_marked` refuses
to start the app otherwise. Records of another community answer 404, never 403, so a
user cannot even learn that they exist.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from typing import NamedTuple

from flask import Flask, abort, current_app, g, redirect, request, url_for
from flask_login import LoginManager, current_user
from sqlalchemy import Integer, bindparam, select
from sqlalchemy.orm import joinedload

from ..accounts.service import Principal, can_see
from ..models import Community, Election, User
from .db import get_db

_MARK = "_juxuan_access"
_WANTS_ELECTION = "_juxuan_wants_election"


def public(view: Callable) -> Callable:
    setattr(view, _MARK, "public")
    return view


def may_open(endpoint: str) -> bool:
    """Whether the current user's role may open the page of ``endpoint``: templates offer a
    link or a button only to those it would not answer 403 (templates: ``may_open(...)``)."""
    mark = getattr(current_app.view_functions.get(endpoint), _MARK, None)
    role = getattr(current_user, "role", None)
    return mark in ("any", "public") or (isinstance(mark, tuple) and role in mark)


def roles(*allowed: str) -> Callable[[Callable], Callable]:
    """Require a logged-in user with one of `allowed` roles (any role when empty).

    A view of an election's URL (`<int:election_id>`) that names a parameter `election` is
    handed the election itself, already checked to be the user's: it never loads it again."""

    def decorate(view: Callable) -> Callable:
        wants_election = "election" in inspect.signature(view).parameters

        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            # Scope before role: another community's URL must answer 404 whatever the role.
            if "election_id" in kwargs:
                if wants_election:
                    kwargs["election"] = election_or_404(kwargs.pop("election_id"))
                else:
                    election_scope_or_404(kwargs["election_id"])
            elif "community_id" in kwargs:
                community_or_404(kwargs["community_id"])
            if allowed and current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        setattr(wrapper, _MARK, allowed or "any")
        setattr(wrapper, _WANTS_ELECTION, wants_election)
        return wrapper

    return decorate


def guarded_like(page: Callable) -> Callable[[Callable], Callable]:
    """The decorator that guards ``page``: a download of a page's list (its Excel export)
    is open to exactly the roles that may open the page, never more."""
    mark = getattr(page, _MARK)
    if mark == "public":
        return public
    return roles(*(() if mark == "any" else mark))


def check_every_view_marked(app: Flask) -> None:
    unmarked = [
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        and not hasattr(app.view_functions[rule.endpoint], _MARK)
    ]
    if unmarked:
        raise RuntimeError(f"views without an access mark: {', '.join(sorted(unmarked))}")


def init_login(app: Flask) -> None:
    manager = LoginManager(app)
    manager.login_view = "auth.login"
    manager.login_message = "请先登录。"
    manager.session_protection = "strong"

    @manager.user_loader
    def _load(user_id: str) -> Principal | None:
        # "<id>.<generation>": a cookie of an ended session names an old generation.
        number, _, generation = user_id.partition(".")
        if not number.isdigit() or not generation.isdigit():
            return None
        user = _principal(int(number))
        if user is None or not user.active or user.session_generation != int(generation):
            return None
        return user


class ElectionScope(NamedTuple):
    """An election's URL as the scope check and the check-in read it, without the entity:
    its community and street office, and what the check-in's one statement needs to know
    (method, roll frozen, election day)."""

    id: int
    community_id: int
    street_office: str
    method: str
    roll_frozen_at: datetime | None
    election_day: date

    @property
    def community(self) -> _CommunityRef:
        return _CommunityRef(self.community_id, self.street_office)


class _CommunityRef(NamedTuple):
    id: int
    street_office: str


def _principal(user_id: int) -> Principal | None:
    """The logged-in user as a ``Principal`` (plain columns, no entity); on an election's URL
    the election comes in the same statement (the scope check needs it on every such
    request: one round trip instead of two): the entity with its community for a view that
    is handed the election (``roles``), else only the columns of its ``ElectionScope``.
    ``election_or_404`` and ``election_scope_or_404`` then take it from ``g``, still checked."""
    election_id = (request.view_args or {}).get("election_id") if request else None
    db = get_db()
    if not isinstance(election_id, int):
        row = db.connection().execute(_PRINCIPAL, {"user": user_id}).first()
        return Principal(*row) if row is not None else None
    if getattr(current_app.view_functions.get(request.endpoint or ""), _WANTS_ELECTION, False):
        found = db.execute(_PRINCIPAL_WITH_ELECTION, {"user": user_id, "election": election_id}).first()
        if found is None:
            return None
        g.juxuan_loaded_election = (election_id, found[-1])
        return Principal(*found[:-1])
    with_scope = db.connection().execute(_PRINCIPAL_WITH_SCOPE, {"user": user_id, "election": election_id}).first()
    if with_scope is None:
        return None
    columns = tuple(with_scope)
    g.juxuan_loaded_scope = (election_id, ElectionScope(*columns[8:]) if columns[8] is not None else None)
    return Principal(*columns[:8])


# Built once with bound parameters: building the statement (and its cache key) on every
# request cost more Python than reading its row.
_USER, _ELECTION = bindparam("user", type_=Integer), bindparam("election", type_=Integer)
_PRINCIPAL_COLUMNS = (User.id, User.username, User.display_name, User.role, User.community_id, User.street_office,
                      User.active, User.session_generation)
_SCOPE_COLUMNS = (Election.id, Election.community_id, Community.street_office, Election.method, Election.roll_frozen_at,
                  Election.election_day)
_PRINCIPAL = select(*_PRINCIPAL_COLUMNS).where(User.id == _USER)
_PRINCIPAL_WITH_ELECTION = (
    select(*_PRINCIPAL_COLUMNS, Election).select_from(User).outerjoin(Election, Election.id == _ELECTION)
    .where(User.id == _USER).options(joinedload(Election.community))
)
_PRINCIPAL_WITH_SCOPE = (
    select(*_PRINCIPAL_COLUMNS, *_SCOPE_COLUMNS).select_from(User).outerjoin(Election, Election.id == _ELECTION)
    .outerjoin(Community, Community.id == Election.community_id).where(User.id == _USER)
)
_SCOPE = select(*_SCOPE_COLUMNS).join(Community, Community.id == Election.community_id).where(Election.id == _ELECTION)


def community_or_404(community_id: int) -> Community:
    community = get_db().get(Community, community_id)
    if community is None or not can_see(current_user, community):
        abort(404)
    return community


def election_or_404(election_id: int) -> Election:
    # Kept on g for the request: the session's identity map holds objects weakly, so the
    # scope check's election would otherwise be dropped and loaded again by the view.
    seen = g.get("juxuan_election")
    if seen is not None and seen.id == election_id:
        return seen
    loaded = g.get("juxuan_loaded_election")
    if loaded is not None and loaded[0] == election_id:
        election = loaded[1]  # read with the user (the login's statement): None when it does not exist
    else:
        # The community comes in the same statement: the scope check needs it on every request.
        election = get_db().get(Election, election_id, options=[joinedload(Election.community)])
    if election is None or not can_see(current_user, election.community):
        abort(404)
    g.juxuan_election = election
    return election


def election_scope_or_404(election_id: int) -> ElectionScope:
    """The scope check of an election's URL whose view is not handed the election (the
    check-in's): the same 404 as ``election_or_404``, from the columns read with the login."""
    loaded = g.get("juxuan_loaded_scope")
    if loaded is not None and loaded[0] == election_id:
        scope = loaded[1]
    else:
        row = get_db().connection().execute(_SCOPE, {"election": election_id}).first()
        scope = ElectionScope(*row) if row is not None else None
    if scope is None or not can_see(current_user, scope.community):
        abort(404)
    g.juxuan_loaded_scope = (election_id, scope)
    return scope
