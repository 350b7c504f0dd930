"""A manifest of the files of a saved version: each file's size and CRC-32.

It is written last, after every other file of the version is complete, so a version
whose manifest verifies is whole: nothing in it was truncated, overwritten, added to
or lost since it was saved. CRC-32 (zlib) is computed over the memory-mapped file in
blocks; it catches accidental damage (a crash, a disk, a careless copy), not forgery.
"""

from __future__ import annotations

import json
import mmap
import zlib
from pathlib import Path

from .durable import write_durably
from .errors import IndexError_

MANIFEST = "manifest.json"
_FORMAT = "unionbot-manifest"
_BLOCK = 1 << 24


def checksum(path: Path) -> int:
    """The CRC-32 of a file's bytes."""
    crc = 0
    with open(path, "rb") as handle:
        size = handle.seek(0, 2)
        if size == 0:
            return crc
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as view:
            for start in range(0, size, _BLOCK):
                crc = zlib.crc32(view[start : start + _BLOCK], crc)
    return crc


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.name != MANIFEST)


def write_manifest(root: Path) -> None:
    """Record every file below `root` (sizes and checksums) in `root`/manifest.json."""
    files = {
        p.relative_to(root).as_posix(): {"size": p.stat().st_size, "crc32": checksum(p)} for p in _files(root)
    }
    text = json.dumps({"format": _FORMAT, "files": files}, ensure_ascii=False, indent=0)
    write_durably(root / MANIFEST, text.encode("utf-8"))


def verify_manifest(root: Path) -> None:
    """Raise IndexError_ naming the first file below `root` that differs from its manifest
    (missing, another size, other bytes, or not listed); FileNotFoundError when `root`
    itself is gone."""
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
            if checksum(path) != crc:
                raise IndexError_(f"{path} does not match its checksum")
        except FileNotFoundError as exc:
            raise IndexError_(f"{path} is missing") from exc
        except OSError as exc:
            raise IndexError_(f"{path} cannot be read ({exc})") from exc
