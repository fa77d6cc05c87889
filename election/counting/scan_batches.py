"""Batches of scanned papers on their way to the records (issue 21), with people deciding.

``read_batch`` reads a batch of one box (uploaded on the batch page as a job, or a folder by
``juxuan scan count --to-pages``) into ScanPaper rows: each paper's proposed reading and the
image of its front, kept with the election under the papers' rules (models/scanning.py).
Nothing is recorded by reading. Then:

* the confident papers go into the round's records only when a scrutineer approves the
  batch (``approve_batch``) on a page showing the batch's counts per candidate;
* every other paper (a box unsure, a write-in line written in or marked, an overvote, a
  blank paper, a front that could not be read) goes to the adjudication page: one person
  enters the reading from the crop beside the proposal (``enter_reading``), another person,
  of another account, approves it (``approve_reading``) or sends it back; only the approval
  records the paper, through the same ``record_paper`` as hand entry.

Pages that are no paper of this round (a back without a front, a paper already counted, of
another round, not printed for this election) are set aside and named for people.

Events name the round, the box and counts, never a paper's D or marks (as record_paper's).
"""
from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ballots.scan_reader import Image

from ..db import begin_write, of_election
from ..errors import UserError
from ..ledger.events import record_event
from ..models import AuditCode, Election, Resident, ScanBatch, ScanPaper
from ..protocol import event_kinds as ek
from ..rules.rulebook import Rulebook
from ..settings import box_of, rulebook_of
from . import mixing
from .scanning import Proposal, interpret
from .service import Ballot, check_open, check_records_open, marks_from_entry, paper_ballot, record_paper

MAX_LABEL = 200


def _state_of(p: Proposal) -> str:
    if p.confident:
        return "confident"
    return "to_people" if p.d_hash is not None else "set_aside"


def _pages(numbers: tuple[int, ...]) -> str:
    return "-".join(str(n) for n in numbers)


def check_batch(db: Session, election: Election, round_number: int, box_id: int) -> None:
    """What reading a batch of this box needs, checked before the pages are uploaded too."""
    box = box_of(db, election, box_id)
    check_open(db, election, round_number)
    check_records_open(db, election, round_number)
    mixing.require_mixed(db, election, round_number, box)


def read_batch(db: Session, election: Election, round_number: int, box_id: int, pages: Iterable[Image], label: str,
               actor: str, progress: Callable[[int], None] | None = None) -> ScanBatch:
    """Read the pages of one box into a batch of proposals (nothing recorded). The box must
    be mixed first (counting.mixing), as for hand entry. The caller commits."""
    check_batch(db, election, round_number, box_id)
    box = box_of(db, election, box_id)
    proposals = interpret(db, election, round_number, pages, progress, keep=True)
    if not proposals:
        raise UserError("本批没有扫描页")
    begin_write(db)
    batch = ScanBatch(election_id=election.id, round_number=round_number, box_id=box.id,
                      label=label.strip()[:MAX_LABEL] or "扫描批次", pages=sum(len(p.pages) for p in proposals),
                      read_by=actor)
    db.add(batch)
    db.flush()
    # A sheet fed twice, or already in another open batch, is counted once: the later copy is set aside.
    waiting = set(db.scalars(select(ScanPaper.d_hash).where(
        ScanPaper.election_id == election.id, ScanPaper.d_hash.is_not(None),
        ScanPaper.state.in_(("confident", "to_people", "entered")))))
    states: Counter[str] = Counter()
    for p in proposals:
        state = _state_of(p)
        reasons = list(p.reasons)
        if p.d_hash is not None and p.d_hash in waiting:
            state = "set_aside"
            reasons.insert(0, "此选票已在本批或另一待处理批次中扫描过，不重复计入")
        elif p.d_hash is not None:
            waiting.add(p.d_hash)
        states[state] += 1
        db.add(ScanPaper(election_id=election.id, token=secrets.token_hex(16), batch_id=batch.id,
                         pages=_pages(p.pages), d_hash=p.d_hash, state=state, reasons=reasons,
                         proposed=p.marks, boxes=p.boxes, image=p.image))
    db.flush()
    record_event(db, election, ek.COUNTING_SCAN_BATCH_READ,
                 {"round": round_number, "box": box.label, "batch": batch.id, "pages": batch.pages,
                  "papers": len(proposals), "confident": states["confident"], "to_people": states["to_people"],
                  "set_aside": states["set_aside"]}, actor)
    return batch


