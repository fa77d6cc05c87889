"""From records to the result of a round: box reconciliation, the hand tally board, the
TallyInput built from the database, the running tally, publication and the next round."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import Text, cast, func, select
from sqlalchemy.orm import Session

from ..bulk import gc_paused, shared
from ..db import begin_write
from ..errors import UserError
from ..ledger.events import record_event
from ..models import (
    EXTENDED_RELATIONS,
    ROUND_KINDS,
    Audit,
    AuditCode,
    BoxExplanation,
    Candidate,
    Election,
    Issuance,
    MandateEnd,
    Meeting,
    PrintBatch,
    Receipt,
    Relation,
    Resident,
    Round,
    RoundResult,
    TallyBoard,
)
from ..nomination.service import ballot_key
from ..polling.merge import merged_into
from ..polling.turnout import close_before_counting
from ..protocol import codes, writeins
from ..protocol import event_kinds as ek
from ..roll.electors import round_electors
from ..rounds import day_of, meeting_vote, round_of
from ..rules.phrase import phrase
from ..rules.scenario import held_from_list, result_to_dict
from ..rules.tally import tally
from ..rules.tally_count import Counts, count_papers
from ..rules.tally_types import (
    QUESTION_ROUNDS,
    WOMAN_DECISIONS,
    HeldRunoff,
    Paper,
    PostMarks,
    PostSpec,
    PriorElected,
    TallyInput,
    TallyInputError,
    TallyResult,
)
from ..rules.tally_types import (
    Candidate as TCandidate,
)
from ..settings import rulebook_of
from .service import Ballot, ballot_of, boxes_of, check_records_open, mismatches

# ---------------------------------------------------------------------- reconciliation

def box_counts(db: Session, election: Election, round_number: int) -> list[dict]:
    """Per box: records counted, stubs deposited, and the recorded explanation of a difference."""
    records = dict(db.execute(
        select(AuditCode.box_id, func.count()).where(
            AuditCode.election_id == election.id, AuditCode.round_number == round_number, AuditCode.state == "counted",
        ).group_by(AuditCode.box_id)).all())
    stubs = dict(db.execute(
        select(Receipt.box_id, func.count()).where(
            Receipt.election_id == election.id, Receipt.round_number == round_number, Receipt.state == "deposited",
        ).group_by(Receipt.box_id)).all())
    notes = {e.box_id: e for e in db.scalars(select(BoxExplanation).where(
        BoxExplanation.election_id == election.id, BoxExplanation.round_number == round_number))}
    # A mobile box poured into a station's box (polling.merge) is counted as that box: its
    # stubs are added to that box's, and it has no row of its own.
    merged = merged_into(db, election, round_number)
    for mobile, into in merged.items():
        stubs[into] = stubs.get(into, 0) + stubs.pop(mobile, 0)
    out = []
    for box in boxes_of(db, election):
        if box.id in merged:
            continue
        r, s = records.get(box.id, 0), stubs.get(box.id, 0)
        note = notes.get(box.id)
        explained = note is not None and note.records == r and note.stubs == s
        out.append({"box_id": box.id, "label": box.label, "records": r, "stubs": s,
                    "differs": r != s, "explained": explained, "explanation": note.text if note else ""})
    return out


def explain_box(db: Session, election: Election, round_number: int, box_id: int, text: str, actor: str) -> None:
    """Record why a box's records differ from its stubs (for the figures as they stand now)."""
    if not text.strip():
        raise UserError("请写明记录数与存根数不一致的原因")
    if (refusal := codes.refuse_code_in(text, "票箱差异说明")) is not None:
        raise UserError(refusal)
    begin_write(db)
    check_records_open(db, election, round_number)
    row = next((b for b in box_counts(db, election, round_number) if b["box_id"] == box_id), None)
    if row is None:
        raise UserError(f"票箱编号 {box_id} 不属于本次选举")
    if not row["differs"]:
        raise UserError(f"票箱“{row['label']}”的记录数与存根数一致，无须说明")
    note = db.scalar(select(BoxExplanation).where(BoxExplanation.election_id == election.id,
                                                  BoxExplanation.round_number == round_number, BoxExplanation.box_id == box_id))
    if note is None:
        note = BoxExplanation(election_id=election.id, round_number=round_number, box_id=box_id, records=0, stubs=0, text="", entered_by=actor)
        db.add(note)
    note.records, note.stubs, note.text, note.entered_by = row["records"], row["stubs"], text.strip(), actor
    record_event(db, election, ek.COUNTING_BOX_DIFFERENCE_EXPLAINED,
                 {"round": round_number, "box": row["label"], "records": row["records"], "stubs": row["stubs"]}, actor, text.strip())
    db.flush()


