"""The tally of RULES.md "Validity" and "Winning": one entry point, `tally(input)`.

It counts the papers once (tally_count), decides the seats (tally_decide) and writes
every decision as a plain Chinese sentence so the committee can read the result aloud
and any resident can redo it by hand.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace
from typing import Any

from election.rules.meetings import MEETING_KINDS, meeting_rules
from election.rules.methods import METHODS, method_of
from election.rules.question import decide_motion, decide_recall
from election.rules.rulebook import CHOICE_LABELS
from election.rules.shares import more_than, needed_more_than, share_text
from election.rules.tally_count import Counts, count_papers
from election.rules.tally_decide import (
    Selection,
    Threshold,
    barred_from_runoff,
    find_relative_conflict,
    pool_ranking,
    relatives_map,
    select_post,
    threshold_for,
    tied_relative,
)
from election.rules.tally_next import describe, merge, resolve
from election.rules.tally_types import (
    BODY_ZH,
    FEMALE,
    QUESTION_ROUNDS,
    R_BELOW,
    R_ELECTION_VOID,
    R_HIGHER_POST,
    R_NEAR_RELATIVE,
    R_REPLACED,
    R_SEATS_FILLED,
    R_TIE,
    WOMAN_DECISIONS,
    BodyOutcome,
    BodyStatus,
    Candidate,
    Elected,
    HeldRunoff,
    NextSection,
    NotElected,
    Paper,
    PersonVotes,
    PostMarks,
    PostResult,
    PostSpec,
    PriorElected,
    Ranked,
    RunoffNeed,
    SetAside,
    TallyInput,
    TallyInputError,
    TallyResult,
    Tie,
    WomanOutcome,
)

__all__ = [
    "tally", "TallyInput", "TallyResult", "PostSpec", "Candidate", "Paper", "PostMarks",
    "PriorElected", "TallyInputError",
]


def check_input(inp: TallyInput, counted: bool = False) -> None:
    """Refuse inconsistent input before counting (Chinese, naming the field)."""
    for name in ("registered_voters", "papers_issued", "papers_returned"):
        v = getattr(inp, name)
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise TallyInputError(f"{name} 须为非负整数，收到 {v!r}")
    if inp.body_papers:
        bodies = {p.body for p in inp.posts}
        named = [b for b, _, _ in inp.body_papers]
        if sorted(named) != sorted(set(named)) or set(named) != bodies:
            raise TallyInputError(f"分机构选票 body_papers 须对本轮每个机构（{'、'.join(sorted(bodies))}）各给一次")
        if sum(r for _, _, r in inp.body_papers) != inp.papers_returned:
            raise TallyInputError("分机构选票 body_papers 的收回张数之和须等于 papers_returned")
    if not counted and len(inp.papers) != inp.papers_returned:
        raise TallyInputError(
            f"收回选票数 papers_returned 为 {inp.papers_returned}，但选票记录有 {len(inp.papers)} 张，"
            "每张收回的选票（含无效票）都须有记录"
        )
    keys = [p.key for p in inp.posts]
    if len(set(keys)) != len(keys):
        raise TallyInputError("职位 posts 中有重复的 key")
    for p in inp.posts:
        if p.seats < 1:
            raise TallyInputError(f"职位“{p.key}”的应选名额 seats 为 {p.seats}，须至少为 1")
        if not 0 <= p.reserved_woman_seats <= p.seats:
            raise TallyInputError(f"职位“{p.key}”的妇女定位名额 reserved_woman_seats 须在 0 到 {p.seats} 之间")
    for c in inp.candidates:
        if c.post is not None and c.post not in keys:
            raise TallyInputError(f"候选人“{c.name}”（{c.id}）的职位“{c.post}”不在 posts 中")
    if inp.round_kind not in ("main", "revote", "runoff", "recall", "motion"):
        raise TallyInputError(f"round_kind 须为 main、revote、runoff、recall 或 motion，收到 {inp.round_kind!r}")
    if inp.round_kind == "motion" and inp.meeting_kind not in MEETING_KINDS:
        raise TallyInputError(f"会议表决 meeting_kind 须为 {'、'.join(MEETING_KINDS)} 之一，收到 {inp.meeting_kind!r}")
    if inp.method not in METHODS:
        raise TallyInputError(f"选举方式 method 须为 {'、'.join(METHODS)} 之一，收到 {inp.method!r}")
    if inp.round_kind == "revote":
        _check_revote_papers(inp)
    if inp.round_kind in QUESTION_ROUNDS:
        _check_question(inp)


def _check_question(inp: TallyInput) -> None:
    """A question's paper has one section with one line, no 另选他人 and no second body."""
    listed = [c for c in inp.candidates if c.post is not None]
    what = "罢免投票" if inp.round_kind == "recall" else "会议表决"
    if len(inp.posts) != 1 or len(listed) != 1 or inp.body_papers:
        one = "人" if inp.round_kind == "recall" else "项"
        raise TallyInputError(f"{what}的选票只有一栏一{one}：posts {len(inp.posts)} 栏、candidates {len(listed)} {one}")
    subject = listed[0].person_id
    seen: set[int] = set()
    for n, paper in enumerate(inp.papers, 1):
        if id(paper) in seen:
            continue
        seen.add(id(paper))
        for key, pm in paper.marks.items():
            if pm.write_ins or (pm.approve | pm.oppose) - {subject}:
                raise TallyInputError(f"第 {n} 张选票职位“{key}”标记了表决事项以外的人：{what}的选票只可对表决事项"
                                      "表示同意、不同意或弃权，不设另选他人栏")


