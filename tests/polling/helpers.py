"""Test data for polling: voters and formal candidates inserted directly (the roll and
nomination capabilities own their real workflows)."""
from __future__ import annotations

from datetime import datetime, time

from election.models import Candidate, Resident
from election.settings import posts_of


def add_candidates(db, election, residents: list[Resident]) -> dict[str, list[str]]:
    """Formal candidates for every post: seats + 1 per post, in ballot order; returns names per post."""
    it = iter(residents)
    names: dict[str, list[str]] = {}
    for post in posts_of(election):
        names[post.key] = []
        for order in range(post.seats + 1):
            r = next(it)
            db.add(Candidate(election_id=election.id, resident_id=r.id, post=post.key, status="formal", ballot_order=order + 1))
            names[post.key].append(r.name)
    db.flush()
    return names


def print_capturing(db, election, n: int, monkeypatch, data_key: str | None = None, round_number: int = 1,
                    out=None, body: str = "") -> list[tuple[str, str]]:
    """Print ``n`` papers of a round through the service, capturing (stub QR text, body QR
    text) as a scanner would read them. The PDF drawing is skipped (tested in
    test_printing) unless ``out`` is given: then the real PDF is written there too."""
    import io

    from election.polling import printing
    from tests.conftest import DATA_KEY

    seen: list[tuple[str, str]] = []
    real = printing.render_ballots

    def capture(spec, papers, out, progress=None, *, total=None, progress_every=100):
        def tee():
            for p in papers:
                seen.append((p.t_qr, p.a_qr))
                yield p
        if render:
            return real(spec, tee(), out, progress, total=total, progress_every=progress_every)
        for _ in tee():
            pass
        return len(seen)

    render = out is not None
    monkeypatch.setattr(printing, "render_ballots", capture)
    printing.print_papers(db, election, n, out if render else io.BytesIO(), "a_committee", data_key or DATA_KEY,
                          "HTTPS://JX.EXAMPLE.CN/R", body=body, round_number=round_number)
    db.commit()
    monkeypatch.undo()
    return seen


class polling_day:
    """``with polling_day(db, election, n):`` — open_polling_day for the block only; the
    project clock then runs on from where it was."""

    def __init__(self, db, election, round_number: int = 1) -> None:
        self.args = (db, election, round_number)

    def __enter__(self):
        import time as _time

        from election import clock

        self.before, self.started = clock.now(), _time.monotonic()
        open_polling_day(*self.args)
        return self

    def __exit__(self, *exc) -> None:
        import time as _time
        from datetime import timedelta

        from election import clock

        clock.pin(self.before + timedelta(seconds=_time.monotonic() - self.started))


def open_polling_day(db, election, round_number: int = 1) -> None:
    """What polling day needs (election.polling.day): the roll frozen and the project clock
    on the round's voting day, 09:00 local. Printing stays each test's own step."""
    from election import clock
    from election.models import Round, utcnow
    from election.rounds import day_of

    if election.roll_frozen_at is None:
        election.roll_frozen_at = utcnow()
        db.commit()
    rnd = db.query(Round).filter_by(election_id=election.id, number=round_number).one_or_none()
    clock.pin(datetime.combine(day_of(election, rnd), time(9, 0)))


def hand_out(db, election, station, *t_qrs: str) -> None:
    """The desk hands these papers out (their stubs scanned into the station's pool)."""
    from election.polling import handout

    for t_qr in t_qrs:
        handout.hand_out(db, election, station.id, t_qr)


def issue_and_hand_out(db, election, desk, voter, t_qr: str, round_number: int | None = None) -> None:
    """A voter checked in at a desk and handed the paper with this stub."""
    from election.polling import handout, issuance

    issuance.issue_ballot(db, election, desk.id, voter.id, "a_clerk", round_number=round_number)
    handout.hand_out(db, election, desk.station_id, t_qr)


def plant_in_pool(db, election, station, t_qr: str) -> None:
    """A paper put into a station's pool behind the service's back (a dishonest clerk with
    the database): what the close-of-poll reconciliation must still show."""
    from election.models import Receipt
    from election.protocol import codes

    row = db.get(Receipt, (election.id, codes.receipt_hash(election.uid, codes.parse(t_qr))))
    row.handed_station_id = station.id
    db.commit()


def vote_in_fixed_and_mobile(db, poll, mobile, monkeypatch) -> list[tuple[str, str]]:
    """Five papers printed (after two voters are put on the ``mobile`` box's list): voters
    20-22 vote in the first fixed box, voters 30-31 by the mobile box (its phone's batch,
    hand-out and deposit in one hour). Returns the papers' (stub QR, body QR)."""
    from election.polling import deposit, issuance
    from election.polling.stations import register_mobile_voter

    election, voters = poll["election"], poll["voters"]
    for v in voters[30:32]:
        register_mobile_voter(db, election, "t", mobile.id, v, "年老体弱")
    db.commit()
    papers = print_capturing(db, election, 5, monkeypatch)
    for i, v in enumerate(voters[20:23]):
        issue_and_hand_out(db, election, poll["desks"][0], v, papers[i][0])
        deposit.deposit(db, election, poll["boxes"][0].id, papers[i][0])
    batch = []
    for k, v in enumerate(voters[30:32]):
        issuance.issue_mobile(db, election, mobile.id, v.id, "a_scrutineer")
        stub = papers[3 + k][0]
        batch += [{"id": f"h{k}", "code": stub, "kind": "handout", "hour": "2027-03-15T10"},
                  {"id": f"d{k}", "code": stub, "hour": "2027-03-15T10"}]
    assert [r["status"] for r in deposit.deposit_batch(db, election, mobile.id, batch)] == ["ok"] * 4
    db.commit()
    return papers
