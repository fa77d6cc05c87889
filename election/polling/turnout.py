"""Live turnout, the hourly count events, and the server-side SVG chart.

Privacy (DESIGN.md): no chain event per issuance or per deposit. Counts are recorded per
station per hour and per box per hour when the hour has closed (or at close of poll), as
events stamped with the hour only.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timezone
from html import escape

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..clock import local_hour
from ..db import begin_write
from ..ledger.events import lock_chain_head, record_event
from ..models import BallotBox, Election, ElectionEvent, Issuance, PollingStation, Receipt, SpoilRecord, utcnow
from ..protocol import event_kinds as ek
from ..protocol.chain import hour_stamp
from ..roll.electors import electors_count, round_electors
from ..rounds import current_round, mark_poll_closed
from ..rules.methods import basis_line, method_of
from .close import check_recordable
from .scrub import ScrubReport, scrub


def registered_count(db: Session, election: Election) -> int:
    """The electors turnout is counted on: registered voters, household representatives or
    居民代表 by the election's method (roll.electors)."""
    return electors_count(db, election)


def issued_by_station_hour(db: Session, election: Election, round_number: int = 1) -> dict[str, Counter[str]]:
    out: dict[str, Counter[str]] = defaultdict(Counter)
    rows = db.execute(
        select(PollingStation.name, Issuance.issued_at).join(PollingStation, PollingStation.id == Issuance.station_id)
        .where(Issuance.election_id == election.id, Issuance.round_number == round_number)
    )
    for name, at in rows:
        out[name][hour_stamp(at)] += 1
    return out


def turnout(db: Session, election: Election, round_number: int = 1) -> dict:
    """Issued per station and per hour, and turnout against the registered voters."""
    registered = registered_count(db, election)
    per = issued_by_station_hour(db, election, round_number)
    stations = [s.name for s in db.scalars(select(PollingStation).where(PollingStation.election_id == election.id).order_by(PollingStation.id))]
    hours: Counter[str] = Counter()
    for c in per.values():
        hours.update(c)
    issued = sum(hours.values())
    return {
        "method": election.method,
        "electors": method_of(election.method).electors_zh,
        "basis": basis_line(election.method, registered),
        "registered": registered,
        "issued": issued,
        "percent": round(100 * issued / registered, 1) if registered else 0.0,
        "stations": [{"name": n, "issued": sum(per.get(n, Counter()).values())} for n in stations],
        "hours": [{"hour": h, "issued": hours[h]} for h in sorted(hours)],
        "majority_reached": registered > 0 and issued * 2 > registered,
    }


def live(db: Session, election: Election, round_number: int) -> dict:
    """What the live turnout page shows and its refresh (turnout.json) sends: the figures of
    one round, the round's number and the chart drawn from them."""
    data = turnout(db, election, round_number)
    return {**data, "round": round_number, "svg": turnout_svg(data)}


