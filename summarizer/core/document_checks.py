"""Check a document against a schema (given as its text) and against the article it came from
(the paths a schema marks ``x-grounded``). The task-level API is :mod:`summarizer.core.validation`;
this module knows no Task, so the task loader checks its worked examples with it.

Each problem carries the JSON path of the offending value ("$.claims[3].count.value")
and a short reason a person can act on, rather than jsonschema's full repr of the
instance.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeGuard

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError, best_match

from summarizer.core.countries import side_grounded
from summarizer.core.numbers import LARGEST_VALUE, format_number, is_usable_value, value_occurs
from summarizer.core.schema_paths import Path_, Where, iter_values
from summarizer.core.text import find_span

__all__ = ["Problem", "grounded_problems", "json_path", "schema_problems_for", "schema_text_problems"]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "boolean", int: "number", float: "number"}
# Grounding problems of one record come span first, then numbers (evidence before count.value).
_KIND_ORDER = {"span": 0, "number": 1, "side": 2}


@dataclass(frozen=True)
class Problem:
    path: str  # JSON path, "$.claims[3].count.value"
    message: str
    kind: str  # "schema" | "grounding"

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def _is_count_number(checker: object, value: object) -> bool:
    # JSON allows 1e400 (read as infinity) and 400-digit integers; no count can be either,
    # and both break arithmetic downstream, so the schema's "number" excludes them. A usable
    # negative number stays a number: "minimum" reports it.
    return _is_number(value) and (is_usable_value(value) or is_usable_value(-value))


@lru_cache(maxsize=16)
def _validator(schema_text: str) -> Draft202012Validator:
    checker = Draft202012Validator.TYPE_CHECKER.redefine("number", _is_count_number)
    return validators.extend(Draft202012Validator, type_checker=checker)(json.loads(schema_text))


def json_path(parts: Iterable[object]) -> str:
    """``["claims", 3, "count"]`` -> ``$.claims[3].count``."""
    path = "$"
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif _IDENTIFIER.fullmatch(str(part)):
            path += f".{part}"
        else:
            path += f"[{json.dumps(str(part))}]"
    return path


def _type_name(value: object) -> str:
    return "null" if value is None else _JSON_TYPES.get(type(value), type(value).__name__)


def _short(value: object, limit: int = 40) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (ValueError, RecursionError):  # an int past Python's 4300-digit limit, a value nested too deep
        text = f"<{_type_name(value)}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _problems_for(error: ValidationError) -> list[Problem]:
    """One error as problems at the path of the value at fault."""
    where = list(error.absolute_path)
    kind = error.validator
    if kind in ("anyOf", "oneOf") and error.context:
        return [p for sub in _useful_branch(error) for p in _problems_for(sub)]
    if kind == "required":
        missing = [name for name in error.validator_value if name not in error.instance]
        return [Problem(json_path(where + [name]), "required field is missing", "schema") for name in missing]
    if kind == "additionalProperties":
        allowed = error.schema.get("properties", {})
        extra = [name for name in error.instance if name not in allowed]
        return [Problem(json_path(where + [name]), "unexpected field (not in the schema)", "schema") for name in extra]
    return [Problem(json_path(where), _reason(error), "schema")]


def _useful_branch(error: ValidationError) -> list[ValidationError]:
    """For an object that fits no branch: the errors of the branch its discriminating field asks for
    (a claims count with qualifier "range" meant the range branch; any other, the first branch)."""
    instance, branches = error.instance, error.validator_value
    field = _discriminator(branches) if isinstance(branches, list) else None
    if isinstance(instance, dict) and field in instance:
        wanted = [i for i, b in enumerate(branches) if instance[field] in _allowed(b["properties"][field])]
        branch = wanted[0] if wanted else 0
        chosen = [sub for sub in error.context if sub.schema_path and sub.schema_path[0] == branch]
        if chosen:
            return chosen
    return [best_match(error.context)]


def _discriminator(branches: list[Any]) -> str | None:
    """A property that every branch restricts with const or enum (claims: count.qualifier)."""
    props: list[dict[str, Any]] = [
        b["properties"] for b in branches if isinstance(b, dict) and isinstance(b.get("properties"), dict)
    ]
    if not props or len(props) != len(branches):
        return None
    return next(
        (key for key in props[0] if all(isinstance(p.get(key), dict) and _allowed(p[key]) for p in props)), None
    )


def _allowed(node: dict[str, Any]) -> list[Any]:
    return [node["const"]] if "const" in node else list(node.get("enum") or [])


def _reason(error: ValidationError) -> str:
    kind, expected, value = error.validator, error.validator_value, error.instance
    field = error.absolute_path[-1] if error.absolute_path else None
    if kind == "type" and _is_number(value) and not _is_count_number(None, value):
        return f"not a usable number: {_short(value)} (a count is finite and at most {LARGEST_VALUE})"
    if kind == "type" and field == "upper":
        return (
            "must be null unless qualifier is 'range'"
            if expected == "null"
            else "must be a number when qualifier is 'range'"
        )
    if kind == "const" and field == "qualifier":
        return f"must be 'range' when upper is a number (got {_short(value)})"
    if kind == "type":
        wanted = " or ".join(expected) if isinstance(expected, list) else expected
        return f"expected {wanted}, got {_type_name(value)}"
    if kind == "enum":
        return f"must be one of {', '.join(map(str, expected))} (got {_short(value)})"
    if kind == "const":
        return f"must be {_short(expected)} (got {_short(value)})"
    if kind == "minimum":
        return f"must be at least {expected} (got {_short(value)})"
    if kind == "minLength":
        return "must not be empty" if expected == 1 else f"must have at least {expected} characters"
    if kind == "maxLength":
        return f"too long: {len(value)} characters, at most {expected}"
    if kind == "maxItems":
        return f"too many items: {len(value)}, at most {expected}"
    message = str(error.message)  # jsonschema is untyped
    return message if len(message) <= 200 else message[:197] + "..."


def _document_order(error: ValidationError) -> list[tuple[int, object]]:
    # Indices compare as numbers (claims[2] before claims[10]), keys as text.
    return [(0, p) if isinstance(p, int) else (1, str(p)) for p in error.absolute_path]


def schema_problems_for(doc: object, schema: dict[str, Any]) -> list[Problem]:
    """:func:`schema_text_problems` against a schema given as a dict (a backend decoding under its own)."""
    return schema_text_problems(doc, json.dumps(schema, sort_keys=True))


def schema_text_problems(doc: object, schema_text: str) -> list[Problem]:
    """Every way ``doc`` breaks the schema ``schema_text``, in document order."""
    try:
        errors = sorted(_validator(schema_text).iter_errors(doc), key=_document_order)
    except (ValueError, RecursionError):
        # jsonschema repr()s a bad value: an int past Python's 4300 digits, or nesting deeper than
        # the interpreter allows, cannot be. read_json refuses both; a Python caller may not.
        return [Problem("$", "holds a value too large or too deeply nested to check", "schema")]
    return [problem for error in errors for problem in _problems_for(error)]


def _is_number(value: object) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _value_problem(where: Where, kind: str, value: object, article: str) -> Problem | None:
    if kind == "span" and isinstance(value, str) and value.strip() and find_span(article, value) is None:
        return Problem(json_path(where), f"not found verbatim in the article: {_short(value, 60)}", "grounding")
    if kind == "side" and isinstance(value, str) and value.strip() and not side_grounded(value, article):
        return Problem(json_path(where), f"not a side the article names: {_short(value, 60)}", "grounding")
    if (
        kind == "number" and is_usable_value(value) and not value_occurs(value, article)
    ):  # the schema check reports the rest
        return Problem(json_path(where), f"{format_number(value)} does not occur in the article", "grounding")
    return None


def grounded_problems(doc: object, article: str, grounded: Iterable[tuple[Path_, str]]) -> list[Problem]:
    """Span values that are not spans of ``article``, and number values no number in it equals, for
    the ``grounded`` (path, kind) pairs of a schema's ``x-grounded`` marks. Free text (``numbers``) is left to the
    grammar and the scorer. Parts of ``doc`` with the wrong shape are skipped: the schema check reports those."""
    found = []
    for order, (path, kind) in enumerate(grounded):
        for where, value in iter_values(doc, path) if kind in _KIND_ORDER else ():
            problem = _value_problem(where, kind, value, article)
            if problem is not None:  # record by record (indices), span first, then in schema order
                found.append(((tuple(p for p in where if isinstance(p, int)), _KIND_ORDER[kind], order), problem))
    return [problem for _, problem in sorted(found, key=lambda pair: pair[0])]
