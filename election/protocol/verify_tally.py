"""The verifier's use of the rules engine: the tally input the bundle carries
(tally_input.json, docs/TALLY.md's scenario without papers) with the rulebook in force
(rulebook.json) decides the seats again, from the records (auditor bundle) or from the
published counts (public bundle), and the verifier compares who is elected, the run-offs
and the next round with what totals.json and the chain say."""
from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable
from typing import Any

from election.protocol import event_kinds as ek
from election.protocol import writeins
from election.protocol.canonical import same_json
from election.protocol.pause import gc_paused
from election.protocol.verify_ctx import (
    Ctx,
    as_published,
    late_corrections,
    published_people,
    same_votes,
    write_in_anchors,
)
from election.protocol.verify_read import Rec
from election.rules.rulebook import Rulebook
from election.rules.scenario import parse_marks, parse_scenario, result_to_dict
from election.rules.tally import check_input, tally
from election.rules.tally_count import Counts, PostCount, count_papers
from election.rules.tally_types import Paper, TallyInput


def tally_input(d: dict[str, Any]) -> TallyInput:
    """The bundle's tally input with the rulebook in force and no papers."""
    from dataclasses import replace

    scenario = {k: v for k, v in d["tally_input.json"].items() if k != "rulebook"}
    scenario["papers"] = []
    scenario["papers_returned"] = d["totals.json"]["returned"]
    inp = parse_scenario(scenario)
    return replace(inp, rulebook=Rulebook.from_dict(dict(d["rulebook.json"])))


def published_counts(d: dict[str, Any]) -> Counts:
    t = d["totals.json"]
    posts = {}
    for key, votes in t["posts"].items():
        pc = t["counts"]["posts"][key]
        # 其他（另选他人） is a sum of write-ins nobody elects or takes to a run-off (issue 15).
        posts[key] = PostCount(pc["overvoted"], pc["unreadable"],
                               Counter({k: v for k, v in votes.items() if v and k != writeins.OTHER}),
                               Counter(pc["opposed"]))
    return Counts(t["returned"], t["counts"]["whole_invalid"], posts)


def _summary(result: dict[str, Any]) -> dict[str, Any]:
    out = {
        "valid": result["valid"],
        "elected": {k: sorted(e["person"] for e in p["elected"]) for k, p in result["posts"].items()},
        "next_round": result["next_round"],
        "next_posts": result["next_posts"],
    }
    if "question" in result:  # a question round: its figures and outcome, decided again
        out["question"] = {k: result["question"][k] for k in QUESTION_FIELDS}
    return out


QUESTION_FIELDS = ("subject", "registered", "voted", "agree", "disagree", "abstain", "invalid", "valid", "carried")


def recompute(c: Ctx) -> tuple[list[str], str]:
    """Decide the seats again and compare with totals.json's result and the chain's."""
    inp = tally_input(c.d)
    counts = published_counts(c.d)
    mine = _summary(result_to_dict(tally(inp, counts)))
    c.facts["recomputed"] = mine
    t = c.d["totals.json"]["result"]
    problems = []
    published = {k: sorted(v) for k, v in t["elected"].items() if v}
    if not same_json({k: v for k, v in mine["elected"].items() if v}, published) and (published or _result_published(c)):
        problems.append(f"按规则重新计算的当选人 {mine['elected']} 与 totals.json 公布的 {t['elected']} 不符")
    for f in ("valid", "next_round", "next_posts"):
        if f in t and not same_json(t[f], mine[f]):
            problems.append(f"按规则重新计算的 {f} 为 {mine[f]!r}，totals.json 为 {t[f]!r}")
    if "question" in mine or "question" in t:
        theirs = {k: t["question"].get(k) for k in QUESTION_FIELDS} if isinstance(t.get("question"), dict) else None
        if (published or _result_published(c) or "question" in t) and not same_json(theirs, mine.get("question")):
            problems.append(f"按规则重新计算的表决结果 {mine.get('question')} 与 totals.json 公布的 {theirs} 不符")
    for ev in _result_published(c):
        p = ev.payload
        theirs = {k: sorted(v.get("elected", [])) for k, v in p.get("posts", {}).items()}
        if not same_json(theirs, mine["elected"]):
            problems.append(f"按规则重新计算的当选人与第 {ev.seq} 号事件公布的不符")
        if not same_json(p.get("next_round"), mine["next_round"]) or not same_json(p.get("valid"), mine["valid"]):
            problems.append(f"按规则重新计算的下一步（{mine['next_round']}）与第 {ev.seq} 号事件不符")
        if "question" in mine and not same_json({k: (p.get("question") or {}).get(k) for k in QUESTION_FIELDS}, mine["question"]):
            problems.append(f"按规则重新计算的表决结果与第 {ev.seq} 号事件公布的不符")
    problems += write_in_problems(c, None)  # issue 15: no rare write-in named
    problems += posts_anchored(c)
    problems += names_plain(c.d["tally_input.json"])
    who = "；".join(f"{k}：{'、'.join(v) or '无'}" for k, v in sorted(mine["elected"].items()))
    return problems, f"规则引擎按公布的票数重新决定：{who}；下一步 {mine['next_round']}"


