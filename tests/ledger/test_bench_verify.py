"""tools/bench_verify.py builds a bundle that verifies and reports a positive ratio (small N here)."""
from tools.bench_verify import bench_verify


def test_bench_verify_small():
    out = bench_verify(2000)
    assert out["records"] == 2000 and out["ratio"] > 0 and out["checks"] >= 15
