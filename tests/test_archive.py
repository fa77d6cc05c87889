"""Moving one election as a signed, encrypted archive (issue 17): in a fresh deployment
with its own data key the moved election gives the same bundles and verifies identically;
a wrong passphrase, a changed payload, a manifest re-signed by another key, a pinned
fingerprint that does not match, a second import and clashing ids are each refused with
their own Chinese message and leave the receiving database as it was."""
from __future__ import annotations

import uuid
import zipfile
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from election.app import create_app
from election.archive import export_election, import_election, read_manifest
from election.db import make_engine
from election.errors import UserError
from election.ledger.keys import fingerprint_of
from election.models import Base, Election, Resident
from election.pii import PersonalData
from election.protocol import signing
from election.protocol.canonical import canonical_json
from election.publication import published as publication
from election.publication.bundle import export_bundle
from tests.conftest import DATA_KEY
from tests.factories import new_election
from tests.ledger.helpers import simulated
from tools.verify import run

PASSPHRASE = "县城东街道-2026-迁移"


@pytest.fixture
def target(tmp_path, fresh_url):
    """A second deployment: its own empty database, instance folder and data key."""
    engine = make_engine(fresh_url)
    Base.metadata.create_all(engine)
    key = Fernet.generate_key().decode("ascii")
    other = create_app({"DATABASE_URL": fresh_url, "INSTANCE_PATH": str(tmp_path / "target"), "TESTING": True,
                        "DATA_KEY": key, "SECRET_KEY": "t-" + uuid.uuid4().hex})
    session = other.extensions["juxuan.sessions"]()
    yield other, session, key
    session.close()
    other.extensions["juxuan.engine"].dispose()
    engine.dispose()


def _members(data: bytes) -> dict[str, bytes]:
    import io

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def _checks(data: bytes) -> list[tuple[str, bool]]:
    return [(c.name_en, c.ok) for c in run(data)]


@pytest.fixture
def moved(app, db, tmp_path):
    sim = simulated(db, voters=60)
    pii = PersonalData(DATA_KEY)
    for n, person in enumerate(db.scalars(select(Resident).where(Resident.election_id == sim.election.id))):
        number = f"3201021980010{n:04d}X"
        person.id_cipher, person.id_hash, person.phone_cipher = pii.encrypt(number), pii.lookup_hash(number), pii.encrypt(f"1390000{n:04d}")
    db.commit()
    sealed = publication.publish_bundle(db, sim.election, DATA_KEY, "committee", app.instance_path)
    db.commit()
    path = tmp_path / "election.jxa"
    report = export_election(db, sim.election, DATA_KEY, PASSPHRASE, app.instance_path, path)
    return sim, sealed, path, report


def test_moved_election_verifies_identically(app, db, moved, target):
    sim, sealed, path, report = moved
    other, rdb, key = target
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    with zipfile.ZipFile(path) as z:
        assert sorted(z.namelist()) == ["FORMAT", "manifest.json", "manifest.sig", "payload.bin"]
        raw = b"".join(z.read(n) for n in z.namelist())
    ids = [r.id for r in db.scalars(select(Resident).where(Resident.election_id == sim.election.id))]
    numbers = {r.id: PersonalData(DATA_KEY).decrypt(r.id_cipher)
               for r in db.scalars(select(Resident).where(Resident.election_id == sim.election.id))}
    leaked = [n for n in numbers.values() if not n or n.encode() in raw or n.encode() in raw.replace(b"-", b"")]
    assert not leaked, (leaked[:3], len(numbers))  # no ID number in the clear
    before = export_bundle(db, sim.election, DATA_KEY, "committee", auditor=True).data
    db.rollback()

    done = import_election(rdb, path, key, PASSPHRASE, other.instance_path, expect_key=report.fingerprint)
    rdb.commit()
    election = rdb.get_one(Election, done.election_id)
    assert election.uid == sim.election.uid and fingerprint_of(rdb, election) == report.fingerprint
    assert done.rows == report.rows and done.rows["resident"] == len(ids)
    # The receiving instance's own key now seals the personal data and the election key.
    pii = PersonalData(key)
    for r in rdb.scalars(select(Resident).where(Resident.election_id == election.id)):
        assert pii.decrypt(r.id_cipher) == numbers[r.id] and r.id_hash == pii.lookup_hash(numbers[r.id])
    stored = publication.bundle_path(other.instance_path, election, sealed.round_number).read_bytes()
    assert stored == sealed.data
    after = export_bundle(rdb, election, key, "committee", auditor=True).data
    rdb.rollback()
    original, again = _checks(before), _checks(after)
    assert all(ok for _, ok in original), original
    assert again == original
    # Same rows and key: the same files, but for the export's own new event (its second).
    a, b = _members(after), _members(before)
    assert a.pop("chain.jsonl").splitlines()[:-1] == b.pop("chain.jsonl").splitlines()[:-1]
    a.pop("head.sig"), b.pop("head.sig")
    assert a == b

    with pytest.raises(UserError, match="本实例已有这场选举"):
        import_election(rdb, path, key, PASSPHRASE, other.instance_path)


