"""Bench: the audit's expected sample sizes (docs/AUDIT.md) at diluted margins of 5%, 10%
and 20% and a 5% risk limit, beside BRAVO's ballot-polling average sample number for the
same margins (two candidates, no blanks). ``ratio`` is the comparison audit's size over
BRAVO's at 10%: how much smaller the audit is than the ballot-polling floor it replaces.

Sizes: no discrepancies (the first sample the audit draws), and the size Stark's tool
plans with one-vote overstatements at 1 in 1,000 and two-vote at 1 in 10,000."""
from __future__ import annotations

from election.protocol import rla

MARGINS = (0.05, 0.10, 0.20)


def bench_sample_sizes(risk_limit: float = 0.05) -> dict[str, object]:
    out: dict[str, object] = {}
    for m in MARGINS:
        pct = int(round(m * 100))
        clean = rla.sample_size(m, risk_limit)
        planned = rla.planned_sample_size(m, risk_limit, r1=0.001, r2=0.0001, s1=0.001, s2=0.0001)
        bravo = rla.bravo_sample_size((1 + m) / 2, (1 - m) / 2, risk_limit)
        out[f"margin{pct}"] = f"comparison {clean} (planned {planned}) vs BRAVO {bravo}"
        print(f"  margin {pct:>2}%: comparison audit {clean:>4} papers (with expected errors {planned:>4}); "
              f"BRAVO ballot polling {bravo:>5}", flush=True)
    ten_c = rla.sample_size(0.10, risk_limit)
    ten_b = rla.bravo_sample_size(0.55, 0.45, risk_limit)
    return {"ratio": round(ten_c / ten_b, 3), **out}
