"""The files that ship with the package: the word lists and settings of `config/` and the
bundled issues of `seeds/`.

Both folders stay at the top of the repository; the package reaches them as
`bot/_data/config` and `bot/_data/seeds` (links in a checkout, copies in a built wheel,
see pyproject.toml), found through importlib.resources, so an installed package works
from any directory.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def bundled(name: str) -> Path:
    """The shipped folder `name` ("config" or "seeds") as a path on disk."""
    return Path(str(files("bot").joinpath("_data", name)))


CONFIG_DIR = bundled("config")
SEEDS_DIR = bundled("seeds")
