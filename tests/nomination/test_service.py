"""Nomination service on the real database: channels, eligibility, the differential rule,
the chair's confirmation, primaries, publication, withdrawal (RULES.md "Nomination")."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from election.errors import UserError
from election.models import Candidate, ElectionEvent, Nomination, PrimaryVote, Signature
from election.nomination import service
from election.rules.strokes import sort_names
from tests.factories import Roll, make_election
from tests.nomination.helpers import SLATE, full_slate


def _events(db, election, kind):
    return list(db.scalars(select(ElectionEvent).where(
        ElectionEvent.election_id == election.id, ElectionEvent.kind == kind)))


def _self(db, election, post, resident):
    return service.nominate(db, election, "committee", post, str(resident.voter_number), "self", "自荐书")


def test_publish_refuses_non_differential_posts_naming_post_and_numbers(db):
    """Must show 1: 主任 1 seat / 1 candidate and 委员 5 seats / 9 candidates are refused (margins +1, +1..+3)."""
    election = make_election(db, jwh_members=5)
    roll = Roll(db, election)
    _self(db, election, "jwh_zhuren", roll.add("王一"))
    for i in range(9):
        _self(db, election, "jwh_weiyuan", roll.add(f"李{'一二三四五六七八九'[i]}"))
    db.commit()
    with pytest.raises(UserError) as refused:
        service.publish(db, election, "committee", election.election_day - timedelta(days=10))
    db.rollback()
    messages = refused.value.messages
    assert any(m.startswith("居民委员会主任：应选 1 名，正式候选人 1 名，差额选举须多于应选人数 1 名") for m in messages)
    assert any(m.startswith("居民委员会委员：应选 5 名，正式候选人 9 名，最多可多 3 名") for m in messages)
    # Nothing changed: no one formal, no publication event.
    assert db.scalar(select(func.count()).select_from(Candidate).where(Candidate.status == "formal")) == 0
    assert _events(db, election, service.PUBLISHED) == []


def test_unconfirmed_supervisory_chair_cannot_be_published(db):
    """Must show 3: the 监督委员会 chair needs the 街道党工委/纪工委 confirmation [seed 江苏 §17]."""
    election = make_election(db)
    roll = Roll(db, election)
    slate = full_slate(db, election, roll, confirm=False)
    db.commit()
    day = election.election_day - timedelta(days=7)
    with pytest.raises(UserError) as refused:
        service.publish(db, election, "committee", day)
    db.rollback()
    assert refused.value.messages == [
        f"居务监督委员会主任人选{r.name}尚未经街道党工委或纪工委审核确认，不能列为正式候选人" for r in slate["jdw_zhuren"]
    ]
    for resident in slate["jdw_zhuren"]:
        candidate = db.scalar(select(Candidate).where(Candidate.resident_id == resident.id))
        service.confirm_chair(db, election, "a_street_admin", candidate.id, "街道党工委", "街党工委〔2026〕7号")
    lists = service.publish(db, election, "committee", day)
    db.commit()
    assert [c.resident.name for c in lists["jdw_zhuren"]] == sort_names(SLATE["jdw_zhuren"])


def test_chair_nomination_only_by_party_organisation(db):
    election = make_election(db)
    roll = Roll(db, election)
    with pytest.raises(UserError, match="居务监督委员会主任人选须由社区党组织提名"):
        _self(db, election, "jdw_zhuren", roll.add("钱正"))


def test_joint_nomination_needs_ten_registered_signers(db):
    """联名推荐: >= nomination_min_joint_signers registered voters [P:BJ]."""
    election = make_election(db)
    roll = Roll(db, election)
    nominee = roll.add("张三")
    signers = roll.many([f"签{i}" for i in range(9)])
    outsider = roll.add("外来", voter=False)
    entries = [str(s.voter_number) for s in signers]
    db.commit()
    with pytest.raises(UserError) as short:
        service.nominate(db, election, "committee", "jwh_weiyuan", "张三", "joint", "联名推荐书", entries + ["外来"])
    db.rollback()
    assert any("外来（选民编号 11）不是本社区登记选民" in m and "有效联名人9人，少于10人" in m for m in short.value.messages)
    assert db.scalar(select(func.count()).select_from(Nomination)) == 0
    more = roll.add("签9")
    result = service.nominate(db, election, "committee", "jwh_weiyuan", str(nominee.voter_number), "joint",
                              "联名推荐书", entries + ["签9"])
    db.commit()
    assert result.nomination.channel == "joint"
    signed = set(db.scalars(select(Signature.resident_id).where(Signature.nomination_id == result.nomination.id)))
    assert signed == {s.id for s in signers} | {more.id}
    assert outsider.id not in signed


def test_signer_supports_at_most_as_many_nominees_as_seats(db):
    """A voter signs for at most as many nominees per post as it has seats (主任: 1)."""
    election = make_election(db)
    roll = Roll(db, election)
    signers = [str(s.voter_number) for s in roll.many([f"签{i}" for i in range(10)])]
    roll.add("甲一")
    roll.add("乙二")
    service.nominate(db, election, "committee", "jwh_zhuren", "甲一", "joint", "联名推荐书一", signers)
    db.commit()
    with pytest.raises(UserError) as refused:
        service.nominate(db, election, "committee", "jwh_zhuren", "乙二", "joint", "联名推荐书二", signers)
    db.rollback()
    assert any("在“居民委员会主任”职位联名推荐了2人" in m and "超过应选名额1名" in m for m in refused.value.messages)
    assert db.scalar(select(func.count()).select_from(Candidate)) == 1


def test_nominee_must_be_an_eligible_voter(db):
    election = make_election(db)
    roll = Roll(db, election)
    roll.add("不合格", voter=False)
    with pytest.raises(UserError, match="不是已登记的合格选民"):
        service.nominate(db, election, "committee", "jwh_weiyuan", "不合格", "self", "自荐书")
    with pytest.raises(UserError, match="须填写依据"):
        service.nominate(db, election, "committee", "jwh_weiyuan", "1", "self", "  ")


def test_ambiguous_name_lists_voter_numbers(db):
    election = make_election(db)
    roll = Roll(db, election)
    roll.add("同名")
    roll.add("同名")
    with pytest.raises(UserError, match=r"姓名“同名”有 2 人：同名（选民编号 1）、同名（选民编号 2），请改填选民编号"):
        service.nominate(db, election, "committee", "jwh_weiyuan", "同名", "self", "自荐书")


def test_one_person_not_formal_for_both_bodies(db):
    """[V art.32]: no one is a formal candidate for both 居委会 and 监督委员会."""
    election = make_election(db)
    roll = Roll(db, election)
    slate = full_slate(db, election, roll)
    both = slate["jwh_weiyuan"][0]
    _self(db, election, "jdw_weiyuan", both)
    db.commit()
    with pytest.raises(UserError) as refused:
        service.publish(db, election, "committee", election.election_day - timedelta(days=6))
    db.rollback()
    assert f"{both.name}（选民编号 {both.voter_number}）同时是居委会和居务监督委员会的候选人，只能选择其一" in refused.value.messages


def test_relative_of_jwh_candidate_is_flagged_and_woman_warning(db):
    election = make_election(db)
    roll = Roll(db, election)
    slate = full_slate(db, election, roll)
    jd, jwh = slate["jdw_weiyuan"][0], slate["jwh_zhuren"][0]
    relation = service.add_relation(db, election, "committee", jd.name, str(jwh.voter_number), "sibling")
    # The chain names the pair as tally_input.json does (resident ids), so a verifier sees it dropped.
    from election.ledger.events import events_of

    added = [e for e in events_of(db, election) if e.kind == "nomination.relation_added"][-1]
    assert (added.payload["persons"], added.payload["extended"]) == ([str(relation.resident_id), str(relation.relative_id)], False)
    check = service.check_list(db, election)
    assert check.ok
    assert any(f"居务监督委员会候选人{jd.name}" in w and f"居委会候选人{jwh.name}" in w and "兄弟姐妹" in w for w in check.warnings)
    assert not any("没有女性" in w for w in check.warnings)
    with pytest.raises(UserError, match="亲属关系已登记"):
        service.add_relation(db, election, "committee", str(jwh.voter_number), jd.name, "spouse")


def test_woman_warning_when_no_woman_among_jwh_candidates(db):
    election = make_election(db)
    roll = Roll(db, election)
    for post, names in (("jwh_zhuren", "甲乙"), ("jwh_fu_zhuren", "丙丁"), ("jwh_weiyuan", "戊己庚辛")):
        for n in names:
            _self(db, election, post, roll.add(f"王{n}"))
    check = service.check_list(db, election)
    assert "居委会正式候选人中没有女性，居民委员会成员中应当有妇女成员，请考虑定位选举等办法" in check.warnings


def test_publication_date_must_keep_the_distance(db):
    """The list is published >= candidate_list_days_before (5) days before election day."""
    election = make_election(db)
    full_slate(db, election, Roll(db, election))
    db.commit()
    late = election.election_day - timedelta(days=4)
    latest = election.election_day - timedelta(days=5)
    with pytest.raises(UserError) as refused:
        service.publish(db, election, "committee", late)
    db.rollback()
    assert refused.value.messages == [
        f"公布日期 {late} 距选举日 {election.election_day} 仅 4 天，正式候选人名单须于选举日前至少 5 天公布（最迟 {latest}）"
    ]
    service.publish(db, election, "committee", latest)
    db.commit()
    assert len(_events(db, election, service.PUBLISHED)) == 1


def test_publish_orders_by_strokes_and_notice_pdf_holds_the_list(db):
    """Must show 4: ballot_order by 姓氏笔画, event with the list, the notice PDF read back in order."""
    election = make_election(db)
    full_slate(db, election, Roll(db, election))
    day = election.election_day - timedelta(days=8)
    service.publish(db, election, "committee", day)
    db.commit()
    formal = service.formal_candidates(db, election)
    assert list(formal) == ["jwh_zhuren", "jwh_fu_zhuren", "jwh_weiyuan", "jdw_zhuren", "jdw_weiyuan"]
    for post, names in SLATE.items():
        assert [c.resident.name for c in formal[post]] == sort_names(names)
        assert [c.ballot_order for c in formal[post]] == list(range(1, len(names) + 1))
        assert all(c.status == "formal" for c in formal[post])
    assert [c.resident.name for c in formal["jwh_weiyuan"]] == ["万里", "司马光明", "欧阳春", "赵小英"]
    event = _events(db, election, service.PUBLISHED)[0]
    assert event.payload["published_on"] == day.isoformat()
    assert [(e["post"], e["order"], e["name"]) for e in event.payload["candidates"]] == [
        (post, i, c.resident.name) for post, cs in formal.items() for i, c in enumerate(cs, start=1)
    ]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(service.notice_pdf(db, election))).pages)
    assert "正式候选人名单公告" in text
    assert f"{day.year}年{day.month}月{day.day}日" in text
    positions = [text.index(c.resident.name) for cs in formal.values() for c in cs]
    assert positions == sorted(positions), "names in the PDF follow the published order"
    assert "社区网格员" in text and "大专" in text


def test_primary_keeps_the_top_and_flags_ties(db):
    """预选 [P:ZJ]: more nominees than seats + max margin; top ones advance; ties at the cut-off flagged."""
    election = make_election(db)
    roll = Roll(db, election)
    full_slate(db, election, roll)
    extra = [roll.add(n) for n in ("冯一", "陈二", "褚三")]
    for r in extra:
        _self(db, election, "jwh_weiyuan", r)
    nominees = service.candidates_of(db, election, "jwh_weiyuan")
    assert len(nominees) == 7  # 3 seats + at most 3
    db.commit()
    with pytest.raises(UserError, match="须先进行预选"):
        service.publish(db, election, "committee", election.election_day - timedelta(days=6))
    db.rollback()
    votes = {c.id: v for c, v in zip(nominees, (50, 40, 30, 20, 15, 10, 10))}
    result = service.record_primary(db, election, "committee", "jwh_weiyuan", votes)
    db.commit()
    assert result.advanced == [service.label(c.resident) for c in nominees[:5]]
    assert result.tied_at_cutoff == [service.label(c.resident) for c in nominees[5:]]
    assert [c.status for c in nominees] == ["nominee"] * 7
    with pytest.raises(UserError, match="预选第 6 名处得票相等"):
        service.publish(db, election, "committee", election.election_day - timedelta(days=6))
    db.rollback()
    tied = nominees[5:]
    again = service.record_primary(db, election, "committee", "jwh_weiyuan", {tied[0].id: 12, tied[1].id: 9})
    db.commit()
    assert again.advanced == [service.label(tied[0].resident)]
    assert tied[1].status == "not_selected"
    lists = service.publish(db, election, "committee", election.election_day - timedelta(days=6))
    db.commit()
    assert {c.id for c in lists["jwh_weiyuan"]} == {c.id for c in nominees[:6]}
    assert db.get(PrimaryVote, db.scalar(select(PrimaryVote.id).where(PrimaryVote.candidate_id == tied[0].id))).votes == 12


def test_written_withdrawal_moves_up_the_next_by_votes(db):
    """Withdrawal in writing >= 3 days before; the next nominee by primary votes moves up [P:ZJ]."""
    election = make_election(db)
    roll = Roll(db, election)
    full_slate(db, election, roll)
    for n in ("冯一", "陈二", "褚三"):
        _self(db, election, "jwh_weiyuan", roll.add(n))
    nominees = service.candidates_of(db, election, "jwh_weiyuan")
    service.record_primary(db, election, "committee", "jwh_weiyuan",
                           {c.id: v for c, v in zip(nominees, (70, 60, 50, 40, 30, 20, 10))})
    service.publish(db, election, "committee", election.election_day - timedelta(days=6))
    db.commit()
    leaving = nominees[0]
    too_late = election.election_day - timedelta(days=2)
    with pytest.raises(UserError, match=f"书面退出最迟于 {election.election_day - timedelta(days=3)} 提出"):
        service.withdraw(db, election, "committee", leaving.id, "本人书面申请", too_late)
    db.rollback()
    notes = service.withdraw(db, election, "committee", leaving.id, "本人书面申请", election.election_day - timedelta(days=3))
    db.commit()
    assert notes == [f"居民委员会委员：{nominees[6].resident.name}以预选得票 10 票依次递补为正式候选人"]
    assert nominees[6].status == "formal" and leaving.status == "withdrawn"
    formal = service.formal_candidates(db, election)["jwh_weiyuan"]
    assert [c.ballot_order for c in formal] == [1, 2, 3, 4, 5, 6]
    assert [c.resident.name for c in formal] == sort_names([c.resident.name for c in formal])
    assert _events(db, election, "nomination.withdrawn")[0].payload["moved_up"] == nominees[6].resident.name


def test_no_nomination_after_publication(db):
    election = make_election(db)
    roll = Roll(db, election)
    full_slate(db, election, roll)
    service.publish(db, election, "committee", election.election_day - timedelta(days=6))
    db.commit()
    with pytest.raises(UserError, match="正式候选人名单已公布"):
        _self(db, election, "jwh_weiyuan", roll.add("迟到"))


def test_nominee_on_the_election_committee_withdraws_from_it(db):
    """A committee member who becomes a candidate withdraws; the next of the result moves up (依次递补)."""
    from election.representatives import committee

    election = make_election(db)
    roll = Roll(db, election)
    people = roll.many(["甲一", "乙二", "丙三", "丁四", "戊五", "己六", "庚七", "辛八"])
    committee.record_result(db, election, "residents_meeting",
                            "\n".join(f"{p.name} {100 - 5 * k}" for k, p in enumerate(people)), 7, "甲一", "committee")
    db.commit()
    result = _self(db, election, "jwh_weiyuan", people[2])
    db.commit()
    assert result.notes == [
        "丙三因被提名为候选人，退出选举委员会",
        "辛八按原推选结果得票（65票）依次递补为选举委员会成员",
    ]
    assert "丙三" not in [m.name for m in committee.committee_members(db, election)]
    kinds = [e.kind for e in db.scalars(select(ElectionEvent).where(ElectionEvent.election_id == election.id).order_by(ElectionEvent.seq))]
    assert kinds[-3:] == ["committee.member_withdrew", "committee.member_seated", "nomination.nominated"]
    # A second nomination of the same person does not call it again.
    again = service.nominate(db, election, "committee", "jwh_fu_zhuren", "丙三", "self", "自荐书")
    assert again.notes == []


def test_name_with_a_character_missing_from_the_fonts_stops_publication(db):
    """Rare characters (生僻字) are checked with ballots.fonts.missing_glyphs before publishing."""
    election = make_election(db)
    roll = Roll(db, election)
    full_slate(db, election, roll)
    rare = roll.add("王𠀀")
    _self(db, election, "jwh_weiyuan", rare)
    db.commit()
    check = service.check_list(db, election)
    assert check.errors == [
        f"候选人王𠀀（选民编号 {rare.voter_number}）姓名中的“𠀀”字体中没有，无法印制公告和选票，请联系技术人员补充字体"
    ]
    with pytest.raises(UserError):
        service.publish(db, election, "committee", election.election_day - timedelta(days=6))


def test_nominee_not_selected_in_the_primary_cannot_be_nominated_again(db):
    election = make_election(db)
    roll = Roll(db, election)
    full_slate(db, election, roll)
    for n in ("冯一", "陈二", "褚三"):
        _self(db, election, "jwh_weiyuan", roll.add(n))
    nominees = service.candidates_of(db, election, "jwh_weiyuan")
    service.record_primary(db, election, "committee", "jwh_weiyuan",
                           {c.id: v for c, v in zip(nominees, (7, 6, 5, 4, 3, 2, 1))})
    db.commit()
    last = nominees[6].resident
    with pytest.raises(UserError, match=f"{last.name}（选民编号 {last.voter_number}）在居民委员会委员职位的状态为“未入选”，不能再提名"):
        service.nominate(db, election, "committee", "jwh_weiyuan", str(last.voter_number), "self", "自荐书")


def test_second_nomination_of_one_person_for_one_post_is_refused(db):
    election = make_election(db)
    roll = Roll(db, election)
    person = roll.add("重提名")
    _self(db, election, "jwh_weiyuan", person)
    db.commit()
    with pytest.raises(UserError, match="已被提名为居民委员会委员候选人（自荐），同一人对同一职位只登记一次提名"):
        _self(db, election, "jwh_weiyuan", person)
    db.rollback()
    assert db.scalar(select(func.count(Nomination.id)).where(Nomination.election_id == election.id)) == 1
    _self(db, election, "jwh_zhuren", person)  # another post is another nomination


@pytest.mark.parametrize("fraction,valid", [("1/2", False), ("1/3", True)])
def test_primary_turnout_rule(db, fraction, valid):
    """primary_turnout [P:ZJ]: a primary stands only with more than its share of the electors
    taking part. Exactly half of the electors take part: void under 1/2, valid under 1/3."""
    from election.roll.electors import electors_count
    from election.rules.presets import PRESETS

    election = make_election(db)
    roll = Roll(db, election)
    full_slate(db, election, roll)
    for n in ("冯一", "陈二", "褚三"):
        _self(db, election, "jwh_weiyuan", roll.add(n))
    election.rulebook = PRESETS["national"].with_changes(primary_turnout=fraction).to_dict()
    db.commit()
    half = electors_count(db, election) // 2
    assert electors_count(db, election) == 2 * half
    nominees = service.candidates_of(db, election, "jwh_weiyuan")
    votes = {c.id: min(v, half) for c, v in zip(nominees, (50, 40, 30, 20, 15, 10, 9))}
    if valid:
        service.record_primary(db, election, "committee", "jwh_weiyuan", votes, participants=half)
    else:
        with pytest.raises(UserError, match="未超过.*预选无效"):
            service.record_primary(db, election, "committee", "jwh_weiyuan", votes, participants=half)


def test_one_nomination_entered_twice_at_once_is_recorded_once(app, db, monkeypatch):
    """Two committee members enter the same self-nomination at once: one nomination and one
    event, the other refused in Chinese, on both databases. Each read the candidates as a
    reader and wrote after: on SQLite the second writer's lock upgrade failed at once
    ("database is locked"); on PostgreSQL both found no candidate and the second insert hit
    the unique key (a 500).
    Nomination writers now take the write lock and the chain head first (ledger.events.write_at_head)."""
    from election.models import Election
    from tests.races import meet_after, race

    election = make_election(db, days=30)
    nominee = Roll(db, election).add("王伟")
    db.commit()
    meet_after(monkeypatch, service, "find_residents")  # after the checks read, before anything is written

    def enter(s):
        service.nominate(s, s.get(Election, election.id), "committee", "jwh_weiyuan", str(nominee.voter_number),
                         "self", "自荐书")
        s.commit()
        return "nominated"

    outcomes = race(app.extensions["juxuan.sessions"], [enter, enter])
    assert sorted(outcomes) == ["nominated", "refused: 王伟（选民编号 1）已被提名为居民委员会委员候选人（自荐），"
                                             "同一人对同一职位只登记一次提名"], outcomes
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Nomination)) == 1
    assert len(_events(db, election, "nomination.nominated")) == 1