# Characters a name on the paper may not hold: controls, format characters (zero-width
# spaces and joiners, direction marks), line and paragraph separators, private use.
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Co"})


def _name_problem(name: str) -> str | None:
    if any(unicodedata.category(ch) in HIDDEN_CATEGORIES for ch in name):
        return "含有不可见或控制字符"
    if unicodedata.normalize("NFC", name) != name:
        return "不是 NFC 规范形式"
    if name != name.strip(" ") or "  " in name or any(unicodedata.category(ch) == "Zs" and ch != " " for ch in name):
        return "首尾有空格、连续空格或非普通空格"
    return None


def names_plain(ti: dict[str, Any]) -> list[str]:
    """Each candidate's and write-in's name in tally_input.json is plain text as printed: no
    hidden, control or format character (a zero-width space makes 张\u200b三 look like 张三), in
    NFC, with no space but single ordinary ones inside; and no two candidates of one post have
    names that differ in their bytes but not once compatibility forms and spaces are folded
    (NFKC: a full-width or look-alike copy of another candidate's name). Two people of one
    name, written alike, may both stand."""
    problems = []
    people = [x for x in [*ti["candidates"], *(ti.get("write_ins") or [])] if isinstance(x, dict)]
    seen: dict[tuple[Any, str], str] = {}
    for x in people:
        name = x.get("name")
        if not isinstance(name, str):
            continue
        why = _name_problem(name)
        if why:
            problems.append(f"tally_input.json 中 {x.get('person')!r} 的姓名 {name!r} {why}")
        folded = (x.get("post"), unicodedata.normalize("NFKC", name).replace(" ", ""))
        if folded in seen and seen[folded] != name:
            problems.append(f"tally_input.json 职位 {x.get('post')} 的姓名 {seen[folded]!r} 与 {name!r} 看起来相同而字符不同")
        seen.setdefault(folded, name)
    return problems[:5]


def _seats_fixed(c: Ctx) -> tuple[dict[str, dict[str, Any]], int | None]:
    """Each post's seats (and reserved seats) as the chain fixed them before the round's
    papers were printed, with the event's seq: round 1's from ``election.created``'s bodies
    ({body: {zhuren, fu_zhuren, weiyuan}}, post key ``<body>_<title>``), a later round's from
    the last ``round.created``, ``seat.by_election_called`` or
    ``nomination.round_candidates_published`` of that round (with its candidates' ids). Empty when the
    chain holds no such event (a chain made before them, or a recall's or a motion's round)."""
    if c.round == 1:
        made = c.kind_events({ek.ELECTION_CREATED})
        bodies = made[0].payload.get("bodies") if made else None
        if not isinstance(bodies, dict):
            return {}, None
        return ({f"{body}_{title}": {"seats": n} for body, titles in bodies.items() if isinstance(titles, dict)
                 for title, n in titles.items()}, made[0].seq)
    called = [e for e in c.kind_events({ek.ROUND_CREATED, ek.SEAT_BY_ELECTION_CALLED, ek.NOMINATION_ROUND_CANDIDATES_PUBLISHED})
              if c.round_of(e) == c.round]
    posts = called[-1].payload.get("posts") if called else None
    if not isinstance(posts, dict):
        return {}, None
    return {k: v for k, v in posts.items() if isinstance(v, dict)}, called[-1].seq


