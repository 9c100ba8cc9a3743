"""What a --model value is (hub id, folder, GGUF file), what identifies it, and one-line errors."""

from __future__ import annotations

import shutil

import pytest

from summarizer.core.errors import ModelError
from summarizer.engine.loading import locate, model_identity


def one_line(name: str, match: str) -> str:
    with pytest.raises(ModelError, match=match) as info:
        locate(name)
    assert "\n" not in str(info.value) and repr(name) in str(info.value)
    return str(info.value)


def test_hub_ids_and_presets_are_hub_models():
    assert locate("Qwen/Qwen2.5-1.5B-Instruct").kind == "hub"
    preset = locate("qwen2.5-0.5b")
    assert (preset.kind, preset.location) == ("hub", "Qwen/Qwen2.5-0.5B-Instruct")
    assert preset.label == "'qwen2.5-0.5b' (Qwen/Qwen2.5-0.5B-Instruct)"


def test_a_gguf_file_and_a_folder_holding_one(tmp_path):
    path = tmp_path / "m.gguf"
    path.write_bytes(b"GGUF")
    assert (locate(str(path)).kind, locate(str(path)).location) == ("gguf", str(path))
    assert (locate(str(tmp_path)).kind, locate(str(tmp_path)).location) == ("gguf", str(path))


def test_a_folder_with_two_gguf_files_is_refused(tmp_path):
    for name in ("a.gguf", "b.gguf"):
        (tmp_path / name).write_bytes(b"GGUF")
    message = one_line(str(tmp_path), "holds 2 .gguf files")
    assert "a.gguf" in message and "b.gguf" in message


def test_a_text_file_says_it_is_a_file_not_a_model(tmp_path):
    path = tmp_path / "file.txt"
    path.write_text("hello", encoding="utf-8")
    one_line(str(path), "it is a file, not a model folder or a .gguf file")


def test_a_missing_gguf_file_is_not_taken_for_a_hub_id():
    one_line("models/missing.gguf", "no such file or folder")


def test_a_saved_model_folder_is_a_folder_even_with_a_gguf_inside(tiny_model_dir, tmp_path):
    folder = shutil.copytree(tiny_model_dir, tmp_path / "m")
    (folder / "extra.gguf").write_bytes(b"GGUF")
    assert locate(str(folder)).kind == "folder"


def test_a_folder_identity_follows_its_files_not_its_path(tiny_model_dir, tmp_path):
    copy = shutil.copytree(tiny_model_dir, tmp_path / "copy")
    original, copied = model_identity(str(tiny_model_dir)), model_identity(str(copy))
    assert original["weights"] == copied["weights"] and original["source"] != copied["source"]
    (copy / "README.md").write_text("not part of the model", encoding="utf-8")
    assert model_identity(str(copy))["weights"] == original["weights"]
    config = (copy / "tokenizer_config.json").read_text(encoding="utf-8")
    (copy / "tokenizer_config.json").write_text(config.replace("{", '{"model_max_length": 99,', 1), encoding="utf-8")
    assert model_identity(str(copy))["weights"] != original["weights"]


def test_a_hub_identity_is_the_commit_of_the_cached_snapshot(tmp_path, monkeypatch):
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = tmp_path / "hub" / "models--org--name"
    (repo / "snapshots" / commit).mkdir(parents=True)
    (repo / "snapshots" / commit / "config.json").write_text("{}", encoding="utf-8")
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit, encoding="utf-8")
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_CACHE", str(tmp_path / "hub"))
    identity = model_identity("org/name")
    assert identity["revision"] == commit and identity["weights"] == {"hub": "org/name", "revision": commit}


def test_an_unknown_hub_model_offline_is_a_one_line_error(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelError, match="not found on the Hugging Face hub") as info:
        model_identity("no-such-org/no-such-model-xyz")
    assert "\n" not in str(info.value)


def test_a_chat_template_that_fails_to_render_is_a_one_line_error(tiny_model_dir, tmp_path):
    from summarizer.engine.loading import load_model

    folder = shutil.copytree(tiny_model_dir, tmp_path / "bad-template")
    (folder / "chat_template.jinja").write_text("{{ messages[0].content.nope.deeper }}", encoding="utf-8")
    with pytest.raises(ModelError, match="chat template fails to render") as info:
        load_model(str(folder), device="cpu")
    assert "\n" not in str(info.value) and str(folder) in str(info.value)


def test_precisions_auto_is_float32_on_cpu_and_int8_is_cpu_only():
    from summarizer.engine.loading import resolve_dtype, resolve_precision

    assert resolve_precision("auto", "cpu") == "float32"
    assert resolve_precision("auto", "cuda") == "bfloat16"
    assert str(resolve_dtype("int8", "cpu")) == "torch.float32"  # loaded in float32, then quantized
    with pytest.raises(ModelError, match="int8 runs on the CPU only"):
        resolve_precision("int8", "cuda")
    with pytest.raises(ModelError, match="unknown dtype 'int4'"):
        resolve_precision("int4", "cpu")


def test_an_int8_model_has_int8_linear_layers_and_still_decodes(tiny_model_dir):
    import torch

    from summarizer.engine.loading import load_model

    tokenizer, model = load_model(str(tiny_model_dir), device="cpu", dtype="int8")
    linear = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    quantized = [
        m for m in model.modules() if type(m).__name__ == "Linear" and hasattr(m, "weight") and callable(m.weight)
    ]
    assert not linear and quantized  # every linear layer was replaced by its int8 form
    assert quantized[0].weight().dtype == torch.qint8
    ids = torch.tensor([tokenizer.encode("Russia says 1,400 soldiers were killed.")])
    with torch.no_grad():
        logits = model(input_ids=ids).logits
    assert logits.dtype == torch.float32 and torch.isfinite(logits).all()
