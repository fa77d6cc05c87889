"""The rulebook: every election parameter of RULES.md as one typed, frozen value.

A committee starts from a preset (see presets.py), may change any parameter before the
roll is published, and afterwards the rulebook is frozen: its fingerprint goes into the
ledger genesis and the published bundle, and it is printed on the result report. Each
field carries its Chinese and English label, unit and the RULES.md source tag, so the
same object drives display, printing and validation.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, ClassVar

from .shares import share_text

# Units: a unit decides how a value is shown and which sanity checks apply.
U_DAYS = "天"
U_MONTHS = "个月"
U_YEARS = "年"
U_PEOPLE = "人"
U_HOUSEHOLDS = "户"
U_PAPERS = "张"
U_FRACTION = "比例"
U_FLAG = "是/否"
U_CHOICE = "选项"
U_COUNT0 = "人（可为 0）"  # margins and optional posts may legitimately be zero

CHOICE_LABELS: dict[str, str] = {
    "post": "该职位无效",
    "paper": "整张选票无效",
    "higher_post_first": "先高职位：当选高职位者在低职位的得票不计，依次递补",
    "paper_invalid_for_person": "同一选票上对同一人投多个职位的，该票对此人无效",
    "higher_counts_for_lower": "高职位得票计入低职位",
    "reserved_line": "定位选举（选票设妇女委员专行）",
    "replace_lowest": "得票过半的最多票女性替换得票最少的当选委员",
    "separate_round": "另行选举妇女委员",
    "majority": "过半数",
    "plurality": "得票多者当选",
    "revote": "就票数相等者再次投票",
    "surname_strokes": "按姓氏笔画",
    "residents_meeting": "居民会议",
    "representatives_meeting": "居民代表会议",
    "voters": "全体选民投票（与居委会选举同步）",
}

# The same units and choices for a page read in English (the labels are in each field).
UNIT_EN: dict[str, str] = {
    U_DAYS: "days", U_MONTHS: "months", U_YEARS: "years", U_PEOPLE: "people", U_HOUSEHOLDS: "households",
    U_PAPERS: "ballots", U_FRACTION: "share", U_FLAG: "yes/no", U_CHOICE: "choice", U_COUNT0: "people (may be 0)",
}
CHOICE_LABELS_EN: dict[str, str] = {
    "post": "That post is invalid",
    "paper": "The whole ballot is invalid",
    "higher_post_first": "Higher post first: votes of a person elected to a higher post do not count for the lower one; the next in line moves up",
    "paper_invalid_for_person": "A ballot marking one person for several posts is invalid for that person",
    "higher_counts_for_lower": "Votes for a higher post count for the lower post",
    "reserved_line": "Reserved line for a woman member on the ballot",
    "replace_lowest": "The woman with most votes above half replaces the elected member with fewest",
    "separate_round": "A separate run-off for the woman member",
    "majority": "More than half",
    "plurality": "Most votes",
    "revote": "Vote again between the tied",
    "surname_strokes": "By surname strokes",
    "residents_meeting": "Residents' meeting",
    "representatives_meeting": "Residents' representatives' meeting",
    "voters": "All voters (together with the residents' committee election)",
}


def _p(
    default: Any,
    zh: str,
    en: str,
    unit: str,
    source: str,
    *,
    choices: tuple[str, ...] | None = None,
    unconfirmed: bool = False,
) -> Any:
    return field(
        default=default,
        metadata={
            "label_zh": zh,
            "label_en": en,
            "unit": unit,
            "source": source,
            "choices": choices,
            "unconfirmed": unconfirmed or "?" in source,
        },
    )


@dataclass(frozen=True)
class RuleRow:
    """One printable line of the rulebook."""

    key: str
    label_zh: str
    label_en: str
    value_zh: str
    source: str
    unconfirmed: bool
    value_en: str = ""


class RulebookError(ValueError):
    """A rulebook dictionary that cannot be read; the message is in Chinese."""


_OVERVOTE = ("post", "paper")
_MULTI_POST = ("higher_post_first", "paper_invalid_for_person", "higher_counts_for_lower")
_WOMAN = ("reserved_line", "replace_lowest", "separate_round")
_THRESHOLD = ("majority", "plurality")


@dataclass(frozen=True)
class Rulebook:
    """All parameters of RULES.md with their national defaults."""

    # --- bodies and posts -------------------------------------------------------------
    jwh_size_min: int = _p(5, "居民委员会成员人数下限", "Residents' committee size, minimum", U_PEOPLE, "[L2018 art.7] [seed 江苏 §7]")
    jwh_size_max: int = _p(9, "居民委员会成员人数上限", "Residents' committee size, maximum", U_PEOPLE, "[L2018 art.7] [seed 江苏 §7]")
    jwh_size_odd: bool = _p(True, "居民委员会成员人数须为奇数", "Residents' committee size must be odd", U_FLAG, "[L2018 art.7]")
    jwh_fu_zhuren_min: int = _p(1, "居民委员会副主任人数下限", "Vice-chairs, minimum", U_PEOPLE, "[seed 江苏 §7]")
    jwh_fu_zhuren_max: int = _p(2, "居民委员会副主任人数上限", "Vice-chairs, maximum", U_PEOPLE, "[seed 江苏 §7]")
    term_years: int = _p(5, "任期", "Term", U_YEARS, "[L2018]")
    jdw_size_min: int = _p(3, "居务监督委员会成员人数下限", "Supervisory committee size, minimum", U_PEOPLE, "[seed 江苏 §17]")
    jdw_size_max: int = _p(5, "居务监督委员会成员人数上限", "Supervisory committee size, maximum", U_PEOPLE, "[seed 江苏 §17]")
    jdw_fu_zhuren_min: int = _p(0, "居务监督委员会副主任人数下限", "Supervisory vice-chairs, minimum", U_COUNT0, "[seed 江苏 §17]")
    jdw_fu_zhuren_max: int = _p(1, "居务监督委员会副主任人数上限", "Supervisory vice-chairs, maximum", U_COUNT0, "[seed 江苏 §17]")
    group_households_min: int = _p(100, "居民小组户数下限", "Households per residents' group, minimum", U_HOUSEHOLDS, "[seed 江苏 §8]")
    group_households_max: int = _p(150, "居民小组户数上限", "Households per residents' group, maximum", U_HOUSEHOLDS, "[seed 江苏 §8]")
    rep_households_min: int = _p(30, "每名居民代表联系户数下限", "Households per representative, minimum", U_HOUSEHOLDS, "[seed 江苏 §9]")
    rep_households_max: int = _p(50, "每名居民代表联系户数上限", "Households per representative, maximum", U_HOUSEHOLDS, "[seed 江苏 §9]")
    rep_per_group_min: int = _p(3, "每个居民小组居民代表人数下限", "Representatives per group, minimum", U_PEOPLE, "[seed 江苏 §9]")
    rep_per_group_max: int = _p(5, "每个居民小组居民代表人数上限", "Representatives per group, maximum", U_PEOPLE, "[seed 江苏 §9]")
    rep_total_min: int = _p(50, "居民代表总数下限", "Representatives in all, minimum", U_PEOPLE, "[seed 江苏 §9]")
    rep_total_max: int = _p(100, "居民代表总数上限", "Representatives in all, maximum", U_PEOPLE, "[seed 江苏 §9]")
    rep_total_larger_may_exceed: bool = _p(True, "规模较大的社区可决定增加居民代表", "Larger communities may decide more representatives", U_FLAG, "[seed 江苏 §9]")

    # --- voter roll -------------------------------------------------------------------
    voter_min_age: int = _p(18, "选民最低年龄（选举日满）", "Minimum voter age on election day", U_YEARS, "[L2018 art.8] [P:ZJ, SH, BJ]")
    exclude_no_legal_capacity: bool = _p(False, "无行为能力人不列入选民名单", "Exclude persons without legal capacity", U_FLAG, "[P:BJ]")
    nonhukou_residence_months: int = _p(12, "非户籍常住居民申请登记所需居住时间", "Residence for non-hukou residents", U_MONTHS, "[V art.13] [P:JS, SZ]")
    nonhukou_consent_required: bool = _p(False, "非户籍常住居民登记须经居民会议或居民代表会议同意", "Non-hukou residents registered with the meeting's consent", U_FLAG, "[V art.13]")
    community_worker_months: int = _p(6, "社区工作者申请登记所需工作时间", "Work period for community workers", U_MONTHS, "[L2025] [P:JS]")
    community_worker_recommendation: bool = _p(False, "社区工作者登记须经推荐", "Community workers need a recommendation", U_FLAG, "[P:JS]")
    one_roll_only: bool = _p(True, "选民只能在一地登记", "A voter is on one roll only", U_FLAG, "[V art.13] [P:SZ]")
    roll_published_days_before: int = _p(20, "选民名单于选举日前公布的天数", "Roll published before election day", U_DAYS, "[V] [P:BJ, SH, ZJ]")
    objection_window_days: int = _p(5, "对选民名单提出异议的期限", "Objection window after publication", U_DAYS, "[V] [P:BJ, SH, ZJ]")
    objection_decision_days: int = _p(3, "对异议作出处理决定的期限", "Decision on objections within", U_DAYS, "[V] [P:BJ, SH, ZJ]")

    # --- election committee -----------------------------------------------------------
    committee_size_min: int = _p(5, "居民选举委员会人数下限", "Election committee size, minimum", U_PEOPLE, "[P:ZJ, BJ]")
    committee_size_max: int = _p(9, "居民选举委员会人数上限", "Election committee size, maximum", U_PEOPLE, "[P:ZJ, BJ]")
    committee_size_odd: bool = _p(True, "居民选举委员会人数须为奇数", "Election committee size must be odd", U_FLAG, "[P:ZJ, BJ]")
    # [V art.12]: the committee is chosen by a 居民会议, 居民代表会议 or the groups' meetings.
    # On: its result is refused until that meeting's adopted decision is recorded here and cited.
    committee_meeting_decision_required: bool = _p(False, "选举委员会推选结果须引用本系统记录的会议决定", "The election committee's result cites the meeting's recorded decision", U_FLAG, "[V art.12]")
    committee_member_withdraws_when_candidate: bool = _p(True, "成员成为候选人的退出选举委员会并依次递补", "A member who becomes a candidate withdraws", U_FLAG, "[seed 中办 2010 §14] [V art.12]")
    committee_relative_withdraws: bool = _p(False, "成员近亲属成为候选人的退出选举委员会", "A member withdraws when a near relative is a candidate", U_FLAG, "[P:ZJ]")

    # --- representatives and group leaders ----------------------------------------------
    group_leader_turnout: Fraction = _p(Fraction(1, 2), "推选居民小组长须参加的比例（超过）", "Group leader election: turnout above", U_FRACTION, "[seed 江苏 §8]")
    rep_election_turnout: Fraction = _p(Fraction(1, 2), "推选居民代表须参加的户数比例（超过）", "Representative election: households above", U_FRACTION, "[seed 江苏 §9] [P:ZJ]")

    # --- nomination -------------------------------------------------------------------
    nomination_min_joint_signers: int = _p(10, "选民联名提名最少人数", "Joint nomination: minimum voters", U_PEOPLE, "[P:BJ 1991, Henan 2020, 长春]")
    nomination_min_household_signers: int = _p(5, "户代表联名提名最少人数", "Joint nomination: minimum household reps", U_PEOPLE, "[P:BJ 1991, Henan 2020, 长春]")
    nomination_self_allowed: bool = _p(True, "允许自荐", "Self-nomination allowed", U_FLAG, "[P:BJ 1991, Henan 2020, 长春]")
    # RULES.md "channels": the residents' or representatives' meeting nominates; on, such a
    # nomination cites that meeting's adopted decision recorded here (and is refused without).
    nomination_meeting_allowed: bool = _p(True, "居民会议、居民代表会议可以提名候选人", "The residents' or representatives' meeting may nominate candidates", U_FLAG, "[P:BJ 1991, Henan 2020, 长春] [seed 江苏 §17]")
    signer_limit_equals_seats: bool = _p(True, "每名选民联名提名人数不超过该职位应选名额", "A signer supports at most as many nominees as seats", U_FLAG, "common practice (?)")
    margin_jwh_zhuren_min: int = _p(1, "居委会主任差额下限", "Margin for chair, minimum", U_COUNT0, "[P:SH]")
    margin_jwh_zhuren_max: int = _p(1, "居委会主任差额上限", "Margin for chair, maximum", U_COUNT0, "[P:SH]")
    margin_jwh_fu_zhuren_min: int = _p(1, "居委会副主任差额下限", "Margin for vice-chairs, minimum", U_COUNT0, "[P:SH]")
    margin_jwh_fu_zhuren_max: int = _p(1, "居委会副主任差额上限", "Margin for vice-chairs, maximum", U_COUNT0, "[P:SH]")
    margin_jwh_weiyuan_min: int = _p(1, "居委会委员差额下限", "Margin for members, minimum", U_COUNT0, "[P:SH]")
    margin_jwh_weiyuan_max: int = _p(3, "居委会委员差额上限", "Margin for members, maximum", U_COUNT0, "[P:SH]")
    margin_jdw_zhuren_min: int = _p(1, "居务监督委员会主任差额下限", "Supervisory chair margin, minimum", U_COUNT0, "[seed 江苏 §17] (?)")
    margin_jdw_zhuren_max: int = _p(1, "居务监督委员会主任差额上限", "Supervisory chair margin, maximum", U_COUNT0, "[seed 江苏 §17] (?)")
    margin_jdw_weiyuan_min: int = _p(1, "居务监督委员会委员差额下限", "Supervisory members margin, minimum", U_COUNT0, "[seed 江苏 §17] (?)")
    margin_jdw_weiyuan_max: int = _p(2, "居务监督委员会委员差额上限", "Supervisory members margin, maximum", U_COUNT0, "[seed 江苏 §17] (?)")
    uncontested_allowed: bool = _p(False, "允许等额选举", "Uncontested (等额) election allowed", U_FLAG, "[P:SH]")
    primary_when_over_max: bool = _p(True, "提名人数超过差额上限时进行预选", "Primary when nominees exceed the maximum", U_FLAG, "[P:ZJ]")
    primary_turnout: Fraction = _p(Fraction(1, 2), "预选须参加的选民比例（超过）", "Primary valid when turnout above", U_FRACTION, "[P:ZJ]")
    primary_proxy_allowed: bool = _p(False, "预选允许委托投票", "Proxies allowed in a primary", U_FLAG, "[P:ZJ]")
    primary_mobile_box_allowed: bool = _p(False, "预选允许流动票箱", "Mobile boxes allowed in a primary", U_FLAG, "[P:ZJ]")
    candidate_list_days_before: int = _p(5, "候选人名单于选举日前公布的天数", "Candidate list published before election day", U_DAYS, "[P:BJ, SH, ZJ]")
    withdrawal_days_before: int = _p(3, "候选人书面退出的最迟天数（选举日前）", "Written withdrawal at least before", U_DAYS, "[P:ZJ]")
    one_person_two_bodies: bool = _p(False, "同一人可同时为居委会和监督委员会候选人", "One person may stand for both bodies", U_FLAG, "[V art.32]")
    jdw_incompat_extended: bool = _p(False, "监督委员会回避扩至祖父母、孙子女及财会人员", "Supervisory incompatibility extended", U_FLAG, "[P:ZJ]")
    # Who chooses the 居务监督委员会: the voters on the election's paper with the 居委会 (江苏
    # 指引 §17(4): "与居民委员会选举同步进行……获参加投票居民过半数"), or a 居民会议 / 居民代表会议
    # ([V art.32] "由村民会议或者村民代表会议推选"): then its posts are not on the paper and its
    # members are recorded from the meeting's cited decision (election.mandates.chosen).
    jdw_chosen_by: str = _p("voters", "居务监督委员会成员的产生方式", "Who chooses the supervisory committee", U_CHOICE, "[seed 江苏 §17] [V art.32]", choices=("voters", "residents_meeting", "representatives_meeting"))
    jdw_members_party_confirmed: bool = _p(False, "监督委员会副主任、委员候选人须经社区党组织确认", "Supervisory vice-chair and member nominees confirmed by the Party organisation", U_FLAG, "[seed 江苏 §17]")
    ballot_order: str = _p("surname_strokes", "选票上候选人排列顺序", "Ballot order of candidates", U_CHOICE, "practice; [P:ZJ]", choices=("surname_strokes",))
    woman_member_required: bool = _p(True, "居委会成员中应有妇女成员", "The committee must include a woman", U_FLAG, "[V art.6] [P:CQ 2025]")

    # --- voting -----------------------------------------------------------------------
    secret_booth_required: bool = _p(True, "设立秘密写票处", "Secret booth mandatory", U_FLAG, "[V art.15] [P:SH]")
    mobile_box_scrutineers: int = _p(3, "每个流动票箱的监票人员最少人数", "Scrutineers per mobile box, minimum", U_PEOPLE, "[P:BJ, ZJ]")
    proxy_max_per_holder: int = _p(3, "每名受委托人最多接受委托人数", "Proxies per holder, maximum", U_PEOPLE, "[P:BJ, SH, ZJ]")
    proxy_days_before: int = _p(3, "委托投票于选举日前办理的天数", "Proxy arranged before election day", U_DAYS, "[P:BJ, SH, ZJ]")
    proxy_relatives_only: bool = _p(False, "只能委托近亲属", "Proxy to relatives only", U_FLAG, "[P:ZJ] [V]")
    proxy_candidates_may_hold: bool = _p(False, "候选人可以接受委托", "Candidates may hold proxies", U_FLAG, "[P:BJ, SH, ZJ]")
    mark_approve: str = _p("○", "赞成符号", "Approve mark", U_CHOICE, "practice (?)", choices=("○", "√"))
    mark_oppose: str = _p("×", "反对符号", "Oppose mark", U_CHOICE, "practice (?)", choices=("×",))

    # --- validity ---------------------------------------------------------------------
    turnout_fraction: Fraction = _p(Fraction(1, 2), "选举有效须参加投票的选民比例（超过）", "Election valid when turnout above", U_FRACTION, "[V art.15] [长春 seed] [L2025 ?]")
    returned_le_issued: bool = _p(True, "收回选票不得多于发出选票", "Returned papers may not exceed issued", U_FLAG, "[P]")
    overvote_scope: str = _p("post", "多选（赞成人数超过应选名额）的处理", "Overvote invalidates", U_CHOICE, "[P:BJ]", choices=_OVERVOTE)
    doubtful_by_committee: bool = _p(False, "无法辨认的选票由选举委员会认定", "Doubtful papers decided by the committee", U_FLAG, "[P:ZJ]")

    # --- winning ----------------------------------------------------------------------
    majority_fraction: Fraction = _p(Fraction(1, 2), "当选须获得参加投票选民票数的比例（超过）", "Majority: votes above this share of papers returned", U_FRACTION, "[V art.15]")
    jdw_zhuren_threshold: str = _p("majority", "监督委员会主任当选规则", "Supervisory chair threshold", U_CHOICE, "[seed 江苏 §17]", choices=_THRESHOLD)
    jdw_weiyuan_threshold: str = _p("plurality", "监督委员会委员当选规则", "Supervisory members threshold", U_CHOICE, "[seed 江苏 §17]", choices=_THRESHOLD)
    tie_rule: str = _p("revote", "最后名额票数相等的处理", "Tie at the last seat", U_CHOICE, "[P:BJ, SH, ZJ]", choices=("revote",))
    multi_post_rule: str = _p("higher_post_first", "同一人在多个职位得票的处理", "Same person, several posts", U_CHOICE, "[P:ZJ] [P, older] (?)", choices=_MULTI_POST)
    runoff_extra_candidates: int = _p(1, "另行选举候选人多于所缺名额的人数", "Run-off candidates beyond remaining seats", U_COUNT0, "[V art.15]")
    runoff_floor: Fraction = _p(Fraction(1, 3), "另行选举当选须获得本轮选票的比例（不少于）", "Run-off winner needs at least this share of papers", U_FRACTION, "[V art.15]")
    runoff_within_days: int = _p(30, "另行选举须在多少天内进行", "Run-off held within", U_DAYS, "[P:SH, ZJ]")
    vacancy_min_members: int = _p(3, "当选人数达到多少可暂缺其余名额", "Members elected for remaining seats to stay vacant", U_PEOPLE, "[P:SH, ZJ, BJ]")
    vacancy_needs_zhuren: bool = _p(False, "暂缺名额须主任已当选", "Vacancies require the chair elected", U_FLAG, "[P:BJ]")
    no_zhuren_fu_presides: bool = _p(True, "主任未选出时由副主任主持工作至补选", "A vice-chair presides when no chair is elected", U_FLAG, "[P:ZJ, SH]")
    woman_member_method: str = _p("reserved_line", "无妇女当选时的处理办法", "Woman member method", U_CHOICE, "[P:ZJ] (?)", choices=_WOMAN)
    near_relatives_rule: bool = _p(True, "近亲属不得同时任职（职位高者留任，同职位得票多者留任）", "Near relatives cannot serve together", U_FLAG, "[P:CQ 2025] [P:ZJ]")

    # --- counting, results, audit -------------------------------------------------------
    min_box_size: int = _p(30, "公布分票箱得票的最小票箱张数", "Minimum box size for per-box totals", U_PAPERS, "DESIGN")
    write_in_public_min: int = _p(5, "公开得票中单独列出另选他人姓名的最少票数（不足者并入“其他（另选他人）”）", "Minimum write-in votes to be named in public totals (the rest: “Other (write-in)”)", U_PAPERS, "DESIGN (pattern attack; issue 15)")
    complaint_window_days: int = _p(3, "对选举结果提出申诉的期限", "Complaint window after the result", U_DAYS, "practice (?)")
    rla_risk_limit: Fraction = _p(Fraction(1, 20), "风险限制审计的风险上限", "Risk-limiting audit risk limit", U_FRACTION, "DESIGN")
    handover_days: int = _p(10, "工作移交期限", "Hand-over within", U_DAYS, "[V]")
    papers_sealed_until_next: bool = _p(True, "选票封存至下届选举", "Papers sealed until the next election", U_FLAG, "[P:SH]")

    # --- meetings, recall -------------------------------------------------------------
    meeting_quorum: Fraction = _p(Fraction(1, 2), "居民会议到会比例（超过）", "Residents' meeting quorum above", U_FRACTION, "[L2018 art.9–10]")
    meeting_decision: Fraction = _p(Fraction(1, 2), "居民会议决定须到会者比例（超过）", "Residents' meeting decision above", U_FRACTION, "[L2018 art.9–10]")
    meeting_request: Fraction = _p(Fraction(1, 5), "提议召开居民会议的成年居民或户数比例", "Share of adults or households to call a meeting", U_FRACTION, "[L2018 art.9–10] [L2025 ?]")
    meeting_request_groups: Fraction = _p(Fraction(1, 3), "提议召开居民会议的居民小组比例", "Share of groups to call a meeting", U_FRACTION, "[L2018 art.9–10]")
    resignation_accepted_by: str = _p("residents_meeting", "接受成员书面辞职的会议", "Meeting that accepts a member's resignation", U_CHOICE, "[seed 江苏 §11] (?)", choices=("residents_meeting", "representatives_meeting"))
    meeting_notice_days: int = _p(10, "召开会议须提前公告的天数", "Meeting notice given days before", U_DAYS, "[seed 江苏 §11] (national: ?)")
    rep_meeting_quorum: Fraction = _p(Fraction(1, 2), "居民代表会议到会比例（超过）", "Representatives' meeting quorum above", U_FRACTION, "[长春 seed]")
    rep_meeting_decision: Fraction = _p(Fraction(2, 3), "居民代表会议决定须到会者比例（超过）", "Representatives' meeting decision above", U_FRACTION, "[长春 seed]")
    rep_meeting_request: Fraction = _p(Fraction(1, 5), "提议召开居民代表会议的代表比例", "Share of representatives to call a meeting", U_FRACTION, "[长春 seed]")
    recall_propose_voters: Fraction = _p(Fraction(1, 5), "提出罢免须联名的选民比例", "Recall proposed by share of voters", U_FRACTION, "[V]")
    recall_propose_reps: Fraction = _p(Fraction(1, 3), "提出罢免须联名的居民代表比例", "Recall proposed by share of representatives", U_FRACTION, "[V]")
    recall_turnout: Fraction = _p(Fraction(1, 2), "罢免投票须参加的选民比例（超过）", "Recall vote turnout above", U_FRACTION, "[V]")
    recall_approve: Fraction = _p(Fraction(1, 2), "罢免须获得投票数的比例（超过）", "Recall approved above", U_FRACTION, "[V]")

    # Pairs (min, max) checked by validate().
    RANGES: ClassVar[tuple[tuple[str, str], ...]] = (
        ("jwh_size_min", "jwh_size_max"),
        ("jwh_fu_zhuren_min", "jwh_fu_zhuren_max"),
        ("jdw_size_min", "jdw_size_max"),
        ("jdw_fu_zhuren_min", "jdw_fu_zhuren_max"),
        ("group_households_min", "group_households_max"),
        ("rep_households_min", "rep_households_max"),
        ("rep_per_group_min", "rep_per_group_max"),
        ("rep_total_min", "rep_total_max"),
        ("committee_size_min", "committee_size_max"),
        ("margin_jwh_zhuren_min", "margin_jwh_zhuren_max"),
        ("margin_jwh_fu_zhuren_min", "margin_jwh_fu_zhuren_max"),
        ("margin_jwh_weiyuan_min", "margin_jwh_weiyuan_max"),
        ("margin_jdw_zhuren_min", "margin_jdw_zhuren_max"),
        ("margin_jdw_weiyuan_min", "margin_jdw_weiyuan_max"),
    )

    # ------------------------------------------------------------------------------
    @classmethod
    def field_meta(cls, key: str) -> dict[str, Any]:
        """Metadata of one parameter (labels, unit, source, choices)."""
        for f in dataclasses.fields(cls):
            if f.name == key:
                return dict(f.metadata)
        raise KeyError(key)

    @staticmethod
    def label(key: str) -> str:
        """Chinese label followed by the key, as used in every message."""
        return f"{Rulebook.field_meta(key)['label_zh']}（{key}）"

    def show(self, key: str) -> str:
        """The value of one parameter in Chinese, with its unit."""
        value = getattr(self, key)
        unit = self.field_meta(key)["unit"]
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, Fraction):
            if key == "rla_risk_limit":
                return f"{value * 100}%"
            return share_text(value)
        if isinstance(value, str):
            return CHOICE_LABELS.get(value, value)
        if unit == U_COUNT0:
            return f"{value} 人"
        return f"{value} {unit}"

    def show_en(self, key: str) -> str:
        """The value of one parameter in English, with its unit."""
        value = getattr(self, key)
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, Fraction):
            return self.show(key)
        if isinstance(value, str):
            return CHOICE_LABELS_EN.get(value, value)
        unit = self.field_meta(key)["unit"]
        return f"{value} {UNIT_EN[U_PEOPLE] if unit == U_COUNT0 else UNIT_EN.get(unit, unit)}"

    def describe(self) -> list[RuleRow]:
        """Every parameter as a display row, in declaration order."""
        rows = []
        for f in dataclasses.fields(self):
            m = f.metadata
            rows.append(RuleRow(f.name, m["label_zh"], m["label_en"], self.show(f.name), m["source"], m["unconfirmed"],
                               self.show_en(f.name)))
        return rows

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict; fractions become "p/q" strings so nothing passes through float."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            out[f.name] = share_text(v) if isinstance(v, Fraction) else v
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any], base: Rulebook | None = None) -> Rulebook:
        """Read a dict made by to_dict(); missing keys keep the base (default national) value."""
        if not isinstance(data, dict):
            raise RulebookError("规则参数须为键值对象（字典）")
        fields = {f.name: f for f in dataclasses.fields(cls)}
        values: dict[str, Any] = {}
        for key, raw in data.items():
            if key not in fields:
                raise RulebookError(f"未知的规则参数“{key}”")
            values[key] = _coerce(key, fields[key], raw)
        return dataclasses.replace(base or cls(), **values)

    def with_changes(self, **kw: Any) -> Rulebook:
        """A copy with some parameters changed; values are type-checked like from_dict."""
        return Rulebook.from_dict(kw, base=self)

    def fingerprint(self) -> str:
        """SHA-256 of the canonical JSON; the same rulebook always gives the same hex."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def validate(self, eligible_voters: int | None = None) -> list[str]:
        """Every inconsistency as a Chinese message naming the parameter; empty when sound.

        eligible_voters, when known, lets the check see whether the minimum number of
        candidates the margins demand can be supplied by the community at all.
        """
        errors: list[str] = []
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            unit = f.metadata["unit"]
            if isinstance(v, Fraction) and not (0 < v < 1):
                errors.append(f"{self.label(f.name)}为 {self.show(f.name)}，须在 0 与 1 之间")
            elif isinstance(v, int) and not isinstance(v, bool):
                if unit == U_COUNT0 and v < 0:
                    errors.append(f"{self.label(f.name)}为 {v}，不能为负数")
                elif unit != U_COUNT0 and v <= 0:
                    errors.append(f"{self.label(f.name)}为 {v}，须为正数")
        for lo, hi in self.RANGES:
            if getattr(self, lo) > getattr(self, hi):
                errors.append(
                    f"{self.label(lo)}为 {getattr(self, lo)}，大于{self.label(hi)} {getattr(self, hi)}"
                )
        for flag, keys in (
            ("jwh_size_odd", ("jwh_size_min", "jwh_size_max")),
            ("committee_size_odd", ("committee_size_min", "committee_size_max")),
        ):
            if getattr(self, flag):
                for k in keys:
                    if getattr(self, k) % 2 == 0:
                        errors.append(f"{self.label(k)}为 {getattr(self, k)}，按{self.label(flag)}须为奇数")
        # 主任 + the fewest 副主任 + at least one 委员 must fit into the largest committee.
        if 1 + self.jwh_fu_zhuren_min + 1 > self.jwh_size_max:
            errors.append(
                f"{self.label('jwh_fu_zhuren_min')}为 {self.jwh_fu_zhuren_min}，加上主任和至少一名委员超过"
                f"{self.label('jwh_size_max')} {self.jwh_size_max}"
            )
        if 1 + self.jdw_fu_zhuren_min + 1 > self.jdw_size_max:
            errors.append(
                f"{self.label('jdw_fu_zhuren_min')}为 {self.jdw_fu_zhuren_min}，加上主任和至少一名委员超过"
                f"{self.label('jdw_size_max')} {self.jdw_size_max}"
            )
        if not self.uncontested_allowed:
            for key in ("margin_jwh_zhuren_min", "margin_jwh_fu_zhuren_min", "margin_jwh_weiyuan_min",
                        "margin_jdw_zhuren_min", "margin_jdw_weiyuan_min"):
                if getattr(self, key) < 1:
                    errors.append(f"{self.label(key)}为 {getattr(self, key)}，但不允许等额选举（uncontested_allowed），差额至少为 1")
            if self.runoff_extra_candidates == 0:  # a negative value has its own message above
                errors.append(f"{self.label('runoff_extra_candidates')}为 0，但不允许等额选举，另行选举须差额")
        if self.vacancy_min_members > self.jwh_size_min:
            errors.append(
                f"{self.label('vacancy_min_members')}为 {self.vacancy_min_members}，大于{self.label('jwh_size_min')} {self.jwh_size_min}"
            )
        if self.rep_per_group_min * 1 > self.rep_total_max:
            errors.append(f"{self.label('rep_per_group_min')}为 {self.rep_per_group_min}，大于{self.label('rep_total_max')}")
        if eligible_voters is not None:
            need = self.min_candidates_needed()
            if need > eligible_voters:
                errors.append(
                    f"按差额下限（margin_*_min）和{self.label('jwh_size_max')}，至少需要 {need} 名候选人，"
                    f"超过社区可提供的 {eligible_voters} 人"
                )
        return errors

    def on_paper(self, body: str) -> bool:
        """Whether the voters elect this body's posts on the paper: the 监督委员会 only where
        no meeting chooses it (jdw_chosen_by)."""
        return body != "jdw" or self.jdw_chosen_by == "voters"

    def min_candidates_needed(self) -> int:
        """Fewest candidates the largest 居委会 plus 监督委员会 (when on the paper) demand
        under the minimum margins."""
        jwh = (1 + self.margin_jwh_zhuren_min) + (self.jwh_fu_zhuren_max + self.margin_jwh_fu_zhuren_min) + (
            self.jwh_size_max - 1 - self.jwh_fu_zhuren_max + self.margin_jwh_weiyuan_min
        )
        jdw = (1 + self.margin_jdw_zhuren_min) + (self.jdw_size_max - 1 + self.margin_jdw_weiyuan_min)
        return jwh + (jdw if self.on_paper("jdw") else 0)


