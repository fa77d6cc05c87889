"""The street office's filing (备案): its own Ed25519 key (made on first use, encrypted
like the election key) countersigns the result at a freshly sealed head. The sealed
auditor bundle and the public bundle cut from it carry both signatures."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session

from ..errors import UserError
from ..ledger.events import record_event
from ..ledger.publication import bundle_path
from ..ledger.publish import Exported, bundle_round, export_bundle, public_files
from ..models import AuditCode, Countersignature, Election, StreetOfficeKey
from ..protocol import bundle as bundle_mod
from ..protocol import signing


def _passphrase(data_key: str, street_office: str) -> bytes:
    return hashlib.sha256(f"juxuan/office-key/v1|{street_office}|{data_key}".encode()).digest()


def office_key(db: Session, street_office: str, data_key: str) -> tuple[Ed25519PrivateKey, StreetOfficeKey]:
    """The street office's private key, generated and stored encrypted on first use."""
    row = db.get(StreetOfficeKey, street_office)
    if row is None:
        private = signing.generate_key()
        row = StreetOfficeKey(street_office=street_office,
                              public_pem=signing.public_key_to_pem(private.public_key()).decode("ascii"),
                              private_pem=signing.private_key_to_pem(private, _passphrase(data_key, street_office)).decode("ascii"),
                              fingerprint=signing.fingerprint(private.public_key()))
        db.add(row)
        db.flush()
        return private, row
    return signing.private_key_from_pem(row.private_pem.encode("ascii"), _passphrase(data_key, street_office)), row


def auditor_bundle_path(instance: str | Path, election: Election, round_number: int = 1) -> Path:
    return Path(instance) / "bundles" / f"{election.uid}-round{round_number}-auditor.zip"


def countersign(db: Session, election: Election, data_key: str, actor: str, instance: str | Path,
                day: date | None = None, round_number: int | None = None,
                progress: Callable[[int, int], None] | None = None) -> Exported:
    """Record the filing, seal the auditor bundle of a round (default: the last published),
    countersign its head and totals with the office key; keep the auditor bundle and
    replace that round's published public bundle with the countersigned one (same head)."""
    number = bundle_round(db, election, round_number)
    counted = db.query(AuditCode).filter(AuditCode.election_id == election.id, AuditCode.round_number == number,
                                         AuditCode.state == "counted").count()
    if counted == 0:
        raise UserError(f"第 {number} 轮尚无计票记录，无法会签备案")
    street = election.community.street_office
    key, row = office_key(db, street, data_key)
    record_event(db, election, "countersign_requested",
                 {"round": number, "street_office": street, "office_key": row.fingerprint}, actor, "街道办事处会签备案")
    out = export_bundle(db, election, data_key, actor, auditor=True, day=day, office_key=key, round_number=number,
                        progress=progress)
    cs = json.loads(out.files["countersign.json"])
    db.add(Countersignature(election_id=election.id, street_office=street, statement=cs["statement"],
                            signature=cs["signature"], signed_by=actor))
    db.flush()
    for path, files in ((auditor_bundle_path(instance, election, number), out.files),
                        (bundle_path(instance, election, number), public_files(out.files))):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(bundle_mod.write_files(files))
        tmp.replace(path)
    return out