# ---------------------------------------------------------------------- tally input

def papers_of(db: Session, election: Election, round_number: int) -> list[Paper]:
    """The counted papers of a round: the marks fetched as JSON text, each distinct text
    decoded once (orjson) into one shared Paper, the GC paused while they are built."""
    with gc_paused():
        raws = db.scalars(select(cast(AuditCode.marks, Text)).where(
            AuditCode.election_id == election.id, AuditCode.round_number == round_number,
            AuditCode.state == "counted")).all()
        return shared(raws, paper_maker())


def paper_maker() -> Callable[[dict | None], Paper]:
    """``to_paper`` that shares one PostMarks per distinct marks of a post: papers that
    differ somewhere still mostly hold the same marks post by post."""
    posts: dict[tuple, PostMarks] = {}

    def make(marks: dict | None) -> Paper:
        out = {}
        for post, m in (marks or {}).items():
            approve, oppose, write_ins = m.get("approve", ()), m.get("oppose", ()), m.get("write_ins", ())
            key = (post, tuple(approve), tuple(oppose), tuple(write_ins), bool(m.get("unreadable")))
            pm = posts.get(key)
            if pm is None:
                pm = posts[key] = PostMarks(frozenset(approve), frozenset(oppose), frozenset(write_ins), key[4])
            out[post] = pm
        return Paper(out)

    return make


def to_paper(marks: dict | None) -> Paper:
    out = {}
    for post, m in (marks or {}).items():
        out[post] = PostMarks(frozenset(m.get("approve", ())), frozenset(m.get("oppose", ())),
                              frozenset(m.get("write_ins", ())), bool(m.get("unreadable")))
    return Paper(out)


def _prior(db: Session, election: Election, round_number: int) -> tuple[PriorElected, ...]:
    """Those elected by earlier rounds who still serve (a member who left is no longer counted
    towards the body's size, its chair or its woman member: issue 20, by-election)."""
    left = {(post, rid) for post, rid in db.execute(select(MandateEnd.post, MandateEnd.resident_id).where(
        MandateEnd.election_id == election.id))}
    out = []
    for rr in db.scalars(select(RoundResult).where(RoundResult.election_id == election.id,
                                                   RoundResult.round_number < round_number)):
        for post, p in rr.result["posts"].items():
            for e in p["elected"]:
                if (post, int(e["person"])) in left:
                    continue
                out.append(PriorElected(e["person"], post, rr.names.get(e["person"], {}).get("sex", "")))
    return tuple(out)


