"""event kinds v2: every ledger event kind renamed to area.what_happened

Revision ID: 3c1e0a7d5b92
Revises: 7b2e9d41c0a3
Create Date: 2026-11-30 07:30:00

Protocol v1 spelled kinds in two styles (``paper_counted`` beside ``roll.published``); v2
names them all ``area.what_happened`` (election/protocol/event_kinds.py, docs/PROTOCOL.md §3.1).
A kind is inside each event's hash, so renaming a stored event re-computes its hash and every
later one. That is honest only while nobody outside the server holds the old hashes: an
election whose chain was exported in a bundle, printed on a head notice, signed at an audit's
seal or prepared for the street office's countersignature is refused, with the reason, and
the upgrade stops (docs/DECISIONS.md "Event kinds renamed"). Every other election's chain is
renamed and re-hashed in place; its genesis names protocol ``juxuan/v2``. No key is needed:
the event hash is SHA-256 alone; the only signatures over event hashes are those that make an
election refuse.

The map below is frozen here on purpose (a migration must not follow the living registry).
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "3c1e0a7d5b92"
down_revision = "7b2e9d41c0a3"
branch_labels = None
depends_on = None

RENAMES: dict[str, str] = {
    "genesis": "ledger.chain_started",
    "rulebook.decision": "rulebook.decided",
    "roll.decision.status_changed": "roll.status_changed_by_decision",
    "roll.application": "roll.application_decided",
    "roll.decision.application": "roll.application_decided_by_decision",
    "household_rep_designated": "roll.household_rep_designated",
    "household_rep_withdrawn": "roll.household_rep_withdrawn",
    "group_leader.meeting_recorded": "representatives.group_leader_meeting_recorded",
    "committee.vacancy": "committee.seat_left_vacant",
    "committee.chair_needed": "committee.chair_found_missing",
    "nomination.primary": "nomination.primary_held",
    "round_candidate_nominated": "nomination.round_candidate_nominated",
    "round_candidates_published": "nomination.round_candidates_published",
    "manifest": "ballots.printed",
    "station_created": "polling.station_created",
    "papers_handed_over": "polling.papers_handed_over",
    "mobile_voter_registered": "polling.mobile_voter_registered",
    "proxy_approved": "polling.proxy_approved",
    "assisted_writing": "polling.writing_assisted",
    "polling_day_override": "polling.day_overridden",
    "issuance_hour": "polling.issuance_hour_recorded",
    "deposit_hour": "polling.deposit_hour_recorded",
    "reconciliation_note": "polling.difference_explained",
    "storage_scrubbed": "polling.storage_scrubbed",
    "round_date_set": "round.date_set",
    "round_created": "round.created",
    "counting_staff_appointed": "counting.staff_appointed",
    "box_mixed": "counting.box_mixed",
    "paper_counted": "counting.paper_counted",
    "paper_doubtful_decided": "counting.doubtful_paper_decided",
    "paper_second_entry": "counting.second_entry_recorded",
    "second_entry_resolved": "counting.second_entry_resolved",
    "box_counted": "counting.box_counted",
    "box_difference_explained": "counting.box_difference_explained",
    "tally_board_entered": "counting.tally_board_entered",
    "tally_board_explained": "counting.tally_board_explained",
    "result_published": "result.published",
    "woman_member_decided": "result.woman_member_decided",
    "result_reopened": "result.reopened",
    "result_filed": "result.filed",
    "filing_received": "result.filing_received",
    "filing.rejected": "result.filing_rejected",
    "audit_manifest": "audit.manifest_recorded",
    "audit_commitment": "audit.records_committed",
    "audit_sealed": "audit.head_sealed",
    "audit_started": "audit.started",
    "audit_draw_entered": "audit.draw_entered",
    "audit_confirmed": "audit.confirmed",
    "audit_escalated": "audit.escalated",
    "audit_full_count": "audit.full_count_ordered",
    "audit_hand_count": "audit.hand_counted",
    "complaint_filed": "complaint.filed",
    "complaint_answered": "complaint.answered",
    "head_notice": "ledger.head_notice_printed",
    "bundle_index": "ledger.bundle_exported",
    "countersign_requested": "office.countersign_requested",
    "trustees.ready": "trustees.shares_checked",
    "by_election.called": "seat.by_election_called",
    "scan.batch_read": "counting.scan_batch_read",
    "scan.batch_approved": "counting.scan_batch_approved",
    "scan.paper_entered": "counting.scan_paper_entered",
    "scan.paper_confirmed": "counting.scan_paper_confirmed",
    "scan.paper_returned": "counting.scan_paper_returned",
}
# v1 kinds whose event puts the chain's hashes outside the server (or under a signature).
PUBLISHED = {"bundle_index": "导出公示包", "head_notice": "张贴链头公告", "audit_sealed": "审计封存签名",
             "countersign_requested": "准备街道会签"}
GENESIS_V1, GENESIS_V2 = "genesis", "ledger.chain_started"
TAG = b"juxuan/event/v1\n"

events = sa.table(
    "election_event",
    sa.column("id", sa.Integer), sa.column("election_id", sa.Integer), sa.column("seq", sa.Integer),
    sa.column("at", sa.String), sa.column("actor", sa.String), sa.column("kind", sa.String),
    sa.column("payload", sa.JSON), sa.column("reason", sa.Text), sa.column("prev_hash", sa.String),
    sa.column("hash", sa.String),
)
elections = sa.table("election", sa.column("id", sa.Integer), sa.column("uid", sa.String), sa.column("title", sa.String))


def _hash(seq: int, kind: str, payload: dict[str, Any], prev: str, at: str | None) -> str:
    # docs/PROTOCOL.md §2–3: canonical JSON is exactly this json.dumps.
    body = {"seq": seq, "kind": kind, "payload": payload, "prev": prev, "at": at}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(TAG + text.encode("utf-8")).hexdigest()


def upgrade() -> None:
    bind = op.get_bind()
    old = sorted(RENAMES)
    todo = [r[0] for r in bind.execute(
        sa.select(events.c.election_id).where(events.c.kind.in_(old)).distinct().order_by(events.c.election_id))]
    refused = []
    for election_id in todo:
        found = sorted({r[0] for r in bind.execute(
            sa.select(events.c.kind).where(events.c.election_id == election_id, events.c.kind.in_(sorted(PUBLISHED))))})
        if found:
            row = bind.execute(sa.select(elections.c.uid, elections.c.title).where(elections.c.id == election_id)).first()
            name = f"“{row[1]}”（{row[0]}）" if row else f"编号 {election_id}"
            refused.append(f"选举{name}的事件链已经{'、'.join(PUBLISHED[k] for k in found)}，链中的事件哈希已在服务器之外")
    if refused:
        raise RuntimeError(
            "数据库升级停止：事件类型改为统一命名（协议 v2）需要重算事件哈希，但以下选举的事件链已公开或已签署，"
            "改名会使已公开的哈希对不上：" + "；".join(refused)
            + "。请用原来版本的居选完成并归档这些选举，再在新的数据库上使用本版本；数据库未作任何改动。")
    for election_id in todo:
        rows = bind.execute(sa.select(events).where(events.c.election_id == election_id).order_by(events.c.seq)).all()
        prev = "0" * 64
        for r in rows:
            kind = RENAMES.get(r.kind, r.kind)
            payload = dict(r.payload or {})
            if kind == GENESIS_V2:
                payload["protocol"] = "juxuan/v2"
                covered = payload
            else:
                covered = {**payload, "_by": r.actor, "_why": r.reason or ""}
            new_hash = _hash(r.seq, kind, covered, prev, r.at)
            bind.execute(events.update().where(events.c.id == r.id).values(
                kind=kind, payload=payload, prev_hash=prev, hash=new_hash))
            prev = new_hash


def downgrade() -> None:
    raise RuntimeError("事件类型的改名不能撤回：旧的命名（协议 v1）不再被任何核验程序读取")
