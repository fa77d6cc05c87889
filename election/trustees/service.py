"""The trustees' key ceremony and the encrypted count of a round, as the server keeps them.

Every document a trustee uploads is checked with its proofs and recorded as a ledger event,
so the chain fixes the joint key before any paper is printed and the partial decryptions
before the bundle is sealed. The papers' ciphertexts (large) are kept in the instance folder
beside the sealed bundles, with the fingerprint of the records they encrypt: a bundle takes
them only while the round's records are still those records."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..counting import sealing
from ..crypto import ceremony, recount_doc, trustees
from ..crypto.group import CryptoError
from ..crypto.record import shapes
from ..db import begin_write
from ..errors import UserError
from ..ledger.events import events_of, lock_chain_head, record_event
from ..models import AuditCode, Election, Receipt
from ..protocol import event_kinds as ek
from ..protocol.bundle import Record, group_boxes
from ..rules.tally_types import PostSpec
from ..settings import box_keys, rulebook_of

ISSUED, PUBLIC, SHARES, READY, KEY = (ek.TRUSTEES_CEREMONY_ISSUED, ek.TRUSTEES_PUBLIC_ADDED, ek.TRUSTEES_SHARES_ADDED,
                                      ek.TRUSTEES_SHARES_CHECKED, ek.TRUSTEES_KEY_PUBLISHED)
ENCRYPTED, PARTIALS = ek.TRUSTEES_ROUND_ENCRYPTED, ek.TRUSTEES_PARTIALS_ADDED
MAX_UPLOAD = 4 * 1024 * 1024
DEFAULT_TRUSTEES = ("选举委员会主任", "总监票人", "街道办事处")


@dataclass
class Ceremony:
    doc: dict[str, Any] | None = None
    publics: dict[int, dict[str, Any]] = field(default_factory=dict)
    shares: dict[int, dict[str, Any]] = field(default_factory=dict)
    ready: dict[int, dict[str, Any]] = field(default_factory=dict)
    joint_key: str | None = None
    partials: dict[int, dict[int, dict[str, Any]]] = field(default_factory=dict)  # round -> index -> doc
    encrypted: dict[int, dict[str, Any]] = field(default_factory=dict)            # round -> event data

    @property
    def n(self) -> int:
        return len(self.doc["trustees"]) if self.doc else 0

    @property
    def quorum(self) -> int:
        return int(self.doc["quorum"]) if self.doc else 0

    def name(self, index: int) -> str:
        assert self.doc is not None
        return str(self.doc["trustees"][index - 1]["name"])

    @property
    def stage(self) -> str:
        if self.doc is None:
            return "none"
        if self.joint_key:
            return "key"
        if len(self.publics) < self.n:
            return "publics"
        if len(self.shares) < self.n:
            return "shares"
        return "ready"


def _data(payload: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if not k.startswith("_")}


def ceremony_of(db: Session, election: Election) -> Ceremony:
    out = Ceremony()
    for e in events_of(db, election):
        if ek.area_of(e.kind) != ek.area_of(ek.TRUSTEES_CEREMONY_ISSUED):
            continue
        data = _data(e.payload)
        if e.kind == ISSUED:
            out.doc = data["ceremony"]
        elif e.kind == PUBLIC:
            out.publics[data["public"]["index"]] = data["public"]
        elif e.kind == SHARES:
            out.shares[data["shares"]["from"]] = data["shares"]
        elif e.kind == READY:
            out.ready[data["ready"]["index"]] = data["ready"]
        elif e.kind == KEY:
            out.joint_key = data["joint_key"]
        elif e.kind == ENCRYPTED:
            # A later encryption (the records were corrected) supersedes the earlier one and
            # the partial decryptions made of its totals.
            out.encrypted[data["round"]] = data
            out.partials[data["round"]] = {}
        elif e.kind == PARTIALS:
            out.partials.setdefault(data["round"], {})[data["partials"]["index"]] = data["partials"]
    return out


def base_hash(election: Election) -> bytes:
    return sealing.base_hash(election)


def _refuse(error: CryptoError) -> UserError:
    return UserError(error.message)


def _upload(text: bytes, what: str) -> Any:
    if len(text) > MAX_UPLOAD:
        raise UserError(f"{what}文件过大（超过 4 MB）")
    try:
        return json.loads(text.decode("utf-8"))
    except (ValueError, RecursionError):  # also an integer of over 4300 digits, or nesting too deep
        raise UserError(f"{what}不是受托人工具生成的 JSON 文件") from None


def issue(db: Session, election: Election, names: list[str], quorum: int, actor: str) -> dict[str, Any]:
    """Start the ceremony: before any paper is printed, so the key is fixed in the chain first."""
    begin_write(db)
    lock_chain_head(db, election)
    if ceremony_of(db, election).doc is not None:
        raise UserError("受托人仪式已经开始，不能重新开始")
    if db.scalar(select(func.count()).select_from(Receipt).where(Receipt.election_id == election.id)):
        raise UserError("选票已经印制：受托人的联合公钥须在印制选票之前确定")
    names = [n.strip() for n in names if n.strip()]
    if len(set(names)) != len(names):
        raise UserError("受托人姓名或身份不能重复")
    try:
        doc = ceremony.issue(election.uid, base_hash(election), quorum, names)
    except CryptoError as error:
        raise _refuse(error) from None
    record_event(db, election, ISSUED, {"ceremony": doc}, actor, "公开重计：受托人仪式开始")
    return doc


def _need(state: Ceremony, stage: str, what: str) -> None:
    order = ["publics", "shares", "ready", "key"]
    if state.doc is None:
        raise UserError("受托人仪式还没有开始")
    if state.stage == "key":
        raise UserError("联合公钥已经确定，仪式已结束")
    if order.index(state.stage) < order.index(stage):
        raise UserError(f"还不能上传{what}：请先收齐上一步的文件")


def _trustee_document(state: Ceremony, text: bytes, what: str, field: str = "index") -> tuple[dict[str, Any], int]:
    """An uploaded document of one trustee, and that trustee's index (1..n)."""
    doc = _upload(text, what)
    index = doc.get(field) if isinstance(doc, dict) else None
    if not isinstance(index, int) or isinstance(index, bool) or not 1 <= index <= state.n:
        raise UserError(f"{what}文件的受托人序号不对")
    return doc, index


