"""Checks of the events between elections in a bundle's chain (issue 20): every recorded
meeting decision, recall and vacancy is decided again from its own numbers with the rules
and the bundle's rulebook.json, so a chain cannot say "adopted" or "recalled" where the
numbers and the rulebook do not.

* `meeting_decisions`: the meeting was convened earlier in the chain with at least the notice
  period before its day (and, when called on request, with the request share); at each
  decision the quorum held (more than the quorum share of the members), the votes do not
  exceed those present, the share used is the rulebook's, and "adopted" is more than that
  share of those present; nothing is decided after the meeting closed.
* `meeting_decisions` holds each decision to the members its meeting was convened with (a
  decision cannot lower them to make a quorum), and replays the door: each meeting.attendee_arrived adds its resident to
  those present, each meeting.attendee_left removes one present, each says how many remain,
  and a decision's present is that count (by show of hands at the decision; on paper at its
  first paper: those who left since name its round), so a chain cannot raise present to make
  a quorum. Each arrival is of someone its meeting.convened named entitled to attend (the
  meeting's base: its `entitled` residents); a meeting.vote_called and a meeting.closed carry
  as present the door's count at that point, and a vote is called only while the quorum holds.
* `meeting_decisions` also checks a motion voted on secret paper (a round of kind
  "motion"): the round was called for that meeting and motion while it was open, and the
  decision naming the round carries the figures its round published (those present, 赞成,
  反对; a void vote adopts nothing), itself recomputed by tally_recompute.
* `recall_votes`: each vote follows its proposal; the proposal had at least the rulebook's
  share of signers; valid and carried are recomputed (recall_turnout, recall_approve); a
  carried recall is followed by the member's seat.vacated.
* `recall_votes` also checks a recall voted on paper (a round of kind "recall"): the round
  was called for that recall's member, the recall's figures are those its round published
  (the question the tally decided, itself recomputed by tally_recompute), the shares used are
  the rulebook's, and valid and carried follow from them.
* `composition`: composition.json (who holds which seat from when to when) lists exactly the
  members the chain's published results elected and those a meeting chose (round 0, with the
  decision each seat.chosen_by_meeting cites: an adopted decision earlier in the chain of the
  kind of meeting jdw_chosen_by names), ends as the chain's seat.vacated say, and each post's
  serving and vacant seats add up.
* `vacancies`: each seat.vacated names a member elected to that post by a published result
  and still serving (not vacated before).

Run only when the chain holds such events. Pure: rules and protocol only.
"""
from __future__ import annotations

import re
from datetime import date
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from election.protocol import event_kinds as ek
from election.protocol.canonical import same_json
from election.protocol.verify_ctx import as_published, late_corrections, published_people
from election.rules.meetings import meeting_rules
from election.rules.recall import recall_vote
from election.rules.rulebook import Rulebook, RulebookError, parse_fraction
from election.rules.shares import at_least, more_than

if TYPE_CHECKING:
    from election.protocol.verify_ctx import Ctx

NAMES = {"meeting_decisions": "会议决定", "recall_votes": "罢免投票", "vacancies": "出缺与补选",
         "composition": "组成人员"}
MEETING = {ek.MEETING_CONVENED, ek.MEETING_DECISION_RECORDED, ek.MEETING_CLOSED, ek.MEETING_VOTE_CALLED,
           ek.MEETING_ATTENDEE_ARRIVED, ek.MEETING_ATTENDEE_LEFT}
RECALL = {ek.RECALL_PETITION_FILED, ek.RECALL_VOTE_RECORDED, ek.RECALL_VOTE_CALLED, ek.RECALL_VOTE_COUNTED}
SEATS = {ek.SEAT_VACATED, ek.SEAT_BY_ELECTION_CALLED, ek.SEAT_CHOSEN_BY_MEETING}
# rulebook jdw_chosen_by -> the kind of meeting whose decision chooses the 监督委员会.
CHOOSING_MEETING = {"residents_meeting": "residents", "representatives_meeting": "representatives"}


