"""Named rulebook presets: the national defaults and the places RULES.md cites.

Each preset differs from `national` exactly where RULES.md's variants column names that
place; a committee copies one and may change any parameter before the roll is published.
"""

from __future__ import annotations

from election.rules.rulebook import Rulebook, RulebookError

NATIONAL = Rulebook()
# committee_meeting_decision_required stays off in every preset: its one source, [V art.12],
# binds every place alike and is met by the committee's result naming the meeting that chose
# it; no preset's source asks for that meeting to be one recorded in Juxuan (issue 20).

PRESETS: dict[str, Rulebook] = {
    "national": NATIONAL,
    # [P:ZJ]: proxies to relatives only, committee members withdraw for relatives,
    # extended incompatibility for the supervisory committee, doubtful papers decided by
    # the committee, and the "that paper's votes for the person are invalid" multi-post
    # variant; run-off within 30 days (the national default already).
    "zhejiang": NATIONAL.with_changes(
        proxy_relatives_only=True,
        committee_relative_withdraws=True,
        jdw_incompat_extended=True,
        doubtful_by_committee=True,
        multi_post_rule="paper_invalid_for_person",
    ),
    # [P:SH]: proxies arranged 5 days before, election committee 7–9, supervisory
    # committee 3–7 (the Shanghai village rule), run-off within 30 days.
    "shanghai": NATIONAL.with_changes(
        proxy_days_before=5,
        committee_size_min=7,
        committee_size_max=9,
        jdw_size_max=7,
    ),
    # [P:BJ]: whole paper invalid on overvote, vacancies need the chair elected, run-off
    # within 15 days, persons without legal capacity excluded, 委员 margin +1 to +2.
    "beijing": NATIONAL.with_changes(
        overvote_scope="paper",
        vacancy_needs_zhuren=True,
        runoff_within_days=15,
        exclude_no_legal_capacity=True,
        margin_jwh_weiyuan_max=2,
    ),
    # [P:JS]: community workers registered after 6 months with a recommendation; the
    # 监督委员会's other members confirmed by the community Party organisation (江苏 2023
    # 指引 §17); the seed documents are the national defaults otherwise.
    "jiangsu": NATIONAL.with_changes(
        community_worker_recommendation=True,
        jdw_members_party_confirmed=True,
    ),
}

PRESET_LABELS: dict[str, str] = {
    "national": "全国默认",
    "zhejiang": "浙江",
    "shanghai": "上海",
    "beijing": "北京",
    "jiangsu": "江苏",
}


def preset(name: str) -> Rulebook:
    """The preset of that name, or a Chinese error listing the known names."""
    try:
        return PRESETS[name]
    except KeyError:
        known = "、".join(f"{k}（{v}）" for k, v in PRESET_LABELS.items())
        raise RulebookError(f"未知的规则预设“{name}”，可选：{known}") from None
