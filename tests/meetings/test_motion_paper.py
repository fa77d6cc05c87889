"""A meeting's motion voted on secret paper (issue 20): a 居民代表会议 with its attendance
recorded at the door puts a motion to a round of kind "motion" (motions.service), printed by
Juxuan with the election's receipt and audit codes; only those recorded present take a
paper, one each, and the first paper freezes who they are (a late arrival neither votes nor
changes the base); papers are deposited, entered and counted as an election's; publishing
decides the motion with the meeting's rule (居民代表会议: more than 2/3 of those present
[长春 seed]) and records it as the meeting's decision with its event, which decisions.py
sees; the minutes and the decision notice (read back from their PDFs) say it was by paper;
the round's bundle verifies in both verifiers."""
from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile
from datetime import datetime, time, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from ballots.ballot_paper import render_ballots
from ballots.ballot_spec import PaperCodes
from election import clock
from election.counting import reports, sheets
from election.counting.result import enter_board, publish_result, running_tally
from election.decisions import adopted_decisions
from election.errors import UserError
from election.ledger.events import events_of
from election.meetings import documents
from election.meetings import service as meetings
from election.models import RepArea, Representative
from election.motions import service as motions
from election.polling import issuance, printing
from election.protocol import codes
from election.protocol.canonical import canonical_json
from election.publication.bundle import export_bundle
from election.roll.cards import assign_cards
from tests.audit import seeding
from tests.audit.test_rla_service import SEED, _sealed
from tests.conftest import DATA_KEY
from tests.counting import voting
from tests.counting.builder import own_papers_link
from tests.meetings.test_by_election import ROOT, _browser_verifier_agrees
from tests.polling.helpers import polling_day
from tests.races import rendezvous
from tools import verify

ALL = {"jwh_zhuren": [0], "jwh_fu_zhuren": [0], "jwh_weiyuan": [0, 1, 2], "jdw_zhuren": [0], "jdw_weiyuan": [0, 1]}
MOTION = "同意将社区活动室改建为老年食堂"


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).replace("\n", "").replace(" ", "")


def _meeting(db, election, monkeypatch, reps: int = 15, present: int = 12):
    """Round 1 elected; ``reps`` 居民代表 serving; their meeting convened, held today, with
    the first ``present`` of them recorded at the door."""
    w = voting.setup(db, election, voters=40)
    voting.vote_round(db, w, monkeypatch, 1, w.voters[:30], lambda i: ALL)
    assign_cards(db, election, "x")
    area = RepArea(election_id=election.id, number=1, seats=reps, explanation="")
    db.add(area)
    db.flush()
    for p in w.voters[:reps]:
        db.add(Representative(election_id=election.id, area_id=area.id, resident_id=p.id, since=clock.today()))
    day = clock.today() + timedelta(days=10)
    m = meetings.convene(db, election, kind="representatives", basis="representatives", title="老年食堂议事",
                         agenda="活动室改建", held_on=day, place="活动室", convened_by="committee", actor="a_committee")
    clock.pin(datetime.combine(day, time(9, 0), tzinfo=clock.zone()))
    for p in w.voters[:present]:
        meetings.attend(db, election, m.id, str(p.voter_number), "a_clerk")
    db.commit()
    return w, m


def _board(db, election, number):
    running = running_tally(db, election, number)
    enter_board(db, election, number, {p["key"]: {r["person"]: r["votes"] for r in p["rows"]}
                                       for p in running["posts"]}, "a_scrutineer")