def turnout_svg(data: dict, width: int = 360, height: int = 180) -> str:
    """A bar chart of papers issued per hour (server-side, no script)."""
    hours = data["hours"] or [{"hour": "", "issued": 0}]
    top = max(1, max(h["issued"] for h in hours))
    pad, base = 24, height - 28
    bar_w = (width - 2 * pad) / len(hours)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="每小时发出选票数" class="chart" width="100%">',
             f'<line x1="{pad}" y1="{base}" x2="{width - pad}" y2="{base}" stroke="#333"/>']
    for i, h in enumerate(hours):
        bh = (base - 20) * h["issued"] / top
        x = pad + i * bar_w + 2
        label = f"{local_hour(h['hour']).hour}时" if h["hour"] else ""
        parts.append(f'<rect x="{x:.1f}" y="{base - bh:.1f}" width="{max(bar_w - 4, 1):.1f}" height="{bh:.1f}" fill="#b22222"/>')
        parts.append(f'<text x="{x + bar_w / 2 - 2:.1f}" y="{base - bh - 4:.1f}" font-size="11" text-anchor="middle">{h["issued"]}</text>')
        parts.append(f'<text x="{x + bar_w / 2 - 2:.1f}" y="{base + 16}" font-size="11" text-anchor="middle">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _recorded(db: Session, election: Election, kind: str, round_number: int) -> set[tuple[str, str]]:
    rows = db.scalars(select(ElectionEvent.payload).where(ElectionEvent.election_id == election.id, ElectionEvent.kind == kind))
    key = "station" if kind == ek.POLLING_ISSUANCE_HOUR_RECORDED else "box"
    # Events written before rounds were counted apart carry no round: they are round 1's.
    return {(p.get(key), p.get("hour")) for p in rows if int(p.get("round", 1)) == round_number}


def close_hours(db: Session, election: Election, actor: str, now: datetime | None = None, final: bool = False, round_number: int = 1) -> int:
    """Record count events of a round for every closed hour not yet recorded (all hours
    when ``final``). Returns the number of events written; the caller commits. Only the
    round being voted (close.check_recordable). The write lock first (begin_write): the page
    records the hours while desks and boxes write, and a reader upgrading to the writer after
    them is refused at once on SQLite ("database is locked")."""
    begin_write(db)
    check_recordable(db, election, round_number)
    # The chain's lock (as record_event takes it) before reading what is recorded: two closes at
    # once (the first papers of two counters, PostgreSQL) write each hour once, not twice.
    lock_chain_head(db, election)
    current = hour_stamp(now or utcnow())
    done_i = _recorded(db, election, ek.POLLING_ISSUANCE_HOUR_RECORDED, round_number)
    done_d = _recorded(db, election, ek.POLLING_DEPOSIT_HOUR_RECORDED, round_number)
    spoils: dict[tuple[str, str], int] = Counter()
    for name, hour in db.execute(select(PollingStation.name, SpoilRecord.hour).join(PollingStation, PollingStation.id == SpoilRecord.station_id).where(
            SpoilRecord.election_id == election.id, SpoilRecord.round_number == round_number)):
        spoils[(name, hour)] += 1
    written = 0
    per = issued_by_station_hour(db, election, round_number)
    keys = set((s, h) for s, c in per.items() for h in c) | set(spoils)
    for station, hour in sorted(keys):
        if (station, hour) in done_i or (hour >= current and not final):
            continue
        record_event(db, election, ek.POLLING_ISSUANCE_HOUR_RECORDED, {"round": round_number, "station": station, "hour": hour,
                                                     "issued": per.get(station, Counter())[hour],
                                                     "spoiled": spoils.get((station, hour), 0)}, actor, at=hour)
        written += 1
    deposits = db.execute(
        select(BallotBox.label, Receipt.deposited_hour, func.count()).join(BallotBox, BallotBox.id == Receipt.box_id)
        .where(Receipt.election_id == election.id, Receipt.round_number == round_number, Receipt.state == "deposited")
        .group_by(BallotBox.label, Receipt.deposited_hour)
    ).all()
    for box, deposited_hour, n in sorted(deposits):
        if deposited_hour is None or (box, deposited_hour) in done_d or (deposited_hour >= current and not final):
            continue
        record_event(db, election, ek.POLLING_DEPOSIT_HOUR_RECORDED, {"round": round_number, "box": box, "hour": deposited_hour, "deposited": n},
                     actor, at=deposited_hour)
        written += 1
    return written


def poll_closed(db: Session, election: Election, round_number: int) -> bool:
    """Whether the round's poll was closed (its polling.closed event written)."""
    return poll_closed_at(db, election, round_number) is not None


def poll_closed_at(db: Session, election: Election, round_number: int) -> datetime | None:
    """When the round's polling.closed event was written, or None."""
    rows = db.execute(select(ElectionEvent.payload, ElectionEvent.at).where(
        ElectionEvent.election_id == election.id, ElectionEvent.kind == ek.POLLING_CLOSED))
    for payload, at in rows:
        if int(payload.get("round", 1)) == round_number:
            moment = datetime.fromisoformat(at) if at else utcnow()
            return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)
    return None


def _record_closed(db: Session, election: Election, actor: str, round_number: int, reason: str = "") -> None:
    # The base of turnout fixed in the chain before any paper is counted: a bundle's
    # registered_voters must equal it (verify.py result_event), so it cannot be moved once
    # the result is known to make the round void or valid. Written once per round.
    if not poll_closed(db, election, round_number):
        record_event(db, election, ek.POLLING_CLOSED,
                     {"round": round_number, "registered_voters": round_electors(db, election, round_number)}, actor, reason)


def close_before_counting(db: Session, election: Election, actor: str, round_number: int) -> None:
    """Called before a round's counting event (its first paper, the tally board, the result):
    the close of poll's records in the chain before it -- every hour's counts of the round
    (the round being voted only) and, unless the committee closed the poll already, polling.closed
    with the round's electors. Both verifiers refuse a round counted without a close before its
    first counting event, and hold the bundle's issuance and stubs to the hourly counts recorded
    before the count began (docs/PROTOCOL.md §9). The storage scrub is the committee's close of
    poll (close_of_poll). The caller commits."""
    # The round's row first (rows first, docs/ARCHITECTURE.md): desks and boxes refuse its
    # papers from now on, and those under way commit before the hours are counted.
    mark_poll_closed(db, election, round_number, utcnow())
    # The chain head's lock, taken here rather than at the first record_event: still after the
    # caller's own rows (docs/ARCHITECTURE.md, lock order), and a close written meanwhile by
    # another counter is seen once it is held (PostgreSQL).
    lock_chain_head(db, election)
    if round_number == current_round(db, election).number:
        close_hours(db, election, actor, final=True, round_number=round_number)
    _record_closed(db, election, actor, round_number, "计票开始：本轮投票结束")


def close_of_poll(db: Session, election: Election, actor: str, round_number: int) -> tuple[int, ScrubReport]:
    """The close of poll: every hour's counts of the round recorded (final), the round's
    electors recorded (polling.closed, once) and committed, then storage keeps no order of
    check-ins and deposits (polling.scrub, issue 15). Returns the events written and the
    scrub's report. Desks and boxes refuse the round's papers from then on (its row marked
    closed first: those under way are committed and counted, later ones refused). Commits."""
    begin_write(db)
    check_recordable(db, election, round_number)
    mark_poll_closed(db, election, round_number, utcnow())
    written = close_hours(db, election, actor, final=True, round_number=round_number)
    _record_closed(db, election, actor, round_number)
    db.commit()
    return written, scrub(db, election, actor)
