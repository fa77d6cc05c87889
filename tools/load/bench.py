"""`make bench` entries of the load tool: a full polling day with a kill -9 in the middle.

The ratio is the desk's issue latency (p50) over /healthz's p50 measured on the same
loaded server in the same run (the true floor: routing, a worker thread, no database);
the raw throughput and p50/p99 of every action stand beside it. A run that loses or
duplicates anything acknowledged fails the bench."""
from __future__ import annotations

from .run import LoadConfig, run_load


def _bench(config: LoadConfig) -> dict:
    report = run_load(config)
    verified = report["verified"]
    if not verified["ok"]:
        raise RuntimeError(f"load run lost {verified['lost']} and duplicated {verified['duplicated']}: "
                           f"{verified['problems'][:5]}")
    out = {"ratio": report.get("issue_p50_over_healthz_p50", 0.0), "seconds": report["seconds"],
           "kill_downtime_s": (report["kill"] or {}).get("downtime_s"), "lost": verified["lost"],
           "duplicated": verified["duplicated"], "issued": verified["issued"], "deposited": verified["deposited"],
           "counted": verified["counted"]}
    for action, s in report["actions"].items():
        out[f"{action}_per_s"] = s["per_second"]
        out[f"{action}_p99_ms"] = s["p99_ms"]
    return out


def bench_load_postgresql(seconds: float = 60) -> dict:
    """50 desks over 10 communities for 60 s on PostgreSQL, gunicorn 4 workers x 4 threads."""
    return _bench(LoadConfig(database="postgresql", communities=10, desks=5, seconds=seconds, pace=2.0,
                             workers=4, threads=4, kill_at=seconds / 2))


def bench_load_sqlite(seconds: float = 60) -> dict:
    """One community's polling station (5 desks) for 60 s on SQLite, 1 worker x 8 threads."""
    return _bench(LoadConfig(database="sqlite", communities=1, desks=5, seconds=seconds, pace=2.0,
                             workers=1, threads=8, kill_at=seconds / 2))