def build_input(db: Session, election: Election, round_number: int, papers: list[Paper] | None = None,
                running: bool = False) -> tuple[TallyInput, dict[str, dict]]:
    """The TallyInput of a round from the database, and {person id: {name, sex}}.

    `running` counts the records so far: the validity checks of the round are left out
    (the turnout is not final), the threshold is that of the papers counted so far.
    """
    ballot = ballot_of(db, election, round_number)
    papers = papers_of(db, election, round_number) if papers is None else papers
    people: dict[str, dict] = {}
    candidates = []
    for spec, rows in ballot.posts:
        for c in rows:
            people[c.person] = {"name": c.name, "sex": c.sex}
            candidates.append(TCandidate(str(c.id), c.person, c.name, c.sex, spec.key))
    add_written_in(db, papers, people, candidates)
    pairs = db.execute(select(Relation.resident_id, Relation.relative_id, Relation.kind)
                       .where(Relation.election_id == election.id)).all()
    relations = tuple((str(a), str(b)) for a, b, kind in pairs if kind not in EXTENDED_RELATIONS)
    extended = tuple((str(a), str(b)) for a, b, kind in pairs if kind in EXTENDED_RELATIONS)
    returned = len(papers)
    vote = meeting_vote(db, election, round_number) if ballot.kind == "motion" else None
    if running:
        registered, issued = 0, returned
    else:
        # The base of turnout and validity, as the close of poll recorded it (polling.closed).
        registered = round_electors(db, election, round_number)
        issued = db.scalar(select(func.count()).select_from(Issuance).where(
            Issuance.election_id == election.id, Issuance.round_number == round_number)) or 0
    body_papers: tuple[tuple[str, int, int], ...] = ()
    if election.paper_layout == "per_body" and not running:
        body_papers = per_body_counts(db, election, round_number, issued, {spec.body for spec, _ in ballot.posts})
    inp = TallyInput(
        rulebook=rulebook_of(election), registered_voters=registered, papers_issued=issued, papers_returned=returned,
        posts=tuple(spec for spec, _ in ballot.posts), candidates=tuple(candidates), papers=papers,
        # A by-election (补选) is counted with the first round's thresholds (issue 20).
        relations=relations, round_kind="main" if ballot.kind == "byelection" else ballot.kind,  # type: ignore[arg-type]
        prior_elected=_prior(db, election, round_number),
        held=_held(db, election, round_number) if ballot.kind == "revote" else (),
        extended_relations=extended, body_papers=body_papers, method=election.method,
        meeting_kind=db.get_one(Meeting, vote.meeting_id).kind if vote is not None else "",
    )
    return inp, people


def add_written_in(db: Session, papers: Sequence[Paper], people: dict[str, dict], candidates: list[TCandidate]) -> None:
    """Add to ``people`` and ``candidates`` the residents written in on ``papers`` that
    ``people`` does not name yet, by name and sex from the roll."""
    distinct = {id(p): p for p in papers}.values()  # shared papers: look at each once
    written = {pid for p in distinct for m in p.marks.values() for pid in m.write_ins} - set(people)
    if written:
        for r in db.scalars(select(Resident).where(Resident.id.in_([int(x) for x in written]))):
            people[str(r.id)] = {"name": r.name, "sex": r.sex}
            candidates.append(TCandidate(f"w{r.id}", str(r.id), r.name, r.sex, None))


def per_body_counts(db: Session, election: Election, round_number: int, issued: int,
                    bodies: set[str]) -> tuple[tuple[str, int, int], ...]:
    """(body, issued, returned) per body with separate papers per body: a voter's issuance
    hands over one paper of each body of the round; a returned paper is of the body its
    print batch was printed for."""
    returned = dict(db.execute(
        select(PrintBatch.body, func.count()).select_from(AuditCode).join(PrintBatch, (
            (PrintBatch.election_id == AuditCode.election_id) & (PrintBatch.round_number == AuditCode.round_number)
            & (PrintBatch.batch == AuditCode.batch))).where(
            AuditCode.election_id == election.id, AuditCode.round_number == round_number,
            AuditCode.state == "counted").group_by(PrintBatch.body)).all())
    return tuple((b, issued, int(returned.get(b, 0))) for b in ("jwh", "jdw") if b in bodies)


def _held(db: Session, election: Election, round_number: int) -> tuple[HeldRunoff, ...]:
    """The run-offs the previous result held back until this re-vote decides its ties."""
    previous = db.scalar(select(RoundResult).where(RoundResult.election_id == election.id,
                                                   RoundResult.round_number == round_number - 1))
    return held_from_list(previous.result.get("held", [])) if previous is not None else ()


def compute_result(db: Session, election: Election, round_number: int) -> TallyResult:
    """The tally of a round from its records (no checks of reconciliation: see blockers)."""
    inp, _ = build_input(db, election, round_number)
    try:
        return tally(inp)
    except TallyInputError as error:
        raise UserError(f"计票数据有误：{error}") from None


