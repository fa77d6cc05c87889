"""The verifier's checks of the events between elections (issue 20): meeting decisions,
recall votes and vacancies decided again from each event's numbers and the bundle's
rulebook; a chain whose verdict does not follow from its numbers fails the named check."""
from __future__ import annotations

from election.protocol.chain import Event
from election.protocol.verify import Ctx, Pins
from election.protocol.verify_between import between_checks
from election.rules.rulebook import Rulebook


def _ctx(*events: tuple[str, dict]) -> Ctx:
    evs = [Event(0, "ledger.chain_started", {}, "0" * 64, None, "0" * 64)]
    evs += [Event(i, kind, payload, "0" * 64, None, f"{i:064x}") for i, (kind, payload) in enumerate(events, start=1)]
    return Ctx({"rulebook.json": Rulebook().to_dict()}, {}, Pins(), events=evs)


def _verdict(c: Ctx) -> dict[str, list[str]]:
    return {name: fn(c)[0] for name, fn in between_checks(c)}


CONVENED = ("meeting.convened", {"meeting": 1, "kind": "representatives", "notice_on": "2026-06-15",
                                 "held_on": "2026-06-25", "request": None, "members": 8, "entitled": list(range(1, 9))})


def _closed(present: int) -> tuple[str, dict]:
    return "meeting.closed", {"meeting": 1, "present": present}


def _arrivals(n: int, first: int = 1) -> list[tuple[str, dict]]:
    """``n`` people recorded at meeting 1's door, residents ``first``, ``first`` + 1, …"""
    return [("meeting.attendee_arrived", {"meeting": 1, "resident": first + i, "present": first + i})
            for i in range(n)]


def _decision(present=5, in_favour=4, adopted=True, members=8, share="2/3", key="rep_meeting_decision",
              arrived: int | None = None) -> list[tuple[str, dict]]:
    """The decision after its arrivals at the door (as many as ``present`` unless ``arrived``)."""
    return [*_arrivals(present if arrived is None else arrived),
            ("meeting.decision_recorded", {"meeting": 1, "members": members, "present": present, "in_favour": in_favour,
                                           "against": present - in_favour, "abstain": 0, "adopted": adopted,
                                           "rule": {"key": key, "share": share}})]


def test_no_such_events_no_checks() -> None:
    assert between_checks(_ctx(("result.published", {"posts": {}}))) == []


def test_a_sound_meeting_passes() -> None:
    assert _verdict(_ctx(CONVENED, *_decision(), _closed(5))) == {"meeting_decisions": []}


def test_meeting_forgeries_each_named() -> None:
    assert "未超过1/2" in _verdict(_ctx(CONVENED, *_decision(present=4, in_favour=4)))["meeting_decisions"][0]
    assert "事件记为通过" in _verdict(_ctx(CONVENED, *_decision(present=6, in_favour=4)))["meeting_decisions"][0]
    assert "不是规则集的" in _verdict(_ctx(CONVENED, *_decision(share="1/2")))["meeting_decisions"][0]
    short = ("meeting.convened", {**CONVENED[1], "held_on": "2026-06-20"})
    assert "仅 5 天" in _verdict(_ctx(short, *_decision()))["meeting_decisions"][0]
    closed = _verdict(_ctx(CONVENED, _closed(0), *_decision()))
    assert "闭会后仍有表决" in " ".join(closed["meeting_decisions"])
    assert "未见召集记录" in " ".join(_verdict(_ctx(*_decision()))["meeting_decisions"])


def _left(resident: int, present: int, **more) -> tuple[str, dict]:
    return "meeting.attendee_left", {"meeting": 1, "resident": resident, "present": present, **more}