def _public_taken(state: Ceremony, index: int) -> None:
    _need(state, "publics", "公开部分")
    if index in state.publics:
        raise UserError(f"第 {index} 位受托人（{state.name(index)}）的公开部分已经上传")


def add_public(db: Session, election: Election, text: bytes, actor: str) -> int:
    """A trustee's commitments, their proofs checked before the write lock is taken; the
    ceremony is read again under it (another upload may have come meanwhile)."""
    state = ceremony_of(db, election)
    _need(state, "publics", "公开部分")
    assert state.doc is not None
    public, index = _trustee_document(state, text, "受托人公开部分")
    _public_taken(state, index)
    try:
        trustees.check_commitments(base_hash(election), state.quorum, ceremony.commitments_of(public))
        ceremony.hex_bytes(public.get("transport"), 32, "传输公钥")
    except CryptoError as error:
        raise _refuse(error) from None
    begin_write(db)
    lock_chain_head(db, election)
    state = ceremony_of(db, election)
    _public_taken(state, index)
    record_event(db, election, PUBLIC, {"public": public}, actor, f"公开重计：{state.name(index)}的公开部分")
    return index


def add_shares(db: Session, election: Election, text: bytes, actor: str) -> int:
    begin_write(db)
    lock_chain_head(db, election)
    state = ceremony_of(db, election)
    _need(state, "shares", "份额")
    shares, sender = _trustee_document(state, text, "受托人份额", "from")
    if not isinstance(shares.get("to"), dict):
        raise UserError("份额文件格式不对")
    if sender in state.shares:
        raise UserError(f"第 {sender} 位受托人（{state.name(sender)}）的份额已经上传")
    if sorted(shares["to"]) != sorted(str(i) for i in range(1, state.n + 1)):
        raise UserError("份额文件须给每位受托人各一份")
    record_event(db, election, SHARES, {"shares": shares}, actor, f"公开重计：{state.name(sender)}发出的份额")
    return sender


def add_ready(db: Session, election: Election, text: bytes, actor: str) -> int:
    state = ceremony_of(db, election)
    _need(state, "ready", "确认")
    assert state.doc is not None
    ready, index = _trustee_document(state, text, "受托人确认")
    try:
        published = ceremony.checked_publics(state.doc, [state.publics[i] for i in sorted(state.publics)])
        joint = trustees.joint_key(published).hex()
        expected = trustees.verification_key(index, published).hex()
    except CryptoError as error:
        raise _refuse(error) from None
    if ready.get("verification_key") != expected or ready.get("joint_key") != joint:
        raise UserError(f"{state.name(index)}的密钥份额与公开承诺不符：请该受托人重新核对份额")
    # Checked against the public parts, all in at this stage (none comes after); under the
    # write lock the ceremony is read again for the confirmations that came meanwhile.
    begin_write(db)
    lock_chain_head(db, election)
    state = ceremony_of(db, election)
    _need(state, "ready", "确认")
    if index in state.ready:
        raise UserError(f"{state.name(index)}已经核对过份额")
    record_event(db, election, READY, {"ready": ready}, actor, f"公开重计：{state.name(index)}已核对份额")
    if len(state.ready | {index: ready}) == state.n:
        record_event(db, election, KEY, {"joint_key": joint, "quorum": state.quorum, "trustees": state.n},
                     actor, "公开重计：联合公钥确定")
    return index


