"""Meetings between elections (issue 20): convening with the notice period and the
request share, attendance at the door counted once per person (or household), the quorum
and decisions with the rulebook's parameters, events in the ledger, and the printed papers."""
from __future__ import annotations

import io
from datetime import datetime, time, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from election import clock
from election.errors import UserError
from election.ledger.events import events_of
from election.meetings import documents
from election.meetings import service as svc
from election.models import RepArea, Representative
from election.roll.cards import assign_cards
from election.roll.register import voters_query
from tests.conftest import DATA_KEY
from tests.factories import build_roll
from tests.races import rendezvous


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).replace("\n", "")


def _voters(db, election):
    build_roll(db, election, DATA_KEY, [12], per_group=6)
    assign_cards(db, election, "x")
    return list(db.scalars(voters_query(election).order_by("voter_number")))


def _on(day) -> None:
    clock.pin(datetime.combine(day, time(9, 0), tzinfo=clock.zone()))


def _reps(db, election, people):
    area = RepArea(election_id=election.id, number=1, seats=len(people), explanation="")
    db.add(area)
    db.flush()
    for p in people:
        db.add(Representative(election_id=election.id, area_id=area.id, resident_id=p.id, since=clock.today()))
    db.flush()


def _reps_meeting(db, election, people, title: str = "议事"):
    """The representatives' meeting of ``people`` (the area's representatives), convened for
    ten days ahead: (meeting, its day)."""
    _reps(db, election, people)
    day = clock.today() + timedelta(days=10)
    return svc.convene(db, election, kind="representatives", basis="representatives", title=title, agenda="",
                       held_on=day, place="", convened_by="committee", actor="x"), day


def test_notice_period_and_request_share(db, world):
    election = world["a"]["election"]
    _voters(db, election)
    soon = clock.today() + timedelta(days=9)
    with pytest.raises(UserError, match="须提前 10 天公告.*仅 9 天.*meeting_notice_days"):
        svc.convene(db, election, kind="residents", basis="adults", title="议事", agenda="", held_on=soon,
                    place="", convened_by="committee", actor="x")
    later = clock.today() + timedelta(days=10)
    # 12 voters: a request needs at least 1/5, i.e. 3 (2.4 rounded up)
    with pytest.raises(UserError, match="12 人中 2 人联名，未达到1/5（至少需 3 人）.*meeting_request"):
        svc.convene(db, election, kind="residents", basis="adults", title="议事", agenda="", held_on=later,
                    place="", convened_by="request", actor="x", request_base="adults", supporters=2)
    # 2 groups: 1/3 of them is one group
    m = svc.convene(db, election, kind="residents", basis="households", title="议事", agenda="a\nb",
                    held_on=later, place="活动室", convened_by="request", actor="x", request_base="groups", supporters=1)
    assert (m.members, m.request_total, m.notice_on) == (12, 2, clock.today())
    ev = events_of(db, election)[-1]
    assert ev.kind == "meeting.convened" and ev.payload["request"] == {"base": "groups", "supporters": 1, "total": 2}
    text = _text(documents.notice_pdf(db, election, m.id))
    assert "关于召开居民会议的公告" in text and "经1名居民小组（共2）提议" in text and "超过应到人数的1/2" in text
    assert "[" not in text and "?" not in text  # no source tag on a posted paper


def test_attendance_once_per_person_and_household_and_before_the_day(db, world):
    election = world["a"]["election"]
    voters = _voters(db, election)
    day = clock.today() + timedelta(days=10)
    m = svc.convene(db, election, kind="residents", basis="adults", title="议事", agenda="", held_on=day,
                    place="", convened_by="committee", actor="x")
    with pytest.raises(UserError, match="会议召开前"):
        svc.attend(db, election, m.id, voters[0].card_code, "x")
    _on(day)
    assert svc.attend(db, election, m.id, voters[0].card_code, "x").id == voters[0].id  # card scan
    assert svc.attend(db, election, m.id, str(voters[1].voter_number), "x").id == voters[1].id  # voter number
    with pytest.raises(UserError, match="已登记到会，不重复计算"):
        svc.attend(db, election, m.id, voters[0].name if voters[0].name not in {v.name for v in voters[1:]}
                   else str(voters[0].voter_number), "x")
    with pytest.raises(UserError, match="不在本次选举的选民名单中"):
        svc.attend(db, election, m.id, "查无此人", "x")
    assert svc.quorum_of(db, election, m).present == 2