# Chains whose decisions claim more (or fewer) present than the door recorded: the server raised
# `present` to reach the quorum (8 members of a 居民代表会议: 4 present is no quorum, 5 is).
DOOR_CHAINS = {
    "sound, one left and came back": (CONVENED, *_arrivals(5), _left(2, 4),
                                      ("meeting.attendee_arrived", {"meeting": 1, "resident": 2, "present": 5}),
                                      _decision(arrived=0)[-1]),
    "present raised to reach quorum": (CONVENED, *_decision(present=5, in_favour=4, arrived=4)),
    "present raised after a departure": (CONVENED, *_arrivals(5), _left(3, 4), _decision(arrived=0)[-1]),
    "arrived twice": (CONVENED, *_arrivals(4), ("meeting.attendee_arrived", {"meeting": 1, "resident": 4, "present": 5}),
                      _decision(arrived=0)[-1]),
    "left without arriving": (CONVENED, *_arrivals(5), _left(9, 4), _decision(present=4, in_favour=4, arrived=0)[-1]),
    "arrival's count raised": (CONVENED, *_arrivals(4), ("meeting.attendee_arrived", {"meeting": 1, "resident": 5, "present": 6})),
    "arrival before the meeting was convened": (*_arrivals(1), CONVENED),
    # 4 of 8 present is no quorum; the decision says 6 members, where 4 is more than half.
    "members lowered to reach quorum": (CONVENED, *_decision(present=4, in_favour=4, members=6)),
}


def test_those_present_are_replayed_from_the_door() -> None:
    """Each decision's present is the chain's arrivals less its departures: a server that raised
    it to make the quorum (every figure of the decision otherwise consistent) fails."""
    def problems(name):
        return " ".join(_verdict(_ctx(*DOOR_CHAINS[name]))["meeting_decisions"])

    assert problems("sound, one left and came back") == ""
    assert problems("present raised to reach quorum") == "第 6 号事件：记为到会 5 人，链中到会、离场记录重算为 4 人"
    assert "链中到会、离场记录重算为 4 人" in problems("present raised after a departure")
    assert "已在会议 1 到会，不能再次登记到会" in problems("arrived twice")
    assert "不在会议 1 的到会人员中，不能登记离场" in problems("left without arriving")
    assert "记为到会 6 人，链中到会、离场记录重算为 5 人" in problems("arrival's count raised")
    assert "未召集或已闭会，不能登记到会或离场" in problems("arrival before the meeting was convened")
    assert problems("members lowered to reach quorum") == "第 6 号事件：记为应到 6 人，与召集时公告的 8 人不符"


ELECTED = ("result.published", {"round": 1, "posts": {"jwh_fu_zhuren": {"elected": ["7"]}}})
FILED = ("recall.petition_filed", {"recall": 1, "post": "jwh_fu_zhuren", "person": "7", "base": "voters",
                                   "signers": 4, "total": 20})


def _vote(voted=12, in_favour=7, valid=True, carried=True):
    return ("recall.vote_recorded", {"recall": 1, "post": "jwh_fu_zhuren", "person": "7", "registered": 20,
                                     "voted": voted, "in_favour": in_favour, "valid": valid, "carried": carried})


VACATED = ("seat.vacated", {"post": "jwh_fu_zhuren", "person": "7", "name": "甲", "reason": "recalled"})


def test_a_sound_recall_passes() -> None:
    assert _verdict(_ctx(ELECTED, FILED, _vote(), VACATED)) == {"recall_votes": [], "vacancies": []}
    assert _verdict(_ctx(ELECTED, FILED, _vote(10, 10, False, False))) == {"recall_votes": []}  # exactly half: void


def test_recall_forgeries_each_named() -> None:
    assert "未达到1/5" in _verdict(_ctx(ELECTED, ("recall.petition_filed", {**FILED[1], "signers": 3})))["recall_votes"][0]
    assert "与事件记录" in _verdict(_ctx(ELECTED, FILED, _vote(12, 6), VACATED))["recall_votes"][0]  # exactly half of votes
    assert "没有该成员职位出缺" in _verdict(_ctx(ELECTED, FILED, _vote()))["recall_votes"][0]


def test_vacancy_of_someone_not_elected_or_twice() -> None:
    assert "未经公布的结果当选" in _verdict(_ctx(VACATED))["vacancies"][0]
    assert "已离任" in _verdict(_ctx(ELECTED, VACATED, VACATED))["vacancies"][0]


