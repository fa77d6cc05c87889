"""Issue 15, must show 2 (bundle half): a public bundle names no write-in below the
rulebook's minimum (``write_in_public_min``, default 5) — not in totals.json, not in a box
group — and the verifier catches a bundle that does, or that hides a
write-in who reached it."""
from __future__ import annotations

import json

from sqlalchemy import select

from election.ledger import keys
from election.models import AuditCode, Resident
from election.protocol import bundle
from election.protocol.writeins import OTHER
from election.rules.rulebook import Rulebook
from tests.conftest import DATA_KEY
from tests.ledger.helpers import export, simulated
from tools.verify import run

POST = "jwh_weiyuan"


def _write_in(db, sim, n_popular: int, n_rare: int) -> tuple[str, str]:
    """Write in one person on ``n_popular`` papers and another on ``n_rare`` (on papers with
    a seat left, so each write-in counts), straight into the records."""
    listed = {p for ps in sim.candidates.values() for p in ps}
    others = [str(r.id) for r in db.scalars(
        select(Resident).where(Resident.election_id == sim.election.id).order_by(Resident.id)) if str(r.id) not in listed]
    popular, rare = others[0], others[1]
    rows = list(db.scalars(select(AuditCode).where(AuditCode.election_id == sim.election.id,
                                                   AuditCode.state == "counted").order_by(AuditCode.d_hash)))
    need = [popular] * n_popular + [rare] * n_rare
    for row in rows:
        if not need:
            break
        marks = json.loads(json.dumps(row.marks))
        post = marks[POST]
        if len(post["approve"]) + len(post["write_ins"]) < 3:  # jwh_weiyuan has 3 seats here
            post["write_ins"] = [need.pop()]
            row.marks = marks
    assert not need
    db.commit()
    return popular, rare


def test_public_bundle_names_no_write_in_below_the_minimum(db):
    sim = simulated(db)
    minimum = Rulebook.from_dict(sim.election.rulebook).write_in_public_min
    assert minimum == 5
    popular, rare = _write_in(db, sim, minimum + 1, minimum - 3)
    data = export(db, sim.election, auditor=False)
    files = bundle.read_files(data)
    totals = json.loads(files["totals.json"])
    votes = totals["posts"][POST]
    assert votes[popular] == minimum + 1 and votes[OTHER] == minimum - 3 and rare not in votes
    for group in json.loads(files["box_totals.json"]):
        assert rare not in group["posts"][POST]
    assert sum(g["posts"][POST].get(OTHER, 0) for g in json.loads(files["box_totals.json"])) == minimum - 3
    checks = {c.name_en: c for c in run(data)}
    assert all(c.ok for c in checks.values()), [c for c in checks.values() if not c.ok]
    assert checks["winners"].ok  # the winners check holds the minimum too


def test_verifier_refuses_a_named_rare_write_in_and_a_hidden_popular_one(db):
    sim = simulated(db)
    popular, rare = _write_in(db, sim, 6, 2)
    key = keys.private_key(db, sim.election, DATA_KEY)
    files = bundle.read_files(export(db, sim.election, auditor=True))

    def resealed(change) -> dict[str, str]:
        copy = dict(files)
        totals, groups = json.loads(copy["totals.json"]), json.loads(copy["box_totals.json"])
        change(totals["posts"][POST])
        for g in groups:
            change(g["posts"][POST])
        copy["totals.json"] = bundle.canonical_json(totals) + b"\n"
        copy["box_totals.json"] = bundle.canonical_json(groups) + b"\n"
        data = bundle.write_files(bundle.seal_files(copy, key, "2026-11-25"))
        return {c.name_en: c.detail for c in run(data) if not c.ok}

    def name_rare(row):
        if row.get(OTHER):
            row[rare] = row.pop(OTHER)

    def hide_popular(row):
        if popular in row:
            row[OTHER] = row.get(OTHER, 0) + row.pop(popular)

    # Named below the minimum: the public half (the winners check) refuses it.
    failed = resealed(name_rare)
    assert "winners" in failed and rare in failed["winners"] and "公布门槛" in failed["winners"]
    # Hidden although it reached the minimum: only the records show it (the recount check).
    failed = resealed(hide_popular)
    assert "recount" in failed and popular in failed["recount"] and OTHER in failed["recount"]
    assert "winners" not in failed  # the public bundle alone cannot see a hidden write-in
    assert resealed(lambda row: None) == {}


def test_published_result_and_its_bundle_merge_rare_write_ins(db, world, monkeypatch):
    """Through the services: a round with a popular and a rare write-in is counted, the board
    entered and the result published; the public bundle verifies (the chain's result event
    merges exactly as totals.json) and neither it nor the chain names the rare write-in."""
    from election.counting.result import enter_board, publish_result, running_tally
    from election.ledger.events import events_of
    from tests.counting.voting import setup, vote_round

    w = setup(db, world["a"]["election"])
    election = w.election
    vote_round(db, w, monkeypatch, 1, w.voters[:30], lambda i: {"jwh_weiyuan": [0, 1, 2], "jwh_zhuren": [0]}, publish=False)
    popular, rare = str(w.voters[35].id), str(w.voters[36].id)
    rows = list(db.scalars(select(AuditCode).where(AuditCode.election_id == election.id,
                                                   AuditCode.state == "counted").order_by(AuditCode.d_hash)))
    for i, row in enumerate(rows[:8]):
        marks = json.loads(json.dumps(row.marks))
        # Every seat is filled by the printed candidates: no write-in reaches a run-off, where
        # the result would name them whatever their votes.
        marks[POST]["approve"] = sorted(marks[POST]["approve"])[:2]
        marks[POST]["write_ins"] = [popular if i < 6 else rare]
        row.marks = marks
    db.commit()
    running = running_tally(db, election, 1)
    enter_board(db, election, 1, {p["key"]: {r["person"]: r["votes"] for r in p["rows"]} for p in running["posts"]},
                "a_scrutineer")
    publish_result(db, election, 1, "a_committee")
    db.commit()
    event = next(e for e in events_of(db, election) if e.kind == "result.published")
    votes = event.payload["posts"][POST]["votes"]
    assert votes[popular] == 6 and votes[OTHER] == 2 and rare not in votes
    board = next(e for e in events_of(db, election) if e.kind == "counting.tally_board_entered")
    assert rare not in board.payload["totals"][POST] and board.payload["totals"][POST][OTHER] == 2
    data = export(db, election, auditor=False)
    totals = json.loads(bundle.read_files(data)["totals.json"])
    assert totals["posts"][POST][OTHER] == 2 and rare not in totals["posts"][POST]
    failed = {c.name_en: c.detail for c in run(data) if not c.ok}
    assert failed == {}, failed
