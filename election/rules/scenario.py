"""Run the tally on a JSON scenario (docs/TALLY.md) and return a JSON-safe result.

Used by tests, by docs/TALLY.md's worked examples and by anyone who wants to redo a count
by hand: the scenario states the rulebook, the counts and the papers' marks; identical
papers can be given once with a "count".
"""

from __future__ import annotations

import difflib
from typing import Any

from election.rules.methods import METHODS
from election.rules.nomination import check_differential
from election.rules.presets import PRESET_LABELS, PRESETS
from election.rules.question import outcome_to_dict
from election.rules.rulebook import Rulebook, RulebookError
from election.rules.shares import share_text
from election.rules.tally import tally
from election.rules.tally_types import (
    POST_KEYS,
    SEX_WORDS,
    WOMAN_DECISIONS,
    Candidate,
    HeldRunoff,
    Paper,
    PostMarks,
    PostSpec,
    PriorElected,
    Ranked,
    TallyInput,
    TallyInputError,
    TallyResult,
)

MAX_PAPERS = 10_000_000


class ScenarioError(ValueError):
    """A malformed scenario; the Chinese message names the field path."""


def _get(d: dict[str, Any], key: str, path: str, typ: type | tuple[type, ...], default: Any = ...) -> Any:
    if key not in d:
        if default is ...:
            raise ScenarioError(f"{path}{key}：缺少此字段")
        return default
    v = d[key]
    bad_bool = isinstance(v, bool) and typ is int
    if bad_bool or not isinstance(v, typ):
        names = {int: "整数", str: "文字", list: "列表", dict: "对象", bool: "是/否"}
        want = names.get(typ, str(typ)) if isinstance(typ, type) else "/".join(names.get(t, str(t)) for t in typ)
        raise ScenarioError(f"{path}{key}：须为{want}，收到 {v!r}")
    return v


def _sex(d: dict[str, Any], path: str) -> str:
    """A person's ``sex`` as the engine's 女 / 男 ("" when omitted): the woman member's rule
    reads it, so a value outside SEX_WORDS is refused rather than taken for a man."""
    raw = _get(d, "sex", path, str, "")
    sex = SEX_WORDS.get(raw.strip(" \t\r\n").lower())
    if sex is None:
        raise ScenarioError(f"{path}sex：须为“女”或“男”（也可写 F/M、female/male，不分大小写），或省略；收到 {raw!r}")
    return sex


def _rulebook(raw: Any) -> Rulebook:
    if raw is None:
        return PRESETS["national"]
    if isinstance(raw, str):
        if raw not in PRESETS:
            raise ScenarioError(f"rulebook：未知的规则预设“{raw}”，可选：{'、'.join(PRESET_LABELS)}")
        return PRESETS[raw]
    if not isinstance(raw, dict):
        raise ScenarioError("rulebook：须为预设名称或对象")
    base_name = raw.get("preset", "national")
    if not isinstance(base_name, str) or base_name not in PRESETS:
        raise ScenarioError(f"rulebook.preset：未知的规则预设“{base_name}”")
    changes = raw.get("changes", {})
    try:
        rb = Rulebook.from_dict(changes, base=PRESETS[base_name])
    except RulebookError as e:
        raise ScenarioError(f"rulebook.changes：{e}") from None
    problems = rb.validate()
    if problems:
        raise ScenarioError("rulebook.changes：" + "；".join(problems))
    return rb


def _ids(v: Any, path: str) -> frozenset[str]:
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise ScenarioError(f"{path}：须为人员编号（文字）的列表")
    return frozenset(v)


