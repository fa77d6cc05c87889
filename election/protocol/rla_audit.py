"""The audit's decision from its findings (pure; the service and the verifier both call it).

Each drawn paper is compared with the record that carries its D: both go through the same
validity function (rla_assert.counted_votes, the count's own code) and every assertion's
overstatement e = (A(record) - A(paper)) / u is charged to the Kaplan-Markov risk
(rla.measured_risk). A drawn position with no paper, a paper whose D has no record in that
box, or a record or paper the count cannot read is charged the worst case e = 1 (SHANGRLA's
phantom rule). Any difference in marks, overstatement or understatement, is logged.

Where the trustees decrypted the sampled papers (``listed`` given: docs/AUDIT.md §7), the
record side of a finding is its decrypted vector (``Finding.vector``): every listed
candidate's counted approval and opposition, the number of counted approvals of persons not
listed (write-ins: a number without names), the invalid flags. Against an assertion that
names a person not listed (a write-in, ``OTHER``) the record's unnamed approvals are taken as
the worst case for that assertion (the largest assorter value any names could give), so the
risk is never understated; with no unnamed approval on the post the record is exact.

Status: ``confirmed`` when every assertion's risk is at most the limit and no post needs a
hand count; ``escalated`` (draw up to ``next_size``) while the needed sample is smaller
than N; ``full_count`` when a post has no assertion, has a tie, or its sample would reach
every paper: the papers are then counted by hand and that count replaces the result.
"""
from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import product
from typing import Any

from election.crypto.record import paper_vector, vector_labels
from election.protocol import rla
from election.protocol.rla_assert import OTHER, Assertion, AuditPlan, counted_votes, to_paper
from election.rules.rulebook import Rulebook
from election.rules.tally_types import PostSpec, TallyInput, TallyInputError

MISSING = "missing"  # paper state: no paper at the drawn position


@dataclass(frozen=True)
class Finding:
    """One drawn position: the record whose D the paper there carries (None: no such
    record in that box) and the auditor's whole-paper entry (None: no paper found)."""

    index: int
    box: str
    position: int
    record: Mapping[str, Any] | None
    paper: Mapping[str, Any] | None
    vector: Mapping[str, int] | None = field(default=None)  # the trustees' decryption of D (None: no ciphertext)


@dataclass(frozen=True)
class VectorRecord:
    """A decrypted record as the comparison reads it: per post the listed persons it counts
    an approval for, and how many approvals it counts for persons not listed."""

    votes: dict[str, frozenset[str]]
    unnamed: dict[str, int]
    labels: dict[str, int]


UNKNOWN = "\x00"  # a person outside every list: what OTHER's worst case names


def vector_record(vector: Mapping[str, int] | None, listed: Mapping[str, Sequence[str]]) -> VectorRecord | None:
    if vector is None:
        return None
    votes = {p: frozenset(who for i, who in enumerate(names) if vector.get(f"{p}/a{i}") == 1) for p, names in listed.items()}
    return VectorRecord(votes, {p: int(vector.get(f"{p}/w", 0)) for p in listed}, {k: int(v) for k, v in vector.items()})


def record_assort(a: Assertion, rec: VectorRecord, listed: Collection[str], known: Collection[str]) -> float:
    """The assorter of a decrypted record: exact for listed persons; for persons not listed
    (and OTHER) the largest value any names of its unnamed approvals could give."""
    base = rec.votes.get(a.post, frozenset())
    unnamed = rec.unnamed.get(a.post, 0)
    free = [x for x in dict.fromkeys((a.a, a.b)) if x is not None and x not in listed]
    best = None
    for bits in product((0, 1), repeat=len(free)):
        if sum(bits) > unnamed:
            continue
        votes = set(base) | {UNKNOWN if x == OTHER else x for x, bit in zip(free, bits, strict=True) if bit}
        value = a.assort(votes, known)
        best = value if best is None else max(best, value)
    assert best is not None  # the all-zero assignment is always possible
    return best


@dataclass(frozen=True)
class Difference:
    """A drawn paper that differs from its record: the posts whose marks differ and the
    posts whose counted votes differ (what the count would make of them)."""

    index: int
    box: str
    position: int
    marks: tuple[str, ...]
    counted: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class AssertionRisk:
    assertion: Assertion
    risk: float
    o1: int
    o2: int
    u1: int
    u2: int
    need: int  # total sample this assertion needs given its discrepancies (N: hand count)


@dataclass(frozen=True)
class Evaluation:
    status: str  # confirmed | escalated | full_count
    sampled: int
    next_size: int
    risks: tuple[AssertionRisk, ...]
    hand_count: dict[str, str]  # post -> reason
    differences: tuple[Difference, ...]
    message: str