def _rewrite(path: Path, out: Path, **members: bytes) -> Path:
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            dst.writestr(name, members.get(name.replace(".", "_"), src.read(name)))
    return out


def test_forged_or_mistaken_archives_are_refused(moved, target, tmp_path):
    sim, _, path, report = moved
    other, rdb, key = target

    def refused(archive: Path, pattern: str, passphrase: str = PASSPHRASE, expect: str | None = None) -> None:
        with pytest.raises(UserError, match=pattern):
            import_election(rdb, archive, key, passphrase, other.instance_path, expect)
        rdb.rollback()
        assert rdb.scalar(select(func.count()).select_from(Election)) == 0

    refused(path, "口令不对", passphrase="not the passphrase at all")
    refused(path, "与指定的", expect="0000 1111 2222 3333")
    with zipfile.ZipFile(path) as z:
        payload, body = bytearray(z.read("payload.bin")), z.read("manifest.json")
    payload[len(payload) // 2] ^= 1
    refused(_rewrite(path, tmp_path / "payload.jxa", payload_bin=bytes(payload)), "摘要与签名清单不符")
    # A manifest signed by a key other than the one the election's chain was made with.
    forger = signing.generate_key()
    import orjson
    doc = orjson.loads(body)
    doc["key"] = {"public_pem": signing.public_key_to_pem(forger.public_key()).decode("ascii"),
                  "fingerprint": signing.fingerprint(forger.public_key())}
    forged = canonical_json(doc)
    resigned = _rewrite(path, tmp_path / "resigned.jxa", manifest_json=forged, manifest_sig=forger.sign(forged).hex().encode())
    refused(resigned, "与指定的", expect=report.fingerprint)
    refused(resigned, "创世记录中的密钥指纹与档案签名密钥不符")
    # Changed after signing, not re-signed.
    doc = orjson.loads(body)
    doc["title"] = "另一场选举"
    refused(_rewrite(path, tmp_path / "unsigned.jxa", manifest_json=canonical_json(doc)), "签名无效")
    junk = tmp_path / "junk.jxa"
    junk.write_bytes(b"PK not a zip")
    refused(junk, "不是居选选举档案")
    assert read_manifest(path, report.fingerprint)["election"] == sim.election.uid


def test_clashing_ids_are_refused_naming_the_table(moved, target):
    _, _, path, _ = moved
    other, rdb, key = target
    new_election(rdb, name="丁社区")  # the receiving instance already uses the first ids
    rdb.commit()
    with pytest.raises(UserError, match="数据表“election”已有编号"):
        import_election(rdb, path, key, PASSPHRASE, other.instance_path)
    rdb.rollback()
    assert rdb.scalar(select(func.count()).select_from(Election)) == 1


def test_export_refuses_a_short_passphrase(app, db, tmp_path):
    sim = simulated(db, voters=20)
    with pytest.raises(UserError, match="至少 12 个字符"):
        export_election(db, sim.election, DATA_KEY, "short", app.instance_path, tmp_path / "x.jxa")
    assert not (tmp_path / "x.jxa").exists()


def test_every_table_is_either_an_elections_or_the_instances():
    """A new table must be placed: exported with its election, or named instance-wide."""
    from election.archive import NOT_ELECTION, _scopes

    assert set(Base.metadata.tables) == set(_scopes()) | NOT_ELECTION


def _crafted(path: Path, out: Path, tables=None, manifest=None, files: dict[str, bytes] | None = None) -> Path:
    """The archive's payload changed and everything signed again by a key of the crafter's
    own, as anyone may (only --expect-key tells it from the election's): ``tables`` edits
    the parsed rows ({table: rows}), ``manifest`` the manifest, ``files`` adds members."""
    import hashlib
    import io
    import secrets

    import orjson
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from election.archive import FORMAT, _key

    with zipfile.ZipFile(path) as z:
        doc, payload = orjson.loads(z.read("manifest.json")), z.read("payload.bin")
    key = _key(PASSPHRASE, bytes.fromhex(doc["kdf"]["salt"]))
    inner = AESGCM(key).decrypt(payload[:12], payload[12:], FORMAT.encode())
    members = _members(inner)
    parsed = {n[len("tables/"):-len(".jsonl")]: [orjson.loads(line) for line in b.split(b"\n") if line]
              for n, b in members.items() if n.startswith("tables/")}
    if tables:
        tables(parsed)
        for name, rows in parsed.items():
            members[f"tables/{name}.jsonl"] = b"\n".join(r if isinstance(r, bytes) else orjson.dumps(r) for r in rows)
    members.update(files or {})
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, blob in members.items():
            z.writestr(name, blob)
    nonce = secrets.token_bytes(12)
    payload = nonce + AESGCM(key).encrypt(nonce, buf.getvalue(), FORMAT.encode())
    if manifest:
        manifest(doc)
    forger = signing.generate_key()
    doc["key"] = {"public_pem": signing.public_key_to_pem(forger.public_key()).decode("ascii"),
                  "fingerprint": signing.fingerprint(forger.public_key())}
    doc["payload_sha256"] = hashlib.sha256(payload).hexdigest()
    body = canonical_json(doc)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        z.writestr("FORMAT", FORMAT)
        z.writestr("manifest.json", body)
        z.writestr("manifest.sig", forger.sign(body).hex())
        z.writestr("payload.bin", payload)
    return out


def test_rows_of_another_shape_or_a_bomb_are_refused_and_nothing_is_taken_in(moved, target, tmp_path):
    """Found by fuzzing crafted archives (re-signed by the crafter's own key): a line that is
    not JSON, a row count that is null, a field that is a list or an object, a field
    missing -- each was a traceback (JSONDecodeError, TypeError, ProgrammingError, KeyError)."""
    _, _, path, _ = moved
    other, rdb, key = target

    def first_resident(change):
        def edit(parsed):
            change(parsed["resident"][0])
        return edit

    def not_json(parsed):
        parsed["ballot_box"][0] = b"{not json"

    def null_count(doc):
        doc["rows"]["resident"] = None

    # PostgreSQL's driver takes a list or an object for some columns: the chain check then
    # refuses the crafted archive instead.
    shape = "不是本版本居选导出的格式|创世记录中的密钥指纹"
    cases = [
        (dict(tables=not_json), "不是 JSON 对象"),
        (dict(manifest=null_count), "不是本版本居选导出的格式"),
        (dict(tables=first_resident(lambda r: r.update(household_id={"a": 1}))), shape),
        (dict(tables=first_resident(lambda r: r.update(name=["甲"]))), shape),
        (dict(tables=first_resident(lambda r: r.pop("id_number"))), "不是本版本居选导出的格式"),
    ]
    for n, (change, message) in enumerate(cases):
        crafted = _crafted(path, tmp_path / f"crafted{n}.jxa", **change)
        with pytest.raises(UserError, match=message):
            import_election(rdb, crafted, key, PASSPHRASE, other.instance_path)
        rdb.rollback()
        assert rdb.scalar(select(func.count()).select_from(Election)) == 0
        assert not list(Path(other.instance_path).rglob("*.zip")), n  # no file written either

    # A payload.bin declared larger than the whole archive (written stored, it never is):
    # refused before zipfile inflates it into memory.
    bomb = tmp_path / "bomb.jxa"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            dst.writestr(name, b"\0" * (64 << 20) if name == "payload.bin" else src.read(name))
    assert bomb.stat().st_size < 1 << 20
    with pytest.raises(UserError, match="声明的长度大于整个文件"):
        import_election(rdb, bomb, key, PASSPHRASE, other.instance_path)