def preview_result(db: Session, election: Election, round_number: int) -> tuple[dict, dict]:
    """What publishing would store now (result dict, names), without writing anything."""
    inp, people = build_input(db, election, round_number)
    try:
        return result_to_dict(tally(inp)), people
    except TallyInputError as error:
        raise UserError(f"计票数据有误：{error}") from None


def running_tally(db: Session, election: Election, round_number: int) -> dict:
    """What the scrutineers' board shows: votes so far per post, with the threshold line."""
    sheet = RunningSheet.of(ballot_of(db, election, round_number))
    inp, people = build_input(db, election, round_number, running=True)
    return running_view(sheet, inp, people, running_counts(inp, inp.papers))


@dataclass(frozen=True)
class RunningSheet:
    """What the running tally shows of a round's ballot: its number and kind, and each
    post with the person of each of its lines, in ballot order (plain values: kept between
    requests by counting/live.py)."""

    number: int
    kind: str
    posts: tuple[tuple[PostSpec, tuple[str, ...]], ...]

    @classmethod
    def of(cls, ballot: Ballot) -> RunningSheet:
        return cls(ballot.number, ballot.kind, tuple((spec, tuple(c.person for c in rows))
                                                     for spec, rows in ballot.posts))


def running_counts(inp: TallyInput, papers: Sequence[Paper]) -> Counts:
    """``papers`` counted under the round's posts and rules, as the running tally counts
    them (a sum over papers: the counts of two sets of papers add up)."""
    rb = inp.rulebook
    return count_papers(inp.posts, papers, rb.overvote_scope, rb.multi_post_rule, bool(inp.body_papers))


def running_view(sheet: RunningSheet, inp: TallyInput, people: dict[str, dict], counts: Counts) -> dict:
    """The running tally from the round's counts: ``inp`` gives the posts, candidates and
    rules (its papers are checked by the tally as a re-vote's or a question's must be, not
    counted), ``counts`` the papers counted so far."""
    # Counted here and handed to the tally: the 反对 of a candidate without a single 赞成 is
    # in the counts, not among the ranked votes of the result.
    result = result_to_dict(tally(inp, counts))
    posts = []
    for spec, listed in sheet.posts:
        p = result["posts"][spec.key]
        votes = p["votes"]
        opposed = counts.posts[spec.key].opposed
        order = list(listed) + sorted((pid for pid in votes if pid not in listed), key=lambda x: -votes[x])
        valid = p["valid_papers"]
        # A valid paper gives each listed candidate one of 赞成, 反对 or 弃权 (a blank).
        posts.append({"key": spec.key, "name": spec.name_zh, "seats": spec.seats,
                      "threshold": p["threshold"]["min_votes"], "rule": p["threshold"]["rule"],
                      "valid": valid, "invalid": p["invalid_papers"],
                      "rows": [{"person": pid, "name": people.get(pid, {}).get("name", pid), "votes": votes.get(pid, 0),
                                "opposed": opposed.get(pid, 0),
                                "abstained": max(valid - votes.get(pid, 0) - opposed.get(pid, 0), 0),
                                "write_in": pid not in listed} for pid in order]})
    return {"round": sheet.number, "kind": sheet.kind, "returned": counts.papers, "posts": posts}


# ---------------------------------------------------------------------- tally board

def _check_against(ballot: Ballot, against: dict[str, dict[str, list[int]]]) -> None:
    """反对 and 弃权 are entered for the listed candidates only (a write-in has no column),
    and every candidate of one post must add up to the same number of papers: each valid
    paper gives each candidate exactly one of 赞成, 反对 or 弃权."""
    names = {spec.key: (spec.name_zh, {c.person: c.name for c in rows}) for spec, rows in ballot.posts}
    for post, row in against.items():
        title, listed = names.get(post, (post, {}))
        for pid, pair in row.items():
            if pid not in listed:
                raise UserError(f"计票板{title}：反对、弃权只记正式候选人，“{pid}”不是本职位候选人")
            if len(pair) != 2 or any(not isinstance(v, int) or v < 0 for v in pair):
                raise UserError(f"计票板{title}“{listed[pid]}”的反对、弃权票数须为非负整数")


