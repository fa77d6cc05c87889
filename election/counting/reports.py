"""Printed results of a published round: 选举结果报告单, 选举结果公告, 当选证书; and the
filing (备案) of the report with the street office, received by its auditor."""
from __future__ import annotations

import io
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ballots.certificates import Certificate, render_certificates
from ballots.notices import NoticeGroup, notice_bytes
from ballots.reports import CandidateTally, PostTally, ResultReport, render_result_report

from .. import clock
from ..clock import cn_date
from ..db import begin_write
from ..errors import UserError
from ..ledger.events import events_of, record_event
from ..ledger.keys import fingerprint_of
from ..models import ROUND_KINDS, Election, Filing, Round, RoundResult, User
from ..protocol import event_kinds as ek
from ..protocol.writeins import OTHER
from ..rounds import day_of, round_label, round_of
from ..rules.methods import basis_line, method_of
from ..rules.rulebook import Rulebook
from ..rules.tally_types import BODY_ZH
from ..settings import rulebook_of
from .result import published
from .service import ballot_of
from .staff import assisted_count

RULE_ZH = {"majority": "过半数", "plurality": "得票多者当选", "runoff": "得票多者当选且不少于三分之一", "void": "选举无效"}


def _published(db: Session, election: Election, round_number: int) -> RoundResult:
    row = published(db, election, round_number)
    if row is None:
        raise UserError(f"第 {round_number} 轮结果尚未公布")
    return row


# A round that elects no one decides a question whose outcome belongs to its own body, which
# prints it: a meeting's motion is the meeting's decision, a recall vote is the recall's result.
# Their counting page links to those papers instead of the election's report, notice,
# certificates and filing (web.counting.own_papers).
OWN_PAPERS = {
    "motion": "表决结果是会议的决定，请在该会议的页面打印会议记录和决定公告",
    "recall": "表决结果是该罢免要求的结果，请在该罢免要求的页面打印罢免结果公告",
}


def elects_no_one(kind: str, round_number: int) -> None:
    """Refuse the election's result papers for a round of a kind in OWN_PAPERS, naming its own
    (the election's notice said 未达到当选票数 and 当选人任期五年 for an adopted motion)."""
    if kind in OWN_PAPERS:
        raise UserError(f"第 {round_number} 轮是{ROUND_KINDS[kind]}，没有当选人：{OWN_PAPERS[kind]}")


def result_report(db: Session, election: Election, round_number: int) -> ResultReport:
    row = _published(db, election, round_number)
    data, names = row.result, row.names
    ballot = ballot_of(db, election, round_number)
    elects_no_one(ballot.kind, round_number)
    posts = []
    for spec, rows in ballot.posts:
        p = data["posts"][spec.key]
        listed = {c.person for c in rows}
        elected = {e["person"] for e in p["elected"]}
        reasons = {n["person"]: n["reason"] for n in p["not_elected"]}
        people = sorted(set(p["votes"]) | listed, key=lambda x: (-p["votes"].get(x, 0), x))
        cands = tuple(
            CandidateTally(names.get(pid, {}).get("name", pid), p["votes"].get(pid, 0), pid in elected,
                           "当选" if pid in elected else _reason(reasons.get(pid, "below_threshold")), pid not in listed)
            for pid in people
        )
        # A void round decides no post but its papers are counted as for any round (rules.tally
        # _void_result): the report gives the counts, its validity note why nobody is elected.
        posts.append(PostTally(BODY_ZH.get(spec.body, spec.body), spec.title, p["seats"], p["valid_papers"],
                               p["invalid_papers"], p["threshold"]["min_votes"],
                               RULE_ZH.get(p["threshold"]["rule"], p["threshold"]["rule"]), cands))
    events = events_of(db, election)
    return ResultReport(
        title="选举结果报告单", election=election.title,
        held_on=cn_date(day_of(election, round_of(db, election, round_number))), round=f"第 {round_number} 轮（{round_label(ballot.kind, round_number)}）",
        date=cn_date(row.published_at), registered_voters=data["registered_voters"],
        papers_issued=data["papers_issued"], papers_returned=data["papers_returned"], posts=tuple(posts),
        key_fingerprint=fingerprint_of(db, election), chain_head=events[-1].hash if events else "",
        committee=f"{election.community.name}居民选举委员会",
        validity_note=data["reason"] if not data["valid"] else sentences(data["explanation"][:2]),
        method_line=basis_line(data.get("method", election.method), data["registered_voters"]),
        electors_label=method_of(data.get("method", election.method)).electors_zh,
        body_papers=tuple((BODY_ZH.get(b, b), v["issued"], v["returned"]) for b, v in data.get("body_papers", {}).items()),
        rulebook=tuple((r.label_zh, r.value_zh) for r in rulebook_of(election).describe()),
        notes=(f"代写选票 {assisted_count(db, election, round_number)} 张（记录代写人和选民，不记录选票内容）。",
               *office_notes(rulebook_of(election))),
    )