def test_representatives_meeting_quorum_fails_then_holds_and_decides_by_two_thirds(db, world):
    election = world["a"]["election"]
    voters = _voters(db, election)
    m, day = _reps_meeting(db, election, voters[:6], "同意登记非户籍居民")
    assert m.members == 6
    _on(day)
    with pytest.raises(UserError, match="不是现任居民代表"):
        svc.attend(db, election, m.id, voters[7].card_code, "x")
    for v in voters[:3]:
        svc.attend(db, election, m.id, v.card_code, "x")
    q = svc.quorum_of(db, election, m)
    assert not q.quorate and "应到 6 人，实到 3 人（至少需 4 人）" in q.message  # exactly half
    with pytest.raises(UserError, match="不足法定人数"):
        svc.decide(db, election, m.id, "同意", 3, 0, 0, "x")
    svc.attend(db, election, m.id, voters[3].card_code, "x")
    assert svc.quorum_of(db, election, m).quorate
    with pytest.raises(UserError, match="多于到会的 4 人"):
        svc.decide(db, election, m.id, "同意", 3, 1, 1, "x")
    # 4 present: 2/3 of 4 is 2.67, so 3 must agree
    failed = svc.decide(db, election, m.id, "甲事项", 2, 2, 0, "x")
    passed = svc.decide(db, election, m.id, "乙事项", 3, 1, 0, "x")
    assert (failed.adopted, passed.adopted, passed.number) == (False, True, 2)
    assert "至少需 3 票" in passed.message
    ev = events_of(db, election)[-1]
    assert ev.kind == "meeting.decision_recorded" and ev.payload["rule"] == {"key": "rep_meeting_decision", "share": "2/3"}
    assert ev.payload["present"] == 4 and ev.payload["adopted"] is True and ev.reason == passed.message
    params = {p.key: (p.value, p.source) for p in svc.parameters(election, m)}
    assert params["rep_meeting_decision"] == ("2/3", "[长春 seed]") and params["rep_meeting_quorum"][0] == "1/2"
    with pytest.raises(UserError, match="尚未闭会"):
        documents.decisions_pdf(db, election, m.id)
    svc.close(db, election, m.id, "x")
    assert events_of(db, election)[-1].payload["decisions"] == [[1, False], [2, True]]
    with pytest.raises(UserError, match="已闭会"):
        svc.attend(db, election, m.id, voters[4].card_code, "x")
    minutes = _text(documents.minutes_pdf(db, election, m.id))
    assert "居民代表会议会议记录" in minutes and "应到居民代表6人，实到4人" in minutes and "乙事项" in minutes
    assert "赞成须超过到会人数的2/3" in minutes
    notice = _text(documents.decisions_pdf(db, election, m.id))
    assert "居民代表会议决定公告" in notice and "未通过" in notice and "[" not in notice


def test_household_meeting_counts_a_household_once(db, world):
    election = world["a"]["election"]
    voters = _voters(db, election)
    # a second adult in the first voter's household
    from election.models import Household
    from tests.factories import add_adult
    h = db.get(Household, voters[0].household_id)
    other = add_adult(db, election, h, "户内另一人", 900, DATA_KEY)
    db.flush()
    day = clock.today() + timedelta(days=10)
    m = svc.convene(db, election, kind="residents", basis="households", title="户代表会议", agenda="",
                    held_on=day, place="", convened_by="committee", actor="x")
    assert m.members == 12
    _on(day)
    svc.attend(db, election, m.id, voters[0].card_code, "x")
    with pytest.raises(UserError, match="所在户已由.*代表到会，每户只计一人"):
        svc.attend(db, election, m.id, "户内另一人", "x")
    assert other.id != voters[0].id


