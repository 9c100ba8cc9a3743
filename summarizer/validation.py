"""Check a claims document: against the schema, and against the article it came from.

Each problem carries the JSON path of the offending value ("$.claims[3].count.value")
and a short reason a person can act on, rather than jsonschema's full repr of the
instance.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError, best_match

from summarizer.numbers import LARGEST_VALUE, format_number, is_usable_value, value_occurs
from summarizer.resources import load_schema
from summarizer.text import find_span

__all__ = ["Problem", "schema_problems", "grounding_problems", "validate_document", "is_valid"]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "boolean", int: "number", float: "number"}
# The two branches of the schema's count (anyOf): which one a count meant to follow
# is decided by its qualifier.
_RANGE_BRANCH, _PLAIN_BRANCH = 1, 0


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


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    checker = Draft202012Validator.TYPE_CHECKER.redefine("number", _is_count_number)
    return validators.extend(Draft202012Validator, type_checker=checker)(load_schema())


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
    """For a count that fits no branch: the errors of the branch its qualifier asks for."""
    instance = error.instance
    if isinstance(instance, dict) and "qualifier" in instance:
        branch = _RANGE_BRANCH if instance.get("qualifier") == "range" else _PLAIN_BRANCH
        chosen = [sub for sub in error.context if sub.schema_path and sub.schema_path[0] == branch]
        if chosen:
            return chosen
    return [best_match(error.context)]


def _reason(error: ValidationError) -> str:
    kind, expected, value = error.validator, error.validator_value, error.instance
    field = error.absolute_path[-1] if error.absolute_path else None
    if kind == "type" and _is_number(value) and not _is_count_number(None, value):
        return f"not a usable number: {_short(value)} (a count is finite and at most {LARGEST_VALUE})"
    if kind == "type" and field == "upper":
        return "must be null unless qualifier is 'range'" if expected == "null" else "must be a number when qualifier is 'range'"
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
    return error.message if len(error.message) <= 200 else error.message[:197] + "..."


def _document_order(error: ValidationError) -> list[tuple[int, object]]:
    # Indices compare as numbers (claims[2] before claims[10]), keys as text.
    return [(0, p) if isinstance(p, int) else (1, str(p)) for p in error.absolute_path]


def schema_problems(doc: object) -> list[Problem]:
    """Every way ``doc`` breaks the claims schema, in document order."""
    try:
        errors = sorted(_validator().iter_errors(doc), key=_document_order)
    except (ValueError, RecursionError):
        # jsonschema repr()s a bad value: an int past Python's 4300 digits, or nesting deeper than
        # the interpreter allows, cannot be. read_json refuses both; a Python caller may not.
        return [Problem("$", "holds a value too large or too deeply nested to check", "schema")]
    return [problem for error in errors for problem in _problems_for(error)]


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _claim_grounding(index: int, claim: dict, article: str) -> list[Problem]:
    problems = []
    evidence = claim.get("evidence")
    if isinstance(evidence, str) and evidence.strip() and find_span(article, evidence) is None:
        problems.append(Problem(f"$.claims[{index}].evidence",
                                f"not found verbatim in the article: {_short(evidence, 60)}", "grounding"))
    count = claim.get("count")
    for key in ("value", "upper"):
        number = count.get(key) if isinstance(count, dict) else None
        if is_usable_value(number) and not value_occurs(number, article):  # the schema check reports the rest
            problems.append(Problem(f"$.claims[{index}].count.{key}",
                                    f"{format_number(number)} does not occur in the article", "grounding"))
    return problems


def grounding_problems(doc: object, article: str) -> list[Problem]:
    """Evidence that is not a span of ``article``, and count values no number in it equals.
    Parts of ``doc`` with the wrong shape are skipped: the schema check reports those."""
    claims = doc.get("claims") if isinstance(doc, dict) else None
    if not isinstance(claims, list):
        return []
    return [p for i, claim in enumerate(claims) if isinstance(claim, dict) for p in _claim_grounding(i, claim, article)]


def validate_document(doc: object, article: str | None = None) -> list[Problem]:
    """Schema problems, then (when the article is given) grounding problems."""
    problems = schema_problems(doc)
    if article is not None:
        problems += grounding_problems(doc, article)
    return problems


def is_valid(doc: object) -> bool:
    """Whether ``doc`` meets the schema (grounding is not checked)."""
    return not schema_problems(doc)
