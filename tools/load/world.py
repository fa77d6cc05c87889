"""The polling day's data, written through the project's services before the server
starts: per community an election whose voting day is today (the project clock), a roll
frozen, formal candidates, a station with desks and two boxes, users for each role, and
printed papers whose stub and body codes are kept as a scanner would read them (the PDF
itself is not drawn: printing has its own bench)."""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

PASSWORD = "load-amber-lantern-47"
ROLES = ("clerk", "scrutineer", "counter", "committee")


@dataclass
class Community:
    key: str
    election_id: int
    uid: str
    desk_ids: list[int]
    box_ids: list[int]
    voters: list[tuple[int, str]]  # (resident id, card code)
    papers: list[tuple[str, str]]  # (stub QR text, body QR text)
    entry_fields: dict[str, str] = field(default_factory=dict)  # the marks every counter enters

    def user(self, role: str) -> str:
        return f"{self.key}_{role}"


def build(db: Session, data_key: str, n: int, desks: int, voters: int) -> list[Community]:
    from election import clock
    from election.accounts.service import create_user
    from election.models import Candidate, Election, Household, Resident
    from election.polling import printing
    from election.polling.stations import create_station
    from election.settings import posts_of
    from election.setup.service import ElectionDraft, create_community, create_election

    out = []
    for c in range(n):
        key = f"load{c}"
        community = create_community(db, f"负载测试第{c + 1}社区", "负载测试街道", voters)
        election = create_election(db, "load", community, ElectionDraft(
            title=f"负载测试第{c + 1}社区换届选举", election_day=date.fromordinal(clock.today().toordinal() + 20),
            method="direct", preset="national", jwh_deputies=1, jwh_members=3, jdw_deputies=0, jdw_members=2), data_key)
        house = Household(election_id=election.id, number="1", building="1栋", group_name="第一居民小组")
        db.add(house)
        db.flush()
        db.execute(insert(Resident), [
            {"election_id": election.id, "household_id": house.id, "name": f"居民{c}号{i}", "sex": "女" if i % 2 else "男",
             "birth_date": date(1960 + i % 40, 1, 1), "id_cipher": "-", "id_hash": f"{election.id:08d}{i:056d}",
             "id_masked": f"110101********{i % 10000:04d}", "category": "hukou", "status": "registered", "eligible": True,
             "voter_number": i + 1, "card_code": f"L{c:02d}V{i:07d}", "group_name": "第一居民小组"}
            for i in range(voters)
        ])
        rows = db.execute(select(Resident.id, Resident.card_code).where(Resident.election_id == election.id)
                          .order_by(Resident.id)).all()
        it = iter([r[0] for r in rows])
        fields = {}
        for post in posts_of(election):
            for order in range(post.seats + 1):
                candidate = Candidate(election_id=election.id, resident_id=next(it), post=post.key, status="formal",
                                      ballot_order=order + 1)
                db.add(candidate)
                db.flush()
                fields[f"m-{post.key}-{candidate.id}"] = "1" if order < post.seats else "0"
        station = create_station(db, election, "load", "第一投票站", desks=desks, boxes=2)
        for role in ROLES:
            create_user(db, f"{key}_{role}", PASSWORD, role, community=community)
        db.commit()
        papers = _print(db, election, data_key, voters, printing)
        # Polling day: the voting day is today and the roll is frozen (its own workflow is
        # tested elsewhere; here it only has to be so).
        from election.models import utcnow
        e = db.get_one(Election, election.id)
        e.election_day = clock.today()
        e.roll_frozen_at = utcnow()
        db.commit()
        out.append(Community(key, election.id, election.uid, [d.id for d in station.desks], [b.id for b in station.boxes],
                             [(r[0], r[1] or "") for r in rows], papers, fields))
    return out


def _print(db: Session, election, data_key: str, n: int, printing) -> list[tuple[str, str]]:
    """Print ``n`` papers through the service, keeping each paper's (stub QR, body QR)."""
    seen: list[tuple[str, str]] = []
    real = printing.render_ballots

    def capture(spec, papers, out, progress=None, *, total=None, progress_every=100):
        for p in papers:
            seen.append((p.t_qr, p.a_qr))
        return len(seen)

    printing.render_ballots = capture
    try:
        printing.print_papers(db, election, n, io.BytesIO(), "load", data_key, "HTTPS://JX.EXAMPLE.CN/R")
        db.commit()
    finally:
        printing.render_ballots = real
    return seen
