"""A whole election run without the browser (``juxuan demo --simulate``) and the
fixture of the ledger tests: stations and boxes, candidates, a round, printed papers
(manifest recorded in the chain), issuance, deposits by the hour and counted records
with random marks, then the result.

Printing, deposits and counting are done here with direct, protocol-correct inserts
(sorted hash order, hour-only deposit stamps, no voter linked to any code) so the
ledger does not depend on the order in which the other capabilities land; the codes T
are returned to the caller only so a test can play the resident (never stored).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Update, insert, update
from sqlalchemy.orm import Session

from ..ledger.events import record_event
from ..models import (
    AuditCode,
    BallotBox,
    Candidate,
    Election,
    Household,
    Issuance,
    PollingStation,
    Receipt,
    Resident,
    Round,
    SpoilRecord,
)
from ..polling.turnout import close_before_counting
from ..protocol import codes
from ..protocol import event_kinds as ek
from ..protocol.manifest import make_manifest
from ..settings import post_specs_of

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


@dataclass
class Simulated:
    election: Election
    deposited_codes: dict[str, bytes] = field(default_factory=dict)  # R -> T (test use only)
    undeposited_codes: dict[str, bytes] = field(default_factory=dict)  # printed, taken home
    candidates: dict[str, list[str]] = field(default_factory=dict)  # post -> person ids
    names: dict[str, str] = field(default_factory=dict)  # person id -> name


def _resident(db: Session, election: Election, household: Household, rng: random.Random, n: int) -> Resident:
    r = Resident(election_id=election.id, household_id=household.id,
                 name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN), sex=rng.choice("男女"),
                 birth_date=date(1960 + n % 40, 1 + n % 12, 1 + n % 28), id_cipher="", id_hash=f"sim{election.id}-{n}",
                 id_masked="(模拟)", category="hukou", status="registered", eligible=True, voter_number=n + 1)
    db.add(r)
    return r


def simulate(db: Session, election: Election, voters: int = 120, seed: int = 1,
             box_plan: dict[str, tuple[str, float]] | None = None, actor: str = "simulate",
             extra_papers: int = 10, url_prefix: str = "HTTPS://JX.EXAMPLE.CN/R") -> Simulated:
    """Run the election. ``box_plan``: box label -> (station name, share of the voters)."""
    rng = random.Random(seed)
    plan = box_plan or {"A": ("第一投票站", 0.55), "B": ("第一投票站", 0.1), "C": ("第二投票站", 0.35)}
    out = Simulated(election)

    # Roll and candidates.
    hh = Household(election_id=election.id, number="sim-1", building="1")
    db.add(hh)
    db.flush()
    people = [_resident(db, election, hh, rng, i) for i in range(voters)]
    db.flush()
    posts = {}
    pool = iter(people)
    for spec in post_specs_of(election):
        ids = []
        for order in range(spec.seats + 1):
            person = next(pool)
            c = Candidate(election_id=election.id, resident_id=person.id, post=spec.key, status="confirmed", ballot_order=order + 1)
            db.add(c)
            db.flush()
            ids.append(c.id)
            out.candidates.setdefault(spec.key, []).append(str(person.id))
            out.names[str(person.id)] = person.name
        posts[spec.key] = {"seats": spec.seats, "candidates": ids}
    db.add(Round(election_id=election.id, number=1, kind="main", posts=posts, status="open"))

    # Stations and boxes.
    stations: dict[str, PollingStation] = {}
    boxes: dict[str, BallotBox] = {}
    for label, (st_name, _) in plan.items():
        if st_name not in stations:
            stations[st_name] = PollingStation(election_id=election.id, name=st_name)
            db.add(stations[st_name])
            db.flush()
        boxes[label] = BallotBox(election_id=election.id, station_id=stations[st_name].id, label=label)
        db.add(boxes[label])
    db.flush()

    # Printing: T and A unlinked; the server keeps the hashes only, in sorted order.
    n_print = voters + extra_papers
    ts = [codes.new_code() for _ in range(n_print)]
    as_ = [codes.new_code() for _ in range(n_print)]
    r_of = codes.hasher(codes.RECEIPT_TAG, election.uid)
    d_of = codes.hasher(codes.AUDIT_TAG, election.uid)
    rs = [r_of(t) for t in ts]
    ds = [d_of(a) for a in as_]
    man = make_manifest(election.uid, rs, ds, batch=0)
    db.execute(insert(Receipt), [{"election_id": election.id, "r_hash": r, "round_number": 1, "batch": 0, "state": "printed"}
                                 for r in man.receipts])
    db.execute(insert(AuditCode), [{"election_id": election.id, "d_hash": d, "round_number": 1, "batch": 0, "state": "printed"}
                                   for d in man.audits])
    record_event(db, election, ek.BALLOTS_PRINTED, {"batch": 0, "digest": man.digest, "receipt_count": n_print,
                                            "audit_count": n_print, "round": 1, "simulated": True}, actor, "模拟印制选票")

    # Issuance, deposits, counting. Papers are handed out in random order (rng) so the
    # paper a voter gets has nothing to do with their position on the roll.
    paper_order = list(range(n_print))
    rng.shuffle(paper_order)
    labels = list(plan)
    shares = [plan[b][1] for b in labels]
    turnout = [p for p in people if rng.random() < 0.92]
    for k, person in enumerate(turnout):
        label = rng.choices(labels, shares)[0]
        box = boxes[label]
        i = paper_order[k]
        db.add(Issuance(election_id=election.id, round_number=1, voter_id=person.id, station_id=box.station_id, clerk=actor))
        hour = f"{election.election_day.isoformat()}T{8 + k * 9 // max(1, len(turnout)):02d}"
        db.execute(_update(Receipt).where(Receipt.election_id == election.id, Receipt.r_hash == rs[i])
                   .values(state="deposited", box_id=box.id, deposited_hour=hour))
        db.execute(_update(AuditCode).where(AuditCode.election_id == election.id, AuditCode.d_hash == ds[i])
                   .values(state="counted", box_id=box.id, marks=_marks(rng, posts, out.candidates)))
        out.deposited_codes[rs[i]] = ts[i]
    # Two papers spoiled at the first station's desk (写错换票, as polling.deposit.spoil records
    # it): handed out there, stub and body voided, one SpoilRecord each -- the close of poll
    # counts them in the station's hourly `spoiled`, which the verifiers hold spoiled.json to.
    first_station = next(iter(stations.values()))
    spoiled = paper_order[len(turnout): len(turnout) + 2]
    for i in spoiled:
        db.execute(_update(Receipt).where(Receipt.election_id == election.id, Receipt.r_hash == rs[i])
                   .values(state="spoiled", handed_station_id=first_station.id))
        db.execute(_update(AuditCode).where(AuditCode.election_id == election.id, AuditCode.d_hash == ds[i]).values(state="voided"))
        db.add(SpoilRecord(election_id=election.id, round_number=1, station_id=first_station.id,
                           hour=f"{election.election_day.isoformat()}T09"))
    # Two papers issued at the first station but never deposited (taken home).
    taken = paper_order[len(turnout) + 2: len(turnout) + 4]
    extra_voters = [p for p in people if p not in turnout][: len(taken)]
    for i, person in zip(taken, extra_voters):
        db.add(Issuance(election_id=election.id, round_number=1, voter_id=person.id, station_id=first_station.id, clerk=actor))
        out.undeposited_codes[rs[i]] = ts[i]
    for i in paper_order[len(turnout) + 2 + len(extra_voters):]:
        db.execute(_update(Receipt).where(Receipt.election_id == election.id, Receipt.r_hash == rs[i]).values(state="unused"))
        db.execute(_update(AuditCode).where(AuditCode.election_id == election.id, AuditCode.d_hash == ds[i]).values(state="voided"))
    db.flush()
    close_before_counting(db, election, actor, 1)  # the close of poll in the chain before the count
    for label in boxes:
        record_event(db, election, ek.COUNTING_BOX_COUNTED, {"box": label}, actor, "模拟计票",
                     at=f"{election.election_day.isoformat()}T18")
    db.flush()
    return out


def _marks(rng: random.Random, posts: dict, candidates: dict[str, list[str]]) -> dict:
    """Random marks with a clear favourite for every seat: the first ``seats`` candidates
    are approved on most papers, the others on a few; never more approvals than seats."""
    marks = {}
    for key, info in posts.items():
        seats = info["seats"]
        chosen = [p for j, p in enumerate(candidates[key]) if rng.random() < (0.8 if j < seats else 0.25)]
        rng.shuffle(chosen)
        marks[key] = {"approve": sorted(chosen[:seats]), "oppose": [], "write_ins": [], "unreadable": False}
    return marks


def _update(model: type[Receipt] | type[AuditCode]) -> Update:
    """An UPDATE of the model's rows that leaves the session's objects alone (bulk inserts)."""
    return update(model).execution_options(synchronize_session=False)
