"""Test data for polling: voters and formal candidates inserted directly (the roll and
nomination capabilities own their real workflows)."""
from __future__ import annotations

from datetime import date, datetime, time

from election.models import Candidate, Household, Resident
from election.settings import posts_of

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "建国秀英伟静丽强敏磊军洋艳勇杰娟涛明超霞平刚"


def add_voters(db, election, n: int, group: str = "第一居民小组", start: int = 0) -> list[Resident]:
    household = Household(election_id=election.id, number=f"H{start}", building="1栋", group_name=group)
    db.add(household)
    db.flush()
    out = []
    for i in range(start, start + n):
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i // len(SURNAMES)) % len(GIVEN)] + GIVEN[(i * 7) % len(GIVEN)]
        r = Resident(
            election_id=election.id, household_id=household.id, name=name, sex="男", birth_date=date(1970, 1, 1),
            id_cipher="x", id_hash=f"{election.id}-{i}", id_masked=f"1101**********{i:04d}"[-18:], group_name=group,
            category="hukou", status="registered", eligible=True, voter_number=i + 1, card_code=f"C{election.id}V{i:05d}",
        )
        db.add(r)
        out.append(r)
    db.flush()
    return out


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
