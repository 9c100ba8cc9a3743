"""``summarize()``: options, offsets, statuses, backend caching."""

from __future__ import annotations

import json
import re
import threading
import time

import pytest

from summarizer import api
from summarizer.backends.base import Backend
from summarizer.core.errors import InputError
from summarizer.core.records import Extraction, ExtractOptions
from summarizer.core.text import canonical
from summarizer.core.validation import validate_document
from summarizer.store import RunStore

ARTICLE = "Officials said on Monday that 12 people were killed in Kharkiv.\nAnother 30  were injured."


def claim(evidence: str, value: float, outcome: str = "killed") -> dict:
    return {
        "claimant": "Officials",
        "claimant_type": "state",
        "claimant_side": None,
        "outcome": outcome,
        "victim_side": None,
        "victim_group": "civilians",
        "equipment": None,
        "count": {"value": value, "qualifier": "exact", "upper": None},
        "period": None,
        "location": None,
        "perpetrator_side": None,
        "verification": "not_stated",
        "evidence": evidence,
    }


class FakeBackend(Backend):
    """Returns a fixed extraction and records the options it was called with."""

    name = "fake-for-tests"

    def __init__(self, extraction: Extraction):
        self.extraction = extraction
        self.seen: list[ExtractOptions] = []

    @property
    def model_id(self) -> str:
        return "fake"

    def extract(self, article: str, options: ExtractOptions) -> Extraction:
        self.seen.append(options)
        return self.extraction


def ok_backend() -> FakeBackend:
    doc = {
        "summary": "Officials report deaths and injuries.",
        "claims": [
            claim("12 people were killed", 12),
            claim("Another 30 were injured.", 30, "injured"),
            claim("not in the article", 5),
        ],
    }
    return FakeBackend(Extraction(json.dumps(doc), doc, "ok", None, {"generated_tokens": 40}))


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_empty_article_is_an_input_error(text):
    with pytest.raises(InputError, match="article is empty"):
        api.summarize(text, backend=ok_backend())


def test_offsets_locate_each_evidence_in_the_article():
    result = api.summarize(ARTICLE, backend=ok_backend())
    assert result.status == "ok" and result.model == "fake" and result.stats["generated_tokens"] == 40
    first, second, missing = result.offsets
    assert ARTICLE[first[0] : first[1]] == "12 people were killed"
    assert canonical(ARTICLE[second[0] : second[1]]) == "Another 30 were injured."  # whitespace normalised
    assert missing is None


def test_keyword_options_reach_the_backend_and_others_are_kept_apart():
    backend = ok_backend()
    api.summarize(ARTICLE, backend=backend, temperature=0.7, seed=3, grounded=False)
    # No strategy asked for: the library names the task kit's default (claims: figures).
    assert backend.seen[-1] == ExtractOptions(temperature=0.7, seed=3, grounded=False, strategy="figures")
    base = ExtractOptions(max_new_tokens=99)
    api.summarize(ARTICLE, backend=backend, options=base, top_p=0.5)
    assert backend.seen[-1] == ExtractOptions(max_new_tokens=99, top_p=0.5, strategy="figures")


def test_unknown_option_name_is_rejected():
    with pytest.raises(TypeError, match="tempreature"):
        api.make_options(tempreature=1.0)


@pytest.mark.parametrize(
    "temperature, top_p, reason",
    [
        (float("inf"), 1.0, "--temperature must be a finite number"),
        (float("nan"), 1.0, "--temperature must be a finite number"),
        (-0.5, 1.0, "--temperature must be a finite number, 0 or more"),
        (1e-300, 1.0, "--temperature must be 0 (greedy) or at least"),
        (1.0, 0.0, "--top-p 0 keeps no token"),
        (1.0, 1.5, "--top-p must be between 0 and 1"),
        (0.0, float("nan"), "--top-p must be between 0 and 1"),
    ],
)
def test_sampling_values_torch_cannot_use_are_refused(temperature, top_p, reason):
    with pytest.raises(ValueError, match=re.escape(reason)):
        api.make_options(temperature=temperature, top_p=top_p)


@pytest.mark.parametrize("seed", [2**64, -(2**63) - 1, 10**23, 1.5, True])
def test_a_seed_torch_cannot_take_is_refused_before_any_article(seed):
    with pytest.raises(ValueError) as info:
        api.make_options(temperature=0.7, seed=seed)
    assert str(info.value) == f"--seed must be a whole number from -2**63 to 2**64-1 (got {seed!r})"


def test_every_seed_torch_takes_is_kept():
    assert [api.make_options(seed=s).seed for s in (-(2**63), -1, 0, 2**64 - 1)] == [-(2**63), -1, 0, 2**64 - 1]


def test_greedy_decoding_ignores_a_top_p_of_0():
    assert api.make_options(temperature=0.0, top_p=0.0).top_p == 0.0


@pytest.mark.parametrize("status", ["truncated", "invalid"])
def test_no_document_unless_ok(status):
    backend = ok_backend()
    backend.extraction = Extraction('{"summary":"x', None, status, "cut off", {})
    result = api.summarize(ARTICLE, backend=backend)
    assert (result.document, result.offsets, result.status, result.reason) == (None, [], status, "cut off")


def test_record_is_json_ready():
    record = api.summarize(ARTICLE, backend=ok_backend()).record()
    assert set(record) == {"document", "offsets", "status", "reason", "stats", "model", "raw", "from_cache"}
    json.dumps(record)