def _wrong_types() -> dict[str, tuple]:
    """Chains whose events carry a value of another JSON type where Python's bool(), str() or
    True == 1 would have read it as meant: each fails its check (PROTOCOL.md §9)."""
    meeting_true = ("meeting.convened", {**CONVENED[1], "meeting": True})
    return {
        "meeting_decisions": (meeting_true, *_decision()),
        "meeting_decisions ": (CONVENED, *_decision(adopted=1)),
        "meeting_decisions  ": (CONVENED, ("meeting.decision_recorded", {**_decision()[-1][1], "present": True})),
        "meeting_decisions   ": (("meeting.convened", {**CONVENED[1], "request": {"base": "voters", "supporters": "9",
                                                                                "total": 10}}),),
        "meeting_decisions    ": (("meeting.convened", {**CONVENED[1], "held_on": "20260625"}),),
        "meeting_decisions     ": (("meeting.convened", {**CONVENED[1], "held_on": "0000-06-25"}),),
        "meeting_decisions      ": (("meeting.convened", {**CONVENED[1], "members": "8"}), *_decision()),
        "recall_votes": (ELECTED, FILED, _vote(valid=1, carried=1), VACATED),
        "recall_votes ": (ELECTED, FILED, ("recall.vote_recorded", {**_vote()[1], "person": ["7"]}), VACATED),
        "recall_votes  ": (ELECTED, ("recall.petition_filed", {**FILED[1], "signers": True, "total": 1})),
        "recall_votes   ": (ELECTED, FILED, CALLED, *_paper(valid=1, published={"valid": 1}), VACATED),
        "recall_votes    ": (ELECTED, FILED, ("recall.vote_called", {**CALLED[1], "round": True}), *_paper(), VACATED),
    }


def test_values_of_the_wrong_type_fail_their_check() -> None:
    for name, events in WRONG_TYPES.items():
        c = _ctx(*events)
        check = dict(between_checks(c))[name.strip()]
        try:
            problems = check(c)[0]
        except (ValueError, TypeError, KeyError):
            continue  # Ctx.run reports it as the check failed
        assert problems, (name, events)


def test_the_browser_verifier_agrees_on_every_chain_here(tmp_path) -> None:
    """The browser verifier's checks between elections (tools/verify/web/juxuan-between.js,
    run by Node) give the Python verdict, check by check, on every chain of this file and on
    the chains' values of the wrong type."""
    import json
    import shutil
    import subprocess
    from pathlib import Path

    node = shutil.which("node")
    if node is None:
        import pytest

        pytest.skip("node (>= 20) is not installed")
    short = ("meeting.convened", {**CONVENED[1], "held_on": "2026-06-20"})
    chains = [
        (CONVENED, *_decision(), _closed(5)), (CONVENED, *_decision(present=4, in_favour=4)),
        (CONVENED, *_decision(present=6, in_favour=4)), (CONVENED, *_decision(share="1/2")), (CONVENED, *_decision(share="4/6")),
        (CONVENED, *_decision(share=" 2/3 ")), (CONVENED, *_decision(share="2 / 3")), (CONVENED, *_decision(share="0.6")),
        (CONVENED, *_decision(share=True)), (CONVENED, *_decision(share=None)),
        (CONVENED, *_decision(key="meeting_decision")), (short, *_decision()),
        (CONVENED, _closed(0), *_decision()), (*_decision(),),
        (("meeting.convened", {**CONVENED[1], "kind": "club"}),), (("meeting.convened", {**CONVENED[1], "held_on": "soon"}),),
        (("meeting.convened", {**CONVENED[1], "kind": "residents", "request": {"base": "groups", "supporters": 2, "total": 7}}),),
        (("meeting.convened", {**CONVENED[1], "kind": "residents", "request": {"base": "adults", "supporters": 2, "total": 7}}),),
        (ELECTED, FILED, _vote(), VACATED), (ELECTED, FILED, _vote(10, 10, False, False)),
        (ELECTED, ("recall.petition_filed", {**FILED[1], "signers": 3})), (ELECTED, FILED, _vote(12, 6), VACATED),
        (ELECTED, FILED, _vote()), (ELECTED, FILED, _vote(30, 7)), (ELECTED, _vote()), (VACATED,), (ELECTED, VACATED, VACATED),
        (ELECTED, FILED, ("recall.vote_recorded", {**_vote()[1], "voted": "12"})),
        *WRONG_TYPES.values(),
        (("meeting.convened", {**CONVENED[1], "notice_on": "0024-02-20", "held_on": "0024-03-01"}),),
    ]
    listed = []
    for events in chains:
        c = _ctx(*events)
        verdict = {}
        for name, fn in between_checks(c):
            try:
                verdict[name] = not fn(c)[0]
            except Exception:  # the verifier reports it as a failed check (Ctx.run)
                verdict[name] = False
        listed.append({"events": [{"seq": e.seq, "kind": e.kind, "payload": e.payload} for e in c.events],
                       "python": verdict})
    assert {False, True} <= {ok for case in listed for ok in case["python"].values()}
    (tmp_path / "between.json").write_text(json.dumps(listed, ensure_ascii=False), "utf-8")
    web = Path(__file__).resolve().parents[2] / "tools" / "verify" / "web" / "juxuan-between.js"
    script = (f"const B = require({json.dumps(str(web))}); const cases = require({json.dumps(str(tmp_path / 'between.json'))});"
              f"const rb = {json.dumps(Rulebook().to_dict(), ensure_ascii=False)};"
              "console.log(JSON.stringify(cases.map(c => Object.fromEntries(B.betweenChecks(c.events, rb).map(x => [x.name, x.ok])))));")
    out = subprocess.run([node, "-e", script], capture_output=True, text=True, check=True, timeout=120)
    assert json.loads(out.stdout) == [case["python"] for case in listed]


