"""Between elections (issue 20): the committees' composition from the published rounds, a
member leaving (the seat vacant, an event), and a recall from proposal to result with the
signature share, the defence and the vote's thresholds at their edges."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from election.clock import today
from election.errors import UserError
from election.ledger.events import events_of
from election.mandates import service as mandates
from election.recall import documents as recall_docs
from election.recall import service as recalls
from tests.conftest import DATA_KEY
from tests.counting.builder import published


def elected_committee(db, election, voters=20, papers=12):
    """Round 1 voted and published with every seat filled."""
    return published(db, election, DATA_KEY, voters=voters, papers=papers)


def _key(b, post, pos):
    return f"{post}:{b.candidates[post][pos].resident_id}"


def test_composition_and_a_resignation_leaves_the_seat_vacant(db, world):
    election = world["a"]["election"]
    b = elected_committee(db, election)
    comp = mandates.composition(db, election)
    assert len(comp.serving) == 8 and comp.vacancies == {}
    key = _key(b, "jwh_weiyuan", 1)
    with pytest.raises(UserError, match="须选择或写明居民会议接受辞职的决定"):
        mandates.vacate(db, election, key, "resigned", today(), "", "a_committee")
    with pytest.raises(UserError, match="晚于今天"):
        mandates.vacate(db, election, key, "died", today() + timedelta(days=1), "", "a_committee")
    member = mandates.vacate(db, election, key, "resigned", today(), "居民会议第1号决定接受辞职", "a_committee")
    db.commit()
    comp = mandates.composition(db, election)
    assert comp.vacancies == {"jwh_weiyuan": 1} and len(comp.serving) == 7
    ended = next(m for m in comp.mandates if m.key == key)
    assert (ended.until, ended.reason) == (today(), "书面辞职") and ended.since == today()
    ev = events_of(db, election)[-1]
    assert ev.kind == "seat.vacated" and ev.payload["reason"] == "resigned" and member.name in ev.reason
    with pytest.raises(UserError, match="不是.*现任成员"):
        mandates.vacate(db, election, key, "died", today(), "", "a_committee")


@pytest.mark.parametrize(("signers", "enough"), [(3, False), (4, True)])
def test_recall_needs_a_fifth_of_the_voters_each_counted_once(db, world, signers, enough):
    election = world["a"]["election"]
    b = elected_committee(db, election)  # 20 voters: 1/5 is 4
    key = _key(b, "jwh_fu_zhuren", 0)
    names = [str(r.voter_number) for r in b.residents[10:10 + signers]]
    text = "\n".join(names + [names[0], "查无此人"])
    if not enough:
        with pytest.raises(UserError) as refused:
            recalls.propose(db, election, key, "不履行职责", "voters", text, "a_committee")
        assert "20 人中 3 人联名，未达到1/5（至少需 4 人）" in refused.value.messages[0]
        assert any("重复签名" in m for m in refused.value.messages) and any("查无此人" in m for m in refused.value.messages)
        return
    row = recalls.propose(db, election, key, "不履行职责", "voters", text, "a_committee")
    assert (row.signers, row.base_total) == (4, 20)
    assert events_of(db, election)[-1].kind == "recall.petition_filed"


@pytest.mark.parametrize(("voted", "in_favour", "status"), [
    (10, 10, "void"),     # exactly half of 20 registered voted: the vote is void
    (11, 5, "failed"),    # 5 of 11: not more than half
    (12, 6, "failed"),    # exactly half of the votes cast
    (12, 7, "carried"),   # half plus one
])
def test_recall_vote_thresholds_and_the_seat_vacant(db, world, voted, in_favour, status):
    election = world["a"]["election"]
    b = elected_committee(db, election)
    key = _key(b, "jwh_fu_zhuren", 0)
    row = recalls.propose(db, election, key, "不履行职责", "voters",
                          "\n".join(str(r.voter_number) for r in b.residents[10:15]), "a_committee")
    recalls.record_defence(db, election, row.id, "本人已尽职", "a_committee")
    recalls.record_vote(db, election, row.id, voted, in_favour, today(), "a_committee")
    db.commit()
    assert row.status == status and row.defence == "本人已尽职"
    kinds = [e.kind for e in events_of(db, election)[-3:]]
    vacancies = mandates.composition(db, election).vacancies
    if status == "carried":
        assert kinds == ["recall.defence_recorded", "recall.vote_recorded", "seat.vacated"]
        assert vacancies == {"jwh_fu_zhuren": 1}
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(recall_docs.result_pdf(db, election, row.id))).pages)
        assert "罢免投票结果公告（罢免通过）" in text.replace("\n", "") and "该职位出缺" in text.replace("\n", "")
    else:
        assert kinds[-1] == "recall.vote_recorded" and vacancies == {}
    with pytest.raises(UserError, match="投票结果已记录"):
        recalls.record_vote(db, election, row.id, voted, in_favour, today(), "a_committee")


def test_vice_chair_presides_while_the_chair_is_vacant(db, world):
    """RULES.md "no 主任 elected": a 副主任 presides until the by-election [P:ZJ, SH]."""
    election = world["a"]["election"]
    b = elected_committee(db, election)
    assert mandates.presiding(election, mandates.composition(db, election)) == ""
    mandates.vacate(db, election, _key(b, "jwh_zhuren", 0), "died", today(), "", "a_committee")
    deputy = b.candidates["jwh_fu_zhuren"][0].resident.name
    assert mandates.presiding(election, mandates.composition(db, election)) == \
        f"居民委员会主任出缺，由副主任{deputy}主持工作至补选产生主任"


def test_resignation_cites_the_meeting_decision_that_accepted_it(db, world):
    from datetime import datetime, time, timedelta

    from election import clock
    from election.meetings import service as meetings

    election = world["a"]["election"]
    b = elected_committee(db, election)
    day = today() + timedelta(days=10)
    m = meetings.convene(db, election, kind="residents", basis="adults", title="接受辞职", agenda="", held_on=day,
                         place="", convened_by="committee", actor="a_committee")
    clock.pin(datetime.combine(day, time(9, 0), tzinfo=clock.zone()))
    for r in b.residents[:11]:
        meetings.attend(db, election, m.id, str(r.voter_number), "a_committee")
    refused = meetings.decide(db, election, m.id, "不接受", 5, 6, 0, "a_committee")
    accepted = meetings.decide(db, election, m.id, "接受委员辞职", 11, 0, 0, "a_committee")
    assert [d.id for d, _m in mandates.adopted_decisions(db, election)] == [accepted.id]
    with pytest.raises(UserError, match="不存在或未通过"):
        mandates.vacate(db, election, _key(b, "jwh_weiyuan", 2), "resigned", day, "", "a_committee", refused.id)
    book = election.rulebook  # the rule alone is tried here (the page changes it by a recorded decision)
    election.rulebook = {**book, "resignation_accepted_by": "representatives_meeting"}
    with pytest.raises(UserError, match="须经居民代表会议接受.*所选决定是居民会议的决定"):
        mandates.vacate(db, election, _key(b, "jwh_weiyuan", 2), "resigned", day, "", "a_committee", accepted.id)
    election.rulebook = book
    mandates.vacate(db, election, _key(b, "jwh_weiyuan", 2), "resigned", day, "", "a_committee", accepted.id)
    ev = events_of(db, election)[-1]
    assert ev.payload["decision"] == {"meeting": m.id, "number": 2} and "第2项：接受委员辞职" in ev.reason
    ended = next(x for x in mandates.composition(db, election).mandates if x.until is not None)
    assert ended.note.startswith("依据") and "接受辞职" in ended.note


def test_a_resignation_recorded_while_the_recall_vote_is(app, db, world, monkeypatch):
    """The member's resignation is recorded while the recall vote that carries is: the seat is
    vacated once, by one of them, and the other is refused in Chinese; PostgreSQL aborts
    neither as a deadlock. The recall used to record its event (the chain head) and then
    insert the seat's end, which the resignation was inserting (and waited for the chain
    head: the end's row refers to the election's). Hooks hold the recall just there and the
    resignation at its start until the other arrives, or for a moment when it cannot (it
    waits for the first one's lock: the member's row, taken first by both)."""
    import threading

    from sqlalchemy import func, select

    from election.models import Election, MandateEnd
    from tests.races import race, rendezvous

    election = world["a"]["election"]
    b = elected_committee(db, election)
    key = _key(b, "jwh_fu_zhuren", 0)
    row = recalls.propose(db, election, key, "不履行职责", "voters",
                          "\n".join(str(r.voter_number) for r in b.residents[10:15]), "a_committee")
    db.commit()
    election_id, recall_id = election.id, row.id

    meet = rendezvous()
    resigning = threading.local()

    real_vacate = mandates.vacate

    def vacate(*args, **kwargs):
        if not getattr(resigning, "on", False):
            meet()  # the recall: its event recorded, the seat's end next
        return real_vacate(*args, **kwargs)

    monkeypatch.setattr(mandates, "vacate", vacate)

    def recall(s):
        recalls.record_vote(s, s.get(Election, election_id), recall_id, 12, 7, today(), "a_committee")
        s.commit()
        return "recalled"

    def resign(s):
        resigning.on = True
        meet()
        real_vacate(s, s.get(Election, election_id), key, "resigned", today(), "居民会议第1号决定接受辞职", "a_committee")
        s.commit()
        return "resigned"

    outcomes = race(app.extensions["juxuan.sessions"], [recall, resign])
    refused = "refused: 所选人员不是居民委员会或居务监督委员会的现任成员"
    assert sorted(outcomes) in (["recalled", refused], [refused, "resigned"]), outcomes
    db.rollback()
    ends = list(db.scalars(select(MandateEnd.reason).where(MandateEnd.election_id == election.id)))
    assert ends == ["recalled" if "recalled" in outcomes else "resigned"], (outcomes, ends)
    vacated = [e for e in events_of(db, election) if e.kind == "seat.vacated"]
    assert len(vacated) == 1 and db.scalar(select(func.count()).select_from(MandateEnd)) == 1
    assert mandates.composition(db, election).vacancies == {"jwh_fu_zhuren": 1}
