"""The backend interface.

A backend turns one article into a claims document. It knows nothing of the CLI,
the run store or the evaluation: those live above it and call it through
:func:`summarizer.api.summarize`. Backends are found by name in
:mod:`summarizer.backends.registry`. The records it takes and gives (:class:`ExtractOptions`,
:class:`Extraction`) live in :mod:`summarizer.core.records`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar

from summarizer.backends.options import NoOptions
from summarizer.core.records import Extraction, ExtractOptions
from summarizer.core.status import Status


class Backend(ABC):
    """Generate a claims document for an article.

    Every backend is built as ``cls(model, options)``: ``options`` is an instance of the
    frozen dataclass ``cls.Options`` that the backend declares (typed fields with defaults;
    see :mod:`summarizer.backends.options`), which the CLI fills from ``--backend-opt key=value``.
    """

    name: ClassVar[str]
    Options: ClassVar[type] = NoOptions
    # Whether extract() may run for several articles at once, from threads (a remote server may;
    # a model in this process may not).
    concurrent: ClassVar[bool] = False

    if (
        TYPE_CHECKING
    ):  # for the registry's cls(model, options); no constructor at run time (a test's backend takes none)

        def __init__(self, model: str, options: Any) -> None: ...

    @property
    @abstractmethod
    def model_id(self) -> str:
        """The model as the user named it (hub id, local path or 'rules')."""

    @abstractmethod
    def extract(self, article: str, options: ExtractOptions) -> Extraction:
        """Extract the claims of one (non-empty) article."""

    def describe(self) -> dict[str, Any]:
        """What identifies this backend's output, for the run store (model, revision, prompt hash ...)."""
        return {"backend": self.name, "model": self.model_id}

    @classmethod
    def identify(cls, model: str, options: Any) -> dict[str, Any] | None:
        """describe() of ``cls(model, options)`` without building it, or None when only a built one knows.

        A backend that can say this is loaded lazily (:class:`~summarizer.backends.lazy.LazyBackend`):
        a run whose every answer is in the run store then loads no model at all.
        """
        return None


__all__ = ["Backend", "Extraction", "ExtractOptions", "NoOptions", "Status"]
