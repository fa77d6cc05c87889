"""Hypothesis fuzzing of bundles: any input gives named checks, never a traceback, and the
verifier's memory stays bounded. A short run in the suite; ten minutes under `make soak`."""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from election.protocol import bundle
from election.protocol.verify import NAMES_ZH, Check, verify_bundle
from tests.protocol.builder import build

BUILT = build()
FILES = bundle.render(BUILT.parts)
NAMES = sorted(FILES)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**60), 2**60) | st.text(max_size=20) | st.floats(allow_nan=True),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@st.composite
def mutated(draw) -> bytes:
    files = dict(FILES)
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(NAMES))
        how = draw(st.integers(0, 5))
        blob = files.get(name, b"")
        if how == 0:  # flip bytes
            pos = draw(st.integers(0, max(len(blob) - 1, 0)))
            files[name] = blob[:pos] + bytes([draw(st.integers(0, 255))]) + blob[pos + 1:]
        elif how == 1:  # truncate
            files[name] = blob[: draw(st.integers(0, len(blob)))]
        elif how == 2:  # replace a JSON value somewhere in the tree
            try:
                value = json.loads(blob)
            except ValueError:
                continue
            files[name] = _replace(value, draw) + b"\n"
        elif how == 3:  # drop the file
            files.pop(name, None)
        elif how == 4:  # a wholly arbitrary JSON value
            files[name] = json.dumps(draw(json_values), ensure_ascii=False).encode() + b"\n"
        else:  # a line of a JSON-lines file
            lines = blob.split(b"\n")
            i = draw(st.integers(0, max(len(lines) - 1, 0)))
            lines[i] = json.dumps(draw(json_values)).encode()
            files[name] = b"\n".join(lines)
    if draw(st.booleans()):
        return bundle.write_files(files)
    raw = bundle.write_files(files)
    pos = draw(st.integers(0, len(raw) - 1))
    return raw[:pos] + bytes([draw(st.integers(0, 255))]) + raw[pos + 1:]


def _replace(value, draw) -> bytes:
    path = value
    if isinstance(path, list) and path:
        i = draw(st.integers(0, len(path) - 1))
        path[i] = draw(json_values)
    elif isinstance(path, dict) and path:
        k = draw(st.sampled_from(sorted(path)))
        if isinstance(path[k], (dict, list)) and path[k] and draw(st.booleans()):
            inner = path[k]
            if isinstance(inner, list):
                inner[draw(st.integers(0, len(inner) - 1))] = draw(json_values)
            else:
                inner[draw(st.sampled_from(sorted(inner)))] = draw(json_values)
        else:
            path[k] = draw(json_values)
    else:
        value = draw(json_values)
    try:
        return bundle.canonical_json(value)
    except ValueError:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _named(checks: list[Check]) -> None:
    assert checks, "no checks at all"
    for c in checks:
        assert c.name_en in NAMES_ZH and isinstance(c.detail, str)
    assert not all(c.ok for c in checks) or len(checks) > 10


def _fuzz(examples: int, seconds: float = 0) -> int:
    """Run ``examples`` fuzzed bundles, in batches until ``seconds`` have passed; returns
    how many were checked."""
    import time

    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(mutated())
    def one(data: bytes) -> None:
        _named(verify_bundle(data))

    end = time.monotonic() + seconds
    done = 0
    while True:
        one()
        done += examples
        if time.monotonic() >= end:
            return done


def test_fuzzed_bundles_give_named_checks_never_a_traceback() -> None:
    _fuzz(150)


def test_fuzzed_bundles_recount_gives_a_result_or_a_message_never_a_traceback() -> None:
    """``python -m tools.verify --recount`` on a mutated auditor bundle: the recomputed votes
    or a ValueError whose message is printed — never another exception."""
    from tools.verify import recount

    @settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(mutated())
    def one(data: bytes) -> None:
        try:
            out = recount(data)
        except ValueError as error:
            assert str(error)
        else:
            assert isinstance(out, dict) and "posts" in out

    one()