CALLED = ("recall.vote_called", {"recall": 1, "round": 2, "post": "jwh_fu_zhuren", "person": "7"})
QUESTION = {"subject": "7", "registered": 20, "voted": 12, "agree": 7, "disagree": 4, "abstain": 1, "invalid": 0,
            "valid": True, "carried": True}


def _paper(**changes):
    """The round of a recall voted on paper: published with its question, then the recall's outcome."""
    q = {**QUESTION, **changes.pop("published", {})}
    counted = {"recall": 1, "round": 2, "post": "jwh_fu_zhuren", "person": "7", **QUESTION, "turnout": "1/2",
               "approve": "1/2", **changes}
    return [("result.published", {"round": 2, "posts": {}, "question": q}), ("recall.vote_counted", counted)]


def test_a_recall_voted_on_paper_passes() -> None:
    assert _verdict(_ctx(ELECTED, FILED, CALLED, *_paper(), VACATED))["recall_votes"] == []
    failed = _paper(agree=6, carried=False, published={"agree": 6, "carried": False})
    assert _verdict(_ctx(ELECTED, FILED, CALLED, *failed))["recall_votes"] == []


def test_paper_recall_forgeries_each_named() -> None:
    def problems(*events):
        return " ".join(_verdict(_ctx(ELECTED, FILED, *events))["recall_votes"])

    assert "未见召集记录" in problems(*_paper(), VACATED)
    assert "与第 2 轮公布的表决结果不符" in problems(CALLED, *_paper(published={"agree": 5}), VACATED)
    assert "不是规则集的" in problems(CALLED, *_paper(approve="1/3"), VACATED)
    # 6 of 12 agreeing is not more than half: a chain saying "carried" fails.
    assert "罢免未通过" in problems(CALLED, *_paper(agree=6, published={"agree": 6}), VACATED)
    assert "之后没有该成员职位出缺" in problems(CALLED, *_paper())
    other = ("recall.vote_called", {**CALLED[1], "person": "8"})
    assert "未见相符的罢免要求" in problems(other, *_paper(), VACATED)


MOTION = "同意改建老年食堂"
VOTE_CALLED = ("meeting.vote_called", {"meeting": 1, "round": 2, "motion": MOTION, "present": 6})
MOTION_Q = {"kind": "motion", "subject": "m1", "registered": 6, "voted": 6, "agree": 5, "disagree": 1, "abstain": 0,
            "invalid": 0, "valid": True, "carried": True}


def _motion(decided=None, **published):
    """A meeting's motion voted on paper, after its call: its round published with the
    question, then the meeting's decision naming the round."""
    q = {**MOTION_Q, **published}
    d = _decision(present=6, in_favour=5)[-1]
    return [("result.published", {"round": 2, "posts": {}, "question": q}),
            (d[0], {**d[1], "motion": MOTION, "round": 2, **(decided or {})})]


