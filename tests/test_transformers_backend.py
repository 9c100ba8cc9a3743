"""The transformers backend with the tiny random-weight model, loaded through the real save/load path."""

from __future__ import annotations

import json
import shutil

import pytest

from summarizer.backends.registry import backend_class, get_backend
from summarizer.core.errors import ModelError
from summarizer.core.records import ExtractOptions
from summarizer.core.validation import validate_document
from summarizer.testing.schemas import short_strings_schema

pytest.importorskip("torch")

SAMPLED = ExtractOptions(temperature=1.0, max_new_tokens=768, strategy="document")
FIGURES = ExtractOptions(temperature=1.0, max_new_tokens=768)


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    """Built once per session (the other engine test modules reuse the folder)."""
    import torch

    from summarizer.testing.tiny_model import build_tiny_model

    torch.set_num_threads(1)  # the model is tiny: threads cost more than they give
    path = tmp_path_factory.getbasetemp() / "engine-tiny-model"
    if not (path / "tiny_model.json").is_file():  # written last
        build_tiny_model(path)
    return path


@pytest.fixture(scope="module")
def backend(tiny_dir):
    return get_backend(str(tiny_dir), device="cpu", schema=short_strings_schema())


def test_the_engine_hash_covers_every_file_of_the_rules_code():
    # Figure-guided extraction starts from the rule drafts: a change to any rules file is a change to it.
    # The claims kit's sources are added to the engine's for the claims task (and only for it).
    from summarizer.backends.strategies import kit_sources
    from summarizer.backends.transformers_backend import ENGINE_MODULES
    from summarizer.core.resources import source_files
    from summarizer.core.task import load_task
    from summarizer.tasks.claims import rules

    claims = {name for name, _ in source_files((*ENGINE_MODULES, *kit_sources(load_task("claims"))))}
    assert {name for name, _ in source_files(rules.SOURCES)} <= claims
    quotes = {name for name, _ in source_files((*ENGINE_MODULES, *kit_sources(load_task("examples/quotes"))))}
    assert not any(name.startswith("tasks/") for name in quotes)


def test_the_engine_hash_covers_the_claims_code_and_the_tables_it_reads():
    # Every claims module the extraction imports decides output, and so do the word lists and the
    # country table: before, the store served stale generations after an edit to victims.py or them.
    # The imports are read in a fresh interpreter, so other tests' imports do not count.
    import subprocess
    import sys

    from summarizer.backends.llama_cpp_backend import ENGINE_MODULES as LLAMA_MODULES
    from summarizer.backends.strategies import kit_sources
    from summarizer.backends.transformers_backend import ENGINE_MODULES
    from summarizer.core.resources import source_files
    from summarizer.core.task import load_task

    probe = (
        "import sys, summarizer.tasks.claims.strategy as s, summarizer.tasks.claims.figure_extraction, "
        "summarizer.tasks.claims.figure_grammar, summarizer.tasks.claims.cast, summarizer.tasks.claims.rules\n"
        "print('\\n'.join(m for m in sys.modules if m.startswith('summarizer.tasks.claims.')))"
    )
    names = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    packages = {"summarizer.tasks.claims.rules"}
    imported = {
        name.removeprefix("summarizer.").replace(".", "/") + ("/__init__.py" if name in packages else ".py")
        for name in names
    }
    assert "tasks/claims/victims.py" in imported
    for modules in (ENGINE_MODULES, LLAMA_MODULES):
        hashed = {name for name, _ in source_files((*modules, *kit_sources(load_task("claims"))))}
        assert imported <= hashed, imported - hashed
        assert {"tasks/claims/data/lexicon.toml", "core/data/countries.tsv", "core/countries.py"} <= hashed


def test_registered_as_transformers():
    from summarizer.backends.transformers_backend import TransformersBackend

    assert backend_class("transformers") is TransformersBackend


def test_describe_names_model_prompt_and_schema(backend, tiny_dir):
    from summarizer.core.resources import schema_hash
    from summarizer.engine.prompting import prompt_hash
    from summarizer.tasks.claims.figure_prompting import figure_prompt_hash

    info = backend.describe()
    assert info["backend"] == "transformers" and info["model"] == str(tiny_dir)
    assert info["prompt_hash"] == f"{prompt_hash()}+{figure_prompt_hash()}" and backend.context == 16384
    assert info["schema_hash"] != schema_hash()  # the fixture decodes under a stricter schema
    assert info["source"] == str(tiny_dir) and len(info["weights"]["folder_sha256"]) == 64
    assert info["dtype"] == "float32" and info["device"] == "cpu"


def test_identify_agrees_with_describe_without_loading(backend, tiny_dir, monkeypatch):
    from summarizer.backends import transformers_backend

    monkeypatch.setattr(transformers_backend, "load_model", lambda *a, **k: pytest.fail("identify() loaded the model"))
    TransformersBackend = transformers_backend.TransformersBackend
    options = TransformersBackend.Options(device="cpu", schema=short_strings_schema())
    identity = TransformersBackend.identify(str(tiny_dir), options)
    assert identity == backend.describe()


def test_cpu_float32_by_default_on_cpu(backend):
    import torch

    assert backend.model.dtype == torch.float32 and backend.model.device.type == "cpu"


def test_prompt_tokens_equal_the_chat_template_tokenized_whole(backend, seed_articles):
    from summarizer.engine.prompting import build_messages

    tokenizer = backend.tokenizer
    article = next(iter(seed_articles.values()))
    rendered = tokenizer.apply_chat_template(
        build_messages(article.strip()), tokenize=False, add_generation_prompt=True
    )
    prompt = backend.prompts.build(article)
    assert prompt.ids == tokenizer.encode(rendered, add_special_tokens=False)
    assert prompt.ids[: prompt.prefix_len] == backend.prompts.prefix_ids