def test_zip_bombs_and_hostile_json_are_bounded() -> None:
    """A member that inflates past the bound, deep nesting, a huge integer, duplicate keys."""
    from election.protocol.verify_read import MAX_MEMBER

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, blob in FILES.items():
            if name == "records.jsonl":
                info = zipfile.ZipInfo(name)
                info.compress_type = zipfile.ZIP_DEFLATED
                with z.open(info, "w", force_zip64=True) as fh:
                    for _ in range(MAX_MEMBER // (1 << 20) + 1):
                        fh.write(b" " * (1 << 20))
            else:
                z.writestr(name, blob)
    assert {c.name_en for c in verify_bundle(buf.getvalue()) if not c.ok} == {"zip_size"}
    for hostile in (b"[" * 100000 + b"]" * 100000, b'{"a":1,"a":2}', b"1" * 400, b"[1e400]", b'"\\ud800"'):
        files = dict(FILES)
        files["totals.json"] = hostile + b"\n"
        failed = {c.name_en for c in verify_bundle(bundle.write_files(files)) if not c.ok}
        assert failed == {"canonical"}, (hostile[:20], failed)


def _worst_case(tmp_path) -> Path:
    """The largest input the bounds let through to parsing: distinct short strings up to the
    memory estimate (the costliest JSON values per byte), in two members."""
    import itertools
    import string

    from election.protocol.verify_read import MEMORY_BUDGET, PER_VALUE

    alphabet = string.ascii_letters + string.digits
    names = ("".join(p) for p in itertools.product(alphabet, repeat=4))
    n = MEMORY_BUDGET // (PER_VALUE + 14) - 60_000  # each value: 7 bytes counted twice, and its 64
    files = dict(FILES)
    files["spoiled.json"] = b"[" + b",".join(f'"{next(names)}"'.encode() for _ in range(n // 2)) + b"]\n"
    files["unused.json"] = b"[" + b",".join(f'"{next(names)}"'.encode() for _ in range(n - n // 2)) + b"]\n"
    path = tmp_path / "worst.zip"
    path.write_bytes(bundle.write_files(files))
    return path


def test_peak_memory_of_the_worst_bounded_input_is_under_300_mb(tmp_path) -> None:
    """Must show 2 of issue 23 (memory): the verifier as its own process, on the costliest
    input the bounds allow, peaks (maximum resident set) under 300 MB."""
    import subprocess
    import sys

    path = _worst_case(tmp_path)
    # The child reports its own peak (VmHWM of its own address space): ru_maxrss, of the child
    # or of RUSAGE_CHILDREN, keeps the high-water mark of the forked test process across exec.
    probe = ("import re, sys\nfrom tools.verify.__main__ import main\ncode = main([sys.argv[1]])\n"
             "hwm = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)\n"
             "print('MAXRSS', hwm)\nsys.exit(code)")
    res = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True, timeout=300)
    peak_kb = int(res.stdout.rsplit("MAXRSS", 1)[1].split()[0])
    assert res.returncode == 1 and "FAILED" in res.stdout and "Traceback" not in res.stderr
    assert peak_kb > 0
    print(f"peak RSS {peak_kb / 1024:.0f} MiB for a {path.stat().st_size} byte zip")
    assert peak_kb < 300 * 1024


@pytest.mark.soak
def test_ten_minutes_of_fuzzing_no_traceback() -> None:
    """Must show 2 of issue 23: ten minutes of hypothesis-mutated bundles, each giving named
    checks and never a traceback."""
    n_fuzzed = _fuzz(200, seconds=600)
    print(f"{n_fuzzed} fuzzed bundles")


_RAW = bundle.write_files(FILES)
_JSON_TOKENS = (b"{", b"}", b"[", b"]", b'"', b"null", b"-0", b"1e999", b"9" * 40, b'"\\ud800"', b'{"a":1,"a":2}', b"[[[[[[[[",
                b"\n", b"2147483648")


def _zip_mutated(rng) -> None:
    """A bundle re-zipped with a member mutated, recompressed (bzip2, LZMA, stored),
    duplicated, renamed, dropped or nested, or its zip bytes flipped or cut: named checks,
    and the recount a result or its ValueError (tests/mutate.py)."""
    from tests.mutate import mutate_zip
    from tools.verify import recount

    data = mutate_zip(rng, _RAW, _JSON_TOKENS)
    _named(verify_bundle(data))
    try:
        recount(data)
    except ValueError as error:
        assert str(error)


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(st.randoms(use_true_random=False))
def test_rezipped_bundles_give_named_checks(rng) -> None:
    _zip_mutated(rng)


@pytest.mark.soak
def test_ten_minutes_of_rezipped_bundles() -> None:
    """About 19,400 of these ran without a traceback when this test was added."""
    import random
    import time

    rng = random.Random(20261130)
    end, done = time.monotonic() + 600, 0
    while time.monotonic() < end:
        _zip_mutated(rng)
        done += 1
    print(f"{done} re-zipped bundles")
