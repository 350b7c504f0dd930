"""Issues named on the command line: by their id or any unique prefix of it (`001`)."""

from __future__ import annotations

from collections.abc import Iterable

SHOWN_CANDIDATES = 10


class IssueNameError(Exception):
    """An issue name that matches no issue, or several: one line saying which."""


def resolve_issue(name: str, known: Iterable[str]) -> str:
    """The issue id `name` stands for: itself, or the one id it is a prefix of."""
    ids = sorted(known)
    if name in ids:
        return name
    candidates = [i for i in ids if name and i.startswith(name)]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise IssueNameError(f"no such issue: {name}")
    shown = ", ".join(candidates[:SHOWN_CANDIDATES])
    more = f" and {len(candidates) - SHOWN_CANDIDATES} more" if len(candidates) > SHOWN_CANDIDATES else ""
    raise IssueNameError(f"issue {name!r} is ambiguous: it begins {len(candidates)} issue ids ({shown}{more})")
