"""A round voted end to end through the services, the way the pages do it: papers printed
(codes captured as a scanner reads them), one issued per voter at a desk, stubs deposited,
papers entered, unused papers voided, the hand tally board entered and the result
published. Publishing round 1 with a seat unfilled (or a tie) makes round 2."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from election.counting.result import enter_board, publish_result, running_tally
from election.counting.service import ballot_of, enter_scanned
from election.models import Candidate, Election, PollingStation, Resident, RoundResult
from election.polling import deposit, handout, issuance
from election.polling.stations import create_station
from tests.factories import add_voters
from tests.polling.helpers import add_candidates, polling_day, print_capturing

# Approvals of one paper: {post: [candidate positions on the paper]}.
Marks = dict[str, list[int]]


@dataclass
class Election2:
    election: Election
    voters: list[Resident]
    station: PollingStation
    names: dict[str, list[str]]  # post -> candidate names in ballot order (round 1)
    papers: dict[int, list[tuple[str, str]]] = field(default_factory=dict)  # round -> (stub QR, body QR) deposited
    taken_home: dict[int, list[tuple[str, str]]] = field(default_factory=dict)  # issued, never deposited


def setup(db, election: Election, voters: int = 40) -> Election2:
    people = add_voters(db, election, voters)
    for i, person in enumerate(people):
        person.sex = "女" if i % 2 else "男"  # a woman is elected to the 居委会 in round 1
    names = add_candidates(db, election, people[:20])
    station = create_station(db, election, "t", "第一投票站", desks=2, boxes=2)
    db.commit()
    return Election2(election, people, station, names)


def fields_for(db, election: Election, number: int, marks: Marks) -> dict[str, str]:
    """The entry form of round ``number`` for one paper: 1 for the approved positions, 0 else."""
    out = {}
    for spec, cands in ballot_of(db, election, number).posts:
        for pos, c in enumerate(cands):
            # "oppose:<post>" lists the positions marked 反对 (2).
            out[f"m-{spec.key}-{c.id}"] = ("1" if pos in marks.get(spec.key, []) else
                                           "2" if pos in marks.get(f"oppose:{spec.key}", []) else "0")
    return out


def vote_round(db, w: Election2, monkeypatch, number: int, voters: list[Resident], marks_of: Callable[[int], Marks],
               take_home: int = 0, spoil: int = 0, unused: int = 1, publish: bool = True,
               data_key: str | None = None, out=None, count: bool = True) -> RoundResult | None:
    """Print, issue, deposit, then count and publish round ``number``: voter i gets one paper,
    marked marks_of(i); the first ``take_home`` voters keep theirs; ``spoil`` voters spoil
    one and take a new one; ``unused`` papers are voided at close. ``out``: the printed PDF
    is written there too (else the drawing is skipped). ``count=False``: the papers are in
    the boxes and the poll still open (count_round counts them later)."""
    election = w.election
    papers = print_capturing(db, election, len(voters) + spoil + unused, monkeypatch, data_key, round_number=number,
                            out=out)
    desk, boxes = w.station.desks[0], w.station.boxes
    it = iter(papers)
    w.papers[number], w.taken_home[number] = [], []
    for i, voter in enumerate(voters):
        with polling_day(db, election, number):
            issuance.issue_ballot(db, election, desk.id, voter.id, "a_clerk", round_number=number)
        if i < spoil:
            stub, body = next(it)
            handout.hand_out(db, election, w.station.id, stub)
            deposit.spoil(db, election, w.station.id, stub, body)
        stub, body = next(it)
        handout.hand_out(db, election, w.station.id, stub)
        if i < take_home:
            w.taken_home[number].append((stub, body))
            continue
        box = boxes[i % len(boxes)]
        deposit.deposit(db, election, box.id, stub)
        w.papers[number].append((stub, body))
    for stub, body in it:
        deposit.void_unused(db, election, stub, body)
    if not count:
        return None
    count_round(db, w, number, marks_of, take_home)
    if not publish:
        return None
    running = running_tally(db, election, number)
    enter_board(db, election, number, {p["key"]: {r["person"]: r["votes"] for r in p["rows"]} for p in running["posts"]},
                "a_scrutineer")
    row = publish_result(db, election, number, "a_committee")
    db.commit()
    return row


def count_round(db, w: Election2, number: int, marks_of: Callable[[int], Marks], take_home: int = 0) -> None:
    """Enter every paper vote_round put in the boxes (the first closes the round's poll)."""
    boxes = w.station.boxes
    for i, (_stub, body) in enumerate(w.papers[number]):
        k = i + take_home  # the voter whose paper it is: the first take_home kept theirs
        enter_scanned(db, w.election, boxes[k % len(boxes)].id, body, fields_for(db, w.election, number, marks_of(k)),
                      "a_counter", number)
        db.commit()


def candidates_of(db, election: Election, post: str) -> list[Candidate]:
    return list(db.query(Candidate).filter(Candidate.election_id == election.id, Candidate.post == post)
                .order_by(Candidate.ballot_order, Candidate.id))
