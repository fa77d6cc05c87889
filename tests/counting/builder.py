"""A small printed-and-voted election built directly in the database (what the roll,
nomination and polling capabilities would have written): residents, formal candidates,
round 1 with its posts, boxes, issuance, deposited receipts and printed audit codes."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from election.counting.result import enter_board, publish_result, running_tally
from election.counting.service import enter_scanned
from election.models import AuditCode, BallotBox, Candidate, Household, Issuance, PollingStation, Receipt, Resident, Round
from election.pii import PersonalData
from election.protocol.codes import audit_hash, audit_qr, new_code, receipt_hash
from tests.factories import add_resident, id_number

# The first candidate(s) of every post approved on every paper: every seat filled.
ALL_FILLED = {"jwh_zhuren": {0: "1"}, "jwh_fu_zhuren": {0: "1"}, "jwh_weiyuan": {0: "1", 1: "1", 2: "1"},
              "jdw_zhuren": {0: "1"}, "jdw_weiyuan": {0: "1", 1: "1"}}
NAMES = ["张建国", "李秀英", "王明", "刘芳", "陈强", "赵敏", "孙伟", "周丽", "吴刚", "郑洁", "冯涛", "何静"]


@dataclass
class Built:
    residents: list[Resident]
    candidates: dict[str, list[Candidate]]
    boxes: list[BallotBox]
    scans: list[str]  # the ballot-body QR payloads (A), as a scanner reads them
    deposited: dict[int, int] = field(default_factory=dict)


def build(db, election, data_key: str, voters: int = 40, papers: int = 30, boxes: int = 2,
          posts: dict[str, tuple[int, list[int]]] | None = None) -> Built:
    """`posts`: {post: (seats, resident indexes of its candidates)}; voters are registered."""
    pii = PersonalData(data_key)
    house = Household(election_id=election.id, number="1", building="1号楼")
    db.add(house)
    db.flush()
    residents = []
    for i in range(voters):
        birth = date(1960 + i % 40, 1, 1)
        name = NAMES[i] if i < len(NAMES) else f"居民{i:03d}"
        residents.append(add_resident(db, election, house, name, id_number(birth, i), birth=birth,
                                      sex="女" if i % 2 else "男", pii=pii, voter_number=i + 1))
    db.flush()
    posts = posts or {"jwh_zhuren": (1, [0, 1]), "jwh_fu_zhuren": (1, [2, 3]), "jwh_weiyuan": (3, [4, 5, 6, 7, 8]),
                      "jdw_zhuren": (1, [9, 10]), "jdw_weiyuan": (2, [11, 3, 5])}
    cands: dict[str, list[Candidate]] = {}
    for post, (_, idx) in posts.items():
        cands[post] = []
        for order, i in enumerate(idx, 1):
            c = Candidate(election_id=election.id, resident_id=residents[i].id, post=post, status="formal", ballot_order=order)
            db.add(c)
            cands[post].append(c)
    db.flush()
    db.add(Round(election_id=election.id, number=1, kind="main",
                 posts={p: {"seats": s, "candidates": [c.id for c in cands[p]]} for p, (s, _) in posts.items()}))
    station = PollingStation(election_id=election.id, name="第一投票站")
    db.add(station)
    db.flush()
    box_rows = [BallotBox(election_id=election.id, station_id=station.id, label=f"{k + 1}号票箱") for k in range(boxes)]
    db.add_all(box_rows)
    db.flush()
    for i in range(papers):
        db.add(Issuance(election_id=election.id, round_number=1, voter_id=residents[i].id, station_id=station.id, clerk="clerk"))
    receipts, audits, scans = [], [], []
    deposited: dict[int, int] = {}
    for i in range(papers):
        t, a = new_code(), new_code()
        box = box_rows[i % boxes]
        deposited[box.id] = deposited.get(box.id, 0) + 1
        receipts.append(Receipt(election_id=election.id, r_hash=receipt_hash(election.uid, t), round_number=1, batch=1,
                                state="deposited", box_id=box.id, deposited_hour="2026-11-23T09"))
        audits.append(AuditCode(election_id=election.id, d_hash=audit_hash(election.uid, a), round_number=1, batch=1))
        scans.append(audit_qr(a))
    for row in sorted(receipts, key=lambda r: r.r_hash) + sorted(audits, key=lambda r: r.d_hash):
        db.add(row)
    db.commit()
    return Built(residents, cands, box_rows, scans, deposited)


def entry_fields(built: Built, marks: dict[str, dict[int, str]], write_ins: dict[str, str] | None = None,
                 unreadable: tuple[str, ...] = ()) -> dict[str, str]:
    """The entry form's fields: marks {post: {candidate position: "1"/"2"/"0"}}."""
    out = {}
    for post, cands in built.candidates.items():
        for pos, c in enumerate(cands):
            out[f"m-{post}-{c.id}"] = marks.get(post, {}).get(pos, "0")
    for post, names in (write_ins or {}).items():
        out[f"w-{post}"] = names
    for post in unreadable:
        out[f"u-{post}"] = "on"
    return out