# The JSON type of every field the checks read, per event kind (PROTOCOL.md §9: a missing
# field or a value of the wrong type fails the check): "int" an integer (``true`` is not 1),
# "bool" true or false, "str" a string. Nothing is converted (no bool(), int() or str()), so a
# value reads the same in both verifiers.
FIELDS: dict[str, dict[str, str]] = {
    ek.MEETING_CONVENED: {"meeting": "int", "kind": "str", "notice_on": "str", "held_on": "str", "members": "int",
                          "entitled": "ints"},
    ek.MEETING_DECISION_RECORDED: {"meeting": "int", "members": "int", "present": "int", "in_favour": "int",
                                   "against": "int", "abstain": "int", "adopted": "bool"},
    ek.MEETING_CLOSED: {"meeting": "int", "present": "int"},
    ek.MEETING_VOTE_CALLED: {"meeting": "int", "round": "int", "present": "int"},
    ek.MEETING_ATTENDEE_ARRIVED: {"meeting": "int", "resident": "int", "present": "int"},
    ek.MEETING_ATTENDEE_LEFT: {"meeting": "int", "resident": "int", "present": "int"},
    ek.RECALL_PETITION_FILED: {"recall": "int", "post": "str", "person": "str", "base": "str", "signers": "int",
                               "total": "int"},
    ek.RECALL_VOTE_RECORDED: {"recall": "int", "post": "str", "person": "str", "registered": "int", "voted": "int",
                              "in_favour": "int", "valid": "bool", "carried": "bool"},
    ek.RECALL_VOTE_CALLED: {"recall": "int", "round": "int", "post": "str", "person": "str"},
    ek.RECALL_VOTE_COUNTED: {"recall": "int", "round": "int", "post": "str", "person": "str", "registered": "int",
                             "voted": "int", "agree": "int", "disagree": "int", "invalid": "int", "valid": "bool",
                             "carried": "bool"},
}
REQUEST = {"base": "str", "supporters": "int", "total": "int"}
_TYPE_ZH = {"int": "整数", "bool": "true/false", "str": "文字", "ints": "整数的列表"}


def _of_type(value: Any, kind: str) -> bool:
    if kind == "ints":
        return isinstance(value, list) and all(_of_type(v, "int") for v in value)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "str":
        return isinstance(value, str)
    return isinstance(value, int) and not isinstance(value, bool)


def _typed(ev: Any) -> dict[str, Any]:
    """The event's payload once every field FIELDS names for its kind is of its type (a
    meeting's request null or {base, supporters, total}), else ValueError naming the field."""
    p: dict[str, Any] = ev.payload
    wanted = dict(FIELDS.get(ev.kind, {}))
    if ev.kind == ek.MEETING_CONVENED and p.get("request") is not None:
        if not isinstance(p["request"], dict):
            raise ValueError(f"第 {ev.seq} 号事件（{ev.kind}）的 request 应为 null 或对象")
        wanted.update({f"request.{k}": t for k, t in REQUEST.items()})
    for name, kind in wanted.items():
        where, _, inner = name.partition(".")
        value = p[where].get(inner) if inner else p.get(name)
        if not _of_type(value, kind):
            raise ValueError(f"第 {ev.seq} 号事件（{ev.kind}）的 {name} 应为{_TYPE_ZH[kind]}，实际为 {value!r}")
    return p


def _day(text: str) -> date:
    """An ISO date exactly YYYY-MM-DD (ASCII digits): date.fromisoformat alone would also take
    "20260625" and "2026-W26-4", which the browser verifier refuses."""
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text) is None:
        raise ValueError(f"日期 {text!r} 不是 YYYY-MM-DD")
    return date.fromisoformat(text)


def _round_of(p: dict[str, Any], default: int) -> int:
    r = p.get("round", default)
    if not _of_type(r, "int"):
        raise ValueError(f"轮次 {r!r} 不是整数")
    return int(r)


