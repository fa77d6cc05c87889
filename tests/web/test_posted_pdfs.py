"""Every document a committee posts or hands out (notices, reports, certificates, lists, the
timetable, the poster, voter cards) is read back: no legal-source tag, no ``(?)``, no health
reason of a mobile-box voter, no exception name, and no date written the machine's way.

The PDFs are found from app.url_map (every GET rule ending in .pdf), so a document added
later is checked without editing this test, plus the notices and cards made as jobs."""
from __future__ import annotations

import io
import re

from pypdf import PdfReader
from sqlalchemy import select

from election import clock
from election.demo import build_demo
from election.models import BallotBox, Election, Resident
from election.polling.issuance import authorise_proxy
from election.polling.stations import register_mobile_voter
from election.roll.publication import publish_roll
from election.wording import source_tags
from tests.conftest import DATA_KEY, PASSWORD, csrf_token, finish_job, login
from tests.counting.builder import published

HEALTH = "行动不便，卧床"


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _problems(where: str, text: str) -> list[str]:
    out = [f"{where}: source tag {tag!r}" for tag in source_tags(text)]
    for bad in ("(?)", HEALTH, "卧床", "Error", "Exception", "None"):
        if bad in text:
            out.append(f"{where}: {bad!r}")
    if re.search(r"\b20\d\d-\d\d-\d\d\b", text):  # dates are written 2026年11月30日 on posted paper
        out.append(f"{where}: ISO date {re.search(r'20[0-9-]{8}', text).group()}")
    return out


def _pdf_rules(app) -> list[str]:
    return sorted(rule.rule for rule in app.url_map.iter_rules()
                  if rule.rule.endswith(".pdf") and "GET" in rule.methods
                  and set(rule.arguments) <= {"election_id", "number"})


def _job_pdf(client, url: str, data: dict) -> bytes:
    response = client.post(url, data=data)
    page = finish_job(client, response)
    assert 'data-state="ready"' in page, page
    return client.get(response.headers["Location"] + "/download").data


def test_every_posted_pdf_is_clean(app, db, world) -> None:
    # An election before polling (the demo: roll, representatives, candidates, a mobile box)...
    demo = build_demo(db, DATA_KEY, households=40, seed=5, today=clock.today())
    before = db.get(Election, demo.election_id)
    publish_roll(db, before, clock.today(), "demo")
    voters = list(db.scalars(select(Resident).where(Resident.election_id == before.id, Resident.status == "registered",
                                                    Resident.eligible.is_(True)).order_by(Resident.voter_number)))
    mobile = db.scalar(select(BallotBox).where(BallotBox.election_id == before.id, BallotBox.mobile.is_(True)))
    register_mobile_voter(db, before, "demo", mobile.id, voters[0], HEALTH)
    authorise_proxy(db, before, "demo", voters[1], voters[2], clock.today())
    # ... and one with a published result.
    after = world["a"]["election"]
    published(db, after, DATA_KEY)

    problems: list[str] = []
    checked = 0
    skipped: list[str] = []
    for election, username in ((before, demo.logins[1][0]), (after, "a_committee")):
        client = app.test_client()
        login(client, username, demo.logins[1][1] if election is before else PASSWORD)
        for rule in _pdf_rules(app):
            url = rule.replace("<int:election_id>", str(election.id)).replace("<int:number>", "1")
            response = client.get(url)
            if response.status_code != 200 or not response.data.startswith(b"%PDF"):
                skipped.append(f"{url} {response.status_code}")
                continue  # not available at this stage (e.g. no result yet): refused in words
            problems += _problems(f"{election.title} {url}", _text(response.data))
            checked += 1
    client = app.test_client()
    login(client, demo.logins[1][0], demo.logins[1][1])
    base = f"/elections/{before.id}/roll"
    token = csrf_token(client, f"{base}/publication")
    for data in ({"n-csrf_token": token}, {"n-csrf_token": token, "amended": "1"}):
        problems += _problems(f"roll notice {data}", _text(_job_pdf(client, f"{base}/notice", data)))
        checked += 1
    cards = _job_pdf(client, f"{base}/cards", {"csrf_token": csrf_token(client, f"{base}/cards"), "stations": ""})
    problems += _problems("voter cards", _text(cards))
    checked += 1
    assert checked >= 14, (checked, skipped)  # calendar, poster, proxies, mobile, candidates, representatives, results...
    assert not problems, "\n".join(problems)
