"""SQLAlchemy 2.x typed models, one module per aggregate. Importing this package
registers every table on Base.metadata (Alembic and the tests rely on that)."""
from .accounts import ROLES, STREET_ROLES, AccountChange, LoginFailure, RateCounter, SignedIn, User
from .ballots import ROUND_KINDS, AuditCode, Receipt, Round
from .base import Base, utcnow
from .community import METHODS, Community, Election
from .counting import BoxExplanation, EncryptedRecord, Filing, RoundResult, SecondEntry, TallyBoard
from .events import ElectionEvent
from .ledger import Audit, AuditDraw, AuditPartial, Complaint, Countersignature, ElectionKey, HeadNotice, StreetOfficeKey
from .mandates import END_REASONS, RECALL_STATUSES, ChosenMember, MandateEnd, Recall, RecallSignature
from .meetings import Meeting, MeetingAttendance, MeetingDecision, MeetingVote
from .nomination import (
    CANDIDATE_STATUSES,
    CHANNELS,
    EXTENDED_RELATIONS,
    RELATIONS,
    Candidate,
    Nomination,
    PrimaryVote,
    Relation,
    Signature,
)
from .polling import BallotBox, Desk, Issuance, MobileBoxVoter, PollingStation, PrintBatch, Proxy, ReconciliationNote, SpoilRecord
from .representatives import (
    COMMITTEE_BODIES,
    REP_METHODS,
    REP_STATUSES,
    CommitteeEntry,
    GroupLeader,
    RepArea,
    RepAreaHousehold,
    RepPlan,
    Representative,
    SelectionMeeting,
)
from .roll import CATEGORIES, STATUSES, Household, Resident
from .roll_extra import APPLICATION_KINDS, OBJECTION_STATUSES, HouseholdRep, Objection, RollApplication
from .scanning import PAPER_STATES, ScanBatch, ScanPaper

__all__ = [
    "Base", "utcnow", "METHODS", "Community", "Election", "ROLES", "STREET_ROLES", "SignedIn", "User", "AccountChange", "LoginFailure", "RateCounter",
    "ElectionEvent", "CATEGORIES", "STATUSES", "Household", "HouseholdRep", "Resident", "APPLICATION_KINDS", "OBJECTION_STATUSES", "Objection", "RollApplication", "CANDIDATE_STATUSES",
    "Candidate", "CHANNELS", "EXTENDED_RELATIONS", "RELATIONS", "Nomination", "Signature", "PrimaryVote", "Relation", "BallotBox", "Desk", "Issuance", "PollingStation", "MobileBoxVoter", "PrintBatch", "Proxy", "ReconciliationNote", "SpoilRecord", "ROUND_KINDS", "AuditCode",
    "Receipt", "Round", "ElectionKey", "Audit", "AuditDraw", "AuditPartial", "Complaint", "Countersignature", "HeadNotice", "StreetOfficeKey",
    "COMMITTEE_BODIES", "REP_METHODS", "REP_STATUSES", "CommitteeEntry", "GroupLeader", "RepArea",
    "RepAreaHousehold", "RepPlan", "Representative", "SelectionMeeting",
    "Meeting", "MeetingAttendance", "MeetingDecision", "MeetingVote",
    "END_REASONS", "RECALL_STATUSES", "ChosenMember", "MandateEnd", "Recall", "RecallSignature",
    "BoxExplanation", "EncryptedRecord", "Filing", "RoundResult", "SecondEntry", "TallyBoard",
    "PAPER_STATES", "ScanBatch", "ScanPaper",
]
