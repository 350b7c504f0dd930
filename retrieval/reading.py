"""What answering reads of the paper's sentences, worked out once: the same passages are
read for many questions, so a paragraph is split into sentences once, and a sentence is
normalised and tagged once (up to `TAG_CACHE` of each kept)."""

from __future__ import annotations

from .segment import Segmenter
from .sentences import Sentence, split_sentences

TAG_CACHE = 8192  # tagged sentences kept: a question's passages and its article are tagged once


class TextReader:
    """Sentences, normal forms and parts of speech, each worked out once per text."""

    def __init__(self, segmenter: Segmenter) -> None:
        self.segmenter = segmenter
        self._tag_cache: dict[str, list[tuple[str, str]]] = {}
        self._sentence_norms: dict[str, str] = {}
        self._split_cache: dict[str, list[Sentence]] = {}

    def normal(self, text: str) -> str:
        """A sentence normalised once (simplified, half-width): the same passages are read
        for many questions."""
        norm = self._sentence_norms.get(text)
        if norm is None:
            norm = self.segmenter.normalise(text)
            if len(self._sentence_norms) >= TAG_CACHE:
                self._sentence_norms.clear()
            self._sentence_norms[text] = norm
        return norm

    def sentences(self, paragraph: str) -> list[Sentence]:
        """The sentences of a paragraph (the whole paragraph when it has none), split once:
        the same passages are read for many questions. Callers only read the list."""
        sentences = self._split_cache.get(paragraph)
        if sentences is None:
            sentences = split_sentences(paragraph) or [Sentence(text=paragraph, start=0)]
            if len(self._split_cache) >= TAG_CACHE:
                self._split_cache.clear()
            self._split_cache[paragraph] = sentences
        return sentences

    def tag(self, text: str) -> list[tuple[str, str]]:
        """The words and parts of speech of a text; a sentence is tagged once (the passage
        ranking, the sentence ranking and the candidates all read it). Callers get a copy."""
        tagged = self._tag_cache.get(text)
        if tagged is None:
            tagged = [(w.word, w.flag) for w in self.segmenter.tagger.lcut(text)]
            if len(self._tag_cache) >= TAG_CACHE:
                self._tag_cache.clear()
            self._tag_cache[text] = tagged
        return list(tagged)
