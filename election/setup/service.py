"""Creating communities and elections, and changing an election's rulebook.

The rulebook may change freely until the voter roll is published; after that every
change needs a reason and is written to the ledger as a recorded decision.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import begin_write
from ..errors import UserError
from ..ledger.events import lock_chain_head, record_event, write_genesis
from ..ledger.keys import create_key
from ..models import METHODS, STREET_ROLES, Community, Election, User
from ..protocol import event_kinds as ek
from ..protocol.canonical import digest
from ..rules.bodies import bodies_errors
from ..rules.presets import PRESET_LABELS, PRESETS
from ..rules.rulebook import Rulebook, RulebookError
from ..settings import rulebook_of

# The roll's fingerprint before any voter is registered; roll publication records the real one.
EMPTY_ROLL = digest([])


@dataclass(frozen=True)
class ElectionDraft:
    title: str
    election_day: date
    method: str
    preset: str
    jwh_deputies: int
    jwh_members: int
    jdw_deputies: int
    jdw_members: int
    paper_size: str = "A4"
    paper_layout: str = "one"


def create_community(db: Session, name: str, street_office: str, households: int) -> Community:
    begin_write(db)  # the request has read (its user): a later upgrade to a write is what SQLite refuses
    problems = []
    if not name.strip():
        problems.append("社区名称不能为空")
    if not street_office.strip():
        problems.append("所属街道办事处不能为空")
    if households <= 0:
        problems.append(f"户数为 {households}，须为正整数")
    if problems:
        raise UserError(*problems)
    community = Community(name=name.strip(), street_office=street_office.strip(), households=households)
    db.add(community)
    db.flush()
    return community


def communities_for(db: Session, user: User) -> list[Community]:
    query = select(Community).order_by(Community.name)
    if user.role in STREET_ROLES:
        query = query.where(Community.street_office == user.street_office)
    else:
        query = query.where(Community.id == user.community_id)
    return list(db.scalars(query))


def create_election(
    db: Session, actor: str, community: Community, draft: ElectionDraft, data_key: str
) -> Election:
    """Create the election, its signing key and the genesis of its chain."""
    begin_write(db)
    problems = []
    if not draft.title.strip():
        problems.append("选举名称不能为空")
    if draft.method not in METHODS:
        problems.append(f"选举方式“{draft.method}”无效，可选：{'、'.join(METHODS.values())}")
    if draft.preset not in PRESETS:
        problems.append(f"规则预设“{draft.preset}”无效，可选：{'、'.join(PRESET_LABELS.values())}")
    if draft.paper_size not in ("A4", "A5"):
        problems.append(f"选票纸张“{draft.paper_size}”无效，可选：A4、A5")
    if draft.paper_layout not in ("one", "per_body"):
        problems.append("选票版式须为“一张选票”或“每个机构一张”")
    if problems:
        raise UserError(*problems)
    rulebook = PRESETS[draft.preset]
    problems += bodies_errors(
        draft.jwh_deputies, draft.jwh_members, draft.jdw_deputies, draft.jdw_members, rulebook
    )
    if problems:
        raise UserError(*problems)
    election = Election(
        community_id=community.id,
        title=draft.title.strip(),
        election_day=draft.election_day,
        method=draft.method,
        preset=draft.preset,
        rulebook=rulebook.to_dict(),
        jwh_deputies=draft.jwh_deputies,
        jwh_members=draft.jwh_members,
        jdw_deputies=draft.jdw_deputies,
        jdw_members=draft.jdw_members,
        paper_size=draft.paper_size,
        paper_layout=draft.paper_layout,
    )
    db.add(election)
    db.flush()
    key = create_key(db, election, data_key)
    write_genesis(db, election, rulebook.fingerprint(), EMPTY_ROLL, key.fingerprint, actor=actor)
    record_event(
        db, election, ek.ELECTION_CREATED,
        {
            "community": community.name, "title": election.title,
            "election_day": election.election_day.isoformat(), "method": election.method,
            "preset": election.preset, "rulebook_fingerprint": rulebook.fingerprint(),
            "bodies": {
                "jwh": {"zhuren": 1, "fu_zhuren": draft.jwh_deputies, "weiyuan": draft.jwh_members},
                "jdw": {"zhuren": 1, "fu_zhuren": draft.jdw_deputies, "weiyuan": draft.jdw_members},
            },
        },
        actor,
    )
    return election


def change_rulebook(
    db: Session, actor: str, election: Election, changes: dict, reason: str = ""
) -> Rulebook:
    """Apply typed changes; after publication of the roll only with a recorded decision.

    The election's row (the chain head) is locked and read again first: the changes apply
    to the rulebook as it stands, never to one another change replaced meanwhile."""
    begin_write(db)
    lock_chain_head(db, election)
    db.scalar(select(Election).where(Election.id == election.id).execution_options(populate_existing=True))
    current = rulebook_of(election)
    try:
        updated = current.with_changes(**changes)
    except RulebookError as error:
        raise UserError(str(error)) from None
    problems = updated.validate()
    problems += bodies_errors(
        election.jwh_deputies, election.jwh_members, election.jdw_deputies, election.jdw_members, updated
    )
    if election.rulebook_frozen and not reason.strip():
        problems.append("选民名单已公布，规则已冻结：修改须填写选举委员会的决定及理由")
    if problems:
        raise UserError(*problems)
    changed = {k: v for k, v in updated.to_dict().items() if v != current.to_dict()[k]}
    if not changed:
        return current
    election.rulebook = updated.to_dict()
    record_event(
        db, election,
        ek.RULEBOOK_DECIDED if election.rulebook_frozen else ek.RULEBOOK_CHANGED,
        {"changes": changed, "rulebook_fingerprint": updated.fingerprint()},
        actor, reason.strip(),
    )
    return updated
