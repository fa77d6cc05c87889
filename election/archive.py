"""Moving one election between Juxuan instances: a signed, passphrase-encrypted archive.

``juxuan backup`` copies a whole instance; this moves a single election (a community's
laptop to the street office's PostgreSQL server, or to a replacement laptop) into an
instance that may already hold others. The archive is a zip of four members:

- ``FORMAT`` — ``juxuan-election-archive/1``;
- ``manifest.json`` — canonical JSON: the election's uid, title and community, its public
  key and fingerprint, the chain head, the row count of every table, the scrypt salt and
  the SHA-256 of ``payload.bin``;
- ``manifest.sig`` — the election key's Ed25519 signature over ``manifest.json`` (hex);
- ``payload.bin`` — AES-256-GCM (key from the passphrase by scrypt) of an inner zip with
  one ``tables/<name>.jsonl`` per table and ``files/…`` for the sealed bundles and recount
  files of this election.

The instance's data key never travels: ID and phone numbers and the election's private
key are decrypted at export and encrypted again under the receiving instance's key at
import, which is why the payload is encrypted under a passphrase the operator chooses.
Rows keep their ids (event payloads and sealed files name them), so the import refuses,
naming the table and id, when the receiving instance already uses one; the community is
matched by name and street office, or created. Nothing is written unless every check
passes: signature, pinned fingerprint (``expect_key``), payload digest, passphrase, row
counts, the imported chain's hashes and its head.
"""
from __future__ import annotations

import base64
import hashlib
import io
import lzma
import os
import secrets
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from sqlalchemy import Table, select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from . import clock, storage_order
from .errors import UserError
from .ledger.events import as_chain_event, events_of
from .ledger.keys import key_of, private_key, sealed_private_pem
from .models import Base, Community, Election, ElectionEvent
from .pii import PersonalData
from .protocol import signing
from .protocol.canonical import canonical_json
from .protocol.chain import verify_chain

FORMAT = "juxuan-election-archive/1"
MEMBERS = ("FORMAT", "manifest.json", "manifest.sig", "payload.bin")
MAX_ARCHIVE = 2 << 30           # 2 GiB: a 100,000-voter election is far below
MAX_MANIFEST = 1 << 20
# The payload's inner zip unzips to at most this many times its size (JSON lines deflate
# about tenfold; a zip bomb, a thousandfold), and never to more than MAX_UNZIPPED.
MAX_RATIO = 50
MAX_UNZIPPED = 4 << 30
# What zipfile raises on a damaged zip, opening it or reading a member.
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError, ValueError,
               RuntimeError, zlib.error, lzma.LZMAError)
MIN_PASSPHRASE = 12
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
# Instance-wide tables that belong to no election: users and their changes, throttles, office keys.
NOT_ELECTION = {"community", "app_user", "account_change", "login_failure", "rate_counter", "street_office_key"}
# Columns sealed under the instance's data key, carried in the clear inside the payload.
SEALED = {"resident": ("id_cipher", "id_hash", "phone_cipher"), "election_key": ("private_pem",)}


@dataclass
class ArchiveReport:
    """What an export wrote or an import took in."""

    path: Path | None
    election_uid: str
    title: str
    fingerprint: str
    head_seq: int
    head_hash: str
    rows: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    election_id: int | None = None


def _key(passphrase: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P).derive(passphrase.encode("utf-8"))


def _check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise UserError(f"导出口令至少 {MIN_PASSPHRASE} 个字符（填写的有 {len(passphrase)} 个）：档案中有身份证号，口令须足够长")


Scope = Callable[[int], ColumnElement[bool]]


def _by_column(column: Any) -> Scope:
    def pick(election_id: int) -> ColumnElement[bool]:
        return column == election_id
    return pick


def _through(child: Any, parent: Any, parent_scope: Scope) -> Scope:
    def pick(election_id: int) -> ColumnElement[bool]:
        return child.in_(select(parent).where(parent_scope(election_id)))
    return pick


