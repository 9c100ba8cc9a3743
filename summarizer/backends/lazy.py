"""A backend that is identified now and loaded on its first extraction.

The run store's key needs only the backend's identity (:meth:`Backend.identify`), so a
run whose every article is already in the store never loads the model, and `compare`
can check every model before generating with the first.
"""

from __future__ import annotations

from typing import Any

from summarizer.backends.base import Backend
from summarizer.core.errors import ModelError
from summarizer.core.records import Extraction, ExtractOptions


class LazyBackend(Backend):
    """Stands for ``cls(model, options)``; builds it when an article needs generating."""

    def __init__(self, cls: type[Backend], model: str, identity: dict[str, Any], options: Any):
        self.name = cls.name  # type: ignore[misc]  # the class's name, per instance
        self.Options = cls.Options  # type: ignore[misc]
        self._cls, self._model, self._identity, self._options = cls, model, dict(identity), options
        # The task it extracts (None: claims), known before loading; a plugin's Options may have none.
        self.task = getattr(options, "task", None)
        self._backend: Backend | None = None
        self._failure: ModelError | None = None

    @property
    def model_id(self) -> str:
        return self._model

    @property
    def is_loaded(self) -> bool:
        return self._backend is not None

    def describe(self) -> dict[str, Any]:
        return dict(self._identity)

    def extract(self, article: str, options: ExtractOptions) -> Extraction:
        return self.loaded().extract(article, options)

    def loaded(self) -> Backend:
        """The real backend, built once; a model that failed to load fails again at once, not per article."""
        if self._failure is not None:
            raise self._failure
        if self._backend is None:
            try:
                backend = self._cls(self._model, self._options)
            except ModelError as error:
                self._failure = error
                raise
            if backend.describe() != self._identity:
                self._failure = ModelError(
                    # The identity holds the code's hashes too: editing a task kit mid-run lands here.
                    f"model {self._model!r} or the code that runs it changed on disk while this run was using it;"
                    " run again"
                )
                raise self._failure
            self._backend = backend
        return self._backend
