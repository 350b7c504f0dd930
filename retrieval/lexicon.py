"""Word lists that steer answers, read once from data files and passed in.

Roles, surnames, organisation and place heads, the words that follow a name, the nouns
that ask for a count of people or organisations or for an amount of money, works, and groups of synonyms. The
application reads them from its config folder (`Lexicon.read`); tests may build one
directly.
"""

from __future__ import annotations

from functools import lru_cache

from pathlib import Path

from pydantic import BaseModel, ConfigDict

from .wordfiles import read_word_list


class Lexicon(BaseModel):
    """The word lists of the answering rules."""

    model_config = ConfigDict(frozen=True)

    roles: tuple[str, ...] = ()
    surnames: frozenset[str] = frozenset()
    organisation_heads: tuple[str, ...] = ()
    organisation_endings: tuple[str, ...] = ()  # endings of names only, never a question's head (局, 委)
    place_heads: tuple[str, ...] = ()
    after_name: tuple[str, ...] = ()
    people_nouns: tuple[str, ...] = ()
    organisation_nouns: tuple[str, ...] = ()
    money_nouns: tuple[str, ...] = ()
    work_nouns: tuple[str, ...] = ()
    generic_organisations: frozenset[str] = frozenset()
    light_words: frozenset[str] = frozenset()  # words a yes/no question adds that the paper need not say
    number_nouns: tuple[str, ...] = ()  # things that are a number themselves (号码, 热线): 多少 asks for it
    same_people_heads: tuple[str, ...] = ()  # heads that name the same people as the noun before them (职工群众, 快递小哥)
    professions: tuple[str, ...] = ()  # who asked by a profession (教练叫什么): the paper names it with the person
    amounts: tuple[str, ...] = ()  # how much asked of a kind of amount (报名费多少钱): the paper says it with the figure
    amount_forms: dict[str, tuple[str, ...]] = {}  # … or with other words (挣: 工资, 收入, 月薪)
    synonyms: tuple[frozenset[str], ...] = ()

    @classmethod
    def read(cls, words_dir: Path, synonyms_file: Path | None = None) -> Lexicon:
        """The lists of a folder (`roles.txt`, `surnames.txt` …; a word a line), and the
        synonym groups (a group a line, words separated by spaces)."""

        def words(name: str) -> tuple[str, ...]:
            path = words_dir / f"{name}.txt"
            return tuple(dict.fromkeys(read_word_list(path))) if path.is_file() else ()

        groups: list[frozenset[str]] = []
        if synonyms_file is not None and synonyms_file.is_file():
            for line in read_word_list(synonyms_file):
                group = frozenset(w for w in line.split() if len(w) >= 2)  # one character matches too much
                if len(group) > 1:
                    groups.append(group)
        return cls(
            roles=tuple(sorted(words("roles"), key=len, reverse=True)),
            surnames=frozenset(words("surnames")),
            organisation_heads=words("organisation_heads"),
            organisation_endings=words("organisation_endings"),
            place_heads=words("place_heads"),
            after_name=words("after_name"),
            people_nouns=words("people_nouns"),
            organisation_nouns=words("organisation_nouns"),
            money_nouns=words("money_nouns"),
            work_nouns=words("work_nouns"),
            generic_organisations=frozenset(words("generic_organisations")),
            light_words=frozenset(words("light_words")),
            number_nouns=words("number_nouns"),
            same_people_heads=words("same_people_heads"),
            professions=tuple(sorted(words("professions"), key=len, reverse=True)),
            amounts=tuple(sorted((line.split()[0] for line in words("amounts")), key=len, reverse=True)),
            amount_forms={line.split()[0]: tuple(line.split()[1:]) for line in words("amounts") if len(line.split()) > 1},
            synonyms=tuple(groups),
        )

    @property
    def organisation_names(self) -> tuple[str, ...]:
        """What an organisation's name ends with: the heads a question asks by, and the rest."""
        return (*self.organisation_heads, *self.organisation_endings)

    def synonyms_of(self, word: str) -> frozenset[str]:
        """The words interchangeable with `word` (not itself)."""
        return _synonym_index(self.synonyms).get(word, frozenset())


@lru_cache(maxsize=8)
def _synonym_index(groups: tuple[frozenset[str], ...]) -> dict[str, frozenset[str]]:
    """Each word's synonyms, built once per set of groups."""
    out: dict[str, set[str]] = {}
    for group in groups:
        for word in group:
            out.setdefault(word, set()).update(group)
    return {word: frozenset(others - {word}) for word, others in out.items()}