def _vacated(c: Ctx) -> list[tuple[int, str, str]]:
    """Each seat.vacated as (seq, post, person), those two strings (another value names nobody)."""
    return [(ev.seq, ev.payload["post"], ev.payload["person"]) for ev in c.events if ev.kind == ek.SEAT_VACATED
            and isinstance(ev.payload.get("post"), str) and isinstance(ev.payload.get("person"), str)]


def _book(c: Ctx) -> Rulebook:
    try:
        return Rulebook.from_dict(c.d["rulebook.json"])
    except (RulebookError, TypeError, ValueError) as error:
        raise ValueError(f"rulebook.json 无法读取：{error}") from None


def _share(text: Any) -> Fraction:
    value = parse_fraction(text)
    if value is None:
        raise ValueError(f"比例 {text!r} 不是 PROTOCOL.md §14.1 的分数")
    return value


def _meetings(c: Ctx) -> tuple[list[str], str]:
    book = _book(c)
    convened: dict[Any, dict[str, Any]] = {}
    closed: set[Any] = set()
    called: dict[int, dict[str, Any]] = {}
    published: dict[int, dict[str, Any]] = {}
    problems: list[str] = []
    decisions = papers = 0
    door = _Door()
    entitled: dict[Any, set[int]] = {}
    for ev in c.events:
        kind, p = ev.kind, _typed(ev)
        if kind in (ek.MEETING_ATTENDEE_ARRIVED, ek.MEETING_ATTENDEE_LEFT):
            if p["meeting"] not in convened or p["meeting"] in closed:
                problems.append(f"第 {ev.seq} 号事件：会议 {p['meeting']} 未召集或已闭会，不能登记到会或离场")
            elif kind == ek.MEETING_ATTENDEE_ARRIVED and p["resident"] not in entitled[p["meeting"]]:
                problems.append(f"第 {ev.seq} 号事件：{p['resident']} 不在会议 {p['meeting']} 召集时公布的应到人员中，"
                                "不能登记到会")
            problems += door.replay(ev, p)
        elif kind == ek.MEETING_CONVENED:
            mr = meeting_rules(book, p["kind"])
            gap = (_day(p["held_on"]) - _day(p["notice_on"])).days
            if gap < mr.notice_days:
                problems.append(f"第 {ev.seq} 号事件：会议公告至召开仅 {gap} 天，规则要求 {mr.notice_days} 天")
            req = p.get("request")
            if req is not None:
                share = getattr(book, mr.request_key(req["base"]))
                if not at_least(req["supporters"], req["total"], share):
                    problems.append(f"第 {ev.seq} 号事件：提议 {req['supporters']}/{req['total']} 未达到{share}")
            convened[p["meeting"]] = p
            entitled[p["meeting"]] = set(p["entitled"])
        elif kind == ek.MEETING_DECISION_RECORDED:
            decisions += 1
            m = convened.get(p["meeting"])
            if m is None:
                problems.append(f"第 {ev.seq} 号事件：会议 {p['meeting']} 未见召集记录")
                continue
            if p["meeting"] in closed:
                problems.append(f"第 {ev.seq} 号事件：会议 {p['meeting']} 闭会后仍有表决")
            mr = meeting_rules(book, m["kind"])
            present, members = p["present"], p["members"]
            if members != m["members"]:
                problems.append(f"第 {ev.seq} 号事件：记为应到 {members} 人，与召集时公告的 {m['members']} 人不符")
            if "round" in p:
                papers += 1
                void, found = _by_paper(ev, p, called.get(int(p["round"])), published.get(int(p["round"]), {}))
                problems += found
                if void:
                    continue
            counted = door.present_at(p["meeting"], _round_of(p, 0) if "round" in p else None)
            if present != counted:
                problems.append(f"第 {ev.seq} 号事件：记为到会 {present} 人，链中到会、离场记录重算为 {counted} 人")
            if not more_than(present, members, mr.quorum):
                problems.append(f"第 {ev.seq} 号事件：应到 {members} 人、实到 {present} 人，未超过{mr.quorum}，不能表决")
            if p["in_favour"] + p["against"] + p["abstain"] > present:
                problems.append(f"第 {ev.seq} 号事件：赞成、反对、弃权合计多于到会的 {present} 人")
            rule = p.get("rule", {})
            if rule.get("key") != mr.decision_key or _share(rule.get("share")) != mr.decision:
                problems.append(f"第 {ev.seq} 号事件：表决规则 {rule} 不是规则集的 {mr.decision_key} = {mr.decision}")
            if p["adopted"] != more_than(p["in_favour"], present, mr.decision):
                problems.append(f"第 {ev.seq} 号事件：赞成 {p['in_favour']}/{present}，按{mr.decision}应为"
                                f"{'通过' if not p['adopted'] else '未通过'}，事件记为{'通过' if p['adopted'] else '未通过'}")
        elif kind == ek.MEETING_CLOSED:
            problems += _present_as_replayed(ev, p, door)
            closed.add(p["meeting"])
        elif kind == ek.MEETING_VOTE_CALLED:
            m = convened.get(p["meeting"])
            if m is None or p["meeting"] in closed:
                problems.append(f"第 {ev.seq} 号事件：会议 {p['meeting']} 未召集或已闭会，不能以表决票表决")
            else:
                problems += _present_as_replayed(ev, p, door)
                if not more_than(p["present"], m["members"], meeting_rules(book, m["kind"]).quorum):
                    problems.append(f"第 {ev.seq} 号事件：应到 {m['members']} 人、实到 {p['present']} 人，"
                                    f"未超过{meeting_rules(book, m['kind']).quorum}，不能以表决票表决")
            called[int(p["round"])] = p
        elif kind == ek.RESULT_PUBLISHED and isinstance(p.get("question"), dict):
            published[int(p.get("round", 0))] = p["question"]
    paper = f"（其中 {papers} 项以表决票表决，与该轮公布的结果一致）" if papers else ""
    return problems, f"{len(convened)} 次会议、{decisions} 项表决按规则集重算一致{paper}"