DOOR6 = _arrivals(6)  # the six present when the vote is called

MOTION_CHAINS = [
    (CONVENED, *DOOR6, VOTE_CALLED, *_motion()),
    (CONVENED, *DOOR6, *_motion()),  # no vote called
    (CONVENED, *DOOR6, ("meeting.vote_called", {**VOTE_CALLED[1], "motion": "另一事项"}), *_motion()),
    (CONVENED, *DOOR6, VOTE_CALLED, *_motion(agree=4)),  # the decision says 5 in favour
    (CONVENED, *DOOR6, VOTE_CALLED, *_motion(registered=7)),  # more present on the paper than at the decision
    (CONVENED, *DOOR6, VOTE_CALLED, *_motion(valid=False, carried=False)),  # void, yet adopted
    (CONVENED, *DOOR6, VOTE_CALLED, *_motion({"adopted": False}, valid=False, carried=False)),  # void, not adopted: sound
    (CONVENED, _closed(0), VOTE_CALLED),  # called after the meeting closed
    # One of the 6 left after the first paper (the departure names round 2): still among the
    # vote's 6 electors. Sound.
    (CONVENED, *DOOR6, VOTE_CALLED, _left(3, 5, round=2), *_motion()),
    # One left before the first paper (no round named): 5 were present at the freeze, not 6.
    (CONVENED, *DOOR6, VOTE_CALLED, _left(3, 5), *_motion()),
    # The call says 6 present where the door recorded 4 (no quorum of 8: the call's count
    # raised to call the vote).
    (CONVENED, *_arrivals(4), VOTE_CALLED),
    # The close says 7 present where the door recorded 6.
    (CONVENED, *DOOR6, VOTE_CALLED, *_motion(), _closed(7)),
    # An arrival of someone the convening did not name (resident 9 of 8 entitled).
    (CONVENED, *_arrivals(5), ("meeting.attendee_arrived", {"meeting": 1, "resident": 9, "present": 6}), VOTE_CALLED,
     *_motion()),
    # The call with the door's 4 of 8: no quorum, no vote on paper.
    (CONVENED, *_arrivals(4), ("meeting.vote_called", {**VOTE_CALLED[1], "present": 4})),
]


def test_a_motion_voted_on_paper_and_its_forgeries() -> None:
    def problems(*events):
        return " ".join(_verdict(_ctx(*events))["meeting_decisions"])

    assert problems(*MOTION_CHAINS[0]) == "" and problems(*MOTION_CHAINS[6]) == ""
    assert "未见会议 1“同意改建老年食堂”的召集记录" in problems(*MOTION_CHAINS[1])
    assert "的召集记录" in problems(*MOTION_CHAINS[2])
    assert "与第 2 轮公布的表决结果不符" in problems(*MOTION_CHAINS[3])
    assert "与第 2 轮公布的表决结果不符" in problems(*MOTION_CHAINS[4])
    assert "表决无效，会议决定却记为通过" in problems(*MOTION_CHAINS[5])
    assert "未召集或已闭会" in problems(*MOTION_CHAINS[7])
    assert problems(*MOTION_CHAINS[8]) == ""
    assert problems(*MOTION_CHAINS[9]) == "第 11 号事件：记为到会 6 人，链中到会、离场记录重算为 5 人"
    assert problems(*MOTION_CHAINS[10]) == "第 6 号事件：记为到会 6 人，链中到会、离场记录重算为 4 人"
    assert problems(*MOTION_CHAINS[11]) == "第 11 号事件：记为到会 7 人，链中到会、离场记录重算为 6 人"
    assert problems(*MOTION_CHAINS[13]) == "第 6 号事件：应到 8 人、实到 4 人，未超过1/2，不能以表决票表决"
    assert problems(*MOTION_CHAINS[12]) == "第 7 号事件：9 不在会议 1 召集时公布的应到人员中，不能登记到会"


def _with_composition(comp: dict, *events: tuple[str, dict]) -> Ctx:
    c = _ctx(*events)
    c.d["composition.json"] = comp
    return c


def _comp(until=None, reason="", serving=0, vacant=1, person="7"):
    return {"posts": [{"post": "jwh_fu_zhuren", "name": "居民委员会副主任", "seats": 1, "serving": serving,
                       "vacant": vacant}],
            "members": [{"post": "jwh_fu_zhuren", "person": person, "name": "甲", "round": 1, "since": "2026-06-01",
                         "until": until, "reason": reason}]}


