"""The 居务监督委员会 chosen by a meeting (jdw_chosen_by, [seed 江苏 §17] [V art.32]): its
posts leave the paper; its members are recorded from the cited adopted decision of the
meeting that chooses, each name from the decision and checked (a voter, one post, not a
居委会 member nor near relative, nor a 居委会 candidate where one person may not stand for
both bodies); they hold their seats in the composition and composition.json with the
decision as their source, and each act is a seat.chosen_by_meeting event."""
from __future__ import annotations

from datetime import timedelta

import pytest

from election.clock import today
from election.errors import UserError
from election.ledger.events import events_of
from election.mandates import by_election, chosen
from election.mandates import service as mandates
from election.models import Relation
from election.nomination import service as nomination
from election.rules.rulebook import Rulebook
from election.settings import posts_of
from tests.factories import Roll, make_election, meeting_decision
from tests.meetings.test_vacancy_and_recall import elected_committee


def _meeting_chooses(election, chosen_by: str = "representatives_meeting") -> None:
    election.rulebook = Rulebook.from_dict(election.rulebook).with_changes(jdw_chosen_by=chosen_by).to_dict()


def test_posts_leave_the_paper_only_where_a_meeting_chooses(db):
    election = make_election(db)
    assert {p.body for p in posts_of(election)} == {"jwh", "jdw"}
    _meeting_chooses(election)
    assert {p.body for p in posts_of(election)} == {"jwh"}
    assert Rulebook().with_changes(jdw_chosen_by="residents_meeting").min_candidates_needed() < \
        Rulebook().min_candidates_needed()


def test_members_recorded_from_the_cited_decision(db):
    election = make_election(db)  # 监督委员会: 主任 1, 委员 2
    roll = Roll(db, election)
    chair, first, second, outsider = (roll.add(n) for n in ("钱监督", "孙监督", "李监督", "周局外"))
    with pytest.raises(UserError, match=r"全体选民投票选举（.*jdw_chosen_by.*\[seed 江苏 §17\] \[V art\.32\]）"):
        chosen.record_choice(db, election, None, {"jdw_zhuren": ["钱监督"]}, "a_committee")
    _meeting_chooses(election)
    db.commit()
    with pytest.raises(UserError, match="居务监督委员会成员由居民代表会议推选产生（.*jdw_chosen_by.*）：本选举尚无居民代表会议通过的决定"):
        chosen.record_choice(db, election, None, {"jdw_zhuren": ["钱监督"]}, "a_committee")
    motion = "推选钱监督为居务监督委员会主任，孙监督、李监督为委员"
    residents = meeting_decision(db, election, "residents", motion=motion)
    decision = meeting_decision(db, election, "representatives", number=2, motion=motion)
    db.commit()
    with pytest.raises(UserError, match="不是居民代表会议的决定"):
        chosen.record_choice(db, election, residents.id, {"jdw_zhuren": ["钱监督"]}, "a_committee")
    with pytest.raises(UserError) as refused:
        chosen.record_choice(db, election, decision.id, {"jdw_zhuren": ["钱监督", "孙监督"],
                                                         "jdw_weiyuan": ["周局外", "查无此人"]}, "a_committee")
    messages = " ".join(refused.value.messages)
    assert "居务监督委员会主任（成员）：填写 2 人，该职位出缺 1 席" in messages
    assert "居务监督委员会委员（成员）：“查无此人”不在本社区名册中" in messages
    assert f"周局外（选民编号 {outsider.voter_number}）：姓名不在所引用决定的表决事项" in messages
    rows = chosen.record_choice(db, election, decision.id, {"jdw_zhuren": [str(chair.voter_number)],
                                                            "jdw_weiyuan": ["孙监督", "李监督"]}, "a_committee")
    db.commit()
    assert len(rows) == 3
    comp = mandates.composition(db, election)
    held = {(m.post, m.name): m for m in comp.serving}
    assert set(held) == {("jdw_zhuren", "钱监督"), ("jdw_weiyuan", "孙监督"), ("jdw_weiyuan", "李监督")}
    member = held[("jdw_zhuren", "钱监督")]
    assert member.decision == (decision.meeting_id, 2) and member.since == today()
    assert member.source_zh == f"{today().isoformat()}居民代表会议第2项决定推选"
    assert comp.vacancies == {"jwh_zhuren": 1, "jwh_fu_zhuren": 1, "jwh_weiyuan": 3}
    listed = {m["name"]: m for m in mandates.composition_json(comp)["members"]}
    assert listed["孙监督"]["round"] == 0 and listed["孙监督"]["decision"] == {"meeting": decision.meeting_id, "number": 2}
    ev = events_of(db, election)[-1]
    assert ev.kind == "seat.chosen_by_meeting" and ev.payload["decision"] == {"meeting": decision.meeting_id, "number": 2}
    assert [m["name"] for m in ev.payload["members"]] == ["钱监督", "孙监督", "李监督"]
    with pytest.raises(UserError, match="该职位出缺 0 席"):
        chosen.record_choice(db, election, decision.id, {"jdw_weiyuan": ["孙监督"]}, "a_committee")
    assert [first.id, second.id] == sorted(r.resident_id for r in rows if r.post == "jdw_weiyuan")


