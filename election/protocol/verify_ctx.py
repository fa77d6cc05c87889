"""What the verifier's checks share: the names of the checks, one check's outcome (Check),
what the caller pins from outside the bundle (Pins), and the parsed bundle with what earlier
checks established (Ctx), with the small helpers several check modules use. verify.py runs
the checks; verify_tally, verify_recount and verify_audit add theirs. All of them import
this module, and it imports none of them, so the check modules form no cycle."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Set
from dataclasses import dataclass, field
from typing import Any

from election.protocol import event_kinds as ek
from election.protocol.canonical import same_json
from election.protocol.chain import Event
from election.protocol.verify_read import Stream

NAMES_ZH = {
    "format": "文件格式", "zip_size": "大小上限", "zip_members": "zip 成员", "canonical": "规范 JSON",
    "chain": "事件链", "election_key": "选举公钥", "pin_key": "指定公钥", "head_signature": "链头签名",
    "pin_head": "指定链头", "bundle_index": "文件索引", "rulebook": "规则集", "rulebook_order": "规则冻结",
    "manifest": "印刷清单", "manifest_order": "印刷与补印时间", "lists": "列表排序与不重复",
    "deposits": "投入存根", "merkle": "默克尔根", "boxes": "票箱清单", "reconcile": "票箱对账",
    "totals": "票数合计", "bounds": "票数上限", "result_event": "与公布结果一致", "winners": "重算当选",
    "voided": "作废选票审计哈希", "countersignature": "街道会签", "pin_office_key": "指定街道公钥",
    "records_in_manifest": "记录在清单内", "records_unique": "记录不重复", "records_per_box": "记录与票箱",
    "records_not_voided": "记录非作废选票", "recount": "重新计票", "records_frozen": "审计后记录未变",
    "audit_sample": "审计抽样", "receipt": "回执查验",
}


# Told how far a long check has come: (what, done, of); the caller decides what to show and
# how often (tools/verify prints a line to stderr now and then). The checks do no I/O.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Check:
    name_zh: str
    name_en: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class Pins:
    """What the caller knows from outside the bundle (printed papers, the notice board,
    the street office): each given value must match, or its own check fails."""

    key: str | None = None  # election key fingerprint, as printed
    head: str | None = None  # a chain head hash seen on the notice board
    office_key: str | None = None  # the street office's key fingerprint
    receipt: str | None = None  # a receipt code to check against the sealed tree


def norm_fp(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch in "0123456789ABCDEF")


class CheckFailed(Exception):
    """Raised inside a check with its problems (when it cannot go on)."""


@dataclass
class Ctx:
    """The parsed bundle and what earlier checks established."""

    d: dict[str, Any]
    raw: dict[str, bytes]
    pins: Pins
    events: list[Event] = field(default_factory=list)
    round: int = 1
    checks: list[Check] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)  # what the report prints
    streams: dict[str, Stream] = field(default_factory=dict)  # members read line by line
    progress: Progress | None = None  # told of each paper of the public recount checked

    def run(self, name: str, fn: Callable[[Ctx], tuple[list[str], str]]) -> None:
        try:
            problems, detail = fn(self)
        except CheckFailed as exc:
            problems, detail = [str(exc)], ""
        except Exception as exc:  # a value of a form no check foresaw is still a finding
            problems, detail = [f"无法完成此项检查（{type(exc).__name__}：{str(exc)[:160]}）"], ""
        if problems:
            more = f"（另有 {len(problems) - 5} 项）" if len(problems) > 5 else ""
            self.checks.append(Check(NAMES_ZH[name], name, False, "；".join(problems[:5]) + more))
        else:
            self.checks.append(Check(NAMES_ZH[name], name, True, detail))

    @property
    def auditor(self) -> bool:
        return "records.jsonl" in self.d

    def kind_events(self, kinds: Set[str]) -> list[Event]:
        return [e for e in self.events if e.kind in kinds]

    def round_of(self, ev: Event) -> int:
        r = ev.payload.get("round", 1)
        return r if isinstance(r, int) and not isinstance(r, bool) else -1


def manifests(c: Ctx) -> list[dict[str, Any]]:
    """The round's manifest batches as the bundle lists them."""
    return list(c.d["manifest.json"])


def same_votes(a: Mapping[str, Mapping[str, int]], b: Mapping[str, Mapping[str, int]]) -> list[str]:
    """Each person's votes in ``a`` and ``b`` (a missing one is 0), compared as JSON values:
    ``false`` is not 0 nor ``true`` 1 (an event's votes are not shape-checked)."""
    diffs = []
    for post in sorted(set(a) | set(b)):
        ca, cb = a.get(post, {}), b.get(post, {})
        for who in sorted(set(ca) | set(cb)):
            if not same_json(ca.get(who, 0), cb.get(who, 0)):
                diffs.append(f"{post}/{who}：{ca.get(who, 0)} ≠ {cb.get(who, 0)}")
    return diffs


