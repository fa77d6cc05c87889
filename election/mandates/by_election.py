"""The by-election (补选): the seats left vacant — by members who left (resigned, died, moved,
lost office, recalled) and by run-offs the rulebook let stay vacant — filled through the
election's own path: a new round with seats = vacancies per post, made in status
"nominating" so the committee nominates candidates (differential unless the rulebook allows
等额, runoff_extra_candidates) and publishes the list (nomination.round_candidates), then
the same printing, issuance, deposits, counting with the first round's thresholds, ledger
and bundle. The members elected serve until the current term ends.

The woman member rule: when no woman serves on the 居民委员会 any more and the rulebook
wants one by a reserved line (woman_member_method reserved_line), one vacant 委员 seat is
reserved for a woman; otherwise the tally applies the rule with the serving members.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..clock import today
from ..db import begin_write
from ..errors import UserError
from ..ledger.events import record_event
from ..models import Election, Resident, Round
from ..protocol import event_kinds as ek
from ..rounds import latest_round, term_ends
from ..rules.tally_types import FEMALE
from ..settings import rulebook_of
from .service import composition


def call_by_election(db: Session, election: Election, held_on: date, actor: str) -> Round:
    """Make the by-election round for every vacant seat; refused while a round is open."""
    begin_write(db)
    latest = latest_round(db, election)
    if latest is None or latest.status != "published":
        which = f"第 {latest.number} 轮" if latest is not None else "第 1 轮"
        raise UserError(f"{which}投票尚未公布结果，须待本轮结束后再进行补选")
    comp = composition(db, election)
    rb = rulebook_of(election)
    # A 监督委员会 chosen by a meeting (jdw_chosen_by) has its vacant seats filled by the meeting.
    vacant = {key: n for key, n in comp.vacancies.items() if rb.on_paper(key.split("_")[0])}
    if not vacant:
        raise UserError("居民委员会和居务监督委员会没有出缺的职位，无需补选" if not comp.vacancies else
                        f"只有居务监督委员会出缺，由会议按规则增补（{rb.label('jdw_chosen_by')}为{rb.show('jdw_chosen_by')}），无需补选")
    if held_on < today():
        raise UserError(f"补选日期{held_on.isoformat()}早于今天")
    end = term_ends(election)
    if held_on >= end:
        raise UserError(f"补选日期{held_on.isoformat()}已在本届任期届满（{end.isoformat()}）之后，应进行换届选举")
    posts: dict[str, dict] = {key: {"seats": n, "candidates": [], "reserved_woman_seats": 0} for key, n in vacant.items()}
    serving_jwh = [m.resident_id for m in comp.serving if m.post.startswith("jwh_")]
    sexes = set(db.scalars(select(Resident.sex).where(Resident.id.in_(serving_jwh)))) if serving_jwh else set()
    woman_serving = any(s in FEMALE for s in sexes)
    if (rb.woman_member_required and not woman_serving and rb.woman_member_method == "reserved_line"
            and "jwh_weiyuan" in posts):
        posts["jwh_weiyuan"]["reserved_woman_seats"] = 1
    rnd = Round(election_id=election.id, number=latest.number + 1, kind="byelection", posts=posts,
                status="nominating", held_on=held_on)
    db.add(rnd)
    db.flush()
    record_event(db, election, ek.SEAT_BY_ELECTION_CALLED, {
        "round": rnd.number, "posts": posts, "held_on": held_on.isoformat(), "term_ends": end.isoformat(),
        "woman_serving": woman_serving,
    }, actor)
    return rnd