def test_a_nomination_by_the_meeting_cites_its_decision(db, world):
    from election.nomination import service as nomination

    election = world["a"]["election"]
    voters = _voters(db, election)
    _reps(db, election, voters[:6])
    day = clock.today() + timedelta(days=10)
    residents = svc.convene(db, election, kind="residents", basis="adults", title="提名", agenda="", held_on=day,
                            place="", convened_by="committee", actor="x")
    _on(day)
    for v in voters[:7]:
        svc.attend(db, election, residents.id, v.card_code, "x")
    failed = svc.decide(db, election, residents.id, "不提名", 3, 4, 0, "x")
    adopted = svc.decide(db, election, residents.id, f"提名{voters[8].name}为委员候选人", 7, 0, 0, "x")
    with pytest.raises(UserError, match="居民会议提名：所选会议决定不存在、未通过"):
        nomination.nominate(db, election, "x", "jwh_weiyuan", str(voters[8].voter_number), "residents_meeting", "",
                            meeting_decision_id=failed.id)
    with pytest.raises(UserError, match="居民代表会议提名须引用居民代表会议通过的提名决定.*本选举尚无居民代表会议通过的决定"):
        nomination.nominate(db, election, "x", "jwh_weiyuan", str(voters[8].voter_number), "reps_meeting", "",
                            meeting_decision_id=adopted.id)
    with pytest.raises(UserError, match="只有居民会议提名、居民代表会议提名可以引用会议决定"):
        nomination.nominate(db, election, "x", "jwh_weiyuan", str(voters[8].voter_number), "self", "自荐书",
                            meeting_decision_id=adopted.id)
    done = nomination.nominate(db, election, "x", "jwh_weiyuan", str(voters[8].voter_number), "residents_meeting", "",
                               meeting_decision_id=adopted.id)
    assert done.nomination.evidence.startswith("依据") and "第2项决定" in done.nomination.evidence
    ev = events_of(db, election)[-1]
    assert ev.kind == "nomination.nominated" and ev.payload["decision"] == {"meeting": residents.id, "number": 2}


def test_leaving_the_meeting_lowers_the_quorum_and_a_return_restores_it(db, world):
    """离场: one present leaves (an event with the count left), the quorum counts them no
    more, so a show of hands is refused below it; leaving twice, or without having come, is
    refused; one who comes back is present again; the minutes say how many left."""
    election = world["a"]["election"]
    voters = _voters(db, election)
    m, day = _reps_meeting(db, election, voters[:6])
    with pytest.raises(UserError, match="会议召开前"):
        svc.leave(db, election, m.id, voters[0].card_code, "x")
    _on(day)
    for v in voters[:4]:
        svc.attend(db, election, m.id, v.card_code, "x")
    assert svc.quorum_of(db, election, m).quorate  # 4 of 6
    with pytest.raises(UserError, match=f"{voters[4].name}未登记到会，不能登记离场"):
        svc.leave(db, election, m.id, voters[4].card_code, "x")
    assert svc.leave(db, election, m.id, str(voters[1].voter_number), "door").id == voters[1].id
    ev = events_of(db, election)[-1]
    assert ev.kind == "meeting.attendee_left" and ev.actor == "door"
    assert (ev.payload["meeting"], ev.payload["resident"], ev.payload["present"]) == (m.id, voters[1].id, 3)
    assert "round" not in ev.payload  # no paper vote frozen
    with pytest.raises(UserError, match="已登记离场"):
        svc.leave(db, election, m.id, voters[1].card_code, "x")
    q = svc.quorum_of(db, election, m)
    assert not q.quorate and "应到 6 人，实到 3 人（至少需 4 人）" in q.message
    assert [p.id for p in svc.attendees(db, m)] == [voters[0].id, voters[2].id, voters[3].id]
    assert [p.id for p in svc.attendees(db, m, left=True)] == [voters[1].id]
    with pytest.raises(UserError, match="不足法定人数"):
        svc.decide(db, election, m.id, "同意", 3, 0, 0, "x")
    minutes = _text(documents.minutes_pdf(db, election, m.id))
    assert "实到3人（另有1人中途离场）" in minutes
    # Back at the door: present again, the quorum holds, the decision is taken on 4.
    svc.attend(db, election, m.id, voters[1].card_code, "x")
    assert svc.attendees(db, m, left=True) == [] and svc.quorum_of(db, election, m).present == 4
    assert svc.decide(db, election, m.id, "同意", 3, 1, 0, "x").present == 4
    svc.close(db, election, m.id, "x")
    assert events_of(db, election)[-1].payload["present"] == 4
    with pytest.raises(UserError, match="已闭会"):
        svc.leave(db, election, m.id, voters[0].card_code, "x")