def _check_rows_agree(ballot: Ballot, totals: dict[str, dict[str, int]],
                      against: dict[str, dict[str, list[int]]]) -> None:
    for spec, rows in ballot.posts:
        sums = {}
        for c in rows:
            pid = c.person
            if pid in against.get(spec.key, {}) and pid in totals.get(spec.key, {}):
                sums[c.name] = totals[spec.key][pid] + sum(against[spec.key][pid])
        if len(set(sums.values())) > 1:
            listing = "，".join(f"{name} {n}" for name, n in sums.items())
            raise UserError(f"计票板{spec.name_zh}：每位候选人的赞成、反对、弃权之和都应等于本职位有效票数，"
                            f"现在各不相同（{listing}），请核对计票板")


def enter_board(db: Session, election: Election, round_number: int, totals: dict[str, dict[str, int]], actor: str,
                against: dict[str, dict[str, list[int]]] | None = None) -> TallyBoard:
    """Enter the hand tally board (计票板) totals: {post: {person id: votes}} (赞成, and a
    write-in's votes), and ``against``: {post: {candidate id: [反对, 弃权]}}."""
    for post, row in totals.items():
        for pid, v in row.items():
            if not isinstance(v, int) or v < 0:
                raise UserError(f"计票板 {post} 人员 {pid} 的票数须为非负整数，收到“{v}”")
    against = against or {}
    ballot = ballot_of(db, election, round_number)
    _check_against(ballot, against)
    _check_rows_agree(ballot, totals, against)
    begin_write(db)
    # The board is part of the count the result was published from: after publication only a
    # recorded correction (reopen_result) lets it change (as the papers' records).
    check_records_open(db, election, round_number)
    board = db.scalar(select(TallyBoard).where(TallyBoard.election_id == election.id, TallyBoard.round_number == round_number))
    if board is None:
        board = TallyBoard(election_id=election.id, round_number=round_number, totals={}, entered_by=actor)
        db.add(board)
    board.totals, board.against, board.entered_by, board.explanation = totals, against, actor, ""
    # The chain is public: the board's write-ins below the minimum are merged there (issue 15).
    listed = {spec.key: [c.person for c in rows] for spec, rows in ballot.posts}
    public = writeins.merge_write_ins(totals, listed, writeins.named_write_ins(
        totals, listed, rulebook_of(election).write_in_public_min))
    payload: dict = {"round": round_number, "totals": public}
    if against:  # candidates only: nothing of a write-in
        payload["against"] = against
    close_before_counting(db, election, actor, round_number)
    record_event(db, election, ek.COUNTING_TALLY_BOARD_ENTERED, payload, actor)
    db.flush()
    return board


def board_differences(db: Session, election: Election, round_number: int) -> list[dict]:
    board = db.scalar(select(TallyBoard).where(TallyBoard.election_id == election.id, TallyBoard.round_number == round_number))
    if board is None:
        return []
    running = running_tally(db, election, round_number)
    out = []
    for post in running["posts"]:
        hand = board.totals.get(post["key"], {})
        against = (board.against or {}).get(post["key"], {})
        records = {r["person"]: r for r in post["rows"]}
        for pid in sorted(set(hand) | set(records)):
            name = records.get(pid, {}).get("name", pid)
            a, b = records[pid]["votes"] if pid in records else 0, int(hand.get(pid, 0))
            if a != b:
                out.append({"post": post["name"], "person": pid, "name": name, "column": "赞成",
                            "records": a, "board": b})
            if pid in against and pid in records:  # 反对 and 弃权 compared where the board has them
                for column, field, value in (("反对", "opposed", against[pid][0]), ("弃权", "abstained", against[pid][1])):
                    if records[pid][field] != value:
                        out.append({"post": post["name"], "person": pid, "name": name, "column": column,
                                    "records": records[pid][field], "board": value})
    return out


