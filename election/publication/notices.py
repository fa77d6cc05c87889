"""The printed chain-head notice: the signed head (sequence number, hash, signature,
key fingerprint, date, QR) for the notice board and the street office, one per day of
the election period. Each is itself an event, so a later rewrite of anything before the
printed head is visible against the paper on the wall."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import clock
from ..clock import cn_date
from ..db import begin_write
from ..ledger import keys
from ..ledger.events import events_of, record_event
from ..ledger.keys import sign_head
from ..models import Election, HeadNotice
from ..protocol import event_kinds as ek


def daily_notice(db: Session, election: Election, data_key: str, actor: str, day: date | None = None) -> HeadNotice:
    """Today's notice: made (signed and recorded) on the first call of the day, then the same.
    The write lock is taken before the first read (begin_write): on SQLite a reader that writes
    at the end fails with "database is locked" when anyone committed meanwhile, and two prints
    of the same day would each find no notice."""
    begin_write(db)
    day = day or clock.today()
    row = db.scalar(select(HeadNotice).where(HeadNotice.election_id == election.id, HeadNotice.day == day))
    if row is not None:
        return row
    sig = sign_head(db, election, data_key, day)
    row = HeadNotice(election_id=election.id, day=day, seq=int(sig.statement["seq"]), head=sig.statement["head"],
                     signature=sig.signature, printed_by=actor)
    db.add(row)
    record_event(db, election, ek.LEDGER_HEAD_NOTICE_PRINTED, {"day": day.isoformat(), "seq": row.seq, "head": row.head,
                                               "signature": row.signature}, actor, "张贴链头公告")
    return row


def qr_payload(election: Election, notice: HeadNotice) -> str:
    return f"JXH:{election.uid}:{notice.seq}:{notice.head}"


def printed_notice(db: Session, election: Election, data_key: str, actor: str) -> tuple[HeadNotice, bytes]:
    """Today's notice (made and recorded on the first print of the day) and its PDF."""
    notice = daily_notice(db, election, data_key, actor)
    return notice, notice_pdf(db, election, notice)


def notice_pdf(db: Session, election: Election, notice: HeadNotice) -> bytes:
    """The notice as an A4 PDF with its QR, for the notice board."""
    from ballots.notices import notice_bytes

    fp = keys.fingerprint_of(db, election)
    head = notice.head
    rows = [
        ["事件序号", str(notice.seq)],
        ["链头哈希", " ".join(head[i:i + 16] for i in range(0, 64, 16))],
        ["签名", " ".join(notice.signature[i:i + 32] for i in range(0, len(notice.signature), 32))],
        ["选举公钥指纹", fp],
        ["事件总数", str(len(events_of(db, election)))],
    ]
    return notice_bytes(
        "选举事件链链头公告", [election.title, f"{cn_date(notice.day)} · {election.community.name}"],
        ["项目", "内容"], rows,
        ["此后公布的任何事件链必须包含上述链头；如不一致，说明记录被改写，请向街道办事处反映。",
         f"{election.community.name}居民选举委员会", cn_date(notice.day)],
        qr_payload=qr_payload(election, notice), qr_caption="扫码核对链头",
    )
