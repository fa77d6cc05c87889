"""Random tally scenarios for the two rules engines (issue 23, Must show 3): each is what a
bundle carries for the `winners` check — tally_input.json, rulebook.json and totals.json's
counts — and the decision of the Python rules (election/rules/tally) through the verifier's
own path (election/protocol/verify_tally). The browser verifier's engine
(tools/verify/web/juxuan-rules.js) must reach exactly the same validity, winners, next round
and next round's sections, and refuse exactly the inputs the Python one refuses.

Seeded, so a failure names a scenario that can be made again; the votes are drawn from
narrow ranges so that ties at the cut, reserved seats, near relatives, prior winners, held
run-offs and the woman member's rules are all exercised often."""
from __future__ import annotations

import json
import random
from typing import Any

from election.protocol import writeins
from election.protocol.canonical import canonical_json
from election.rules.rulebook import Rulebook
from election.rules.scenario import result_to_dict
from election.rules.tally import tally

POSTS = [  # key, body, title, rank
    ("jwh_zhuren", "jwh", "主任", 3), ("jwh_fu_zhuren", "jwh", "副主任", 2), ("jwh_weiyuan", "jwh", "委员", 1),
    ("jdw_zhuren", "jdw", "主任", 2), ("jdw_weiyuan", "jdw", "委员", 1),
]


def _rulebook(rng: random.Random) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if rng.random() < 0.4:
        changes["woman_member_method"] = rng.choice(["reserved_line", "replace_lowest", "separate_round"])
    if rng.random() < 0.2:
        changes["near_relatives_rule"] = False
    if rng.random() < 0.2:
        changes["jdw_incompat_extended"] = True
    if rng.random() < 0.2:
        changes["runoff_extra_candidates"] = rng.choice([0, 2])
    if rng.random() < 0.2:
        changes["vacancy_needs_zhuren"] = True
    if rng.random() < 0.2:
        changes["vacancy_min_members"] = rng.choice([2, 4])
    if rng.random() < 0.15:
        changes["woman_member_required"] = False
    if rng.random() < 0.25:
        changes["jwh_size_max"] = rng.choice([3, 5, 7])
        changes["jwh_size_min"] = 3
    if rng.random() < 0.15:
        changes["majority_fraction"] = "2/3"
    if rng.random() < 0.1:
        changes["runoff_floor"] = "1/4"
    if rng.random() < 0.1:
        changes["write_in_public_min"] = rng.choice([1, 10])
    out = Rulebook.from_dict(changes).to_dict()
    if rng.random() < 0.06:  # a share written in another of the forms a fraction may take, or in none
        out[rng.choice(["turnout_fraction", "majority_fraction", "runoff_floor"])] = rng.choice(
            [" 1/3 ", "2/6", "0.5", ".4", "1e-1", "5e-1", "1_0/30", "+1/2", "1 / 2", "1/0", "1__0/2", "½", "", 1])
    return out


def recall_scenario(rng: random.Random, rb: dict[str, Any]) -> dict[str, Any]:
    """A recall voted on paper (PROTOCOL §14.9): one post, the member's line; sometimes a
    vote for someone else, two lines or per-body papers, which the rules refuse."""
    registered = rng.randint(10, 60)
    returned = rng.randint(0, registered + 2)
    agree = rng.randint(0, returned)
    disagree = rng.randint(0, returned - agree)
    invalid = rng.randint(0, returned - agree - disagree)
    overvoted = rng.randint(0, invalid)
    whole = invalid - overvoted
    if rng.random() < 0.05:
        agree = returned + 1  # more marks than papers
    candidates = [{"id": "m", "person": "m", "name": "成员", "sex": "女", "post": "jwh_weiyuan"}]
    votes = {"m": agree}
    opposed = {"m": disagree}
    ti: dict[str, Any] = {"registered_voters": registered, "papers_issued": returned + rng.choice([0, 0, 1, -1]),
                          "round": "recall", "candidates": candidates, "relations": [], "prior_elected": [], "held": [],
                          "posts": [{"key": "jwh_weiyuan", "body": "jwh", "title": "委员", "seats": 1, "rank": 1,
                                     "threshold": "majority", "reserved_woman_seats": 0}]}
    broken = rng.random() < 0.1 and rng.choice(["other", "two", "body_papers"])
    if broken == "other":
        votes["x"] = 1
    elif broken == "two":
        candidates.append({"id": "n", "person": "n", "name": "另一人", "sex": "男", "post": "jwh_weiyuan"})
    elif broken == "body_papers":
        ti["body_papers"] = {"jwh": {"issued": returned, "returned": returned}}
    ti["papers_issued"] = max(0, ti["papers_issued"])
    totals = {"round": 1, "returned": returned, "posts": {"jwh_weiyuan": votes},
              "counts": {"whole_invalid": whole, "posts": {"jwh_weiyuan": {"overvoted": overvoted, "unreadable": 0,
                                                                           "opposed": opposed}}},
              "result": {"elected": {}}}
    return {"tally_input": ti, "rulebook": rb, "totals": totals}


