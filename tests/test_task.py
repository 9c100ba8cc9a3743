"""Tasks as data: the built-in claims task, a task folder, grounding declared in the schema, bad folders."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.core import resources
from summarizer.core.errors import InputError
from summarizer.core.task import builtin_task, load_task, plain_schema
from summarizer.core.validation import grounding_problems, schema_problems
from summarizer.engine.prompting import build_messages, prompt_parts

REPO = Path(__file__).resolve().parent.parent
QUOTES = REPO / "examples" / "quotes"


def test_claims_is_built_from_the_repository_schema_and_prompts():
    task = load_task("claims")
    assert task is builtin_task("claims") and task.kit == "claims" and task.items == "claims"
    assert task.schema == resources.load_schema() and task.schema_hash == resources.schema_hash()
    assert dict(task.grounded) == {
        ("summary",): "numbers",
        ("claims", "*", "count", "value"): "number",
        ("claims", "*", "count", "upper"): "number",
        ("claims", "*", "evidence"): "span",
        ("claims", "*", "claimant_side"): "side",
        ("claims", "*", "victim_side"): "side",
        ("claims", "*", "perpetrator_side"): "side",
    }
    assert load_task(None) is task


def test_a_task_folder_gives_schema_prompt_examples_and_scoring():
    task = load_task(QUOTES)
    assert task.name == "quotes" and task.kit is None and task.items == "quotes"
    assert task.key_fields == ("speaker", "quote") and dict(task.weights) == {"speaker": 1.0, "quote": 2.0}
    assert {path[-1] for path, kind in task.grounded if kind == "span"} == {"speaker", "role", "quote"}
    messages = build_messages("An article.", prompt_parts(task))
    assert messages[0]["content"] == (QUOTES / "instructions.md").read_text(encoding="utf-8").strip()
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert json.loads(messages[2]["content"]) == json.loads((QUOTES / "examples" / "ferry.json").read_text())
    assert load_task(str(QUOTES)) == task and hash(load_task(QUOTES)) == hash(task)


def test_the_task_hash_follows_its_files(tmp_path):
    copy = shutil.copytree(QUOTES, tmp_path / "quotes")
    before = load_task(copy)
    (copy / "instructions.md").write_text("Find the quotes.\n", encoding="utf-8")
    changed = load_task(copy)
    assert changed.hash != before.hash and changed.prompt_hash != before.prompt_hash
    assert changed.schema_hash == before.schema_hash


def test_x_grounded_is_ignored_by_json_schema_and_stripped_for_servers():
    task = load_task(QUOTES)
    doc = {"quotes": [{"speaker": "Nobody", "role": None, "quote": "not in any article"}]}
    assert schema_problems(doc, task) == []  # grounding is not the schema's business
    problems = grounding_problems(doc, "Somebody said hello.", task)
    assert [p.path for p in problems] == ["$.quotes[0].speaker", "$.quotes[0].quote"]
    assert "x-grounded" not in json.dumps(plain_schema(task.schema))


def test_the_public_schema_is_the_schema_without_its_grounding():
    claims = load_task("claims")
    # The claims record as `summarizer schema` printed it before grounding was declared in it.
    assert claims.public_schema_text() == (REPO / "tests" / "data" / "schema" / "claims.public.json").read_text()
    assert claims.public_schema() == json.loads(claims.public_schema_text()) == plain_schema(claims.schema)
    assert claims.schema_text.count('"x-grounded"') == 6 and "x-grounded" not in claims.public_schema_text()
    quotes = load_task(QUOTES)
    assert quotes.public_schema() == plain_schema(json.loads((QUOTES / "schema.json").read_text()))
    assert "x-grounded" not in quotes.public_schema_text()


def _folder(tmp_path: Path, **changes) -> Path:
    """A copy of the quotes task with files replaced (a value of None deletes the file)."""
    folder = shutil.copytree(QUOTES, tmp_path / "task", ignore=shutil.ignore_patterns("data"))
    for name, content in changes.items():
        path = folder / name.replace("__", "/")
        if content is None:
            path.unlink()
        else:
            path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return folder


def _schema_with(**quote_props) -> dict:
    schema = json.loads((QUOTES / "schema.json").read_text())
    schema["properties"]["quotes"]["items"]["properties"]["quote"].update(quote_props)
    return schema


BAD_FOLDERS = {
    "missing-schema": ({"schema.json": None}, "schema.json: missing schema.json"),
    "invalid-json": ({"schema.json": '{"type": '}, "schema.json: invalid JSON"),
    "not-a-json-schema": (
        {"schema.json": {"type": "object", "properties": {"a": {"type": 12}}}},
        "schema.json: not a valid JSON Schema at $.properties.a.type",
    ),
    "not-an-object": ({"schema.json": {"type": "array"}}, "the schema must describe an object"),
    "unknown-grounding": (
        {"schema.json": _schema_with(**{"x-grounded": "quote"})},
        "$.quotes[*].quote: unknown x-grounded value 'quote'",
    ),
    "grounding-on-array": (
        {
            "schema.json": {
                "type": "object",
                "properties": {"tags": {"type": "array", "items": {"type": "string"}, "x-grounded": "span"}},
            }
        },
        "$.tags: x-grounded 'span' needs a property of type string",
    ),
    "example-breaks-schema": (
        {"examples__ferry.json": {"quotes": [{"speaker": "Ewan McLeod"}]}},
        "ferry.json: does not match schema.json: $.quotes[0].role: required field is missing",
    ),
    "example-not-grounded": (
        {"examples__ferry.json": {"quotes": [{"speaker": "Ewan McLeod", "role": None, "quote": "words nobody said"}]}},
        "ferry.json: not grounded in ferry.txt: $.quotes[0].quote: not found verbatim",
    ),
    "example-without-article": ({"examples__ferry.txt": None}, "worked example has no article"),
    "missing-instructions": ({"instructions.md": None}, "instructions.md: missing instructions.md"),
    "bad-toml": ({"task.toml": "name = "}, "task.toml: invalid TOML"),
    "unknown-toml-key": ({"task.toml": "nmae = 'x'\n"}, "task.toml: unknown setting(s): nmae"),
    "unknown-key-field": ({"task.toml": "[scoring]\nkeys = ['speakr']\n"}, "scoring.keys: speakr not a field"),
}


@pytest.mark.parametrize("changes,message", BAD_FOLDERS.values(), ids=BAD_FOLDERS.keys())
def test_a_bad_task_folder_is_one_clear_line(tmp_path, changes, message):
    folder = _folder(tmp_path, **changes)
    with pytest.raises(InputError) as caught:  # TaskError, or the JSON reader's InputError
        load_task(folder)
    assert message in str(caught.value) and "\n" not in str(caught.value)
    result = CliRunner().invoke(app, ["schema", "--task", str(folder)])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and message in result.stderr and result.stderr.count("\n") == 1


def test_an_unknown_task_name_is_one_clear_line(tmp_path):
    with pytest.raises(InputError, match="no such task folder, and no task of that name \\(claims\\)"):
        load_task(tmp_path / "nowhere")
    with pytest.raises(InputError, match="is a file"):
        load_task(QUOTES / "schema.json")


# -- files outside the folder, empty files, schemas the grammar cannot build (issue 22) ----------
def test_a_task_file_that_links_outside_the_folder_is_refused(tmp_path):
    """Item 4: a linked example's text (any file) was sent to the model as a worked example."""
    secret = tmp_path / "secret.txt"
    secret.write_text("The password is hunter2.", encoding="utf-8")
    folder = _folder(tmp_path)
    (folder / "examples" / "leak.txt").symlink_to(secret)
    (folder / "examples" / "leak.json").write_text('{"quotes": []}', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_task(folder)
    assert str(caught.value) == (
        f"{folder}/examples/leak.txt: is a link to a file outside the task folder; a task's files must be inside it"
    )
    (folder / "examples" / "leak.txt").unlink()
    (folder / "examples" / "leak.json").unlink()
    (folder / "instructions.md").unlink()
    (folder / "instructions.md").symlink_to(secret)
    with pytest.raises(InputError, match="instructions.md: is a link to a file outside the task folder"):
        load_task(folder)


def test_an_examples_folder_that_links_outside_the_task_is_called_a_folder(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    folder = _folder(tmp_path)
    for path in (folder / "examples").iterdir():
        path.rename(elsewhere / path.name)
    (folder / "examples").rmdir()
    (folder / "examples").symlink_to(elsewhere)
    with pytest.raises(InputError) as caught:
        load_task(folder)
    assert str(caught.value) == (
        f"{folder}/examples: is a link to a folder outside the task folder; a task's files must be inside it"
    )


def test_a_link_inside_the_folder_is_fine(tmp_path):
    folder = _folder(tmp_path)
    (folder / "notes.md").write_bytes((folder / "instructions.md").read_bytes())
    (folder / "instructions.md").unlink()
    (folder / "instructions.md").symlink_to(folder / "notes.md")
    assert load_task(folder).instructions


@pytest.mark.parametrize("name", ["schema.json", "instructions.md"])
def test_an_empty_schema_or_instructions_file_says_file_is_empty(tmp_path, name):
    """Item 11: it said "article is empty"."""
    folder = _folder(tmp_path, **{name: " \n"})
    result = CliRunner().invoke(app, ["schema", "--task", str(folder)])
    assert (result.exit_code, result.stderr) == (1, f"error: {folder / name}: file is empty\n")


def test_a_schema_the_grammar_cannot_build_is_refused_before_any_model_loads(tmp_path):
    """Item 10: a pattern on a grounded field made every document invalid, article by article."""
    folder = _folder(tmp_path, **{"schema.json": _schema_with(pattern="^[A-Z]")})
    article = tmp_path / "a.txt"
    article.write_text("Officials said 12 civilians were killed.", encoding="utf-8")
    result = CliRunner().invoke(app, ["summarize", str(article), "--task", str(folder), "--model", "no/such-model"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {folder}/schema.json: $.quotes[*].quote: pattern on a grounded span is not supported "
        "(the grounded grammar keeps type and maxLength, minLength only)\n"
    )