def parse_marks(raw: Any, path: str, post_keys: set[str]) -> dict[str, PostMarks]:
    """A paper's marks, strictly: per post of ``post_keys`` an object of approve, oppose and
    write_ins (lists of person ids) and unreadable (true/false), each optional, or a list of
    approvals (scenarios only); the verifier reads records.jsonl's marks with it too."""
    if not isinstance(raw, dict):
        raise ScenarioError(f"{path}：须为对象（职位 → 标记）")
    out: dict[str, PostMarks] = {}
    for key, m in raw.items():
        p = f"{path}.{key}"
        if key not in post_keys:
            raise ScenarioError(f"{p}：职位“{key}”不在 posts 中")
        if isinstance(m, list):
            out[key] = PostMarks(approve=_ids(m, p))
            continue
        if not isinstance(m, dict):
            raise ScenarioError(f"{p}：须为赞成名单（列表）或对象")
        unknown = set(m) - {"approve", "oppose", "write_ins", "unreadable"}
        if unknown:
            raise ScenarioError(f"{p}.{sorted(unknown)[0]}：未知字段")
        unreadable = m.get("unreadable", False)
        if not isinstance(unreadable, bool):
            raise ScenarioError(f"{p}.unreadable：须为 true 或 false")
        out[key] = PostMarks(
            _ids(m.get("approve", []), f"{p}.approve"),
            _ids(m.get("oppose", []), f"{p}.oppose"),
            _ids(m.get("write_ins", []), f"{p}.write_ins"),
            unreadable,
        )
    return out