def _norm(marks: Mapping[str, Any] | None) -> dict[str, tuple[Any, ...]]:
    out = {}
    for post, m in (marks or {}).items():
        if isinstance(m, Mapping):
            out[str(post)] = (sorted(map(str, m.get("approve", ()) or ())), sorted(map(str, m.get("oppose", ()) or ())),
                              sorted(map(str, m.get("write_ins", ()) or ())), bool(m.get("unreadable")))
    return out


def _counted(marks: Mapping[str, Any] | None, posts: Sequence[PostSpec], rb: Rulebook) -> dict[str, frozenset[str]] | None:
    if marks is None:
        return None
    try:
        return counted_votes(marks, posts, rb)
    except TallyInputError:
        return None


def paper_marks(entry: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """The marks of an auditor's whole-paper entry ({"state", "posts"}); None when the
    paper was not found at its position."""
    if entry is None or entry.get("state") == MISSING:
        return None
    posts = entry.get("posts", {})
    return posts if isinstance(posts, Mapping) else {}


def _difference(f: Finding, rec: dict[str, frozenset[str]] | None,
                pap: dict[str, frozenset[str]] | None) -> Difference | None:
    if f.paper is None:
        return Difference(f.index, f.box, f.position, (), (), "抽中的位置没有选票（按最不利情形计）")
    if f.record is None:
        return Difference(f.index, f.box, f.position, (), (), "此选票的审计码在该票箱没有计票记录（按最不利情形计）")
    if rec is None or pap is None:
        return Difference(f.index, f.box, f.position, (), (), "记录或录入无法按计票规则读取（按最不利情形计）")
    a, b = _norm(f.record), _norm(f.paper)
    empty: tuple[Any, ...] = ([], [], [], False)
    marks = tuple(sorted(k for k in set(a) | set(b) if a.get(k, empty) != b.get(k, empty)))
    counted = tuple(sorted(k for k in set(rec) | set(pap) if rec.get(k, frozenset()) != pap.get(k, frozenset())))
    if marks or counted:
        return Difference(f.index, f.box, f.position, marks, counted, "选票与记录不一致")
    return None


def _vector_difference(f: Finding, rec: VectorRecord | None, pap: dict[str, frozenset[str]] | None,
                       posts: Sequence[PostSpec], listed: Mapping[str, Sequence[str]], rb: Rulebook) -> Difference | None:
    """A drawn paper against the trustees' decryption of its record: the paper read through
    the count's rules into the same labels, compared label by label."""
    if f.paper is None:
        return Difference(f.index, f.box, f.position, (), (), "抽中的位置没有选票（按最不利情形计）")
    if rec is None:
        return Difference(f.index, f.box, f.position, (), (), "此选票的审计码在该票箱没有加密的计票记录（按最不利情形计）")
    if pap is None:
        return Difference(f.index, f.box, f.position, (), (), "录入的选票无法按计票规则读取（按最不利情形计）")
    mine = paper_labels(f.paper, posts, listed, rb)
    wrong = sorted({k.split("/", 1)[0] if "/" in k else "*" for k in set(mine) | set(rec.labels)
                    if mine.get(k, 0) != rec.labels.get(k, 0)})
    if wrong:
        return Difference(f.index, f.box, f.position, (), tuple(wrong), "选票与受托人解密的记录不一致")
    return None


def paper_labels(marks: Mapping[str, Any], posts: Sequence[PostSpec], listed: Mapping[str, Sequence[str]],
                 rb: Rulebook) -> dict[str, int]:
    """What a paper read at the audit table counts, as the recount's labels (what its
    decrypted record must be): the count's rules on this one paper."""
    return vector_labels(*paper_vector(to_paper(marks), posts, listed, rb.overvote_scope, rb.multi_post_rule))


def evaluate(plan: AuditPlan, posts: Sequence[PostSpec], rulebook: Rulebook, findings: Sequence[Finding],
             risk_limit: float, gamma: float = rla.DEFAULT_GAMMA,
             cache: dict[int, tuple[Any, Any, Difference | None]] | None = None,
             listed: Mapping[str, Sequence[str]] | None = None) -> Evaluation:
    """Risk of every assertion after ``findings`` (sampling with replacement, repeats
    included), the posts to hand count and the next sample size. ``cache`` (draw index ->
    counted record and paper) may be kept by a caller that evaluates a growing sample.
    ``listed`` (post -> listed persons, in the recount's label order): the record side is
    each finding's decrypted ``vector``, not its plain ``record``."""
    n_all = plan.papers
    compared: list[tuple[Any, dict[str, frozenset[str]] | None]] = []
    differences = []
    for f in findings:
        if cache is not None and f.index in cache:
            rec, pap, diff = cache[f.index]
        elif listed is not None:
            rec, pap = vector_record(f.vector, listed), _counted(f.paper, posts, rulebook)
            diff = _vector_difference(f, rec, pap, posts, listed, rulebook)
        else:
            rec, pap = _counted(f.record, posts, rulebook), _counted(f.paper, posts, rulebook)
            diff = _difference(f, rec, pap)
        if cache is not None:
            cache[f.index] = (rec, pap, diff)
        compared.append((rec, pap))
        if diff is not None:
            differences.append(diff)
    hand: dict[str, str] = {p.post: p.hand_count for p in plan.posts if p.hand_count}
    risks = []
    sampled = len(findings)
    for pp in plan.posts:
        for a in pp.assertions:
            errs = []
            on_list = frozenset(listed.get(a.post, ())) if listed is not None else frozenset()
            for rec, pap in compared:
                if rec is None or pap is None:
                    errs.append(1.0)
                elif isinstance(rec, VectorRecord):
                    if not rec.unnamed.get(a.post, 0) and rec.votes.get(a.post, frozenset()) == pap.get(a.post, frozenset()):
                        errs.append(0.0)
                    else:
                        errs.append((record_assort(a, rec, on_list, pp.known)
                                     - a.assort(pap.get(a.post, frozenset()), pp.known)) / a.upper)
                elif rec.get(a.post) == pap.get(a.post):
                    errs.append(0.0)  # the same votes counted on this post: no error
                else:
                    errs.append((a.assort(rec.get(a.post, frozenset()), pp.known)
                                 - a.assort(pap.get(a.post, frozenset()), pp.known)) / a.upper)
            c = {k: sum(1 for e in errs if abs(e - k) < 1e-9) for k in (0.5, 1.0, -0.5, -1.0)}
            risk = rla.measured_risk(a.diluted_margin, errs, gamma)
            if risk <= risk_limit:
                need = sampled
            elif a.diluted_margin <= 0:
                need = n_all
            else:
                need = max(rla.sample_size(a.diluted_margin, risk_limit, gamma, c[0.5], c[1.0], c[-0.5], c[-1.0]),
                           sampled + 1)
            risks.append(AssertionRisk(a, risk, c[0.5], c[1.0], c[-0.5], c[-1.0], min(need, n_all)))
            if risk > risk_limit and need >= n_all and a.post not in hand:
                why = ("报告的差额不为正" if a.diluted_margin <= 0 else f"按已发现的差错，所需样本达到全部 {n_all} 张")
                hand[a.post] = f"断言“{a.label}”的风险为 {risk:.4f}，超过风险上限 {risk_limit:g}；{why}，须全面人工计票"
    if not plan.posts or (not risks and not hand):
        hand["*"] = "没有任何断言：不能以零项断言确认结果，须全面人工计票"
    unmet = [r for r in risks if r.risk > risk_limit]
    next_size = max([sampled] + [r.need for r in unmet])
    if hand:
        status = "full_count"
        for r in unmet:  # the hand count reads whole papers: say which other posts it settles
            hand.setdefault(r.assertion.post, f"断言“{r.assertion.label}”尚未确认（风险 {r.risk:.4f}），由全面人工计票决定")
        names = {p.post: p.name for p in plan.posts}
        message = "；".join(f"{names.get(k, '全部职位')}：{v}" for k, v in hand.items())
        next_size = n_all
    elif unmet:
        status = "escalated"
        worst = max(unmet, key=lambda r: r.risk)
        message = (f"断言“{worst.assertion.label}”的风险为 {worst.risk:.4f}，超过风险上限 {risk_limit:g}："
                   f"须扩大抽样至 {next_size} 张")
    else:
        status = "confirmed"
        message = (f"已抽查 {sampled} 张选票，全部 {len(risks)} 项断言的风险均不超过 {risk_limit:g}，"
                   f"发现不一致 {len(differences)} 张，结果得到确认")
    return Evaluation(status, sampled, next_size, tuple(risks), hand, tuple(differences), message)


def initial_size(plan: AuditPlan, risk_limit: float, gamma: float = rla.DEFAULT_GAMMA) -> int:
    """The first sample: the size for the smallest diluted margin with no discrepancies
    (docs/AUDIT.md), or every paper when a post must be hand counted anyway."""
    if any(p.hand_count for p in plan.posts) or not plan.assertions:
        return plan.papers
    mu = min(a.diluted_margin for a in plan.assertions)
    if mu <= 0:
        return plan.papers
    return min(plan.papers, rla.sample_size(mu, risk_limit, gamma))


def hand_count_input(inp: TallyInput, entries: Sequence[Mapping[str, Any]]) -> TallyInput:
    """The round's tally input with the hand count's papers (the auditor's whole-paper
    entries, one per paper in the boxes) in place of the records: the tally of it is the
    result that replaces the machine result."""
    papers = [to_paper(paper_marks(e) or {}) for e in entries if e.get("state") != MISSING]
    return replace(inp, papers=papers, papers_returned=len(papers))