RESIGNED = ("seat.vacated", {"post": "jwh_fu_zhuren", "person": "7", "name": "甲", "reason": "resigned",
                             "ended_on": "2026-07-01"})


def test_composition_file_agrees_with_the_chain() -> None:
    sound = _with_composition(_comp("2026-07-01", "resigned"), ELECTED, RESIGNED)
    assert _verdict(sound)["composition"] == []
    assert _verdict(_with_composition(_comp(serving=1, vacant=0), ELECTED))["composition"] == []


def test_composition_forgeries_each_named() -> None:
    def problems(comp, *events):
        return " ".join(_verdict(_with_composition(comp, *events))["composition"])

    assert "仍列为在任" in problems(_comp(serving=1, vacant=0), ELECTED, RESIGNED)
    assert "与链中的出缺记录不符" in problems(_comp("2026-07-02", "resigned"), ELECTED, RESIGNED)
    assert "与链中的出缺记录不符" in problems(_comp("2026-07-01", "died"), ELECTED, RESIGNED)
    assert "链中公布的结果没有" in problems(_comp(person="8", serving=1, vacant=0), ELECTED)
    assert "不在 composition.json 中" in problems(_comp(person="8", serving=1, vacant=0), ELECTED)
    assert "记为在任 1、出缺 0" in problems(_comp("2026-07-01", "resigned", serving=1, vacant=0), ELECTED, RESIGNED)


CHOSEN = ("seat.chosen_by_meeting", {"decision": {"meeting": 1, "number": 1}, "kind": "representatives",
                                     "since": "2026-06-25", "members": [{"post": "jdw_weiyuan", "person": "9", "name": "乙"}]})


def _chosen_comp(decision: dict | None = None, round_number: int = 0) -> dict:
    member = {"post": "jdw_weiyuan", "person": "9", "name": "乙", "round": round_number, "since": "2026-06-25",
              "until": None, "reason": ""}
    return {"posts": [{"post": "jdw_weiyuan", "name": "居务监督委员会委员", "seats": 1, "serving": 1, "vacant": 0}],
            "members": [{**member, **({"decision": decision} if decision is not None else {})}]}


def _chosen_ctx(comp: dict, *events: tuple[str, dict], chosen_by: str = "representatives_meeting") -> Ctx:
    c = _with_composition(comp, *events)
    c.d["rulebook.json"] = Rulebook().with_changes(jdw_chosen_by=chosen_by).to_dict()
    return c


def _numbered(events: list[tuple[str, dict]]) -> list[tuple[str, dict]]:
    """The decision (the last event) numbered 1, after its arrivals."""
    *door, (kind, payload) = events
    return [*door, (kind, {**payload, "number": 1})]


def _chosen_cases() -> list[Ctx]:
    cited = {"meeting": 1, "number": 1}
    failed = _numbered(_decision(present=6, in_favour=4, adopted=False))
    return [
        _chosen_ctx(_chosen_comp(cited), CONVENED, *_numbered(_decision()), CHOSEN),
        _chosen_ctx(_chosen_comp(cited), CONVENED, *_numbered(_decision()), CHOSEN, chosen_by="voters"),
        _chosen_ctx(_chosen_comp(cited), CONVENED, *failed, CHOSEN),
        _chosen_ctx(_chosen_comp(cited), CONVENED, *_numbered(_decision()), CHOSEN, chosen_by="residents_meeting"),
        _chosen_ctx(_chosen_comp({"meeting": 1, "number": 2}), CONVENED, *_numbered(_decision()), CHOSEN),
        _chosen_ctx(_chosen_comp(None), CONVENED, *_numbered(_decision()), CHOSEN),
        _chosen_ctx(_chosen_comp(cited), CONVENED, *_numbered(_decision())),
        _chosen_ctx(_chosen_comp(cited), CONVENED, *_numbered(_decision()), CHOSEN,
                    ("seat.vacated", {"post": "jdw_weiyuan", "person": "9", "name": "乙", "reason": "died",
                                      "ended_on": "2026-08-01"})),
    ]


