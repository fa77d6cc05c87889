"""导出 Excel: one .xlsx download for every list the committee or the street office sees.

Each export names the page whose list it downloads. Its route is guarded exactly like that
page (`access.guarded_like` copies the page's role mark) and scoped by the election in
the URL, and its rows come from the service function the page itself calls, so a sheet
cannot show more than the page, nor disagree with it. Personal data is exported as the
pages show it: ID and phone numbers masked, never decrypted. No receipt code, audit code
or card code is ever exported, nor anything that pairs a voter with a paper's marks.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from flask import Blueprint, Response, request
from flask_login import current_user
from sqlalchemy.orm import Session

from .. import clock
from ..audit import service as audit_service
from ..counting import reports
from ..counting.tables import bundle_round
from ..models import CANDIDATE_STATUSES, COMMITTEE_BODIES, RELATIONS, STATUSES, CommitteeEntry, Election, Nomination
from ..nomination import service as nomination
from ..polling import close, deposit, issuance
from ..polling import stations as station_svc
from ..polling import turnout as turnout_svc
from ..publication.complaints import KINDS as COMPLAINT_KINDS
from ..publication.complaints import complaints_of
from ..representatives import areas as area_svc
from ..representatives import committee as committee_svc
from ..representatives import meetings as meeting_svc
from ..representatives import roster as roster_svc
from ..roll.cards import voter_number_text
from ..roll.publication import decision_deadline, objection_deadline, objections_of
from ..roll.register import applications_of, category_label, listing
from ..rounds import current_round
from ..rules.eligibility import age_on
from ..settings import posts_of, rulebook_of
from ..workflow.stages import calendar as calendar_lines
from ..xlsx import MIME, Sheet, workbook_bytes
from . import audit as audit_pages
from . import counting as counting_pages
from . import nomination as nomination_pages
from . import public as public_pages
from . import representatives as representative_pages
from . import roll as roll_pages
from . import setup as setup_pages
from . import workflow as workflow_pages
from .access import guarded_like
from .db import get_db
from .feedback import found_or_404
from .polling import boxes as box_pages
from .polling import close as close_pages
from .polling import proxies as proxy_pages
from .polling import stations as station_pages

bp = Blueprint("exports", __name__)

Build = Callable[..., list[Sheet]]


@dataclass(frozen=True)
class Export:
    """An export: its endpoint, the page whose list it is, and the file's Chinese name."""

    endpoint: str
    page: Callable
    name: str


EXPORTS: dict[str, Export] = {}


def xlsx_response(sheets: list[Sheet], name: str, ascii_name: str) -> Response:
    """The workbook as a download named in Chinese (RFC 6266 filename*, ASCII fallback)."""
    disposition = f"attachment; filename=\"{ascii_name}.xlsx\"; filename*=UTF-8''{quote(name + '.xlsx')}"
    return Response(workbook_bytes(*sheets), mimetype=MIME,
                    headers={"Content-Disposition": disposition, "Cache-Control": "no-store"})


def export(page: Callable, rule: str, name: str) -> Callable[[Build], Build]:
    """Register ``build(db, election, **url_args) -> sheets`` as the export of ``page``."""

    def decorate(build: Build) -> Build:
        endpoint = build.__name__

        def view(election: Election | None = None, **kwargs):
            # @roles (guarded_like) hands an election's URL its election, checked to be the user's.
            sheets = build(get_db(), election, **kwargs)
            owner = election.community.name if election else current_user.street_office or ""
            stem = f"{owner}{name}-{clock.today():%Y%m%d}"
            ascii_stem = f"juxuan-{endpoint.replace('_', '-')}-{election.id if election else 'street'}"
            return xlsx_response(sheets, stem, ascii_stem)

        view.__name__ = endpoint
        bp.add_url_rule(rule, endpoint, guarded_like(page)(view))
        EXPORTS[f"exports.{endpoint}"] = Export(f"exports.{endpoint}", page, name)
        return build

    return decorate


def _round(db: Session, election: Election) -> int:
    """The round a polling page shows: ``?round=N``, else the round being voted."""
    return request.args.get("round", type=int) or current_round(db, election).number


