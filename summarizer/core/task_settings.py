"""A task folder's ``task.toml``: name, the scored items, alignment keys and weights, threshold, merge key.

Every setting is optional (README, "Your own task")::

    name = "quotes"
    items = "quotes"              # the top-level array of records to score (needed when there are several)
    merge_key = ["quote"]         # default: the scoring keys
    strategy = "items"            # the default strategy (default: the task kit's, else "document")
    # item-by-item extraction (--strategy items):
    candidates = "quotations"     # a finder of core.candidates: each span it finds is asked about, in a batch
    candidate_field = "quote"     # the item field a candidate's text fills (needed with candidates)
    max_items = 30                # at most this many items an article (default: maxItems, at most 50)

    [scoring]
    keys = ["speaker", "quote"]   # default: the items' span fields, else every field
    weights = {quote = 2.0}       # default 1.0 per key
    threshold = 0.5               # a pair below it is no match

A bad setting is a :class:`~summarizer.core.errors.TaskError` naming ``task.toml``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summarizer.core.errors import TaskError
from summarizer.core.schema_paths import Path_, json_types, resolve

_TOML_KEYS = {"name", "items", "merge_key", "strategy", "candidates", "candidate_field", "max_items", "scoring"}
_SCORING_KEYS = {"keys", "weights", "threshold"}
DEFAULT_MATCH_THRESHOLD = 0.5
# Items one article may have under item-by-item extraction, whatever the schema allows: each is a
# generation, so a model that never says "no more" is stopped here.
DEFAULT_MAX_ITEMS = 50
MAX_ITEMS_LIMIT = 1000
# Weights are relative; a bound keeps their sum (and sums of weighted scores) finite: nan, inf and
# 1e308 are refused here instead of failing in the scorer.
MAX_WEIGHT = 1e6


@dataclass(frozen=True)
class TaskSettings:
    """What ``task.toml`` says, with the defaults filled in from the schema."""

    name: str | None
    items: str | None
    key_fields: tuple[str, ...]
    weights: tuple[tuple[str, float], ...]
    match_threshold: float
    merge_key: tuple[str, ...]
    toml_bytes: bytes  # hashed into the task's hash
    strategy: str | None = None  # the task's default strategy; None: its kit's
    candidates: str | None = None  # a finder of summarizer.core.candidates (the item strategy)
    candidate_field: str | None = None  # the item field a candidate fills
    max_items: int | None = None  # items an article may have under the item strategy; None: the default


def read_settings(schema: dict[str, Any], grounded: list[tuple[Path_, str]], toml_path: Path) -> TaskSettings:
    """The settings of ``toml_path`` (absent: every default) checked against ``schema``."""
    settings, toml_bytes = _read_toml(toml_path)
    items = _items_field(schema, settings.get("items"), toml_path)
    item_fields = _item_fields(schema, items)
    scoring = settings.get("scoring", {})
    keys = _field_list(scoring.get("keys"), item_fields, toml_path, "scoring.keys") or _default_keys(
        grounded, items, item_fields
    )
    weights = _weights(scoring.get("weights", {}), keys, toml_path)
    threshold = scoring.get("threshold", DEFAULT_MATCH_THRESHOLD)
    if not isinstance(threshold, (int, float)) or isinstance(threshold, bool) or not 0 < threshold <= 1:
        raise TaskError(f"scoring.threshold must be a number in (0, 1] (got {threshold!r})", toml_path)
    merge_key = _field_list(settings.get("merge_key"), item_fields, toml_path, "merge_key") or keys
    _check_item_settings(settings, items, item_fields, toml_path)
    return TaskSettings(
        name=settings.get("name"),
        items=items,
        key_fields=tuple(keys),
        weights=tuple(weights.items()),
        match_threshold=float(threshold),
        merge_key=tuple(merge_key),
        toml_bytes=toml_bytes,
        strategy=settings.get("strategy"),
        candidates=settings.get("candidates"),
        candidate_field=settings.get("candidate_field"),
        max_items=settings.get("max_items"),
    )


def _check_item_settings(settings: dict[str, Any], items: str | None, fields: list[str], path: Path) -> None:
    """The settings of item-by-item extraction: they need an array of records, a known finder and
    the field its candidates fill, and a bound in range."""
    from summarizer.core.candidates import FINDERS

    itemwise: list[str] = [key for key in ("candidates", "candidate_field", "max_items") if key in settings]
    if settings.get("strategy") == "items":
        itemwise.append("strategy = 'items'")
    if itemwise and items is None:
        raise TaskError(f"{itemwise[0]} needs an array of records in the schema (items)", path)
    finder, field = settings.get("candidates"), settings.get("candidate_field")
    if finder is not None and finder not in FINDERS:
        raise TaskError(f"candidates = {finder!r} is no candidate finder (known: {', '.join(FINDERS)})", path)
    if (finder is None) != (field is None):
        raise TaskError("candidates and candidate_field go together: the finder, and the field it fills", path)
    if field is not None and field not in fields:
        raise TaskError(f"candidate_field: {field} is not a field of the items (fields: {', '.join(fields)})", path)
    bound = settings.get("max_items")
    if bound is not None and (type(bound) is not int or not 1 <= bound <= MAX_ITEMS_LIMIT):
        raise TaskError(f"max_items must be an integer from 1 to {MAX_ITEMS_LIMIT} (got {bound!r})", path)


def _read_toml(path: Path) -> tuple[dict[str, Any], bytes]:
    if not path.is_file():
        return {}, b""
    data = path.read_bytes()
    try:
        settings = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise TaskError(f"invalid TOML: {error}", path) from None
    if not isinstance(settings.get("scoring", {}), dict):
        raise TaskError(f"scoring must be a table ([scoring]), not {_toml_type(settings['scoring'])}", path)
    unknown = set(settings) - _TOML_KEYS or set(settings.get("scoring") or {}) - _SCORING_KEYS
    if unknown:
        raise TaskError(
            f"unknown setting(s): {', '.join(sorted(unknown))} (known: {', '.join(sorted(_TOML_KEYS))}; "
            f"[scoring]: {', '.join(sorted(_SCORING_KEYS))})",
            path,
        )
    for key in ("name", "items", "strategy", "candidates", "candidate_field"):
        value = settings.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise TaskError(f"{key} must be a non-empty string (got {_toml_type(value)} {value!r})", path)
    return settings, data


def _toml_type(value: Any) -> str:
    names = {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "an array",
        dict: "a table",
    }
    return next((name for kind, name in names.items() if type(value) is kind), "a date or time")


def _items_field(schema: dict[str, Any], named: Any, toml_path: Path) -> str | None:
    """The top-level array of objects that is scored item by item (task.toml ``items`` picks one of several)."""
    arrays = [key for key, sub in schema["properties"].items() if _is_object_array(schema, sub)]
    if named is not None:
        if named not in arrays:
            raise TaskError(
                f"items = {named!r} is not a top-level array of objects in the schema "
                f"(those: {', '.join(arrays) or 'none'})",
                toml_path,
            )
        return str(named)
    if len(arrays) > 1:
        raise TaskError(
            f"the schema has several arrays of records ({', '.join(arrays)}); "
            'name the one to score with items = "..." in task.toml',
            toml_path,
        )
    return arrays[0] if arrays else None


def _is_object_array(schema: dict[str, Any], node: Any) -> bool:
    node = resolve(schema, node, "$") if isinstance(node, dict) else {}
    items = node.get("items")
    return (
        "array" in json_types(node) and isinstance(items, dict) and "object" in json_types(resolve(schema, items, "$"))
    )


def _item_fields(schema: dict[str, Any], items: str | None) -> list[str]:
    node = schema if items is None else resolve(schema, resolve(schema, schema["properties"][items], "$")["items"], "$")
    return list((node.get("properties") or {}).keys())


def _field_list(value: Any, fields: list[str], path: Path, name: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise TaskError(f"{name} must be a non-empty list of field names", path)
    unknown = [v for v in value if v.split(".")[0] not in fields]  # "count.value": a field inside a field
    if unknown:
        raise TaskError(f"{name}: {', '.join(unknown)} not a field of the items (fields: {', '.join(fields)})", path)
    return list(value)


def _default_keys(grounded: list[tuple[Path_, str]], items: str | None, fields: list[str]) -> list[str]:
    """Without scoring.keys: the items' span fields (what the article says), else every field."""
    prefix = (items, "*") if items else ()
    spans = [
        p[len(prefix)]
        for p, kind in grounded
        if kind == "span" and p[: len(prefix)] == prefix and len(p) == len(prefix) + 1
    ]
    return spans or fields


def _weights(value: Any, keys: list[str], path: Path) -> dict[str, float]:
    if not isinstance(value, dict):
        raise TaskError("scoring.weights must be a table (field = weight)", path)
    for key, weight in value.items():
        if key not in keys:
            raise TaskError(f"scoring.weights: {key} is not one of scoring.keys ({', '.join(keys)})", path)
        if not isinstance(weight, (int, float)) or isinstance(weight, bool) or not 0 < weight <= MAX_WEIGHT:
            raise TaskError(
                f"scoring.weights: {key} must be a number above 0 and at most {MAX_WEIGHT:g} (got {weight!r})", path
            )
    return {key: float(value.get(key, 1.0)) for key in keys}