def test_motion_on_paper_from_attendance_to_the_decision(db, world, monkeypatch, tmp_path):
    election = world["a"]["election"]
    w, m = _meeting(db, election, monkeypatch)
    with pytest.raises(UserError, match="不能超过 60 字"):
        motions.call_vote(db, election, m.id, "同意" * 31, "a_committee")
    rnd = motions.call_vote(db, election, m.id, MOTION, "a_committee")
    db.commit()
    assert (rnd.number, rnd.kind, rnd.status, rnd.held_on) == (2, "motion", "open", clock.today())
    called = events_of(db, election)[-1]
    assert called.kind == "meeting.vote_called" and called.payload["present"] == 12
    with pytest.raises(UserError, match="尚未公布结果"):
        motions.call_vote(db, election, m.id, "另一事项", "a_committee")
    db.rollback()

    # The paper read back: the meeting's motion, 赞成/反对, no 另选他人, the protocol's codes.
    (_, spec), = printing.ballot_specs(db, election, 2)
    t, a = codes.new_code(), codes.new_code()
    pdf = io.BytesIO()
    render_ballots(spec, [PaperCodes(codes.human(t), codes.receipt_qr(t, "https://x/r"), codes.audit_qr(a))], pdf)
    text = _text(pdf.getvalue())
    assert "居民代表会议表决票" in text and f"居民代表会议表决：{MOTION}" in text and "会议表决" in text
    assert "赞成的划" in text and "反对的划" in text and "另选他人" not in text.replace("不得另写他人姓名", "")
    assert "居民委员会" in text and "应选" not in text

    # 12 present: 9 agree (more than 2/3 of 12 is 9), 2 disagree, 1 blank.
    def marks(i):
        return {"motion": [0]} if i < 9 else ({"oppose:motion": [0]} if i < 11 else {})

    # The poll still open (the desk's refusals below are of those not present; after the
    # count begins the closed poll is the refusal).
    voting.vote_round(db, w, monkeypatch, 2, w.voters[:12], marks, publish=False, count=False)
    desk = w.station.desks[0]
    # The desk's lookup says who may not take a paper, and why.
    assert issuance.status_of(db, election, w.voters[13], 2).label == f"未在会议登记到会，不能领取“{MOTION}”的表决票"
    assert issuance.status_of(db, election, w.voters[0], 2).label == "已领取选票"
    with polling_day(db, election, 2):
        # A representative not recorded present takes no paper; a late arrival is refused at the door.
        with pytest.raises(UserError, match="未在会议登记到会（表决开始时到会 12 人）"):
            issuance.issue_ballot(db, election, desk.id, w.voters[13].id, "a_clerk", round_number=2)
        with pytest.raises(UserError, match="到会人员已确定为 12 人"):
            meetings.attend(db, election, m.id, str(w.voters[13].voter_number), "a_clerk")
        db.rollback()
        with pytest.raises(UserError, match="已领取选票"):
            issuance.issue_ballot(db, election, desk.id, w.voters[0].id, "a_clerk", round_number=2)
    with pytest.raises(UserError, match="尚未公布结果，公布后才能闭会"):
        meetings.close(db, election, m.id, "a_committee")
    db.rollback()
    voting.count_round(db, w, 2, marks)
    _board(db, election, 2)
    db.commit()
    with pytest.raises(UserError, match="须在会议的页面公布"):
        publish_result(db, election, 2, "a_committee")
    db.rollback()
    decision = motions.publish_vote(db, election, 2, "a_committee")
    db.commit()
    assert (decision.present, decision.in_favour, decision.against, decision.abstain, decision.adopted) == \
        (12, 9, 2, 1, True)
    assert "第 2 轮表决票" in decision.message and "赞成 9 票，反对 2 票，弃权 1 票" in decision.message
    recorded = next(e for e in reversed(events_of(db, election)) if e.kind == "meeting.decision_recorded")
    assert recorded.payload["round"] == 2 and recorded.payload["adopted"] is True
    assert recorded.payload["rule"] == {"key": "rep_meeting_decision", "share": "2/3"}
    assert [(d.id, mt.id) for d, mt in adopted_decisions(db, election, {"representatives": "居民代表会议"})] == \
        [(decision.id, m.id)]
    # After the result, the door is open again (a later motion has its own base).
    meetings.attend(db, election, m.id, str(w.voters[13].voter_number), "a_clerk")

    data = export_bundle(db, election, DATA_KEY, "a_committee", auditor=True, round_number=2).data
    db.commit()
    checks = {c.name_en: c for c in verify.run(data)}
    assert all(c.ok for c in checks.values()), [c for c in checks.values() if not c.ok]
    assert checks["meeting_decisions"].ok and "表决票" in checks["meeting_decisions"].detail
    _browser_verifier_agrees(data, list(checks.values()), tmp_path)
    # totals.json saying the motion failed fails `winners` in both verifiers.
    forged = _forge_question(data)
    assert not checks_of(verify.run(forged))["winners"]
    assert _browser_verdict(forged, tmp_path)["winners"] is False

    # The audit plans the round as an election's: 9 赞成 where 9 adopt leaves no margin, so
    # the street office must count every paper by hand.
    _sealed(db, election, round_number=2)
    audit = seeding.start(db, election, SEED, "a_auditor", round_number=2)
    assert audit.status == "full_count"
    db.commit()

    meetings.close(db, election, m.id, "a_committee")
    db.commit()
    minutes = _text(documents.minutes_pdf(db, election, m.id))
    assert MOTION in minutes and "表决票" in minutes and "第2轮" in minutes
    notice = _text(documents.decisions_pdf(db, election, m.id))
    assert MOTION in notice and "通过" in notice and "表决票" in notice


