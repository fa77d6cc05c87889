"""The by-election (补选, issue 20): a member resigns, the seat is vacant; the by-election is a
new round with seats = vacancies, nominated (differential) and published through the
run-off's nomination path, voted and counted with the first round's thresholds; the woman
member rule reserves the seat when the resigning member was the only woman; the member
elected fills the seat on the composition; the round's bundle verifies and carries the
between-elections events in its chain."""
from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from datetime import timedelta
from io import BytesIO

import pytest

from election.audit import service as audit_service
from election.clock import today
from election.counting.service import ballot_of
from election.errors import UserError
from election.ledger.events import events_of
from election.mandates import by_election
from election.mandates import service as mandates
from election.nomination import round_candidates
from election.publication.bundle import export_bundle
from tests.audit import seeding
from tests.audit.test_rla_service import SEED, _enter_all, _sealed
from tests.conftest import DATA_KEY
from tests.counting import voting
from tests.meetings.test_vacancy_and_recall import _key, elected_committee
from tests.protocol.test_two_verifiers import BROWSER_NOT_RUN, ROOT
from tools import verify

ALL = {"jwh_zhuren": [0], "jwh_fu_zhuren": [0], "jwh_weiyuan": [0, 1, 2], "jdw_zhuren": [0], "jdw_weiyuan": [0, 1]}