def _present_as_replayed(ev: Any, p: dict[str, Any], door: _Door) -> list[str]:
    """A vote's call or a meeting's close says how many are present: those the door's arrivals
    and departures leave at that point of the chain."""
    counted = door.present_at(p["meeting"], None)
    if p["present"] != counted:
        return [f"第 {ev.seq} 号事件：记为到会 {p['present']} 人，链中到会、离场记录重算为 {counted} 人"]
    return []


class _Door:
    """Who is present at each meeting, replayed from the chain: an arrival adds one person, a
    departure removes them (PROTOCOL.md §9). A departure naming a paper vote's round left after
    its first paper froze those present, so the vote's base still counts them."""

    def __init__(self) -> None:
        self.present: dict[int, set[int]] = {}
        self.left_in: dict[tuple[int, int], int] = {}

    def replay(self, ev: Any, p: dict[str, Any]) -> list[str]:
        here = self.present.setdefault(p["meeting"], set())
        out: list[str] = []
        if ev.kind == ek.MEETING_ATTENDEE_ARRIVED:
            if p["resident"] in here:
                out.append(f"第 {ev.seq} 号事件：{p['resident']} 已在会议 {p['meeting']} 到会，不能再次登记到会")
            here.add(p["resident"])
        else:
            if p["resident"] not in here:
                out.append(f"第 {ev.seq} 号事件：{p['resident']} 不在会议 {p['meeting']} 的到会人员中，不能登记离场")
            here.discard(p["resident"])
            if "round" in p:
                key = (p["meeting"], _round_of(p, 0))
                self.left_in[key] = self.left_in.get(key, 0) + 1
        if p["present"] != len(here):
            out.append(f"第 {ev.seq} 号事件：记为到会 {p['present']} 人，链中到会、离场记录重算为 {len(here)} 人")
        return out

    def present_at(self, meeting: int, round_number: int | None) -> int:
        """Those present now; for a decision on paper, those present when its first paper froze
        the list (those who left since named its round)."""
        now = len(self.present.get(meeting, set()))
        return now if round_number is None else now + self.left_in.get((meeting, round_number), 0)


