"""Printing the ballot papers of a round: codes, manifest, signature, and the print job.

T and A are drawn here from the OS CSPRNG, handed to ballots.render_ballots through a
generator and dropped; only R = H(T) and D = H(A) are kept, in two separate lists that are
sorted before anything is written, so neither the rows nor the manifest keep the print
order that could pair an R with its D. Rows go in sorted hash order (ballots model docstring).

The print job (DESIGN decision, docs/DECISIONS.md) runs through election/jobs.py: a
background thread renders into `<instance>/print-jobs/<job>.pdf.part` and renames it to
`.pdf` when the manifest is committed; progress is a small JSON sidecar next to it, so every
worker process on the same host can answer the progress poll. The download opens the
file, unlinks it at once and streams from the open handle: the PDF (which holds T and A)
exists on disk only until it is downloaded once. A job left undownloaded is removed an hour
after it was written: `sweep_jobs` runs when a print job starts, when a print job's page or
progress is read, and when the app starts (before, only the next print job's start swept,
so a PDF nobody downloaded could stay for the rest of the election). At the close of a
round's poll `discard_round_pdfs` removes the round's waiting PDFs whatever their age: no
paper of the round can be handed out any more, and a PDF kept beside the counted records
would pair every receipt with its paper's marks.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from ballots.ballot_paper import render_ballots
from ballots.ballot_spec import BallotSpec, PaperCodes, PostSection, split_by_body

from .. import jobs
from ..db import begin_write
from ..errors import UserError
from ..ledger import keys
from ..ledger.events import lock_chain_head, record_event
from ..models import AuditCode, Candidate, Election, PrintBatch, Receipt, Resident, Round
from ..protocol import codes, signing
from ..protocol import event_kinds as ek
from ..protocol.manifest import make_manifest
from ..roll.publication import cn_date
from ..rounds import check_open, day_of, lines_of
from ..rules.question import ANSWERS_ZH
from ..rules.rulebook import Rulebook
from ..rules.tally_types import BODY_ZH, FEMALE, MOTION_POST, QUESTION_ROUNDS
from ..settings import posts_of as election_posts
from ..settings import rulebook_of
from .turnout import poll_closed_at

MAX_PAPERS = 20000
MANIFEST_SIG_TYPE = "juxuan/manifest-signature/v1"
ROUND_ON_PAPER = {"main": "第一轮", "revote": "再次投票", "runoff": "另行选举", "byelection": "补选", "recall": "罢免投票",
                  "motion": "会议表决"}


def posts_of(db: Session, election: Election) -> list[dict]:
    """The posts of the election with formal candidates in ballot order (names)."""
    rb = rulebook_of(election)
    out = []
    for post in election_posts(election):
        rows = db.execute(
            select(Candidate.id, Resident.name, Resident.sex)
            .join(Resident, Resident.id == Candidate.resident_id)
            .where(Candidate.election_id == election.id, Candidate.post == post.key, Candidate.status == "formal")
            .order_by(Candidate.ballot_order, Candidate.id)
        ).all()
        out.append({"key": post.key, "body": post.body, "title": post.title_zh, "seats": post.seats,
                     "candidates": [r[0] for r in rows], "names": [r[1] for r in rows],
                     "reserved_woman_seats": first_paper_reserved(rb, post.body, post.title_zh, [r[2] for r in rows])})
    return out


def first_paper_reserved(rb: Rulebook, body: str, title: str, sexes: list[str]) -> int:
    """The woman member's reserved line on the first paper (RULES.md "woman member",
    variant A 定位选举, the default): one 居委会委员 seat is hers when the rulebook requires
    a woman and uses the reserved line, and a woman stands for 委员; without a woman
    candidate the line could not be filled and the tally's woman rule decides after
    counting (docs/DECISIONS.md)."""
    if not (rb.woman_member_required and rb.woman_member_method == "reserved_line"):
        return 0
    if body != "jwh" or title != "委员" or not any(s in FEMALE for s in sexes):
        return 0
    return 1


def round_papers(db: Session, election: Election, number: int) -> tuple[str, list[dict], date]:
    """(round kind, posts on its papers, the day printed on them) in the bodies' post order.
    A round that exists (round 1 after its first print; a later round made when the
    previous result was published) gives its own posts, seats and candidates in the stored
    order and its own day; round 1 before its first print, the formal candidates and the
    election day. Published or missing rounds are refused."""
    check_open(db, election, number)
    rnd = db.scalar(select(Round).where(Round.election_id == election.id, Round.number == number))
    if rnd is None:
        return "main", posts_of(db, election), election.election_day
    lines = lines_of(db, election, rnd)
    # A meeting's motion (kind "motion") is no post of the election: its one section is MOTION_POST.
    known = [(MOTION_POST.key, MOTION_POST.body, MOTION_POST.title)] if rnd.kind == "motion" else \
        [(p.key, p.body, p.title_zh) for p in election_posts(election)]
    out = []
    for key, body, title in known:
        info = rnd.posts.get(key)
        if info is None:
            continue
        out.append({"key": key, "body": body, "title": title, "seats": int(info["seats"]),
                    "candidates": [line.id for line in lines[key]], "names": [line.name for line in lines[key]],
                    "reserved_woman_seats": int(info.get("reserved_woman_seats", 0)),
                    # A question round (recall, motion): what its one line asks (recall.service,
                    # meetings.votes).
                    "question": str(info.get("question", "")), "paper": str(info.get("paper", ""))})
    return rnd.kind, out, day_of(election, rnd)


def _keep_round(db: Session, election: Election, number: int) -> None:
    """Round 1 is stored from the formal candidates the first time it is printed; later
    rounds were stored by counting when the previous result was published. A close of poll
    recorded before the first print (no row to mark then) is carried onto the row: the desks
    refuse its papers as of any closed round."""
    if db.scalar(select(Round.id).where(Round.election_id == election.id, Round.number == number)) is None:
        posts = posts_of(db, election)
        db.add(Round(election_id=election.id, number=number, kind="main",
                     posts={p["key"]: {"seats": p["seats"], "candidates": p["candidates"],
                                       "reserved_woman_seats": p["reserved_woman_seats"]} for p in posts},
                     poll_closed_at=poll_closed_at(db, election, number)))
        db.flush()


def ballot_specs(db: Session, election: Election, round_number: int = 1) -> list[tuple[str, BallotSpec]]:
    """(body key or "", spec) for each kind of paper of a round, per Election.paper_layout;
    a body with no post in the round has no paper."""
    kind, posts, day = round_papers(db, election, round_number)
    rb = rulebook_of(election)
    missing = [f"{BODY_ZH[p['body']]}{p['title']}" for p in posts if not p["names"]]
    if missing:
        raise UserError(f"以下职位还没有正式候选人，不能印制选票：{'、'.join(missing)}")
    # A re-vote is among the tied only: its paper has no 另选他人 line (RULES.md "tie"); nor
    # has a question's paper (rules.question).
    sections = tuple(
        PostSection(BODY_ZH[p["body"]], p["title"], p["seats"], tuple(p["names"]),
                    write_in_lines=0 if kind in ("revote", *QUESTION_ROUNDS) else None) for p in posts
    )
    question = next((p.get("question", "") for p in posts if p.get("question")), "") if kind in QUESTION_ROUNDS else ""
    motion = kind == "motion"
    paper = next((p["paper"] for p in posts if p.get("paper")), "")
    # A run-off for the woman member's seat (定位选举) says so on the paper: (body, line).
    reserved = [
        (BODY_ZH[p["body"]], f"{BODY_ZH[p['body']]}{p['title']}：本轮应选 {p['seats']} 名，其中 {p['reserved_woman_seats']} 名为妇女委员定位名额，只能选女性。")
        for p in posts if p["reserved_woman_seats"]
    ]
    spec = BallotSpec(
        title=paper or (f"{question}表决票" if question else f"{election.title}选票"),
        election=election.title,
        date=cn_date(day),
        round=ROUND_ON_PAPER.get(kind, "另行选举"),  # type: ignore[arg-type]
        sections=sections,
        key_fingerprint=keys.fingerprint_of(db, election),
        # A meeting's paper is the 居民委员会's, which convenes the meeting.
        committee=f"{election.community.name}{'居民委员会' if motion else '居民选举委员会'}",
        paper_size=election.paper_size if election.paper_size in ("A4", "A5") else "A4",  # type: ignore[arg-type]
        verify_hint="",
        extra_instructions=tuple(line for _, line in reserved),
        # The paper says what the rulebook does: the overvote rule and the marks.
        overvote_voids_paper=rb.overvote_scope == "paper",
        approve_mark=rb.mark_approve, oppose_mark=rb.mark_oppose, question=question,
        answers=ANSWERS_ZH["motion"] if motion else ("同意", "不同意"),
    )
    problems = spec.problems()
    if problems:
        raise UserError(*problems)
    if election.paper_layout != "per_body" or kind in QUESTION_ROUNDS:
        return [("", spec)]
    body_keys = {v: k for k, v in BODY_ZH.items()}
    titles = {name: f"{election.title}{name}成员选举选票" for name in BODY_ZH.values()}
    return [(body_keys[s.sections[0].body],
             replace(s, extra_instructions=tuple(line for body, line in reserved if body == s.sections[0].body)))
            for s in split_by_body(spec, titles)]


@dataclass
class PrintResult:
    batch: int
    papers: int
    digest: str


def check_count(n: int) -> None:
    """One print run holds 1 to MAX_PAPERS papers (a supplement prints more)."""
    if not 1 <= n <= MAX_PAPERS:
        raise UserError(f"印制张数为 {n}，须在 1 至 {MAX_PAPERS} 之间")


def print_papers(
    db: Session, election: Election, n: int, out: BinaryIO, actor: str, data_key: str,
    url_prefix: str, body: str = "", round_number: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> PrintResult:
    """Render ``n`` papers of one kind to ``out``, then store R and D (sorted), the signed
    manifest and the ballots.printed event in one transaction. A later call is a supplement."""
    check_count(n)
    specs = dict(ballot_specs(db, election, round_number))
    if body not in specs:
        raise UserError(f"第 {round_number} 轮的选票中没有“{BODY_ZH.get(body, body) or '全部职位'}”这种选票")
    # The stub prints the receipt-check address as text beside its QR code (same address).
    spec = replace(specs[body], verify_hint=url_prefix)
    uid = election.uid
    r_of = codes.hasher(codes.RECEIPT_TAG, uid)
    d_of = codes.hasher(codes.AUDIT_TAG, uid)
    receipts: list[str] = []
    audits: list[str] = []

    def papers() -> Iterator[PaperCodes]:
        for _ in range(n):
            t, a = codes.new_code(), codes.new_code()
            receipts.append(r_of(t))
            audits.append(d_of(a))
            yield PaperCodes(codes.human(t), codes.receipt_qr(t, url_prefix), codes.audit_qr(a))

    render_ballots(spec, papers(), out, progress, total=n)
    receipts.sort()
    audits.sort()
    return _store(db, election, actor, data_key, body, round_number, receipts, audits)


def _store(db: Session, election: Election, actor: str, data_key: str, body: str, round_number: int,
           receipts: list[str], audits: list[str]) -> PrintResult:
    # The write lock (SQLite), then the election's row (PostgreSQL), the batches' parent,
    # before the round is stored and the batch numbered: two print runs at once are one after
    # the other, the second sees the first's round and batch (they used to store round 1
    # twice, or take one batch number twice: a duplicate key or a deadlock, a 500). Taken
    # after rendering, so a long render holds no lock. The chain head is this same row
    # (record_event takes it again); nothing after it locks a row another path locks first
    # (docs/ARCHITECTURE.md, lock order).
    begin_write(db)
    lock_chain_head(db, election)
    _keep_round(db, election, round_number)
    # Batch numbers run on across rounds; the first batch of a round is its main print run.
    batch = db.scalar(select(func.coalesce(func.max(PrintBatch.batch) + 1, 0)).where(PrintBatch.election_id == election.id)) or 0
    supplement = db.scalar(select(PrintBatch.id).where(PrintBatch.election_id == election.id,
                                                       PrintBatch.round_number == round_number).limit(1)) is not None
    manifest = make_manifest(election.uid, receipts, audits, batch=batch)
    # Inserted in sorted hash order: the row order follows the hash, never the print order.
    db.execute(insert(Receipt), [
        {"election_id": election.id, "r_hash": r, "round_number": round_number, "batch": batch, "state": "printed"}
        for r in manifest.receipts
    ])
    db.execute(insert(AuditCode), [
        {"election_id": election.id, "d_hash": d, "round_number": round_number, "batch": batch, "state": "printed"}
        for d in manifest.audits
    ])
    key = keys.private_key(db, election, data_key)
    statement = {"type": MANIFEST_SIG_TYPE, "election": election.uid, "batch": batch, "digest": manifest.digest,
                 "receipt_count": len(receipts), "audit_count": len(audits)}
    signed = signing.sign(key, statement)
    db.add(PrintBatch(election_id=election.id, round_number=round_number, batch=batch, body=body,
                      papers=len(receipts), manifest=manifest.to_json(), digest=manifest.digest,
                      signature=signed.to_json(), printed_by=actor))
    record_event(db, election, ek.BALLOTS_PRINTED, {
        "batch": batch, "digest": manifest.digest, "receipt_count": len(receipts), "audit_count": len(audits),
        "round": round_number, "body": body, "supplement": supplement, "signature": signed.signature,
    }, actor, "补印选票（清单补充）" if supplement else f"印制第 {round_number} 轮选票")
    return PrintResult(batch, len(receipts), manifest.digest)


# --- print jobs -----------------------------------------------------------------------
# The generic job machinery is election/jobs.py; printing adds its own rules: the PDF
# (which holds T and A) can be downloaded once only, then it is gone.

def jobs_dir(instance: str | Path) -> Path:
    return jobs.jobs_dir(instance, "print-jobs")


def job_state(instance: str | Path, job: str) -> dict | None:
    folder = jobs_dir(instance)
    jobs.sweep(folder)  # a page or a progress poll: PDFs waiting more than an hour go
    return jobs.read_state(folder, job)


def start_print_job(
    sessions: sessionmaker[Session], instance: str | Path, election_id: int, n: int, actor: str,
    data_key: str, url_prefix: str, body: str = "", round_number: int = 1,
) -> str:
    """Start rendering in a background thread; returns the job id for progress and download.
    A count out of range is refused here, before any job starts."""
    check_count(n)

    def work(db: Session, running: jobs.Running) -> dict:
        election = db.get_one(Election, election_id)
        # The PDF holds every paper's T and A: owner-only while it waits for its one download.
        with os.fdopen(os.open(running.part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out:
            result = print_papers(db, election, n, out, actor, data_key, url_prefix, body, round_number,
                                  running.progress)
        return {"batch": result.batch, "digest": result.digest}

    base = {"election_id": election_id, "actor": actor, "total": n, "body": body, "round": round_number}
    return jobs.start(sessions, jobs_dir(instance), base, work, suffix=".pdf", failure="印制失败")


def open_download(instance: str | Path, job: str) -> BinaryIO | None:
    """Open the finished PDF and unlink it at once: one download, then it is gone."""
    return jobs.open_result(jobs_dir(instance), job, ".pdf", once=True)


def sweep_jobs(instance: str | Path, max_age: float = jobs.JOB_MAX_AGE) -> None:
    """Remove PDFs and sidecars of jobs older than ``max_age`` seconds (never downloaded)."""
    folder = Path(instance) / "print-jobs"
    if folder.is_dir():
        jobs.sweep(folder, max_age)


def discard_round_pdfs(instance: str | Path, election_id: int, round_number: int) -> int:
    """At the close of poll of ``round_number``: remove the election's finished print PDFs of
    that round or an earlier one that were never downloaded (each holds every paper's T and
    A). Returns how many were removed; a job still rendering is left to the hourly sweep."""
    folder = Path(instance) / "print-jobs"
    if not folder.is_dir():
        return 0
    removed = 0
    for pdf in folder.glob("*.pdf"):
        state = jobs.read_state(folder, pdf.name.removesuffix(".pdf"))
        if state is None or (state.get("election_id") == election_id and int(state.get("round", 1)) <= round_number):
            pdf.unlink(missing_ok=True)
            removed += 1
    return removed


def batches(db: Session, election: Election) -> list[PrintBatch]:
    return list(db.scalars(select(PrintBatch).where(PrintBatch.election_id == election.id).order_by(PrintBatch.batch)))