def test_backends_are_loaded_once_per_model_and_options(monkeypatch):
    built = []

    def fake_get_backend(model, backend=None, lazy=False, options=None):
        assert lazy and backend == "transformers"  # resolved now, loaded on the first article not in the store
        built.append((model, {"device": options.device, "schema": options.schema}))
        return ok_backend()

    monkeypatch.setattr(api, "get_backend", fake_get_backend)
    api._cached_backend.cache_clear()
    try:
        first = api.load_backend("m1", device="cpu")
        assert api.load_backend("m1", device="cpu") is first
        assert api.load_backend("m1", device="cuda") is not first
        assert api.summarize(ARTICLE, "m1", device="cpu").model == "fake"  # the cached one
        assert built == [("m1", {"device": "cpu", "schema": None}), ("m1", {"device": "cuda", "schema": None})]
        api.load_backend("m2", schema={"type": "object"})  # unhashable option: loaded, not cached
        api.load_backend("m2", schema={"type": "object"})
        assert len(built) == 4
    finally:
        api._cached_backend.cache_clear()


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    """Built once per session (the other engine test modules reuse the folder)."""
    pytest.importorskip("torch")
    import torch

    from summarizer.testing.tiny_model import build_tiny_model

    torch.set_num_threads(1)
    path = tmp_path_factory.getbasetemp() / "engine-tiny-model"
    if not (path / "tiny_model.json").is_file():
        build_tiny_model(path)
    return path


def test_summarize_with_the_tiny_model(tiny_dir, seed_articles):
    article = next(iter(seed_articles.values()))
    # Greedy, a random model writes every string to its maximum length and runs out of
    # tokens; sampled, it ends them sooner and the document fits the default budget.
    result = api.summarize(article, str(tiny_dir), device="cpu", temperature=1.0, seed=1)
    assert result.status == "ok", result.reason
    assert result.model == str(tiny_dir) and result.stats["chunks"] == 1
    assert validate_document(result.document, article) == []
    assert len(result.offsets) == len(result.document["claims"]) and None not in result.offsets
    for (start, end), claim in zip(result.offsets, result.document["claims"], strict=True):
        assert canonical(article[start:end]) == canonical(claim["evidence"])


# -- many articles: summarize_many ----------------------------------------------------------------
class ServerLikeBackend(Backend):
    """Serves several articles at once; each extraction waits at ``barrier`` (if any) first."""

    name = "server-like-for-tests"
    concurrent = True

    def __init__(self, barrier=None, on_call=None):
        self.barrier, self.on_call = barrier, on_call
        self.threads: set[str] = set()

    @property
    def model_id(self) -> str:
        return "server-like"

    def extract(self, article: str, options: ExtractOptions) -> Extraction:
        self.threads.add(threading.current_thread().name)
        if self.on_call:
            self.on_call(article)
        if self.barrier is not None:
            self.barrier.wait()
        doc = {"summary": article, "claims": []}
        return Extraction(json.dumps(doc), doc, "ok", None, {})


TEXTS = [f"Article number {n}." for n in range(6)]


def test_many_articles_go_out_at_once_and_come_back_in_order(tmp_path):
    # Three must be in flight together to pass the barrier; one at a time, it breaks (status failed).
    backend = ServerLikeBackend(threading.Barrier(3, timeout=30))
    with RunStore(tmp_path / "runs.sqlite3") as store:
        results = list(api.summarize_many(TEXTS, backend=backend, store=store, concurrency=3))
        assert [r.document["summary"] for r in results] == TEXTS and {r.status for r in results} == {"ok"}
        assert store.count() == len(TEXTS)  # each recorded once
        again = list(
            api.summarize_many(
                TEXTS, backend=ServerLikeBackend(threading.Barrier(3, timeout=1)), store=store, concurrency=3
            )
        )
        assert all(r.from_cache for r in again) and store.count() == len(TEXTS)


def test_a_backend_that_is_not_concurrent_runs_one_article_at_a_time_in_the_callers_thread():
    backend = ok_backend()
    results = list(api.summarize_many(TEXTS, backend=backend, concurrency=8))
    assert len(results) == len(backend.seen) == len(TEXTS) and threading.current_thread() is threading.main_thread()
    serial = ServerLikeBackend()
    serial.concurrent = False
    list(api.summarize_many(TEXTS, backend=serial, concurrency=8))
    assert serial.threads == {threading.current_thread().name}


def test_articles_finished_before_an_interrupt_are_kept_in_the_store(tmp_path):
    """The first article is still in flight when Ctrl-C comes; those that finished meanwhile are stored."""
    path = tmp_path / "runs.sqlite3"

    def first_waits_then_interrupts(article):
        if article == TEXTS[0]:
            with RunStore(path) as own:  # a connection of this thread's own
                for _ in range(3000):  # bounded: a bug fails the test instead of hanging it
                    if own.count() == len(TEXTS) - 1:
                        break
                    time.sleep(0.01)
            raise KeyboardInterrupt

    with RunStore(path) as store, pytest.raises(KeyboardInterrupt):
        list(
            api.summarize_many(
                TEXTS, backend=ServerLikeBackend(on_call=first_waits_then_interrupts), store=store, concurrency=2
            )
        )
    with RunStore(path) as store:
        assert sorted(g.extraction.document["summary"] for g in store.generations()) == TEXTS[1:]


def test_many_refuses_an_empty_article_before_any_work():
    backend = ok_backend()
    with pytest.raises(InputError, match="article is empty"):
        list(api.summarize_many(["Fine.", "  "], backend=backend))
    assert backend.seen == []