def explain_board(db: Session, election: Election, round_number: int, text: str, actor: str) -> None:
    if not text.strip():
        raise UserError("请写明计票板与录入记录不一致的原因")
    if (refusal := codes.refuse_code_in(text, "计票板差异说明")) is not None:
        raise UserError(refusal)
    begin_write(db)
    check_records_open(db, election, round_number)
    board = db.scalar(select(TallyBoard).where(TallyBoard.election_id == election.id, TallyBoard.round_number == round_number))
    if board is None:
        raise UserError("尚未录入计票板合计")
    board.explanation = text.strip()
    record_event(db, election, ek.COUNTING_TALLY_BOARD_EXPLAINED, {"round": round_number}, actor, text.strip())
    db.flush()


def blockers(db: Session, election: Election, round_number: int) -> list[str]:
    """Why the result of the round may not be published yet (Chinese sentences, each a
    ``Phrase`` the page says in its language)."""
    out: list[str] = []
    for b in box_counts(db, election, round_number):
        if b["differs"] and not b["explained"]:
            out.append(phrase("票箱“%(box)s”记录 %(r)s 张，存根 %(s)s 张，不一致且未说明原因", box=b["label"], r=b["records"], s=b["stubs"]))
    n = len(mismatches(db, election, round_number))
    if n:
        out.append(phrase("有 %(n)s 张选票的复核录入与第一次录入不一致，尚未核对纸质选票", n=n))
    board = db.scalar(select(TallyBoard).where(TallyBoard.election_id == election.id, TallyBoard.round_number == round_number))
    if board is None:
        out.append(phrase("尚未录入计票板合计"))
    elif board_differences(db, election, round_number) and not board.explanation:
        out.append(phrase("计票板合计与录入记录不一致，且未说明原因"))
    out += unexplained_reconciliation(db, election, round_number)
    if db.scalar(select(RoundResult.id).where(RoundResult.election_id == election.id, RoundResult.round_number == round_number)):
        out.append(phrase("第 %(n)s 轮结果已公布", n=round_number))
    return out


def unexplained_reconciliation(db: Session, election: Election, round_number: int) -> list[str]:
    """Differences of the close-of-poll reconciliation (printed = issued + spoiled + unused,
    issued >= deposited) that the committee has not explained: they block the result."""
    from ..polling.close import reconciliation

    rec = reconciliation(db, election, round_number)
    explained = {(n.code[:40], n.subject[:120]) for n in rec.notes}
    return [
        phrase("选票清点：%(finding)s（尚未说明原因）", finding=f.message)
        for f in rec.findings
        # Papers counted here were printed by a manifest; without one there is nothing to reconcile.
        if f.code != "manifest.missing" and (f.code[:40], f.subject[:120]) not in explained
    ]


# ---------------------------------------------------------------------- publication

def publish_result(db: Session, election: Election, round_number: int, actor: str,
                   question: bool = False) -> RoundResult:
    """Publish the result of a round: stored once, an event with per-post totals and the
    elected, and the next round (re-vote or run-off) created from the result.

    A question round (kind "recall", "motion") is published by its own service
    (recall.service, motions.service publish_vote, ``question=True``), which takes the
    decided question as its outcome."""
    begin_write(db)
    # The round's row first, read again once locked (PostgreSQL): two publications at once
    # are one after the other, and the second sees the first's result below (blockers) and is
    # refused, rather than inserting the round's result twice (a duplicate key: a 500). The
    # chain head last, in record_event (docs/ARCHITECTURE.md, lock order).
    rnd = round_of(db, election, round_number)
    db.execute(select(Round.id).where(Round.id == rnd.id).with_for_update(key_share=True))
    db.refresh(rnd)
    kind = rnd.kind
    if (kind in QUESTION_ROUNDS) != question:
        where = "该罢免要求" if kind == "recall" else "会议"
        raise UserError(f"第 {round_number} 轮是{ROUND_KINDS[kind]}，须在{where}的页面公布结果" if not question
                        else f"第 {round_number} 轮不是罢免投票或会议表决")
    problems = blockers(db, election, round_number)
    if problems:
        raise UserError(*problems)
    inp, people = build_input(db, election, round_number)
    try:
        result = tally(inp)
    except TallyInputError as error:
        raise UserError(f"计票数据有误：{error}") from None
    data = result_to_dict(result)
    row = RoundResult(election_id=election.id, round_number=round_number, result=data, names=people, published_by=actor)
    db.add(row)
    round_of(db, election, round_number).status = "published"
    # The chain is public: write-ins merged exactly as in the bundle's totals.json (issue 15).
    raw = {k: p["votes"] for k, p in data["posts"].items()}
    listed = {spec.key: [c.person for c in rows] for spec, rows in ballot_of(db, election, round_number).posts}
    votes = writeins.merge_write_ins(raw, listed, writeins.named_for(raw, listed, inp.rulebook.write_in_public_min, data))
    close_before_counting(db, election, actor, round_number)
    # A write-in is on no published list: the name and sex the result was decided with are
    # anchored here, in the event just before the result (PROTOCOL.md §9, winners), for the
    # write-ins the public votes name only (issue 15).
    written = writeins.anchored(votes, listed, people)
    if written:
        record_event(db, election, ek.RESULT_WRITE_INS_NAMED, {"round": round_number, "write_ins": written}, actor)
    record_event(db, election, ek.RESULT_PUBLISHED, {
        "round": round_number, "valid": data["valid"], "registered_voters": data["registered_voters"],
        "papers_issued": data["papers_issued"], "papers_returned": data["papers_returned"],
        "posts": {k: {"votes": votes[k], "elected": [e["person"] for e in p["elected"]],
                      "valid": p["valid_papers"], "invalid": p["invalid_papers"]} for k, p in data["posts"].items()},
        "next_round": data["next_round"],
        **({"question": data["question"]} if "question" in data else {}),
    }, actor)
    _next_round(db, election, round_number, result, actor)
    db.flush()
    return row


