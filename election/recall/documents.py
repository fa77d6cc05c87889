"""罢免结果公告: the proposal, the signers' count, the vote and the result, posted for the residents."""
from __future__ import annotations

from sqlalchemy.orm import Session

from ballots.notices import notice_bytes

from ..clock import cn_date
from ..errors import UserError
from ..models import RECALL_STATUSES, Election, Resident
from . import service


def result_pdf(db: Session, election: Election, recall_id: int) -> bytes:
    row = service.recall_of(db, election, recall_id)
    if row.status == "proposed" or row.voted_on is None:
        raise UserError("罢免投票结果尚未记录，不能打印结果公告")
    person = db.get(Resident, row.resident_id)
    name = person.name if person else str(row.resident_id)
    lines = [
        f"{cn_date(row.filed_on)}，{row.signers}名{service.BASES[row.base]}（共{row.base_total}名）联名提出罢免{name}的要求。",
        f"罢免理由：{row.reasons}",
        f"{cn_date(row.voted_on)}进行罢免投票：登记选民{row.registered}人，参加投票{row.voted}人，赞成罢免{row.in_favour}票。",
        f"{row.message}。",
    ]
    if row.status == "carried":
        lines.append(f"{name}的职务自{cn_date(row.voted_on)}起终止，该职位出缺，依法补选。")
    return notice_bytes(f"罢免投票结果公告（{RECALL_STATUSES[row.status]}）", lines, [], [],
                        [f"{election.community.name}居民委员会", cn_date(row.voted_on)])
