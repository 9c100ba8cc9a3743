"""Backend options: a frozen dataclass each backend declares, built from typed values or from text.

A backend names its options class (``Backend.Options``); the CLI's ``--backend-opt key=value``
and its convenience flags (``--device``, ``--base-url`` ...) and Python's keyword arguments all
become one instance of it here, checked against the field types: ``int``, ``float``, ``bool``,
``str``, ``Literal[...]``, and any of them ``| None``. A field of another type (a schema dict)
takes a Python value as it is and cannot be given as text. Problems are one line that names
the option and lists the backend's valid keys.

A backend that extracts more than the claims task declares a ``task`` field (:func:`task_field`):
the registry fills it from ``--task`` / ``task=`` (see ``registry.with_task``); it is not a
``--backend-opt`` key.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from summarizer.core.errors import ModelError
from summarizer.core.urls import redact

NONE_WORDS = ("none", "null")
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")
TEXT_OPTION = "text_option"  # field metadata: False for a field that is no --backend-opt key (the task)
CHECK = "check"  # field metadata: value -> the problem with it, or None (see :func:`ranged`)


class OptionError(ModelError):
    """A backend option that does not exist, has a bad value, or is missing (one line)."""


class _NotAChoice(ValueError):
    """A value that is none of a Literal's choices."""


@dataclasses.dataclass(frozen=True)
class NoOptions:
    """The options of a backend that has none."""


def task_field() -> Any:
    """The ``task`` field of a backend's Options: the :class:`~summarizer.core.task.Task` it extracts
    (None: claims). Typed ``Any`` so that text is refused; hidden from the listed keys."""
    return dataclasses.field(default=None, metadata={TEXT_OPTION: False})


def ranged(
    default: Any,
    *,
    minimum: float | None = None,
    above: float | None = None,
    maximum: float | None = None,
    check: Callable[[Any], str | None] | None = None,
) -> Any:
    """A field whose value is checked where every option is (:func:`check_options`): at least
    ``minimum``, greater than ``above``, at most ``maximum``, and ``check(value)`` (the problem, or
    None). None, for an optional field, is always allowed."""

    def problem(value: Any) -> str | None:
        if value is None:
            return None
        if minimum is not None and value < minimum:
            return f"must be at least {minimum:g}"
        if above is not None and value <= above:
            return f"must be greater than {above:g}"
        if maximum is not None and value > maximum:
            return f"must be at most {maximum:g}"
        return check(value) if check else None

    return dataclasses.field(default=default, metadata={CHECK: problem})


def check_options(options: Any, backend: str) -> Any:
    """``options`` (an Options instance) if every field's value is in its range, else OptionError
    naming the option: the one place a value's range is checked, however the options were built."""
    keys = describe_keys(type(options))
    for field in dataclasses.fields(options):
        check = field.metadata.get(CHECK)
        value = getattr(options, field.name)
        problem = check(value) if check else None
        if problem:
            raise OptionError(
                redact(f"{field.name}={_shown(value)}: {problem} (options of the {backend} backend: {keys})")
            )
    return options


def _shown(value: Any) -> str:
    return repr(value) if isinstance(value, str) else f"{value:g}" if isinstance(value, float) else str(value)


def takes_task(options_cls: type) -> bool:
    """Whether a backend with these Options extracts any task (else claims only)."""
    return any(f.name == "task" for f in dataclasses.fields(options_cls))


def option_types(options_cls: type) -> dict[str, Any]:
    """Field name -> resolved type annotation, in declaration order."""
    hints = typing.get_type_hints(options_cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(options_cls)}


def describe_keys(options_cls: type) -> str:
    """``key=TYPE`` for every option, for error messages and ``--help``."""
    shown = {f.name for f in dataclasses.fields(options_cls) if f.metadata.get(TEXT_OPTION, True)}
    keys = [f"{name}={_type_name(kind)}" for name, kind in option_types(options_cls).items() if name in shown]
    return ", ".join(keys) if keys else "none"


