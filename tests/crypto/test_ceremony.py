"""The key ceremony as the trustees run it: each step through the trustee's own tool and the
documents the server relays, then a decryption by two of the three."""
from __future__ import annotations

import json
import os
from pathlib import Path

from election.crypto import ceremony, group, trustees
from election.crypto.dlog import SmallLogs
from election.crypto.elgamal import encrypt, parse, total
from tools.trustee import main as trustee

BASE = bytes.fromhex("cd" * 32)


def test_three_trustees_make_a_key_and_two_decrypt(tmp_path: Path, capsys):
    (tmp_path / "ceremony.json").write_text(json.dumps(ceremony.issue("e-1", BASE, 2, ["主任", "总监票人", "街道办"])))
    pw = tmp_path / "pw"
    pw.write_text("一位受托人的长口令")
    run = lambda *a: trustee(["--passphrase-file", str(pw), *a])  # noqa: E731
    c = str(tmp_path / "ceremony.json")
    for i in (1, 2, 3):
        assert run("start", c, "--index", str(i), "--public-out", str(tmp_path / f"pub{i}.json"),
                   "--private-out", str(tmp_path / f"priv{i}")) == 0
        assert oct(os.stat(tmp_path / f"priv{i}").st_mode & 0o777) == "0o600"
    publics = [json.loads((tmp_path / f"pub{i}.json").read_text()) for i in (1, 2, 3)]
    (tmp_path / "publics.json").write_text(json.dumps(publics))
    for i in (1, 2, 3):
        assert run("shares", c, str(tmp_path / "publics.json"), "--private", str(tmp_path / f"priv{i}"),
                   "--out", str(tmp_path / f"shares{i}.json")) == 0
    (tmp_path / "shares.json").write_text(json.dumps([json.loads((tmp_path / f"shares{i}.json").read_text()) for i in (1, 2, 3)]))
    readies = []
    for i in (1, 2, 3):
        assert run("finish", c, str(tmp_path / "publics.json"), str(tmp_path / "shares.json"),
                   "--private", str(tmp_path / f"priv{i}"), "--key-out", str(tmp_path / f"key{i}"),
                   "--out", str(tmp_path / f"ready{i}.json")) == 0
        readies.append(json.loads((tmp_path / f"ready{i}.json").read_text()))
    joint = {r["joint_key"] for r in readies}
    assert len(joint) == 1
    key = bytes.fromhex(joint.pop())
    published = ceremony.checked_publics(json.loads(Path(c).read_text()), publics)
    assert key == trustees.joint_key(published)

    c_total = total([encrypt(key, m, group.random_scalar()) for m in (1, 0, 1, 1)])
    (tmp_path / "totals.json").write_text(json.dumps({"jwh_zhuren/a0": c_total.to_json()}))
    partials = []
    for i in (1, 3):
        assert run("decrypt", c, str(tmp_path / "publics.json"), str(tmp_path / "totals.json"),
                   "--key", str(tmp_path / f"key{i}"), "--index", str(i), "--out", str(tmp_path / f"part{i}.json")) == 0
        doc = json.loads((tmp_path / f"part{i}.json").read_text())["partials"]["jwh_zhuren/a0"]
        from election.crypto.proofs import EqualityProof, parse_pair
        partial = trustees.Partial(i, bytes.fromhex(doc["value"]), EqualityProof(*parse_pair(doc["proof"], "p")))
        trustees.check_partial(BASE, published, parse(c_total.to_json(), "t"), b"jwh_zhuren/a0", partial)
        partials.append(partial)
    assert SmallLogs(10).log(trustees.combine(2, c_total, partials), "t") == 3

    # A wrong passphrase or another trustee's key is refused with a Chinese message, no traceback.
    pw.write_text("不是这个口令的口令")
    assert run("decrypt", c, str(tmp_path / "publics.json"), str(tmp_path / "totals.json"),
               "--key", str(tmp_path / "key1"), "--index", "1", "--out", str(tmp_path / "x.json")) == 2
    assert "口令不对" in capsys.readouterr().err


def test_a_forged_public_part_is_refused_by_every_trustee(tmp_path: Path):
    doc = ceremony.issue("e-1", BASE, 2, ["甲", "乙"])
    publics = [ceremony.start(doc, i, "一位受托人的长口令")[0] for i in (1, 2)]
    forged = dict(publics[1], commitments=[group.base_mul(group.random_scalar()).hex(), publics[1]["commitments"][1]])
    try:
        ceremony.checked_publics(doc, [publics[0], forged])
    except group.CryptoError as error:
        assert error.check == "knowledge_proof"
    else:
        raise AssertionError("a commitment without its proof of knowledge was accepted")
