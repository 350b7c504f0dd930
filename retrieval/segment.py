"""Segmentation: one tokenizer for documents and questions.

Text is normalised first (traditional to simplified, full-width letters and digits to
half-width, lower case), then cut by a jieba.Tokenizer of our own that carries the
project's dictionary. Documents and questions go through the same cut; questions then
lose their question words and particles. Figures add a class token ("300余人" and the
question's "多少人" both give `#人`), and districts add their short form (密云区 -> 密云).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import jieba
import opencc

from .figures import TIME_RE, asked_unit_class, find_figures
from .kinds import DATE_QUESTION, QUESTION_WORDS
from .wordfiles import read_aliases, read_word_list

if TYPE_CHECKING:
    import jieba.posseg

log = logging.getLogger(__name__)

__all__ = ["Segmenter", "figure_token", "read_aliases", "read_word_list"]

_KEEP = re.compile(r"[\w%#+]", re.UNICODE)
_DISTRICT_SUFFIX = ("区", "县", "市")
TIME_TOKEN = "#时"
# Question words (every kind's, from the registry), cut out before segmenting so they
# do not glue onto their neighbours (课有 / 赛有 / 几人 / 哪办).
_QUESTION_WORDS = QUESTION_WORDS


def figure_token(unit_class: str) -> str:
    return "#" + unit_class


# runs of text between CJK unified ideographs (U+4E00-U+9FFF)
_BETWEEN_HAN = re.compile(r"[^\u4e00-\u9fff]+")


def nfkc(text: str) -> str:
    """unicodedata.normalize("NFKC", text), several times faster on Chinese text: the CJK
    unified ideographs are their own normal form and compose with nothing, so only the
    runs between them (punctuation, digits, letters and their marks) are normalised."""
    if text.isascii():
        return text
    return _BETWEEN_HAN.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)


class Segmenter:
    """Normalises and cuts Chinese text into search terms."""

    def __init__(
        self,
        userdict: Path | None = None,
        stopwords: Iterable[str] = (),
        aliases: dict[str, str] | None = None,
        people_nouns: Iterable[str] = (),
        organisation_nouns: Iterable[str] = (),
    ) -> None:
        self.people_nouns = tuple(people_nouns)  # 多少职工 asks for #人
        self.organisation_nouns = tuple(organisation_nouns)  # 多少企业 asks for #家
        self._userdict = userdict
        self.stopwords = frozenset(stopwords)
        self.aliases = dict(aliases or {})
        self._converter = opencc.OpenCC("t2s")
        self.places: set[str] = set()

    def __reduce__(self) -> tuple[type[Segmenter], tuple[Path | None, tuple[str, ...], dict[str, str]]]:
        """Pickled as its configuration (a worker process loads the dictionary itself)."""
        return (type(self), (self._userdict, tuple(sorted(self.stopwords)), self.aliases))

    @cached_property
    def tokenizer(self) -> jieba.Tokenizer:
        """Our own jieba tokenizer (built on first use: it loads a dictionary)."""
        jieba.setLogLevel(logging.WARNING)
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        if self._userdict is not None:
            with self._userdict.open("rb") as handle:  # jieba would leave a path open
                tokenizer.load_userdict(handle)
            self.places.update(_dictionary_places(self._userdict))
        return tokenizer

    def everyday_share(self, word: str) -> float:
        """How common the word is in general Chinese text: its share of the words of
        jieba's dictionary corpus (0 when the dictionary does not have it)."""
        tokenizer = self.tokenizer
        return float(tokenizer.FREQ.get(word, 0)) / float(tokenizer.total or 1)

    @cached_property
    def tagger(self) -> jieba.posseg.POSTokenizer:
        """Part-of-speech cutting over the same tokenizer, for names and places."""
        import jieba.posseg  # here: its tables take a while to load, and only answering tags

        return jieba.posseg.POSTokenizer(self.tokenizer)

    def normalise(self, text: str) -> str:
        """Simplified characters, half-width letters and digits, lower case."""
        return str(self._converter.convert(nfkc(text))).lower()

    def to_simplified(self, text: str) -> str:
        return str(self._converter.convert(text))

    def cut(self, text: str) -> list[str]:
        """Words of already normalised text, search mode (long words also give their parts)."""
        return [w for w in self.tokenizer.cut_for_search(text) if _KEEP.search(w)]

    def terms(self, text: str) -> list[str]:
        """Index terms of a document text."""
        norm = self.normalise(text)
        words = self.cut(norm)
        present = set(words)
        extra: list[str] = []
        for word in words:
            short = word[:-1]
            if len(word) >= 3 and word.endswith(_DISTRICT_SUFFIX) and short in self.places_short:
                if short not in present:
                    extra.append(short)
        extra.extend(figure_token(f.unit_class) for f in find_figures(norm))
        extra.extend(TIME_TOKEN for _ in TIME_RE.finditer(norm))
        return words + extra

    def question_terms(self, question: str) -> tuple[list[str], list[str]]:
        """A question's own search words, and the words its short forms expand to
        (工联会 -> 工会联合会), plus what it asks for (#人, #时) among its own."""
        norm = self.normalise(question)
        bare = _QUESTION_WORDS.sub("，", norm)
        own = [
            t
            for t in self.terms(bare)
            if t not in self.stopwords and not t.startswith("#") and not (len(t) > 1 and t.endswith("了"))
        ]
        expanded = [
            t
            for short, full in self.aliases.items()
            if short in norm and full not in norm
            for t in self.terms(full)
            if t not in self.stopwords and not t.startswith("#")
        ]
        unit = asked_unit_class(norm, self.people_nouns, self.organisation_nouns)
        if unit is not None:
            own.append(figure_token(unit))
        if DATE_QUESTION.search(norm):
            own.append(TIME_TOKEN)
        return own, expanded

    def query_terms(self, question: str) -> list[str]:
        """All search terms of a question: its own words and their expansions."""
        own, expanded = self.question_terms(question)
        return own + expanded

    @cached_property
    def places_short(self) -> frozenset[str]:
        """Short forms of the places in the dictionary (密云 for 密云区)."""
        self.tokenizer  # noqa: B018 (loads the dictionary)
        return frozenset(p[:-1] for p in self.places if p.endswith(_DISTRICT_SUFFIX) and len(p) >= 3)


def _dictionary_places(path: Path) -> set[str]:
    places = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[2] == "ns":
            places.add(parts[0])
    return places
