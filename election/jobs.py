"""Background jobs with progress that every app process on the host can read.

A long operation (printing ballots, importing a roll, rendering a PDF of the whole roll)
runs in a thread with a database session of its own. Its state is a small JSON sidecar,
`<folder>/<job>.json`, replaced atomically at most every 0.3 s; a result file is written
as `<job><suffix>.part` and renamed once the transaction is committed. Any worker process
(gunicorn -w N) answers a progress poll or a download by reading those files, so no
process needs to be the one that started the job. Jobs older than an hour are swept.

States: running -> ready (result file, if any, renamed) | failed (messages; the database
rolled back, the part file removed) -> downloaded (after a download that removes the file).
"""
from __future__ import annotations

import json
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy.orm import Session, sessionmaker

from ballots.fonts import MissingGlyphError

from .errors import UserError
from .rules.phrase import keep

log = logging.getLogger(__name__)

JOB_MAX_AGE = 3600
PROGRESS_EVERY = 0.3  # seconds between sidecar writes: a poll every 0.5 s sees fresh counts


class JobFailed(Exception):
    """A refusal whose details the job page shows (e.g. every row error of an import)."""

    def __init__(self, messages: list[str], details: dict[str, Any] | None = None) -> None:
        super().__init__("；".join(messages))
        self.messages = messages
        self.details = details or {}


def jobs_dir(instance: str | Path, name: str = "jobs") -> Path:
    path = Path(instance) / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def _valid(job: str) -> bool:
    return job.isalnum() and len(job) <= 64


def write_state(folder: Path, job: str, state: dict) -> None:
    tmp = folder / f"{job}.json.tmp"
    tmp.write_text(json.dumps(state, ensure_ascii=False, default=str), encoding="utf-8")
    os.replace(tmp, folder / f"{job}.json")


def read_state(folder: Path, job: str) -> dict | None:
    if not _valid(job):
        return None
    try:
        return json.loads((folder / f"{job}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


@dataclass
class Running:
    """What the work function of a job gets: where to write, and how to report progress."""

    folder: Path
    job: str
    state: dict
    suffix: str = ""
    _last: float = field(default=0.0, repr=False)

    @property
    def part(self) -> Path:
        return self.folder / f"{self.job}{self.suffix}.part"

    def progress(self, done: int, total: int) -> None:
        """Record ``done`` of ``total``; throttled, but the last step is always written."""
        now = time.monotonic()
        if now - self._last > PROGRESS_EVERY or done >= total:
            self._last = now
            self.state.update(done=done, total=total)
            write_state(self.folder, self.job, self.state)


Work = Callable[[Session, Running], dict]


def start(sessions: sessionmaker[Session], folder: Path, base: dict, work: Work, *, suffix: str = "",
          failure: str = "处理失败") -> str:
    """Run ``work(db, running)`` in a background thread; returns the job id.

    ``base`` (election id, kind, who, total...) is kept in the state for the pages. ``work``
    returns what to add to the state when it succeeds; it writes its result (if any) to
    ``running.part``. The session is committed after ``work`` and before the result file is
    renamed, so a ready file always matches committed records.
    """
    sweep(folder)
    job = secrets.token_hex(12)
    state = {"total": 0, **base, "done": 0, "state": "running", "started": time.time()}
    write_state(folder, job, state)
    running = Running(folder, job, state, suffix)

    def run() -> None:
        db = sessions()
        try:
            extra = work(db, running)
            if suffix and running.part.exists():
                with open(running.part, "rb+") as handle:
                    os.fsync(handle.fileno())
            db.commit()
            if suffix and running.part.exists():
                os.replace(running.part, folder / f"{job}{suffix}")
            write_state(folder, job, {**running.state, "done": running.state["total"], **extra, "state": "ready"})
        except (UserError, JobFailed) as error:
            db.rollback()
            running.part.unlink(missing_ok=True)
            details = error.details if isinstance(error, JobFailed) else {}
            write_state(folder, job, {**running.state, **details, "state": "failed",
                                      "error": "；".join(error.messages), "messages": [keep(m) for m in error.messages]})
        except MissingGlyphError as error:  # its message names the text and the character
            db.rollback()
            running.part.unlink(missing_ok=True)
            message = f"{failure}：{error}"
            write_state(folder, job, {**running.state, "state": "failed", "error": message, "messages": [message]})
        except Exception:  # noqa: BLE001 — the page must say the job failed
            db.rollback()
            running.part.unlink(missing_ok=True)
            # Never an exception's name on a page: the committee cannot act on it; the log can.
            log.exception("job %s (%s) failed", job, failure)
            message = f"{failure}：程序出错，数据未作任何改动。错误已记入服务器日志，请把本页地址告诉技术支持。"
            write_state(folder, job, {**running.state, "state": "failed", "error": message, "messages": [message]})
        finally:
            db.close()

    threading.Thread(target=run, name=f"job-{job}", daemon=True).start()
    return job


def open_result(folder: Path, job: str, suffix: str, *, once: bool) -> BinaryIO | None:
    """Open a finished job's file; with ``once`` it is unlinked at once (one download only)."""
    if not _valid(job):
        return None
    path = folder / f"{job}{suffix}"
    try:
        handle = open(path, "rb")
    except OSError:
        return None
    if once:
        path.unlink(missing_ok=True)
        write_state(folder, job, {**(read_state(folder, job) or {}), "state": "downloaded"})
    return handle


def sweep(folder: Path, max_age: float = JOB_MAX_AGE) -> None:
    """Remove the files and sidecars of jobs older than ``max_age`` seconds."""
    now = time.time()
    for path in folder.iterdir():
        try:
            if now - path.stat().st_mtime > max_age:
                path.unlink(missing_ok=True)
        except OSError:
            pass