# --- the voter roll ------------------------------------------------------------------------

@export(roll_pages.index, "/elections/<int:election_id>/roll/roll.xlsx", "选民名单")
def roll(db: Session, election: Election) -> list[Sheet]:
    # Age on election day, never the birth date: the masked ID hides exactly the birth date's
    # eight digits, so the two side by side would give back the whole ID number.
    headers = ["选民编号", "姓名", "性别", "选举日年龄", "公民身份号码", "户号", "住址", "居民小组", "户籍类别",
               "联系电话", "登记状态", "选举权", "选民证", "重复登记待核实"]
    rows = [[voter_number_text(r), r.name, r.sex, age_on(r.birth_date, election.election_day) if r.birth_date else None,
             r.id_masked, r.household.number,
             f"{r.household.building}{r.household.unit}{r.household.room}", r.group_name, category_label(r),
             r.phone_masked, STATUSES.get(r.status, r.status), "符合条件" if r.eligible else "不符合条件",
             "已分配" if r.card_code else "未分配", r.double_registration]
            for r in listing(db, election)]
    return [Sheet("选民名单", headers, rows)]


@export(roll_pages.applications, "/elections/<int:election_id>/roll/applications.xlsx", "选民登记申请")
def applications(db: Session, election: Election) -> list[Sheet]:
    headers = ["申请人", "公民身份号码", "类别", "起始日期", "声明未在他处登记", "结果", "不符合的原因", "录入人"]
    rows = [[a.resident.name, a.resident.id_masked, a.kind_label, a.since, a.declared_single,
             "已登记" if a.result == "approved" else "不符合条件", a.reasons, a.entered_by]
            for a in applications_of(db, election)]
    return [Sheet("申请登记", headers, rows)]


@export(roll_pages.objections, "/elections/<int:election_id>/roll/objections.xlsx", "选民名单申诉")
def objections(db: Session, election: Election) -> list[Sheet]:
    headers = ["编号", "申诉人", "涉及居民", "公民身份号码", "申诉内容", "申诉日期", "申诉截止日期", "处理期限",
               "状态", "处理决定", "决定日期", "决定人", "逾期决定"]
    window = objection_deadline(election) if election.roll_published_on else None
    rows = []
    for o in objections_of(db, election):
        due = decision_deadline(election, o)
        rows.append([o.id, o.objector, o.resident.name if o.resident else "", o.resident.id_masked if o.resident else "",
                     o.text, o.filed_on, window, due, o.status_label, o.decision, o.decided_on, o.decided_by or "",
                     (o.decided_on or clock.today()) > due])
    return [Sheet("选民名单申诉", headers, rows)]


# --- representatives and the election committee -------------------------------------------

@export(representative_pages.areas, "/elections/<int:election_id>/representatives/areas.xlsx", "居民代表推选片区")
def areas(db: Session, election: Election) -> list[Sheet]:
    overview = area_svc.overview(db, election)
    rows = [[a.group_name or f"第{a.number}片区", overview.counts[a.id], a.seats, a.explanation,
             "、".join(person.name for _rep, person in meeting_svc.sitting(db, a))]
            for a in overview.areas]
    return [Sheet("推选片区", ["片区", "户数", "应推选居民代表", "范围", "居民代表"], rows)]


@export(representative_pages.roster, "/elections/<int:election_id>/representatives/list.xlsx", "居民代表名单")
def representatives(db: Session, election: Election) -> list[Sheet]:
    rows = [[ln.area_label, ln.name, ln.sex, ln.status_label, ln.change, ln.rep.votes]
            for ln in roster_svc.roster(db, election)]
    return [Sheet("居民代表名单", ["片区", "姓名", "性别", "状态", "变动情况", "得票"], rows)]


@export(representative_pages.leaders, "/elections/<int:election_id>/group-leaders.xlsx", "居民小组长名单")
def group_leaders(db: Session, election: Election) -> list[Sheet]:
    rows = [[g.group_name, person.name, g.votes] for g, person in meeting_svc.group_leaders(db, election)]
    return [Sheet("居民小组长", ["居民小组", "组长", "得票"], rows)]