def _browser_verifier_agrees(data: bytes, checks, tmp_path) -> None:
    """The browser verifier (run by Node) passes the by-election's bundle on every check it runs."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node (>= 20) is not installed")
    path = tmp_path / "by-election.zip"
    path.write_bytes(data)
    out = subprocess.run([node, str(ROOT / "tools/verify/web/cli.js"), "--json", str(path)],
                         capture_output=True, text=True, check=False, timeout=120)
    verdict = json.loads(out.stdout)
    assert out.returncode == 0 and verdict and all(verdict.values()), verdict
    assert set(verdict) == {c.name_en for c in checks} - set(BROWSER_NOT_RUN)


def test_resignation_then_by_election_fills_the_seat_with_a_woman(db, world, monkeypatch, tmp_path):
    election = world["a"]["election"]
    w = voting.setup(db, election, voters=40)
    voting.vote_round(db, w, monkeypatch, 1, w.voters[:30], lambda i: ALL)
    comp = mandates.composition(db, election)
    assert comp.vacancies == {} and len(comp.serving) == 8
    with pytest.raises(UserError, match="没有出缺的职位"):
        by_election.call_by_election(db, election, today() + timedelta(days=20), "a_committee")
    sex = {r.id: r.sex for r in w.voters}
    women = [m for m in comp.serving if m.post.startswith("jwh_") and sex[m.resident_id] == "女"]
    assert len(women) == 1  # the one woman elected to the 居委会 in round 1 resigns
    for m in women:
        mandates.vacate(db, election, m.key, "resigned", today(), "居民会议决定接受辞职", "a_committee")
    with pytest.raises(UserError, match="任期届满"):
        by_election.call_by_election(db, election, by_election.term_ends(election), "a_committee")
    rnd = by_election.call_by_election(db, election, today() + timedelta(days=20), "a_committee")
    db.commit()
    assert (rnd.number, rnd.kind, rnd.status) == (2, "byelection", "nominating")
    seats = mandates.composition(db, election).vacancies
    assert {k: v["seats"] for k, v in rnd.posts.items()} == seats
    ev = events_of(db, election)[-1]
    assert ev.kind == "seat.by_election_called" and ev.payload["woman_serving"] is False
    # The woman member rule: one vacant 委员 seat is hers (reserved line); differential list.
    post = next(iter(rnd.posts))
    assert post == "jwh_weiyuan" and rnd.posts[post]["reserved_woman_seats"] == 1
    elected = {m.resident_id for m in mandates.composition(db, election).mandates}
    free = [r for r in w.voters[20:] if r.id not in elected]
    men = [r for r in free if r.sex == "男"]
    wives = [r for r in free if r.sex == "女"]
    assert seats == {post: 1}
    with pytest.raises(UserError, match="须为女性"):
        round_candidates.add_candidate(db, election, post, men[0].name, "居民会议提名", "a_committee")
    round_candidates.add_candidate(db, election, post, wives[0].name, "居民会议提名", "a_committee")
    with pytest.raises(UserError, match="还须提名 1 名"):
        round_candidates.publish_candidates(db, election, "a_committee")
    for r in wives[1:2]:
        round_candidates.add_candidate(db, election, post, r.name, "居民会议提名", "a_committee")
    round_candidates.publish_candidates(db, election, "a_committee")
    db.commit()
    first = ballot_of(db, election, 2).posts[0][1][0]
    row = voting.vote_round(db, w, monkeypatch, 2, w.voters[:30], lambda i: {post: [0]})
    assert row is not None and row.result["round"] == "main" and row.result["next_round"] == "none"
    comp = mandates.composition(db, election)
    newcomer = [m for m in comp.serving if m.round_number == 2]
    assert [(m.name, m.post) for m in newcomer] == [(first.name, post)] and comp.vacancies == {}
    assert first.sex == "女" and len(comp.serving) == 8

    data = export_bundle(db, election, DATA_KEY, "a_committee", auditor=True, round_number=2).data
    db.commit()
    checks = verify.run(data)
    assert checks and all(c.ok for c in checks), [c for c in checks if not c.ok]
    chain = zipfile.ZipFile(BytesIO(data)).read("chain.jsonl").decode().splitlines()
    kinds = [json.loads(line)["kind"] for line in chain]
    assert "seat.vacated" in kinds and "seat.by_election_called" in kinds
    assert "vacancies" in {c.name_en for c in checks}
    _browser_verifier_agrees(data, checks, tmp_path)

    # The by-election's audit works as for an election: sealed, drawn from dice, confirmed.
    _sealed(db, election, round_number=2)
    audit = seeding.start(db, election, SEED, "a_auditor", round_number=2)
    assert audit.round_number == 2 and audit.status != "full_count"
    _enter_all(db, election, audit)
    assert audit_service.conclude(db, election, audit, "a_auditor").status == "confirmed"
    db.commit()
    audited = export_bundle(db, election, DATA_KEY, "a_committee", auditor=True, round_number=2).data
    db.commit()
    final = {c.name_en: c for c in verify.run(audited)}
    assert all(c.ok for c in final.values()) and final["audit_recompute"].ok, [c for c in final.values() if not c.ok]


def test_by_election_refused_while_a_round_is_open(db, world):
    election = world["a"]["election"]
    b = elected_committee(db, election)
    mandates.vacate(db, election, _key(b, "jwh_weiyuan", 0), "died", today(), "", "a_committee")
    by_election.call_by_election(db, election, today() + timedelta(days=10), "a_committee")
    with pytest.raises(UserError, match="第 2 轮投票尚未公布结果"):
        by_election.call_by_election(db, election, today() + timedelta(days=10), "a_committee")


def test_recall_and_meeting_events_verified_in_the_bundle(db, world, monkeypatch):
    from datetime import datetime, time

    from election import clock
    from election.meetings import service as meetings
    from election.recall import service as recalls
    from election.roll.cards import assign_cards

    election = world["a"]["election"]
    w = voting.setup(db, election, voters=40)
    voting.vote_round(db, w, monkeypatch, 1, w.voters[:30], lambda i: ALL)
    assign_cards(db, election, "x")
    member = next(m for m in mandates.composition(db, election).serving if m.post == "jwh_fu_zhuren")
    signers = "\n".join(str(v.voter_number) for v in w.voters[30:38])
    row = recalls.propose(db, election, member.key, "不履行职责", "voters", signers, "a_committee")
    recalls.record_vote(db, election, row.id, 25, 20, today(), "a_committee")
    day = today() + timedelta(days=10)
    m = meetings.convene(db, election, kind="residents", basis="adults", title="议事", agenda="", held_on=day,
                         place="", convened_by="committee", actor="a_committee")
    db.commit()
    clock.pin(datetime.combine(day, time(9, 0), tzinfo=clock.zone()))
    for v in w.voters[:21]:
        meetings.attend(db, election, m.id, str(v.voter_number), "a_committee")
    meetings.decide(db, election, m.id, "同意", 11, 10, 0, "a_committee")
    meetings.close(db, election, m.id, "a_committee")
    db.commit()
    data = export_bundle(db, election, DATA_KEY, "a_committee", auditor=False, round_number=1).data
    db.commit()
    checks = {c.name_en: c for c in verify.run(data)}
    assert all(c.ok for c in checks.values()), [c for c in checks.values() if not c.ok]
    assert {"meeting_decisions", "recall_votes", "vacancies"} <= set(checks)
    assert "1 项罢免要求、1 次投票" in checks["recall_votes"].detail
