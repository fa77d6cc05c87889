"""The polling notices the service makes (election.polling.notices), read back from the PDF,
and a print run whose size is out of range refused before any job starts."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from election.errors import UserError
from election.polling import notices, printing
from election.polling.issuance import authorise_proxy
from election.polling.stations import create_station, register_mobile_voter
from tests.conftest import DATA_KEY


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_mobile_voters_notice_names_the_voter_but_never_the_reason(db, poll) -> None:
    election, voter = poll["election"], poll["voters"][30]
    mobile = create_station(db, election, "t", "流动票箱一", mobile=True, scrutineers=["甲", "乙", "丙"])
    register_mobile_voter(db, election, "t", mobile.boxes[0].id, voter, "患病卧床")
    db.commit()
    text = _text(notices.mobile_voters_pdf(db, election))
    assert "流动票箱投票选民名单公告" in text and voter.name in text
    assert "患病卧床" not in text


def test_proxies_notice_lists_holder_and_voter(db, poll) -> None:
    election = poll["election"]
    empty = _text(notices.proxies_pdf(db, election))
    assert "委托投票公告" in empty and "无" in empty
    voter, holder = poll["voters"][32], poll["voters"][33]
    authorise_proxy(db, election, "t", voter, holder, election.election_day - timedelta(days=5))
    db.commit()
    text = _text(notices.proxies_pdf(db, election))
    assert voter.name in text and holder.name in text


@pytest.mark.parametrize("papers", [0, printing.MAX_PAPERS + 1])
def test_print_run_out_of_range_starts_no_job(app, db, poll, papers: int) -> None:
    with pytest.raises(UserError, match="印制张数"):
        printing.start_print_job(app.extensions["juxuan.sessions"], app.instance_path, poll["election"].id, papers,
                                 "t", DATA_KEY, "http://x/r")
    folder = printing.jobs_dir(app.instance_path)
    assert not folder.exists() or not any(folder.iterdir())