def reopen_result(db: Session, election: Election, round_number: int, reason: str, actor: str) -> None:
    """A recorded correction: the published result of a round is withdrawn so that its
    records may be corrected (second entry, resolution) and the result published again.
    Refused once a later round exists or while the round's audit is open."""
    begin_write(db)
    if not reason.strip():
        raise UserError("请写明更正的原因")
    # A hand count once ordered binds (docs/AUDIT.md §3): reopening would put the machine
    # count back and let another audit confirm it; the verifiers refuse that (audit_count).
    if db.scalar(select(Audit.id).where(Audit.election_id == election.id, Audit.round_number == round_number,
                                        Audit.status.in_(("full_count", "hand_counted"))).limit(1)) is not None:
        raise UserError(f"第 {round_number} 轮的审计已决定全面人工计票，人工计票的结果即本轮结果，不能重新开启该轮结果")
    row = published(db, election, round_number)
    if row is None:
        raise UserError(f"第 {round_number} 轮结果尚未公布，无需重新开启")
    if db.scalar(select(Round.id).where(Round.election_id == election.id, Round.number > round_number)) is not None:
        raise UserError(f"第 {round_number} 轮之后已有下一轮投票，不能再重新开启该轮结果")
    audit = db.scalar(select(Audit).where(Audit.election_id == election.id, Audit.round_number == round_number)
                      .order_by(Audit.id.desc()).limit(1))
    if audit is not None and audit.status not in ("confirmed", "hand_counted"):
        raise UserError(f"第 {round_number} 轮的审计尚未结束，不能重新开启该轮结果")
    db.delete(row)
    round_of(db, election, round_number).status = "open"
    record_event(db, election, ek.RESULT_REOPENED, {"round": round_number}, actor, reason.strip())
    db.flush()


def _candidate_row(db: Session, election: Election, post: str, person: str) -> Candidate:
    """The Candidate row of a person on a post, created for a write-in who reaches a run-off."""
    row = db.scalar(select(Candidate).where(Candidate.election_id == election.id, Candidate.post == post,
                                           Candidate.resident_id == int(person)))
    if row is None:
        row = Candidate(election_id=election.id, resident_id=int(person), post=post, status="formal")
        db.add(row)
        db.flush()
    return row