def _by_paper(ev: Any, p: dict[str, Any], called: dict[str, Any] | None,
              q: dict[str, Any]) -> tuple[bool, list[str]]:
    """A decision taken on secret paper: its round was called for this meeting and motion,
    and it carries that round's published question (present = those the tally counted as
    electors, 赞成, 反对); a void vote adopts nothing. Returns (void, problems)."""
    out: list[str] = []
    if called is None or (called.get("meeting"), called.get("motion")) != (p["meeting"], p["motion"]):
        out.append(f"第 {ev.seq} 号事件：第 {p['round']} 轮表决票表决未见会议 {p['meeting']}“{p['motion']}”的召集记录")
    if q.get("kind") != "motion" or (q.get("registered"), q.get("agree"), q.get("disagree")) != \
            (p["present"], p["in_favour"], p["against"]):
        out.append(f"第 {ev.seq} 号事件：会议决定的到会 {p['present']}、赞成 {p['in_favour']}、反对 {p['against']}"
                   f"与第 {p['round']} 轮公布的表决结果不符")
    void = q.get("valid") is False
    if void and p["adopted"]:
        out.append(f"第 {ev.seq} 号事件：第 {p['round']} 轮表决票表决无效，会议决定却记为通过")
    return void, out


def _recalls(c: Ctx) -> tuple[list[str], str]:
    book = _book(c)
    filed: dict[Any, dict[str, Any]] = {}
    called: dict[Any, dict[str, Any]] = {}
    published: dict[int, dict[str, Any]] = {}
    problems: list[str] = []
    votes = papers = 0
    vacated_after = _vacated(c)
    for ev in c.events:
        kind, p = ev.kind, _typed(ev)
        if kind == ek.RECALL_PETITION_FILED:
            share = book.recall_propose_voters if p["base"] == "voters" else book.recall_propose_reps
            if not at_least(p["signers"], max(p["total"], p["signers"], 1), share):
                problems.append(f"第 {ev.seq} 号事件：罢免联名 {p['signers']}/{p['total']}，未达到{share}")
            filed[p["recall"]] = p
        elif kind == ek.RECALL_VOTE_RECORDED:
            votes += 1
            petition = filed.get(p["recall"])
            if petition is None:
                problems.append(f"第 {ev.seq} 号事件：罢免 {p['recall']} 未见提出记录")
                continue
            if not 0 <= p["in_favour"] <= p["voted"] <= p["registered"]:
                problems.append(f"第 {ev.seq} 号事件：罢免投票赞成 {p['in_favour']} 票、投票 {p['voted']} 人、登记选民"
                                f" {p['registered']} 人，不合 0 ≤ 赞成 ≤ 投票 ≤ 登记")
                continue
            again = recall_vote(p["registered"], p["voted"], p["in_favour"], book.recall_turnout, book.recall_approve)
            if (again.valid, again.carried) != (p["valid"], p["carried"]):
                problems.append(f"第 {ev.seq} 号事件：{again.message}，与事件记录（有效 {p['valid']}，通过 {p['carried']}）不符")
            if again.carried and not any(seq > ev.seq and post == p["post"] and person == p["person"]
                                         for seq, post, person in vacated_after):
                problems.append(f"第 {ev.seq} 号事件：罢免通过，但之后没有该成员职位出缺的记录")
        elif kind == ek.RECALL_VOTE_CALLED:
            petition = filed.get(p["recall"])
            if petition is None or (petition["post"], petition["person"]) != (p["post"], p["person"]):
                problems.append(f"第 {ev.seq} 号事件：罢免 {p['recall']} 的表决票投票未见相符的罢免要求")
            called[p["recall"]] = p
        elif kind == ek.RECALL_VOTE_COUNTED:
            papers += 1
            problems += _counted(ev, p, called.get(p["recall"]), published, book, vacated_after)
        elif kind == ek.RESULT_PUBLISHED and isinstance(p.get("question"), dict):
            published[_round_of(p, 0)] = p["question"]
    return problems, (f"{len(filed)} 项罢免要求、{votes} 次投票、{papers} 次表决票投票按规则集重算一致")