def _check_revote_papers(inp: TallyInput) -> None:
    """A re-vote is among the tied only (RULES.md "tie at the last seat"): its papers have no
    另选他人 line, so a write-in or a vote for anyone not on the paper cannot be counted."""
    listed: dict[str, set[str]] = defaultdict(set)
    for c in inp.candidates:
        if c.post is not None:
            listed[c.post].add(c.person_id)
    seen: set[int] = set()
    for n, paper in enumerate(inp.papers, 1):
        if id(paper) in seen:  # identical papers share one object
            continue
        seen.add(id(paper))
        for key, pm in paper.marks.items():
            if pm.write_ins:
                raise TallyInputError(
                    f"第 {n} 张选票职位“{key}”有另选他人 {sorted(pm.write_ins)}：再次投票只在票数相等的候选人中进行，"
                    "选票不设另选他人栏，不能计入另选他人")
            stray = (pm.approve | pm.oppose) - listed[key]
            if stray:
                raise TallyInputError(
                    f"第 {n} 张选票职位“{key}”标记了不在再次投票名单上的人 {sorted(stray)}：再次投票只在票数相等的候选人中进行")


def tally(inp: TallyInput, counts: Counts | None = None) -> TallyResult:
    """Count the papers and decide every seat; see RULES.md "Validity" and "Winning".

    ``counts`` given: decide from those counts instead of counting ``inp.papers`` (a
    verifier of a public bundle has the published counts, never the papers)."""
    check_input(inp, counted=counts is not None)
    rb = inp.rulebook
    names: dict[str, str] = {}
    female: set[str] = set()
    for c in inp.candidates:
        names.setdefault(c.person_id, c.name)
        if c.sex in FEMALE:
            female.add(c.person_id)
    for pe in inp.prior_elected:
        if pe.sex in FEMALE:
            female.add(pe.person_id)

    def nm(pid: str) -> str:
        return names.get(pid, pid)

    expl: list[str] = []
    if inp.round_kind in QUESTION_ROUNDS:
        if counts is None:
            counts = count_papers(inp.posts, inp.papers, rb.overvote_scope, rb.multi_post_rule)
        return _question(inp, counts, nm)
    N = inp.registered_voters
    tf = rb.turnout_fraction
    # Separate papers per body (paper_layout "per_body"): each body's papers are issued,
    # returned, checked and counted on their own; one paper for all posts otherwise.
    sheets = [(b, i, r, f"{BODY_ZH.get(b, b)}选票") for b, i, r in inp.body_papers] or [
        ("", inp.papers_issued, inp.papers_returned, "选票")]
    reason = ""
    m = method_of(inp.method)
    who = "选民" if inp.method == "direct" else m.electors_zh
    if inp.method != "direct":
        expl.append(f"选举方式：{m.name_zh}，参加投票和当选票数以{m.electors_zh}计算。")
    for _, issued, R, what in sheets:
        expl.append(f"{m.electors_zh} {N} 人，发出{what} {issued} 张，收回{what} {R} 张。")
        if rb.returned_le_issued and R > issued:
            reason = f"收回{what} {R} 张多于发出{what} {issued} 张，本次投票无效，须重新投票。"
        elif N and R > N:
            # More papers than electors: some were not cast by a voter of the roll, as the
            # recall's count also holds (rules.question). N 0 is the running count's "no roll
            # figure yet" (counting.result.build_input), which decides nothing.
            reason = f"收回{what} {R} 张多于{m.electors_zh} {N} 人，本次投票无效，须重新投票。"
        elif not more_than(R, N, tf):
            reason = (
                f"参加投票的{who} {R} 人（收回{what}）未超过{m.electors_zh} {N} 人的 {share_text(tf)}"
                f"（至少须有 {needed_more_than(N, tf)} 人），{_VOID_WORDS.get(inp.round_kind, '选举无效，须重新选举。')}"
            )
        if reason:
            expl.append(reason)
            if counts is None:
                counts = count_papers(inp.posts, inp.papers, rb.overvote_scope, rb.multi_post_rule, bool(inp.body_papers))
            return _void_result(inp, counts, reason, expl, nm)
        expl.append(
            f"参加投票的{who} {R} 人超过{m.electors_zh} {N} 人的 {share_text(tf)}，且收回{what}不多于发出{what}，选举有效。"
        )

    if counts is None:
        counts = count_papers(inp.posts, inp.papers, rb.overvote_scope, rb.multi_post_rule, bool(inp.body_papers))
    return _decide(inp, counts, names, female, nm, expl)


