"""Locate the files that ship with the package: the schema, the prompts, the seed dataset.

In a wheel they live in ``summarizer/_data/`` (copied there by the build, see
pyproject.toml); in a source checkout or editable install they are read from the
top-level ``schemas/``, ``prompts/`` and ``seeds/`` folders.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

_PACKAGE_ROOT = Path(__file__).resolve().parent.parent  # summarizer/
_REPO_ROOT = _PACKAGE_ROOT.parent


def data_dir(name: str) -> Path:
    """The folder ``name`` (``schemas``, ``prompts`` or ``seeds``) wherever it is installed."""
    packaged = resources.files("summarizer") / "_data" / name
    if packaged.is_dir():
        return Path(str(packaged))
    source = _REPO_ROOT / name
    if source.is_dir():
        return source
    raise FileNotFoundError(f"summarizer data folder {name!r} is missing from this installation")


def files_hash(files: Iterable[tuple[str, bytes]]) -> str:
    """sha256 (16 hex digits) of ``(name, bytes)`` pairs in the given order: a prompt's identity."""
    digest = hashlib.sha256()
    for name, data in files:
        digest.update(name.encode() + b"\0" + data + b"\0")
    return digest.hexdigest()[:16]


def source_files(names: Iterable[str], root: Path = _PACKAGE_ROOT) -> list[tuple[str, Path]]:
    """``(name, path)`` of the code behind module names relative to the package ("engine/grammar"):
    the module's ``.py``, or every ``.py`` of a package ("tasks/claims/rules"), so no file of a split
    module is left out of an identity; a name with a suffix is that data file ("core/data/countries.tsv"),
    for word lists and tables the code reads."""
    found = []
    for name in names:
        path = root / name
        if path.is_dir():
            paths = sorted(path.rglob("*.py"))
        else:
            paths = [path if path.suffix else root / f"{name}.py"]
        found += [(p.relative_to(root).as_posix(), p) for p in paths]
    return found


def source_hash(names: Iterable[str], root: Path = _PACKAGE_ROOT) -> str:
    """:func:`files_hash` of the code behind ``names`` (see :func:`source_files`): what code's
    results depend on, part of the run store's key."""
    return files_hash((name, path.read_bytes()) for name, path in source_files(names, root))


def schema_path() -> Path:
    return data_dir("schemas") / "claims.schema.json"


@lru_cache(maxsize=1)
def schema_text() -> str:
    return schema_path().read_text(encoding="utf-8")


def load_schema() -> dict[str, Any]:
    """The claims JSON Schema (a fresh copy each call, so callers may mutate it)."""
    schema: dict[str, Any] = json.loads(schema_text())
    return schema


def schema_hash() -> str:
    return hashlib.sha256(schema_text().encode("utf-8")).hexdigest()[:16]


def prompt_path(name: str) -> Path:
    return data_dir("prompts") / name


def seeds_dir() -> Path:
    """The seed dataset: ``articles/<id>.txt`` and ``labels/<id>.json``."""
    return data_dir("seeds")
