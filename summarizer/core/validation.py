"""Check a document of a task (the default task, claims, unless one is given): against the task's
schema, and against the article it came from (the properties the schema marks ``x-grounded``).

Each problem carries the JSON path of the offending value ("$.claims[3].count.value")
and a short reason a person can act on, rather than jsonschema's full repr of the
instance (:mod:`summarizer.core.document_checks`).
"""

from __future__ import annotations

from summarizer.core.document_checks import (
    Problem,
    grounded_problems,
    json_path,
    schema_problems_for,
    schema_text_problems,
)
from summarizer.core.task import Task, load_task

__all__ = [
    "Problem",
    "grounding_problems",
    "is_valid",
    "json_path",
    "schema_problems",
    "schema_problems_for",
    "validate_document",
]


def schema_problems(doc: object, task: Task | None = None) -> list[Problem]:
    """Every way ``doc`` breaks the task's schema (the default task's, claims), in document order."""
    return schema_text_problems(doc, load_task(task).schema_text)


def grounding_problems(doc: object, article: str, task: Task | None = None) -> list[Problem]:
    """Span values that are not spans of ``article``, and number values no number in it equals, for
    the properties the task's schema marks ``x-grounded``. Free text (``numbers``) is left to the
    grammar and the scorer. Parts of ``doc`` with the wrong shape are skipped: the schema check reports those."""
    return grounded_problems(doc, article, load_task(task).grounded)


def validate_document(doc: object, article: str | None = None, task: Task | None = None) -> list[Problem]:
    """Schema problems, then (when the article is given) grounding problems."""
    problems = schema_problems(doc, task)
    if article is not None:
        problems += grounding_problems(doc, article, task)
    return problems


def is_valid(doc: object, task: Task | None = None) -> bool:
    """Whether ``doc`` meets the schema (grounding is not checked)."""
    return not schema_problems(doc, task)