def parse_pairs(pairs: Sequence[str]) -> dict[str, str]:
    """``["key=value", ...]`` as a dict (a later key wins); OptionError for an item without '='."""
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise OptionError(f"--backend-opt {pair!r}: expected KEY=VALUE")
        values[key.strip()] = value
    return values


def build_options(options_cls: type, backend: str, values: Mapping[str, Any]) -> Any:
    """An ``options_cls`` from ``values`` (typed values, or text to convert), every field checked."""
    types_ = option_types(options_cls)
    keys = describe_keys(options_cls)
    hidden = {f.name for f in dataclasses.fields(options_cls) if not f.metadata.get(TEXT_OPTION, True)}
    converted: dict[str, Any] = {}
    for key, value in values.items():
        if key not in types_:
            raise OptionError(f"{key!r} is not an option of the {backend} backend (its options: {keys})")
        if key in hidden and isinstance(value, str):  # the task: loaded by the registry from --task
            raise OptionError(
                f"{key} cannot be given as --backend-opt text; use --{key} (options of the {backend} backend: {keys})"
            )
        try:
            converted[key] = _convert(types_[key], value)
        except _NotAChoice as problem:
            raise OptionError(
                f"unknown {key} {value!r} ({problem}; options of the {backend} backend: {keys})"
            ) from None
        except ValueError as problem:
            raise OptionError(
                redact(f"{key}={value!r}: {problem} (options of the {backend} backend: {keys})")
            ) from None
    missing = [f.name for f in dataclasses.fields(options_cls) if _required(f) and f.name not in converted]
    if missing:
        raise OptionError(
            f"the {backend} backend needs {', '.join(missing)} (--backend-opt {missing[0]}=VALUE; its options: {keys})"
        )
    return check_options(options_cls(**converted), backend)


def _required(field: dataclasses.Field) -> bool:
    return field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING


def _convert(kind: Any, value: Any) -> Any:
    """``value`` as type ``kind``: text is parsed, a typed value is checked. ValueError says why not."""
    allowed = _optional_of(kind)
    if allowed is not None:  # X | None
        if value is None or (isinstance(value, str) and value.strip().lower() in NONE_WORDS):
            return None
        kind = allowed
    if typing.get_origin(kind) is Literal:
        return _choice(kind, value)
    check = _SCALARS.get(kind)
    if check is None:  # not a scalar (a schema dict): Python callers only
        if isinstance(value, str):
            raise ValueError(f"cannot be given as text (a {_type_name(kind)})")
        return value
    return check(value)


def _optional_of(kind: Any) -> Any:
    """X for ``X | None`` (or Optional[X]), else None."""
    if typing.get_origin(kind) in (typing.Union, getattr(types, "UnionType", ())):
        args = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        if len(args) == 1 and len(typing.get_args(kind)) == 2:
            return args[0]
    return None


def _choice(kind: Any, value: Any) -> Any:
    choices = typing.get_args(kind)
    for choice in choices:
        if value == choice or (isinstance(value, str) and not isinstance(choice, str) and value == str(choice)):
            return choice
    raise _NotAChoice(f"use one of {', '.join(str(c) for c in choices)}")


def _to_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError("expected a whole number")
    try:
        return int(value)
    except ValueError:
        raise ValueError("expected a whole number") from None


def _to_float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError("expected a number")
    try:
        number = float(value)
    except ValueError:
        raise ValueError("expected a number") from None
    if not math.isfinite(number):
        raise ValueError("expected a finite number")
    return number


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE_WORDS + FALSE_WORDS:
        return value.strip().lower() in TRUE_WORDS
    raise ValueError(f"expected true or false ({'/'.join(TRUE_WORDS)} or {'/'.join(FALSE_WORDS)})")


def _to_str(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("expected text")
    return value


_SCALARS = {int: _to_int, float: _to_float, bool: _to_bool, str: _to_str}


def _type_name(kind: Any) -> str:
    allowed = _optional_of(kind)
    if allowed is not None:
        return _type_name(allowed) + "|none"
    if typing.get_origin(kind) is Literal:
        return "|".join(str(choice) for choice in typing.get_args(kind))
    return getattr(kind, "__name__", str(kind))
