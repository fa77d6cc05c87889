"""Bench: verifying the public bundle of a 5,000-voter election with its public recount
(recount.json and recount/papers.jsonl: every paper's ciphertexts and proofs, two of three
trustees' partial decryptions) as a ratio to its plain recount (the rules' count of the same
5,000 plain records), measured in the same run.

The bundle is tools.bench_verify's (real codes, keys, chain, Merkle trees, seal; three posts,
nine candidates) with the recount made as the trustees service makes it: a real ceremony of
three trustees, every record's vector encrypted with its proofs, partial decryptions of the
totals. The verifier runs as ``python -m tools.verify`` in a child process, so its CPU time
and peak memory (VmHWM) are its own. ``python -m tools.bench_recount_bundle [N]``.
"""
from __future__ import annotations

import gc
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from election.crypto import ceremony, recount_doc
from election.crypto.record import paper_vector, shapes
from election.protocol import bundle
from election.protocol.bundle import Record, group_boxes
from election.protocol.canonical import canonical_json
from election.protocol.recount import to_paper
from election.rules.rulebook import Rulebook
from election.rules.tally_count import count_papers
from election.rules.tally_types import PostSpec
from tools.bench_verify import POSTS, build_bundle

PASS = "一位受托人的长口令"
SPECS = [PostSpec(k, v["body"], k, v["seats"], v["rank"]) for k, v in POSTS.items()]
LISTED = {k: list(v["candidates"]) for k, v in POSTS.items()}


def recount_files(records: Sequence[Record], totals: Mapping[str, Any],
                  groups: Sequence[Sequence[str]] | None = None, keep: dict[str, Any] | None = None) -> dict[str, bytes]:
    """recount.json and recount/papers.jsonl for these records, by a real 2-of-3 ceremony
    (``groups``: the box groups, by default those box_totals.json forms; ``keep``, when given,
    receives the ceremony, the public parts, the trustees' sealed keys and the papers, for a
    test that has the trustees decrypt more)."""
    del totals  # the decrypted totals come from the ciphertexts; the verifier compares them
    doc = ceremony.issue("bench-election", bytes(32), 2, ["主任", "总监票人", "街道办"])
    started = [ceremony.start(doc, i, PASS) for i in (1, 2, 3)]
    publics = [p for p, _ in started]
    sent = [ceremony.shares(doc, publics, private, PASS) for _, private in started]
    finished = [ceremony.finish(doc, publics, sent, private, PASS) for _, private in started]
    key = bytes.fromhex(finished[0][0]["joint_key"])
    rb = Rulebook()
    post_shapes = shapes(SPECS, LISTED, rb.multi_post_rule)
    vectors = [(r.d, r.box, *paper_vector(to_paper(r.marks), SPECS, LISTED, rb.overvote_scope, rb.multi_post_rule))
               for r in records]
    papers = recount_doc.encrypt_round(bytes(32), key, post_shapes, vectors)
    # The box groups as box_totals.json forms them (every box of the bench holds papers).
    if groups is None:
        groups = group_boxes(Counter(r.box for r in records), rb.min_box_size)
    encrypted = recount_doc.encrypted_totals(papers, groups)
    partials = [ceremony.decrypt(doc, publics, encrypted, finished[i - 1][1], PASS, i) for i in (1, 3)]
    decrypted = recount_doc.decrypt(doc, publics, post_shapes, papers, partials, groups)
    header = recount_doc.document(doc, publics, post_shapes, LISTED, papers, partials, decrypted, groups)
    if keep is not None:
        keep.update(ceremony=doc, publics=publics, keys=[key for _, key in finished], papers=papers, passphrase=PASS)
    return {"recount.json": canonical_json(header) + b"\n",
            recount_doc.PAPERS: b"".join(canonical_json(p) + b"\n" for p in papers)}


# tools/verify, then its own peak resident memory from /proc (VmHWM, of this program's memory
# only: a child's ru_maxrss also counts the parent's pages it was forked with).
_PEAK = """
import runpy, sys
sys.argv = ["tools.verify", *sys.argv[1:]]
try:
    runpy.run_module("tools.verify", run_name="__main__")
finally:
    with open("/proc/self/status", encoding="ascii") as status:
        print(next(line for line in status if line.startswith("VmHWM")), file=sys.stderr)
"""


def _plain_recount(records: Sequence[Record]) -> float:
    """The rules' count of the plain records, CPU seconds (best of three, GC off)."""
    rb = Rulebook()
    papers = [to_paper(r.marks) for r in records]
    best = float("inf")
    gc.disable()
    try:
        for _ in range(3):
            started = time.process_time()
            count_papers(SPECS, papers, rb.overvote_scope, rb.multi_post_rule)
            best = min(best, time.process_time() - started)
    finally:
        gc.enable()
    return best


def bench_recount_bundle(n: int = 5_000) -> dict[str, Any]:
    started = time.perf_counter()
    auditor = build_bundle(n, boxes=20, extra=recount_files)
    built = time.perf_counter() - started
    files = bundle.read_files(auditor)
    records = bundle.parse_records(files["records.jsonl"])
    public = bundle.write_files({k: v for k, v in files.items() if k not in bundle.AUDITOR_ONLY})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "public.zip"
        path.write_bytes(public)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", _PEAK, "--json", str(path)],
                             capture_output=True, text=True, check=False)
        wall = time.perf_counter() - wall
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    checks = json.loads(out.stdout) if out.stdout.strip().startswith("{") else {}
    if out.returncode != 0 or not checks.get("recount_totals"):
        raise AssertionError(f"the bench's public bundle does not verify: {out.stdout[-500:]} {out.stderr[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    peak = int(out.stderr.rsplit("VmHWM:", 1)[-1].split()[0]) if "VmHWM:" in out.stderr else -1
    plain = _plain_recount(records)
    return {"ratio": round(cpu / plain, 1), "voters": n, "verify_cpu_s": round(cpu, 1), "verify_wall_s": round(wall, 1),
            "verify_peak_mib": round(peak / 1024), "plain_recount_ms": round(plain * 1000, 1),
            "papers_member_mib": round(len(files[recount_doc.PAPERS]) / 2**20, 1),
            "public_zip_mib": round(len(public) / 2**20, 1), "build_s": round(built, 1)}


if __name__ == "__main__":
    print(bench_recount_bundle(int(sys.argv[1]) if len(sys.argv) > 1 else 5_000))