def parse_scenario(data: dict[str, Any]) -> TallyInput:
    """The TallyInput a scenario describes, or ScenarioError naming the field."""
    if not isinstance(data, dict):
        raise ScenarioError("场景须为 JSON 对象")
    rb = _rulebook(data.get("rulebook"))
    posts: list[PostSpec] = []
    for i, p in enumerate(_get(data, "posts", "", list)):
        path = f"posts[{i}]."
        if not isinstance(p, dict):
            raise ScenarioError(f"posts[{i}]：须为对象")
        body = _get(p, "body", path, str)
        if body not in ("jwh", "jdw"):
            raise ScenarioError(f"{path}body：须为 jwh（居民委员会）或 jdw（居务监督委员会），收到 {body!r}")
        # Omitted, a post's threshold is the rulebook's, as BodiesConfig.post_specs gives it to
        # the application: the 监督委员会's chair and members by their parameters, else majority.
        # A post of another key is known by its body and title: the 监督委员会's 委员 are chosen
        # by most votes whatever the scenario calls the post [seed 江苏 §17(4)].
        by_title = {"主任": rb.jdw_zhuren_threshold, "委员": rb.jdw_weiyuan_threshold}.get(str(p.get("title", "")))
        default = {"jdw_zhuren": rb.jdw_zhuren_threshold, "jdw_weiyuan": rb.jdw_weiyuan_threshold}.get(
            str(p.get("key", "")), by_title if body == "jdw" and by_title else "majority")
        threshold = _get(p, "threshold", path, str, default)
        if threshold not in ("majority", "plurality"):
            raise ScenarioError(f"{path}threshold：须为 majority 或 plurality，收到 {threshold!r}")
        seats = _get(p, "seats", path, int)
        if seats < 1:
            raise ScenarioError(f"{path}seats：应选名额须至少为 1，收到 {seats}")
        key, title, rank = _get(p, "key", path, str), _get(p, "title", path, str), _get(p, "rank", path, int)
        reserved = _get(p, "reserved_woman_seats", path, int, 0)
        if reserved > 0 and not (body == "jwh" and title == "委员"):
            # RULES.md "woman member": the reserved line (定位) is a 居委会 委员 line, and the
            # engine finds the woman member's post by exactly that body and title.
            raise ScenarioError(f"{path}reserved_woman_seats：妇女委员定位名额只设在居民委员会委员一栏"
                                f"（body 为 jwh、title 为“委员”），本职位为 {body}“{title}”")
        posts.append(PostSpec(key, body, title, seats, rank, threshold, reserved))
    if not posts:
        raise ScenarioError("posts：至少须有一个职位")
    keys = {p.key for p in posts}
    candidates: list[Candidate] = []
    for i, c in enumerate(_get(data, "candidates", "", list, [])):
        path = f"candidates[{i}]."
        if not isinstance(c, dict):
            raise ScenarioError(f"candidates[{i}]：须为对象")
        post = _get(c, "post", path, str)
        if post not in keys:
            raise ScenarioError(f"{path}post：职位“{post}”不在 posts 中")
        person = _get(c, "person", path, str)
        if any(x.person_id == person and x.post == post for x in candidates):
            raise ScenarioError(f"{path}person：“{person}”已是职位“{post}”的候选人，不能重复列入")
        candidates.append(Candidate(_get(c, "id", path, str, person), person, _get(c, "name", path, str),
                                    _sex(c, path), post))
    for i, w in enumerate(_get(data, "write_ins", "", list, [])):
        path = f"write_ins[{i}]."
        if not isinstance(w, dict):
            raise ScenarioError(f"write_ins[{i}]：须为对象")
        person = _get(w, "person", path, str)
        candidates.append(Candidate(person, person, _get(w, "name", path, str), _sex(w, path), None))
    relations: list[tuple[str, str]] = []
    extended: list[tuple[str, str]] = []
    for i, r in enumerate(_get(data, "relations", "", list, [])):
        # ["p1", "p2"] near relatives; ["p1", "p2", "extended"] a wider relation (grandparent,
        # grandchild) that bars only across the bodies under jdw_incompat_extended.
        if not (isinstance(r, list) and len(r) in (2, 3) and all(isinstance(x, str) for x in r)
                and (len(r) == 2 or r[2] in ("near", "extended"))):
            raise ScenarioError(f"relations[{i}]：须为两个人员编号组成的列表，可加第三项 \"near\" 或 \"extended\"")
        if r[0] == r[1]:
            raise ScenarioError(f"relations[{i}]：“{r[0]}”与自己不能是近亲属，须为两个不同的人")
        (extended if len(r) == 3 and r[2] == "extended" else relations).append((r[0], r[1]))
    body_papers: list[tuple[str, int, int]] = []
    for body, bp in _get(data, "body_papers", "", dict, {}).items():
        path = f"body_papers.{body}."
        if body not in ("jwh", "jdw") or not isinstance(bp, dict):
            raise ScenarioError(f"body_papers.{body}：须为 jwh 或 jdw 对象（issued、returned）")
        body_papers.append((body, _get(bp, "issued", path, int), _get(bp, "returned", path, int)))
    woman_decision = _get(data, "woman_decision", "", str, "")
    if woman_decision and woman_decision not in WOMAN_DECISIONS:
        raise ScenarioError(f"woman_decision：须为 {'、'.join(WOMAN_DECISIONS)} 之一，收到 {woman_decision!r}")
    prior: list[PriorElected] = []
    for i, pe in enumerate(_get(data, "prior_elected", "", list, [])):
        path = f"prior_elected[{i}]."
        if not isinstance(pe, dict):
            raise ScenarioError(f"prior_elected[{i}]：须为对象")
        post = _get(pe, "post", path, str)
        if post not in keys and post not in POST_KEYS:
            # An earlier round's post is known by its key alone (its body, whether it is the
            # 主任): one the engine cannot place would count the person in no body.
            raise ScenarioError(f"{path}post：职位“{post}”既不在 posts 中，也不是选举的职位（{'、'.join(POST_KEYS)}）")
        prior.append(PriorElected(_get(pe, "person", path, str), post, _sex(pe, path)))
    papers: list[Paper] = []
    for i, raw in enumerate(_get(data, "papers", "", list)):
        path = f"papers[{i}]"
        if not isinstance(raw, dict):
            raise ScenarioError(f"{path}：须为对象")
        count = _get(raw, "count", path + ".", int, 1)
        if count < 0:
            raise ScenarioError(f"{path}.count：须为非负整数，收到 {count}")
        if len(papers) + count > MAX_PAPERS:
            # Far beyond any community's roll: refused before a list of that size is built.
            raise ScenarioError(f"{path}.count：选票合计超过 {MAX_PAPERS} 张，不是一个社区的选举")
        # Identical papers share one object: cheap even for 100,000 papers.
        papers.extend([Paper(parse_marks(raw.get("marks", {}), f"{path}.marks", keys))] * count)
    round_kind = _get(data, "round", "", str, "main")
    if round_kind not in ("main", "revote", "runoff", "recall", "motion"):
        raise ScenarioError(f"round：须为 main、revote、runoff、recall 或 motion，收到 {round_kind!r}")
    # A meeting's motion (round "motion"): which kind of meeting votes, hence its decision share.
    meeting_kind = _get(data, "meeting", "", str, "")
    if meeting_kind and round_kind != "motion":
        raise ScenarioError(f"meeting：只用于会议表决（round 为 motion），本场景 round 为 {round_kind}")
    if round_kind in ("main", "runoff"):
        _check_names(papers, candidates, data)
    inp = TallyInput(
        rb, _get(data, "registered_voters", "", int), _get(data, "papers_issued", "", int),
        _get(data, "papers_returned", "", int, len(papers)), tuple(posts), tuple(candidates), papers,
        tuple(relations), round_kind, tuple(prior),
        held_from_list(_get(data, "held", "", list, [])), tuple(extended), woman_decision,
        tuple(body_papers), _method(data), meeting_kind,
    )
    if inp.held and round_kind != "revote":
        raise ScenarioError(f"held：只用于再次投票（round 为 revote），本场景 round 为 {round_kind}")
    return inp