def test_extraction_validates_grounds_and_reuses_the_prefix_cache(backend, seed_articles):
    for article in seed_articles.values():
        extraction = backend.extract(article, SAMPLED)
        assert extraction.status == "ok", extraction.reason
        assert validate_document(extraction.document, article) == []
        stats = extraction.stats
        assert stats["reused_prefix_tokens"] == len(backend.prompts.prefix_ids)
        assert stats["prompt_tokens"] > stats["reused_prefix_tokens"] and stats["chunks"] == 1
        assert stats["generated_tokens"] > 0 and stats["forward_passes"] > 0 and stats["seconds"] > 0


def test_ungrounded_extraction_still_validates(backend, seed_articles):
    article = next(iter(seed_articles.values()))
    extraction = backend.extract(
        article, ExtractOptions(grounded=False, temperature=1.0, max_new_tokens=768, strategy="document")
    )
    assert extraction.status == "ok", extraction.reason
    assert validate_document(extraction.document) == []


def test_cut_off_document_is_truncated_never_broken(backend, seed_articles):
    article = next(iter(seed_articles.values()))
    extraction = backend.extract(article, ExtractOptions(max_new_tokens=30, strategy="document"))
    # Cut off: still "truncated", but what finished is kept (here the summary; no claim was complete).
    assert extraction.status == "truncated" and "max-new-tokens 30" in extraction.reason
    kept = extraction.document
    assert kept is None or (
        validate_document(kept, article) == [] and f"kept its {len(kept['claims'])}" in extraction.reason
    )
    assert extraction.stats["generated_tokens"] == 30 and extraction.raw.startswith('{"summary":"')


def test_figure_extraction_is_the_default_and_grounded(backend, seed_articles):
    assert ExtractOptions().strategy is None  # the task kit's default: claims label figures
    for grounded in (True, False):
        for article in list(seed_articles.values())[:2]:
            extraction = backend.extract(article, ExtractOptions(temperature=1.0, grounded=grounded))
            assert extraction.status == "ok", extraction.reason
            assert validate_document(extraction.document, article if grounded else None) == []
            assert extraction.stats["figures"] > 0 and extraction.stats["chunks"] == 1
            assert '"labels"' in extraction.raw


def test_figure_extraction_chunks_a_long_article(tiny_dir, seed_articles):
    # The context leaves room for the instructions, the worked example and the cast questions, not the article.
    backend = get_backend(str(tiny_dir), device="cpu", max_context=6144)
    article = "\n".join(list(seed_articles.values())[:3])
    extraction = backend.extract(article, FIGURES)
    assert extraction.status == "ok", extraction.reason
    assert extraction.stats["chunks"] > 1
    assert validate_document(extraction.document, article) == []


def test_generation_budget_gives_way_to_the_article(backend):
    article_room, new_tokens = backend.budget(10**6)
    assert article_room >= 256 and new_tokens > 0
    assert article_room + new_tokens + backend.prompts.overhead_tokens <= backend.context


@pytest.mark.slow
def test_long_article_is_chunked_merged_validated_and_grounded(tiny_dir, seed_articles):
    # A smaller context than the model's keeps the test fast while still forcing many chunks.
    backend = get_backend(str(tiny_dir), device="cpu", schema=short_strings_schema(), max_context=8192)
    article = "\n".join(seed_articles.values())
    long_article = "\n".join([article] * 10)
    extraction = backend.extract(long_article, SAMPLED)
    assert extraction.status == "ok", extraction.reason
    assert extraction.stats["chunks"] > 10
    assert validate_document(extraction.document, long_article) == []
    assert len(extraction.document["summary"]) <= 600


def test_unknown_model_is_a_one_line_model_error(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelError) as info:
        get_backend("no-such-org/no-such-model-xyz")
    message = str(info.value)
    assert "\n" not in message and "'no-such-org/no-such-model-xyz'" in message
    assert "--model /path/to/model" in message


def test_preset_alias_error_names_the_hub_id(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", "/nonexistent-hf-home")  # never a cached copy
    with pytest.raises(ModelError, match=r"'qwen2.5-0.5b' \(Qwen/Qwen2.5-0.5B-Instruct\)"):
        get_backend("qwen2.5-0.5b")


def test_missing_folder_is_a_one_line_model_error(tmp_path):
    with pytest.raises(ModelError, match="no such file or folder") as info:
        get_backend(str(tmp_path / "missing"))
    assert "\n" not in str(info.value)


def test_model_folder_without_tokenizer_is_a_one_line_model_error(tiny_dir, tmp_path):
    folder = tmp_path / "no-tokenizer"
    folder.mkdir()
    for name in ("config.json", "generation_config.json", "model.safetensors"):
        shutil.copy(tiny_dir / name, folder / name)
    with pytest.raises(ModelError, match="no tokenizer files") as info:
        get_backend(str(folder))
    assert "\n" not in str(info.value)


def test_broken_config_is_a_one_line_model_error(tiny_dir, tmp_path):
    folder = tmp_path / "broken"
    shutil.copytree(tiny_dir, folder)
    (folder / "config.json").write_text(json.dumps({"model_type": "no-such-architecture"}), encoding="utf-8")
    with pytest.raises(ModelError) as info:
        get_backend(str(folder))
    assert str(info.value).startswith(f"cannot load model {str(folder)!r}: ") and "\n" not in str(info.value)


@pytest.mark.parametrize("kwargs, match", [({"device": "tpu"}, "unknown device"), ({"dtype": "int3"}, "unknown dtype")])
def test_bad_device_or_dtype(tiny_dir, kwargs, match):
    with pytest.raises(ModelError, match=match):
        get_backend(str(tiny_dir), **kwargs)