def batch_of(db: Session, election: Election, batch_id: int) -> ScanBatch:
    return of_election(db, ScanBatch, batch_id, election.id, UserError(f"扫描批次 {batch_id} 不属于本次选举"))


def batches_of(db: Session, election: Election, round_number: int) -> list[ScanBatch]:
    return list(db.scalars(select(ScanBatch).where(ScanBatch.election_id == election.id,
                                                   ScanBatch.round_number == round_number).order_by(ScanBatch.id)))


def papers_of(db: Session, election: Election, batch_id: int) -> list[ScanPaper]:
    """The batch's papers in the order they lie in the pile (their first page)."""
    rows = db.scalars(select(ScanPaper).where(ScanPaper.election_id == election.id, ScanPaper.batch_id == batch_id))
    return sorted(rows, key=lambda p: int(p.pages.split("-")[0]))


@dataclass
class BatchView:
    """What the batch page shows: the states' counts, and the confident papers' ○ and × per candidate."""

    batch: ScanBatch
    states: dict[str, int]
    counts: list[tuple[str, list[tuple[str, int, int]]]]  # (post name, [(candidate, ○, ×)]) in ballot order
    blank_posts: dict[str, int]  # post name -> confident papers leaving it blank
    papers: list[ScanPaper]


def batch_view(db: Session, election: Election, batch_id: int) -> BatchView:
    from .service import ballot_of

    batch = batch_of(db, election, batch_id)
    papers = papers_of(db, election, batch_id)
    states = Counter(p.state for p in papers)
    tally: dict[str, Counter[tuple[str, str]]] = {}
    blank: Counter[str] = Counter()
    for p in papers:
        if p.state not in ("confident",) and not (p.state == "recorded" and not p.entered_by):
            continue
        for post, entry in (p.proposed or {}).items():
            c = tally.setdefault(post, Counter())
            for rid in entry.get("approve", []):
                c[(rid, "approve")] += 1
            for rid in entry.get("oppose", []):
                c[(rid, "oppose")] += 1
            if not entry.get("approve") and not entry.get("oppose"):
                blank[post] += 1
    counts = []
    blank_posts = {}
    for spec, cands in ballot_of(db, election, batch.round_number).posts:
        c = tally.get(spec.key, Counter())
        counts.append((spec.name_zh, [(cand.name, c[(cand.person, "approve")],
                                       c[(cand.person, "oppose")]) for cand in cands]))
        blank_posts[spec.name_zh] = blank[spec.key]
    return BatchView(batch, dict(states), counts, blank_posts, papers)


def approve_batch(db: Session, election: Election, batch_id: int, actor: str) -> int:
    """The scrutineer approves the batch's counts: its confident papers are recorded (each
    through record_paper, once only); returns how many. The caller commits."""
    begin_write(db)
    batch = db.scalar(select(ScanBatch).where(ScanBatch.id == batch_id, ScanBatch.election_id == election.id)
                      .with_for_update().execution_options(populate_existing=True))
    if batch is None:
        raise UserError(f"扫描批次 {batch_id} 不属于本次选举")
    if batch.state != "read":
        raise UserError(f"扫描批次 {batch.id} 已由 {batch.approved_by} 确认，不能再次确认")
    check_open(db, election, batch.round_number)
    check_records_open(db, election, batch.round_number)
    box = box_of(db, election, batch.box_id)
    sure = [(p, p.d_hash) for p in papers_of(db, election, batch.id) if p.state == "confident" and p.d_hash is not None]
    # Every paper's record locked before the first event takes the chain head (docs/
    # ARCHITECTURE.md, lock order): a counter entering one of them by hand at once locks its
    # record and then the chain head; locking each record only when its turn came, after the
    # previous paper's event, deadlocked with it (PostgreSQL).
    if sure:
        db.execute(select(AuditCode.d_hash).where(AuditCode.election_id == election.id,
                                                  AuditCode.d_hash.in_([d for _, d in sure]))
                   .order_by(AuditCode.d_hash).with_for_update())
    done = 0
    for paper, d_hash in sure:
        record_paper(db, election, box, d_hash, paper.proposed or {}, actor)
        paper.state, paper.approved_by = "recorded", actor
        done += 1
    batch.state, batch.approved_by = "approved", actor
    record_event(db, election, ek.COUNTING_SCAN_BATCH_APPROVED,
                 {"round": batch.round_number, "box": box.label, "batch": batch.id, "recorded": done}, actor)
    db.flush()
    return done