def published_people(events: list[Event]) -> dict[str, dict[str, str]]:
    """Each published person's name and sex as the chain last published them: person id ->
    {name, sex}. Candidate lists (``nomination.list_published``'s ``candidates``,
    ``nomination.withdrawn``'s ``list``, ``nomination.round_candidates_published``'s
    ``candidates``), the write-ins a result names (``result.write_ins_named``'s ``write_ins``,
    taken only when the next event is that round's ``result.published``: see write_in_anchors)
    and the members a meeting chose (``seat.chosen_by_meeting``'s ``members``) publish them per
    entry; a later ``roll.resident_corrected`` of that person replaces what its ``changed``
    names (姓名, 性别) — unless it is late (late_corrections), which changes nothing. An entry
    without ``person``, or a field an entry lacks (events written before them), fixes nothing."""
    return _people(events)[0]


# After the first of these the roll is closed to corrections of a published person's name and
# sex: roll.edit refuses any correction once the roll is frozen, and one of a person already on
# a list once papers are printed or a result published (the papers carry the name; the seats
# were decided with that sex).
CORRECTIONS_CLOSED_BY = (ek.ROLL_FROZEN, ek.BALLOTS_PRINTED, ek.RESULT_PUBLISHED)


def late_corrections(events: list[Event]) -> list[str]:
    """A ``roll.resident_corrected`` naming 姓名 or 性别 of a person the chain had already
    published (published_people), after the chain's first ``roll.frozen``, ``ballots.printed``
    or ``result.published``: the app refuses it there, so one in the chain (appended to re-sex
    a winner for the woman member's seat, or to rename one) is refused, and changes nothing."""
    return _people(events)[1]


def _people(events: list[Event]) -> tuple[dict[str, dict[str, str]], list[str]]:
    people: dict[str, dict[str, str]] = {}
    late: list[str] = []
    closed: Event | None = None
    lists = {ek.NOMINATION_LIST_PUBLISHED: "candidates", ek.NOMINATION_WITHDRAWN: "list",
             ek.NOMINATION_ROUND_CANDIDATES_PUBLISHED: "candidates", ek.SEAT_CHOSEN_BY_MEETING: "members"}
    anchors = {e.seq for e in write_in_anchors(events)}
    for e in events:
        if closed is None and e.kind in CORRECTIONS_CLOSED_BY:
            closed = e
        if e.kind == ek.ROLL_RESIDENT_CORRECTED:
            who, changed = _person(e.payload.get("resident")), e.payload.get("changed")
            if who in people and isinstance(changed, dict):
                fields = [label for label in ("姓名", "性别") if label in changed]
                if closed is not None and fields:
                    late.append(f"第 {e.seq} 号事件 roll.resident_corrected 更正已公布的 {who} 的{'、'.join(fields)}，"
                                f"在第 {closed.seq} 号事件 {closed.kind} 之后：名单冻结、选票印制或结果公布后"
                                "不能再更正候选人、另选他人的姓名或性别")
                    continue
                for label, key in (("姓名", "name"), ("性别", "sex")):
                    if isinstance(changed.get(label), str):
                        people[who][key] = changed[label]
            continue
        if e.kind == ek.RESULT_WRITE_INS_NAMED:
            entries = e.payload.get("write_ins") if e.seq in anchors else None
        else:
            entries = e.payload.get(lists[e.kind]) if e.kind in lists else None
        for x in entries if isinstance(entries, list) else []:
            who = _person(x.get("person")) if isinstance(x, dict) else None
            if who is None:
                continue
            for key in ("name", "sex"):
                if isinstance(x.get(key), str):
                    people.setdefault(who, {})[key] = x[key]
    return people, late


def write_in_anchors(events: list[Event]) -> list[Event]:
    """The ``result.write_ins_named`` events that anchor write-ins: each directly followed by
    ``result.published`` of the same round (the committee writes both at once when it
    publishes). One anywhere else (added after the result, to rename or re-sex a write-in once
    the seats are decided) anchors nothing."""
    out = []
    for e, after in zip(events, events[1:]):
        if (e.kind == ek.RESULT_WRITE_INS_NAMED and after.kind == ek.RESULT_PUBLISHED
                and same_json(e.payload.get("round", 1), after.payload.get("round", 1))):
            out.append(e)
    return out


def _person(x: Any) -> str | None:
    """A person id as the bundle's members write it (a string); an event may hold an integer."""
    return str(x) if isinstance(x, str) or (isinstance(x, int) and not isinstance(x, bool)) else None


def as_published(people: dict[str, dict[str, str]], rows: list[Any], fields: tuple[str, ...], where: str) -> list[str]:
    """Problems of ``rows`` (objects with ``person``) whose ``fields`` differ from what the
    chain last published for that person (published_people); persons it never published pass."""
    problems = []
    for r in rows:
        known = people.get(_person(r.get("person")) or "", {}) if isinstance(r, dict) else {}
        for key in fields:
            if key in known and not same_json(r.get(key), known[key]):
                problems.append(f"{where}中 {r.get('person')} 的{'姓名' if key == 'name' else '性别'} {r.get(key)!r}"
                                f"与链中公布的 {known[key]!r} 不符")
    return problems
