"""`summarizer schema`: the public JSON Schema of a task; --annotated keeps the grounding keywords."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.core import resources

REPO = Path(__file__).resolve().parent.parent
QUOTES = REPO / "examples" / "quotes"
# The claims record as `summarizer schema` prints it: the schema file without its x-grounded keywords
# (the sides' own $def, "side", came with their grounding).
CLAIMS_PUBLIC = REPO / "tests" / "data" / "schema" / "claims.public.json"


def run(*args: str):
    result = CliRunner().invoke(app, ["schema", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_claims_schema_is_printed_as_before_grounding_was_declared():
    assert run() == run("--task", "claims") == CLAIMS_PUBLIC.read_text(encoding="utf-8")
    assert "x-grounded" not in run()


def test_annotated_prints_the_schema_file_with_its_grounding():
    assert run("--annotated") == resources.schema_text()
    assert run("--annotated").count('"x-grounded"') == 6


def test_a_task_folder_prints_its_own_schema_without_grounding():
    annotated = json.loads((QUOTES / "schema.json").read_text(encoding="utf-8"))
    plain = json.loads(run("--task", str(QUOTES)))
    assert "x-grounded" not in json.dumps(plain) and "x-grounded" in json.dumps(annotated)
    items = annotated["properties"]["quotes"]["items"]["properties"]
    for node in items.values():
        node.pop("x-grounded", None)
    assert plain == annotated
    assert json.loads(run("--task", str(QUOTES), "--annotated")) == json.loads(
        (QUOTES / "schema.json").read_text(encoding="utf-8")
    )