def _check_names(papers: list[Paper], candidates: list[Candidate], data: dict[str, Any]) -> None:
    """A paper approves or opposes only the candidates printed in that post's section, and
    writes in only a person the scenario names (write_ins[], or a candidate of any post): the
    woman rule and the near-relative bar need each person's sex and relations, so an unknown
    name would be counted silently as nobody's. (A re-vote's and a question's papers are
    checked by the engine itself.)"""
    listed: dict[str, set[str]] = {}
    for c in candidates:
        listed.setdefault(c.post or "", set()).add(c.person_id)
    known = {c.person_id for c in candidates}
    seen: set[int] = set()
    first = 0
    for i, raw in enumerate(data["papers"]):
        count = raw.get("count", 1)
        if count and id(papers[first]) not in seen:
            seen.add(id(papers[first]))
            for key, m in papers[first].marks.items():
                for field, ids in (("approve", m.approve), ("oppose", m.oppose)):
                    stray = sorted(ids - listed.get(key, set()))
                    if stray:
                        raise ScenarioError(f"papers[{i}].marks.{key}.{field}：“{stray[0]}”不是该职位的候选人"
                                            "（另选他人写在 write_ins，并在场景的 write_ins 中列出其姓名、性别）")
                stray = sorted(m.write_ins - known)
                if stray:
                    raise ScenarioError(f"papers[{i}].marks.{key}.write_ins：另选的“{stray[0]}”未在场景的 write_ins"
                                        "（或 candidates）中列出姓名、性别")
        first += count


def _check_relatives_known(inp: TallyInput, data: dict[str, Any]) -> None:
    """A scenario's relations name only people it lists (candidates, write_ins, prior_elected
    or a held run-off's ranked): a pair with someone unknown decides nothing, so it is most
    likely a mistyped id that would leave two relatives serving together. (A bundle's
    tally_input.json lists every relation of the election, also of people not in the round,
    so the verifier's reading, parse_scenario, does not refuse them.)"""
    known = ({c.person_id for c in inp.candidates} | {pe.person_id for pe in inp.prior_elected}
             | {r.person_id for h in inp.held for r in h.ranked})
    for i, r in enumerate(data.get("relations", [])):
        stray = [x for x in r[:2] if x not in known]
        if stray:
            raise ScenarioError(f"relations[{i}]：“{stray[0]}”不在场景的 candidates、write_ins、prior_elected"
                                "（或 held 的 ranked）中，近亲属须是场景中列出的人")


WOMAN_POST = "jwh_weiyuan"


def _check_held_woman_seats(inp: TallyInput) -> None:
    """A held run-off's ``women_only`` or ``woman_seat`` is the woman member's seat (定位), and
    RULES.md "woman member" puts it on the 居民委员会's 委员 line only, as reserved_woman_seats:
    on any other post it would become a reserved seat the next round's paper cannot hold. The
    post is this round's (body jwh, title 委员) or, not on this re-vote's paper, jwh_weiyuan."""
    by_key = {p.key: p for p in inp.posts}
    for i, h in enumerate(inp.held):
        if not (h.women_only or h.woman_seat):
            continue
        post = by_key.get(h.post)
        ok = (post.body == "jwh" and post.title == "委员") if post is not None else h.post == WOMAN_POST
        if not ok:
            what = f"{post.body}“{post.title}”" if post is not None else f"“{h.post}”"
            field = "women_only" if h.women_only else "woman_seat"
            raise ScenarioError(f"held[{i}].{field}：妇女委员定位只设在居民委员会委员一栏（body 为 jwh、title 为“委员”，"
                                f"或本轮没有该栏时职位 {WOMAN_POST}），held[{i}].post 为{what}")