def test_a_household_that_left_may_come_back_by_another_member(db, world):
    from election.models import Household
    from tests.factories import add_adult

    election = world["a"]["election"]
    voters = _voters(db, election)
    other = add_adult(db, election, db.get(Household, voters[0].household_id), "户内另一人", 900, DATA_KEY)
    db.flush()
    day = clock.today() + timedelta(days=10)
    m = svc.convene(db, election, kind="residents", basis="households", title="户代表会议", agenda="",
                    held_on=day, place="", convened_by="committee", actor="x")
    _on(day)
    svc.attend(db, election, m.id, voters[0].card_code, "x")
    with pytest.raises(UserError, match="户内另一人未登记到会"):
        svc.leave(db, election, m.id, "户内另一人", "x")
    svc.leave(db, election, m.id, voters[0].card_code, "x")
    assert svc.quorum_of(db, election, m).present == 0
    svc.attend(db, election, m.id, "户内另一人", "x")
    assert [p.id for p in svc.attendees(db, m)] == [other.id] and svc.attendees(db, m, left=True) == []
    with pytest.raises(UserError, match="所在户已由户内另一人代表到会"):
        svc.attend(db, election, m.id, voters[0].card_code, "x")


def _replayed(db, election, present: dict[int, int] | None = None) -> list[str]:
    """The Python verifier's meeting_decisions check on the election's chain as recorded (with
    the events ``present`` names by seq saying that many present)."""
    from election.protocol.chain import Event
    from election.protocol.verify import Ctx, Pins
    from election.protocol.verify_between import between_checks
    from election.settings import rulebook_of

    said = present or {}
    events = [Event(e.seq, e.kind, {**e.payload, "_by": e.actor, "_why": e.reason,
                                    **({"present": said[e.seq]} if e.seq in said else {})}, e.prev_hash, e.at, e.hash)
              for e in events_of(db, election)]
    c = Ctx({"rulebook.json": rulebook_of(election).to_dict()}, {}, Pins(), events=events)
    return dict(between_checks(c))["meeting_decisions"](c)[0]


def test_each_arrival_is_an_event_and_the_chain_replays_those_present(db, world):
    """到会: every arrival (a return after leaving too) is a ledger event naming the person and
    the count after it; a refused arrival records nothing. The verifier replays arrivals less
    departures to each decision's present: the chain the door wrote agrees, and the same chain
    with a decision's present raised by one does not."""
    election = world["a"]["election"]
    voters = _voters(db, election)
    m, day = _reps_meeting(db, election, voters[:6])
    _on(day)
    for v in voters[:3]:
        svc.attend(db, election, m.id, v.card_code, "door")
    ev = events_of(db, election)[-1]
    assert ev.kind == "meeting.attendee_arrived" and ev.actor == "door"
    assert ev.payload == {"meeting": m.id, "resident": voters[2].id, "present": 3}
    before = len(events_of(db, election))
    with pytest.raises(UserError, match="已登记到会，不重复计算"):
        svc.attend(db, election, m.id, voters[2].card_code, "door")
    with pytest.raises(UserError, match="不是现任居民代表"):
        svc.attend(db, election, m.id, voters[7].card_code, "door")
    assert len(events_of(db, election)) == before
    svc.attend(db, election, m.id, voters[3].card_code, "door")
    svc.leave(db, election, m.id, voters[0].card_code, "door")
    svc.attend(db, election, m.id, voters[0].card_code, "door")  # back: an arrival again
    assert [(e.kind, e.payload["resident"], e.payload["present"]) for e in events_of(db, election)[-3:]] == [
        ("meeting.attendee_arrived", voters[3].id, 4), ("meeting.attendee_left", voters[0].id, 3),
        ("meeting.attendee_arrived", voters[0].id, 4)]
    svc.decide(db, election, m.id, "同意", 4, 0, 0, "x")
    svc.close(db, election, m.id, "x")
    assert _replayed(db, election) == []
    # 4 of 6 in favour, said to be of 5 present: still quorate and adopted by its own numbers.
    seq = next(e.seq for e in events_of(db, election) if e.kind == "meeting.decision_recorded")
    assert _replayed(db, election, {seq: 5}) == [f"第 {seq} 号事件：记为到会 5 人，链中到会、离场记录重算为 4 人"]