def _question(inp: TallyInput, counts: Counts, nm) -> TallyResult:  # type: ignore[no-untyped-def]
    """A recall round (rules.question): the one line's 同意 and 不同意 from the tally's own
    count, decided by recall_turnout and recall_approve; no seat is filled, no round follows."""
    rb = inp.rulebook
    post = inp.posts[0]
    subject = next(c.person_id for c in inp.candidates if c.post == post.key)
    pc = counts.posts[post.key]
    stray = {p for p, v in pc.votes.items() if v and p != subject} | {p for p, v in pc.opposed.items() if v and p != subject}
    if stray:
        raise TallyInputError(f"罢免投票的计数含被罢免人以外的人 {sorted(stray)}")
    returned, issued, registered = inp.papers_returned, inp.papers_issued, inp.registered_voters
    agree, disagree, invalid = pc.votes[subject], pc.opposed[subject], counts.invalid(post.key)
    if agree + disagree + invalid > returned:
        raise TallyInputError(f"同意 {agree}、不同意 {disagree}、无效 {invalid} 合计多于收回选票 {returned} 张")
    # More papers than voters (or the running count, which has no roll figure yet) cannot
    # carry: decided on the papers as if every voter had voted, then made void.
    too_many = returned > registered
    motion = inp.round_kind == "motion"
    electors = "到会人员" if motion else "登记选民"
    if motion:
        # A meeting's motion: the electors are those present; the meeting's own rule decides.
        mr = meeting_rules(rb, inp.meeting_kind)
        q = decide_motion(subject, f"{MEETING_KINDS[inp.meeting_kind]}表决“{nm(subject)}”", max(registered, returned),
                          returned, agree, disagree, invalid, mr.decision)
        reason = "会议表决有效"
    else:
        q = decide_recall(subject, nm(subject), max(registered, returned), returned, agree, disagree, invalid,
                          rb.recall_turnout, rb.recall_approve)
        reason = "罢免投票有效" if q.valid else "参加投票的选民未超过规定比例，罢免投票无效"
    expl = [f"{electors} {registered} 人，发出选票 {issued} 张，收回选票 {returned} 张。", q.message]
    void = (f"收回选票 {returned} 张多于{electors} {registered} 人" if too_many else
            f"收回选票 {returned} 张多于发出选票 {issued} 张" if rb.returned_le_issued and returned > issued else "")
    if void:
        reason = void + "，本次投票无效"
        expl.append(reason)
        q = replace(q, registered=registered, valid=False, carried=False, message=q.message + "；" + reason)
    th = threshold_for(post, inp.round_kind, rb, registered if motion else returned, inp.meeting_kind)
    valid_papers = returned - invalid
    pr = PostResult(post.key, post.body, post.title, post.seats, valid_papers, invalid, pc.overvoted, pc.unreadable,
                    (PersonVotes(subject, nm(subject), agree, disagree, True),), th.rule, th.base, th.fraction,
                    th.min_votes, (), (), (), 0, ())
    woman = WomanOutcome(False, rb.woman_member_method, "not_required", None, None, f"{'会议表决' if motion else '罢免投票'}不涉及妇女成员")
    return TallyResult(q.valid, reason, inp.round_kind, inp.registered_voters, issued, returned, counts.whole_invalid,
                       (pr,), (), woman, (), "none", tuple(expl), method=inp.method, question=q)


# A void run-off or re-vote is that round held again (counting.result makes it with the same
# posts and candidates); those elected in earlier rounds keep their seats. "重新选举" alone
# read as if the whole election were void.
_VOID_WORDS = {
    "runoff": "本轮另行选举无效，须重新进行另行选举（此前各轮已当选者不受影响）。",
    "revote": "本轮再次投票无效，须就票数相等者重新投票（此前各轮已当选者不受影响）。",
}


def _void_result(inp: TallyInput, counts: Counts, reason: str, expl: list[str], nm) -> TallyResult:  # type: ignore[no-untyped-def]
    """A void round (RULES.md "Validity"): nobody is elected, and the papers are still counted
    and published as counted (counting is public and its result announced on the spot,
    [V art.15]; RULES.md says nothing to withhold for a void round), so a page shows each
    person's votes beside the reason the round is void."""
    returned_of = {b: r for b, _, r in inp.body_papers}

    def post_result(p: PostSpec) -> PostResult:
        pc = counts.posts[p.key]
        ranking = sorted(pc.votes.items(), key=lambda kv: (-kv[1], kv[0]))
        listed = [c.person_id for c in inp.candidates if c.post == p.key]
        listing = [(pid, v) for pid, v in ranking if v] + [(pid, 0) for pid in listed if not pc.votes.get(pid)]
        invalid = counts.invalid(p.key)
        return PostResult(
            p.key, p.body, p.title, p.seats, returned_of.get(p.body, inp.papers_returned) - invalid, invalid,
            pc.overvoted, pc.unreadable,
            tuple(PersonVotes(pid, nm(pid), v, pc.opposed.get(pid, 0), pid in listed) for pid, v in ranking),
            "void", inp.papers_returned, None, 0, (),
            tuple(NotElected(pid, nm(pid), v, R_ELECTION_VOID, f"{nm(pid)} 得 {v} 票；选举无效，不产生当选人")
                  for pid, v in listing),
            (), p.seats, (),
        )

    posts = tuple(post_result(p) for p in inp.posts)
    woman = WomanOutcome(inp.rulebook.woman_member_required, inp.rulebook.woman_member_method,
                         "not_required" if not inp.rulebook.woman_member_required else "needs_round",
                         None, None, "选举无效，妇女成员须在重新选举中产生。")
    by_key = {p.key: p for p in inp.posts}
    serving = [pe.person_id for pe in inp.prior_elected if pe.sex == "女" and _body_of(pe.post, by_key) == "jwh"]
    if inp.rulebook.woman_member_required and serving:
        # A void run-off or re-vote takes nothing from an earlier round: a woman elected then
        # still satisfies the rule [V art.6], as in a valid round (_woman_rule).
        woman = replace(woman, status="satisfied", person_id=serving[0],
                        explanation=f"居民委员会成员中有妇女成员（{'、'.join(nm(p) for p in serving)}，此前各轮当选），"
                                    "本轮投票无效不影响这一要求。")
    bodies = tuple(
        BodyOutcome(b, sum(p.seats for p in inp.posts if p.body == b), 0, "new_round_needed",
                    _VOID_WORDS.get(inp.round_kind, "选举无效，须重新选举。"))
        for b in dict.fromkeys(p.body for p in inp.posts)
    )
    return TallyResult(False, reason, inp.round_kind, inp.registered_voters, inp.papers_issued,
                       inp.papers_returned, counts.whole_invalid, posts, (), woman, bodies, "new_election", tuple(expl),
                       body_papers=inp.body_papers, method=inp.method)