def posts_anchored(c: Ctx) -> list[str]:
    """tally_input.json's posts against what the rulebook and the chain fixed before the
    count (a server rewriting the result after the last printed head notice cannot rewrite
    these): a post's threshold in a main round or a run-off is the rulebook's for its key
    (a re-vote's is 1 whatever it says; a recall or a motion has none), and its seats and
    reserved seats are those the chain recorded for the round (_seats_fixed). A forged
    ``plurality`` or one seat more would otherwise elect a loser the rules and the chain agree on."""
    ti = c.d["tally_input.json"]
    book = Rulebook.from_dict(dict(c.d["rulebook.json"]))
    fixed, seq = _seats_fixed(c)
    problems = []
    for p in ti["posts"]:
        key = p["key"]
        if ti.get("round", "main") in ("main", "runoff") and "threshold" in p:
            want = {"jdw_zhuren": book.jdw_zhuren_threshold, "jdw_weiyuan": book.jdw_weiyuan_threshold}.get(key, "majority")
            if not same_json(p["threshold"], want):
                problems.append(f"tally_input.json 职位 {key} 的当选门槛（threshold）为 {p['threshold']!r}，"
                                f"规则集规定为 {want!r}")
        for f in ("seats", "reserved_woman_seats"):
            if key in fixed and f in fixed[key] and not same_json(p.get(f, 0), fixed[key][f]):
                problems.append(f"tally_input.json 职位 {key} 的 {f} 为 {p.get(f, 0)!r}，"
                                f"第 {seq} 号事件定为 {fixed[key][f]!r}")
        # A later round's candidates are those its event lists (candidate ids, in ballot order):
        # a run-off with other participants than the rules named is another election.
        if key in fixed and isinstance(fixed[key].get("candidates"), list):
            named = [_id(x) for x in fixed[key]["candidates"]]
            have = [_id(x.get("id")) for x in ti["candidates"] if x.get("post") == key]
            if have != named:
                problems.append(f"tally_input.json 职位 {key} 的候选人 {have} 与第 {seq} 号事件所列的 {named} 不符")
    return (problems + _relations_kept(c) + _listed_before_print(c) + _prior_kept(c)
            + _as_published(c))


def _as_published(c: Ctx) -> list[str]:
    """tally_input.json's candidates' names and sexes, and its prior_elected's sexes (both
    decide the woman member), are those the chain last published for the person; a correction
    of a published name or sex after the roll was closed to it is refused (late_corrections)."""
    ti, people = c.d["tally_input.json"], published_people(c.events)
    return (late_corrections(c.events)
            + as_published(people, ti["candidates"], ("name", "sex"), "tally_input.json 的候选人")
            + as_published(people, ti.get("prior_elected") or [], ("sex",), "tally_input.json 的 prior_elected ")
            + as_published(people, ti.get("write_ins") or [], ("name", "sex"), "tally_input.json 的另选他人")
            + _write_ins_anchored(c, people))


def _write_ins_anchored(c: Ctx, people: dict[str, dict[str, str]]) -> list[str]:
    """A write-in (另选他人) is on no published list: its name and sex are anchored by the
    round's result.write_ins_named (write_in_anchors), written with the result. Every
    tally_input.json write_ins entry has its name and sex in the chain (a write-in the chain
    never named, or named without a sex, was added or re-sexed afterwards), and every write-in
    the anchor of the round's last result.published names is in tally_input.json (dropping one
    leaves its sex out of the woman member's count)."""
    ti = c.d["tally_input.json"]
    problems = []
    written = [w for w in ti.get("write_ins") or [] if isinstance(w, dict)]
    for w in written:
        known = people.get(str(w.get("person")), {}) if isinstance(w.get("person"), str) else {}
        if "name" not in known or "sex" not in known:
            problems.append(f"tally_input.json 的另选他人 {w.get('person')!r} 的姓名和性别链中没有记录"
                            f"（{ek.RESULT_WRITE_INS_NAMED} 之后紧接该轮的 {ek.RESULT_PUBLISHED}）")
    published = [e for e in c.kind_events({ek.RESULT_PUBLISHED}) if c.round_of(e) == c.round]
    anchor = next((e for e in write_in_anchors(c.events) if published and e.seq == published[-1].seq - 1), None)
    if anchor is None:
        return problems
    named = anchor.payload.get("write_ins")
    have = {x.get("person") for x in [*written, *ti["candidates"]] if isinstance(x, dict)}
    for x in named if isinstance(named, list) else []:
        if isinstance(x, dict) and x.get("person") not in have:
            problems.append(f"第 {anchor.seq} 号事件记录的另选他人 {x.get('person')!r}（{x.get('name')}）"
                            "不在 tally_input.json 的 write_ins 中")
    return problems