def add_round_papers(db, election, built: Built, round_number: int, papers: int) -> list[str]:
    """Print-and-vote a later round (what the polling capability does): issuance, deposited
    receipts and printed audit codes for `round_number`; returns the body QR payloads."""
    station_id = built.boxes[0].station_id
    receipts, audits, scans = [], [], []
    for i in range(papers):
        db.add(Issuance(election_id=election.id, round_number=round_number, voter_id=built.residents[i].id,
                        station_id=station_id, clerk="clerk"))
        t, a = new_code(), new_code()
        box = built.boxes[i % len(built.boxes)]
        receipts.append(Receipt(election_id=election.id, r_hash=receipt_hash(election.uid, t), round_number=round_number,
                                batch=1, state="deposited", box_id=box.id, deposited_hour="2026-11-23T15"))
        audits.append(AuditCode(election_id=election.id, d_hash=audit_hash(election.uid, a), round_number=round_number, batch=1))
        scans.append(audit_qr(a))
    for row in sorted(receipts, key=lambda r: r.r_hash) + sorted(audits, key=lambda r: r.d_hash):
        db.add(row)
    db.commit()
    return scans


def mix_boxes(client, url: str, token: str, boxes) -> None:
    """The scrutineers confirm on the entry page ``url`` that each box's papers were mixed."""
    for box in boxes:
        r = client.post(url, data={"csrf_token": token, "action": "mixed", "box": str(box.id), "witnesses": "监票人甲、乙"})
        assert r.status_code == 302


def board_as_counted(db, election, number: int, actor: str = "s") -> None:
    """The tally board's totals entered as the round's records count them (no difference)."""
    running = running_tally(db, election, number)
    enter_board(db, election, number, {p["key"]: {r["person"]: r["votes"] for r in p["rows"]} for p in running["posts"]},
                actor)


def published(db, election, data_key: str, voters: int = 12, papers: int = 8, marks=None) -> Built:
    """Round 1 built, every paper entered with ``marks`` (every seat filled by default), the
    board entered as counted and the result published. Committed."""
    built = build(db, election, data_key, voters=voters, papers=papers, boxes=2)
    for i, scan in enumerate(built.scans):
        enter_scanned(db, election, built.boxes[i % 2].id, scan, entry_fields(built, marks or ALL_FILLED), "c")
    board_as_counted(db, election, 1)
    publish_result(db, election, 1, "a_committee")
    db.commit()
    return built


# What the counting page offers for a round that elected someone (the election's papers).
ELECTION_PAPERS = ("选举结果报告单", "选举结果公告", "当选证书", "报街道备案")


def own_papers_link(app, election, number: int) -> str:
    """The counting page as the committee sees it: the link round ``number``'s section offers
    to its own papers (a motion's meeting, a recall's notice), asserting the section offers none
    of the election's papers (nobody was elected in it) while round 1, which elected, does."""
    from tests.conftest import login

    client = app.test_client()
    login(client, "a_committee")
    before, section = client.get(f"/elections/{election.id}/counting").get_data(as_text=True).split(f'id="round-{number}"')
    assert not [p for p in ELECTION_PAPERS if p in section], section
    assert all(p in before for p in ELECTION_PAPERS)
    return section.split(f'id="own-papers-{number}" href="')[1].split('"')[0]
