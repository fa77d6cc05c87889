"""tools/bench_tally: the bench runs end to end on a small count and returns its ratio."""
from tools.bench_tally import bench_tally


def test_bench_tally_small():
    out = bench_tally(n=300)
    assert out["records"] == 300 and out["ratio"] > 0 and out["tally_s"] > 0