def committee_standing(entry: CommitteeEntry) -> str:
    """What the committee page says of a member: seated (chair, by succession), withdrawn, waiting."""
    if entry.seated:
        return "成员" + ("（主任）" if entry.is_chair else "") + ("，依次递补" if entry.seated_by_succession else "")
    if entry.withdrawn:
        return f"已退出：{entry.withdrawn_reason}"
    return "未进入（候补）"


@export(representative_pages.committee, "/elections/<int:election_id>/election-committee.xlsx", "居民选举委员会")
def election_committee(db: Session, election: Election) -> list[Sheet]:
    rows = [[e.rank, e.label, e.votes, committee_standing(e), COMMITTEE_BODIES.get(e.chosen_by, e.chosen_by)]
            for e in committee_svc.entries(db, election)]
    return [Sheet("居民选举委员会", ["名次", "姓名", "得票", "现状", "推选方式"], rows)]


# --- nomination ------------------------------------------------------------------------------

def _nomination_columns(nominations: list[Nomination]) -> list:
    channels = "；".join(n.channel_label for n in nominations)
    evidence = "；".join(n.evidence for n in nominations if n.evidence)
    signers = sum(len(n.signatures) for n in nominations)
    confirmed = "；".join(f"{n.confirmed_by}（{n.confirmed_note}）" if n.confirmed_note else n.confirmed_by
                         for n in nominations if n.confirmed_by)
    return [channels, evidence, signers, confirmed]


@export(nomination_pages.index, "/elections/<int:election_id>/nomination/nominees.xlsx", "被提名人名单")
def nominees(db: Session, election: Election) -> list[Sheet]:
    posts = {p.key: p.name_zh for p in posts_of(election)}
    by_candidate = nomination.nominations_by_candidate(db, election)
    votes = nomination.primary_votes(db, election)
    headers = ["职位", "姓名", "性别", "选民编号", "状态", "票序", "提名方式", "提名依据", "联名人数", "审核确认",
               "预选得票", "文化程度", "现任职务", "简历"]
    rows = []
    for c in nomination.candidates_of(db, election, statuses=tuple(CANDIDATE_STATUSES)):
        vote = votes.get(c.id)
        rows.append([posts.get(c.post, c.post), c.resident.name, c.resident.sex, voter_number_text(c.resident),
                     CANDIDATE_STATUSES.get(c.status, c.status), c.ballot_order,
                     *_nomination_columns(by_candidate.get(c.id, [])), vote.votes if vote else None,
                     c.education, c.current_job, c.biography])
    return [Sheet("被提名人", headers, rows)]


@export(nomination_pages.publish, "/elections/<int:election_id>/nomination/candidates.xlsx", "正式候选人名单")
def candidates(db: Session, election: Election) -> list[Sheet]:
    by_candidate = nomination.nominations_by_candidate(db, election)
    formal = nomination.formal_candidates(db, election)
    headers = ["职位", "票序", "姓名", "性别", "年龄", "文化程度", "现任职务", "简历", "提名方式"]
    rows = [[post.name_zh, c.ballot_order, c.resident.name, c.resident.sex,
             age_on(c.resident.birth_date, election.election_day), c.education, c.current_job, c.biography,
             nomination.source_of(by_candidate.get(c.id, []))]
            for post in posts_of(election) for c in formal[post.key]]
    return [Sheet("正式候选人", headers, rows)]


@export(nomination_pages.relations, "/elections/<int:election_id>/nomination/relations.xlsx", "近亲属关系")
def relations(db: Session, election: Election) -> list[Sheet]:
    rows = [[nomination.label(r.resident), nomination.label(r.relative), RELATIONS.get(r.kind, r.kind)]
            for r in nomination.relations_of(db, election)]
    return [Sheet("近亲属关系", ["居民", "亲属", "关系"], rows)]


# --- polling day -----------------------------------------------------------------------------

@export(station_pages.overview, "/elections/<int:election_id>/polling/stations.xlsx", "投票站和票箱")
def stations(db: Session, election: Election) -> list[Sheet]:
    headers = ["投票站", "类型", "发票台", "票箱", "监票人员", "交接选票张数", "签收人"]
    rows = [[s.name, "流动票箱" if s.mobile else "固定投票站", "、".join(d.name for d in s.desks),
             "、".join(b.label for b in s.boxes), "、".join(s.scrutineers or []), s.papers_handed_over,
             s.handover_signed_by]
            for s in station_svc.stations_of(db, election)]
    return [Sheet("投票站和票箱", headers, rows)]


