"""A manifest of the files of a saved version: each file's size and CRC-32.

It is written last, after every other file of the version is complete, so a version
whose manifest verifies is whole: nothing in it was truncated, overwritten, added to
or lost since it was saved. CRC-32 (zlib) is computed over the file read in
blocks; it catches accidental damage (a crash, a disk, a careless copy), not forgery.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping
from pathlib import Path

from .durable import write_durably
from .errors import IndexError_

MANIFEST = "manifest.json"
_FORMAT = "unionbot-manifest"
_BLOCK = 1 << 22


def checksum(path: Path) -> int:
    """The CRC-32 of a file's bytes, read a block at a time (not memory-mapped: the pages
    of a map count in the process's memory while it lives)."""
    crc = 0
    block = bytearray(_BLOCK)
    view = memoryview(block)
    with open(path, "rb", buffering=0) as handle:
        while size := handle.readinto(block):
            crc = zlib.crc32(view[:size], crc)
    return crc


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.name != MANIFEST)


Entries = dict[str, tuple[int, int]]  # path below the root -> (size, CRC-32)


def write_manifest(root: Path, known: Mapping[str, tuple[int, int]] | None = None) -> Entries:
    """Record every file below `root` (sizes and checksums) in `root`/manifest.json and
    return the entries. A file listed in `known` with the same size (a hard link to a file
    of an earlier version, already checked) keeps its recorded checksum instead of being
    read again."""
    known = known or {}
    entries: Entries = {}
    for path in _files(root):
        name = path.relative_to(root).as_posix()
        size = path.stat().st_size
        old = known.get(name)
        entries[name] = old if old is not None and old[0] == size else (size, checksum(path))
    files = {name: {"size": size, "crc32": crc} for name, (size, crc) in entries.items()}
    text = json.dumps({"format": _FORMAT, "files": files}, ensure_ascii=False, indent=0)
    write_durably(root / MANIFEST, text.encode("utf-8"))
    return entries


def verify_manifest(root: Path, trusted: Mapping[str, tuple[int, int]] | None = None) -> Entries:
    """Raise IndexError_ naming the first file below `root` that differs from its manifest
    (missing, another size, other bytes, or not listed); FileNotFoundError when `root`
    itself is gone. Return the entries. A file whose entry equals its entry in `trusted`
    (the same file, hard-linked from a version this process already checked) is checked
    for presence and size only."""
    trusted = trusted or {}
    if not root.is_dir():
        raise FileNotFoundError(root)
    try:
        manifest = json.loads((root / MANIFEST).read_bytes().decode("utf-8"))
        files = manifest["files"] if manifest.get("format") == _FORMAT else None
        if not isinstance(files, dict):
            raise ValueError("not a manifest")
        expected = {str(name): (int(entry["size"]), int(entry["crc32"])) for name, entry in files.items()}
    except FileNotFoundError as exc:
        raise IndexError_(f"{root / MANIFEST} is missing (a damaged index, or one saved by an older version)") from exc
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise IndexError_(f"{root / MANIFEST} is damaged ({exc})") from exc
    present = {p.relative_to(root).as_posix() for p in _files(root)}
    for name in sorted(present - set(expected)):
        raise IndexError_(f"{root / name} is not in the manifest")
    for name, (size, crc) in expected.items():
        path = root / name
        try:
            actual = path.stat().st_size
            if actual != size:
                raise IndexError_(f"{path} has {actual} bytes, the manifest says {size}")
            if trusted.get(name) != (size, crc) and checksum(path) != crc:
                raise IndexError_(f"{path} does not match its checksum")
        except FileNotFoundError as exc:
            raise IndexError_(f"{path} is missing") from exc
        except OSError as exc:
            raise IndexError_(f"{path} cannot be read ({exc})") from exc
    return expected
