"""Nomination rules: differential margins, joint nominations, primaries, incompatibilities.

RULES.md "Nomination": margins 主任 +1, 副主任 +1, 委员 +1..+3 [P:SH], uncontested not
allowed; joint nomination by >= 10 voters [P:BJ]; a voter supports at most as many
nominees per post as it has seats (common practice); primary when nominees exceed the
maximum: top N by votes [P:ZJ]; one person not a candidate for both bodies [V art.32]; no
near relative of a 居委会 member on the 监督委员会 [V art.32]; the 监督委员会 chair nominee
must be confirmed by 街道党工委/纪工委 [seed 江苏 §17]; the 居委会 must include a woman [V art.6].
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from .phrase import phrase
from .shares import more_than, needed_more_than, share_text

DEFAULT_MARGINS: dict[str, tuple[int, int]] = {"主任": (1, 1), "副主任": (1, 1), "委员": (1, 3)}


def check_differential(post: str, seats: int, candidates: int, min_margin: int = 1, max_margin: int = 3) -> str | None:
    """None when seats+min_margin <= candidates <= seats+max_margin, else the refusal."""
    if candidates < seats + min_margin:
        if min_margin <= 0:
            return phrase("%(post)s：应选 %(seats)s 名，正式候选人 %(n)s 名，候选人不得少于应选人数",
                          post=post, seats=seats, n=candidates)
        return phrase("%(post)s：应选 %(seats)s 名，正式候选人 %(n)s 名，差额选举须多于应选人数 %(margin)s 名",
                      post=post, seats=seats, n=candidates, margin=min_margin)
    if candidates > seats + max_margin:
        return phrase("%(post)s：应选 %(seats)s 名，正式候选人 %(n)s 名，最多可多 %(margin)s 名",
                      post=post, seats=seats, n=candidates, margin=max_margin)
    return None


def check_all_differentials(
    seats: Mapping[str, int], candidates: Mapping[str, int], margins: Mapping[str, tuple[int, int]] | None = None
) -> list[str]:
    """check_differential for every post with seats; margins default to DEFAULT_MARGINS."""
    m = dict(DEFAULT_MARGINS if margins is None else margins)
    out: list[str] = []
    for post, n in seats.items():
        if n <= 0:
            continue
        lo, hi = m.get(post, (1, 3))
        msg = check_differential(post, n, candidates.get(post, 0), lo, hi)
        if msg:
            out.append(msg)
    return out


@dataclass(frozen=True)
class JointNomination:
    nominee: str
    post: str
    signers: tuple[str, ...]


@dataclass(frozen=True)
class JointCheck:
    valid: list[JointNomination]
    errors: list[str]
    offending_signers: dict[str, list[str]] = field(default_factory=dict)  # signer -> posts


def check_joint_nominations(
    nominations: Sequence[JointNomination],
    registered: Iterable[str],
    seats: Mapping[str, int],
    min_signers: int = 10,
) -> JointCheck:
    """Each nomination needs min_signers distinct registered voters; a signer who signed for
    more nominees of one post than it has seats is reported (each nomination they signed for
    that post is flagged, the committee decides which signature stands)."""
    reg = set(registered)
    errors: list[str] = []
    per_signer_post: dict[tuple[str, str], list[str]] = {}
    for nom in nominations:
        for s in dict.fromkeys(nom.signers):
            per_signer_post.setdefault((s, nom.post), []).append(nom.nominee)
    offending: dict[str, list[str]] = {}
    for (signer, post), nominees in per_signer_post.items():
        limit = seats.get(post, 0)
        if len(nominees) > limit:
            offending.setdefault(signer, []).append(post)
            errors.append(
                f"联名人{signer}在“{post}”职位联名推荐了{len(nominees)}人（{'、'.join(nominees)}），超过应选名额{limit}名"
            )
    valid: list[JointNomination] = []
    for nom in nominations:
        distinct = list(dict.fromkeys(nom.signers))
        problems: list[str] = []
        unregistered = [s for s in distinct if s not in reg]
        if unregistered:
            problems.append(f"联名人{'、'.join(unregistered)}不是本社区登记选民")
        if len(distinct) != len(nom.signers):
            problems.append("联名人有重复签名")
        good = [s for s in distinct if s in reg and nom.post not in offending.get(s, [])]
        if len(good) < min_signers:
            problems.append(f"有效联名人{len(good)}人，少于{min_signers}人")
        if problems:
            errors.append(f"{nom.post}被推荐人{nom.nominee}：" + "；".join(problems))
        else:
            valid.append(nom)
    return JointCheck(valid, errors, offending)


@dataclass(frozen=True)
class PrimaryResult:
    advanced: list[str]
    tied_at_cutoff: list[str]
    message: str


def primary_cutoff(post: str, votes: Mapping[str, int], places: int) -> PrimaryResult:
    """预选: the `places` nominees with most votes become formal candidates; nominees tied
    across the cut-off are listed for a further vote, none of them is advanced."""
    ranked = sorted(votes.items(), key=lambda kv: -kv[1])
    if len(ranked) <= places:
        names = [n for n, _ in ranked]
        return PrimaryResult(names, [], f"{post}：预选人数{len(ranked)}不超过候选人名额{places}，全部确定为正式候选人")
    cut = ranked[places - 1][1]
    above = [n for n, v in ranked if v > cut]
    at = [n for n, v in ranked if v == cut]
    if len(above) + len(at) == places:
        return PrimaryResult(above + at, [], f"{post}：按得票多少确定前{places}名为正式候选人")
    return PrimaryResult(
        above, at,
        f"{post}：第{places}名处得票相等（{'、'.join(at)}均为{cut}票），争{places - len(above)}个名额，须就得票相等者再次预选",
    )


def woman_warning(candidates: Sequence[tuple[str, str]], body: str = "居委会") -> str | None:
    """Warn when no woman is among the formal candidates (the 居委会 must include a woman)."""
    if any(sex == "女" for _, sex in candidates):
        return None
    return phrase("%(body)s正式候选人中没有女性，居民委员会成员中应当有妇女成员，请考虑定位选举等办法", body=body)


def two_bodies_conflicts(jwh_candidates: Iterable[str], jd_candidates: Iterable[str]) -> list[str]:
    """One person may not be a formal candidate for both 居委会 and 监督委员会 [V art.32]."""
    both = sorted(set(jwh_candidates) & set(jd_candidates))
    return [phrase("%(name)s同时是居委会和居务监督委员会的候选人，只能选择其一", name=p) for p in both]


def relative_flags(
    jd_candidates: Iterable[str],
    jwh_candidates: Iterable[str],
    relations: Iterable[tuple[str, str, str]],
) -> list[str]:
    """Flag 监督委员会 candidates who are near relatives (a, b, relation) of a 居委会 candidate."""
    jd, jwh = set(jd_candidates), set(jwh_candidates)
    out: list[str] = []
    for a, b, rel in relations:
        for x, y in ((a, b), (b, a)):
            if x in jd and y in jwh:
                out.append(phrase("居务监督委员会候选人%(x)s是居委会候选人%(y)s的近亲属（%(rel)s），如%(y)s当选，%(x)s不得担任监督委员会成员",
                                  x=x, y=y, rel=rel))
    return out


def jd_chair_can_be_formal(nominee: str, confirmed: bool) -> str | None:
    """The 监督委员会 chair nominee becomes formal only once confirmed by 街道党工委 or 纪工委."""
    if confirmed:
        return None
    return phrase("居务监督委员会主任人选%(name)s尚未经街道党工委或纪工委审核确认，不能列为正式候选人", name=nominee)


def primary_turnout_problem(participants: int, base: int, fraction: Fraction, base_name: str = "选民") -> str:
    """RULES.md "primary (预选)": valid when more than ``fraction`` of the voters (or
    representatives) take part; the Chinese reason when not, "" when valid."""
    if more_than(participants, base, fraction):
        return ""
    need = needed_more_than(base, fraction)
    return (f"参加预选的 {participants} 人未超过{base_name} {base} 人的 {share_text(fraction)}"
            f"（至少须有 {need} 人），预选无效（预选须参加的选民比例，primary_turnout）")