def motion_scenario(rng: random.Random, rb: dict[str, Any]) -> dict[str, Any]:
    """A meeting's motion voted on paper (PROTOCOL §14.10): the recall's paper shape with
    those present as registered_voters and the kind of meeting naming the decision share;
    sometimes more papers than present, an unknown kind of meeting, or none."""
    case = recall_scenario(rng, rb)
    ti = case["tally_input"]
    ti["round"] = "motion"
    ti["candidates"][0].update({"id": "m1", "person": "m1", "name": "表决事项", "sex": ""})
    posts, counts = case["totals"]["posts"], case["totals"]["counts"]["posts"]["jwh_weiyuan"]["opposed"]
    for d in (posts["jwh_weiyuan"], counts):
        d["m1"] = d.pop("m")
    if rng.random() < 0.7:  # most of those present vote (one fewer: more papers than present, void)
        ti["registered_voters"] = max(0, case["totals"]["returned"] + rng.choice([0, 0, 1, 2, -1]))
    ti["meeting"] = rng.choices(["representatives", "residents", "group", "", "assembly"], [5, 4, 1, 0.3, 0.3])[0]
    if rng.random() < 0.5:
        rb["rep_meeting_decision"] = rng.choice(["1/2", "2/3", "3/4"])
        rb["meeting_decision"] = rng.choice(["1/2", "2/3"])
    return case