# ---------------------------------------------------------------------- adjudication

def paper_of(db: Session, election: Election, token: str, *, lock: bool = False) -> ScanPaper:
    """A scanned paper of the election; with ``lock`` its row is locked and read afresh (two
    people acting on one paper at once: the second waits and sees the first one's change)."""
    if not (token.isalnum() and len(token) <= 32):
        raise UserError("没有这张扫描选票")
    query = select(ScanPaper).where(ScanPaper.election_id == election.id, ScanPaper.token == token)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    paper = db.scalar(query)
    if paper is None:
        raise UserError("没有这张扫描选票")
    return paper


def waiting_papers(db: Session, election: Election, round_number: int) -> list[tuple[ScanBatch, ScanPaper]]:
    """Papers people must still decide: to be entered, or entered and to be approved."""
    rows = db.execute(select(ScanBatch, ScanPaper).join(ScanPaper, ScanPaper.batch_id == ScanBatch.id)
                      .where(ScanBatch.election_id == election.id, ScanBatch.round_number == round_number,
                             ScanPaper.state.in_(("to_people", "entered"))))
    return sorted(((b, p) for b, p in rows), key=lambda bp: (bp[0].id, int(bp[1].pages.split("-")[0])))


def ballot_for(db: Session, election: Election, paper: ScanPaper) -> Ballot:
    if paper.d_hash is None:
        raise UserError("此页没有审计码，不是可计入的选票")
    code = db.get(AuditCode, (election.id, paper.d_hash))
    if code is None:
        raise UserError("此选票的审计码不在本次选举的印制清单中")
    return paper_ballot(db, election, code)


def enter_reading(db: Session, election: Election, token: str, fields: dict[str, str], actor: str,
                  note: str = "") -> ScanPaper:
    """The first person's reading of a paper people must decide (the entry form's fields:
    m-<post>-<candidate>, w-<post>, u-<post>). Nothing is recorded until another person
    approves it. The caller commits."""
    begin_write(db)
    paper = paper_of(db, election, token, lock=True)
    if paper.state != "to_people":
        raise UserError("这张选票不在待人工认定之列（已录入待确认、已计入或已搁置）")
    batch = batch_of(db, election, paper.batch_id)
    check_records_open(db, election, batch.round_number)
    ballot = ballot_for(db, election, paper)
    # A box the reader was unsure of is decided explicitly: no choice is not taken as 弃权.
    names = {(spec.key, c.person): (c, spec.name_zh) for spec, cands in ballot.posts for c in cands}
    # Without an image (the front could not be read) every candidate is decided from the paper.
    doubtful = ([(b["post"], b["candidate"]) for b in paper.boxes if b.get("reading") == "unsure" and b.get("candidate")]
                if paper.boxes else list(names))
    undecided = [f"{names[key][1]}“{names[key][0].name}”" for key in doubtful
                 if key in names and not (fields.get(f"m-{key[0]}-{names[key][0].id}") or "").strip()]
    if undecided:
        raise UserError(f"机器无法确定的标记须逐一认定（赞成、反对或弃权）：{'、'.join(undecided)}")
    marks = marks_from_entry(db, election, ballot, fields)
    paper.entered, paper.entered_by, paper.entered_note, paper.state = marks, actor, note.strip()[:500], "entered"
    record_event(db, election, ek.COUNTING_SCAN_PAPER_ENTERED, {"round": batch.round_number, "batch": batch.id}, actor)
    db.flush()
    return paper


