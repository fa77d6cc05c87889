"""Validity of selection meetings and quorum of residents' / representatives' meetings.

RULES.md: 居民小组长 and 居民代表 (household method) are chosen at a meeting that is valid
when MORE than half of those entitled take part (exactly half is refused); most votes
wins; a tie for the last seat means a re-vote [seed 江苏 §8-9]. 居民会议: quorum more than
half, decision more than half of those present [L2018 art.9-10]. 居民代表会议: quorum more
than half, decision more than two thirds of those present [长春 seed]. Every threshold is an
argument (a Fraction, rules.shares), "more than" is strict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction

from .rulebook import Rulebook
from .shares import more_than, needed_more_than, share_text


@dataclass(frozen=True)
class SelectionResult:
    valid: bool
    winners: list[str]
    tied: list[str]
    revote_needed: bool
    messages: list[str] = field(default_factory=list)


def _ranked(votes: Mapping[str, int]) -> list[tuple[str, int]]:
    return sorted(votes.items(), key=lambda kv: -kv[1])


def select(
    *,
    what: str,
    entitled: int,
    present: int,
    votes: Mapping[str, int],
    seats: int = 1,
    quorum: Fraction = Fraction(1, 2),
) -> SelectionResult:
    """A 居民代表 / 居民小组长 selection: valid when more than quorum of `entitled` take part;
    the `seats` with most votes win; a tie across the last seat asks for a re-vote."""
    msgs: list[str] = []
    if present > entitled:
        return SelectionResult(False, [], [], False, [f"{what}：参加人数{present}超过应参加人数{entitled}，请核对"])
    # Each of those present votes for at most `seats` people, once each: more votes than
    # that did not come from the meeting (as more papers than voters void an election).
    over = [f"{n}（{v}票）" for n, v in _ranked(votes) if v > present]
    if over or sum(votes.values()) > present * seats:
        why = (f"{'、'.join(over)}得票多于参加人数{present}" if over
               else f"得票合计{sum(votes.values())}票多于参加人数{present}×应选{seats}名")
        return SelectionResult(False, [], [], False, [f"{what}：{why}，请核对"])
    if not more_than(present, entitled, quorum):
        need = needed_more_than(entitled, quorum)
        return SelectionResult(
            False, [], [], False,
            [f"{what}：应参加{entitled}，实际参加{present}，未超过{share_text(quorum)}（至少需{need}），推选无效"],
        )
    ranked = [(n, v) for n, v in _ranked(votes) if v > 0]
    if not ranked:
        return SelectionResult(True, [], [], True, [f"{what}：无人得票，须重新推选"])
    if len(ranked) <= seats:
        winners = [n for n, _ in ranked]
        msgs.append(f"{what}：应参加{entitled}，实际参加{present}，推选有效；当选：" + "、".join(f"{n}（{v}票）" for n, v in ranked))
        return SelectionResult(True, winners, [], len(winners) < seats, msgs)
    cut = ranked[seats - 1][1]
    above = [n for n, v in ranked if v > cut]
    at_cut = [n for n, v in ranked if v == cut]
    if len(above) + len(at_cut) == seats:
        winners = above + at_cut
        msgs.append(
            f"{what}：应参加{entitled}，实际参加{present}，推选有效；得票最多者当选："
            + "、".join(f"{n}（{votes[n]}票）" for n in winners)
        )
        return SelectionResult(True, winners, [], False, msgs)
    msgs.append(
        f"{what}：" + "、".join(at_cut) + f"得票相等（均为{cut}票），争{seats - len(above)}个名额，须就得票相等者重新投票"
    )
    return SelectionResult(True, above, at_cut, True, msgs)


def representative_selection(area_households: int, households_present: int, votes: Mapping[str, int]) -> SelectionResult:
    """居民代表 by the household method: each household of the area has one voice."""
    return select(what="推选居民代表", entitled=area_households, present=households_present, votes=votes)


def group_leader_selection(group_entitled: int, present: int, votes: Mapping[str, int]) -> SelectionResult:
    """居民小组长: group voters (or household representatives) of the 居民小组."""
    return select(what="推选居民小组长", entitled=group_entitled, present=present, votes=votes)


@dataclass(frozen=True)
class MeetingCheck:
    quorate: bool
    adopted: bool | None
    message: str


def meeting_decision(
    *,
    what: str,
    members: int,
    present: int,
    in_favour: int | None = None,
    quorum: Fraction = Fraction(1, 2),
    majority: Fraction = Fraction(1, 2),
) -> MeetingCheck:
    """Quorum (more than quorum of members) and decision (more than majority of those present)."""
    if not more_than(present, members, quorum):
        return MeetingCheck(False, None, f"{what}：应到{members}，实到{present}，未超过{share_text(quorum)}，会议不能举行")
    if in_favour is None:
        return MeetingCheck(True, None, f"{what}：应到{members}，实到{present}，符合法定人数")
    ok = more_than(in_favour, present, majority)
    verdict = "通过" if ok else "未通过"
    return MeetingCheck(
        True, ok, f"{what}：实到{present}，赞成{in_favour}，{'超过' if ok else '未超过'}到会人数的{share_text(majority)}，决定{verdict}"
    )


def residents_meeting(members: int, present: int, in_favour: int | None = None) -> MeetingCheck:
    """居民会议 [L2018 art.9-10]: quorum > 1/2, decision > 1/2 of those present."""
    return meeting_decision(what="居民会议", members=members, present=present, in_favour=in_favour)


def representatives_meeting(
    members: int, present: int, in_favour: int | None = None,
    quorum: Fraction = Fraction(1, 2), majority: Fraction = Fraction(2, 3),
) -> MeetingCheck:
    """居民代表会议 [长春 seed]: quorum > 1/2 of representatives, decision > 2/3 of those present."""
    return meeting_decision(what="居民代表会议", members=members, present=present, in_favour=in_favour, quorum=quorum, majority=majority)


# --- meetings between elections (issue 20): convening, quorum and decisions ----------------

MEETING_KINDS: dict[str, str] = {
    "residents": "居民会议",
    "representatives": "居民代表会议",
    "group": "居民小组会议",
}
# Who makes up the meeting (and whose presence counts for the quorum).
MEETING_BASES: dict[str, str] = {
    "adults": "本社区十八周岁以上有选举权的居民",
    "households": "每户派出的代表",
    "representatives": "居民代表",
    "group_voters": "本居民小组的选民",
}
KIND_BASES: dict[str, tuple[str, ...]] = {
    "residents": ("adults", "households"),
    "representatives": ("representatives",),
    "group": ("group_voters",),
}
# Whose request may call the meeting besides the 居委会 itself.
REQUEST_BASES: dict[str, str] = {
    "adults": "成年居民",
    "households": "户",
    "groups": "居民小组",
    "representatives": "居民代表",
    "group_voters": "本组选民",
}


@dataclass(frozen=True)
class MeetingRules:
    """The rulebook parameters one meeting is held to, by key (so pages show label and source)."""

    kind: str
    quorum_key: str
    quorum: Fraction
    decision_key: str
    decision: Fraction
    notice_key: str
    notice_days: int

    def request_key(self, base: str) -> str:
        if self.kind == "representatives":
            return "rep_meeting_request"
        return "meeting_request_groups" if base == "groups" else "meeting_request"


def meeting_rules(rulebook: Rulebook, kind: str) -> MeetingRules:
    """居民代表会议 has its own quorum and majority [长春 seed]; 居民会议 and 居民小组会议 use the
    居民会议's [L2018 art.9–10] (a group meeting is the residents' meeting of one group)."""
    if kind not in MEETING_KINDS:
        raise ValueError(f"unknown meeting kind {kind!r}")
    if kind == "representatives":
        return MeetingRules(kind, "rep_meeting_quorum", rulebook.rep_meeting_quorum, "rep_meeting_decision",
                            rulebook.rep_meeting_decision, "meeting_notice_days", rulebook.meeting_notice_days)
    return MeetingRules(kind, "meeting_quorum", rulebook.meeting_quorum, "meeting_decision",
                        rulebook.meeting_decision, "meeting_notice_days", rulebook.meeting_notice_days)


def request_share(rulebook: Rulebook, rules: MeetingRules, base: str) -> Fraction:
    value: Fraction = getattr(rulebook, rules.request_key(base))
    return value


def notice_problems(what: str, notice_on: date, held_on: date, days: int) -> list[str]:
    """The meeting must be announced at least ``days`` days before it is held."""
    if held_on < notice_on:
        return [f"{what}：会议日期 {held_on.isoformat()} 早于公告日期 {notice_on.isoformat()}"]
    gap = (held_on - notice_on).days
    if gap < days:
        return [f"{what}：须提前 {days} 天公告，公告日 {notice_on.isoformat()} 距会议日 {held_on.isoformat()} 仅 {gap} 天"
                f"（最早可于 {(notice_on + timedelta(days=days)).isoformat()} 召开）"]
    return []


@dataclass(frozen=True)
class Quorum:
    quorate: bool
    members: int
    present: int
    needed: int
    message: str


def quorum(what: str, members: int, present: int, share: Fraction) -> Quorum:
    """More than ``share`` of the members present ("more than": exactly half is not enough)."""
    if members <= 0:
        return Quorum(False, members, present, 1, f"{what}：应到人数为 0，会议不能举行")
    if not 0 <= present <= members:
        raise ValueError(f"{what}: {present} present of {members}")
    need = needed_more_than(members, share)
    ok = more_than(present, members, share)
    verdict = "符合法定人数，会议有效" if ok else f"未超过{share_text(share)}，不足法定人数，会议不能作出决定"
    return Quorum(ok, members, present, need, f"{what}：应到 {members} 人，实到 {present} 人（至少需 {need} 人），{verdict}")


@dataclass(frozen=True)
class Decision:
    adopted: bool
    needed: int
    message: str


def decision(what: str, present: int, in_favour: int, against: int, abstain: int, share: Fraction) -> Decision:
    """Adopted when MORE than ``share`` of those present agree (abstentions and the absent
    from the vote count against: the base is those present, not the votes cast)."""
    for label, n in (("赞成", in_favour), ("反对", against), ("弃权", abstain)):
        if n < 0:
            raise ValueError(f"{what}: {label} {n}")
    if in_favour + against + abstain > present:
        raise ValueError(f"{what}: {in_favour}+{against}+{abstain} votes of {present} present")
    need = needed_more_than(present, share)
    ok = more_than(in_favour, present, share)
    verdict = "通过" if ok else "未通过"
    return Decision(ok, need, f"{what}：到会 {present} 人，赞成 {in_favour}、反对 {against}、弃权 {abstain}，"
                              f"赞成{'超过' if ok else '未超过'}到会人数的{share_text(share)}（至少需 {need} 票），{verdict}")
