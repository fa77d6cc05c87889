"""`juxuan office keygen` and `juxuan office countersign` on the office's own computer: no
server, no database; the private key is written encrypted and stays in the office's file,
and a bundle that fails any check (or a pinned key it does not match) is not signed."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from election.protocol import bundle, signing
from election.protocol.office import attach
from election.protocol.verify import Pins, verify_bundle
from tests.protocol import forgeries
from tests.protocol.builder import build

ROOT = Path(__file__).resolve().parents[2]


def _juxuan(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "FLASK_APP")}
    return subprocess.run([sys.executable, "-c", "from election.cli import main; main()", *args], cwd=cwd, env=env, capture_output=True, text=True)


def test_keygen_and_countersign_offline(tmp_path: Path) -> None:
    (tmp_path / "pass").write_text("office-pass-1\n")
    res = _juxuan("office", "keygen", "--out", "keys", "--passphrase-file", "pass", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    private = (tmp_path / "keys" / "office-key.pem").read_bytes()
    assert b"ENCRYPTED PRIVATE KEY" in private and oct((tmp_path / "keys" / "office-key.pem").stat().st_mode)[-3:] == "600"
    public = (tmp_path / "keys" / "office-key.pub.pem").read_bytes()
    fp = signing.fingerprint(signing.public_key_from_pem(public))
    assert fp in res.stdout
    built = build()
    good = tmp_path / "auditor.zip"
    good.write_bytes(bundle.write_bundle(built.parts))
    ek = signing.fingerprint(built.key.public_key())
    res = _juxuan("office", "countersign", "auditor.zip", "--key", "keys/office-key.pem", "--passphrase-file", "pass",
                  "--expect-key", ek, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    sig = (tmp_path / "auditor.zip.countersign.json").read_bytes()
    files = attach(bundle.read_files(good.read_bytes()), sig, public)
    assert all(c.ok for c in verify_bundle(bundle.write_files(files), Pins(office_key=fp)))
    assert json.loads(sig)["key"] == fp
    # A forged bundle, or a re-made chain against the pinned key, is refused and nothing is written.
    bad = tmp_path / "forged.zip"
    bad.write_bytes(forgeries.forged(built, forgeries.totals_raised))
    res = _juxuan("office", "countersign", "forged.zip", "--key", "keys/office-key.pem", "--passphrase-file", "pass",
                  cwd=tmp_path)
    assert res.returncode == 1 and "bounds" in res.stderr and not (tmp_path / "forged.zip.countersign.json").exists()
    remade, _ = forgeries.remade_chain(built)
    (tmp_path / "remade.zip").write_bytes(remade)
    res = _juxuan("office", "countersign", "remade.zip", "--key", "keys/office-key.pem", "--passphrase-file", "pass",
                  "--expect-key", ek, cwd=tmp_path)
    assert res.returncode == 1 and "pin_key" in res.stderr


def test_seed_commit_offline(tmp_path: Path) -> None:
    """`juxuan office seed-commit`: the auditor's commitment to secret digits (docs/AUDIT.md §3),
    computed on the office's computer; the digits are asked twice and never printed."""
    from election.protocol import rla

    env = {**{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "FLASK_APP")}, "PYTHONPATH": str(ROOT)}
    secret = "1414 2135 6237 3095 0488"
    res = subprocess.run([sys.executable, "-c", "from election.cli import main; main()", "office", "seed-commit"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, input=f"{secret}\n{secret}\n")
    assert res.returncode == 0, res.stderr
    assert rla.seed_commitment(secret) in res.stdout and "14142135" not in res.stdout
    res = subprocess.run([sys.executable, "-c", "from election.cli import main; main()", "office", "seed-commit"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, input="123\n123\n")
    assert res.returncode != 0 and "至少需要 20 位数字" in res.stderr