def _persons(value: Any) -> list[str]:
    return [x for x in value if isinstance(x, str)] if isinstance(value, list) else []


def _prior_kept(c: Ctx) -> list[str]:
    """A later round's prior_elected are exactly those the earlier rounds elected who still
    serve, as the chain says: per round the last result.published's elected (a
    result.woman_member_decided's elected replacing them, a result.reopened withdrawing them),
    less every (post, person) of a seat.vacated. Dropping one would free a seat, the woman
    member or the 主任 the rules count."""
    if c.round <= 1:
        return []
    elected: dict[int, set[tuple[str, str]]] = {}
    vacated: set[tuple[str, str]] = set()
    for e in c.kind_events({ek.RESULT_PUBLISHED, ek.RESULT_WOMAN_MEMBER_DECIDED, ek.RESULT_REOPENED, ek.SEAT_VACATED}):
        p, r = e.payload, c.round_of(e)
        if e.kind == ek.RESULT_PUBLISHED:
            posts = p.get("posts")
            elected[r] = {(k, x) for k, v in posts.items() if isinstance(v, dict)
                          for x in _persons(v.get("elected"))} if isinstance(posts, dict) else set()
        elif e.kind == ek.RESULT_WOMAN_MEMBER_DECIDED:
            posts = p.get("elected")
            elected[r] = {(k, x) for k, v in posts.items() for x in _persons(v)} if isinstance(posts, dict) else set()
        elif e.kind == ek.RESULT_REOPENED:
            elected.pop(r, None)
        elif isinstance(p.get("post"), str) and isinstance(p.get("person"), str):
            vacated.add((p["post"], p["person"]))
    chain = {pair for r, pairs in elected.items() if 1 <= r < c.round for pair in pairs} - vacated
    have = {(x.get("post"), x.get("person")) for x in c.d["tally_input.json"].get("prior_elected", [])}
    if have != chain:
        return [f"tally_input.json 的 prior_elected 与事件链中前几轮当选且仍在任的不符（多 {sorted(map(str, have - chain))}，"
                f"少 {sorted(map(str, chain - have))}）"]
    return []


def _listed_before_print(c: Ctx) -> list[str]:
    """Round 1's candidates are the formal list as it stood when its papers were first printed:
    the last ``nomination.list_published`` before the round's first ``ballots.printed``, each
    post's entries replaced by a later ``nomination.withdrawn``'s non-empty ``list``. Each post of
    tally_input.json holds exactly those candidate ids (order aside) and persons. Entries without
    ``candidate`` (written before it) fix nothing."""
    if c.round != 1:
        return []
    prints = [e.seq for e in c.kind_events({ek.BALLOTS_PRINTED}) if c.round_of(e) == 1]
    before = [e for e in c.kind_events({ek.NOMINATION_LIST_PUBLISHED, ek.NOMINATION_WITHDRAWN})
              if not prints or e.seq < min(prints)]
    lists: dict[str, list[Any]] = {}
    seq = None
    for e in before:
        entries = e.payload.get("candidates" if e.kind == ek.NOMINATION_LIST_PUBLISHED else "list")
        if not isinstance(entries, list) or (e.kind == ek.NOMINATION_WITHDRAWN and not entries):
            continue
        if e.kind == ek.NOMINATION_LIST_PUBLISHED:
            lists = {}
        posts = {x.get("post") for x in entries if isinstance(x, dict)}
        for post in posts:
            if isinstance(post, str):
                lists[post] = [x for x in entries if isinstance(x, dict) and x.get("post") == post]
        seq = e.seq
    problems = []
    for p in c.d["tally_input.json"]["posts"]:
        entries = lists.get(p["key"])
        if not entries or not all("candidate" in x for x in entries):
            continue
        named = sorted((_id(x.get("candidate")) or "", _id(x.get("person")) or "") for x in entries)
        have = sorted((_id(x.get("id")) or "", _id(x.get("person")) or "") for x in c.d["tally_input.json"]["candidates"]
                      if x.get("post") == p["key"])
        if have != named:
            problems.append(f"tally_input.json 职位 {p['key']} 的候选人与印票前第 {seq} 号事件公布的名单不符")
    return problems


