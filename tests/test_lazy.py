"""LazyBackend: identified at once, built on the first extraction, a failed load never retried."""

from __future__ import annotations

import pytest

from summarizer.backends.base import Backend
from summarizer.backends.lazy import LazyBackend
from summarizer.backends.registry import get_backend, register_backend
from summarizer.core.errors import ModelError
from summarizer.core.records import Extraction, ExtractOptions

BUILT: list[str] = []


@register_backend
class CountingBackend(Backend):
    """Records each build; ``model='broken'`` fails to load, ``model='moving'`` changes identity."""

    name = "counting-test"

    def __init__(self, model: str, options: object = None):
        BUILT.append(model)
        if model == "broken":
            raise ModelError("cannot load model 'broken': bad file")
        self._model = model

    @classmethod
    def identify(cls, model: str, options: object = None) -> dict:
        return {"backend": cls.name, "model": model, "weights": {"sha256": "abc"}}

    @property
    def model_id(self) -> str:
        return self._model

    def describe(self) -> dict:
        digest = "def" if self._model == "moving" else "abc"
        return {"backend": self.name, "model": self._model, "weights": {"sha256": digest}}

    def extract(self, article: str, options: ExtractOptions) -> Extraction:
        return Extraction("{}", None, "invalid", "fake", {})


@pytest.fixture(autouse=True)
def fresh():
    BUILT.clear()


def test_built_on_the_first_extraction_only():
    backend = get_backend("m", "counting-test", lazy=True)
    assert isinstance(backend, LazyBackend) and BUILT == [] and not backend.is_loaded
    assert backend.describe() == CountingBackend.identify("m") and backend.name == "counting-test"
    backend.extract("text", ExtractOptions())
    backend.extract("text", ExtractOptions())
    assert BUILT == ["m"] and backend.is_loaded


def test_a_failed_load_fails_again_at_once():
    backend = get_backend("broken", "counting-test", lazy=True)
    for _ in range(2):
        with pytest.raises(ModelError, match="bad file"):
            backend.extract("text", ExtractOptions())
    assert BUILT == ["broken"]


def test_a_model_changed_since_it_was_identified_is_refused():
    backend = get_backend("moving", "counting-test", lazy=True)
    with pytest.raises(ModelError, match="or the code that runs it changed on disk"):
        backend.extract("text", ExtractOptions())


def test_backends_that_cannot_identify_themselves_are_built_at_once():
    assert not isinstance(get_backend("rules", lazy=True), LazyBackend)
