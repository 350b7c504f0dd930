"""Storage's exceptions.

- StoreError: the database cannot be opened or used (unreachable, read-only, older or
  newer than this program, a statement the database refused).
"""

from __future__ import annotations


class StoreError(RuntimeError):
    """The database cannot be opened or used."""