def checks_of(checks) -> dict[str, bool]:
    return {c.name_en: c.ok for c in checks}


def _forge_question(data: bytes) -> bytes:
    """The bundle with totals.json saying the motion failed (nothing else changed)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "totals.json":
                t = json.loads(body)
                t["result"]["question"]["carried"] = False
                body = canonical_json(t) + b"\n"
            dst.writestr(info, body)
    return out.getvalue()


def _browser_verdict(data: bytes, tmp_path) -> dict[str, bool]:
    """The browser verifier's verdict (run by Node), check by check."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node (>= 20) is not installed")
    path = tmp_path / "forged.zip"
    path.write_bytes(data)
    out = subprocess.run([node, str(ROOT / "tools/verify/web/cli.js"), "--json", str(path)],
                         capture_output=True, text=True, check=False, timeout=120)
    return json.loads(out.stdout)


@pytest.mark.parametrize(("agree", "oppose", "adopted"), [(8, 4, False), (9, 0, True)])
def test_two_thirds_of_those_present_at_the_first_paper(app, db, world, monkeypatch, agree, oppose, adopted):
    """8 of 12 is exactly 2/3: not adopted; 9 with three present who never voted: adopted
    (the base is those present when the first paper was handed out, not the papers)."""
    election = world["a"]["election"]
    w, m = _meeting(db, election, monkeypatch)
    motions.call_vote(db, election, m.id, MOTION, "a_committee")

    def marks(i):
        return {"motion": [0]} if i < agree else {"oppose:motion": [0]}

    voting.vote_round(db, w, monkeypatch, 2, w.voters[:agree + oppose], marks, publish=False)
    sheet = _text(sheets.tally_sheet_pdf(db, election, 2))
    assert "第2轮（会议表决）" in sheet and MOTION in sheet and "另选他人" not in sheet and "应选" not in sheet
    _board(db, election, 2)
    decision = motions.publish_vote(db, election, 2, "a_committee")
    db.commit()
    assert (decision.present, decision.in_favour, decision.adopted) == (12, agree, adopted)
    # Nobody is elected: the election's result report and notice are refused, naming the
    # meeting's own papers.
    with pytest.raises(UserError, match="会议表决，没有当选人.*会议记录和决定公告"):
        reports.notice_pdf(db, election, 2)
    with pytest.raises(UserError, match="会议表决，没有当选人"):
        reports.file_result(db, election, 2, "a_committee")
    db.rollback()
    # The counting page offers the meeting's page (its minutes and decision notice) instead.
    assert own_papers_link(app, election, 2) == f"/elections/{election.id}/meetings/{m.id}"
    checks = verify.run(export_bundle(db, election, DATA_KEY, "a_committee", auditor=True, round_number=2).data)
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]


def test_one_paper_each_and_the_list_frozen_under_races(app, db, world, monkeypatch):
    """One representative checked in at two desks at once while a late arrival is recorded at
    the door twice: exactly one paper; the late arrival is either in before the first paper
    (and counted) or refused, never let in after the list froze; on both databases."""
    from election.models import Election, Issuance, MeetingAttendance, MeetingVote
    from tests.polling.helpers import print_capturing
    from tests.races import race

    election = world["a"]["election"]
    w, m = _meeting(db, election, monkeypatch)
    motions.call_vote(db, election, m.id, MOTION, "a_committee")
    db.commit()
    print_capturing(db, election, 14, monkeypatch, round_number=2)
    db.commit()
    election_id, meeting_id = election.id, m.id
    desks = [d.id for d in w.station.desks]
    voter, late = w.voters[0].id, str(w.voters[13].voter_number)

    def issue(desk_id):
        def act(s):
            issuance.issue_ballot(s, s.get(Election, election_id), desk_id, voter, "a_clerk", round_number=2)
            return "issued"
        return act

    def arrive(s):
        meetings.attend(s, s.get(Election, election_id), meeting_id, late, "door")
        s.commit()
        return "attended"

    with polling_day(db, election, 2):
        outcomes = race(app.extensions["juxuan.sessions"], [issue(desks[0])] * 3 + [issue(desks[1])] * 3 + [arrive] * 2)
    assert outcomes.count("issued") == 1, outcomes
    assert all("已领取选票" in o for o in outcomes if o.startswith("refused") and "到会" not in o), outcomes
    db.rollback()
    vote = db.scalar(select(MeetingVote).where(MeetingVote.meeting_id == m.id))
    ids = list(db.scalars(select(MeetingAttendance.id).where(MeetingAttendance.meeting_id == m.id)))
    counted = [i for i in ids if i <= vote.last_attendance]
    assert vote.electors == len(counted) and (len(ids) == len(counted)), (outcomes, ids, vote.last_attendance)
    assert outcomes.count("attended") <= 1 and vote.electors == 12 + outcomes.count("attended")
    assert db.scalar(select(func.count()).select_from(Issuance).where(
        Issuance.election_id == election.id, Issuance.round_number == 2)) == 1


