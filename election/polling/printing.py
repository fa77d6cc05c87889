"""Printing the ballot papers of a round: codes, manifest, signature, and the print job.

T and A are drawn here from the OS CSPRNG, handed to ballots.render_ballots through a
generator and dropped; only R = H(T) and D = H(A) are kept, in two separate lists that are
sorted before anything is written, so neither the rows nor the manifest keep the print
order that could pair an R with its D. Rows go in sorted hash order (ballots model docstring).

The print job (DESIGN decision, docs/DECISIONS.md): a background thread renders into
`<instance>/print-jobs/<job>.pdf.part` and renames it to `.pdf` when the manifest is
committed; progress is a small JSON sidecar next to it, so every worker process on the same
host can answer the progress poll. The download opens the file, unlinks it at once and
streams from the open handle: the PDF (which holds T and A) exists on disk only until it
is downloaded once, and a job left undownloaded is removed by `sweep_jobs` after an hour.
"""
from __future__ import annotations

import json
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from ballots.ballot_paper import render_ballots
from ballots.ballot_spec import BallotSpec, PaperCodes, PostSection, split_by_body

from ..errors import UserError
from ..ledger import keys
from ..ledger.events import record_event
from ..models import AuditCode, Candidate, Election, PrintBatch, Receipt, Resident, Round
from ..protocol import codes, signing
from ..protocol.manifest import make_manifest
from ..rules.bodies import BodiesConfig
from ..rules.tally_types import BODY_ZH

MAX_PAPERS = 20000
MANIFEST_SIG_TYPE = "juxuan/manifest-signature/v1"
JOB_MAX_AGE = 3600


def posts_of(db: Session, election: Election) -> list[dict]:
    """The posts of the election with formal candidates in ballot order (names)."""
    config = BodiesConfig(election.jwh_deputies, election.jwh_members, election.jdw_deputies, election.jdw_members)
    out = []
    for post in config.posts():
        rows = db.execute(
            select(Candidate.id, Resident.name)
            .join(Resident, Resident.id == Candidate.resident_id)
            .where(Candidate.election_id == election.id, Candidate.post == post.key, Candidate.status == "formal")
            .order_by(Candidate.ballot_order, Candidate.id)
        ).all()
        out.append({"key": post.key, "body": post.body, "title": post.title_zh, "seats": post.seats,
                     "candidates": [r[0] for r in rows], "names": [r[1] for r in rows]})
    return out


def round_of(db: Session, election: Election, number: int = 1) -> Round:
    """The round, created from the formal candidates the first time it is printed."""
    row = db.scalar(select(Round).where(Round.election_id == election.id, Round.number == number))
    if row is None:
        posts = posts_of(db, election)
        row = Round(election_id=election.id, number=number, kind="main",
                    posts={p["key"]: {"seats": p["seats"], "candidates": p["candidates"]} for p in posts})
        db.add(row)
        db.flush()
    return row


def ballot_specs(db: Session, election: Election, round_number: int = 1) -> list[tuple[str, BallotSpec]]:
    """(body key or "", spec) for each kind of paper, per Election.paper_layout."""
    posts = posts_of(db, election)
    missing = [f"{BODY_ZH[p['body']]}{p['title']}" for p in posts if not p["names"]]
    if missing:
        raise UserError(f"以下职位还没有正式候选人，不能印制选票：{'、'.join(missing)}")
    sections = tuple(
        PostSection(BODY_ZH[p["body"]], p["title"], p["seats"], tuple(p["names"])) for p in posts
    )
    spec = BallotSpec(
        title=f"{election.title}选票",
        election=election.title,
        date=f"{election.election_day.year}年{election.election_day.month}月{election.election_day.day}日",
        round={1: "第一轮"}.get(round_number, "另行选举"),  # type: ignore[arg-type]
        sections=sections,
        key_fingerprint=keys.fingerprint_of(db, election),
        committee=f"{election.community.name}居民选举委员会",
        paper_size=election.paper_size if election.paper_size in ("A4", "A5") else "A4",  # type: ignore[arg-type]
        verify_hint="",
    )
    problems = spec.problems()
    if problems:
        raise UserError(*problems)
    if election.paper_layout != "per_body":
        return [("", spec)]
    body_keys = {v: k for k, v in BODY_ZH.items()}
    titles = {name: f"{election.title}{name}成员选举选票" for name in BODY_ZH.values()}
    return [(body_keys[s.sections[0].body], s) for s in split_by_body(spec, titles)]


@dataclass
class PrintResult:
    batch: int
    papers: int
    digest: str


