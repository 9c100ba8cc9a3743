"""What became of one article's generation: the one list of statuses, everywhere.

A ``str`` enum, so a status compares equal to its text (``Status.OK == "ok"``), prints as
it (``f"{status}"`` is ``ok``) and is written to JSON and the run store as that text: the
values are the run store's (its CHECK constraint) and the run records', and never change.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    OK = "ok"
    INVALID = "invalid"  # the output is not a document of the schema
    TRUNCATED = "truncated"  # cut off by the token budget (the claims it finished may be kept)
    FAILED = "failed"  # the backend raised (out of memory, a server error): retried on the next run
    # A valid document that a server wrote without the grounded grammar (JSON Schema only) and whose
    # evidence or numbers the article does not hold. Never an "ok" document.
    UNGROUNDED = "ungrounded"


# Statuses whose document is used: an "ok" one, or the complete part of a "truncated" one.
USABLE = (Status.OK, Status.TRUNCATED)
