"""A write-in (另选他人) is on no published list: the name and sex the result was decided with
are anchored in the chain by result.write_ins_named, written just before the round's
result.published, for the write-ins the public votes name (issue 15: never one merged into
其他（另选他人）). The bundle's tally_input.json lists them (write_ins) as anchored; renamed,
re-sexed or dropped there and re-sealed with the election's key, the winners check fails."""

from __future__ import annotations

import json

from sqlalchemy import select

from election.counting.result import enter_board, publish_result, running_tally
from election.ledger import keys
from election.ledger.events import events_of
from election.models import AuditCode
from election.protocol import bundle
from election.protocol.writeins import OTHER
from election.publication.bundle import export_bundle
from tests.conftest import DATA_KEY
from tests.counting.voting import setup, vote_round
from tools.verify import run

POST = "jwh_weiyuan"


def test_a_written_in_member_is_anchored_and_a_bundle_changing_him_fails(db, world, monkeypatch):
    w = setup(db, world["a"]["election"])
    election = w.election
    vote_round(db, w, monkeypatch, 1, w.voters[:30], lambda i: {"jwh_weiyuan": [0, 1, 2], "jwh_zhuren": [0]}, publish=False)
    popular, rare = w.voters[35], w.voters[36]
    rows = list(
        db.scalars(
            select(AuditCode).where(AuditCode.election_id == election.id, AuditCode.state == "counted").order_by(AuditCode.d_hash)
        )
    )
    for i, row in enumerate(rows[:22]):
        marks = json.loads(json.dumps(row.marks))
        marks[POST]["approve"] = sorted(marks[POST]["approve"])[:2]
        marks[POST]["write_ins"] = [str((popular if i < 20 else rare).id)]
        row.marks = marks
    db.commit()
    running = running_tally(db, election, 1)
    enter_board(
        db, election, 1, {p["key"]: {r["person"]: r["votes"] for r in p["rows"]} for p in running["posts"]}, "a_scrutineer"
    )
    published = publish_result(db, election, 1, "a_committee")
    db.commit()
    assert str(popular.id) in [e["person"] for e in published.result["posts"][POST]["elected"]]
    events = events_of(db, election)
    at = next(i for i, e in enumerate(events) if e.kind == "result.published")
    anchor = events[at - 1]
    # The anchor names the elected write-in only: the rare one is merged into OTHER (issue 15).
    assert anchor.kind == "result.write_ins_named" and anchor.payload["round"] == 1
    assert anchor.payload["write_ins"] == [{"person": str(popular.id), "name": popular.name, "sex": popular.sex}]
    assert events[at].payload["posts"][POST]["votes"][OTHER] == 2

    data = export_bundle(db, election, DATA_KEY, "committee", auditor=True).data
    db.commit()
    files = bundle.read_files(data)
    assert json.loads(files["tally_input.json"])["write_ins"] == anchor.payload["write_ins"]
    assert rare.name not in files["tally_input.json"].decode("utf-8") and str(rare.id) not in files["tally_input.json"].decode()
    assert [c.name_en for c in run(data) if not c.ok] == []
    key = keys.private_key(db, election, DATA_KEY)

    def resealed(change) -> dict[str, str]:
        copy = dict(files)
        ti = json.loads(copy["tally_input.json"])
        change(ti)
        copy["tally_input.json"] = bundle.canonical_json(ti) + b"\n"
        return {c.name_en: c.detail for c in run(bundle.write_files(bundle.seal_files(copy, key, "2026-11-25"))) if not c.ok}

    other_sex = "男" if popular.sex == "女" else "女"
    for change in (
        lambda ti: ti["write_ins"][0].update(name="冒名"),
        lambda ti: ti["write_ins"][0].update(sex=other_sex),
        lambda ti: ti.pop("write_ins"),
    ):
        failed = resealed(change)
        assert list(failed) == ["winners"] and str(popular.id) in failed["winners"], failed
    assert resealed(lambda ti: None) == {}