def _counted(ev: Any, p: dict[str, Any], called: dict[str, Any] | None, published: dict[int, dict[str, Any]],
             book: Rulebook, vacated_after: list[tuple[int, str, str]]) -> list[str]:
    """A recall decided by its round's papers: the round was called for this recall, its
    published question carries the same figures, the rulebook's shares decide them again,
    and a carried recall is followed by the member's seat.vacated."""
    out: list[str] = []
    if called is None or called["round"] != p["round"]:
        out.append(f"第 {ev.seq} 号事件：罢免 {p['recall']} 的第 {p.get('round')} 轮表决票投票未见召集记录")
    q = published.get(p["round"])
    fields = ("registered", "voted", "agree", "disagree", "invalid", "valid", "carried")
    if q is None or any(not same_json(q.get(k), p[k]) for k in fields):
        out.append(f"第 {ev.seq} 号事件：罢免结果与第 {p.get('round')} 轮公布的表决结果不符")
    if (_share(p.get("turnout")), _share(p.get("approve"))) != (book.recall_turnout, book.recall_approve):
        out.append(f"第 {ev.seq} 号事件：所用比例 {p.get('turnout')}、{p.get('approve')} 不是规则集的"
                   f" {book.recall_turnout}、{book.recall_approve}")
    try:
        again = recall_vote(p["registered"], p["voted"], p["agree"], book.recall_turnout, book.recall_approve)
    except (ValueError, TypeError, KeyError):
        return [*out, f"第 {ev.seq} 号事件：罢免表决的票数不成立"]
    # A vote the shares make valid may still be void for more papers returned than issued
    # (the tally's own check, recomputed by tally_recompute): void never carries.
    if (p["valid"] and (not again.valid or again.carried != p["carried"])) \
            or (not p["valid"] and p["carried"]):
        out.append(f"第 {ev.seq} 号事件：{again.message}，与事件记录（有效 {p['valid']}，通过 {p['carried']}）不符")
    if p["carried"] and not any(seq > ev.seq and post == p["post"] and person == p["person"]
                                for seq, post, person in vacated_after):
        out.append(f"第 {ev.seq} 号事件：罢免通过，但之后没有该成员职位出缺的记录")
    return out


def _vacancies(c: Ctx) -> tuple[list[str], str]:
    problems: list[str] = []
    elected: set[tuple[str, str]] = set()
    gone: set[tuple[str, str]] = set()
    for ev in c.events:
        kind, p = ev.kind, ev.payload
        if kind == ek.RESULT_PUBLISHED:
            for post, info in p.get("posts", {}).items():
                elected |= {(post, str(person)) for person in info.get("elected", [])}
        elif kind == ek.SEAT_CHOSEN_BY_MEETING:
            elected |= {(str(m["post"]), str(m["person"])) for m in p.get("members", [])}
        elif kind == ek.SEAT_VACATED:
            who = (str(p["post"]), str(p["person"]))
            if who not in elected:
                problems.append(f"第 {ev.seq} 号事件：{p.get('name', who[1])}未经公布的结果当选{who[0]}，不能出缺")
            elif who in gone:
                problems.append(f"第 {ev.seq} 号事件：{p.get('name', who[1])}已离任，不能再次出缺")
            gone.add(who)
    problems += _by_elections_bounded(c)
    return problems, f"{len(gone)} 名成员离任，均为此前当选的现任成员"


