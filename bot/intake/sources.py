"""Where issue files come from: paths and folders (read with a size cap), and the names
issues get from paths and URLs. Fetching URLs is in `fetch`.

Only regular files are read: a FIFO, a device or a socket named as an issue file is
refused by name before it is opened (and opened without blocking, in case it changed).
Issue ids made from file and URL names hold no control or format characters.
"""

from __future__ import annotations

import hashlib
import os
import stat
import unicodedata
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel, ConfigDict

ISSUE_SUFFIXES = (".txt", ".md", ".markdown", ".text")
MAX_ISSUE_ID = 80


class IssueFile(BaseModel):
    """The bytes of one issue file and where they came from."""

    model_config = ConfigDict(frozen=True)

    name: str  # the issue id: the file's stem, made safe by `issue_id`
    origin: str  # path or URL, for messages
    data: bytes


class SourceFailure(BaseModel):
    """A path or URL that gave no issue file, and why; `transient` when asking again
    later may succeed (a timeout, HTTP 503), not when it cannot (HTTP 404, too large)."""

    model_config = ConfigDict(frozen=True)

    name: str
    reason: str
    transient: bool = False


def size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{n} bytes"


def _shown(ch: str) -> bool:
    """Whether a character can be shown as it is: not a control, format, line-separator,
    private or unassigned character, nor an undecodable byte (spaces of any width are fine)."""
    return ch.isprintable() or unicodedata.category(ch) == "Zs"


def printable(text: str) -> str:
    """`text` for a one-line message: control, format and other unprintable characters
    escaped (\\x1b, \\r, \\u202e), so a name cannot move the cursor or recolour a terminal."""
    return "".join(ch if _shown(ch) else ch.encode("unicode_escape", "backslashreplace").decode("ascii") for ch in text)


def issue_id(raw: str) -> str:
    """A safe issue id from a file or URL name: unprintable characters (control, format,
    line separators, undecodable bytes) replaced by `_`, at most MAX_ISSUE_ID characters
    (a cut name keeps a hash of the whole), never empty."""
    cleaned: list[str] = []
    for ch in raw:
        if _shown(ch):
            cleaned.append(ch)
        elif not cleaned or cleaned[-1] != "_":
            cleaned.append("_")
    name = "".join(cleaned).strip()
    digest = hashlib.sha1(raw.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    if not name.strip("_"):
        return f"issue_{digest}"
    if len(name) > MAX_ISSUE_ID:
        return f"{name[: MAX_ISSUE_ID - 9]}_{digest}"
    return name


def is_url(target: str) -> bool:
    return target.startswith(("http://", "https://"))


def issue_name_from_url(url: str) -> str:
    """The issue id for a URL: the stem of its last path segment."""
    parts = urlsplit(url)
    stem = PurePosixPath(unquote(parts.path)).stem
    if stem.strip():
        return issue_id(stem)
    return f"{issue_id(parts.hostname or 'feed')}_{hashlib.sha1(url.encode()).hexdigest()[:8]}"


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def read_file(path: Path, max_bytes: int) -> IssueFile | SourceFailure:
    """The bytes of a regular file of at most `max_bytes`; anything else is refused."""
    name = str(path)
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            return SourceFailure(name=name, reason="is a folder")
        if not stat.S_ISREG(info.st_mode):
            return SourceFailure(name=name, reason=f"not a regular file ({_kind(info.st_mode)})")
        if info.st_size > max_bytes:
            return SourceFailure(name=name, reason=f"too large: {size(info.st_size)}, the limit is {size(max_bytes)}")
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as handle:
            opened = os.fstat(handle.fileno())
            if not stat.S_ISREG(opened.st_mode):  # replaced between the look and the open
                return SourceFailure(name=name, reason=f"not a regular file ({_kind(opened.st_mode)})")
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        return SourceFailure(name=name, reason="no such file or folder")
    except OSError as exc:
        return SourceFailure(name=name, reason=f"cannot be read ({exc.strerror or exc})")
    if len(data) > max_bytes:
        return SourceFailure(name=name, reason=f"too large: over {size(max_bytes)}")
    return IssueFile(name=issue_id(path.stem), origin=str(path), data=data)


def files_in(folder: Path) -> list[Path]:
    """Issue files (.txt, .md, … or no suffix) in a folder and its subfolders, in name
    order; hidden files skipped. Special files (FIFOs, devices) are listed too, for
    `read_file` to refuse by name."""
    found = []
    for p in folder.rglob("*"):
        if any(part.startswith(".") for part in p.relative_to(folder).parts):
            continue
        if p.suffix.lower() not in ISSUE_SUFFIXES and p.suffix:
            continue
        try:
            mode = p.stat().st_mode
        except OSError:
            continue  # gone, or a dangling link
        if not stat.S_ISDIR(mode):
            found.append(p)
    return sorted(found, key=lambda p: (p.name, str(p)))


def expand(targets: list[str]) -> Iterator[Path | str | SourceFailure]:
    """Each target as files (a folder gives its issue files), URLs, or a failure."""
    for target in targets:
        if is_url(target):
            yield target
            continue
        path = Path(target)
        if path.is_dir():
            inside = files_in(path)
            if not inside:
                yield SourceFailure(name=target, reason="folder holds no issue files (.txt, .md)")
            yield from inside
        elif path.exists() or path.is_symlink():
            yield path
        else:
            yield SourceFailure(name=target, reason="no such file or folder")