def approve_reading(db: Session, election: Election, token: str, actor: str, decision: str = "") -> ScanPaper:
    """A second person, of another account, approves the entered reading: the paper is
    recorded. Where doubtful papers are the committee's to decide (doubtful_by_committee), a
    post entered as unreadable needs the committee's ``decision`` (the web layer passes it
    from a committee member only), as on the entry page. The caller commits."""
    begin_write(db)
    paper = paper_of(db, election, token, lock=True)
    if paper.state != "entered" or paper.entered is None or paper.d_hash is None:
        raise UserError("这张选票尚未录入认定结果，或已经处理过")
    if paper.entered_by == actor:
        raise UserError(f"认定结果由 {actor} 录入，须由另一人（另一账号）核对确认")
    batch = batch_of(db, election, paper.batch_id)
    check_open(db, election, batch.round_number)
    check_records_open(db, election, batch.round_number)
    doubtful = sorted(k for k, m in paper.entered.items() if m.get("unreadable"))
    by_committee = bool(doubtful) and rulebook_of(election).doubtful_by_committee
    if by_committee and not decision.strip():
        raise UserError(f"本选举规则规定无法辨认（存疑）的选票由选举委员会认定（{Rulebook.label('doubtful_by_committee')}）："
                        "须由选举委员会成员确认并填写认定说明")
    box = box_of(db, election, batch.box_id)
    record_paper(db, election, box, paper.d_hash, paper.entered, actor)
    if by_committee:
        record_event(db, election, ek.COUNTING_DOUBTFUL_PAPER_DECIDED, {"round": batch.round_number, "box": box.label,
                                                              "posts": doubtful}, actor, decision.strip())
    paper.state, paper.approved_by = "recorded", actor
    record_event(db, election, ek.COUNTING_SCAN_PAPER_CONFIRMED, {"round": batch.round_number, "batch": batch.id},
                 actor, f"录入：{paper.entered_by}")
    db.flush()
    return paper


def return_reading(db: Session, election: Election, token: str, actor: str, reason: str) -> ScanPaper:
    """The second person disagrees: the entered reading is dropped and the paper waits for a
    new entry. The caller commits."""
    if not reason.strip():
        raise UserError("退回须写明理由（字段“退回理由”）")
    begin_write(db)
    paper = paper_of(db, election, token, lock=True)
    if paper.state != "entered":
        raise UserError("这张选票没有待确认的认定结果")
    if paper.entered_by == actor:
        raise UserError("不能退回自己录入的认定结果；请由另一人核对")
    batch = batch_of(db, election, paper.batch_id)
    paper.entered, paper.entered_by, paper.entered_note, paper.state = None, "", "", "to_people"
    record_event(db, election, ek.COUNTING_SCAN_PAPER_RETURNED, {"round": batch.round_number, "batch": batch.id},
                 actor, reason.strip()[:500])
    db.flush()
    return paper


def names_of(db: Session, marks: Iterable[dict | None]) -> dict[str, str]:
    """Resident id -> name for every person named in these marks (write-ins included)."""
    ids = {int(pid) for m in marks for v in (m or {}).values() for key in ("approve", "oppose", "write_ins")
           for pid in v.get(key, [])}
    return {str(r.id): r.name for r in db.scalars(select(Resident).where(Resident.id.in_(ids)))} if ids else {}


# ---------------------------------------------------------------------- the kept images

def kept_image(db: Session, election: Election, d_hash: str) -> bytes | None:
    """The kept front of the paper counted as D (for the audit beside the paper), or None
    when it was not counted from a scan."""
    return db.scalar(select(ScanPaper.image).where(ScanPaper.election_id == election.id, ScanPaper.d_hash == d_hash,
                                                   ScanPaper.state == "recorded", ScanPaper.image.is_not(None)).limit(1))


def scanned_papers(db: Session, election: Election, hashes: Iterable[str]) -> set[str]:
    """Which of these D have a kept image of a counted scan."""
    wanted = list(hashes)
    if not wanted:
        return set()
    return set(db.scalars(select(ScanPaper.d_hash).where(ScanPaper.election_id == election.id,
                                                         ScanPaper.d_hash.in_(wanted), ScanPaper.state == "recorded",
                                                         ScanPaper.image.is_not(None))))
