"""SQLAlchemy 2.x typed models, one module per aggregate. Importing this package
registers every table on Base.metadata (Alembic and the tests rely on that)."""
from .base import Base, utcnow
from .community import METHODS, Community, Election
from .accounts import ROLES, STREET_ROLES, User
from .events import ElectionEvent

__all__ = [
    "Base", "utcnow", "METHODS", "Community", "Election", "ROLES", "STREET_ROLES", "User",
    "ElectionEvent",
]