def test_leaving_before_the_first_paper_and_after_it(db, world, monkeypatch, tmp_path):
    """12 representatives present; one leaves before the first paper (离场): the vote's base is
    the 11 present then, and that one takes no paper; another leaves after it: the base stays
    11 (they count among those present who returned no paper), the event names the round, and
    the desk refuses them a paper. 8 of 11 agree (more than 2/3 is 8): adopted, 2 abstaining.
    The round's bundle, holding both departures, verifies in both verifiers."""
    election = world["a"]["election"]
    w, m = _meeting(db, election, monkeypatch)
    before, after = w.voters[11], w.voters[10]
    meetings.leave(db, election, m.id, str(before.voter_number), "a_clerk")
    db.commit()
    motions.call_vote(db, election, m.id, MOTION, "a_committee")
    db.commit()
    assert events_of(db, election)[-1].payload["present"] == 11

    def marks(i):
        return {"motion": [0]} if i < 8 else ({"oppose:motion": [0]} if i < 9 else {})

    voting.vote_round(db, w, monkeypatch, 2, w.voters[:10], marks, publish=False, count=False)
    meetings.leave(db, election, m.id, after.card_code, "a_clerk")
    db.commit()
    left = events_of(db, election)[-1]
    assert left.kind == "meeting.attendee_left" and (left.payload["present"], left.payload["round"]) == (10, 2)
    assert meetings.quorum_of(db, election, m).present == 10
    assert issuance.status_of(db, election, after, 2).label == "已登记离场，不能领取表决票"
    desk = w.station.desks[0]
    with polling_day(db, election, 2):
        for who in (before, after):
            with pytest.raises(UserError, match=f"{who.name}已登记离场（表决开始时到会 11 人）"):
                issuance.issue_ballot(db, election, desk.id, who.id, "a_clerk", round_number=2)
            db.rollback()
        # Nor can the one who left before come back while the papers are out.
        with pytest.raises(UserError, match="到会人员已确定为 11 人"):
            meetings.attend(db, election, m.id, before.card_code, "a_clerk")
        db.rollback()
    voting.count_round(db, w, 2, marks)
    _board(db, election, 2)
    decision = motions.publish_vote(db, election, 2, "a_committee")
    db.commit()
    assert (decision.present, decision.in_favour, decision.against, decision.abstain, decision.adopted) == \
        (11, 8, 1, 2, True)
    meetings.close(db, election, m.id, "a_committee")
    db.commit()
    assert events_of(db, election)[-1].payload["present"] == 10
    minutes = _text(documents.minutes_pdf(db, election, m.id))
    assert "实到10人（另有2人中途离场）" in minutes
    data = export_bundle(db, election, DATA_KEY, "a_committee", auditor=True, round_number=2).data
    db.commit()
    checks = verify.run(data)
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]
    _browser_verifier_agrees(data, checks, tmp_path)


def test_a_departure_racing_the_first_paper(app, db, world, monkeypatch):
    """One present leaves at the door while the first paper is handed out: the vote's base
    counts them exactly when the departure came after the freeze, which its event then says
    (it names the round); on both databases."""
    from election.models import Election, MeetingVote
    from tests.polling.helpers import print_capturing
    from tests.races import race

    election = world["a"]["election"]
    w, m = _meeting(db, election, monkeypatch)
    motions.call_vote(db, election, m.id, MOTION, "a_committee")
    db.commit()
    print_capturing(db, election, 14, monkeypatch, round_number=2)
    db.commit()
    election_id, meeting_id, desk = election.id, m.id, w.station.desks[0].id
    voter, leaving = w.voters[0].id, str(w.voters[11].voter_number)

    def issue(s):
        issuance.issue_ballot(s, s.get(Election, election_id), desk, voter, "a_clerk", round_number=2)
        return "issued"

    def leave(s):
        meetings.leave(s, s.get(Election, election_id), meeting_id, leaving, "door")
        s.commit()
        return "left"

    with polling_day(db, election, 2):
        outcomes = race(app.extensions["juxuan.sessions"], [issue, leave])
    assert sorted(outcomes) == ["issued", "left"], outcomes
    db.rollback()
    vote = db.scalar(select(MeetingVote).where(MeetingVote.meeting_id == m.id))
    event = next(e for e in reversed(events_of(db, election)) if e.kind == "meeting.attendee_left")
    assert event.payload["present"] == 11
    assert vote.electors == (12 if "round" in event.payload else 11), (vote.electors, event.payload)