# A fraction as PROTOCOL.md §14.1 writes one: fractions.Fraction's grammar with ASCII digits
# and ASCII white space only (Fraction alone also reads "١/٢", and white space JavaScript's
# \s does not know), an exponent within ±400 (10**10**9 is no share), and the reduced value's
# numerator and denominator within 2^53−1, what the browser verifier holds exactly.
_WS = "[ \t\n\r\f\v]*"
_DIGITS = "[0-9]+(?:_[0-9]+)*"
_RATIONAL = re.compile(rf"{_WS}[-+]?(?=[0-9]|\.[0-9])(?:[0-9]*|{_DIGITS})"
                       rf"(?:/{_DIGITS}|(?:\.(?:[0-9]*|{_DIGITS}))?(?:[eE](?P<exp>[-+]?{_DIGITS}))?){_WS}\Z")
_MAX_EXACT = 2**53 - 1


def parse_fraction(raw: Any) -> Fraction | None:
    """A share as rulebook.json or an event writes it (an integer or a string, PROTOCOL.md
    §14.1), or None when it is not one."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        value = Fraction(raw)
    elif isinstance(raw, str) and (m := _RATIONAL.match(raw)) is not None:
        if m["exp"] is not None and abs(int(m["exp"].replace("_", ""))) > 400:
            return None
        try:
            value = Fraction(raw)
        except (ValueError, ZeroDivisionError):
            return None
    else:
        return None
    return value if max(abs(value.numerator), value.denominator) <= _MAX_EXACT else None


def _coerce(key: str, f: dataclasses.Field[Any], raw: Any) -> Any:
    """Type-check one incoming value against the field's declared type."""
    typ = f.type if isinstance(f.type, str) else f.type.__name__
    label = Rulebook.label(key)
    if typ == "bool":
        if not isinstance(raw, bool):
            raise RulebookError(f"{label}须为是/否（true/false），收到 {raw!r}")
        return raw
    if typ == "int":
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise RulebookError(f"{label}须为整数，收到 {raw!r}")
        return raw
    if typ == "Fraction":
        if isinstance(raw, Fraction):
            return raw
        value = parse_fraction(raw)
        if value is not None:
            return value
        # Floats are refused on purpose: 0.1 is not exactly one tenth.
        raise RulebookError(f"{label}须为分数字符串（如 \"1/2\"），收到 {raw!r}")
    if typ == "str":
        if not isinstance(raw, str):
            raise RulebookError(f"{label}须为文字，收到 {raw!r}")
        choices = f.metadata.get("choices")
        if choices and raw not in choices:
            raise RulebookError(f"{label}的值“{raw}”无效，可选：{'、'.join(choices)}")
        return raw
    raise RulebookError(f"{label}的类型无法识别")  # pragma: no cover - all fields are typed above