def print_papers(
    db: Session, election: Election, n: int, out: BinaryIO, actor: str, data_key: str,
    url_prefix: str, body: str = "", round_number: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> PrintResult:
    """Render ``n`` papers of one kind to ``out``, then store R and D (sorted), the signed
    manifest and the "manifest" event in one transaction. A later call is a supplement."""
    if not 1 <= n <= MAX_PAPERS:
        raise UserError(f"印制张数为 {n}，须在 1 至 {MAX_PAPERS} 之间")
    specs = dict(ballot_specs(db, election, round_number))
    if body not in specs:
        raise UserError(f"本次选举的选票版式中没有“{body or '全部职位'}”这种选票")
    spec = specs[body]
    round_of(db, election, round_number)
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
    batch = db.scalar(select(func.coalesce(func.max(PrintBatch.batch) + 1, 0)).where(PrintBatch.election_id == election.id))
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
    record_event(db, election, "manifest", {
        "batch": batch, "digest": manifest.digest, "receipt_count": len(receipts), "audit_count": len(audits),
        "round": round_number, "body": body, "supplement": batch > 0, "signature": signed.signature,
    }, actor, "印制选票" if batch == 0 else "补印选票（清单补充）")
    return PrintResult(batch, len(receipts), manifest.digest)


# --- print jobs -----------------------------------------------------------------------

def jobs_dir(instance: str | Path) -> Path:
    path = Path(instance) / "print-jobs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _write_state(folder: Path, job: str, state: dict) -> None:
    tmp = folder / f"{job}.json.tmp"
    tmp.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, folder / f"{job}.json")


def job_state(instance: str | Path, job: str) -> dict | None:
    if not job.isalnum():
        return None
    path = jobs_dir(instance) / f"{job}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def start_print_job(
    sessions: sessionmaker[Session], instance: str | Path, election_id: int, n: int, actor: str,
    data_key: str, url_prefix: str, body: str = "", round_number: int = 1,
) -> str:
    """Start rendering in a background thread; returns the job id for progress and download."""
    folder = jobs_dir(instance)
    sweep_jobs(folder)
    job = secrets.token_hex(12)
    base = {"election_id": election_id, "actor": actor, "total": n, "done": 0, "state": "running",
            "body": body, "started": time.time()}
    _write_state(folder, job, base)

    def run() -> None:
        db = sessions()
        part = folder / f"{job}.pdf.part"
        last = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if now - last[0] > 0.3 or done == total:
                last[0] = now
                _write_state(folder, job, {**base, "done": done})

        try:
            election = db.get(Election, election_id)
            with open(part, "wb") as out:
                result = print_papers(db, election, n, out, actor, data_key, url_prefix, body, round_number, progress)
                out.flush()
                os.fsync(out.fileno())
            db.commit()
            os.replace(part, folder / f"{job}.pdf")
            _write_state(folder, job, {**base, "done": n, "state": "ready", "batch": result.batch, "digest": result.digest})
        except UserError as error:
            db.rollback()
            part.unlink(missing_ok=True)
            _write_state(folder, job, {**base, "state": "failed", "error": "；".join(error.messages)})
        except Exception as error:  # noqa: BLE001 — the page must say the job failed
            db.rollback()
            part.unlink(missing_ok=True)
            _write_state(folder, job, {**base, "state": "failed", "error": f"印制失败：{type(error).__name__}"})
        finally:
            db.close()

    threading.Thread(target=run, name=f"print-{job}", daemon=True).start()
    return job


def open_download(instance: str | Path, job: str) -> BinaryIO | None:
    """Open the finished PDF and unlink it at once: one download, then it is gone."""
    if not job.isalnum():
        return None
    folder = jobs_dir(instance)
    path = folder / f"{job}.pdf"
    try:
        handle = open(path, "rb")
    except OSError:
        return None
    path.unlink(missing_ok=True)
    state = job_state(instance, job) or {}
    _write_state(folder, job, {**state, "state": "downloaded"})
    return handle


def sweep_jobs(folder: Path, max_age: float = JOB_MAX_AGE) -> None:
    """Remove PDFs and sidecars of jobs older than ``max_age`` seconds (never downloaded)."""
    now = time.time()
    for path in folder.iterdir():
        try:
            if now - path.stat().st_mtime > max_age:
                path.unlink(missing_ok=True)
        except OSError:
            pass


def batches(db: Session, election: Election) -> list[PrintBatch]:
    return list(db.scalars(select(PrintBatch).where(PrintBatch.election_id == election.id).order_by(PrintBatch.batch)))
