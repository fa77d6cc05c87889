"""The server under load: gunicorn on 127.0.0.1 in a process group of its own, which the
load tool can kill -9 and start again on the same port and database."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, env: dict[str, str], workers: int, threads: int, log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **env, "JUXUAN_TRUSTED_PROXIES": "1"}
        self.workers, self.threads, self.log = workers, threads, log
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> float:
        """Start gunicorn and wait until /healthz answers; returns the seconds it took."""
        from election import clock

        started = time.perf_counter()
        # The server's project clock reads what the tool's reads (pinned in tests).
        self.env[clock.PIN_VARIABLE] = clock.now().isoformat()
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [str(Path(sys.executable).parent / "gunicorn"), "-c", "python:election.gunicorn_conf",
                 "-w", str(self.workers), "--threads", str(self.threads), "-b", f"127.0.0.1:{self.port}",
                 "--timeout", "120", "wsgi:app"],
                cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True,
            )
        while time.perf_counter() - started < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}; see {self.log}")
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=2).read()
                return time.perf_counter() - started
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not answer /healthz in time")

    def kill9(self) -> None:
        """SIGKILL the master and every worker at once: nothing gets to clean up."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
