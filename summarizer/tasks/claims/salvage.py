"""Keep what a cut-off document finished: its summary and every complete, new claim.

A model that runs out of tokens mid-document (often because it loops, writing the same
claim again and again) used to lose the whole article. The grammar writes documents
in a fixed compact layout (``{"summary":"...","claims":[{...},{...}``), so the
complete claims of a cut-off text can be read back one by one; a claim that repeats
an earlier one (same evidence and count) is dropped, and the document is closed.
The article is still recorded as ``truncated``: the caller keeps that status.
"""

from __future__ import annotations

import json
from typing import Any

from summarizer.engine.chunking import without_repeats

_CLAIMS_OPEN = '"claims":['


def salvage_document(text: str) -> dict[str, Any] | None:
    """The complete part of a cut-off compact claims document; None if not even the summary finished."""
    head, found, rest = text.partition(_CLAIMS_OPEN)
    if not found:
        return None
    try:
        summary = json.loads(head + '"claims":[]}')["summary"]
    except (json.JSONDecodeError, KeyError, TypeError):
        return None
    return {"summary": summary, "claims": without_repeats(_complete_items(rest))}


def _complete_items(text: str) -> list[dict[str, Any]]:
    decoder = json.JSONDecoder()
    items, pos = [], 0
    while pos < len(text):
        try:
            item, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            break  # the cut-off claim
        if isinstance(item, dict):
            items.append(item)
        if text[pos : pos + 1] != ",":
            break
        pos += 1
    return items