def _scopes() -> dict[str, Scope]:
    """For each table holding an election's rows, the condition that picks them: by its own
    ``election_id``, or through a foreign key to a table that has one (desks of stations)."""
    scopes: dict[str, Scope] = {}
    for table in Base.metadata.sorted_tables:
        if table.name in NOT_ELECTION:
            continue
        if table.name == "election":
            scopes[table.name] = _by_column(table.c.id)
        elif "election_id" in table.c:
            scopes[table.name] = _by_column(table.c.election_id)
        else:
            for fk in table.foreign_keys:
                if fk.column.table.name in scopes:
                    scopes[table.name] = _through(fk.parent, fk.column, scopes[fk.column.table.name])
                    break
    return scopes


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def _typed(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """A row read back from JSON with its dates, times and bytes restored by column type."""
    out = dict(row)
    for column in table.c:
        value = out.get(column.name)
        if value is None or not isinstance(value, str):
            continue
        try:
            kind = column.type.python_type
        except NotImplementedError:
            continue
        if kind is datetime:
            out[column.name] = datetime.fromisoformat(value)
        elif kind is date:
            out[column.name] = date.fromisoformat(value)
        elif kind is bytes:
            out[column.name] = base64.b64decode(value)
    return out


def _election_files(instance: Path, uid: str) -> list[Path]:
    folders = [instance / "bundles", instance / "recount"]
    return sorted(p for folder in folders if folder.is_dir() for p in folder.iterdir()
                  if p.is_file() and uid in p.name and p.suffix != ".part")


def export_election(db: Session, election: Election, data_key: str, passphrase: str, instance: str | Path,
                    out: str | Path) -> ArchiveReport:
    """Write ``election`` to the archive ``out`` (mode 0600)."""
    _check_passphrase(passphrase)
    pii = PersonalData(data_key)
    private = private_key(db, election, data_key)
    head = events_of(db, election)[-1]
    community = db.get_one(Community, election.community_id)
    inner = io.BytesIO()
    rows: dict[str, int] = {}
    ordered = storage_order.ordered(db, election.id, election.uid)
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as z:
        for name, scope in _scopes().items():
            table = _table(name)
            order = [c for c in table.primary_key.columns]
            lines = []
            # The tables a polling day orders go in hash order, ids handed out again as the
            # close-of-poll scrub does (storage_order): an archive of an election never
            # scrubbed keeps no check-in order in its issuance ids either.
            found = (ordered[table] if table in ordered else
                     db.execute(select(table).where(scope(election.id)).order_by(*order)).mappings())
            for row in found:
                record = {k: _plain(v) for k, v in row.items()}
                if name == "resident":
                    record["id_number"] = pii.decrypt(record.pop("id_cipher"))
                    record["phone"] = pii.decrypt(record.pop("phone_cipher"))
                    del record["id_hash"]
                elif name == "election_key":
                    del record["private_pem"]
                    record["private_raw"] = private.private_bytes_raw().hex()
                lines.append(orjson.dumps(record))
            rows[name] = len(lines)
            z.writestr(f"tables/{name}.jsonl", b"\n".join(lines))
        files = _election_files(Path(instance), election.uid)
        for path in files:
            z.writestr(f"files/{path.parent.name}/{path.name}", path.read_bytes())
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    payload = nonce + AESGCM(_key(passphrase, salt)).encrypt(nonce, inner.getvalue(), FORMAT.encode())
    key_row = key_of(db, election)
    manifest = {
        "format": FORMAT, "election": election.uid, "title": election.title,
        "community": {"name": community.name, "street_office": community.street_office,
                      "households": community.households},
        "key": {"public_pem": key_row.public_pem, "fingerprint": key_row.fingerprint},
        "head": {"seq": head.seq, "hash": head.hash}, "exported_at": clock.now().isoformat(timespec="seconds"),
        "rows": rows, "files": [f"{p.parent.name}/{p.name}" for p in files],
        "kdf": {"name": "scrypt", "salt": salt.hex(), "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P},
        "cipher": "AES-256-GCM", "payload_sha256": hashlib.sha256(payload).hexdigest(),
    }
    body = canonical_json(manifest)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_STORED) as z:
        z.writestr("FORMAT", FORMAT)
        z.writestr("manifest.json", body)
        z.writestr("manifest.sig", private.sign(body).hex())
        z.writestr("payload.bin", payload)
    return ArchiveReport(out, election.uid, election.title, key_row.fingerprint, head.seq, head.hash, rows,
                         [f"{p.parent.name}/{p.name}" for p in files])


# -- import ---------------------------------------------------------------------------------

def _read_archive(path: Path) -> tuple[dict[str, Any], bytes, bytes, bytes]:
    if not path.is_file():
        raise UserError(f"档案文件“{path}”不存在")
    if path.stat().st_size > MAX_ARCHIVE:
        raise UserError(f"“{path.name}”超过 {MAX_ARCHIVE >> 30} GiB，不是居选选举档案")
    try:
        z = zipfile.ZipFile(path)
    except _ZIP_ERRORS as error:
        raise UserError(f"“{path.name}”不是居选选举档案（无法作为 zip 打开：{error}）") from None
    with z:
        names = [i.filename for i in z.infolist()]
        if sorted(names) != sorted(MEMBERS):
            raise UserError(f"“{path.name}”不是居选选举档案：应恰好含 {'、'.join(MEMBERS)} 各一份，实际为 {'、'.join(names) or '空'}")
        sizes = {i.filename: i.file_size for i in z.infolist()}
        if sizes["manifest.json"] > MAX_MANIFEST or sizes["FORMAT"] > 100 or sizes["manifest.sig"] > 200:
            raise UserError(f"“{path.name}”的清单或签名超出长度上限，档案被改动过")
        if sizes["payload.bin"] > path.stat().st_size:  # written stored: never larger than the file
            raise UserError(f"“{path.name}”的 payload.bin 声明的长度大于整个文件，档案被改动过")
        try:
            if z.read("FORMAT").decode("ascii") != FORMAT:
                raise UserError(f"“{path.name}”的格式不是 {FORMAT}")
            body, sig, payload = z.read("manifest.json"), z.read("manifest.sig"), z.read("payload.bin")
        except _ZIP_ERRORS as error:  # UnicodeDecodeError is a ValueError
            raise UserError(f"“{path.name}”已损坏：{error}") from None
    try:
        manifest = orjson.loads(body)
        if not isinstance(manifest, dict) or canonical_json(manifest) != body:
            raise ValueError("not canonical")
    except (orjson.JSONDecodeError, ValueError, TypeError):
        raise UserError(f"“{path.name}”的清单 manifest.json 不是规范的 JSON，档案被改动过") from None
    return manifest, body, sig, payload


def _field(manifest: dict[str, Any], *path: str) -> Any:
    value: Any = manifest
    for part in path:
        if not isinstance(value, dict) or part not in value:
            raise UserError(f"档案清单缺少“{'.'.join(path)}”，档案被改动过")
        value = value[part]
    return value


def read_manifest(path: str | Path, expect_key: str | None = None) -> dict[str, Any]:
    """The archive's manifest after its signature (and the pinned fingerprint) checked."""
    return _checked(path, expect_key)[0]


def _checked(path: str | Path, expect_key: str | None) -> tuple[dict[str, Any], bytes]:
    """The signed manifest and the encrypted payload it vouches for."""
    manifest, body, sig, payload = _read_archive(Path(path))
    try:
        public = signing.public_key_from_pem(str(_field(manifest, "key", "public_pem")).encode("ascii"))
        public.verify(bytes.fromhex(sig.decode("ascii")), body)
    except UserError:
        raise
    except Exception:  # noqa: BLE001 - a bad key, bad hex or bad signature all mean one thing
        raise UserError("档案清单的签名无效：清单不是该选举的密钥签发的，或被改动过") from None
    fingerprint = signing.fingerprint(public)
    if fingerprint != _field(manifest, "key", "fingerprint"):
        raise UserError("档案清单所列的密钥指纹与其中的公钥不符")
    if expect_key and expect_key.replace(" ", "").lower() != fingerprint.replace(" ", "").lower():
        raise UserError(f"档案的选举密钥指纹为 {fingerprint}，与指定的 {expect_key} 不符：这不是该选举的档案")
    if hashlib.sha256(payload).hexdigest() != _field(manifest, "payload_sha256"):
        raise UserError("档案内容（payload.bin）的摘要与签名清单不符，档案被改动过")
    return manifest, payload


def _open_payload(manifest: dict[str, Any], payload: bytes, passphrase: str) -> zipfile.ZipFile:
    kdf = _field(manifest, "kdf")
    if (kdf.get("name"), kdf.get("n"), kdf.get("r"), kdf.get("p")) != ("scrypt", SCRYPT_N, SCRYPT_R, SCRYPT_P):
        raise UserError("档案的口令派生参数不是本版本所用的参数")
    try:
        key = _key(passphrase, bytes.fromhex(str(kdf.get("salt"))))
        inner = AESGCM(key).decrypt(payload[:12], payload[12:], FORMAT.encode())
    except (InvalidTag, ValueError):
        raise UserError("无法解开档案：口令不对（或档案被改动过）") from None
    try:
        archive = zipfile.ZipFile(io.BytesIO(inner))
        declared = sum(i.file_size for i in archive.infolist())
    except _ZIP_ERRORS:
        raise UserError("档案内容已损坏") from None
    if declared > min(MAX_UNZIPPED, MAX_RATIO * max(len(inner), 1 << 20)):
        raise UserError(f"档案内容解压后共 {declared >> 20} MB，超出上限（压缩比过高），档案不是居选导出的")
    return archive


def _member(inner: zipfile.ZipFile, member: str, missing: str) -> bytes:
    try:
        return inner.read(member)
    except KeyError:
        raise UserError(missing) from None
    except _ZIP_ERRORS:
        raise UserError(f"档案内容已损坏（{member[:80]} 无法解压）") from None


def _rows(inner: zipfile.ZipFile, name: str, expected: int) -> list[dict[str, Any]]:
    member = f"tables/{name}.jsonl"
    data = _member(inner, member, f"档案缺少数据表“{name}”（{member}）")
    rows = []
    for number, line in enumerate(data.split(b"\n"), 1):
        if line:
            row = _json_line(line)
            if not isinstance(row, dict):
                raise UserError(f"档案数据表“{name}”第 {number} 行不是 JSON 对象，档案被改动过")
            rows.append(row)
    if len(rows) != expected:
        raise UserError(f"档案数据表“{name}”有 {len(rows)} 行，签名清单记载 {expected} 行")
    return rows


def _json_line(line: bytes) -> Any:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return None


def _collisions(db: Session, table: Table, ids: list[Any]) -> list[Any]:
    if not ids or list(table.primary_key.columns.keys()) != ["id"]:
        return []
    found: list[Any] = []
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        found += db.scalars(select(table.c.id).where(table.c.id.in_(chunk))).all()
    return found


def _bump_sequences(db: Session, names: list[str]) -> None:
    """PostgreSQL: move each id sequence past the ids just inserted explicitly."""
    if db.get_bind().dialect.name != "postgresql":
        return
    for name in names:
        table = _table(name)
        if list(table.primary_key.columns.keys()) != ["id"]:
            continue
        seq = db.scalar(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": name})
        if seq:
            db.execute(text("SELECT setval(CAST(:s AS regclass), GREATEST((SELECT COALESCE(MAX(id), 1) FROM "
                            f'"{name}"), (SELECT last_value FROM {seq})))'), {"s": seq})


def import_election(db: Session, path: str | Path, data_key: str, passphrase: str, instance: str | Path,
                    expect_key: str | None = None) -> ArchiveReport:
    """Check the archive and take its election in, in the caller's transaction (the caller
    commits); files are written only after every row went in."""
    manifest, payload = _checked(path, expect_key)
    inner = _open_payload(manifest, payload, passphrase)
    try:
        return _take_in(db, manifest, inner, Path(path), data_key, Path(instance))
    except UserError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, StatementError) as error:
        # Rows or manifest fields of another shape than an export writes (a signed archive
        # may still be made by anyone with a key of their own, unless expect_key pins it).
        raise UserError(f"档案内容不是本版本居选导出的格式（{type(error).__name__}：{str(error).splitlines()[0][:120]}），"
                        "未导入任何内容") from None


def _take_in(db: Session, manifest: dict[str, Any], inner: zipfile.ZipFile, path: Path, data_key: str,
             instance: Path) -> ArchiveReport:
    """The checked archive's rows inserted (a savepoint: all or none) and its files written."""
    uid = str(_field(manifest, "election"))
    if db.scalar(select(Election.id).where(Election.uid == uid)) is not None:
        raise UserError(f"本实例已有这场选举（{_field(manifest, 'title')}，编号 {uid}），不再重复导入")
    counts = _field(manifest, "rows")
    scopes = _scopes()
    if not isinstance(counts, dict) or set(counts) != set(scopes):
        raise UserError("档案所列的数据表与本版本的数据表不一致：请用同一版本的居选导出和导入")
    tables = {name: _rows(inner, name, int(counts[name])) for name in scopes}
    pii = PersonalData(data_key)
    election_rows = tables["election"]
    if len(election_rows) != 1 or election_rows[0].get("uid") != uid:
        raise UserError("档案中的选举记录与签名清单不符")
    for name, rows in tables.items():
        clash = _collisions(db, _table(name), [r["id"] for r in rows if "id" in r])
        if clash:
            raise UserError(f"本实例的数据表“{name}”已有编号 {clash[0]} 等 {len(clash)} 条记录，与档案冲突："
                            "请导入到新的实例，或先用 juxuan backup 整体迁移")
    community_doc = _field(manifest, "community")
    community = db.scalar(select(Community).where(Community.name == community_doc["name"],
                                                  Community.street_office == community_doc["street_office"]))
    if community is None:
        community = Community(name=community_doc["name"], street_office=community_doc["street_office"],
                              households=int(community_doc.get("households") or 0))
        db.add(community)
        db.flush()
    election_rows[0]["community_id"] = community.id
    try:
        with db.begin_nested():
            for name, rows in tables.items():
                table = _table(name)
                prepared = []
                for row in rows:
                    row = dict(row)
                    if name == "resident":
                        number, phone = row.pop("id_number"), row.pop("phone")
                        row.update(id_cipher=pii.encrypt(number), phone_cipher=pii.encrypt(phone),
                                   id_hash=pii.lookup_hash(number))
                    elif name == "election_key":
                        raw = bytes.fromhex(row.pop("private_raw"))
                        row["private_pem"] = sealed_private_pem(Ed25519PrivateKey.from_private_bytes(raw), data_key, uid)
                    prepared.append(_typed(table, row))
                for start in range(0, len(prepared), 2000):
                    db.execute(table.insert(), prepared[start:start + 2000])
            _bump_sequences(db, list(tables))
            election = db.scalars(select(Election).where(Election.uid == uid)).one()
            _check_chain(db, election, manifest)
    except IntegrityError as error:
        raise UserError(f"导入被拒绝：档案中的记录与本实例已有的记录冲突（{str(error.orig).splitlines()[0][:200]}）") from None
    # Every file named and read before any is written: a refusal leaves none behind.
    files: list[tuple[str, Path, bytes]] = []
    for name in _field(manifest, "files"):
        folder, _, filename = str(name).partition("/")
        if folder not in ("bundles", "recount") or "/" in filename or uid not in filename or filename.startswith("."):
            raise UserError(f"档案中的文件名“{name}”不合规")
        files.append((str(name), instance / folder / filename, _member(inner, f"files/{name}", f"档案缺少文件“{name}”")))
    for _, target, data in files:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    written = [name for name, _, _ in files]
    return ArchiveReport(path, uid, str(_field(manifest, "title")), str(_field(manifest, "key", "fingerprint")),
                         int(_field(manifest, "head", "seq")), str(_field(manifest, "head", "hash")),
                         {k: len(v) for k, v in tables.items()}, written, election.id)


def _check_chain(db: Session, election: Election, manifest: dict[str, Any]) -> None:
    rows: list[ElectionEvent] = events_of(db, election)
    events = [as_chain_event(r) for r in rows]
    problems = verify_chain(events)
    if problems:
        raise UserError("档案中的事件链校验不通过：" + problems[0].message)
    if events[0].payload.get("key") not in ("", manifest["key"]["fingerprint"]):
        raise UserError("事件链创世记录中的密钥指纹与档案签名密钥不符")
    head = manifest["head"]
    if (rows[-1].seq, rows[-1].hash) != (head["seq"], head["hash"]):
        raise UserError(f"档案中事件链的最新记录（序号 {rows[-1].seq}）与签名清单记载的（序号 {head['seq']}）不符")
