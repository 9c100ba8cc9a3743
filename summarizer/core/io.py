"""Reading articles and JSON documents, writing JSON safely.

Every failure a user can cause becomes an :class:`~summarizer.core.errors.InputError`
whose one-line message names the file and what is wrong with it.
"""

from __future__ import annotations

import errno
import json
import os
import secrets
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import NoReturn, TextIO

from summarizer.core.errors import InputError, OutputError

__all__ = [
    "read_article",
    "read_text",
    "article_text",
    "read_json",
    "write_json_atomic",
    "write_text_atomic",
    "write_bytes_atomic",
    "write_target",
    "article_id",
    "list_article_paths",
    "folder_files",
    "check_output_folder",
    "check_output_file",
    "open_for_append",
]


_KINDS = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"))


def _special_kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "a socket or other special file")


def _kind_of(path: Path) -> str:
    """What is at ``path``, for a message: "a file" (regular), "a device", "a named pipe" ..."""
    mode = path.stat().st_mode
    return "a file" if stat.S_ISREG(mode) else _special_kind(mode)


def _read_bytes(path: str | Path) -> bytes:
    """The bytes of the regular file at ``path`` (a symlink to one is followed); InputError naming
    it for anything else: missing, a folder, a pipe (reading one waits forever), a device, a socket,
    a link to nothing, a link loop, a file we may not read."""
    path = Path(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise InputError("is a link to a missing file" if os.path.islink(path) else "file not found", path) from None
    except OSError as error:
        loop = error.errno == errno.ELOOP
        raise InputError("is a symlink loop" if loop else f"cannot read file: {error.strerror}", path) from None
    if stat.S_ISDIR(mode):
        raise InputError("is a directory, expected a file", path)
    if not stat.S_ISREG(mode):
        raise InputError(f"is not a regular file ({_special_kind(mode)}); not read", path)
    try:
        return path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read file: {error.strerror or error}", path) from None


def folder_files(folder: str | Path, suffix: str) -> list[Path]:
    """The entries of ``folder`` whose names end in ``suffix`` (``.txt``), sorted: the one input
    walker. Nothing is followed or opened here; an entry that is no readable regular file fails
    on its own when read (one line naming it), so the others go on."""
    return sorted(Path(folder).glob(f"*{suffix}"))


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


def read_text(path: str | Path) -> str:
    """The text file at ``path`` (a task's instructions, a schema); InputError if it cannot be read
    (see :func:`read_article`) or holds nothing but whitespace ("file is empty")."""
    text = _read_text(path)
    if not text.strip():
        raise InputError("file is empty", path)
    return text


def read_article(path: str | Path) -> str:
    """The article at ``path``; InputError if it is missing, a folder, not UTF-8 or empty."""
    return article_text(_read_bytes(path), path)


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not allowed in JSON")


def read_json(path: str | Path) -> object:
    """The JSON value in the file at ``path``; InputError with line and column if it is not JSON."""
    text = _read_text(path)
    if not text.strip():
        raise InputError("file is empty, expected JSON", path)
    try:
        value = json.loads(text, parse_constant=_reject_constant)
        _require_unicode(value)
    except json.JSONDecodeError as error:
        raise InputError(f"invalid JSON: {error.msg} (line {error.lineno}, column {error.colno})", path) from None
    except RecursionError:
        raise InputError("invalid JSON: nested too deeply", path) from None
    except ValueError as error:
        raise InputError(f"invalid JSON: {error}", path) from None
    return value


def _require_unicode(value: object) -> None:
    """ValueError if a string of ``value`` holds a lone surrogate: JSON's "\\ud800" escape
    parses, but it is no character; left in, it fails later, when the text is printed or written."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as error:
        bad = error.object[error.start : error.end].encode("unicode_escape").decode("ascii")
        raise ValueError(f"a string holds {bad}, half of a surrogate pair, which is not a character") from None


def write_json_atomic(path: str | Path, obj: object) -> None:
    """Write ``obj`` as indented JSON to ``path`` atomically (see :func:`write_bytes_atomic`)."""
    write_text_atomic(path, json.dumps(obj, indent=2, ensure_ascii=False, allow_nan=False) + "\n")


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` as UTF-8 to ``path`` atomically (see :func:`write_bytes_atomic`)."""
    # backslashreplace: a lone surrogate (from a file name that is not UTF-8) becomes "\udcff",
    # which inside a JSON string is the same escape read back, instead of an error after the run.
    write_bytes_atomic(path, text.encode("utf-8", errors="backslashreplace"))


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path``: the file is whole or absent, even on Ctrl-C.

    The bytes go to a temporary file of a unique name in the same folder, then
    ``os.replace`` puts it in place (a symlink is written through, to its target, and
    kept; anything but a regular file is refused, see :func:`write_target`), so two
    processes writing the same report never share a temporary file: the last to finish
    wins, and neither crashes. OutputError
    naming ``path`` if it cannot be written.
    """
    path = write_target(path)
    # pid plus random: unique across processes and threads; O_EXCL makes sure of it.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # 0666 less the umask, as open() gives
    except OSError as error:
        raise _output_error(error, path) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as error:
        tmp.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise _output_error(error, path) from None
        raise


def write_target(path: str | Path) -> Path:
    """The file a write to ``path`` replaces: ``path``, or the regular file a symlink at ``path``
    leads to (the link is kept). OutputError naming ``path`` for a folder, a named pipe, a device,
    a socket, a link to a missing file or a link loop: none of them is ever replaced."""
    path = Path(path)
    try:
        mode = os.stat(path).st_mode  # follows links
    except FileNotFoundError:
        if os.path.islink(path):
            raise OutputError("is a link to a missing file; refusing to write through it", path) from None
        return path
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise OutputError("is a symlink loop", path) from None
        return path  # e.g. a folder we cannot search: the write says why, naming the file
    if stat.S_ISDIR(mode):
        raise OutputError("is a folder, expected a file", path)
    if not stat.S_ISREG(mode):
        raise OutputError(f"is not a regular file ({_special_kind(mode)}); refusing to replace it", path)
    return Path(os.path.realpath(path)) if os.path.islink(path) else path


def _output_error(error: OSError, path: Path) -> OutputError:
    if path.is_dir():
        return OutputError("is a folder, expected a file", path)
    return OutputError(f"cannot write: {error.strerror or error}", path)


def _nearest_existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path.cwd()


def _folder_problem(path: Path, subject: Path) -> str | None:
    """Why no file can be written in folder ``path`` (made if missing), or None; nothing is created.
    The reason is worded for a message about ``subject``."""
    existing = path
    try:
        existing = _nearest_existing(path)
        if not existing.is_dir():
            kind = _kind_of(existing)
            return f"is {kind}, expected a folder" if existing == subject else f"{existing} is {kind}, not a folder"
        with tempfile.TemporaryFile(dir=existing):  # the one sure test: write, as the real run will
            return None
    except OSError as error:
        return f"cannot write in {existing}: {error.strerror or error}"


def check_output_folder(path: str | Path) -> None:
    """OutputError naming ``path`` unless it is, or can be made as, a folder we can write in.

    Called before any generation starts, so a bad ``--out`` costs no model time.
    """
    problem = _folder_problem(Path(path), Path(path))
    if problem:
        raise OutputError(problem, path)


def check_output_file(path: str | Path, make_parent: bool = True) -> None:
    """OutputError naming ``path`` unless a file can be written there (nothing is created).

    ``make_parent``: whether a missing parent folder will be made (reports) or is an
    error (``--jsonl``, which is appended to)."""
    path = Path(path)
    write_target(path)  # a folder, a pipe, a device, a bad link: refused before any model runs
    if not make_parent and not path.parent.exists():
        raise OutputError(f"folder {path.parent} not found", path)
    problem = _folder_problem(path.parent, path)
    if problem:
        raise OutputError(problem, path)


def open_for_append(path: str | Path) -> TextIO:
    """``path`` opened to append UTF-8 text; OutputError naming it if that is not possible."""
    check_output_file(path, make_parent=False)
    try:
        return open(path, "a", encoding="utf-8")
    except OSError as error:
        raise _output_error(error, Path(path)) from None


def article_id(path: str | Path) -> str:
    """The id of an article or document: its file name without the extension."""
    return Path(path).stem


def list_article_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given and folders expanded to their ``*.txt`` files (sorted), without repeats. A link
    that leads nowhere (a loop, a missing file) is kept: reading it names what it is."""
    found: list[Path] = []
    for path in map(Path, paths):
        if not path.exists():
            if os.path.islink(path):
                found.append(path)
                continue
            raise InputError("file or folder not found", path)
        if path.is_dir():
            articles = folder_files(path, ".txt")
            if not articles:
                raise InputError("folder has no *.txt articles", path)
            found.extend(articles)
        else:
            found.append(path)
    return list(dict.fromkeys(found))
