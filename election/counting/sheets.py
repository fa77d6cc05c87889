"""The paper forms of the count, printed for the table and signed there: the 计票单 (one
table per post: every candidate with 赞成/反对/弃权 columns to tally by hand with 正 marks,
and a 另选他人 line) and the 选票清点表 (printed, issued, spoiled, unused and deposited papers
per station and box, with the figures recorded so far). Both end with the signature lines of
the 监票人, 计票人, 唱票人 and 记票人.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from ballots.notices import NoticeGroup, notice_bytes

from ..clock import cn_date
from ..models import Election
from ..polling.close import reconciliation
from ..rounds import day_of, round_label, round_of
from ..rules.tally_types import QUESTION_ROUNDS
from .service import ballot_of

SIGNERS = ("监票人", "计票人", "唱票人", "记票人")
BLANK = "　" * 6


def signature_lines() -> list[str]:
    """One line per signer, each followed by the date to write by hand."""
    return [f"{who}（签名）：{BLANK}{BLANK}　　年　　月　　日" for who in SIGNERS]


def _heading(election: Election, number: int, kind: str) -> str:
    return f"{election.title}　第 {number} 轮（{round_label(kind, number)}）"


def tally_sheet_pdf(db: Session, election: Election, number: int) -> bytes:
    """计票单 of a round: candidates in ballot order under each post, columns left blank."""
    ballot = ballot_of(db, election, number)
    rnd = round_of(db, election, number)
    groups = []
    question = ballot.kind in QUESTION_ROUNDS  # one line, no 另选他人, nobody elected
    for spec, candidates in ballot.posts:
        rows = [[str(n), c.name, "", "", "", ""] for n, c in enumerate(candidates, start=1)]
        if not question:
            rows.append([str(len(rows) + 1), "另选他人：", "", "", "", ""])
        groups.append(NoticeGroup(spec.name_zh if question else f"{spec.name_zh}（应选 {spec.seats} 名）", rows))
    return notice_bytes(
        "计票单", [_heading(election, number, ballot.kind), f"投票日期：{cn_date(day_of(election, rnd))}　票箱：{BLANK}",
                  "唱票人每读一张选票，记票人在对应栏内画“正”字一笔；每个职位清点完毕后填写合计。"],
        ["序号", "姓名", "赞成", "反对", "弃权", "合计"], groups,
        [*signature_lines(), f"{election.community.name}居民选举委员会"],
    )


def reconcile_sheet_pdf(db: Session, election: Election, number: int) -> bytes:
    """选票清点表 of a round with the figures recorded so far, to check and sign."""
    rnd = round_of(db, election, number)
    rec = reconciliation(db, election, number)
    stations = [[s["name"], str(s["handed_over"] or 0), str(s["issued"]), str(s["spoiled"]), str(s["deposited"])]
                for s in rec.stations] or [["—", "", "", "", ""]]
    boxes = [[b["station"], b["label"], str(b["deposited"]), str(b["counted"]), ""] for b in rec.boxes] or [["—", "", "", "", ""]]
    return notice_bytes(
        "选票清点表", [_heading(election, rnd.number, rnd.kind), f"投票日期：{cn_date(day_of(election, rnd))}",
                    f"印制选票 {rec.printed} 张，发出 {rec.issued} 张，写错作废 {rec.spoiled} 张，未用作废 {rec.unused} 张。"
                    "下表为系统记录，请与实际清点的张数核对，不一致的写在备注栏。"],
        ["投票站或票箱", "交接 / 票箱", "发出 / 投入", "作废 / 已计", "投入 / 备注"],
        [NoticeGroup("各投票站：投票站、交接张数、发出、写错作废、投入票箱", stations),
         NoticeGroup("各票箱：投票站、票箱、投入（存根）、已计票、备注", boxes)],
        [*signature_lines(), f"{election.community.name}居民选举委员会"],
    )