def test_members_a_meeting_chose_agree_with_the_chain() -> None:
    """composition.json's members chosen by a meeting (round 0, with the decision) stand on a
    seat.chosen_by_meeting citing an adopted decision of the kind of meeting jdw_chosen_by
    names; each departure from that is named."""
    verdicts = [_verdict(c) for c in _chosen_cases()]
    assert verdicts[0] == {"meeting_decisions": [], "vacancies": [], "composition": []}
    assert "jdw_chosen_by 为全体选民投票" in verdicts[1]["composition"][0]
    assert "不是此前通过的representatives会议决定" in verdicts[2]["composition"][0]
    assert "不是此前通过的residents会议决定" in verdicts[3]["composition"][0]
    assert "与链中推选记录" in verdicts[4]["composition"][0] and "与链中推选记录" in verdicts[5]["composition"][0]
    assert "链中公布的结果没有" in " ".join(verdicts[6]["composition"])
    assert verdicts[7]["vacancies"] == [] and "仍列为在任" in verdicts[7]["composition"][0]


def test_the_browser_verifier_gives_the_same_verdicts() -> None:
    """tools/verify/web/juxuan-between.js run by Node on every case above: the same checks,
    each with the same verdict as the Python verifier."""
    import json
    import shutil
    import subprocess
    from pathlib import Path

    import pytest

    node = shutil.which("node")
    if node is None:
        pytest.skip("node (>= 20) is not installed")
    cases = [
        _ctx(CONVENED, *_decision(), _closed(5)),
        _ctx(CONVENED, *_decision(present=4, in_favour=4)), _ctx(CONVENED, *_decision(present=6, in_favour=4)),
        _ctx(CONVENED, *_decision(share="1/2")), _ctx(*_decision()),
        _ctx(CONVENED, _closed(0), *_decision()),
        _ctx(ELECTED, FILED, CALLED, *_paper(), VACATED), _ctx(ELECTED, FILED, *_paper(), VACATED),
        _ctx(ELECTED, FILED, CALLED, *_paper(published={"agree": 5}), VACATED),
        _ctx(ELECTED, FILED, CALLED, *_paper(approve="1/3"), VACATED),
        _ctx(ELECTED, FILED, CALLED, *_paper(agree=6, published={"agree": 6}), VACATED),
        _ctx(ELECTED, FILED, CALLED, *_paper()), _ctx(ELECTED, FILED, _vote()), _ctx(ELECTED, FILED, _vote(voted=10)),
        *(_ctx(*chain) for chain in MOTION_CHAINS),
        *(_ctx(*chain) for chain in DOOR_CHAINS.values()),
        _with_composition(_comp("2026-07-01", "resigned"), ELECTED, RESIGNED),
        _with_composition(_comp(serving=1, vacant=0), ELECTED, RESIGNED),
        _with_composition(_comp("2026-07-02", "resigned"), ELECTED, RESIGNED),
        _with_composition(_comp(person="8", serving=1, vacant=0), ELECTED),
        _with_composition(_comp("2026-07-01", "resigned", serving=1, vacant=0), ELECTED, RESIGNED),
        *_chosen_cases(),
    ]
    script = Path(__file__).resolve().parents[2] / "tools/verify/web/juxuan-between.js"
    payload = [{"events": [{"seq": e.seq, "kind": e.kind, "payload": e.payload}
                           for e in c.events], "files": c.d} for c in cases]
    code = (f"const B = require({json.dumps(str(script))}); let s = ''; process.stdin.on('data', d => s += d);"
            "process.stdin.on('end', () => console.log(JSON.stringify(JSON.parse(s).map(k => Object.fromEntries("
            "B.betweenChecks(k.events, k.files['rulebook.json'], n => k.files[n]).map(c => [c.name, c.ok]))))));")
    out = subprocess.run([node, "-e", code], input=json.dumps(payload), capture_output=True, text=True, check=True,
                         timeout=60)
    python = [{name: not fn(c)[0] for name, fn in between_checks(c)} for c in cases]
    assert json.loads(out.stdout) == python
    assert any(not all(v.values()) for v in python) and any(all(v.values()) for v in python)


WRONG_TYPES = _wrong_types()
