"""Reading the project's word files: a word (or a group of words) a line."""

from __future__ import annotations

from pathlib import Path


def read_word_list(path: Path) -> list[str]:
    """A word a line; blank lines and # comments skipped."""
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.append(line)
    return words


def read_aliases(path: Path) -> dict[str, str]:
    """Pairs "short full" a line; blank lines and # comments skipped."""
    pairs = {}
    for line in read_word_list(path):
        parts = line.split()
        if len(parts) == 2:
            pairs[parts[0]] = parts[1]
    return pairs