_CN_DIGITS = "零一二三四五六七八九"


def cn_years(n: int) -> str:
    """A term in Chinese numerals as certificates print it (五年, 十年, 十二年)."""
    if n < 10:
        text = _CN_DIGITS[n]
    elif n < 100:
        text = ("" if n < 20 else _CN_DIGITS[n // 10]) + "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    else:
        text = str(n)
    return f"{text}年"


def office_notes(rb: Rulebook) -> tuple[str, ...]:
    """What the report says of the term and of the papers: the rulebook's term_years
    ([L2018]) and papers_sealed_until_next ([P:SH] "选票封存至下届选举")."""
    notes = [f"当选人任期{cn_years(rb.term_years)}。"]
    if rb.papers_sealed_until_next:
        notes.append("全部选票（含作废、未使用的选票）当场封存，由选举委员会保存至下届选举。")
    return tuple(notes)


REASON_ZH = {
    "below_threshold": "未达到当选票数", "seats_filled": "名额已满", "tie_revote": "票数相等，须再次投票",
    "elected_higher_post": "已当选其他职务", "near_relative": "近亲属回避", "replaced_by_woman": "由妇女成员替换",
    "election_void": "选举无效",
}


def sentences(parts: list[str]) -> str:
    """Sentences joined as Chinese prose: each ends with one 。 (never 「。；」)."""
    return "".join(p.rstrip("。；;. ") + "。" for p in parts if p.strip())


def _reason(code: str) -> str:
    return REASON_ZH.get(code, code)


def report_pdf(db: Session, election: Election, round_number: int) -> bytes:
    out = io.BytesIO()
    try:
        render_result_report(result_report(db, election, round_number), out)
    except ValueError as error:
        raise UserError(str(error)) from None
    return out.getvalue()


def _public_rows(candidates: tuple[CandidateTally, ...], minimum: int) -> list[list[str]]:
    """The notice's rows: a write-in below the rulebook's minimum and not elected is not named
    on the notice board; their votes make one 其他（另选他人） row (issue 15)."""
    rows = [[c.name, str(c.votes), c.reason] for c in candidates
            if not c.write_in or c.elected or c.votes >= minimum]
    other = sum(c.votes for c in candidates if c.write_in and not c.elected and c.votes < minimum)
    if other:
        rows.append([OTHER, str(other), "未达到当选票数"])
    return rows


def notice_pdf(db: Session, election: Election, round_number: int) -> bytes:
    """选举结果公告: the elected per post with their votes, and the turnout."""
    report = result_report(db, election, round_number)
    minimum = rulebook_of(election).write_in_public_min
    groups = [
        NoticeGroup(f"{p.body}{p.post}（应选 {p.seats} 名，当选票数 {p.threshold_votes} 票）", _public_rows(p.candidates, minimum))
        for p in report.posts
    ]
    return notice_bytes(
        "选举结果公告", [f"{election.title}　{report.round}",
                     report.method_line,
                     f"{report.electors_label} {report.registered_voters} 人，"
                     + ("，".join(f"{b}选票发出 {i} 张、收回 {r} 张" for b, i, r in report.body_papers)
                        or f"发出选票 {report.papers_issued} 张，收回选票 {report.papers_returned} 张") + "。",
                     f"当选人任期{cn_years(rulebook_of(election).term_years)}。"],
        ["姓名", "得票", "结果"], groups, [report.committee, report.date],
    )


def certificates_pdf(db: Session, election: Election) -> bytes:
    """当选证书 for everyone elected in the published rounds (a later round adds its elected)."""
    certs: list[Any] = []
    term = f"任期{cn_years(rulebook_of(election).term_years)}"
    rows = db.scalars(select(RoundResult).where(RoundResult.election_id == election.id).order_by(RoundResult.round_number))
    for row in rows:
        ballot = ballot_of(db, election, row.round_number)
        for spec, _ in ballot.posts:
            for e in row.result["posts"][spec.key]["elected"]:
                # Held on the round's voting day (the election day for round 1), signed on
                # the local day the result was published: never the day the PDF is printed.
                certs.append(Certificate(
                    e["name"], BODY_ZH.get(spec.body, spec.body), spec.title, election.title, term,
                    cn_date(row.published_at), f"{election.community.name}居民选举委员会",
                    f"{election.id:04d}-{row.round_number}-{len(certs) + 1:02d}",
                    held_on=cn_date(day_of(election, round_of(db, election, row.round_number))),
                ))
    if not certs:
        raise UserError("尚无当选人，不能打印当选证书")
    out = io.BytesIO()
    render_certificates(certs, out)
    return out.getvalue()


# ---------------------------------------------------------------------- filing (备案)

def file_result(db: Session, election: Election, round_number: int, actor: str) -> Filing:
    """File the round's result report with the street office; once more after it was returned."""
    from ..models import utcnow

    begin_write(db)
    # The round's row first (as publishing and reopening its result do), then the filing:
    # two filings at once are one after the other and the second sees the first's below.
    rnd = round_of(db, election, round_number)
    db.execute(select(Round.id).where(Round.id == rnd.id).with_for_update(key_share=True))
    _published(db, election, round_number)
    elects_no_one(rnd.kind, round_number)  # no report to file
    row = db.scalar(select(Filing).where(Filing.election_id == election.id, Filing.round_number == round_number)
                    .with_for_update().execution_options(populate_existing=True))
    if row is not None and row.rejected_at is None:
        raise UserError(f"第 {round_number} 轮结果报告单已报街道备案")
    if row is None:
        row = Filing(election_id=election.id, round_number=round_number,
                     street_office=election.community.street_office, filed_by=actor)
        db.add(row)
    else:  # filed again after the street office returned it: the return stays in the event log
        row.filed_by, row.filed_at = actor, utcnow()
        row.rejected_by, row.rejected_at, row.rejected_reason = None, None, ""
    record_event(db, election, ek.RESULT_FILED, {"round": round_number, "street_office": row.street_office}, actor)
    db.flush()
    return row


def filings_for(db: Session, street_office: str) -> list[tuple[Filing, Election]]:
    """The results filed with this street office, newest first, each with its election."""
    rows = db.execute(select(Filing, Election).join(Election, Election.id == Filing.election_id)
                      .where(Filing.street_office == street_office).order_by(Filing.filed_at.desc()))
    return [(f, e) for f, e in rows]


def _locked_filing(db: Session, filing_id: int) -> Filing | None:
    """The filing, under the write lock and its row's lock, read afresh: a receipt and a
    return at once are one after the other, and the second sees what the first did."""
    begin_write(db)
    return db.scalar(select(Filing).where(Filing.id == filing_id).with_for_update()
                     .execution_options(populate_existing=True))


def receive_filing(db: Session, filing_id: int, auditor: User) -> Filing:
    from ..models import utcnow

    row = _locked_filing(db, filing_id)
    if row is None or row.street_office != auditor.street_office:
        raise UserError(f"备案编号 {filing_id} 不存在或不属于{auditor.street_office or '本街道'}")
    if row.received_at is not None:
        raise UserError(f"备案编号 {filing_id} 已于 {clock.local(row.received_at):%Y-%m-%d %H:%M} 签收")
    if row.rejected_at is not None:
        raise UserError(f"备案编号 {filing_id} 已驳回，须待选举委员会重新报备")
    row.received_by, row.received_at = auditor.username, utcnow()
    election = db.get_one(Election, row.election_id)
    record_event(db, election, ek.RESULT_FILING_RECEIVED, {"round": row.round_number, "street_office": row.street_office}, auditor.username)
    db.flush()
    return row


def reject_filing(db: Session, filing_id: int, auditor: User, reason: str) -> Filing:
    """The street office returns (驳回) a filed result report with its reason; the committee
    sees it on the counting page and files again."""
    from ..models import utcnow

    row = _locked_filing(db, filing_id)
    if row is None or row.street_office != auditor.street_office:
        raise UserError(f"备案编号 {filing_id} 不存在或不属于{auditor.street_office or '本街道'}")
    problems = []
    if row.received_at is not None:
        problems.append(f"备案编号 {filing_id} 已于 {clock.local(row.received_at):%Y-%m-%d %H:%M} 签收，不能再驳回")
    elif row.rejected_at is not None:
        problems.append(f"备案编号 {filing_id} 已驳回")
    if not (reason or "").strip():
        problems.append("驳回备案须填写驳回理由")
    if problems:
        raise UserError(*problems)
    row.rejected_by, row.rejected_at, row.rejected_reason = auditor.username, utcnow(), reason.strip()
    election = db.get_one(Election, row.election_id)
    record_event(db, election, ek.RESULT_FILING_REJECTED, {"round": row.round_number, "street_office": row.street_office},
                 auditor.username, reason.strip())
    db.flush()
    return row


def filing_of(db: Session, election: Election, round_number: int) -> Filing | None:
    return db.scalar(select(Filing).where(Filing.election_id == election.id, Filing.round_number == round_number))
