"""Storage: the database (SQLite or PostgreSQL, one SQLAlchemy Engine per process), its
schema as Alembic revisions, and one repository per group of tables (issues and articles;
activity and feedback; conversations).

Knows nothing of Telegram.
"""

from .activity import Activity, QueryKind, Stats
from .conversations import Conversations, StoredTurn
from .errors import StoreError
from .revisions import UpgradeReport, upgrade
from .store import AddOutcome, Store

__all__ = [
    "Activity",
    "AddOutcome",
    "Conversations",
    "QueryKind",
    "Stats",
    "Store",
    "StoreError",
    "StoredTurn",
    "UpgradeReport",
    "upgrade",
]