def _by_elections_bounded(c: Ctx) -> list[str]:
    """Each seat.by_election_called asks for no more seats of a post than are vacant then: the
    seats the first election.created's bodies fixed ({body: {title: seats}}, post
    ``<body>_<title>``) less those serving — elected by each round's last result.published (a
    result.woman_member_decided replacing them, a result.reopened withdrawing them) or chosen by
    a meeting (seat.chosen_by_meeting), and not vacated. A chain without election.created, or a
    post it does not name, fixes nothing."""
    created = c.kind_events({ek.ELECTION_CREATED})
    bodies = created[0].payload.get("bodies") if created else None
    if not isinstance(bodies, dict):
        return []
    seats = {f"{body}_{title}": n for body, titles in bodies.items() if isinstance(titles, dict)
             for title, n in titles.items() if isinstance(n, int) and not isinstance(n, bool)}
    by_round: dict[int, set[tuple[str, str]]] = {}
    chosen: set[tuple[str, str]] = set()
    gone: set[tuple[str, str]] = set()
    problems = []
    for ev in c.events:
        kind, p = ev.kind, ev.payload
        if kind == ek.RESULT_PUBLISHED and isinstance(p.get("posts"), dict):
            by_round[c.round_of(ev)] = {(post, x) for post, info in p["posts"].items() if isinstance(info, dict)
                                        and isinstance(info.get("elected"), list) for x in info["elected"] if isinstance(x, str)}
        elif kind == ek.RESULT_WOMAN_MEMBER_DECIDED and isinstance(p.get("elected"), dict):
            by_round[c.round_of(ev)] = {(post, x) for post, xs in p["elected"].items() if isinstance(xs, list)
                                        for x in xs if isinstance(x, str)}
        elif kind == ek.RESULT_REOPENED:
            by_round.pop(c.round_of(ev), None)
        elif kind == ek.SEAT_CHOSEN_BY_MEETING and isinstance(p.get("members"), list):
            chosen |= {(m["post"], m["person"]) for m in p["members"] if isinstance(m, dict)
                       and isinstance(m.get("post"), str) and isinstance(m.get("person"), str)}
        elif kind == ek.SEAT_VACATED:
            if isinstance(p.get("post"), str) and isinstance(p.get("person"), str):
                gone.add((p["post"], p["person"]))
        elif kind == ek.SEAT_BY_ELECTION_CALLED and isinstance(p.get("posts"), dict):
            serving = (set().union(*by_round.values()) | chosen) - gone
            for post, info in sorted(p["posts"].items()):
                asked = info.get("seats") if isinstance(info, dict) else None
                if post not in seats or not isinstance(asked, int) or isinstance(asked, bool):
                    continue
                vacant = max(seats[post] - sum(1 for q, _ in serving if q == post), 0)
                if asked > vacant:
                    problems.append(f"第 {ev.seq} 号事件：补选 {post} {asked} 席，该职位应选 {seats[post]} 席，"
                                    f"此时出缺只有 {vacant} 席")
    return problems


