"""The polling notices as PDFs for the notice board; `election.polling.notices` makes them."""
from __future__ import annotations

from ...models import Election
from ...polling import notices
from ..access import roles
from ..db import get_db
from ..files import pdf_response
from .common import COMMITTEE, bp, verify_prefix


@bp.route("/elections/<int:election_id>/polling/proxies.pdf")
@roles(*COMMITTEE)
def proxies_notice(election: Election):
    return pdf_response(notices.proxies_pdf(get_db(), election), "proxies.pdf")


@bp.route("/elections/<int:election_id>/polling/receipt-poster.pdf")
@roles(*COMMITTEE)
def receipt_poster(election: Election):
    return pdf_response(notices.receipt_poster_pdf(get_db(), election, verify_prefix()), "receipt-poster.pdf")


@bp.route("/elections/<int:election_id>/polling/mobile-voters.pdf")
@roles(*COMMITTEE)
def mobile_notice(election: Election):
    return pdf_response(notices.mobile_voters_pdf(get_db(), election), "mobile-voters.pdf")