def _next_round(db: Session, election: Election, number: int, result: TallyResult, actor: str) -> Round | None:
    """The next round exactly as the result says (`next_round`, `next_posts`): a re-vote of the
    tied only, or the run-offs with each post's needs in one section (seats added up, the
    woman member's seats reserved), candidates in 姓氏笔画 order as on every paper.

    Every outcome has a next step: a void round is held again with the same posts and
    candidates (重新选举, RULES.md "Validity"); a run-off short of candidates is made as a
    round in status "nominating" — the committee adds candidates and publishes the list
    (nomination.round_candidates) before it can be printed. Only a result with nothing left
    to elect makes no round."""
    day = day_of(election, round_of(db, election, number))
    if result.next_round == "new_election":
        void = round_of(db, election, number)
        rnd = Round(election_id=election.id, number=number + 1, kind=void.kind, posts=dict(void.posts),
                    status="open", held_on=day)
        db.add(rnd)
        record_event(db, election, ek.ROUND_CREATED, {"round": number + 1, "kind": void.kind, "posts": rnd.posts,
                                                     "held_on": day.isoformat(), "after": "void"}, actor)
        return rnd
    if result.next_round not in ("revote", "runoff", "nomination") or not result.next_posts:
        return None
    posts = {
        s.post: {"seats": s.seats, "reserved_woman_seats": s.reserved_woman_seats, "candidates": [
            c.id for c in sorted((_candidate_row(db, election, s.post, p) for p in s.candidates), key=ballot_key)]}
        for s in result.next_posts
    }
    # Held the same day as the round just counted unless the committee sets another date
    # before printing (polling.round_date).
    kind = "runoff" if result.next_round == "nomination" else result.next_round
    status = "nominating" if result.next_round == "nomination" else "open"
    rnd = Round(election_id=election.id, number=number + 1, kind=kind, posts=posts, status=status, held_on=day)
    db.add(rnd)
    record_event(db, election, ek.ROUND_CREATED, {"round": number + 1, "kind": kind, "posts": posts,
                                                 "held_on": day.isoformat(),
                                                 **({"status": status} if status != "open" else {})}, actor)
    return rnd


def decide_woman(db: Session, election: Election, round_number: int, decision: str, actor: str) -> RoundResult:
    """The committee's recorded decision on the woman member when the 居委会's seats are full,
    no woman is elected and one more seat would break the legal size (the result's woman
    status "needs_decision", docs/DECISIONS.md): the round is tallied again with the decision
    (`woman_decision`), the published result is replaced by that tally with the decision in
    it, an event records both, and any round the new result needs is made."""
    begin_write(db)
    row = published(db, election, round_number)
    if row is None:
        raise UserError(f"第 {round_number} 轮结果尚未公布")
    woman = row.result.get("woman", {})
    if woman.get("status") != "needs_decision":
        raise UserError(f"第 {round_number} 轮结果不需要选举委员会就妇女成员作出决定")
    if decision not in woman.get("options", []):
        raise UserError(f"决定“{decision}”无效，可选：{'、'.join(WOMAN_DECISIONS[o] for o in woman.get('options', []))}")
    later = db.scalar(select(Round.id).where(Round.election_id == election.id, Round.number > round_number))
    if later is not None:
        raise UserError(f"第 {round_number} 轮之后已有投票轮次，不能再改变这一轮的结果")
    inp, people = build_input(db, election, round_number)
    try:
        result = tally(replace(inp, woman_decision=decision))
    except TallyInputError as error:
        raise UserError(f"计票数据有误：{error}") from None
    data = {**result_to_dict(result), "woman_decision": decision}
    before = {k: [e["person"] for e in p["elected"]] for k, p in row.result["posts"].items()}
    row.result, row.names = data, people
    record_event(db, election, ek.RESULT_WOMAN_MEMBER_DECIDED, {
        "round": round_number, "decision": decision, "before": before,
        "elected": {k: [e["person"] for e in p["elected"]] for k, p in data["posts"].items()},
        "next_round": data["next_round"]}, actor, WOMAN_DECISIONS[decision])
    _next_round(db, election, round_number, result, actor)
    db.flush()
    return row


def published(db: Session, election: Election, round_number: int) -> RoundResult | None:
    return db.scalar(select(RoundResult).where(RoundResult.election_id == election.id, RoundResult.round_number == round_number))
