"""`make bench`: every speed figure of Juxuan as a ratio against a baseline measured in
the same run on the same machine, printed one per line as `name: ratio (details)`.

Ratios, not seconds: the machine's speed cancels out, so figures compare across runs.
Each bench lives beside the code it measures; this module only runs them in turn.
"""
from __future__ import annotations

import importlib
import sys
import traceback

# (label, module, function, kwargs): each function returns a dict with "ratio" and details.
BENCHES = [
    ("public recount: one 15-selection ballot encrypted and proved, ElectionGuard's 4096-bit group vs Juxuan's ristretto255, timed in alternation (median time ratio; verify_ratio beside, goal 25 on both)", "tools.bench_recount", "bench_recount", {}),
    ("public recount: verifying the public bundle of a 5,000-voter election (recount/papers.jsonl streamed, every proof) vs the rules' plain recount of its records (CPU time ratio; peak memory beside)",
     "tools.bench_recount_bundle", "bench_recount_bundle", {"n": 5_000}),
    ("ballot printing vs its floor: same form once + text + both QR codes encoded (papers/CPU-s ratio)",
     "ballots.bench", "bench_ballots", {"n": 2000}),
    ("reading scanned papers (fiducials, every box, the back's QR) vs rasterising the same pages at 200 dpi "
     "(CPU time ratio per page; pages per CPU second and against a 50 pages/min scanner beside)",
     "ballots.scan_bench", "bench_scan", {"papers": 20}),
    ("ballot printing through the service vs the printing floor", "tools.bench_polling", "bench_printing", {}),
    ("roll import of 10,000 residents vs python-calamine reading the file (time ratio)", "tools.bench_roll",
     "bench_import", {}),
    ("check-ins/s vs /healthz, load from 2 processes, alternating phases, median ratio (gunicorn -w 4 + PostgreSQL; server CPU per request beside)", "tools.bench_polling",
     "bench_checkins", {}),
    ("live tally poll p99 ms at 10,000 counted papers, 4 watchers (gunicorn -w 4 + PostgreSQL); entering_p99_ms beside: the same while counters enter 5 papers/s",
     "tools.bench_polling", "bench_live_tally", {}),
    ("tally of 100,000 records vs fetch + orjson + one Counter pass, GC off (time ratio)", "tools.bench_tally",
     "bench_tally", {}),
    ("verifying a 100,000-record bundle vs unzip + hash + one parse, GC off (time ratio)", "tools.bench_verify",
     "bench_verify", {}),
    ("receipt check on a sealed bundle of 100,000 deposits vs computing R and one lookup (p99 ratio; p99 must stay under 20 ms)",
     "tools.bench_receipt", "bench_receipt", {}),
    ("polling day, 10 communities x 5 desks, 60 s, PostgreSQL 4x4, kill -9 at 30 s: issue p50 vs /healthz p50",
     "tools.load.bench", "bench_load_postgresql", {}),
    ("polling day, 1 community x 5 desks, 60 s, SQLite 1x8, kill -9 at 30 s: issue p50 vs /healthz p50",
     "tools.load.bench", "bench_load_sqlite", {}),
    ("audit sample size at 5/10/20% margins vs BRAVO ballot polling (size ratio at 10%)", "tools.bench_audit",
     "bench_sample_sizes", {}),
]


def main() -> int:
    failed = 0
    for label, module, function, kwargs in BENCHES:
        try:
            bench = getattr(importlib.import_module(module), function)
        except (ImportError, AttributeError) as error:
            print(f"{label}: not available ({error})", flush=True)
            failed += 1
            continue
        try:
            result = bench(**kwargs)
        except Exception:  # a bench that breaks must not hide the others
            traceback.print_exc()
            print(f"{label}: FAILED", flush=True)
            failed += 1
            continue
        key = next((k for k in ("ratio", "p99_ms") if k in result), None) or next(k for k in result if k.startswith("ratio"))
        details = ", ".join(f"{k}={v}" for k, v in result.items() if k != key)
        print(f"{label}: {float(result[key]):.2f} ({details})", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
