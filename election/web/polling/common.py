"""What the polling pages share: the blueprint, the round a page shows or a form was
shown for, the receipt-check address, and a desk or box of the election (404 otherwise)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, request

from ...address import receipt_check_url
from ...models import BallotBox, Desk, Election, Round
from ...polling import stations
from ...rounds import current_round, rounds_of
from ...settings import box_of
from ..db import get_db
from ..feedback import found_or_404

bp = Blueprint("polling", __name__)
COMMITTEE = ("committee", "street_admin")


def instance() -> str:
    return current_app.instance_path


def shown_round(election: Election) -> tuple[Round, list[Round], bool]:
    """(round shown, all rounds, whether it is the current round). Pages work on the
    current round; ?round=N shows an earlier one read-only (404 for a round that is not)."""
    db = get_db()
    current = current_round(db, election)
    rounds = rounds_of(db, election) or [current]
    number = request.args.get("round", type=int)
    if number is None or number == current.number:
        return current, rounds, True
    shown = next((r for r in rounds if r.number == number), None)
    if shown is None:
        abort(404)
    return shown, rounds, False


def posted_round() -> int | None:
    """The round a form was shown for (hidden field), so a page left open from an earlier
    round cannot act on the next one without the clerk seeing it."""
    return request.form.get("round", type=int)


def verify_prefix() -> str:
    """The receipt-check address of every stub QR, the stub's text and the poster."""
    return current_app.config.get("VERIFY_URL_PREFIX") or receipt_check_url(
        current_app.config.get("PUBLIC_BASE_URL") or request.url_root)


def desk_or_404(election: Election, desk_id: int) -> Desk:
    return found_or_404(lambda: stations.desk_of(get_db(), election, desk_id))


def box_or_404(election: Election, box_id: int) -> BallotBox:
    return found_or_404(lambda: box_of(get_db(), election, box_id))


def wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"