def _decide(inp: TallyInput, counts: Counts, names: dict[str, str], female: set[str], nm, expl: list[str]) -> TallyResult:  # type: ignore[no-untyped-def]
    rb = inp.rulebook
    returned_of = {b: r for b, _, r in inp.body_papers}

    def R_of(body: str) -> int:  # noqa: N802 - R is the returned papers of RULES.md
        return returned_of.get(body, inp.papers_returned)

    R = inp.papers_returned
    post_index = {p.key: i for i, p in enumerate(inp.posts)}
    # Seats are decided higher post first ("same person, several posts"), and the 居委会's
    # before the 监督委员会's whatever the ranks say: a 居委会 member may not sit on the
    # 监督委员会 ([V art.32], as find_relative_conflict orders near relatives), so a person
    # elected on both keeps the 居委会 seat and the 监督委员会 seat passes to the next.
    posts_sorted = sorted(inp.posts, key=lambda p: (p.body != "jwh", -p.rank, post_index[p.key]))
    by_key = {p.key: p for p in inp.posts}
    thresholds: dict[str, Threshold] = {p.key: threshold_for(p, inp.round_kind, rb, R_of(p.body)) for p in inp.posts}
    rankings: dict[str, list[tuple[str, int]]] = {
        k: sorted(c.votes.items(), key=lambda kv: (-kv[1], kv[0])) for k, c in counts.posts.items()
    }
    prior = {pe.person_id for pe in inp.prior_elected}
    prior_body = {pe.person_id: _body_of(pe.post, by_key) for pe in inp.prior_elected}
    # The bar between the bodies is statutory (V art.32): relations are always read; the
    # provincial switch only decides whether relatives may serve together in one body.
    rel = relatives_map(inp.relations)
    cross = relatives_map(inp.extended_relations) if rb.jdw_incompat_extended and inp.extended_relations else None

    # Near-relative set-asides change who moves up, so seats are re-decided until stable.
    nr_aside: dict[str, tuple[str, str]] = {}  # person -> (post, explanation)
    pending: set[str] = set()
    seats_held: Counter[str] = Counter()
    rel_ties: dict[str, list[Tie]] = defaultdict(list)
    sels: dict[str, Selection] = {}
    elected_at: dict[str, tuple[PostSpec, int]] = {}
    for _ in range(len(names) + sum(len(r) for r in rankings.values()) + 2):
        elected_at = {}
        sels = {}
        for post in posts_sorted:
            excl = prior | nr_aside.keys() | pending | elected_at.keys()
            sel = select_post(post, rankings[post.key], thresholds[post.key].min_votes, excl, female, seats_held[post.key])
            for pid, v in sel.elected:
                elected_at[pid] = (post, v)
            sels[post.key] = sel
        conflict = (find_relative_conflict(elected_at, prior_body, rel, rb.near_relatives_rule, cross)
                    if rel or cross else None)
        if conflict is None:
            # A tied person who could not serve whoever wins the re-vote is set aside first
            # (the seat passes by votes), so no re-vote is held that cannot decide anything.
            tied_at = [(p, t) for p in posts_sorted for t in sels[p.key].ties]
            moot = (tied_relative(tied_at, {k: dict(r) for k, r in rankings.items()}, elected_at, prior_body, rel,
                                  rb.near_relatives_rule, cross) if (rel or cross) and tied_at else None)
            if moot is None:
                break
            kept, other, tpost = moot
            kdesc = (f"当选为{elected_at[kept][0].name_zh}" if kept in elected_at else "已在前一轮当选")
            nr_aside[other] = (
                tpost.key,
                f"{nm(other)}与{nm(kept)}为近亲属{'或须回避的亲属' if cross and kept in cross.get(other, ()) else ''}，"
                f"不能同时任职；{nm(kept)}{kdesc}，无论再次投票结果如何{nm(other)}都不能任{tpost.name_zh}，"
                "不列入再次投票，名额由得票次多者依次递补。",
            )
            continue
        kept, other, verdict = conflict
        opost, ovotes = elected_at[other]
        if verdict == "tie":
            pending |= {kept, other}
            seats_held[opost.key] += 1
            rel_ties[opost.key].append(Tie(opost.key, tuple(sorted((kept, other))), ovotes, 1))
        elif verdict == "bar":
            kdesc = (f"当选为{by_key[elected_at[kept][0].key].name_zh}" if kept in elected_at else "已在前一轮当选")
            nr_aside[other] = (
                opost.key,
                f"{nm(other)}与{nm(kept)}为近亲属{'或须回避的亲属' if cross and kept in cross.get(other, ()) else ''}，"
                f"{nm(kept)}{kdesc}；居民委员会成员的近亲属不得担任居务监督委员会成员（村民委员会组织法第三十二条），"
                f"{nm(other)}在{opost.name_zh}的当选不成立，名额由得票次多者依次递补。",
            )
        else:
            kdesc = (f"已当选为{by_key[elected_at[kept][0].key].name_zh}" if kept in elected_at else "已在前一轮当选")
            why = ("职位较高" if kept in elected_at and elected_at[kept][0].rank > opost.rank
                   else "得票较多" if kept in elected_at else "先行当选")
            nr_aside[other] = (
                opost.key,
                f"{nm(other)}与{nm(kept)}为近亲属，不能同时任职；{nm(kept)}{kdesc}且{why}，"
                f"{nm(other)}在{opost.name_zh}的当选不成立，名额由得票次多者依次递补。",
            )

    # ---------------------------------------------------------------- woman member
    replaced: dict[str, str] = {}
    woman = _woman_seat_room(inp, _woman_rule(inp, sels, elected_at, female, thresholds, rankings, prior, nr_aside,
                                              pending, rel if rb.near_relatives_rule else {}, nm, replaced),
                             sels, elected_at, female, thresholds, rankings, prior, nr_aside, pending,
                             rel if rb.near_relatives_rule else {}, nm, replaced)

    # ---------------------------------------------------------------- per-post results
    elected_post: dict[str, str] = {}
    for key, sel in sels.items():
        for pid, _ in sel.elected:
            elected_post[pid] = key
    set_asides: list[SetAside] = []
    post_results: list[PostResult] = []
    all_ties: list[Tie] = []
    body_unfilled: Counter[str] = Counter()
    body_tie_seats: Counter[str] = Counter()
    cand_by_post: dict[str, list[str]] = defaultdict(list)
    for c in inp.candidates:
        if c.post:
            cand_by_post[c.post].append(c.person_id)
    # Who may stand in a run-off: not elected, not set aside, not waiting on a relatives' re-vote.
    blocked = set(elected_post) | prior | nr_aside.keys() | pending
    # ... nor a relative who could not serve beside someone who serves (the run-off keeps them).
    serving = {p: by_key[k].body for p, k in elected_post.items()} | prior_body
    barred = {b: blocked | barred_from_runoff(b, serving, rel, rb.near_relatives_rule, cross) for b in ("jwh", "jdw")}
    own: list[HeldRunoff] = []
    for post in inp.posts:
        key = post.key
        th = thresholds[key]
        sel = sels[key]
        pc = counts.posts[key]
        ties = tuple(sel.ties) + tuple(rel_ties.get(key, ()))
        all_ties += ties
        body_tie_seats[post.body] += sum(t.seats for t in ties)
        tied_ids = {p for t in ties for p in t.person_ids}
        invalid = counts.invalid(key)
        expl.append(
            f"【{post.name_zh}】应选 {post.seats} 名。有效票 {R_of(post.body) - invalid} 张，无效票 {invalid} 张"
            f"（多选 {pc.overvoted} 张，无法辨认 {pc.unreadable} 张，整张无效 {counts.whole_of(key)} 张）。{th.describe()}。"
        )
        elected = tuple(Elected(p, nm(p), v) for p, v in sel.elected)
        for e in elected:
            mark = "（妇女委员定位）" if e.person_id in sel.reserved_women and not sel.moot_tie else ""
            expl.append(f"{e.name} 得 {e.votes} 票，当选{post.name_zh}{mark}。")
        if sel.moot_tie:
            expl.append(f"{'、'.join(nm(p) for p in sel.moot_tie)} 在妇女委员定位名额上票数相等，但无论由谁占定位名额，"
                        "当选者都相同，故均当选，无须再次投票。")
        not_elected: list[NotElected] = []
        seen = {p for p, _ in sel.elected}
        listing = list(rankings[key]) + [(p, 0) for p in cand_by_post[key] if p not in pc.votes]
        for pid, v in listing:
            if pid in seen:
                continue
            seen.add(pid)
            if pid in replaced:
                code, text = R_REPLACED, replaced[pid]
            elif pid in prior:
                code, text = R_HIGHER_POST, f"{nm(pid)}已在前一轮当选，本轮得票不再计算。"
            elif pid in elected_post and elected_post[pid] != key:
                higher = by_key[elected_post[pid]]
                code = R_HIGHER_POST
                if v >= th.min_votes:
                    text = f"{nm(pid)}已当选为{higher.name_zh}，在{post.name_zh}的 {v} 票不再计算，由得票次多者依次递补。"
                    set_asides.append(SetAside(pid, nm(pid), key, "multi_post", text))
                else:  # not elected here in any case: nobody moves up in this person's place
                    text = (f"{nm(pid)}已当选为{higher.name_zh}，在{post.name_zh}的 {v} 票不再计算"
                            f"（也未达到 {th.min_votes} 票）。")
            elif pid in nr_aside and nr_aside[pid][0] == key:
                code, text = R_NEAR_RELATIVE, nr_aside[pid][1]
                set_asides.append(SetAside(pid, nm(pid), key, "near_relative", text))
            elif pid in nr_aside:
                code, text = R_NEAR_RELATIVE, f"{nm(pid)}因近亲属回避不能任职，在{post.name_zh}的得票不计。"
            elif pid in tied_ids:
                code, text = R_TIE, f"{nm(pid)} 得 {v} 票，与他人票数相等，须就票数相等者再次投票。"
            elif v < th.min_votes:
                code, text = R_BELOW, f"{nm(pid)} 得 {v} 票，未达到 {th.min_votes} 票，未当选。"
            else:
                code, text = R_SEATS_FILLED, f"{nm(pid)} 得 {v} 票，已达到当选票数但名额已满（得票低于已当选者{'，或名额为妇女委员定位' if post.reserved_woman_seats else ''}），未当选。"
            not_elected.append(NotElected(pid, nm(pid), v, code, text))
            expl.append(text)
        for t in ties:
            expl.append(
                f"{post.name_zh}：{'、'.join(nm(p) for p in t.person_ids)} 各得 {t.votes} 票，"
                f"争 {t.seats} 个名额，须就票数相等者再次投票。"
            )
        for n_unf, women_only in ((sel.unfilled_reserved, True), (sel.unfilled_general, False)):
            if n_unf > 0:
                own.append(_held(post, n_unf, women_only, pool_ranking(
                    rankings[key], cand_by_post[key], barred[post.body], women_only, female), nm))
        unfilled = sel.unfilled_general + sel.unfilled_reserved
        body_unfilled[post.body] += unfilled
        post_results.append(PostResult(
            key, post.body, post.title, post.seats, R_of(post.body) - invalid, invalid, pc.overvoted, pc.unreadable,
            tuple(PersonVotes(p, nm(p), v, pc.opposed.get(p, 0), p in cand_by_post[key]) for p, v in rankings[key]),
            th.rule, th.base, th.fraction, th.min_votes, elected, tuple(not_elected), ties, unfilled, (),
        ))

    # RULES.md "woman member": no woman elected and no woman-only seat open on the 委员 post:
    # a seat of the next round is hers (a re-vote round leaves this to the held run-offs).
    woman_post = next((p.key for p in inp.posts if p.body == "jwh" and p.title == "委员"), None)
    if (woman.status == "needs_round" and inp.round_kind != "revote" and woman_post is not None
            and not any(h.women_only and h.post == woman_post for h in own)):
        own.append(_held(by_key[woman_post], 1, True, pool_ranking(
            rankings[woman_post], cand_by_post[woman_post], barred["jwh"], True, female), nm, woman_seat=True))

    # The run-offs held for this re-vote round, now that the tied are decided.
    carried: list[RunoffNeed] = []
    if inp.held and not all_ties:
        women_in = [p for p, k in elected_post.items() if p in female and by_key[k].body == "jwh"]
        women_in += [pe.person_id for pe in inp.prior_elected
                     if pe.person_id in female and _body_of(pe.post, by_key) == "jwh"]
        woman_needed = rb.woman_member_required and not women_in
        # Their pools leave out, as this round's own, whoever could not serve beside someone elected.
        pools = [replace(h, ranked=tuple(r for r in h.ranked if r.person_id not in barred.get(_body_of(h.post, by_key), blocked)))
                 for h in inp.held]
        carried = resolve(pools, prior | set(elected_post), woman_needed, rb.runoff_extra_candidates)
    carried_seats: Counter[str] = Counter()
    for n in carried:
        carried_seats[_body_of(n.post, by_key)] += n.seats

    # ---------------------------------------------------------------- bodies
    bodies: list[BodyOutcome] = []
    needs_round: set[str] = set()
    for body in dict.fromkeys([p.body for p in inp.posts] + [_body_of(n.post, by_key) for n in carried]):
        bposts = [p for p in inp.posts if p.body == body]
        seats = sum(p.seats for p in bposts)
        now = sum(len(sels[p.key].elected) for p in bposts)
        before = sum(1 for pe in inp.prior_elected if _body_of(pe.post, by_key) == body)
        total = now + before
        zhuren_elected = any(
            sels[p.key].elected for p in bposts if _is_zhuren(p.key, p.title)
        ) or any(pe.post == f"{body}_zhuren" for pe in inp.prior_elected)
        body_ties = body_tie_seats[body] > 0
        bname = BODY_ZH.get(body, body)
        # After a run-off the seats the re-vote fills count as filled: a tie always elects.
        enough = (total + body_tie_seats[body] >= rb.vacancy_min_members
                  and (zhuren_elected or not rb.vacancy_needs_zhuren))
        if body_unfilled[body] and (inp.round_kind != "runoff" or not enough):
            needs_round.add(body)
        status: BodyStatus
        if body_ties:
            status, text = "revote_needed", f"{bname}有票数相等的名额，须就票数相等者再次投票。"
            if body in needs_round:
                text += f"其余 {body_unfilled[body]} 个未选出的名额待再次投票后另行选举。"
        elif carried_seats[body]:
            status = "runoff_needed"
            text = (f"{bname}再次投票已决定；再次投票前留待的 {carried_seats[body]} 个名额"
                    f"须在 {rb.runoff_within_days} 天内另行选举。")
        elif body_unfilled[body] == 0:
            status, text = "complete", f"{bname}本轮应选名额已全部选出。"
        elif inp.round_kind == "runoff":
            if enough:
                status = "vacancies_allowed"
                text = (f"另行选举后{bname}已当选 {total} 人，达到 {rb.vacancy_min_members} 人"
                        f"{'且主任已当选' if rb.vacancy_needs_zhuren else ''}，其余 {body_unfilled[body]} 个名额可以经决定暂缺。")
            else:
                status = "new_round_needed"
                # Say the reason that holds: too few elected, or (vacancy_needs_zhuren, [P:BJ])
                # enough but no 主任 -- never "only 3 elected, fewer than 3".
                why = (f"只当选 {total} 人，不足 {rb.vacancy_min_members} 人"
                       if total + body_tie_seats[body] < rb.vacancy_min_members
                       else f"已当选 {total} 人，但主任未当选")
                text = f"另行选举后{bname}{why}，不能暂缺，须再行选举。"
        else:
            status = "runoff_needed"
            text = f"{bname}尚有 {body_unfilled[body]} 个名额未选出，须在 {rb.runoff_within_days} 天内另行选举。"
        has_zhuren_post = any(_is_zhuren(p.key, p.title) for p in bposts)
        if body == "jwh" and has_zhuren_post and not zhuren_elected and not body_ties and rb.no_zhuren_fu_presides:
            text += "主任未选出，由副主任主持工作至补选。"
        bodies.append(BodyOutcome(body, seats, total, status, text, before))
        expl.append(text)

    expl.append(woman.explanation)

    # ---------------------------------------------------------------- the next round
    # A run-off goes to the next round when its body needs one; a woman-only seat also
    # while the 居委会 still needs its woman member.
    going = [h for h in own if _body_of(h.post, by_key) in needs_round
             or (h.women_only and woman.status == "needs_round")]
    extra = rb.runoff_extra_candidates
    order = [p.key for p in inp.posts]
    votes = {pid: v for r in rankings.values() for pid, v in r}
    for h in list(inp.held) + going:
        for r in h.ranked:
            votes.setdefault(r.person_id, r.votes)

    held_names = {h.post: h.post_name for h in inp.held}

    def post_name(key: str) -> str:
        return by_key[key].name_zh if key in by_key else held_names.get(key) or key

    held: tuple[HeldRunoff, ...] = ()
    if all_ties:
        # The tied are re-voted first (RULES.md); the run-offs wait, as shown if the tied win.
        tied = {p for t in all_ties for p in t.person_ids}
        shown = resolve(own, tied, False, extra)
        held = tuple(inp.held) + tuple(going)
        next_posts = merge(all_ties, order, votes)
        next_round = "revote"
        waiting = describe(resolve(held, tied, False, extra), extra, post_name, nm)
        if waiting:
            expl.append("以下另行选举待再次投票结果确定后进行，届时按本轮得票重新确定候选人（已当选者除外）：")
            expl += waiting
        if any(h.woman_seat for h in held):
            expl.append("再次投票后居民委员会仍无妇女当选的，另行选举妇女委员定位 1 名。")
    else:
        shown = resolve(own, set(), woman.status == "needs_round", extra)
        goes = resolve(going, set(), woman.status == "needs_round", extra)
        expl += describe(goes, extra, post_name, nm)
        if carried:
            expl.append("再次投票前留待的另行选举，按得票重新确定候选人（已当选者除外）：")
            expl += describe(carried, extra, post_name, nm)
            goes += carried
        unplaced = (woman.status == "needs_round" and inp.round_kind != "revote"
                    and not any(n.women_only for n in goes))
        if unplaced:
            if not goes:
                expl.append("居民委员会无妇女当选，本轮选票没有居民委员会委员一栏可设妇女委员定位，"
                            "须由选举委员会另行提名妇女候选人后再行选举。")
                goes.append(RunoffNeed(woman_post or "jwh_weiyuan", 1, (), True))
            else:
                # With other run-offs ahead the woman member is looked at after them (their
                # winners may be women): the committee is not told to nominate yet.
                expl.append("居民委员会无妇女当选，本轮选票没有居民委员会委员一栏可设妇女委员定位；"
                            "本轮另行选举后仍无妇女当选的，由选举委员会另行提名妇女候选人后再行选举。")
        # Every section of the next paper, with the candidates it has so far; a section with
        # fewer than seats + runoff_extra_candidates (or too few women for its reserved seats)
        # waits for the committee's nominations: a run-off stays differential (RULES.md:
        # uncontested only where the rulebook allows it, runoff_extra_candidates 0).
        next_posts = tuple(_shortfall(sec, extra, female) for sec in merge(goes, order, votes))
        short = [sec for sec in next_posts if sec.short or sec.women_short]
        for sec in short:
            expl.append(f"{post_name(sec.post)}另行选举应选 {sec.seats} 名，候选人须至少 {sec.seats + extra} 名"
                        + (f"（其中女性至少 {sec.reserved_woman_seats + extra} 名）" if sec.reserved_woman_seats else "")
                        + f"，现有 {len(sec.candidates)} 名，须由选举委员会另行提名补足并公布后再行选举。")
        next_round = "nomination" if short else "runoff" if next_posts else "none"
    runoffs_of: dict[str, list[RunoffNeed]] = defaultdict(list)
    for n in shown:
        runoffs_of[n.post].append(n)
    post_results = [replace(pr, runoffs=tuple(runoffs_of[pr.key])) for pr in post_results]
    expl.append({"revote": "下一步：就票数相等者再次投票。", "runoff": "下一步：另行选举。",
                 "nomination": "下一步：选举委员会另行提名候选人后再行选举；本轮结果不产生下一轮选票。",
                 "none": "本轮选举结果可以宣布。"}[next_round])
    if woman.status == "needs_decision":
        expl.append("下一步：选举委员会就妇女成员作出决定并记录。")
    return TallyResult(True, "选举有效", inp.round_kind, inp.registered_voters, inp.papers_issued, R,
                       counts.whole_invalid, tuple(post_results), tuple(set_asides), woman, tuple(bodies),
                       next_round, tuple(expl), next_posts, held, inp.body_papers, inp.method)  # type: ignore[arg-type]


