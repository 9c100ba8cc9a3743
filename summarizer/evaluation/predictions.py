"""What a run's generations leave for the reports: the usable documents, predictions/<id>.json."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from summarizer.api import usable_document
from summarizer.core.io import write_json_atomic
from summarizer.core.records import Extraction


def document_of(extraction: Extraction) -> dict | None:
    return usable_document(extraction)


def generation_info(extraction: Extraction) -> dict[str, Any]:
    return {"status": extraction.status, "reason": extraction.reason, "raw": extraction.raw}


def write_predictions(extractions: dict[str, Extraction], folder: Path) -> None:
    """predictions/<id>.json in the gold format, so `summarizer score --pred` can re-score them."""
    folder.mkdir(parents=True, exist_ok=True)
    documents = {i: document_of(e) for i, e in extractions.items() if document_of(e) is not None}
    for article_id, document in documents.items():
        write_json_atomic(folder / f"{article_id}.json", document)
    # A rerun must not leave documents of an earlier run. Only those are removed (and a file
    # another run removed first is no error), so two runs into one folder do not clash.
    for stale in folder.glob("*.json"):
        if stale.stem not in documents:
            stale.unlink(missing_ok=True)
