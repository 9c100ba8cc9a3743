"""User-facing errors.

Every problem a user can cause (a missing file, broken JSON, a model that cannot be
loaded) is raised as a :class:`SummarizerError`. The CLI prints ``str(error)`` as a
single line and exits with status 1; Python callers catch the class.
"""

from __future__ import annotations

from pathlib import Path


class SummarizerError(Exception):
    """A problem the user can fix. ``str()`` is one line naming the file (if any) and the cause."""

    def __init__(self, message: str, path: str | Path | None = None):
        self.path = str(path) if path is not None else None
        self.reason = " ".join(str(message).split())  # one line, always
        super().__init__(f"{self.path}: {self.reason}" if self.path else self.reason)


class InputError(SummarizerError):
    """A file or document given by the user cannot be read or is malformed."""


class OutputError(SummarizerError):
    """A file or folder the user asked to write into cannot be written."""


class ModelError(SummarizerError):
    """A model or tokenizer cannot be found, downloaded or loaded."""


class GrammarError(SummarizerError):
    """The grammar engine cannot compile the schema or grammar."""


class TaskError(InputError):
    """A task folder that cannot be used: one line naming the file and the problem."""


class SummarizerWarning(UserWarning):
    """Something the user should know that does not stop the work (a corrupt store row left out,
    an article's figures capped). The CLI prints ``warning: <message>`` on stderr, one line."""


class SummarizerNote(SummarizerWarning):
    """A choice made for the user that they should know of, not a problem (a server that cannot take
    a grammar, answered with JSON Schema instead). The CLI prints ``note: <message>`` on stderr, one line."""
