"""SQLAlchemy 2.x typed models, one module per aggregate. Importing this package
registers every table on Base.metadata (Alembic and the tests rely on that)."""
from .base import Base, utcnow
from .community import METHODS, Community, Election
from .accounts import ROLES, STREET_ROLES, User
from .events import ElectionEvent
from .roll import CATEGORIES, STATUSES, Household, Resident
from .nomination import CANDIDATE_STATUSES, CHANNELS, RELATIONS, Candidate, Nomination, PrimaryVote, Relation, Signature
from .polling import BallotBox, Desk, Issuance, PollingStation
from .ballots import ROUND_KINDS, AuditCode, Receipt, Round
from .ledger import ElectionKey
from .representatives import (
    COMMITTEE_BODIES, REP_METHODS, REP_STATUSES, CommitteeEntry, GroupLeader, RepArea, RepAreaHousehold, RepPlan,
    Representative, SelectionMeeting,
)

__all__ = [
    "Base", "utcnow", "METHODS", "Community", "Election", "ROLES", "STREET_ROLES", "User",
    "ElectionEvent", "CATEGORIES", "STATUSES", "Household", "Resident", "CANDIDATE_STATUSES",
    "Candidate", "CHANNELS", "RELATIONS", "Nomination", "Signature", "PrimaryVote", "Relation", "BallotBox", "Desk", "Issuance", "PollingStation", "ROUND_KINDS", "AuditCode",
    "Receipt", "Round", "ElectionKey",
    "COMMITTEE_BODIES", "REP_METHODS", "REP_STATUSES", "CommitteeEntry", "GroupLeader", "RepArea",
    "RepAreaHousehold", "RepPlan", "Representative", "SelectionMeeting",
]