def _relations_kept(c: Ctx) -> list[str]:
    """Every relation the chain recorded (``nomination.relation_added`` with ``persons``, two
    resident ids, and ``extended``) is in tally_input.json's relations, either order, with the
    third item "extended" exactly when it is extended: the tally reads all the election's
    relations, so a pair left out (or made "extended") elected someone the rules bar. An event
    without those fields (written before them) fixes nothing."""
    listed: dict[frozenset[str], bool] = {}
    for r in c.d["tally_input.json"].get("relations", []):
        listed[frozenset(r[:2])] = len(r) == 3 and r[2] == "extended"
    problems = []
    for e in c.kind_events({ek.NOMINATION_RELATION_ADDED}):
        persons, extended = e.payload.get("persons"), e.payload.get("extended")
        if not (isinstance(persons, list) and len(persons) == 2 and all(isinstance(p, str) for p in persons)
                and persons[0] != persons[1] and isinstance(extended, bool)):
            continue
        pair = frozenset(persons)
        if pair not in listed or listed[pair] != extended:
            problems.append(f"第 {e.seq} 号事件登记的亲属关系 {persons[0]}、{persons[1]} 不在 tally_input.json 的 relations 中"
                            + ("（或近亲属被写作 extended）" if pair in listed else ""))
    return problems


def _id(x: Any) -> str | None:
    """A candidate id as tally_input.json writes it (a string); an event lists integers."""
    return str(x) if isinstance(x, str) or (isinstance(x, int) and not isinstance(x, bool)) else None


def _result_published(c: Ctx) -> list[Any]:
    return [e for e in c.kind_events({ek.RESULT_PUBLISHED}) if c.round_of(e) == c.round]


def papers_by_box(posts: Iterable[str], records: Iterable[Rec]) -> dict[str, list[Paper]]:
    """Each box's papers, every distinct set of marks converted once (records with the same
    marks share one Paper, which the count judges once). Marks are read as strictly as a
    scenario's (rules.scenario.parse_marks): a post the tally input does not know, a field
    other than approve, oppose, write_ins and unreadable, or a value of the wrong JSON type
    is refused, naming the first record that has it."""
    known = set(posts)
    converted: dict[bytes, Paper] = {}
    out: dict[str, list[Paper]] = {}
    for r in records:
        paper = converted.get(r.key)
        if paper is None:
            paper = converted[r.key] = Paper(parse_marks(r.marks(), f"记录 {r.d[:16]}… 的 marks", known))
        out.setdefault(r.box, []).append(paper)
    return out


def sum_counts(parts: Iterable[Counts], posts: Iterable[str]) -> Counts:
    """Counts of several sets of papers added together (each paper counts alone, so the
    count of a union is the sum of the counts)."""
    total = Counts(0, 0, {k: PostCount() for k in posts})
    for part in parts:
        total.papers += part.papers
        total.whole_invalid += part.whole_invalid
        total.whole_by_body.update(part.whole_by_body)
        total.body_of.update(part.body_of)
        for k, pc in part.posts.items():
            acc = total.posts.setdefault(k, PostCount())
            acc.overvoted += pc.overvoted
            acc.unreadable += pc.unreadable
            acc.votes.update(pc.votes)
            acc.opposed.update(pc.opposed)
    return total


