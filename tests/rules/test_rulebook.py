"""Rulebook: every RULES.md parameter, exact round-trip, Chinese validation, presets."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from election.rules.presets import PRESET_LABELS, PRESETS, preset
from election.rules.rulebook import Rulebook, RulebookError


def test_round_trip_through_json_is_exact() -> None:
    for rb in PRESETS.values():
        again = Rulebook.from_dict(json.loads(json.dumps(rb.to_dict(), ensure_ascii=False)))
        assert again == rb
        assert again.fingerprint() == rb.fingerprint()


def test_unknown_key_refused_in_chinese() -> None:
    with pytest.raises(RulebookError, match="未知的规则参数“quorum_x”"):
        Rulebook.from_dict({"quorum_x": 1})


def test_types_checked_and_floats_refused() -> None:
    with pytest.raises(RulebookError, match="runoff_floor"):
        Rulebook().with_changes(runoff_floor=0.33)
    with pytest.raises(RulebookError, match="voter_min_age"):
        Rulebook().with_changes(voter_min_age=True)
    with pytest.raises(RulebookError, match="overvote_scope"):
        Rulebook().with_changes(overvote_scope="box")
    assert Rulebook().with_changes(runoff_floor="2/5").runoff_floor == Fraction(2, 5)


def test_defaults_follow_rules_md() -> None:
    rb = Rulebook()
    assert (rb.voter_min_age, rb.nonhukou_residence_months, rb.community_worker_months) == (18, 12, 6)
    assert (rb.roll_published_days_before, rb.objection_window_days, rb.objection_decision_days) == (20, 5, 3)
    assert (rb.jwh_size_min, rb.jwh_size_max, rb.jwh_size_odd) == (5, 9, True)
    assert (rb.nomination_min_joint_signers, rb.nomination_min_household_signers) == (10, 5)
    assert (rb.margin_jwh_weiyuan_min, rb.margin_jwh_weiyuan_max, rb.uncontested_allowed) == (1, 3, False)
    assert (rb.proxy_max_per_holder, rb.proxy_days_before, rb.proxy_relatives_only) == (3, 3, False)
    assert rb.runoff_floor == Fraction(1, 3) and rb.rla_risk_limit == Fraction(1, 20)
    assert (rb.min_box_size, rb.vacancy_min_members, rb.complaint_window_days) == (30, 3, 3)


def test_describe_has_sources_and_chinese_values() -> None:
    rows = {r.key: r for r in Rulebook().describe()}
    assert rows["voter_min_age"].value_zh == "18 年" and "[L2018 art.8]" in rows["voter_min_age"].source
    assert rows["uncontested_allowed"].value_zh == "否"
    assert rows["rla_risk_limit"].value_zh == "5%"
    assert rows["multi_post_rule"].unconfirmed and not rows["voter_min_age"].unconfirmed
    assert len(rows) == len(Rulebook().to_dict())


def test_fingerprint_is_sha256_of_canonical_json() -> None:
    import hashlib
    rb = PRESETS["shanghai"]
    text = json.dumps(rb.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert rb.fingerprint() == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert rb.fingerprint() != PRESETS["national"].fingerprint()


@pytest.mark.parametrize("changes,needle", [
    ({"jwh_size_min": 11}, "jwh_size_min"),
    ({"jwh_size_max": 8}, "须为奇数"),
    ({"committee_size_min": 6}, "committee_size_min"),
    ({"runoff_floor": "3/2"}, "须在 0 与 1 之间"),
    ({"objection_window_days": 0}, "objection_window_days）为 0，须为正数"),
    ({"margin_jwh_weiyuan_min": 0}, "不允许等额选举"),
    ({"margin_jwh_weiyuan_min": 4}, "margin_jwh_weiyuan_min"),
])
def test_validate_names_the_parameter(changes: dict, needle: str) -> None:
    errs = Rulebook().with_changes(**changes).validate()
    assert any(needle in e for e in errs), errs


def test_validate_candidate_supply() -> None:
    rb = Rulebook()
    need = rb.min_candidates_needed()
    assert rb.validate(eligible_voters=need) == []
    assert any("候选人" in e for e in rb.validate(eligible_voters=need - 1))


def test_presets_differ_where_rules_md_says() -> None:
    assert set(PRESETS) >= {"national", "zhejiang", "shanghai", "beijing", "jiangsu"}
    assert PRESET_LABELS["national"] == "全国默认" and PRESET_LABELS["beijing"] == "北京"
    nat = PRESETS["national"].to_dict()
    diff = {k: {kk for kk, v in p.to_dict().items() if nat[kk] != v} for k, p in PRESETS.items()}
    assert diff["shanghai"] == {"proxy_days_before", "committee_size_min", "jdw_size_max"}
    assert {"overvote_scope", "vacancy_needs_zhuren", "runoff_within_days"} <= diff["beijing"]
    assert PRESETS["beijing"].runoff_within_days == 15 and PRESETS["beijing"].overvote_scope == "paper"
    assert PRESETS["zhejiang"].proxy_relatives_only and "multi_post_rule" in diff["zhejiang"]
    assert diff["jiangsu"] == {"community_worker_recommendation", "jdw_members_party_confirmed"}
    for p in PRESETS.values():
        assert p.validate() == []
    with pytest.raises(RulebookError, match="未知的规则预设"):
        preset("hainan")


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_meeting_decisions_the_presets_ask_for(name: str) -> None:
    """Which stage must cite a meeting's decision recorded here, per preset (issue 20).

    committee_meeting_decision_required rests on [V art.12] alone ("推选产生" by a 居民会议,
    居民代表会议 or the groups' meetings), which binds every place alike and is kept by the
    committee's result naming the meeting that chose it (chosen_by, always required); no
    source of a preset (江苏 2023 指引, 中办 2010 §14, [P:ZJ, SH, BJ] in RULES.md) asks that the
    meeting be one recorded in this system, so it stays off in every preset. A meeting's
    nomination (nomination_meeting_allowed) is a channel everywhere (RULES.md "channels",
    江苏 §17 for the 监督委员会's members) and always cites its decision.

    jdw_chosen_by: [V art.32] lets a 居民会议 or 居民代表会议 choose the 监督委员会; 江苏 §17
    says "由居民会议推选产生" but holds it with the election, presided by the election
    committee, the chair needing more than half of "参加投票居民" (§17(4)): the voters on the
    paper. No preset's source has a meeting choose it apart from the election, so every
    preset keeps the voters; a committee may change it before the roll is published."""
    book = PRESETS[name]
    assert book.jdw_chosen_by == "voters" and book.on_paper("jdw") and book.on_paper("jwh")
    assert not book.with_changes(jdw_chosen_by="representatives_meeting").on_paper("jdw")
    assert Rulebook.field_meta("committee_meeting_decision_required")["source"] == "[V art.12]"
    assert book.committee_meeting_decision_required is False
    assert book.nomination_meeting_allowed is True