def _shortfall(sec: NextSection, extra: int, female: set[str]) -> NextSection:
    """The section with how many more candidates (and women) it needs to stay differential."""
    women = sum(1 for p in sec.candidates if p in female)
    return replace(sec, short=max(0, sec.seats + extra - len(sec.candidates)),
                   women_short=max(0, sec.reserved_woman_seats + extra - women) if sec.reserved_woman_seats else 0)


def _held(post: PostSpec, seats: int, women_only: bool, pool: list[tuple[str, int]], nm,  # type: ignore[no-untyped-def]
          woman_seat: bool = False) -> HeldRunoff:
    return HeldRunoff(post.key, seats, women_only, tuple(Ranked(p, nm(p), v) for p, v in pool), woman_seat, post.name_zh)


def _body_of(post_key: str, by_key: dict[str, PostSpec]) -> str:
    """Body of a post of this or an earlier round (earlier posts are known by key prefix)."""
    if post_key in by_key:
        return by_key[post_key].body
    return post_key.split("_", 1)[0]


def _is_zhuren(key: str, title: str) -> bool:
    return title == "主任" or key.endswith("_zhuren") and not key.endswith("fu_zhuren")


def _woman_seat_room(inp: TallyInput, woman: WomanOutcome, sels: dict[str, Selection], *rest: Any) -> WomanOutcome:
    """Never more seats than the legal size (RULES.md "居委会 size"): when the woman member
    needs a round but the 委员 seats are all filled, her seat would be one more; if that
    breaks jwh_size_max or the odd size, the committee decides among WOMAN_DECISIONS and
    the tally follows the recorded decision (inp.woman_decision)."""
    rb = inp.rulebook
    if woman.status != "needs_round" or inp.round_kind == "revote":
        return woman
    jwh = [p for p in inp.posts if p.body == "jwh"]
    wp = next((p for p in jwh if p.title == "委员"), None)
    if (wp is None or sels[wp.key].unfilled_general > 0 or sels[wp.key].unfilled_reserved > 0
            or any(sels[p.key].ties for p in jwh)):
        return woman  # a seat of the run-off becomes hers, or the re-vote comes first
    by_key = {p.key: p for p in inp.posts}
    size = sum(p.seats for p in jwh) + sum(1 for pe in inp.prior_elected if _body_of(pe.post, by_key) == "jwh")
    bigger = size + 1
    if bigger <= rb.jwh_size_max and (not rb.jwh_size_odd or bigger % 2 == 1):
        return woman
    decision = inp.woman_decision
    if decision == "replace_lowest":
        forced = replace(inp, rulebook=rb.with_changes(woman_member_method="replace_lowest"))
        out = _woman_rule(forced, sels, *rest)
        if out.status != "needs_round":
            return replace(out, method=rb.woman_member_method,
                           explanation="选举委员会决定（名额已满，不得超出法定人数）：" + out.explanation)
        decision = ""
    if decision == "accept_without":
        return WomanOutcome(True, rb.woman_member_method, "accepted_without", None, None,
                            "居民委员会无妇女当选，应选名额已满；选举委员会决定：" + WOMAN_DECISIONS["accept_without"] + "。")
    options = ["accept_without"]
    # Replacement (RULES.md variant B) needs a woman whose votes reach the threshold of the
    # lowest 居委会 post: without one it is no option the committee can choose.
    elected_at, female, thresholds, rankings, prior, nr_aside, pending = rest[:7]
    low = min(jwh, key=lambda p: p.rank)
    busy = set(elected_at) | prior | nr_aside.keys() | pending
    can_replace = any(p in female and v >= thresholds[low.key].min_votes and p not in busy
                      for p, v in rankings[low.key])
    if rb.woman_member_method != "replace_lowest" and can_replace:
        options.insert(0, "replace_lowest")
    why = (f"居民委员会无妇女当选，且应选 {size} 名已全部选出；再增加一名妇女委员将使成员为 {bigger} 人，"
           f"不符合法定人数（{rb.jwh_size_min}–{rb.jwh_size_max} 人{'的奇数' if rb.jwh_size_odd else ''}），不增加名额。"
           "须由选举委员会在以下办法中决定并记录：" + "；".join(WOMAN_DECISIONS[o] for o in options) + "。")
    if inp.woman_decision == "replace_lowest":
        why += "（已决定的替换办法无法执行：" + woman.explanation + "）"
    return WomanOutcome(True, rb.woman_member_method, "needs_decision", None, None, why, tuple(options))


