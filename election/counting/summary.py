"""A result as people read it: posts in their order (居民委员会 主任, 副主任, 委员, then the
居务监督委员会), who was 当选 and why the others were not, what the next round must do; the
committee's preview before publishing, and the final 当选名单 across every published round.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ballots.notices import NoticeGroup, notice_bytes

from ..clock import cn_date
from ..errors import UserError
from ..models import Election, RoundResult
from ..rules.phrase import phrase
from ..rules.tally_types import BODY_ZH
from ..settings import posts_of
from .reports import REASON_ZH

# What the next round must do, by the result's next_round (a page shows it through the
# English catalogue: tools/translate.py lists these labels).
NEXT_ZH = {
    "none": "",
    "revote": "有票数相等的职位，须再次投票",
    "runoff": "有职位名额未选满，须另行选举",
    "new_election": "选举无效，须重新选举",
    "nomination": "有职位名额未选满而无人可参加另行选举，须由选举委员会重新提名",
}


def post_order(election: Election) -> list[tuple[str, str]]:
    """(post key, Chinese name) of the election's posts, higher post first, 居委会 first."""
    return [(p.key, p.name_zh) for p in posts_of(election)]


@dataclass
class PostLine:
    key: str
    name: str
    seats: int
    elected: list[tuple[str, int]] = field(default_factory=list)  # (name, votes)
    others: list[tuple[str, int, str]] = field(default_factory=list)  # (name, votes, reason)

    @property
    def unfilled(self) -> int:
        return max(self.seats - len(self.elected), 0)


def lines(election: Election, data: dict, names: dict) -> list[PostLine]:
    """The posts of one round's result (the stored dict) in post order."""
    out = []
    for key, name in post_order(election):
        p = data["posts"].get(key)
        if p is None:
            continue  # not on this round's paper
        line = PostLine(key, name, p["seats"])
        line.elected = [(e.get("name") or names.get(e["person"], {}).get("name", e["person"]), e["votes"]) for e in p["elected"]]
        line.others = [(n.get("name") or names.get(n["person"], {}).get("name", n["person"]), n["votes"],
                        REASON_ZH.get(n["reason"], n["reason"])) for n in p["not_elected"]]
        out.append(line)
    return out


def next_step(data: dict) -> str:
    return NEXT_ZH.get(data.get("next_round", "none"), "")


@dataclass
class FinalList:
    """Everyone elected, across the published rounds, in post order; complete when no round
    is still owed (the last published round needs no next round)."""

    rows: list[tuple[str, str, str, int, int]]  # (body, post name, name, votes, round)
    complete: bool
    pending: str


def final_list(db: Session, election: Election) -> FinalList:
    results = list(db.scalars(select(RoundResult).where(RoundResult.election_id == election.id)
                              .order_by(RoundResult.round_number)))
    order = {key: i for i, (key, _name) in enumerate(post_order(election))}
    names = dict(post_order(election))
    rows = []
    for row in results:
        for key, p in row.result["posts"].items():
            for e in p["elected"]:
                person = e.get("name") or row.names.get(e["person"], {}).get("name", e["person"])
                rows.append((order.get(key, 99), row.round_number, key, person, e["votes"]))
    rows.sort()
    last = results[-1].result if results else None
    pending = next_step(last) if last else phrase("尚未公布任何一轮结果")
    return FinalList(
        [(BODY_ZH[key.split("_", 1)[0]], names.get(key, key).removeprefix(BODY_ZH[key.split("_", 1)[0]]), person, votes, number)
         for _o, number, key, person, votes in rows],
        complete=last is not None and not pending, pending=pending)


def final_list_pdf(db: Session, election: Election) -> bytes:
    """当选名单公告: the new committee and supervision committee, one line per member."""
    result = final_list(db, election)
    if not result.rows:
        raise UserError("尚无当选人，不能打印当选名单公告")
    if not result.complete:
        raise UserError(f"选举尚未完成（{result.pending}），全部名额选出后再打印当选名单公告")
    last = db.scalars(select(RoundResult).where(RoundResult.election_id == election.id)
                      .order_by(RoundResult.round_number.desc()).limit(1)).one()
    groups = []
    for body in ("居民委员会", "居务监督委员会"):
        members = [[post, name, f"第 {number} 轮"] for b, post, name, _votes, number in result.rows if b == body]
        if members:
            groups.append(NoticeGroup(f"{election.community.name}{body}（{len(members)}名）", members))
    return notice_bytes(
        "当选名单公告", [f"{election.title}已经选举完成。根据选举结果，下列人员当选，现予公告。",
                     f"选举日：{cn_date(election.election_day)}。"],
        ["职务", "姓名", "当选轮次"], groups,
        [f"{election.community.name}居民选举委员会", cn_date(last.published_at)],
    )
