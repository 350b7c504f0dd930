"""Storage: the database (SQLite or PostgreSQL, one SQLAlchemy Engine per process), its
schema as Alembic revisions, and one repository per group of tables (issues and articles;
activity and feedback; conversations; the leases of the processes sharing it).

Knows nothing of Telegram.
"""

from .activity import Activity, QueryKind, Stats
from .conversations import Conversations, StoredTurn
from .errors import StoreError
from .leases import LeaseName, Leases, LeaseState
from .revisions import UpgradeReport, upgrade
from .store import AddOutcome, Store

__all__ = [
    "Activity",
    "AddOutcome",
    "Conversations",
    "LeaseName",
    "LeaseState",
    "Leases",
    "QueryKind",
    "Stats",
    "Store",
    "StoreError",
    "StoredTurn",
    "UpgradeReport",
    "upgrade",
]