def test_the_door_admits_only_those_the_convening_named(db, world):
    """The convening fixes who may be recorded at the door (meeting.convened's entitled, as it
    fixes members): a representative who took office after the meeting was convened is
    refused at its door in Chinese and nothing is recorded; the verifiers hold every arrival
    to the same list."""
    election = world["a"]["election"]
    voters = _voters(db, election)
    m, day = _reps_meeting(db, election, voters[:6])
    convened = next(e for e in events_of(db, election) if e.kind == "meeting.convened")
    assert convened.payload["entitled"] == sorted(v.id for v in voters[:6])
    area = db.scalar(select(RepArea).where(RepArea.election_id == election.id))
    db.add(Representative(election_id=election.id, area_id=area.id, resident_id=voters[7].id, since=clock.today()))
    db.flush()
    _on(day)
    before = len(events_of(db, election))
    with pytest.raises(UserError, match=f"{voters[7].name}不在会议召集时确定的应到人员（居民代表）之中"):
        svc.attend(db, election, m.id, voters[7].card_code, "door")
    assert len(events_of(db, election)) == before
    svc.attend(db, election, m.id, voters[0].card_code, "door")


def test_two_show_of_hands_decisions_at_once_are_numbered_one_after_the_other(app, db, world, monkeypatch):
    """Two desks record a show-of-hands decision of one meeting at once: both recorded, as
    the meeting's decisions 1 and 2 with one event each, on both databases. PostgreSQL used
    to answer 500: both read the same highest number and inserted the same (meeting, number).
    A hook holds each side just before it reads the next number until the other arrives there
    too, or for a moment when it cannot (it waits for the meeting's lock, which the first holds)."""

    from sqlalchemy import select

    from election.models import Election, MeetingDecision
    from tests.races import race

    election = world["a"]["election"]
    voters = _voters(db, election)
    m, day = _reps_meeting(db, election, voters[:6], "同意登记非户籍居民")
    _on(day)
    for v in voters[:5]:
        svc.attend(db, election, m.id, v.card_code, "x")
    db.commit()
    election_id, meeting_id = election.id, m.id
    meet = rendezvous()
    real = svc.rules.decision

    def decision_then_the_number(*args, **kwargs):
        meet()
        return real(*args, **kwargs)

    monkeypatch.setattr(svc.rules, "decision", decision_then_the_number)

    def decide(motion, in_favour):
        def act(s):
            svc.decide(s, s.get(Election, election_id), meeting_id, motion, in_favour, 5 - in_favour, 0, "x")
            s.commit()
            return motion
        return act

    outcomes = race(app.extensions["juxuan.sessions"], [decide("甲事项", 4), decide("乙事项", 2)])
    assert sorted(outcomes) == ["乙事项", "甲事项"], outcomes
    db.rollback()
    rows = list(db.scalars(select(MeetingDecision).where(MeetingDecision.meeting_id == meeting_id)
                           .order_by(MeetingDecision.number)))
    assert [r.number for r in rows] == [1, 2]
    assert {(r.motion, r.adopted) for r in rows} == {("甲事项", True), ("乙事项", False)}
    events = [e for e in events_of(db, election) if e.kind == "meeting.decision_recorded"]
    assert sorted((e.payload["number"], e.payload["motion"]) for e in events) == sorted((r.number, r.motion) for r in rows)