@export(proxy_pages.proxies, "/elections/<int:election_id>/polling/proxies.xlsx", "委托投票名单")
def proxies(db: Session, election: Election) -> list[Sheet]:
    rows = [[h.name, v.name, p.signed_on, p.approved_by] for p, v, h in issuance.proxies_of(db, election)]
    return [Sheet("委托投票", ["受委托人", "委托人", "签署日期", "批准人"], rows)]


@export(proxy_pages.proxies, "/elections/<int:election_id>/polling/mobile-voters.xlsx", "流动票箱选民名单")
def mobile_voters(db: Session, election: Election) -> list[Sheet]:
    rows = [[b.label, v.name, v.group_name or "", m.reason] for m, v, b in station_svc.mobile_voters(db, election)]
    return [Sheet("流动票箱选民", ["流动票箱", "姓名", "居民小组", "原因"], rows)]


@export(close_pages.turnout_page, "/elections/<int:election_id>/polling/turnout.xlsx", "投票率")
def turnout(db: Session, election: Election) -> list[Sheet]:
    number = _round(db, election)
    data = turnout_svc.turnout(db, election, number)
    return [
        Sheet(f"第{number}轮投票率", ["登记选民", "已发出选票", "投票率（%）"],
              [[data["registered"], data["issued"], data["percent"]]]),
        Sheet("各投票站", ["投票站", "已发出选票"], [[s["name"], s["issued"]] for s in data["stations"]]),
        Sheet("每小时", ["时段", "已发出选票"], [[clock.local_hour(h["hour"]), h["issued"]] for h in data["hours"]]),
    ]


@export(box_pages.spoiled, "/elections/<int:election_id>/polling/spoiled.xlsx", "写错换票")
def spoiled(db: Session, election: Election) -> list[Sheet]:
    number = _round(db, election)
    rows = [[station, clock.local_hour(hour), n] for station, hour, n in deposit.spoiled_by_hour(db, election, number)]
    return [Sheet(f"第{number}轮写错换票", ["投票站", "时段", "张数"], rows)]


@export(close_pages.reconcile, "/elections/<int:election_id>/polling/reconcile.xlsx", "选票清点")
def reconciliation(db: Session, election: Election) -> list[Sheet]:
    number = _round(db, election)
    rec = close.reconciliation(db, election, number)
    return [
        Sheet(f"第{number}轮选票清点", ["印制", "发出", "作废", "未用"], [[rec.printed, rec.issued, rec.spoiled, rec.unused]]),
        Sheet("各投票站", ["投票站", "交接", "发出", "写错换票", "投入票箱"],
              [[s["name"], s["handed_over"], s["issued"], s["spoiled"], s["deposited"]] for s in rec.stations]),
        Sheet("各票箱", ["票箱", "投入存根", "计票记录"], [[b["label"], b["deposited"], b["counted"]] for b in rec.boxes]),
        Sheet("差异与说明", ["差异", "情况说明", "记录人"],
              [[f.message, "", ""] for f in rec.findings] + [[n.message, n.explanation, n.actor] for n in rec.notes]),
    ]


# --- counting, result, filings, complaints, audit ---------------------------------------------

@export(counting_pages.report, "/elections/<int:election_id>/counting/<int:number>/result.xlsx", "选举结果")
def result(db: Session, election: Election, number: int) -> list[Sheet]:
    report = found_or_404(lambda: reports.result_report(db, election, number))  # none for a round not published
    summary = Sheet("概况", ["选举", "轮次", "公布日期", "登记选民", "发出选票", "收回选票", "说明"],
                    [[report.election, report.round, report.date, report.registered_voters, report.papers_issued,
                      report.papers_returned, report.validity_note]])
    headers = ["机构", "职位", "应选名额", "有效票", "无效票", "当选票数线", "当选规则", "姓名", "得票", "当选", "说明", "另选他人"]
    rows = [[p.body, p.post, p.seats, p.papers_valid, p.papers_invalid, p.threshold_votes, p.threshold_rule,
             c.name, c.votes, c.elected, c.reason, c.write_in]
            for p in report.posts for c in p.candidates]
    return [Sheet(f"第{number}轮选举结果", headers, rows), summary]