def _woman_rule(inp, sels, elected_at, female, thresholds, rankings, prior, nr_aside, pending, rel, nm, replaced) -> WomanOutcome:  # type: ignore[no-untyped-def]
    """RULES.md "woman member": checked on the 居委会 after the seats are decided."""
    rb = inp.rulebook
    method = rb.woman_member_method
    jwh = [p for p in inp.posts if p.body == "jwh"]
    if not rb.woman_member_required or not jwh:
        return WomanOutcome(False, method, "not_required", None, None, "本轮不涉及妇女成员要求。")
    women_in = [pid for p in jwh for pid, _ in sels[p.key].elected if pid in female]
    # Only the 居委会 counts (V art.6): a woman on the 监督委员会 does not satisfy it.
    by_key = {p.key: p for p in inp.posts}
    women_in += [pe.person_id for pe in inp.prior_elected
                 if pe.person_id in female and _body_of(pe.post, by_key) == "jwh"]
    if women_in:
        reserved = any(pid in sels[p.key].reserved_women for p in jwh for pid in women_in)
        return WomanOutcome(True, method, "reserved_filled" if reserved else "satisfied", women_in[0], None,
                            f"居民委员会成员中有妇女成员（{'、'.join(nm(p) for p in women_in)}），符合要求。")
    if method == "replace_lowest":
        low = min(jwh, key=lambda p: p.rank)
        sel = sels[low.key]
        th = thresholds[low.key].min_votes
        busy = set(elected_at) | prior | nr_aside.keys() | pending
        options = [(p, v) for p, v in rankings[low.key]
                   if p in female and v >= th and p not in busy]
        if not options or not sel.elected:
            return WomanOutcome(True, method, "needs_round", None, None,
                                f"居民委员会无妇女当选，{low.name_zh}中也没有得票达到 {th} 票的女性，须另行选举妇女成员。")
        best = options[0]
        lowest_v = min(v for _, v in sel.elected)
        lowest = [p for p, v in sel.elected if v == lowest_v]
        if len(options) > 1 and options[1][1] == best[1] or len(lowest) > 1:
            return WomanOutcome(True, method, "undecided", None, None,
                                "居民委员会无妇女当选；按替换办法替换时票数相等，须由选举委员会组织再次投票确定。")
        out = lowest[0]
        if rel and any(o in rel.get(best[0], ()) for o in set(elected_at) - {out}):
            return WomanOutcome(True, method, "needs_round", None, None,
                                f"得票最多的女性{nm(best[0])}与已当选者为近亲属，不能替换，须另行选举妇女成员。")
        sel.elected = sorted([c for c in sel.elected if c[0] != out] + [best], key=lambda c: (-c[1], c[0]))
        elected_at.pop(out, None)
        elected_at[best[0]] = (low, best[1])
        text = (f"居民委员会无妇女当选：{nm(best[0])}（女）在{low.name_zh}得 {best[1]} 票，达到 {th} 票且为得票最多的女性，"
                f"替换得票最少的当选委员{nm(out)}（{lowest_v} 票）。")
        replaced[out] = text
        return WomanOutcome(True, method, "replaced", best[0], out, text)
    if method == "reserved_line":
        text = "居民委员会无妇女当选，按定位选举办法，须在另行选举中设妇女委员定位。"
    else:
        text = "居民委员会无妇女当选，须另行选举一名妇女成员。"
    return WomanOutcome(True, method, "needs_round", None, None, text)


# Re-exported for callers that want the Chinese label of a rulebook choice.
CHOICE_ZH = CHOICE_LABELS
