"""The inbox folder: issue files dropped there are ingested by the running bot.

A file is read only once its size and modification time have stayed the same for one
poll (so a file still being copied in is not read half-way); partial-download names
(.part, .tmp, .crdownload) and hidden files are left alone. Ingested files move to
`done/`, refused ones to `failed/` with a `.reason` file beside them. Something that is not
a regular file (a FIFO, a device) is refused and moved aside like a bad file, never opened.
"""

from __future__ import annotations

import logging
import shutil
import stat
from pathlib import Path

from bot.library import Library

from .ingest import IngestResult
from .sources import ISSUE_SUFFIXES, printable

log = logging.getLogger(__name__)

PARTIAL_SUFFIXES = (".part", ".tmp", ".crdownload", ".partial", ".swp")


class Inbox:
    """Watches one folder; `poll` ingests the files that have settled."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._seen: dict[Path, tuple[int, float]] = {}

    def settled(self) -> list[Path]:
        """Files unchanged since the previous look."""
        if not self.folder.is_dir():
            return []
        now: dict[Path, tuple[int, float]] = {}
        for path in sorted(self.folder.iterdir()):
            name = path.name
            if name.startswith(".") or name.endswith(PARTIAL_SUFFIXES):
                continue
            try:
                info = path.stat()
            except OSError:
                continue  # gone, or a dangling link
            if stat.S_ISDIR(info.st_mode):
                continue
            now[path] = (info.st_size, info.st_mtime)
        ready = [p for p, sig in now.items() if self._seen.get(p) == sig]
        self._seen = {p: sig for p, sig in now.items() if p not in ready}
        return ready

    def poll(self, library: Library) -> list[IngestResult]:
        """Ingest the settled files at once; move each to done/ or failed/."""
        ready = self.settled()
        issues = [p for p in ready if p.suffix.lower() in ISSUE_SUFFIXES or not p.suffix]
        report = library.ingest([str(p) for p in issues], progress=False) if issues else None
        by_path = dict(zip(issues, report.results if report else (), strict=True))
        results = []
        for path in ready:
            result = by_path.get(path) or IngestResult(
                name=str(path), reason=f"not an issue file ({', '.join(ISSUE_SUFFIXES)})"
            )
            results.append(result)
            if not path.exists():
                continue  # another process took it
            if result.refused:
                log.warning("inbox: %s refused: %s", printable(path.name), result.reason)
                self._move(path, "failed", result.reason)
            else:
                log.info("inbox: %s %s", printable(path.name), result.outcome)
                self._move(path, "done", None)
        return results

    def _move(self, path: Path, where: str, reason: str | None) -> None:
        target_dir = self.folder / where
        target_dir.mkdir(parents=True, exist_ok=True)
        target = target_dir / path.name
        if target.exists():
            target = target_dir / f"{path.stem}.{int(path.stat().st_mtime)}{path.suffix}"
        try:
            shutil.move(str(path), target)
        except FileNotFoundError:
            return  # another process took it
        if reason is not None:
            target.with_name(target.name + ".reason").write_text(reason + "\n", encoding="utf-8")
