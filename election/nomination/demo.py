"""Demo candidates: nominees for every post through the real service (self-nomination,
a joint nomination, the Party organisation's proposal for
the 监督委员会 chair confirmed by the 街道党工委), differential, at least one woman on the
居委会 list, and the formal list published in time for the demo's election day."""
from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy.orm import Session

from ballots.fonts import missing_glyphs

from .. import clock
from ..errors import UserError
from ..models import Candidate, Election, Resident
from ..roll.register import voters_query
from ..rules.strokes import missing_characters
from ..settings import posts_of, rulebook_of
from . import service

EDUCATION = ("高中", "中专", "大专", "本科", "研究生")
JOBS = ("社区网格员", "楼组长", "退休教师", "社区志愿者", "物业管理员", "个体经营者", "居民小组长")


def add_demo_candidates(db: Session, election: Election, rng: random.Random, today: date | None = None) -> dict[str, list[Candidate]]:
    """Nominate, confirm and publish a differential list; returns the formal candidates per post."""
    today = today or clock.today()
    voters = [
        r for r in db.scalars(voters_query(election).order_by(Resident.id))
        if r.voter_number is not None and not missing_glyphs(r.name) and not missing_characters(r.name)
    ]
    # Distinct names only: two candidates with one name would confuse the demo's ballot.
    names = [r.name for r in voters]
    voters = [r for r in voters if names.count(r.name) == 1]
    rng.shuffle(voters)
    rb = rulebook_of(election)
    posts = posts_of(election)
    wanted = {p.key: p.seats + service.margins(rb, p.key)[0] + (1 if p.key.endswith("weiyuan") else 0) for p in posts}
    women = [r for r in voters if r.sex == "女"]
    need = sum(wanted.values()) + rb.nomination_min_joint_signers
    if len(voters) < need or not women:
        raise UserError(f"示范名册只有 {len(voters)} 名合格选民，提名示范候选人至少需要 {need} 名（其中须有女性）")
    woman = women[0]
    pool = [woman] + [r for r in voters if r is not woman]
    signers = pool[-rb.nomination_min_joint_signers:]
    pool = pool[: len(pool) - len(signers)]
    taken = 0
    for post in posts:
        for k in range(wanted[post.key]):
            nominee = pool[taken]
            taken += 1
            if post.key == "jdw_zhuren":
                channel, evidence, signer_entries = "party", f"社区党委提名意见（{today.year}）第{k + 1}号", []
            elif post.key == "jwh_weiyuan" and k == 0:
                channel, evidence = "joint", f"选民联名推荐书第{k + 1}号"
                signer_entries = [str(s.voter_number) for s in signers]
            else:
                # Not the representatives' meeting: its nomination cites the decision of a
                # meeting recorded here, which the demo (no meeting before its election) has not.
                channel, evidence, signer_entries = "self", "本人自荐书", []
            result = service.nominate(
                db, election, "demo", post.key, str(nominee.voter_number), channel, evidence, signer_entries,
                education=rng.choice(EDUCATION), current_job=rng.choice(JOBS),
            )
            if channel == "party":
                service.confirm_chair(db, election, "street", result.candidate.id, "街道党工委",
                                      f"街党工委〔{today.year}〕{k + 3}号")
    latest = election.election_day - timedelta(days=rb.candidate_list_days_before)
    return service.publish(db, election, "demo", min(today, latest))
