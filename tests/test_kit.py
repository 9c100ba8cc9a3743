"""Task kits (summarizer.core.kit): a third-party task installed as a package is found by name
through the ``summarizer.tasks`` entry point and runs end to end with the tiny random model."""

from __future__ import annotations

import json
import textwrap

import pytest

from summarizer.core.errors import TaskError
from summarizer.core.kit import GENERIC_KIT, choose_strategy, find_kit, kit_for, task_strategies
from summarizer.core.task import load_task

ARTICLE = "The library on Elm Road reopened on Monday. Readers queued before the doors opened."
SCHEMA = {
    "type": "object",
    "properties": {
        "notes": {
            "type": "array",
            "maxItems": 3,
            "items": {
                "type": "object",
                "properties": {"text": {"type": "string", "minLength": 1, "maxLength": 60, "x-grounded": "span"}},
                "required": ["text"],
                "additionalProperties": False,
            },
        }
    },
    "required": ["notes"],
    "additionalProperties": False,
}
# The kit's own strategy: one note per sentence, its first three words (no model call).
KIT_MODULE = """
from pathlib import Path

from summarizer.core.kit import TaskKit
from summarizer.core.records import Extraction

KIT = TaskKit(
    name="notes",
    folder=Path(__file__).parent / "task",
    strategies={"first-words": "notes_kit:FirstWords"},
    salvage="notes_kit:salvage",
    candidates="notes_kit:sentences",
    candidate_field="text",
)


class FirstWords:
    def __init__(self, backend):
        self.backend = backend

    def extract(self, article, options):
        notes = [{"text": " ".join(s.split()[:3])} for s in article.split(". ") if s.strip()]
        document = {"notes": notes[:3]}
        return Extraction(repr(document), document, "ok", None, {"generated_tokens": 0})


def salvage(text):
    return {"notes": []}  # what a cut-off document keeps: no note (enough to show the hook is asked)


def sentences(article):  # the item strategy's candidates: each sentence's first two words
    from summarizer.core.candidates import Candidate

    found, start = [], 0
    for sentence in article.split(". "):
        words = " ".join(sentence.split()[:2])
        found.append(Candidate(words, start, start + len(words)))
        start += len(sentence) + 2
    return found
"""


@pytest.fixture
def notes_kit(tmp_path, monkeypatch):
    """A package ``notes_kit`` (a module, its task folder) with an installed distribution's
    entry point ``notes`` in the group ``summarizer.tasks``, on sys.path."""
    package = tmp_path / "notes_kit"
    (package / "task").mkdir(parents=True)
    (package / "__init__.py").write_text(KIT_MODULE, encoding="utf-8")
    (package / "task" / "schema.json").write_text(json.dumps(SCHEMA), encoding="utf-8")
    (package / "task" / "instructions.md").write_text("List up to three short notes, each a span.\n", encoding="utf-8")
    (package / "task" / "task.toml").write_text('items = "notes"\nmerge_key = ["text"]\n', encoding="utf-8")
    info = tmp_path / "notes_kit-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: notes-kit\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(
        textwrap.dedent("""\
            [summarizer.tasks]
            notes = notes_kit
        """),
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    return package


def test_a_kit_is_found_by_name_through_the_entry_point(notes_kit):
    kit = find_kit("notes")
    assert kit is not None and kit.name == "notes" and kit.folder == notes_kit / "task"
    assert kit.strategy_names() == ("document", "first-words") and kit.strategy(None) == "document"
    task = load_task("notes")
    assert (task.name, task.kit, task.items, task.merge_key) == ("notes", "notes", "notes", ("text",))
    assert kit_for(task) is kit


def test_a_task_without_a_kit_gets_the_generic_one_and_an_unknown_strategy_is_one_line():
    quotes = load_task("examples/quotes")
    assert quotes.kit is None and kit_for(quotes) is GENERIC_KIT
    with pytest.raises(TaskError, match=r"has no strategy 'figures' \(its strategies: document\)"):
        GENERIC_KIT.strategy("figures")


def test_a_task_s_strategies_are_the_document_the_item_and_its_kit_s_its_default_first(notes_kit, tmp_path):
    import shutil

    assert task_strategies(load_task("claims")) == ("figures", "document", "items")
    assert task_strategies(load_task("notes")) == ("document", "items", "first-words")
    assert task_strategies(load_task("examples/quotes")) == ("items", "document")  # its task.toml names items
    assert choose_strategy(load_task("examples/quotes"), None) == "items"
    with pytest.raises(TaskError, match=r"^task 'notes' has no strategy 'figures' \(its strategies: document, items"):
        choose_strategy(load_task("notes"), "figures")
    folder = shutil.copytree(notes_kit / "task", tmp_path / "folder-notes")
    (folder / "task.toml").write_text('items = "notes"\nstrategy = "first-words"\n', encoding="utf-8")
    with pytest.raises(TaskError, match="strategy = 'first-words' is none of its strategies"):
        task_strategies(load_task(folder))  # a folder has no kit: no strategy of one


def test_the_claims_kit_is_the_default_task_s(tmp_path):
    claims = find_kit("claims")
    assert claims is not None and load_task(None).kit == "claims"
    assert claims.strategy_names() == ("figures", "document") and claims.repeat_fields == ("evidence", "count")


def test_a_third_party_task_runs_end_to_end_with_the_tiny_model(notes_kit, tiny_model_dir, tmp_path):
    from typer.testing import CliRunner

    from summarizer.api import summarize
    from summarizer.cli import app
    from summarizer.core.validation import validate_document

    article = tmp_path / "library.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        ["summarize", str(article), "--task", "notes", "--model", str(tiny_model_dir), "--out", str(out)]
        + ["--max-new-tokens", "200", "--no-cache", "--quiet"],
    )
    assert result.exit_code == 0, result.output
    document = json.loads((out / "library.json").read_text())
    assert list(document) == ["notes"] and validate_document(document, ARTICLE, load_task("notes")) == []

    # The kit's own strategy, named, runs on the same backend through the library.
    kit_run = summarize(ARTICLE, str(tiny_model_dir), task="notes", strategy="first-words")
    assert kit_run.status == "ok"
    assert kit_run.document == {"notes": [{"text": "The library on"}, {"text": "Readers queued before"}]}
    assert kit_run.offsets == [[0, 14], [ARTICLE.index("Readers"), ARTICLE.index("Readers") + 21]]

    # The item strategy asks about the kit's candidates, each fixing the field it fills.
    items = summarize(ARTICLE, str(tiny_model_dir), task="notes", strategy="items", max_new_tokens=200)
    assert items.status == "ok" and items.stats["candidates"] == 2
    assert {note["text"] for note in items.document["notes"]} <= {"The library", "Readers queued"}
