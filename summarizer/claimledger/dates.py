"""The date of an article: the day its claims are said to stand.

Looked for in this order, the first found wins (:data:`DATE_SOURCES`):

1. ``field``: a ``date`` given with the document (a JSONL record's ``"date"``);
2. ``front_matter``: a ``Date: 2031-03-05`` line among the article's first lines (also
   ``Published:``, ``Dateline:``, or the same keys inside a ``---`` block);
3. ``dateline``: a full date that opens one of the first lines: ``YEREVAN, March 5, 2031 —``,
   or a line holding only ``June 13, 2025``;
4. ``text``: the latest full date the text mentions (a report is written after the events it
   dates, so the latest date is the best estimate of when it was written);
5. ``file_time``: the article file's modification time, said as such (``date_source`` is
   ``file_time``), unless the caller turns it off.

A "full date" has a day, a month and a year: ``2031-03-05``, ``March 5, 2031``,
``5 March 2031``, ``Mar. 5 2031``. ``on Monday`` or ``March 5`` alone are not dates here.
Pure functions but :func:`file_date`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from summarizer.core.errors import InputError

DATE_SOURCES = ("field", "front_matter", "dateline", "text", "file_time")
FRONT_MATTER_KEYS = ("date", "published", "dateline", "published at", "publication date")
FRONT_MATTER_LINES = 8  # how far down the front-matter keys and datelines are looked for

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_ISO = r"(?P<iso_y>\d{4})-(?P<iso_m>\d{1,2})-(?P<iso_d>\d{1,2})(?![\d])"
_MDY = _MONTH + r"\s+(?P<mdy_d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<mdy_y>\d{4})"
_DMY = r"(?P<dmy_d>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH.replace("month", "dmy_m") + r",?\s+(?P<dmy_y>\d{4})"
DATE_PATTERN = re.compile(rf"\b(?:{_ISO}|{_MDY}|{_DMY})\b", re.IGNORECASE)
_FRONT_MATTER = re.compile(r"^\s*(?P<key>[A-Za-z][A-Za-z ]{1,20}?)\s*:\s*(?P<value>.+?)\s*$")
# A dateline: an optional place in capitals and a comma, then the date, then a dash, a bracket or the end.
_DATELINE = re.compile(r"^\s*(?:[A-Z][A-Z .'’-]+,\s*)?(?P<date>.+?)\s*(?:[—–-].*|\(.*)?$")


@dataclass(frozen=True)
class ArticleDate:
    """When an article's claims stand, and where that came from (one of :data:`DATE_SOURCES`)."""

    date: date
    source: str

    @property
    def iso(self) -> str:
        return self.date.isoformat()


def parse_date(text: str) -> date | None:
    """The one full date ``text`` is (surrounding spaces allowed), else None.

    ``2031-03-05``, ``2031-03-05T10:00:00Z`` (the day), ``March 5, 2031``, ``5 March 2031``.
    """
    stripped = text.strip()
    iso = re.fullmatch(r"(\d{4}-\d{2}-\d{2})(?:[T ][0-9:.+\-Z]*)?", stripped)
    if iso:
        try:
            return date.fromisoformat(iso.group(1))
        except ValueError:
            return None
    match = DATE_PATTERN.fullmatch(stripped.rstrip(".,"))
    return _date_of(match) if match else None


def dates_in(text: str) -> list[date]:
    """Every full date in ``text``, in order (impossible ones such as February 30 left out)."""
    return [found for match in DATE_PATTERN.finditer(text) if (found := _date_of(match)) is not None]


def _date_of(match: re.Match[str]) -> date | None:
    groups = match.groupdict()
    try:
        if groups.get("iso_y"):
            return date(int(groups["iso_y"]), int(groups["iso_m"]), int(groups["iso_d"]))
        if groups.get("mdy_y"):
            return date(int(groups["mdy_y"]), _MONTHS[groups["month"].lower()], int(groups["mdy_d"]))
        if groups.get("dmy_y"):
            return date(int(groups["dmy_y"]), _MONTHS[groups["dmy_m"].lower()], int(groups["dmy_d"]))
    except ValueError:
        return None
    return None


def _first_lines(text: str) -> list[str]:
    lines = [line for line in text.splitlines() if line.strip() and line.strip() != "---"]
    return lines[:FRONT_MATTER_LINES]


def front_matter_date(text: str) -> date | None:
    """The date of a ``Date: ...`` (or ``Published:``, ``Dateline:``) line among the first lines."""
    for line in _first_lines(text):
        match = _FRONT_MATTER.match(line)
        if match and match.group("key").strip().lower() in FRONT_MATTER_KEYS:
            found = parse_date(match.group("value")) or next(iter(dates_in(match.group("value"))), None)
            if found:
                return found
    return None


def dateline_date(text: str) -> date | None:
    """The date that opens one of the first lines (``YEREVAN, March 5, 2031 —``; ``June 13, 2025``)."""
    for line in _first_lines(text):
        match = _DATELINE.match(line)
        if match:
            found = parse_date(match.group("date"))
            if found:
                return found
    return None


def text_date(text: str) -> date | None:
    """The latest full date the text mentions."""
    return max(dates_in(text), default=None)


def file_date(path: Path) -> date:
    """The file's modification day (UTC)."""
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).date()


def article_date(
    text: str | None,
    *,
    field: object = None,
    path: Path | None = None,
    file_dates: bool = True,
    where: str | Path | None = None,
) -> ArticleDate:
    """The article's date by the order in the module docstring.

    ``field``: the ``date`` given with the document (a string; a bad one is an error, not
    skipped). ``path``: the article file, for its time. ``where``: the file to name in errors.
    Raises :class:`InputError` (one line) when no date is found.
    """
    source = where if where is not None else path
    if field is not None:
        found = parse_date(field) if isinstance(field, str) else None
        if found is None:
            raise InputError(f"date {field!r} is not a date (expected YYYY-MM-DD or 'March 5, 2031')", source)
        return ArticleDate(found, "field")
    if text is not None:
        for finder, name in ((front_matter_date, "front_matter"), (dateline_date, "dateline"), (text_date, "text")):
            found = finder(text)
            if found is not None:
                return ArticleDate(found, name)
    if path is not None and file_dates:
        return ArticleDate(file_date(path), "file_time")
    if text is None:
        raise InputError('no date: no "date" field and no article text to find one in (give --articles DIR)', source)
    why = "no date: no front-matter line, dateline or full date in the text"
    raise InputError(why + (" (and file times are off)" if path is not None else ""), source)