def count_boxes(inp: TallyInput, records: Iterable[Rec]) -> tuple[dict[str, Counts], list[str]]:
    """The rules' count of each box's records (a box counted once, whatever groups it is in),
    and the posts in the count's order (higher post first)."""
    rb = inp.rulebook
    keys = [p.key for p in sorted(inp.posts, key=lambda p: -p.rank)]
    with gc_paused():
        boxes = papers_by_box(keys, records)
        return {b: count_papers(inp.posts, ps, rb.overvote_scope, rb.multi_post_rule) for b, ps in boxes.items()}, keys


def recount_problems(c: Ctx) -> tuple[list[str], str]:
    """Count the records again with the rules and compare every published count: each box
    is counted once, each box group is the sum of its boxes and the total the sum of all."""
    inp = tally_input(c.d)
    check_input(inp, counted=True)  # the input the count of papers relies on, as the tally checks it
    records = c.d["records.jsonl"]
    per_box, keys = count_boxes(inp, records)
    counts = sum_counts(per_box.values(), keys)
    t = c.d["totals.json"]
    problems = []

    # The records' count merged as the bundle says it merged its write-ins; whether that merge
    # kept to the rulebook's minimum is write_in_problems' question.
    listed = {p.key: [c.person_id for c in inp.candidates if c.post == p.key] for p in inp.posts}
    named = writeins.shown_in(t["posts"], listed)

    def votes_of(cs: Counts) -> dict[str, dict[str, int]]:
        raw = {k: {who: n for who, n in pc.votes.items() if n} for k, pc in cs.posts.items()}
        return writeins.merge_write_ins(raw, listed, named)

    nonzero = {k: {w: n for w, n in v.items() if n} for k, v in t["posts"].items()}
    problems += same_votes(votes_of(counts), nonzero)
    if counts.whole_invalid != t["counts"]["whole_invalid"]:
        problems.append(f"整张无效票重算为 {counts.whole_invalid} 张，公布为 {t['counts']['whole_invalid']} 张")
    for k, pc in counts.posts.items():
        pub = t["counts"]["posts"].get(k, {})
        if (pc.overvoted, pc.unreadable) != (pub.get("overvoted"), pub.get("unreadable")):
            problems.append(f"职位 {k} 的多选/无法辨认票重算为 {pc.overvoted}/{pc.unreadable} 张，公布为 {pub.get('overvoted')}/{pub.get('unreadable')} 张")
        if {w: n for w, n in pc.opposed.items() if n} != {w: n for w, n in pub.get("opposed", {}).items() if n}:
            problems.append(f"职位 {k} 的反对票重算结果与公布的不符")
    for g in c.d["box_totals.json"]:
        gc = sum_counts((per_box[b] for b in g["boxes"] if b in per_box), keys)
        gpub = {k: {w: n for w, n in v.items() if n} for k, v in g["posts"].items()}
        for diff in same_votes(votes_of(gc), gpub):
            problems.append(f"票箱组 {','.join(g['boxes'])}：{diff}")
    problems += write_in_problems(c, counts)  # issue 15: none reaching the minimum hidden
    return problems, f"按 {len(records)} 条记录以规则重新计票，各职位票数、无效票与各票箱组票数均与公布的一致"


def write_in_problems(c: Ctx, recount: Counts | None) -> list[str]:
    """Issue 15: totals.json names no write-in below the rulebook's ``write_in_public_min``
    unless its result names them (part of the ``winners`` check: ``recount`` None); with the
    records' count (``recount``, the ``recount`` check), no write-in who reached the minimum
    is hidden in 其他（另选他人）."""
    inp = tally_input(c.d)
    rb = inp.rulebook
    t = c.d["totals.json"]
    listed = {p.key: [c_.person_id for c_ in inp.candidates if c_.post == p.key] for p in inp.posts}
    keep = writeins.result_persons(t.get("result"))
    elected = {k: sorted(keep) for k in t["posts"]}
    if recount is None:
        return writeins.problems(t["posts"], listed, rb.write_in_public_min, elected)
    recounted = {k: {who: n for who, n in pc.votes.items() if n} for k, pc in recount.posts.items()}
    return writeins.hidden(t["posts"], listed, rb.write_in_public_min, elected, recounted)
