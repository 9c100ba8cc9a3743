"""summarizer: news articles to structured, checkable casualty claims.

The public entry points are :func:`summarizer.summarize` (see ``summarizer.api``) and
:func:`summarizer.ledger` (many documents' claims in one ledger, see ``summarizer.claimledger``).
Heavy dependencies (torch, transformers) are imported lazily, so importing this
package and running ``summarizer --help`` stay fast.
"""

from __future__ import annotations

from summarizer.core.version import __version__

__all__ = ["__version__", "ledger", "summarize"]


def __getattr__(name: str):
    # Lazy re-export: ``from summarizer import summarize`` without importing the engine at package import.
    if name == "summarize":
        from summarizer.api import summarize

        return summarize
    if name == "ledger":  # the claims ledger of many documents, as records (summarizer.claimledger.api)
        from summarizer.claimledger.api import ledger

        return ledger
    raise AttributeError(name)
