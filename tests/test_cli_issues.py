"""Issues named on the command line by a unique prefix of their id."""

from __future__ import annotations

import pytest

from bot.cli import main
from bot.cli.issues import IssueNameError, resolve_issue

from .conftest import SEEDS

IDS = ["000_98958ddd647b2cf0", "001_4042bde3bc384a6e", "001_b", "002_d64f82ff6841a4f4"]


def test_an_id_or_a_unique_prefix_names_one_issue() -> None:
    assert resolve_issue("000", IDS) == "000_98958ddd647b2cf0"
    assert resolve_issue("001_4", IDS) == "001_4042bde3bc384a6e"
    assert resolve_issue("001_b", IDS) == "001_b"  # an id that is also a prefix of none


def test_an_ambiguous_or_unknown_prefix_is_one_line() -> None:
    with pytest.raises(IssueNameError, match=r"ambiguous.*001_4042bde3bc384a6e, 001_b\)$"):
        resolve_issue("001", IDS)
    with pytest.raises(IssueNameError, match=r"^no such issue: 9$"):
        resolve_issue("9", IDS)
    with pytest.raises(IssueNameError):
        resolve_issue("", IDS)


def test_digest_and_articles_take_a_prefix(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("UNIONBOT_SEEDS_DIR", str(SEEDS))
    assert main(["digest", "001"]) == 0
    assert "新一期：001_4042bde3bc384a6e" in capsys.readouterr().out
    assert main(["articles", "004"]) == 0
    assert all(line.startswith("004_7063dbed7b201b27") for line in capsys.readouterr().out.splitlines())
    assert main(["digest", "00"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "ambiguous" in err and "004_7063dbed7b201b27" in err
    assert main(["articles", "001", "nope"]) == 1
    assert capsys.readouterr().err == "unionbot: no such issue: nope\n"