def test_a_residents_committee_candidate_may_not_be_chosen(db):
    election = make_election(db)
    person = Roll(db, election).add("王两栖")
    nomination.nominate(db, election, "a_committee", "jwh_weiyuan", str(person.voter_number), "self", "自荐书")
    _meeting_chooses(election, "residents_meeting")
    decision = meeting_decision(db, election, "residents", motion="推选王两栖为居务监督委员会委员")
    db.commit()
    with pytest.raises(UserError, match=r"王两栖.*是居民委员会候选人，同一人不能同时为两个委员会的成员（.*one_person_two_bodies.*为否）"):
        chosen.record_choice(db, election, decision.id, {"jdw_weiyuan": ["王两栖"]}, "a_committee")


def test_members_and_near_relatives_of_the_residents_committee_refused(db, world):
    """After the election: a 监督委员会 seat left vacant is filled by the meeting (no
    by-election for it); a serving 居委会 member, or a near relative of one, is refused."""
    election = world["a"]["election"]
    b = elected_committee(db, election)
    jdw = b.candidates["jdw_weiyuan"][0]
    mandates.vacate(db, election, f"jdw_weiyuan:{jdw.resident_id}", "died", today(), "", "a_committee")
    _meeting_chooses(election)
    member = b.candidates["jwh_weiyuan"][0].resident
    relative = b.residents[-1]
    db.add(Relation(election_id=election.id, resident_id=relative.id, relative_id=member.id, kind="spouse"))
    with pytest.raises(UserError, match="只有居务监督委员会出缺，由会议按规则增补"):
        by_election.call_by_election(db, election, today() + timedelta(days=20), "a_committee")
    decision = meeting_decision(db, election, "representatives", motion=f"推选{member.name}、{relative.name}为委员")
    db.commit()
    with pytest.raises(UserError, match=rf"{member.name}.*现任居民委员会委员，居民委员会成员不得担任居务监督委员会成员（\[V art\.32\]）"):
        chosen.record_choice(db, election, decision.id, {"jdw_weiyuan": [str(member.voter_number)]}, "a_committee")
    with pytest.raises(UserError, match=rf"{relative.name}.*是居民委员会委员{member.name}的近亲属，不得担任居务监督委员会成员"):
        chosen.record_choice(db, election, decision.id, {"jdw_weiyuan": [str(relative.voter_number)]}, "a_committee")


def test_the_composition_page_records_and_shows_the_meetings_choice(app, db, world):
    from tests.conftest import csrf_token, login

    election = world["a"]["election"]
    roll = Roll(db, election)
    for name in ("钱监督", "孙监督", "李监督"):
        roll.add(name)
    decision = meeting_decision(db, election, "representatives", number=4,
                                motion="推选钱监督为居务监督委员会主任，孙监督、李监督为委员")
    db.commit()
    client = app.test_client()
    login(client, "a_committee")
    url = f"/elections/{election.id}/composition"
    assert "会议推选居务监督委员会成员" not in client.get(url).get_data(as_text=True)
    _meeting_chooses(election)
    db.commit()
    page = client.get(url).get_data(as_text=True)
    assert "会议推选居务监督委员会成员" in page and "第4项：推选钱监督" in page
    data = {"csrf_token": csrf_token(client, url), "decision": "", "jdw_zhuren": "钱监督", "jdw_weiyuan": "孙监督\n李监督"}
    refused = client.post(f"{url}/chosen", data=data, follow_redirects=True).get_data(as_text=True)
    assert "请选择推选居务监督委员会成员的会议决定" in refused
    done = client.post(f"{url}/chosen", data={**data, "csrf_token": csrf_token(client, url), "decision": str(decision.id)},
                       follow_redirects=True).get_data(as_text=True)
    assert "已按会议决定记录居务监督委员会成员。" in done, done[done.find("<main"):done.find("<main") + 3000]
    assert done.count(f"{today().isoformat()}居民代表会议第4项决定推选") == 3


def test_the_list_check_flags_a_chosen_member_standing_for_the_residents_committee(db):
    """[V art.32] before the vote: a member the meeting chose who is then nominated for the
    居委会, or whose spouse is, is flagged on the list check (a warning: the voters decide,
    and the member's term ends if that candidate is elected)."""
    election = make_election(db)
    roll = Roll(db, election)
    member, spouse = roll.add("钱监督"), roll.add("钱夫人", "女")
    db.add(Relation(election_id=election.id, resident_id=member.id, relative_id=spouse.id, kind="spouse"))
    _meeting_chooses(election)
    decision = meeting_decision(db, election, "representatives", motion="推选钱监督为居务监督委员会主任")
    db.commit()
    chosen.record_choice(db, election, decision.id, {"jdw_zhuren": ["钱监督"]}, "a_committee")
    nomination.nominate(db, election, "a_committee", "jwh_weiyuan", str(spouse.voter_number), "self", "自荐书")
    db.commit()
    flags = [w for w in nomination.check_list(db, election).warnings if "会议推选" in w]
    assert flags == [f"会议推选的居务监督委员会主任钱监督（选民编号 {member.voter_number}）是居委会候选人钱夫人"
                     f"（选民编号 {spouse.voter_number}）的近亲属（配偶）：如钱夫人（选民编号 {spouse.voter_number}）当选，"
                     f"须终止钱监督（选民编号 {member.voter_number}）的居务监督委员会职务（[V art.32]）"]
    nomination.nominate(db, election, "a_committee", "jwh_fu_zhuren", str(member.voter_number), "self", "自荐书")
    db.commit()
    flags = [w for w in nomination.check_list(db, election).warnings if "会议推选" in w]
    assert f"会议推选的居务监督委员会主任钱监督（选民编号 {member.voter_number}）又是居委会候选人：如当选，" \
           "须终止其居务监督委员会职务（[V art.32]）" in flags
