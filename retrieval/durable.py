"""Writing files so that they survive a crash: fsync of files and of the folders that
name them (a rename is only durable once its folder is synced)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
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


def link_files(source: Path | None, target: Path, names: Iterable[str], write: Callable[[Path], None]) -> bool:
    """Put the files `names` of the directory `source` into the new directory `target` as
    hard links (they never change once written); where that cannot be done (no source, a
    file system without hard links, files gone), `write(target)` writes them afresh.
    True when they were linked."""
    if source is None or not source.is_dir():
        write(target)
        return False
    target.mkdir()
    names = list(names)
    try:
        for name in names:
            os.link(source / name, target / name)
    except OSError:
        for name in names:
            (target / name).unlink(missing_ok=True)
        target.rmdir()
        write(target)
        return False
    return True
