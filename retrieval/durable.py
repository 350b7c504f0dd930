"""Writing files so that they survive a crash: fsync of files and of the folders that
name them (a rename is only durable once its folder is synced)."""

from __future__ import annotations

import os
from pathlib import Path


def fsync_path(path: Path) -> None:
    """fsync a file or a folder by path."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_durably(path: Path, data: bytes) -> None:
    """Write a whole file and fsync it."""
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def fsync_tree(root: Path) -> None:
    """fsync every file and folder below `root`, deepest first, then `root`."""
    for path in sorted(root.rglob("*"), reverse=True):
        fsync_path(path)
    fsync_path(root)
