"""Where issue files come from: paths, folders and http(s) URLs, read with a size cap."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import httpx
from pydantic import BaseModel, ConfigDict

ISSUE_SUFFIXES = (".txt", ".md", ".markdown", ".text")


class IssueFile(BaseModel):
    """The bytes of one issue file and where they came from."""

    model_config = ConfigDict(frozen=True)

    name: str  # the issue id: the file's stem
    origin: str  # path or URL, for messages
    data: bytes


class SourceFailure(BaseModel):
    """A path or URL that gave no issue file, and why."""

    model_config = ConfigDict(frozen=True)

    name: str
    reason: str


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{n} bytes"


def is_url(target: str) -> bool:
    return target.startswith(("http://", "https://"))


def issue_name_from_url(url: str) -> str:
    """The issue id for a URL: the stem of its last path segment."""
    parts = urlsplit(url)
    stem = PurePosixPath(unquote(parts.path)).stem
    if stem:
        return stem
    return f"{parts.hostname or 'feed'}_{hashlib.sha1(url.encode()).hexdigest()[:8]}"


def read_file(path: Path, max_bytes: int) -> IssueFile | SourceFailure:
    name = path.name
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return SourceFailure(name=name, reason=f"too large ({_size(size)}, the limit is {_size(max_bytes)})")
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        return SourceFailure(name=str(path), reason="no such file or folder")
    except IsADirectoryError:
        return SourceFailure(name=name, reason="is a folder")
    except OSError as exc:
        return SourceFailure(name=name, reason=f"cannot be read ({exc.strerror or exc})")
    if len(data) > max_bytes:
        return SourceFailure(name=name, reason=f"too large (over {_size(max_bytes)})")
    return IssueFile(name=path.stem, origin=str(path), data=data)


def files_in(folder: Path) -> list[Path]:
    """Issue files (.txt, .md, … or no suffix) in a folder and its subfolders, in name
    order; hidden files skipped."""
    found = [
        p
        for p in folder.rglob("*")
        if p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
        and (p.suffix.lower() in ISSUE_SUFFIXES or not p.suffix)
    ]
    return sorted(found, key=lambda p: (p.name, str(p)))


def fetch_url(url: str, client: httpx.Client, max_bytes: int) -> IssueFile | SourceFailure:
    """GET an issue file; refuse bodies over `max_bytes` without reading them whole."""
    name = issue_name_from_url(url)
    try:
        with client.stream("GET", url) as response:
            if response.status_code != 200:
                return SourceFailure(name=url, reason=f"HTTP {response.status_code}")
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                return SourceFailure(name=url, reason=f"too large ({_size(int(declared))}, the limit is {_size(max_bytes)})")
            chunks: list[bytes] = []
            total = 0
            for chunk in response.iter_bytes():
                total += len(chunk)
                if total > max_bytes:
                    return SourceFailure(name=url, reason=f"too large (over {_size(max_bytes)})")
                chunks.append(chunk)
    except httpx.TimeoutException:
        return SourceFailure(name=url, reason="timed out")
    except httpx.HTTPError as exc:
        return SourceFailure(name=url, reason=f"unreachable ({type(exc).__name__}: {exc})")
    return IssueFile(name=name, origin=url, data=b"".join(chunks))


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
        elif path.exists():
            yield path
        else:
            yield SourceFailure(name=target, reason="no such file or folder")


def http_client(timeout: float) -> httpx.Client:
    return httpx.Client(
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        follow_redirects=True,
        headers={"User-Agent": "unionbot"},
    )