@export(counting_pages.filings, "/filings.xlsx", "选举结果备案")
def filings(db: Session, _election: None) -> list[Sheet]:
    headers = ["社区", "选举", "轮次", "报备人", "报备时间", "签收人", "签收时间"]
    rows = []
    for f, e in reports.filings_for(db, current_user.street_office or ""):
        rows.append([e.community.name, e.title, f.round_number, f.filed_by, f.filed_at, f.received_by or "", f.received_at])
    return [Sheet("选举结果备案", headers, rows)]


@export(public_pages.complaints, "/e/<int:election_id>/complaints.xlsx", "申诉与答复")
def complaints(db: Session, election: Election) -> list[Sheet]:
    headers = ["编号", "类型", "申诉内容", "提交时间", "联系方式", "答复", "答复人", "答复时间"]
    rows = [[c.id, COMPLAINT_KINDS.get(c.kind, c.kind), c.text, c.filed_at, c.contact, c.answer, c.answered_by or "",
             c.answered_at] for c in complaints_of(db, election)]
    return [Sheet("申诉与答复", headers, rows)]


AUDIT_STATUSES = {"open": "进行中", "escalated": "已扩大抽样", "confirmed": "结果得到确认", "full_count": "需全面人工重新计票"}


@export(audit_pages.overview, "/audit/e/<int:election_id>/draws.xlsx", "风险限制审计抽样")
def audit_draws(db: Session, election: Election) -> list[Sheet]:
    # Like the audit page: no published round, nothing to audit.
    number = found_or_404(lambda: bundle_round(db, election, request.args.get("round", type=int)))
    audit = audit_service.current_audit(db, election, number)
    if audit is None:
        return [Sheet("审计抽样", ["序号", "票箱", "第几张", "状态"], [])]
    # The drawn paper's codes and marks stay out: box and position say which paper, nothing more.
    draws = [[d.index, d.box, d.position, "已录入" if d.d_hash else "未录入"] for d in audit_service.draws_of(db, audit)]
    parts = audit_service.seed_parts(db, election, audit) or {}
    summary = [[audit.seed, audit.risk_limit, audit.papers, audit.sample_size,
                AUDIT_STATUSES.get(audit.status, audit.status), audit.conclusion,
                parts.get("dice", ""), "、".join(parts.get("witnesses", [])), parts.get("reveal", ""), parts.get("commitment", "")]]
    # The printed list carries how a position is found, as the audit page states it.
    return [Sheet("审计抽样", ["序号", "票箱", "第几张", "状态"], draws),
            Sheet("审计概况", ["随机种子", "风险上限", "选票总数", "样本量", "状态", "结论",
                           "掷骰结果", "见证人", "审计员的秘密数字", "种子承诺"], summary),
            Sheet("取票方法", ["取票方法"], [[line] for line in audit_service.RETRIEVAL.values()])]


# --- the election's calendar and rulebook ------------------------------------------------------

@export(workflow_pages.calendar, "/elections/<int:election_id>/calendar.xlsx", "法定时间表")
def calendar(db: Session, election: Election) -> list[Sheet]:
    rows = [[line.deadline.date, line.deadline.label, workflow_pages.KIND_LABELS.get(line.deadline.kind, line.deadline.kind),
             line.deadline.rule, line.status_text] for line in calendar_lines(db, election, workflow_pages.today())]
    return [Sheet("法定时间表", ["日期", "事项", "类型", "依据", "进度"], rows)]


@export(setup_pages.election, "/elections/<int:election_id>/rulebook.xlsx", "选举规则")
def rulebook(db: Session, election: Election) -> list[Sheet]:
    rows = [[r.label_zh, r.value_zh, r.source, r.unconfirmed] for r in rulebook_of(election).describe()]
    return [Sheet("选举规则", ["参数", "取值", "依据", "条文未经核实"], rows)]
