"""Known page and column banners of the paper, read from a data file.

Structural rules find banners on their own; this list backs them up for banners
that look just like titles (a column name standing alone above an article).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from .text import compact


class Layout(BaseModel):
    """Banner texts compared without spaces or width differences."""

    model_config = ConfigDict(frozen=True)

    page_banners: frozenset[str] = frozenset()
    column_banners: frozenset[str] = frozenset()

    @classmethod
    def from_lists(cls, page_banners: list[str], column_banners: list[str]) -> Layout:
        return cls(
            page_banners=frozenset(map(compact, page_banners)),
            column_banners=frozenset(map(compact, column_banners)),
        )

    def is_page_banner(self, text: str) -> bool:
        return compact(text) in self.page_banners

    def is_column_banner(self, text: str) -> bool:
        return compact(text) in self.column_banners


def load_layout(path: Path) -> Layout:
    """Read a layout file (TOML with `page_banners` and `column_banners` lists)."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    return Layout.from_lists(list(data.get("page_banners", [])), list(data.get("column_banners", [])))
