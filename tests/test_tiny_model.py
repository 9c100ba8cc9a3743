"""The tiny offline model: built in seconds, loads through the real from_pretrained path."""

from __future__ import annotations

import time

import pytest

pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from summarizer.testing import build_tiny_model  # noqa: E402


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    start = time.perf_counter()
    path = build_tiny_model(tmp_path_factory.mktemp("tiny"))
    seconds = time.perf_counter() - start
    assert seconds < 10, f"building took {seconds:.1f}s"
    return path


@pytest.fixture(scope="module")
def loaded(tiny_dir):
    tok = transformers.AutoTokenizer.from_pretrained(tiny_dir)
    model = transformers.AutoModelForCausalLM.from_pretrained(tiny_dir)
    return tok, model


def test_saved_as_safetensors(tiny_dir):
    assert (tiny_dir / "model.safetensors").is_file()
    assert not list(tiny_dir.glob("*.bin"))


def test_vocab_is_padded_past_the_tokenizer(loaded):
    tok, model = loaded
    assert model.config.vocab_size > len(tok)
    assert model.get_output_embeddings().out_features == model.config.vocab_size


def test_stop_token_is_im_end(loaded):
    tok, model = loaded
    im_end = tok.convert_tokens_to_ids("<|im_end|>")
    eos = model.generation_config.eos_token_id
    assert im_end in (eos if isinstance(eos, list) else [eos])
    assert eos[0] == im_end


@pytest.mark.parametrize(
    "text",
    [
        "Russia’s “special operation” — naïve café in Київ, غزة, 北京 😀\n\ttabs  and  spaces",
        "plain ASCII with numbers 1,180 and 33.7%",
    ],
)
def test_any_text_round_trips(loaded, text):
    tok, _ = loaded
    ids = tok.encode(text, add_special_tokens=False)
    assert tok.decode(ids) == text


def test_seed_articles_round_trip(loaded, seed_articles):
    tok, _ = loaded
    for text in seed_articles.values():
        assert tok.decode(tok.encode(text, add_special_tokens=False)) == text


def test_chat_template_is_chatml(loaded):
    tok, _ = loaded
    text = tok.apply_chat_template([{"role": "user", "content": "hi"}], tokenize=False, add_generation_prompt=True)
    assert text == "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"
    special = {"<|im_start|>", "<|im_end|>", "<|endoftext|>"}
    for token in special:
        assert len(tok.encode(token, add_special_tokens=False)) == 1


def test_forward_pass_gives_padded_logits(loaded):
    import torch

    tok, model = loaded
    ids = torch.tensor([tok.encode("hello world", add_special_tokens=False)])
    with torch.no_grad():
        logits = model(ids).logits
    assert logits.shape[-1] == model.config.vocab_size


def test_llguidance_builds_a_token_trie(loaded):
    llguidance_hf = pytest.importorskip("llguidance.hf")
    tok, model = loaded
    ll_tok = llguidance_hf.from_tokenizer(tok, n_vocab=model.config.vocab_size)
    assert ll_tok.vocab_size == model.config.vocab_size


def test_same_seed_same_weights(tmp_path):
    from safetensors.torch import load_file

    a = load_file(build_tiny_model(tmp_path / "a", seed=3) / "model.safetensors")
    b = load_file(build_tiny_model(tmp_path / "b", seed=3) / "model.safetensors")
    c = load_file(build_tiny_model(tmp_path / "c", seed=4) / "model.safetensors")
    assert all((a[k] == b[k]).all() for k in a)
    assert any((a[k] != c[k]).any() for k in a)


def test_command_line(tmp_path, capsys):
    # In process: a subprocess would spend ~8 s importing torch and transformers again.
    from summarizer.testing.tiny_model import main

    out = tmp_path / "cli"
    assert main([str(out), "--vocab-size", "768", "--seed", "1"]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    assert transformers.AutoConfig.from_pretrained(out).vocab_size == 768
    assert (out / "tokenizer.json").is_file()
