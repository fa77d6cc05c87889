"""The street office's filing (备案) with a key the server does not hold. The office makes
its key on its own computer (`juxuan office keygen`) and registers only the public key
here; the server seals an auditor bundle for countersigning (an ``office.countersign_requested``
event naming the office key, then the seal); the office downloads it, checks it and signs
it on its own computer (`juxuan office countersign`), and uploads the signature file. The
upload is checked against the registered key and the kept sealed bundle, refused while
the round's audit is unconcluded or escalated, and attached to the kept auditor bundle and
to the public bundle cut from it (same head)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from ..counting.tables import bundle_round
from ..db import begin_write
from ..errors import UserError
from ..ledger.events import record_event
from ..models import AuditCode, Countersignature, Election, StreetOfficeKey
from ..protocol import bundle as bundle_mod
from ..protocol import event_kinds as ek
from ..protocol import signing
from ..protocol.office import OfficeError, attach
from .bundle import Exported, export_bundle, public_files
from .published import bundle_path

# A .countersign.json is a few hundred bytes; anything past this is not one.
MAX_COUNTERSIGNATURE = 64 * 1024
# An office-key.pub.pem is about a hundred bytes; anything past this is not one.
MAX_OFFICE_KEY = 8 * 1024


def auditor_bundle_path(instance: str | Path, election: Election, round_number: int = 1) -> Path:
    return Path(instance) / "bundles" / f"{election.uid}-round{round_number}-auditor.zip"


def register_office_key(db: Session, street_office: str, public_pem: bytes, actor: str) -> StreetOfficeKey:
    """Register (or replace) the public key the office made on its own computer. No private
    part is ever stored: the column keeps an empty string."""
    if len(public_pem) > MAX_OFFICE_KEY:
        raise UserError("街道办事处公钥文件过大，应为 juxuan office keygen 生成的 office-key.pub.pem")
    try:
        key = signing.public_key_from_pem(public_pem.strip() + b"\n")
    except (ValueError, TypeError) as exc:
        raise UserError(f"街道办事处公钥无法读取，应为 juxuan office keygen 生成的 office-key.pub.pem：{exc}") from None
    pem = signing.public_key_to_pem(key).decode("ascii")
    row = db.get(StreetOfficeKey, street_office)
    if row is None:
        row = StreetOfficeKey(street_office=street_office, public_pem=pem, private_pem="", fingerprint=signing.fingerprint(key))
        db.add(row)
    else:
        row.public_pem, row.private_pem, row.fingerprint = pem, "", signing.fingerprint(key)
    db.flush()
    return row


def office_key_of(db: Session, street_office: str) -> StreetOfficeKey:
    row = db.get(StreetOfficeKey, street_office)
    if row is None or not row.public_pem:
        raise UserError(f"{street_office}尚未登记街道办事处公钥：请在本单位电脑上运行 juxuan office keygen 并上传公钥")
    return row


def _audit_blocker(db: Session, election: Election, number: int) -> str | None:
    """Why the round may not be countersigned yet. The audit capability may define
    ``countersign_blocker``; until then: an audit of the round must have concluded and
    confirmed the result (or ended in a full hand count)."""
    from ..audit import service

    check = getattr(service, "countersign_blocker", None)
    if check is not None:
        return check(db, election, number)
    audit = service.current_audit(db, election, number)
    if audit is None:
        return f"第 {number} 轮尚未进行风险限制审计，不能会签"
    if audit.status not in ("confirmed", "full_count"):
        return f"第 {number} 轮的审计尚未得出确认结论（当前状态：{audit.status}），不能会签"
    return None


def seal_for_countersign(db: Session, election: Election, data_key: str, actor: str, instance: str | Path,
                         day: date | None = None, round_number: int | None = None,
                         progress: Callable[[int, int], None] | None = None) -> Exported:
    """Record the request naming the registered office key and seal the auditor bundle the
    office will check and sign; it is kept for download. One unit holding the write lock from
    its first read (``begin_write``): the request and the sealed export are committed together."""
    begin_write(db)
    number = bundle_round(db, election, round_number)
    counted = db.query(AuditCode).filter(AuditCode.election_id == election.id, AuditCode.round_number == number,
                                         AuditCode.state == "counted").count()
    if counted == 0:
        raise UserError(f"第 {number} 轮尚无计票记录，无法会签备案")
    # The upload would refuse it: the office must not check and sign a bundle for nothing.
    blocked = _audit_blocker(db, election, number)
    if blocked:
        raise UserError(blocked)
    street = election.community.street_office
    row = office_key_of(db, street)
    record_event(db, election, ek.OFFICE_COUNTERSIGN_REQUESTED,
                 {"round": number, "street_office": street, "office_key": row.fingerprint}, actor, "街道办事处会签备案")
    out = export_bundle(db, election, data_key, actor, auditor=True, day=day, round_number=number, progress=progress,
                        instance=instance)
    _keep(auditor_bundle_path(instance, election, number), out.files)
    return out


def upload_countersignature(db: Session, election: Election, signature_file: bytes, actor: str, instance: str | Path,
                            round_number: int | None = None) -> Countersignature:
    """Attach the office's signature file to the kept sealed bundles of the round."""
    number = bundle_round(db, election, round_number)
    blocked = _audit_blocker(db, election, number)
    if blocked:
        raise UserError(blocked)
    street = election.community.street_office
    row = office_key_of(db, street)
    path = auditor_bundle_path(instance, election, number)
    if not path.exists():
        raise UserError("尚未封存待会签的审计公示包：请先点击“封存审计公示包以便会签”，下载后在本单位电脑上会签")
    if len(signature_file) > MAX_COUNTERSIGNATURE:
        raise UserError("会签文件过大，应为 juxuan office countersign 生成的 .countersign.json")
    try:
        files = attach(bundle_mod.read_files(path.read_bytes()), signature_file, row.public_pem.encode("ascii"))
    except OfficeError as error:
        raise UserError(*error.messages) from None
    import json

    cs = json.loads(files["countersign.json"])
    sig = Countersignature(election_id=election.id, street_office=street, statement=cs["statement"],
                           signature=cs["signature"], signed_by=actor)
    db.add(sig)
    db.flush()
    _keep(path, files)
    _keep(bundle_path(instance, election, number), public_files(files))
    return sig


def _keep(path: Path, files: dict[str, bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(bundle_mod.write_files(files))
    tmp.replace(path)