def _composition(c: Ctx) -> tuple[list[str], str]:
    """composition.json against the chain: its members are exactly those the last published
    result of each round elected (a woman_member_decided replacing them), each ended member
    has its seat.vacated with the same day and reason and no serving one has one, and each
    post's serving and vacant seats add up."""
    comp = c.d["composition.json"]
    elected: dict[int, set[tuple[str, str]]] = {}
    vacated: dict[tuple[str, str], dict[str, Any]] = {}
    for ev in c.events:
        kind, p = ev.kind, ev.payload
        if kind == ek.RESULT_PUBLISHED:
            elected[int(p.get("round", 1))] = {(post, str(x)) for post, info in p.get("posts", {}).items()
                                              for x in info.get("elected", [])}
        elif kind == ek.RESULT_WOMAN_MEMBER_DECIDED:
            elected[int(p.get("round", 1))] = {(post, str(x)) for post, xs in p.get("elected", {}).items() for x in xs}
        elif kind == ek.RESULT_REOPENED:
            elected.pop(int(p.get("round", 1)), None)
        elif kind == ek.SEAT_VACATED:
            vacated[(str(p["post"]), str(p["person"]))] = p
    problems, chosen = _chosen(c)
    problems += late_corrections(c.events)
    problems += as_published(published_people(c.events), comp["members"], ("name",), "composition.json 的成员")
    elected[0] = set(chosen)
    listed = {(str(m["round"]), m["post"], m["person"]) for m in comp["members"]}
    for m in comp["members"]:
        if m.get("decision") != chosen.get((m["post"], m["person"])) and (m["round"] == 0 or "decision" in m):
            problems.append(f"{m['name']}（{m['post']}）在 composition.json 中记载的会议决定 {m.get('decision')} "
                            f"与链中推选记录 {chosen.get((m['post'], m['person']))} 不符")
    chain = {(str(r), post, person) for r, seats in elected.items() for post, person in seats}
    for r, post, person in sorted(listed - chain):
        problems.append(f"composition.json 列出第 {r} 轮当选的 {post} {person}，链中公布的结果没有")
    for r, post, person in sorted(chain - listed):
        problems.append(f"链中第 {r} 轮公布当选的 {post} {person} 不在 composition.json 中")
    serving: dict[str, int] = {}
    for m in comp["members"]:
        end = vacated.get((m["post"], m["person"]))
        if m["until"] is None:
            serving[m["post"]] = serving.get(m["post"], 0) + 1
            if end is not None:
                problems.append(f"{m['name']}（{m['post']}）已于第 {end.get('ended_on')} 离任，composition.json 仍列为在任")
        elif end is None or (end.get("ended_on"), end.get("reason")) != (m["until"], m["reason"]):
            problems.append(f"{m['name']}（{m['post']}）的离任（{m['until']}，{m['reason']}）与链中的出缺记录不符")
    for post in comp["posts"]:
        n = serving.get(post["post"], 0)
        if (post["serving"], post["vacant"]) != (n, max(post["seats"] - n, 0)):
            problems.append(f"{post['name']}：应选 {post['seats']}、在任 {n}，composition.json 记为在任 "
                            f"{post['serving']}、出缺 {post['vacant']}")
    vacant = sum(p["vacant"] for p in comp["posts"])
    return problems, f"{len(comp['members'])} 名成员（在任 {sum(serving.values())}）、出缺 {vacant} 席与链中事件一致"


def _chosen(c: Ctx) -> tuple[list[str], dict[tuple[str, str], dict[str, Any]]]:
    """The 监督委员会 members chosen by a meeting (seat.chosen_by_meeting): each event cites an
    adopted decision recorded earlier in the chain of the kind of meeting rulebook.json's
    jdw_chosen_by names. Returns the problems and (post, person) -> the decision cited."""
    wanted = CHOOSING_MEETING.get(_book(c).jdw_chosen_by)
    kinds: dict[Any, str] = {}
    adopted: set[tuple[Any, Any]] = set()
    problems: list[str] = []
    chosen: dict[tuple[str, str], dict[str, Any]] = {}
    for ev in c.events:
        kind, p = ev.kind, ev.payload
        if kind == ek.MEETING_CONVENED:
            kinds[p["meeting"]] = p["kind"]
        elif kind == ek.MEETING_DECISION_RECORDED and p.get("adopted"):
            adopted.add((p["meeting"], p.get("number")))
        elif kind == ek.SEAT_CHOSEN_BY_MEETING:
            d = p.get("decision") or {}
            if wanted is None:
                problems.append(f"第 {ev.seq} 号事件：规则集的 jdw_chosen_by 为全体选民投票，不能由会议推选监督委员会成员")
            elif (d.get("meeting"), d.get("number")) not in adopted or kinds.get(d.get("meeting")) != wanted:
                problems.append(f"第 {ev.seq} 号事件：所引用的会议决定 {d} 不是此前通过的{wanted}会议决定")
            for m in p.get("members", []):
                chosen[(str(m["post"]), str(m["person"]))] = {"meeting": d.get("meeting"), "number": d.get("number")}
    return problems, chosen


def between_checks(c: Ctx) -> list[tuple[str, Any]]:
    """The checks that apply to this chain (none when it holds no such event)."""
    kinds = {e.kind for e in c.events}
    out: list[tuple[str, Any]] = []
    if kinds & MEETING:
        out.append(("meeting_decisions", _meetings))
    if kinds & RECALL:
        out.append(("recall_votes", _recalls))
    if kinds & SEATS:
        out.append(("vacancies", _vacancies))
    if "composition.json" in c.d:
        out.append(("composition", _composition))
    return out
