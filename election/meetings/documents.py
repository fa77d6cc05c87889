"""The printed papers of a meeting: the notice that calls it (posted at least the notice
period before), the minutes (会议记录) and the notice of its decisions (决定公告). Values
of the rules are printed; their legal sources stay on the pages (posted papers carry none)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from ballots.notices import notice_bytes

from ..clock import cn_date, today
from ..errors import UserError
from ..models import Election, Meeting
from ..rules import meetings as rules
from ..settings import rulebook_of
from . import service


def _share(election: Election, key: str) -> str:
    return rulebook_of(election).show(key)


def _who(election: Election) -> str:
    return f"{election.community.name}居民委员会"


def _convened_line(election: Election, meeting: Meeting) -> str:
    if meeting.convened_by == "request":
        base = rules.REQUEST_BASES[meeting.request_base]
        return (f"经{meeting.request_supporters}名{base}（共{meeting.request_total}）提议，"
                f"由{_who(election)}召集。") if meeting.request_base != "households" else (
                f"经{meeting.request_supporters}户（共{meeting.request_total}户）提议，由{_who(election)}召集。")
    return f"由{_who(election)}召集。"


def notice_pdf(db: Session, election: Election, meeting_id: int) -> bytes:
    """召开会议公告: what, when, where, who attends, the agenda, and when it can decide."""
    meeting = service.meeting_of(db, election, meeting_id)
    mr = rules.meeting_rules(rulebook_of(election), meeting.kind)
    what = meeting.group_name + rules.MEETING_KINDS[meeting.kind]
    lines = [
        f"{election.community.name}定于{cn_date(meeting.held_on)}召开{what}（{meeting.title}）"
        + (f"，地点：{meeting.place}。" if meeting.place else "。"),
        _convened_line(election, meeting),
        f"参加人员：{rules.MEETING_BASES[meeting.basis]}{meeting.group_name and '（' + meeting.group_name + '）'}，"
        f"共{meeting.members}人{'（户）' if meeting.basis == 'households' else ''}。",
        f"到会须超过应到人数的{_share(election, mr.quorum_key)}，会议方能作出决定；"
        f"决定须经到会人员的{_share(election, mr.decision_key)}以上同意。",
        "请携带选民证，到会时在门口扫码或报姓名登记。",
    ]
    if meeting.agenda:
        lines.append("会议议题：")
        lines += [f"{k}. {item.strip()}" for k, item in enumerate(
            (x for x in meeting.agenda.splitlines() if x.strip()), start=1)]
    return notice_bytes(f"关于召开{what}的公告", lines, [], [], [_who(election), cn_date(meeting.notice_on)])


def _decision_rows(db: Session, meeting: Meeting) -> list[list[str]]:
    """One row per decision, saying how it was voted: 举手 or the round of its 表决票."""
    paper = service.paper_votes(db, meeting)
    return [[str(d.number), d.motion, f"表决票（第{paper[d.id].round_number}轮）" if d.id in paper else "举手",
             str(d.in_favour), str(d.against), str(d.abstain), "通过" if d.adopted else "未通过"]
            for d in service.decisions_of(db, meeting)]


HEADER = ["序号", "表决事项", "表决方式", "赞成", "反对", "弃权", "结果"]


def minutes_pdf(db: Session, election: Election, meeting_id: int) -> bytes:
    """会议记录: convening, attendance and the quorum, each decision with its votes and rule."""
    meeting = service.meeting_of(db, election, meeting_id)
    q = service.quorum_of(db, election, meeting)
    mr = rules.meeting_rules(rulebook_of(election), meeting.kind)
    what = meeting.group_name + rules.MEETING_KINDS[meeting.kind]
    left = len(service.attendees(db, meeting, left=True))
    lines = [
        f"会议名称：{meeting.title}",
        f"会议日期：{cn_date(meeting.held_on)}" + (f"　地点：{meeting.place}" if meeting.place else ""),
        f"召集：{_convened_line(election, meeting)}公告日期：{cn_date(meeting.notice_on)}。",
        f"应到{rules.MEETING_BASES[meeting.basis]}{meeting.members}人，实到{q.present}人"
        + (f"（另有{left}人中途离场）" if left else "") +
        f"（法定人数：超过{_share(election, mr.quorum_key)}，至少{q.needed}人），"
        + ("符合法定人数。" if q.quorate else "不足法定人数，会议未能作出决定。"),
        f"表决规则：赞成须超过到会人数的{_share(election, mr.decision_key)}；以表决票表决的，到会人数以发出第一张"
        "表决票时在场的人数为准（之后离场的仍计入），弃权、无效和未投的都不算赞成。",
    ]
    if meeting.agenda:
        lines.append("会议议题：" + "；".join(x.strip() for x in meeting.agenda.splitlines() if x.strip()))
    rows = _decision_rows(db, meeting)
    if not rows:
        lines.append("本次会议未作出表决。")
    lines += [d.message + "。" for d in service.decisions_of(db, meeting)]
    state = "" if meeting.status == "closed" else "（会议尚未闭会，本记录为草稿）"
    return notice_bytes(f"{what}会议记录{state}", lines, HEADER if rows else [],
                        rows, ["主持人（签名）：　　　　　", "记录人（签名）：　　　　　", _who(election), cn_date(today())])


def decisions_pdf(db: Session, election: Election, meeting_id: int) -> bytes:
    """决定公告: the decisions of a closed meeting, posted for the residents."""
    meeting = service.meeting_of(db, election, meeting_id)
    if meeting.status != "closed":
        raise UserError(f"“{meeting.title}”尚未闭会，闭会后再公告会议决定")
    rows = _decision_rows(db, meeting)
    if not rows:
        raise UserError(f"“{meeting.title}”没有表决事项，无决定可公告")
    q = service.quorum_of(db, election, meeting)
    what = meeting.group_name + rules.MEETING_KINDS[meeting.kind]
    return notice_bytes(f"{what}决定公告", [
        f"{election.community.name}于{cn_date(meeting.held_on)}召开{what}（{meeting.title}），"
        f"应到{meeting.members}人，实到{q.present}人。会议表决结果如下，现予公告。"],
        HEADER, rows, [_who(election), cn_date(today())])
