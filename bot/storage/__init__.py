"""Storage: the database connection, its schema as recorded migrations, and one repository
per group of tables (issues and articles; activity and feedback; conversations).

Knows nothing of Telegram.
"""

from .activity import Activity, QueryKind, Stats
from .conversations import Conversations, StoredTurn
from .migrations import MIGRATIONS, migrate
from .store import AddOutcome, Store, StoreError

__all__ = [
    "MIGRATIONS",
    "Activity",
    "AddOutcome",
    "Conversations",
    "QueryKind",
    "Stats",
    "Store",
    "StoreError",
    "StoredTurn",
    "migrate",
]