def scenario(rng: random.Random) -> dict[str, Any]:
    """One bundle's tally inputs: tally_input.json, rulebook.json and totals.json."""
    rb = _rulebook(rng)
    if rng.random() < 0.08:
        if rng.random() < 0.5:
            rb["recall_turnout"] = rng.choice(["1/3", "2/3"])
            rb["recall_approve"] = rng.choice(["1/2", "2/3"])
        return motion_scenario(rng, rb) if rng.random() < 0.4 else recall_scenario(rng, rb)
    chosen = [p for p in POSTS if rng.random() < 0.7] or [POSTS[2]]
    round_kind = rng.choices(["main", "runoff", "revote"], [6, 3, 1])[0]
    registered = rng.randint(20, 60)
    # Mostly above the turnout; sometimes at or under it, or more papers back than registered.
    returned = rng.randint(registered // 2 - 1, registered + 1) if rng.random() < 0.9 else rng.randint(0, registered)
    issued = returned + rng.choice([0, 0, 0, 1, 3]) if rng.random() < 0.95 else returned - 1
    posts, candidates, votes, counts = [], [], {}, {}
    # A crowded scenario now and then: few people, many relations, votes from two values, so
    # relatives tied with each other, moot and real ties for reserved seats, the woman member
    # replacing the lowest (or not, for a relative) and the legal size limit all come up.
    crowded = rng.random() < 0.3
    people = [f"p{i}" for i in range(1, 7 if crowded else 15)]
    # Sometimes no woman stands at all (the woman member's seat, nominations still needed).
    # Sex as a reviewer may write it (docs/TALLY.md): both engines read it as 女 / 男.
    sexes = ["男"] if rng.random() < 0.2 else ["男", "女", "女", "F", "", "Female", " m", "MALE"]
    sex = {p: rng.choice(sexes) for p in people}
    pool = list(people)
    for key, body, title, rank in chosen:
        seats = rng.choice([1, 1, 2, 3]) if title == "委员" else 1
        # The reserved woman's line is the 居委会's 委员 only (RULES.md "woman member").
        reserved = rng.choice([0, 0, 1]) if key == "jwh_weiyuan" and rng.random() < 0.4 else 0
        if crowded and key == "jwh_weiyuan" and seats > 1 and rng.random() < 0.5:
            reserved = 1
        posts.append({"key": key, "body": body, "title": title, "seats": seats, "rank": rank,
                      "threshold": rng.choice(["majority", "majority", "plurality"]), "reserved_woman_seats": min(reserved, seats)})
        listed = rng.sample(pool, min(len(pool), seats + rng.randint(0, 3)))
        for pid in listed:
            candidates.append({"id": pid, "person": pid, "name": f"名{pid}", "sex": sex[pid], "post": key})
        hi = max(1, returned)
        row = {}
        for pid in listed + ([pid for pid in pool if pid not in listed and rng.random() < 0.3]):
            # Narrow ranges: equal votes, votes at the threshold and zero votes are frequent.
            if crowded:
                row[pid] = rng.choice([hi // 2 + 1, hi // 2 + 1, hi, 0])
            else:
                row[pid] = rng.choice([0, hi // 2, hi // 2 + 1, hi // 3, hi // 3 + 1, hi]) if rng.random() < 0.5 else rng.randint(0, hi)
        if rng.random() < 0.3:
            row["w1"] = rng.randint(1, 12)
        if rng.random() < 0.2:
            row[writeins.OTHER] = rng.randint(1, 5)
        votes[key] = row
        counts[key] = {"overvoted": rng.choice([0, 0, 1]), "unreadable": 0, "opposed": {}}
    relations = []
    for _ in range(rng.choice([2, 3, 4]) if crowded else rng.choice([0, 0, 1, 2, 3])):
        a, b = rng.sample(people, 2)
        relations.append([a, b] if rng.random() < 0.8 else [a, b, "extended"])
    prior = []
    if round_kind != "main" and rng.random() < 0.6:
        for pid in rng.sample(people, rng.randint(1, 3)):
            prior.append({"person": pid, "post": rng.choice(POSTS)[0], "sex": sex[pid]})
    held = []
    if round_kind == "revote" and rng.random() < 0.6:
        key, _, title, _ = rng.choice(chosen)
        ranked = [{"person": p, "name": p, "votes": rng.randint(0, 20)} for p in rng.sample(people, rng.randint(1, 5))]
        ranked.sort(key=lambda r: -r["votes"])
        held.append({"post": key, "post_name": title, "seats": rng.randint(1, 2), "women_only": rng.random() < 0.3,
                     "woman_seat": rng.random() < 0.3, "ranked": ranked})
    ti: dict[str, Any] = {"registered_voters": registered, "papers_issued": max(0, issued), "round": round_kind,
                          "posts": posts, "candidates": candidates, "relations": relations,
                          "prior_elected": prior, "held": held}
    if "w1" in json.dumps(votes) and rng.random() < 0.7:
        ti["write_ins"] = [{"person": "w1", "name": "写入者", "sex": rng.choice(["女", "男"])}]
    if rng.random() < 0.25:
        ti["woman_decision"] = rng.choice(["replace_lowest", "accept_without"])
    bodies = sorted({p["body"] for p in posts})
    if len(bodies) == 2 and rng.random() < 0.15:  # separate papers per body
        jwh = rng.randint(returned // 2, returned) if rng.random() < 0.8 else rng.randint(0, returned)
        ti["body_papers"] = {"jwh": {"issued": jwh + rng.choice([0, 1]), "returned": jwh},
                             "jdw": {"issued": returned - jwh, "returned": returned - jwh}}
    if rng.random() < 0.04:  # an input the rules must refuse, in both engines
        broken = rng.choice(["post", "reserved", "round", "method", "body_papers", "relation", "threshold",
                             "rulebook_key", "rulebook_type", "rulebook_choice", "sex", "self_relation",
                             "prior_post", "reserved_elsewhere"])
        if broken == "rulebook_key":
            rb["lottery_odds"] = "1/2"
        elif broken == "rulebook_type":
            rb[rng.choice(["runoff_floor", "vacancy_min_members", "near_relatives_rule"])] = rng.choice(["half", "1/0", True, 1])
        elif broken == "rulebook_choice":
            rb["woman_member_method"] = "lottery"
        elif broken == "post":
            candidates.append({"id": "x", "person": "x", "name": "x", "sex": "", "post": "nowhere"})
        elif broken == "reserved":
            posts[0]["reserved_woman_seats"] = posts[0]["seats"] + 1
        elif broken == "round":
            ti["round"] = "final"
        elif broken == "method":
            ti["method"] = "lottery"
        elif broken == "body_papers":
            ti["body_papers"] = {"jwh": {"issued": 1, "returned": returned + 1}}
        elif broken == "relation":
            relations.append(["p1"])
        elif broken == "sex":
            candidates.append({"id": "x", "person": "x", "name": "x", "sex": rng.choice(["X", "未知", "fem"]),
                               "post": posts[0]["key"]})
        elif broken == "self_relation":
            relations.append(["p1", "p1"])
        elif broken == "prior_post":
            prior.append({"person": "p1", "post": rng.choice(["zhuren", "jwh_chair", "jwh"]), "sex": "男"})
        elif broken == "reserved_elsewhere":  # a woman's seat on a 主任, 副主任 or the 监督委员会's 委员
            others = [p for p in posts if p["key"] != "jwh_weiyuan"]
            if others:
                rng.choice(others)["reserved_woman_seats"] = 1
        else:
            posts[0]["threshold"] = "most"
    totals = {"round": 1, "returned": returned, "posts": votes,
              "counts": {"whole_invalid": rng.choice([0, 0, 1]), "posts": counts}, "result": {"elected": {}}}
    return {"tally_input": ti, "rulebook": rb, "totals": totals}


def decide(case: dict[str, Any]) -> dict[str, Any]:
    """The Python rules' decision, as the verifier's `winners` check makes it; an input the
    rules refuse gives {"refused": true}."""
    from election.protocol.verify_tally import _summary, published_counts, tally_input

    # Read back from canonical bytes, as the verifier reads a bundle (objects in key order).
    d = {name: json.loads(canonical_json(case[key])) for name, key in (
        ("tally_input.json", "tally_input"), ("rulebook.json", "rulebook"), ("totals.json", "totals"))}
    try:
        return _summary(result_to_dict(tally(tally_input(d), published_counts(d))))
    except ValueError:  # ScenarioError, TallyInputError, RulebookError
        return {"refused": True}


def cases(n: int, seed: int = 23) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        case = scenario(rng)
        out.append({"name": f"seed {seed} #{i}", **case, "python": decide(case)})
    return out
