"""Latencies and counts per action, and the report as text."""
from __future__ import annotations

import threading
from collections import defaultdict


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


class Stats:
    """Per action: answered latencies, and counts of ok / refused / server errors / no answer."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def note(self, action: str, outcome: str, seconds: float | None = None) -> None:
        with self.lock:
            self.counts[action][outcome] += 1
            if seconds is not None:
                self.latency[action].append(seconds)

    def summary(self, seconds: float) -> dict:
        out = {}
        for action in sorted(set(self.counts) | set(self.latency)):
            lat = self.latency.get(action, [])
            counts = dict(self.counts.get(action, {}))
            out[action] = {**counts, "answered": len(lat), "per_second": round(counts.get("ok", 0) / seconds, 2),
                           "p50_ms": round(percentile(lat, 0.5) * 1000, 1),
                           "p99_ms": round(percentile(lat, 0.99) * 1000, 1)}
        return out


def text(report: dict) -> str:
    c = report["config"]
    lines = [f"居选投票日负载 / polling-day load: {c['database']}, {c['communities']} communities x {c['desks']} desks, "
             f"{c['workers']} workers x {c['threads']} threads, {report['seconds']:.0f} s, pace {c['pace']} s"]
    if report.get("kill"):
        k = report["kill"]
        lines.append(f"kill -9 at {k['at']:.1f} s, server back after {k['downtime_s']:.2f} s")
    lines.append(f"{'action':<10} {'ok':>7} {'refused':>8} {'5xx':>5} {'no-answer':>9} {'per s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for action, s in report["actions"].items():
        lines.append(f"{action:<10} {s.get('ok', 0):>7} {s.get('refused', 0):>8} {s.get('server_error', 0):>5} "
                     f"{s.get('down', 0):>9} {s['per_second']:>8} {s['p50_ms']:>8} {s['p99_ms']:>8}")
    v = report["verified"]
    lines.append(f"verified: {v['issued']} issuances, {v['deposited']} deposits, {v['counted']} records acknowledged; "
                 f"lost {v['lost']}, duplicated {v['duplicated']}, chain events match: {v['events_match']} -> "
                 f"{'OK' if v['ok'] else 'FAILED'}")
    for problem in v["problems"][:10]:
        lines.append("  " + problem)
    return "\n".join(lines)
