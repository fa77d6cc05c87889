"""Every kind of ledger event, in one naming scheme: ``area.what_happened``.

``area`` names the part of the election the event belongs to (roll, representatives,
committee, nomination, ballots, polling, round, counting, result, audit, complaint, ledger,
office, trustees, meeting, recall, seat, election, rulebook); ``what_happened`` says, in the
past tense, what was done. Lower-case ASCII letters and ``_``, exactly one dot.

The kinds are part of the published chain (docs/PROTOCOL.md §3, whose table lists them):
once a real election has published its chain they are frozen. Every writer
(``record_event``), every reader (services, views, templates) and both verifiers use the
names below; nothing else in the code spells a kind. A new kind is added here, with its
meaning, its payload fields and who writes it, and to PROTOCOL.md's table (a test compares
the two). Pure data: no I/O.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

PATTERN: Final = re.compile(r"^[a-z][a-z_]*[a-z]\.[a-z][a-z_]*[a-z]$")
MAX_LENGTH: Final = 60  # the width of election_event.kind


@dataclass(frozen=True)
class KindInfo:
    """What the table in PROTOCOL.md says of one kind."""

    kind: str
    meaning: str  # one line, English
    fields: tuple[str, ...]  # the payload's data keys (besides _by and _why); "…" marks more
    writer: str  # who records it, and when


REGISTRY: dict[str, KindInfo] = {}


def _k(kind: str, meaning: str, fields: str, writer: str) -> str:
    if not PATTERN.match(kind) or len(kind) > MAX_LENGTH or kind in REGISTRY:
        raise ValueError(f"event kind {kind!r} breaks the naming scheme or is defined twice")
    REGISTRY[kind] = KindInfo(kind, meaning, tuple(fields.split()), writer)
    return kind


# ---------------------------------------------------------------- the ledger itself
LEDGER_CHAIN_STARTED: Final = _k(
    "ledger.chain_started", "the genesis: event 0, fixing the election, its first rulebook, roll and key",
    "protocol election rulebook roll key", "setup, when the election is created (no _by/_why)")
LEDGER_HEAD_NOTICE_PRINTED: Final = _k(
    "ledger.head_notice_printed", "the day's chain-head notice was printed (§10)",
    "day seq head signature", "committee, printing the day's notice")
LEDGER_BUNDLE_EXPORTED: Final = _k(
    "ledger.bundle_exported", "a round's bundle was sealed: the SHA-256 of every file it holds",
    "files auditor_only round", "committee, exporting a public or auditor bundle")

# ---------------------------------------------------------------- setting up
ELECTION_CREATED: Final = _k(
    "election.created", "the election's community, title, day, method, preset and bodies",
    "community title election_day method preset rulebook_fingerprint bodies", "setup, after the genesis")
RULEBOOK_CHANGED: Final = _k(
    "rulebook.changed", "a rule changed before the roll's publication",
    "changes rulebook_fingerprint", "committee, editing the rulebook")
RULEBOOK_DECIDED: Final = _k(
    "rulebook.decided", "a rule changed by a committee decision after the roll's publication (_why required)",
    "changes rulebook_fingerprint", "committee, editing the frozen rulebook")

# ---------------------------------------------------------------- the voter roll
ROLL_IMPORTED: Final = _k(
    "roll.imported", "residents imported from a spreadsheet",
    "file_sha256 rows households_added registered pending double_registration added", "roll clerk, importing")
ROLL_RESIDENT_CORRECTED: Final = _k(
    "roll.resident_corrected", "a resident's details corrected", "resident id_masked changed", "roll clerk")
ROLL_STATUS_CHANGED: Final = _k(
    "roll.status_changed", "a resident's voter status changed before the roll's freeze",
    "resident id_masked from to basis", "roll clerk")
ROLL_STATUS_CHANGED_BY_DECISION: Final = _k(
    "roll.status_changed_by_decision", "a voter status changed by committee decision after the freeze",
    "resident id_masked from to basis", "committee, after the roll's freeze")
ROLL_APPLICATION_DECIDED: Final = _k(
    "roll.application_decided", "an application to register (worker, returnee…) decided before the freeze",
    "resident id_masked application kind since result recommendation consent from to", "roll clerk")
ROLL_APPLICATION_DECIDED_BY_DECISION: Final = _k(
    "roll.application_decided_by_decision", "an application decided by committee decision after the freeze",
    "resident id_masked application kind since result recommendation consent from to",
    "committee, after the roll's freeze")
ROLL_PUBLISHED: Final = _k(
    "roll.published", "the voter roll was published; the rulebook is frozen from here on",
    "published_on voters roll_fingerprint", "committee, publishing the roll")
ROLL_OBJECTION_FILED: Final = _k(
    "roll.objection_filed", "an objection to the published roll was filed",
    "objection filed_on resident id_masked", "roll clerk")
ROLL_OBJECTION_DECIDED: Final = _k(
    "roll.objection_decided", "an objection was decided",
    "objection result decided_on overdue resident id_masked", "committee")
ROLL_FROZEN: Final = _k(
    "roll.frozen", "the roll was frozen; later changes are decisions", "roll_fingerprint", "committee")
ROLL_CARDS_ASSIGNED: Final = _k(
    "roll.cards_assigned", "voter card numbers assigned", "count first_number last_number", "roll clerk")
ROLL_HOUSEHOLD_REP_DESIGNATED: Final = _k(
    "roll.household_rep_designated", "a household named who votes for it (户代表)", "household", "roll clerk")
ROLL_HOUSEHOLD_REP_WITHDRAWN: Final = _k(
    "roll.household_rep_withdrawn", "a household's representative withdrawn", "household", "roll clerk")

# ---------------------------------------------------------------- residents' representatives
REPRESENTATIVES_METHOD_SET: Final = _k(
    "representatives.method_set", "how representatives are chosen (by households or by groups)", "method",
    "committee")
REPRESENTATIVES_AREAS_PROPOSED: Final = _k(
    "representatives.areas_proposed", "household areas proposed, each electing one representative",
    "areas bounds", "committee")
REPRESENTATIVES_AREA_ADJUSTED: Final = _k(
    "representatives.area_adjusted", "households moved between two neighbouring areas", "from to moved sizes",
    "committee")
REPRESENTATIVES_GROUPS_SET: Final = _k(
    "representatives.groups_set", "residents' groups set as the areas", "groups seats", "committee")
REPRESENTATIVES_MEETING_RECORDED: Final = _k(
    "representatives.meeting_recorded", "an area's meeting choosing its representative",
    "area group entitled present votes winners tied revote_needed held_on", "committee")
REPRESENTATIVES_GROUP_LEADER_MEETING_RECORDED: Final = _k(
    "representatives.group_leader_meeting_recorded", "a group's meeting choosing its leader (组长)",
    "group basis entitled present votes winners tied revote_needed held_on", "committee")
REPRESENTATIVES_RESIGNED: Final = _k(
    "representatives.resigned", "a representative resigned", "representative area on", "committee")
REPRESENTATIVES_REPLACED: Final = _k(
    "representatives.replaced", "a representative replaced by a successor",
    "area previous successor on votes", "committee")

# ---------------------------------------------------------------- the election committee
COMMITTEE_RESULT_RECORDED: Final = _k(
    "committee.result_recorded", "the vote forming the election committee (选举委员会)",
    "chosen_by size result members chair decision", "committee clerk")
COMMITTEE_CHAIR_CHOSEN: Final = _k(
    "committee.chair_chosen", "the committee chose its chair", "chair", "committee clerk")
COMMITTEE_MEMBER_WITHDREW: Final = _k(
    "committee.member_withdrew", "a committee member withdrew (e.g. nominated as a candidate)",
    "person message", "committee clerk")
COMMITTEE_MEMBER_SEATED: Final = _k(
    "committee.member_seated", "the next of the original result took the seat (依次递补)",
    "person message votes", "committee clerk, after a withdrawal")
COMMITTEE_SEAT_LEFT_VACANT: Final = _k(
    "committee.seat_left_vacant", "nobody was left to take a withdrawn member's seat",
    "person message", "committee clerk, after a withdrawal")
COMMITTEE_CHAIR_FOUND_MISSING: Final = _k(
    "committee.chair_found_missing", "the chair withdrew: the committee must choose another",
    "person message", "committee clerk, after a withdrawal")

# ---------------------------------------------------------------- nomination
NOMINATION_NOMINATED: Final = _k(
    "nomination.nominated", "a nominee was nominated for a post",
    "post nominee voter_number channel evidence signers decision", "committee")
NOMINATION_RELATION_ADDED: Final = _k(
    "nomination.relation_added", "two nominees recorded as near relatives", "a b kind persons extended", "committee")
NOMINATION_CHAIR_CONFIRMED: Final = _k(
    "nomination.chair_confirmed", "the Party organisation's nominee for 监督委员会主任 confirmed",
    "post nominee by note", "committee")
NOMINATION_CHAIR_REJECTED: Final = _k(
    "nomination.chair_rejected", "the Party organisation's nominee for 监督委员会主任 refused (_why)",
    "post nominee by", "committee")
NOMINATION_MEMBER_CONFIRMED: Final = _k(
    "nomination.member_confirmed", "a 监督委员会 member nominee confirmed by the Party organisation",
    "post nominee by note", "committee")
NOMINATION_MEMBER_REJECTED: Final = _k(
    "nomination.member_rejected", "a 监督委员会 member nominee refused by the Party organisation (_why)",
    "post nominee by", "committee")
NOMINATION_PRIMARY_HELD: Final = _k(
    "nomination.primary_held", "a primary (预选) narrowing a post's nominees",
    "post places by_proxy by_mobile_box votes advanced tied …", "committee")
NOMINATION_LIST_PUBLISHED: Final = _k(
    "nomination.list_published", "the formal candidate list was published",
    "published_on candidates warnings", "committee")
NOMINATION_WITHDRAWN: Final = _k(
    "nomination.withdrawn", "a candidate withdrew; the next may move up",
    "post name letter on moved_up list", "committee")
NOMINATION_ROUND_CANDIDATE_NOMINATED: Final = _k(
    "nomination.round_candidate_nominated", "a candidate nominated for a later round (另行选举)",
    "round post nominee voter_number evidence confirmation", "committee")
NOMINATION_ROUND_CANDIDATES_PUBLISHED: Final = _k(
    "nomination.round_candidates_published", "a later round's candidates were published",
    "round posts published_on candidates", "committee")

# ---------------------------------------------------------------- printed ballots
BALLOTS_PRINTED: Final = _k(
    "ballots.printed", "a batch of papers was printed: its manifest digest (§5)",
    "batch digest receipt_count audit_count round body supplement signature", "printing, each batch")

# ---------------------------------------------------------------- polling
POLLING_STATION_CREATED: Final = _k(
    "polling.station_created", "a polling station with its desks, boxes and staff",
    "station mobile desks boxes scrutineers booths", "committee")
POLLING_PAPERS_HANDED_OVER: Final = _k(
    "polling.papers_handed_over", "papers handed to a station against a signature",
    "station count signed_by", "committee")
POLLING_MOBILE_VOTER_REGISTERED: Final = _k(
    "polling.mobile_voter_registered", "a voter registered to vote at a mobile box", "box voter", "committee")
POLLING_PROXY_APPROVED: Final = _k(
    "polling.proxy_approved", "a written proxy (委托投票) approved", "voter holder signed_on", "committee")
POLLING_WRITING_ASSISTED: Final = _k(
    "polling.writing_assisted", "a voter who cannot write was helped by a named writer (代写)",
    "round voter writer", "station staff")
POLLING_DAY_OVERRIDDEN: Final = _k(
    "polling.day_overridden", "issuance allowed on a day other than the round's (_why)", "round day",
    "committee")
POLLING_ISSUANCE_HOUR_RECORDED: Final = _k(
    "polling.issuance_hour_recorded", "papers issued and spoiled at a station in one hour",
    "round station hour issued spoiled", "close of poll (at = the hour)")
POLLING_DEPOSIT_HOUR_RECORDED: Final = _k(
    "polling.deposit_hour_recorded", "stubs deposited in a box in one hour", "round box hour deposited",
    "close of poll (at = the hour)")
POLLING_UNUSED_VOIDED: Final = _k(
    "polling.unused_voided", "a batch's unused papers voided", "round batch papers", "close of poll")
POLLING_DIFFERENCE_EXPLAINED: Final = _k(
    "polling.difference_explained", "a reconciliation difference explained",
    "round code subject message explanation", "committee, at the close of poll")
POLLING_CLOSED: Final = _k(
    "polling.closed", "a round's poll closed: its electors (the base of turnout and validity, fixed before "
    "counting; tally_input.json's registered_voters must equal it)", "round registered_voters", "close of poll")
POLLING_STORAGE_SCRUBBED: Final = _k(
    "polling.storage_scrubbed", "the order of issuances and deposits erased from storage",
    "issuances receipts records", "close of poll")

# ---------------------------------------------------------------- rounds
ROUND_CREATED: Final = _k(
    "round.created", "a later round (re-vote, run-off, another nomination) was created",
    "round kind posts held_on after status", "committee, after a result")
ROUND_DATE_SET: Final = _k(
    "round.date_set", "a round's voting day set", "round held_on", "committee")

# ---------------------------------------------------------------- counting
COUNTING_STAFF_APPOINTED: Final = _k(
    "counting.staff_appointed", "scrutineers, tellers or writers appointed for a round", "round role people",
    "committee")
COUNTING_BOX_MIXED: Final = _k(
    "counting.box_mixed", "a box's papers mixed before counting, witnessed by scrutineers", "round box",
    "scrutineers")
COUNTING_BOX_MERGED: Final = _k(
    "counting.box_merged", "a mobile box's papers poured into a box of a fixed station and mixed with them "
    "before counting (its records are that box's)", "round box into", "scrutineers")
COUNTING_PAPER_COUNTED: Final = _k(
    "counting.paper_counted", "a paper's marks entered (its first entry)", "round box", "tellers")
COUNTING_DOUBTFUL_PAPER_DECIDED: Final = _k(
    "counting.doubtful_paper_decided", "the scrutineers decided a doubtful paper (_why)", "round box posts",
    "scrutineers")
COUNTING_SECOND_ENTRY_RECORDED: Final = _k(
    "counting.second_entry_recorded", "a paper's marks entered a second time, by another teller", "round",
    "tellers")
COUNTING_SECOND_ENTRY_RESOLVED: Final = _k(
    "counting.second_entry_resolved", "two differing entries of a paper resolved (_why)", "round kept",
    "scrutineers")
COUNTING_BOX_COUNTED: Final = _k(
    "counting.box_counted", "a box counted in one go", "round box", "tellers (the audit's simulation)")
COUNTING_BOX_DIFFERENCE_EXPLAINED: Final = _k(
    "counting.box_difference_explained", "a box's records and stubs differ; the difference explained",
    "round box records stubs", "scrutineers")
COUNTING_TALLY_BOARD_ENTERED: Final = _k(
    "counting.tally_board_entered", "the hand tally board's (计票板) totals entered", "round totals against",
    "scrutineers")
COUNTING_TALLY_BOARD_EXPLAINED: Final = _k(
    "counting.tally_board_explained", "a difference between board and records explained (_why)", "round",
    "scrutineers")
COUNTING_SCAN_BATCH_READ: Final = _k(
    "counting.scan_batch_read", "a box's scanned batch read into proposals (docs/SCANNING.md)",
    "round box batch pages papers confident to_people set_aside", "counter, uploading scans")
COUNTING_SCAN_BATCH_APPROVED: Final = _k(
    "counting.scan_batch_approved", "a scrutineer approved a batch's counts: its confident papers recorded",
    "round box batch recorded", "scrutineer")
COUNTING_SCAN_PAPER_ENTERED: Final = _k(
    "counting.scan_paper_entered", "a scanned paper the machine was unsure of entered from its image",
    "round batch", "counter")
COUNTING_SCAN_PAPER_CONFIRMED: Final = _k(
    "counting.scan_paper_confirmed", "another account confirmed that entry: the paper recorded (_why names who entered)",
    "round batch", "scrutineer")
COUNTING_SCAN_PAPER_RETURNED: Final = _k(
    "counting.scan_paper_returned", "that entry sent back to be entered again (_why)", "round batch", "scrutineer")

# ---------------------------------------------------------------- the result
RESULT_PUBLISHED: Final = _k(
    "result.published", "a round's result was published",
    "round valid registered_voters papers_issued papers_returned posts next_round", "committee")
RESULT_WRITE_INS_NAMED: Final = _k(
    "result.write_ins_named", "the name and sex of each write-in (另选他人) a round's result names, from the roll; "
    "written just before that round's result.published",
    "round write_ins", "committee, publishing the result")
RESULT_WOMAN_MEMBER_DECIDED: Final = _k(
    "result.woman_member_decided", "the committee decided how a missing woman member is elected",
    "round decision before elected next_round", "committee")
RESULT_REOPENED: Final = _k(
    "result.reopened", "a published result was reopened for correction (_why)", "round", "committee")
RESULT_FILED: Final = _k(
    "result.filed", "the result report was filed with the street office", "round street_office", "committee")
RESULT_FILING_RECEIVED: Final = _k(
    "result.filing_received", "the street office received the filing", "round street_office", "street office")
RESULT_FILING_REJECTED: Final = _k(
    "result.filing_rejected", "the street office sent the filing back (_why)", "round street_office",
    "street office")
OFFICE_COUNTERSIGN_REQUESTED: Final = _k(
    "office.countersign_requested", "the bundle was prepared for the street office's countersignature",
    "round street_office office_key", "committee")

# ---------------------------------------------------------------- the risk-limiting audit (§8)
AUDIT_SEED_COMMITTED: Final = _k(
    "audit.seed_committed", "the street office auditor's secret seed contribution committed as a hash, before the seal",
    "round commitment", "street office auditor")
AUDIT_MANIFEST_RECORDED: Final = _k(
    "audit.manifest_recorded", "the scrutineers' count of papers per box", "round boxes papers", "scrutineers")
AUDIT_RECORDS_COMMITTED: Final = _k(
    "audit.records_committed", "the round's records and box manifest committed before the audit",
    "round records records_digest manifest papers ciphertexts", "street office")
AUDIT_HEAD_SEALED: Final = _k(
    "audit.head_sealed", "the election key signed the chain head at the commitment",
    "round head seq signed", "street office")
AUDIT_DICE_ROLLED: Final = _k(
    "audit.dice_rolled", "public dice rolled before witnesses after the seal",
    "round dice witnesses", "street office, before the committee and witnesses")
AUDIT_STARTED: Final = _k(
    "audit.started", "an audit began: the auditor's reveal combined with the dice is the seed",
    "audit round seed reveal dice witnesses risk_limit papers boxes sealed sample_size assertions hand_count", "street office")
AUDIT_DRAW_ENTERED: Final = _k(
    "audit.draw_entered", "a drawn paper's marks entered", "audit round index", "street office")
AUDIT_SAMPLE_DECRYPTED: Final = _k(
    "audit.sample_decrypted", "a trustee's partial decryptions of the audit's drawn papers were checked and kept",
    "audit round trustee papers sha256", "a trustee")
AUDIT_CONFIRMED: Final = _k(
    "audit.confirmed", "the audit met its risk limit: the result stands",
    "audit round drawn differences differing_draws risks next_sample_size hand_count message", "street office")
AUDIT_ESCALATED: Final = _k(
    "audit.escalated", "the audit drew more papers",
    "audit round drawn differences differing_draws risks next_sample_size hand_count message", "street office")
AUDIT_FULL_COUNT_ORDERED: Final = _k(
    "audit.full_count_ordered", "the audit ordered a full hand count",
    "audit round drawn differences differing_draws risks next_sample_size hand_count message", "street office")
AUDIT_HAND_COUNTED: Final = _k(
    "audit.hand_counted", "the full hand count's result, replacing the machine count",
    "audit round papers result elected replaced", "street office")
# The audit's conclusion as the audit service names it (Evaluation.status) -> its kind.
AUDIT_CONCLUSIONS: Final = {"confirmed": AUDIT_CONFIRMED, "escalated": AUDIT_ESCALATED,
                            "full_count": AUDIT_FULL_COUNT_ORDERED}

# ---------------------------------------------------------------- complaints
COMPLAINT_FILED: Final = _k(
    "complaint.filed", "a resident filed a complaint (its text's hash only)", "complaint kind text_sha256",
    "a resident, on the public page")
COMPLAINT_ANSWERED: Final = _k(
    "complaint.answered", "the committee answered a complaint", "complaint answer", "committee")

# ---------------------------------------------------------------- the public recount's trustees (§13)
TRUSTEES_CEREMONY_ISSUED: Final = _k(
    "trustees.ceremony_issued", "the trustees' ceremony document issued", "ceremony", "committee")
TRUSTEES_PUBLIC_ADDED: Final = _k(
    "trustees.public_added", "a trustee's commitments and proofs added", "public", "a trustee")
TRUSTEES_SHARES_ADDED: Final = _k(
    "trustees.shares_added", "a trustee's encrypted shares added", "shares", "a trustee")
TRUSTEES_SHARES_CHECKED: Final = _k(
    "trustees.shares_checked", "a trustee checked the shares it received", "ready", "a trustee")
TRUSTEES_KEY_PUBLISHED: Final = _k(
    "trustees.key_published", "the joint key fixed, once every trustee checked", "joint_key quorum trustees",
    "the last trustee's check")
TRUSTEES_ROUND_ENCRYPTED: Final = _k(
    "trustees.round_encrypted", "a round's records encrypted under the joint key",
    "round papers fingerprint totals_sha256", "committee")
TRUSTEES_PARTIALS_ADDED: Final = _k(
    "trustees.partials_added", "a trustee's partial decryptions of a round", "round partials", "a trustee")

# ---------------------------------------------------------------- between elections
MEETING_CONVENED: Final = _k(
    "meeting.convened", "a residents' (representatives') meeting convened; entitled: the residents its base "
    "names (sorted ids), the only ones its door may record",
    "meeting kind basis group title convened_by request notice_on held_on members notice_days entitled", "committee")
MEETING_ATTENDEE_ARRIVED: Final = _k(
    "meeting.attendee_arrived", "one person recorded present at the meeting's door (到会; again after leaving), "
    "one of its convening's entitled: present is the count after. The verifiers replay arrivals and departures "
    "to the present of each decision, vote called and close",
    "meeting resident present", "committee, at the door")
MEETING_ATTENDEE_LEFT: Final = _k(
    "meeting.attendee_left", "one recorded present left the meeting (离场): present is the count after; round "
    "names a secret-paper vote whose attendance was already frozen (its base does not change)",
    "meeting resident present round", "committee, at the door")
MEETING_DECISION_RECORDED: Final = _k(
    "meeting.decision_recorded", "a meeting's vote on a motion (by show of hands, or by the secret-paper round "
    "named in round, whose published question it takes)",
    "meeting number motion members present in_favour against abstain rule adopted round", "committee")
MEETING_VOTE_CALLED: Final = _k(
    "meeting.vote_called", "a meeting's motion put to a vote on secret paper, while quorate: a round of kind "
    "motion; present is the door's count",
    "meeting round motion present held_on", "committee")
MEETING_CLOSED: Final = _k(
    "meeting.closed", "a meeting closed with its decisions; present is the door's count",
    "meeting members present quorate decisions",
    "committee")
RECALL_PETITION_FILED: Final = _k(
    "recall.petition_filed", "a petition to recall a member filed",
    "recall post person name base signers total share not_counted", "committee")
RECALL_DEFENCE_RECORDED: Final = _k(
    "recall.defence_recorded", "the member's defence recorded", "recall length", "committee")
RECALL_VOTE_RECORDED: Final = _k(
    "recall.vote_recorded", "the recall vote's result",
    "recall post person registered voted in_favour valid carried voted_on turnout approve", "committee")
RECALL_VOTE_CALLED: Final = _k(
    "recall.vote_called", "a recall put to a vote on secret paper: a round of kind recall",
    "recall round post person question held_on", "committee")
RECALL_VOTE_COUNTED: Final = _k(
    "recall.vote_counted", "the paper recall vote's decided question (after the round's result.published)",
    "recall round post person registered voted agree disagree abstain invalid valid carried turnout approve voted_on",
    "committee, publishing the paper vote")
SEAT_VACATED: Final = _k(
    "seat.vacated", "an elected member's seat fell vacant",
    "post person name reason ended_on round decision", "committee")
SEAT_CHOSEN_BY_MEETING: Final = _k(
    "seat.chosen_by_meeting", "监督委员会 members (post, person, name, sex) chosen by a 居民会议 or 居民代表会议's "
    "cited decision",
    "decision kind since members", "committee")
SEAT_BY_ELECTION_CALLED: Final = _k(
    "seat.by_election_called", "a by-election called for vacant seats",
    "round posts held_on term_ends woman_serving", "committee")

# Kinds whose first event of a round marks the start of its counting (and the end of its
# issuance): the rulebook is frozen, manifests are closed.
COUNTING_KINDS: Final = frozenset({COUNTING_PAPER_COUNTED, COUNTING_BOX_COUNTED, COUNTING_SECOND_ENTRY_RECORDED,
                                   COUNTING_TALLY_BOARD_ENTERED, RESULT_PUBLISHED})
RULEBOOK_KINDS: Final = frozenset({RULEBOOK_CHANGED, RULEBOOK_DECIDED})
# Kinds that change a round's count (its records, its tally board, their explanations): none
# may follow the round's result.published until a result.reopened withdraws it (the app:
# counting.service.check_records_open; the verifiers: result_event).
COUNT_CHANGING_KINDS: Final = frozenset({
    COUNTING_PAPER_COUNTED, COUNTING_DOUBTFUL_PAPER_DECIDED, COUNTING_SECOND_ENTRY_RECORDED,
    COUNTING_SECOND_ENTRY_RESOLVED, COUNTING_BOX_COUNTED, COUNTING_BOX_DIFFERENCE_EXPLAINED,
    COUNTING_TALLY_BOARD_ENTERED, COUNTING_TALLY_BOARD_EXPLAINED, COUNTING_SCAN_BATCH_APPROVED,
    COUNTING_SCAN_PAPER_CONFIRMED})


def follows_scheme(kind: str) -> bool:
    """``area.what_happened``: lower-case ASCII and ``_``, one dot, short enough to store."""
    return bool(PATTERN.match(kind)) and len(kind) <= MAX_LENGTH


def area_of(kind: str) -> str:
    """The part before the dot: ``committee`` for ``committee.chair_chosen``."""
    return kind.split(".", 1)[0]


AREAS: Final = frozenset(area_of(k) for k in REGISTRY)