def _missing_sex(inp: TallyInput, data: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Everyone whose sex the woman member's rule ([V art.6], woman_member_required) would read
    but the scenario omits, as (message, person, post or ""): a candidate of a 居民委员会 post, a
    write-in, an earlier round's member of the 居民委员会. (A motion's line and the 监督委员会's
    candidates have no sex to give; a bundle's tally_input.json, read by the verifier through
    parse_scenario, is not checked here.)"""
    if not inp.rulebook.woman_member_required or inp.round_kind in ("recall", "motion"):
        return []
    jwh = {p.key for p in inp.posts if p.body == "jwh"}
    if not jwh:
        return []
    why = "：居民委员会须有妇女成员（woman_member_required），计票要看此人是否为女性，须写明“女”或“男”，省略会被当作不是女性"
    out: list[tuple[str, str, str]] = []
    for i, c in enumerate(data.get("candidates", [])):
        if c.get("post") in jwh and inp.candidates[i].sex == "":
            out.append((f"candidates[{i}].sex：缺少性别（{c.get('person')}，职位 {c.get('post')}）" + why,
                        inp.candidates[i].person_id, str(c.get("post"))))
    for i, w in enumerate(c for c in inp.candidates if c.post is None):
        if w.sex == "":
            out.append((f"write_ins[{i}].sex：缺少性别（{w.person_id}）" + why, w.person_id, ""))
    by_key = {p.key: p for p in inp.posts}
    for i, pe in enumerate(inp.prior_elected):
        body = by_key[pe.post].body if pe.post in by_key else pe.post.split("_", 1)[0]
        if body == "jwh" and pe.sex == "":
            out.append((f"prior_elected[{i}].sex：缺少性别（{pe.person_id}，职位 {pe.post}）" + why, pe.person_id, pe.post))
    return out


def _sex_could_matter(inp: TallyInput, result: TallyResult, missing: list[tuple[str, str, str]]) -> bool:
    """Whether an omitted sex could change the result: unless a woman of known sex already
    satisfies the woman member and no one unknown stands on a line with reserved woman's seats
    (定位), reading the unknown as a woman could change who is elected or what follows."""
    if result.woman.status not in ("satisfied", "not_required"):
        return True
    reserved = {p.key for p in inp.posts if p.reserved_woman_seats}
    return any(post in reserved or (post == "" and reserved) for _, _, post in missing)


def _method(data: dict[str, Any]) -> str:
    method: str = _get(data, "method", "", str, "direct")
    if method not in METHODS:
        raise ScenarioError(f"method：须为 {'、'.join(METHODS)} 之一（全体选民直选、户代表选举、居民代表选举），收到 {method!r}")
    return method


def held_from_list(raw: list[Any]) -> tuple[HeldRunoff, ...]:
    """Held run-offs from their JSON form (a published result's ``held``, or a scenario's)."""
    out = []
    for i, h in enumerate(raw):
        path = f"held[{i}]."
        if not isinstance(h, dict):
            raise ScenarioError(f"held[{i}]：须为对象")
        ranked = []
        for j, r in enumerate(_get(h, "ranked", path, list)):
            rp = f"{path}ranked[{j}]."
            if not isinstance(r, dict):
                raise ScenarioError(f"{path}ranked[{j}]：须为对象")
            votes = _get(r, "votes", rp, int)
            if votes < 0:
                raise ScenarioError(f"{rp}votes：得票须为非负整数，收到 {votes}")
            ranked.append(Ranked(_get(r, "person", rp, str), _get(r, "name", rp, str, r.get("person", "")), votes))
        seats = _get(h, "seats", path, int)
        if seats < 1:
            raise ScenarioError(f"{path}seats：名额须至少为 1，收到 {seats}")
        out.append(HeldRunoff(_get(h, "post", path, str), seats, _get(h, "women_only", path, bool, False),
                              tuple(ranked), _get(h, "woman_seat", path, bool, False),
                              _get(h, "post_name", path, str, "")))
    return tuple(out)


def input_to_dict(inp: TallyInput, papers: bool = True) -> dict[str, Any]:
    """The scenario of a TallyInput (parse_scenario's inverse); the rulebook as its full
    dict under ``changes``. ``papers=False`` leaves the papers out: what a bundle's
    tally_input.json holds, the papers being the bundle's records."""
    candidates = [c for c in inp.candidates if c.post is not None]
    out: dict[str, Any] = {
        "rulebook": {"preset": "national", "changes": inp.rulebook.to_dict()},
        "registered_voters": inp.registered_voters,
        "papers_issued": inp.papers_issued,
        "papers_returned": inp.papers_returned,
        "round": inp.round_kind,
        **({"meeting": inp.meeting_kind} if inp.round_kind == "motion" else {}),
        "posts": [{"key": p.key, "body": p.body, "title": p.title, "seats": p.seats, "rank": p.rank,
                   "threshold": p.threshold, "reserved_woman_seats": p.reserved_woman_seats} for p in inp.posts],
        "candidates": [{"id": c.id, "person": c.person_id, "name": c.name, "sex": c.sex, "post": c.post}
                       for c in candidates],
        "relations": [[a, b] for a, b in inp.relations],
        "prior_elected": [{"person": pe.person_id, "post": pe.post, "sex": pe.sex} for pe in inp.prior_elected],
        "held": [{"post": h.post, "post_name": h.post_name, "seats": h.seats, "women_only": h.women_only,
                  "woman_seat": h.woman_seat,
                  "ranked": [{"person": x.person_id, "name": x.name, "votes": x.votes} for x in h.ranked]}
                 for h in inp.held],
    }
    written = [{"person": c.person_id, "name": c.name, "sex": c.sex} for c in inp.candidates if c.post is None]
    if written:
        out["write_ins"] = written
    # Added fields (issue 16), written only when they say something, so older scenarios read the same.
    if inp.method != "direct":
        out["method"] = inp.method
    if inp.extended_relations:
        out["relations"] += [[a, b, "extended"] for a, b in inp.extended_relations]
    if inp.woman_decision:
        out["woman_decision"] = inp.woman_decision
    if inp.body_papers:
        out["body_papers"] = {b: {"issued": i, "returned": r} for b, i, r in inp.body_papers}
    if papers:
        out["papers"] = [{"marks": {k: {"approve": sorted(m.approve), "oppose": sorted(m.oppose),
                                        "write_ins": sorted(m.write_ins), "unreadable": m.unreadable}
                                    for k, m in p.marks.items()}} for p in inp.papers]
    return out


def result_to_dict(r: TallyResult) -> dict[str, Any]:
    """JSON-safe form of a TallyResult (fractions as "p/q")."""
    def frac(f: Any) -> str | None:
        return None if f is None else share_text(f)

    return {
        "valid": r.valid,
        "reason": r.reason,
        "round": r.round_kind,
        "registered_voters": r.registered_voters,
        "papers_issued": r.papers_issued,
        "papers_returned": r.papers_returned,
        "whole_papers_invalid": r.whole_papers_invalid,
        "posts": {
            p.key: {
                "seats": p.seats,
                "valid_papers": p.valid_papers,
                "invalid_papers": p.invalid_papers,
                "overvoted": p.overvoted,
                "unreadable": p.unreadable,
                "threshold": {"rule": p.threshold_rule, "base": p.threshold_base,
                              "fraction": frac(p.threshold_fraction), "min_votes": p.threshold_min_votes},
                "votes": {v.person_id: v.votes for v in p.votes},
                "elected": [{"person": e.person_id, "name": e.name, "votes": e.votes} for e in p.elected],
                "not_elected": [{"person": n.person_id, "name": n.name, "votes": n.votes, "reason": n.reason}
                                for n in p.not_elected],
                "ties": [{"persons": list(t.person_ids), "votes": t.votes, "seats": t.seats} for t in p.ties],
                "unfilled_seats": p.unfilled_seats,
                "runoffs": [{"seats": ro.seats, "candidates": list(ro.candidates), "women_only": ro.women_only}
                            for ro in p.runoffs],
            }
            for p in r.posts
        },
        "set_asides": [{"person": s.person_id, "post": s.post, "kind": s.kind} for s in r.set_asides],
        "woman": {"status": r.woman.status, "method": r.woman.method, "person": r.woman.person_id,
                  "replaced": r.woman.replaced_person_id, "options": list(r.woman.options)},
        # elected counts those still serving from earlier rounds too (a run-off's seats are only
        # the unfilled ones): elected_before and elected_this_round say which is which.
        "bodies": {b.body: {"seats": b.seats, "elected": b.elected_total, "status": b.status,
                            "elected_before": b.elected_before, "elected_this_round": b.elected_total - b.elected_before}
                   for b in r.bodies},
        "next_round": r.next_round,
        "next_posts": {n.post: {"seats": n.seats, "reserved_woman_seats": n.reserved_woman_seats,
                                "candidates": list(n.candidates), "short": n.short, "women_short": n.women_short}
                       for n in r.next_posts},
        "held": [{"post": h.post, "post_name": h.post_name, "seats": h.seats, "women_only": h.women_only,
                  "woman_seat": h.woman_seat,
                  "ranked": [{"person": x.person_id, "name": x.name, "votes": x.votes} for x in h.ranked]}
                 for h in r.held],
        "body_papers": {b: {"issued": i, "returned": n} for b, i, n in r.body_papers},
        "method": r.method,
        "electors": METHODS[r.method].electors_zh,
        "explanation": list(r.explanation),
        # Added for question rounds (round "recall"): written only there.
        **({"question": outcome_to_dict(r.question)} if r.question is not None else {}),
    }


def run_scenario(data: dict[str, Any]) -> dict[str, Any]:
    """Tally a scenario; ScenarioError (Chinese, naming the field path) when malformed."""
    inp = parse_scenario(data)
    if inp.registered_voters < 1:
        # 0 is the engine's "no roll figure yet" of the running count (election.counting),
        # never a scenario's: a committee always knows its roll.
        raise ScenarioError(f"registered_voters：登记选民数须至少为 1，收到 {inp.registered_voters}")
    _check_relatives_known(inp, data)
    _check_held_woman_seats(inp)
    _check_marks_repeat(data)
    _check_identities(data)
    unknown = _unknown_fields(data) + _differential_warnings(inp)
    missing = _missing_sex(inp, data)
    try:
        result = tally(inp)
    except TallyInputError as e:
        raise ScenarioError(str(e)) from None
    if missing and _sex_could_matter(inp, result, missing):
        # Read as "not a woman" the result could be wrong: refused, naming the first field.
        raise ScenarioError(missing[0][0])
    out = result_to_dict(result)
    if missing or unknown:
        # A woman of known sex is on the 居民委员会 and no reserved line is in question: the
        # result stands, and says which sex was not given (an added field, docs/TALLY.md);
        # so do fields the format does not know (most likely annotations, perhaps a typo).
        out["warnings"] = [m for m, _, _ in missing] + unknown
    return out


_FIELDS: dict[str, frozenset[str]] = {
    "": frozenset({"rulebook", "registered_voters", "papers_issued", "papers_returned", "round", "meeting",
                   "posts", "candidates", "write_ins", "relations", "prior_elected", "held", "woman_decision",
                   "method", "body_papers", "papers"}),
    "rulebook": frozenset({"preset", "changes"}),
    "posts": frozenset({"key", "body", "title", "seats", "rank", "threshold", "reserved_woman_seats"}),
    "candidates": frozenset({"person", "name", "sex", "post", "id"}),
    "write_ins": frozenset({"person", "name", "sex"}),
    "prior_elected": frozenset({"person", "post", "sex", "name"}),
    "held": frozenset({"post", "post_name", "seats", "women_only", "woman_seat", "ranked"}),
    "papers": frozenset({"count", "marks"}),
}


def _unknown_fields(data: dict[str, Any]) -> list[str]:
    """Fields the format does not know, as warnings (a scenario may carry annotations such
    as a note or the hand computation). Refused where the unknown field looks like a known
    one mistyped and left to its default: a paper with `cout: 3` and no `count` would
    silently count as 1 paper, `mark: {...}` and no `marks` as a blank paper, a rulebook
    object with `chanegs: {...}` and no `changes` as the bare preset."""
    out: list[str] = []

    def look(obj: Any, path: str, kind: str, defaulted: dict[str, type] | None = None) -> None:
        if not isinstance(obj, dict):
            return
        for k in sorted(str(k) for k in obj if k not in _FIELDS[kind]):
            for field, typ in (defaulted or {}).items():
                # Only a near spelling (cout, counts, cnt; mark; change, chanegs): a paper's
                # own number such as {"id": 7} stays an annotation.
                if (field not in obj and isinstance(obj[k], typ) and not isinstance(obj[k], bool)
                        and difflib.SequenceMatcher(None, k.lower(), field).ratio() >= 0.6):
                    raise ScenarioError(f"{path}{k}：未知字段（是否为 {field}？此处没有 {field}，"
                                        "会按默认值计算，故拒绝）")
            out.append(f"{path}{k}：未知字段，已忽略")

    look(data, "", "")
    look(data.get("rulebook"), "rulebook.", "rulebook", {"changes": dict})
    for kind in ("posts", "candidates", "write_ins", "prior_elected", "held", "papers"):
        items = data.get(kind)
        for i, item in enumerate(items if isinstance(items, list) else []):
            look(item, f"{kind}[{i}].", kind, {"count": int, "marks": dict} if kind == "papers" else None)
    return out


def _differential_warnings(inp: TallyInput) -> list[str]:
    """A main round's paper with too few or too many candidates for a post (差额选举 [seed 江苏
    §7(2)], the rulebook's margins, as nomination.check_differential): the papers were cast and
    are counted, but the result says the list broke the rule. Posts outside the election's
    (a meeting's motion, a recall) have no margin."""
    if inp.round_kind != "main":
        return []
    out: list[str] = []
    for i, post in enumerate(inp.posts):
        if post.key not in POST_KEYS:
            continue
        key = "jdw_zhuren" if post.key == "jdw_fu_zhuren" else post.key
        lo, hi = getattr(inp.rulebook, f"margin_{key}_min"), getattr(inp.rulebook, f"margin_{key}_max")
        listed = sum(1 for c in inp.candidates if c.post == post.key)
        message = check_differential(f"posts[{i}]（{post.key}）", post.seats, listed, lo, hi)
        if message:
            out.append(f"{message}（候选人名单不合差额规定 margin_{key}_min/max；选票已投，照常计票）")
    return out


def _check_marks_repeat(data: dict[str, Any]) -> None:
    """A paper has one ○ or × per name: a scenario listing a name twice in one list of a
    paper's marks (approve, oppose or write_ins) is a typing error, refused rather than
    counted once without a word. (A name both approved and written in on one post stays one
    approval, docs/TALLY.md 已知取舍.)"""
    for i, raw in enumerate(data.get("papers", [])):
        for key, m in raw.get("marks", {}).items():
            lists = {"": m} if isinstance(m, list) else {f".{f}": m.get(f, []) for f in ("approve", "oppose", "write_ins")}
            for field, ids in lists.items():
                twice = sorted({x for x in ids if ids.count(x) > 1})
                if twice:
                    raise ScenarioError(f"papers[{i}].marks.{key}{field}：“{twice[0]}”列出了两次；"
                                        "一张选票上每人只能划一次（赞成、反对或另选）")


def _check_identities(data: dict[str, Any]) -> None:
    """One person id is one person: listed again (a candidate of a second post, a write-in,
    an earlier round's member) it must carry the same name and sex, or the woman rule and the
    result report would read two different people as one."""
    seen: dict[str, tuple[str, str, str]] = {}
    for kind in ("candidates", "write_ins", "prior_elected"):
        for i, item in enumerate(data.get(kind, [])):
            person, path = item["person"], f"{kind}[{i}]"
            name, sex = item.get("name"), _sex(item, path + ".")
            if person not in seen:
                seen[person] = (str(name) if name is not None else "", sex, path)
                continue
            first_name, first_sex, first = seen[person]
            if name is not None and first_name and name != first_name:
                raise ScenarioError(f"{path}.name：人员“{person}”在 {first} 中姓名为“{first_name}”，此处为“{name}”；"
                                    "同一人员编号须为同一人")
            if sex and first_sex and sex != first_sex:
                raise ScenarioError(f"{path}.sex：人员“{person}”在 {first} 中性别为“{first_sex}”，此处为“{sex}”；"
                                    "同一人员编号须为同一人")
            if not first_name and name is not None or not first_sex and sex:
                seen[person] = (first_name or str(name or ""), first_sex or sex, first)
