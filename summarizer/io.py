"""Reading articles and JSON documents, writing JSON safely.

Every failure a user can cause becomes an :class:`~summarizer.errors.InputError`
whose one-line message names the file and what is wrong with it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Iterable

from summarizer.errors import InputError

__all__ = [
    "read_article", "article_text", "read_json", "write_json_atomic", "write_text_atomic", "article_id",
    "list_article_paths",
]


def _read_bytes(path: str | Path) -> bytes:
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", path)
    if path.is_dir():
        raise InputError("is a directory, expected a file", path)
    try:
        return path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read file: {error.strerror or error}", path) from None


def _decode(data: bytes, source: str | Path) -> str:
    """``data`` as UTF-8 text, newlines as ``\\n`` (as ``Path.read_text`` gives them)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        bad = data[error.start]
        raise InputError(f"not valid UTF-8 (byte 0x{bad:02x} at offset {error.start})", source) from None
    text = text.removeprefix("\ufeff")  # a byte-order mark is an artefact of the editor, not text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _read_text(path: str | Path) -> str:
    return _decode(_read_bytes(path), path)


def article_text(data: bytes, source: str | Path) -> str:
    """An article's bytes (from a file or stdin) as text; InputError naming ``source`` if not UTF-8 or empty."""
    text = _decode(data, source)
    if not text.strip():
        raise InputError("article is empty", source)
    return text


def read_article(path: str | Path) -> str:
    """The article at ``path``; InputError if it is missing, a folder, not UTF-8 or empty."""
    return article_text(_read_bytes(path), path)


def _reject_constant(name: str):
    raise ValueError(f"{name} is not allowed in JSON")


def read_json(path: str | Path) -> object:
    """The JSON value in the file at ``path``; InputError with line and column if it is not JSON."""
    text = _read_text(path)
    if not text.strip():
        raise InputError("file is empty, expected JSON", path)
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise InputError(f"invalid JSON: {error.msg} (line {error.lineno}, column {error.colno})", path) from None
    except (ValueError, RecursionError) as error:
        raise InputError(f"invalid JSON: {error}", path) from None


def write_json_atomic(path: str | Path, obj: object) -> None:
    """Write ``obj`` as indented JSON to ``path`` via ``path.tmp`` and a rename, so an
    interrupted run never leaves half a document behind."""
    write_text_atomic(path, json.dumps(obj, indent=2, ensure_ascii=False, allow_nan=False) + "\n")


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` via ``path.tmp`` and a rename: the file is whole or absent."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def article_id(path: str | Path) -> str:
    """The id of an article or document: its file name without the extension."""
    return Path(path).stem


def list_article_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given and folders expanded to their ``*.txt`` files (sorted), without repeats."""
    found: list[Path] = []
    for path in map(Path, paths):
        if not path.exists():
            raise InputError("file or folder not found", path)
        if path.is_dir():
            articles = sorted(path.glob("*.txt"))
            if not articles:
                raise InputError("folder has no *.txt articles", path)
            found.extend(articles)
        else:
            found.append(path)
    return list(dict.fromkeys(found))
