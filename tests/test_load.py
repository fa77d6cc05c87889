"""The load tool in small (issue 17): a polling day against a real gunicorn on this lane's
database, killed with SIGKILL in the middle and restarted; every acknowledged issuance,
deposit and record is in the database exactly once. `make bench` runs it at full size."""
from __future__ import annotations

import os

from tools.load import LoadConfig, run_load
from tools.load.report import text


def test_small_polling_day_with_kill_loses_nothing(schema):
    database = "postgresql" if os.environ.get("JUXUAN_TEST_DATABASE_URL") else "sqlite"
    report = run_load(LoadConfig(database=database, communities=1, desks=2, seconds=8, pace=0.3, kill_at=4,
                                 workers=2 if database == "postgresql" else 1, threads=4))
    printed = text(report)
    verified = report["verified"]
    assert verified["ok"], printed
    assert verified["lost"] == 0 and verified["duplicated"] == 0 and verified["events_match"], printed
    assert report["kill"] is not None and report["kill"]["downtime_s"] > 0, printed
    actions = report["actions"]
    for action in ("lookup", "issue", "deposit", "record", "tally", "healthz"):
        assert actions[action]["ok"] > 0, printed
        assert actions[action].get("server_error", 0) == 0, printed
    assert verified["issued"] >= verified["deposited"] >= verified["counted"] > 0, printed
    assert actions["issue"]["p99_ms"] >= actions["issue"]["p50_ms"] > 0