@pytest.mark.parametrize("door", ["leave", "attend"])
def test_the_door_and_the_publishing_of_the_vote_at_once(app, db, world, monkeypatch, door):
    """A scan at the door (a departure; an arrival, refused while the papers are out) while
    the motion's result is published: both lock the vote's row and the election's row (the
    chain head), in one order (docs/ARCHITECTURE.md), so one waits for the other and each
    gives its one result; PostgreSQL never aborts one of them as a deadlock. Hooks hold each
    side just before it would take the lock the other holds (the door: the chain head, with
    the vote locked; the publishing: the vote, with the chain head locked) until the other
    arrives there too, or for a moment when it cannot (it waits for the first one's lock)."""

    from election.models import Election, MeetingVote
    from tests.races import race

    election = world["a"]["election"]
    w, m = _meeting(db, election, monkeypatch)
    motions.call_vote(db, election, m.id, MOTION, "a_committee")
    db.commit()
    voting.vote_round(db, w, monkeypatch, 2, w.voters[:10], lambda i: {"motion": [0]} if i < 9 else {},
                      publish=False)
    _board(db, election, 2)
    db.commit()
    election_id, meeting_id = election.id, m.id
    who = str(w.voters[11].voter_number) if door == "leave" else str(w.voters[13].voter_number)

    meet = rendezvous()

    real_event, real_decision = meetings.record_event, meetings.record_decision

    def event_at_the_door(db, election, kind, *args, **kwargs):
        if kind in ("meeting.attendee_left", "meeting.attendee_arrived"):
            meet()
        return real_event(db, election, kind, *args, **kwargs)

    def decision_of_the_vote(*args, **kwargs):
        meet()
        return real_decision(*args, **kwargs)

    monkeypatch.setattr(meetings, "record_event", event_at_the_door)
    monkeypatch.setattr(meetings, "record_decision", decision_of_the_vote)

    def at_the_door(s):
        act = meetings.leave if door == "leave" else meetings.attend
        act(s, s.get(Election, election_id), meeting_id, who, "door")
        s.commit()
        return door

    def publish(s):
        motions.publish_vote(s, s.get(Election, election_id), 2, "a_committee")
        s.commit()
        return "published"

    outcomes = race(app.extensions["juxuan.sessions"], [at_the_door, publish])
    db.rollback()
    if door == "leave":
        assert sorted(outcomes) == ["leave", "published"], outcomes
    else:  # refused while the papers are out; after the result the door is open again
        refused = ("refused: 居民代表会议：表决票已开始发放，到会人员已确定为 12 人"
                   f"（第 2 轮“{MOTION}”）；该表决公布结果前不能再登记到会")
        assert sorted(outcomes) in (["published", refused], ["attend", "published"]), outcomes
    vote = db.scalar(select(MeetingVote).where(MeetingVote.meeting_id == m.id))
    assert vote.electors == 12 and vote.decision_id is not None
    chain = events_of(db, election)
    published = next(e.seq for e in chain if e.kind == "result.published" and e.payload["round"] == 2)
    decided = next(e for e in chain if e.kind == "meeting.decision_recorded")
    assert (decided.payload["present"], decided.payload["in_favour"], decided.payload["adopted"]) == (12, 9, True)
    if door == "leave":
        left = next(e for e in chain if e.kind == "meeting.attendee_left")
        # The departure names the round exactly when it came before the round's result.
        assert ("round" in left.payload) == (left.seq < published), (left.seq, published, left.payload)
        assert left.payload["present"] == 11
    else:
        arrived = [e for e in chain if e.kind == "meeting.attendee_arrived" and e.seq > decided.seq]
        assert [(e.seq > published, e.payload["present"]) for e in arrived] == \
            ([(True, 13)] if "attend" in outcomes else []), (outcomes, [e.payload for e in arrived])
