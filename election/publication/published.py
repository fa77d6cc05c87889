"""Publication of the result: the committee seals the public bundle of a round once (a
ledger.bundle_exported event) and the file is kept under the instance folder, one per round, so
residents download the very bytes that were sealed and an anonymous download never writes
to the chain. Also the announcement date and the complaint deadline the public pages show."""
from __future__ import annotations

import json
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import UserError
from ..models import Election, ElectionEvent, Resident, RoundResult
from ..protocol import event_kinds as ek
from ..settings import rulebook_of
from .bundle import Exported, export_bundle


def public_election(db: Session, election_id: int) -> Election:
    """An election whose public pages are asked for: every election's are public."""
    election = db.get(Election, election_id)
    if election is None:
        raise UserError("该选举不存在")
    return election


def bundle_path(instance: str | Path, election: Election, round_number: int = 1) -> Path:
    return Path(instance) / "bundles" / f"{election.uid}-round{round_number}-public.zip"


def published_rounds(instance: str | Path, election: Election) -> list[int]:
    """The rounds whose public bundle has been sealed and kept, in order."""
    folder = Path(instance) / "bundles"
    prefix, suffix = f"{election.uid}-round", "-public.zip"
    found = [p.name[len(prefix):-len(suffix)] for p in folder.glob(f"{prefix}*{suffix}")] if folder.exists() else []
    return sorted(int(n) for n in found if n.isdigit())


def publish_bundle(db: Session, election: Election, data_key: str, actor: str, instance: str | Path,
                   round_number: int | None = None, progress: Callable[[int, int], None] | None = None) -> Exported:
    """Seal the public bundle of a round (default: the last published round) and keep it
    for download (the caller commits)."""
    out = export_bundle(db, election, data_key, actor, auditor=False, round_number=round_number, progress=progress,
                        instance=instance)
    path = bundle_path(instance, election, out.round_number)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(out.data)
    tmp.replace(path)
    return out


def announced_on(db: Session, election: Election) -> date | None:
    """The day the result was announced: the first result.published or ledger.bundle_exported event."""
    at = db.scalar(select(ElectionEvent.at).where(
        ElectionEvent.election_id == election.id, ElectionEvent.kind.in_((ek.RESULT_PUBLISHED, ek.LEDGER_BUNDLE_EXPORTED)))
        .order_by(ElectionEvent.seq).limit(1))
    return date.fromisoformat(at[:10]) if at else None


def complaint_deadline(db: Session, election: Election) -> date | None:
    """Announcement + rulebook.complaint_window_days (RULES.md parameter)."""
    day = announced_on(db, election)
    if day is None:
        return None
    return day + timedelta(days=rulebook_of(election).complaint_window_days)


@dataclass(frozen=True)
class PublishedSummary:
    """What the public result page shows, read back from the sealed bundle itself."""

    head_seq: int
    head: str
    signature: str
    key: str
    root: str
    returned: int
    posts: dict
    box_totals: list
    boxes: dict
    round_number: int = 1


_SUMMARY_FILES = ("head.sig", "totals.json", "deposits.json", "box_totals.json", "boxes.json")
_SUMMARIES: dict[str, tuple[tuple[int, int, int], PublishedSummary]] = {}
_SUMMARIES_LOCK = threading.Lock()


def open_complaint_windows(db: Session, day: date) -> list[tuple[Election, date]]:
    """Elections whose complaint window is open on ``day``, with the deadline."""
    out = []
    for election in db.scalars(select(Election).order_by(Election.id)):
        deadline = complaint_deadline(db, election)
        if deadline is not None and deadline >= day:
            out.append((election, deadline))
    return out


def file_stamp(path: Path) -> tuple[int, int, int] | None:
    """What names one version of a sealed file: a new seal is written beside it and renamed
    over it (a new inode), so a cache keyed by this is never served a stale bundle."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def published_summary(instance: str | Path, election: Election, round_number: int = 1) -> PublishedSummary | None:
    """The summary of a round's sealed public bundle, read once per version of the file
    (the receipt page shows it with every code found: unzipping 100,000 deposits per
    lookup was most of that page's time) and only from the five files it shows."""
    path = bundle_path(instance, election, round_number)
    stamp = file_stamp(path)
    if stamp is None:
        return None
    key = str(path)
    with _SUMMARIES_LOCK:
        hit = _SUMMARIES.get(key)
        if hit is not None and hit[0] == stamp:
            return hit[1]
    with zipfile.ZipFile(path) as z:
        files = {n: z.read(n) for n in _SUMMARY_FILES}
    sig = json.loads(files["head.sig"])
    totals = json.loads(files["totals.json"])
    summary = PublishedSummary(
        int(sig["statement"]["seq"]), sig["statement"]["head"], sig["signature"], sig["key"],
        json.loads(files["deposits.json"])["root"], int(totals["returned"]), totals["posts"],
        json.loads(files["box_totals.json"]), json.loads(files["boxes.json"]), int(totals.get("round", 1)),
    )
    with _SUMMARIES_LOCK:
        _SUMMARIES[key] = (stamp, summary)
    return summary


@dataclass(frozen=True)
class ResultShown:
    """What the public result page names beside a round's sealed totals: each person's name
    by id, who was elected to which post, and the published outcome (None before it is)."""

    names: dict[str, str]
    elected: set[tuple[str, str]]
    outcome: dict | None


def result_shown(db: Session, election: Election, round_number: int, summary: PublishedSummary | None) -> ResultShown:
    """The names come from the published result; a sealed bundle without one (published
    before the result) names its people from the roll, only this election's."""
    published = db.scalar(select(RoundResult).where(RoundResult.election_id == election.id,
                                                    RoundResult.round_number == round_number))
    names: dict[str, str] = {}
    elected: set[tuple[str, str]] = set()
    if published is not None:
        names = {k: v.get("name", k) for k, v in published.names.items()}
        elected = {(post, e["person"]) for post, p in published.result["posts"].items() for e in p["elected"]}
    if summary is not None and not names:
        ids = {int(p) for post in summary.posts.values() for p in post if str(p).isdigit()}
        if ids:
            names = {str(r.id): r.name for r in db.scalars(
                select(Resident).where(Resident.id.in_(ids), Resident.election_id == election.id))}
    return ResultShown(names, elected, published.result if published is not None else None)
