"""Test sentences are written for the tests, never copied from an evaluation set (issue 20, item 5).

Every string literal of the tests and the test helpers is checked against the articles of
``eval/datasets/``: none may share a run of 8 words with one. (Tests may still read a data set's files;
what they must not do is hold its sentences.)"""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RUN = 8  # words in a row that make a copied sentence


def _words(text: str) -> list[str]:
    return re.findall(r"\w+(?:[’'.,-]\w+)*", text.lower())


def _runs(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + RUN]) for i in range(len(words) - RUN + 1)}


def copied_sentences(sources: list[Path], articles: list[Path], root: Path = REPO) -> list[str]:
    """``file:line: literal`` for each string literal of ``sources`` sharing RUN words in a row with an article."""
    held_out = set().union(*(_runs(_words(a.read_text(encoding="utf-8"))) for a in articles))
    found = []
    for source in sources:
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and _runs(_words(node.value)) & held_out:
                found.append(f"{source.relative_to(root)}:{node.lineno}: {node.value[:80]!r}")
    return found


def test_no_test_holds_a_sentence_of_an_evaluation_set():
    articles = sorted((REPO / "eval" / "datasets").glob("*/articles/*.txt"))
    sources = sorted((REPO / "tests").glob("*.py")) + sorted((REPO / "summarizer" / "testing").glob("*.py"))
    assert {article.parent.parent.name for article in articles} == {"dev-familiar", "dev-other-wars", "ledger-series"}
    assert copied_sentences(sources, articles) == []


def test_a_copied_sentence_is_found(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("Rescuers said the flood had swept away 14 houses near the old mill.", encoding="utf-8")
    copy = tmp_path / "test_copy.py"
    copy.write_text('TEXT = "Officials said the flood had swept away 14 houses near the old mill."\n', encoding="utf-8")
    written = tmp_path / "test_written.py"
    written.write_text('TEXT = "The river rose and 14 houses were lost."\n', encoding="utf-8")
    # "said the flood had swept away 14 houses near the old mill": 11 words in a row from the article
    assert copied_sentences([copy, written], [article], root=tmp_path) == [
        "test_copy.py:1: 'Officials said the flood had swept away 14 houses near the old mill.'"
    ]