def documents(db: Session, election: Election) -> dict[str, Any]:
    """What the trustees download: the ceremony, the public parts, the shares."""
    state = ceremony_of(db, election)
    return {"ceremony": state.doc, "publics": [state.publics[i] for i in sorted(state.publics)],
            "shares": [state.shares[i] for i in sorted(state.shares)]}


# -- a counted round under the joint key ---------------------------------------------------

def _paths(instance: str | Path, election: Election, round_number: int) -> Path:
    folder = Path(instance) / "recount"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder / f"{election.uid}-r{round_number}.json"


def records_fingerprint(records: Iterable[tuple[str, str, Any]]) -> str:
    """SHA-256 over the round's counted records (D, box and marks), sorted by D."""
    body = json.dumps(sorted([d, box, marks] for d, box, marks in records), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _round_records(db: Session, election: Election, round_number: int) -> list[tuple[str, str, dict[str, Any]]]:
    names = box_keys(db, election)
    rows = db.execute(select(AuditCode.d_hash, AuditCode.box_id, AuditCode.marks).where(
        AuditCode.election_id == election.id, AuditCode.round_number == round_number,
        AuditCode.state == "counted", AuditCode.box_id.is_not(None)))
    return sorted((d, names[box], dict(marks or {})) for d, box, marks in rows)


def box_groups(db: Session, election: Election, records: Iterable[tuple[str, str, Any]]) -> list[list[str]]:
    """The round's published box groups, as box_totals.json forms them from the same records
    (every box of the election, the rulebook's minimum size)."""
    sizes = dict.fromkeys(box_keys(db, election).values(), 0)
    for _, box, _ in records:
        sizes[box] += 1
    return group_boxes(sizes, rulebook_of(election).min_box_size) if sizes else []


def _round_posts(db: Session, election: Election, round_number: int) -> tuple[list[PostSpec], dict[str, list[str]]]:
    from ..counting.service import ballot_of  # the counting capability owns the ballot layout

    ballot = ballot_of(db, election, round_number)
    return [spec for spec, _ in ballot.posts], {spec.key: [c.person for c in cands] for spec, cands in ballot.posts}


def encrypt_round(db: Session, election: Election, round_number: int, instance: str | Path, actor: str,
                  progress: Callable[[int, int], None] | None = None) -> int:
    """The round's encrypted records (made at entry) gathered with their homomorphic totals,
    overall and per box group, for the trustees to decrypt.

    The encryption (seconds for a large round) runs before the write lock is taken, so
    desks and counters are not held up by it; under the lock the round's records and the
    ceremony are read again: records changed meanwhile, or the round encrypted by another
    request meanwhile, refuse it, and only then the file, the lines and the event are
    written."""
    state = ceremony_of(db, election)
    if not state.joint_key:
        raise UserError("受托人的联合公钥还没有确定，不能加密计票记录")
    records = _round_records(db, election, round_number)
    _not_encrypted(state, round_number, records)
    specs, listed = _round_posts(db, election, round_number)
    post_shapes = shapes(specs, listed, rulebook_of(election).multi_post_rule)
    total = len(records)
    # Each record was encrypted as it was entered; any the entry did not (a simulation, a
    # record from before the key) is encrypted now.
    from ..counting.service import ballot_of  # the counting capability owns the ballot layout

    fresh: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = []
    out, _ = sealing.round_lines(db, election, ballot_of(db, election, round_number), records, progress, fresh)
    groups = box_groups(db, election, records)
    totals = recount_doc.encrypted_totals(out, groups)
    body = {"round": round_number, "fingerprint": records_fingerprint(records), "groups": groups,
            "shapes": recount_doc.shapes_json(post_shapes, listed), "papers": out, "totals": totals}
    begin_write(db)
    # The lock order (docs/ARCHITECTURE.md): the records whose lines are stored here first,
    # as the entry locks a record before storing its line, then the chain head.
    wanted = sorted(d for d, _, _, _ in fresh)
    for start in range(0, len(wanted), 500):
        db.execute(select(AuditCode.d_hash).where(AuditCode.election_id == election.id,
                                                  AuditCode.d_hash.in_(wanted[start:start + 500]))
                   .order_by(AuditCode.d_hash).with_for_update())
    if records_fingerprint(_round_records(db, election, round_number)) != body["fingerprint"]:
        raise UserError(f"第 {round_number} 轮的计票记录在加密期间有变化，请重新加密")
    for d, box, marks, line in fresh:
        sealing.store_line(db, election, round_number, d, box, marks, line)
    lock_chain_head(db, election)
    _not_encrypted(ceremony_of(db, election), round_number, records)
    path = _paths(instance, election, round_number)
    path.write_text(json.dumps(body, sort_keys=True), encoding="utf-8")
    digest = hashlib.sha256(json.dumps(totals, sort_keys=True).encode("utf-8")).hexdigest()
    record_event(db, election, ENCRYPTED, {"round": round_number, "papers": total, "fingerprint": body["fingerprint"],
                                           "totals_sha256": digest, "papers_sha256": sealing.papers_sha256(out)}, actor, f"公开重计：第 {round_number} 轮计票记录已加密")
    return total


def _not_encrypted(state: Ceremony, round_number: int, records: list[tuple[str, str, dict[str, Any]]]) -> None:
    if not records:
        raise UserError(f"第 {round_number} 轮还没有计入的选票")
    done = state.encrypted.get(round_number)
    if done is not None and done["fingerprint"] == records_fingerprint(records):
        raise UserError(f"第 {round_number} 轮的计票记录已经加密，记录没有变化")


def _encrypted(instance: str | Path, election: Election, round_number: int) -> dict[str, Any] | None:
    path = _paths(instance, election, round_number)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def totals_for_trustees(instance: str | Path, election: Election, round_number: int) -> dict[str, Any]:
    body = _encrypted(instance, election, round_number)
    if body is None:
        raise UserError(f"第 {round_number} 轮还没有加密")
    return body["totals"]


def add_partials(db: Session, election: Election, round_number: int, text: bytes, instance: str | Path, actor: str) -> int:
    """A trustee's partial decryptions of the round's totals, their proofs checked before the
    write lock is taken; under it the ceremony is read again: the round encrypted anew
    meanwhile (other totals), or this trustee's partials recorded meanwhile, refuse it."""
    state = ceremony_of(db, election)
    body = _encrypted(instance, election, round_number)
    if body is None or round_number not in state.encrypted:
        raise UserError(f"第 {round_number} 轮还没有加密，不能上传部分解密")
    doc, index = _trustee_document(state, text, "部分解密")
    _partials_taken(state, round_number, index)
    assert state.doc is not None
    try:
        recount_doc.check_partials(state.doc, [state.publics[i] for i in sorted(state.publics)], body["papers"], doc,
                                   body["groups"])
    except CryptoError as error:
        raise _refuse(error) from None
    begin_write(db)
    lock_chain_head(db, election)
    again = ceremony_of(db, election)
    if again.encrypted.get(round_number) != state.encrypted[round_number]:
        raise UserError(f"第 {round_number} 轮在核对期间重新加密了：请按新的加密结果重新做部分解密")
    _partials_taken(again, round_number, index)
    record_event(db, election, PARTIALS, {"round": round_number, "partials": doc}, actor,
                 f"公开重计：{state.name(index)}对第 {round_number} 轮的部分解密")
    return index


def _partials_taken(state: Ceremony, round_number: int, index: int) -> None:
    if index in state.partials.get(round_number, {}):
        raise UserError(f"{state.name(index)}已经上传了第 {round_number} 轮的部分解密")


def recount_member(db: Session, election: Election, round_number: int, instance: str | Path,
                   records: Iterable[Record]) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    """The bundle's recount.json and the papers of recount/papers.jsonl, once a quorum has
    decrypted the round and while its records are still those that were encrypted; None
    otherwise."""
    state = ceremony_of(db, election)
    body = _encrypted(instance, election, round_number)
    given = state.partials.get(round_number, {})
    if body is None or state.doc is None or len(given) < state.quorum:
        return None
    if body["fingerprint"] != records_fingerprint((r.d, r.box, r.marks) for r in records):
        return None
    publics = [state.publics[i] for i in sorted(state.publics)]
    post_shapes, listed = recount_doc.parse_shapes(body["shapes"])
    partials = [given[i] for i in sorted(given)]
    try:
        decrypted = recount_doc.decrypt(state.doc, publics, post_shapes, body["papers"], partials, body["groups"])
    except CryptoError:
        return None  # partials of another encryption: the round waits for new ones
    header = recount_doc.document(state.doc, publics, post_shapes, listed, body["papers"], partials, decrypted,
                                  body["groups"])
    return header, body["papers"]
