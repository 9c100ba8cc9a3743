"""A tiny random-weight chat model, built offline in a few seconds.

It has the shape of a real Qwen2 instruct model where it matters to the engine:
a byte-level BPE tokenizer (any text encodes, curly quotes and non-ASCII included),
ChatML special tokens and chat template, a model vocabulary *padded* beyond the
tokenizer's (as in real Qwen checkpoints) and ``<|im_end|>`` as end-of-turn token
in ``generation_config``. Its outputs are noise, which is the point: constrained
decoding must still give valid documents.

    python -m summarizer.testing.tiny_model DIR
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

# Qwen2's split of text into words before BPE (digits one by one, as in Qwen).
QWEN2_PRETOKENIZE_REGEX = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}"
    r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)

SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]

CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)

# Text beyond the seed articles so that merges cover JSON, the schema's words and
# some non-ASCII. Byte-level BPE encodes anything anyway; this only shapes merges.
EXTRA_TEXT = """\
{"summary": "Officials said 12 people were killed.", "claims": [{"claimant": null,
"claimant_type": "state", "claimant_side": "Ukraine", "outcome": "killed",
"victim_side": null, "victim_group": "civilians", "equipment": null,
"count": {"value": 12, "qualifier": "exact", "upper": null}, "period": null,
"location": "Kharkiv", "perpetrator_side": "Russia", "verification": "unverified",
"evidence": "12 people were killed"}]}
international_organization ngo armed_group media witness unattributed injured
killed_or_injured missing captured displaced equipment_destroyed children women men
military medical_workers mixed unspecified approximately at_least more_than nearly
up_to range corroborated disputed not_stated true false null
“Quoted,” she said — ‘again’… 3–5 km, €12, £3, 5°C, naïve café, Zürich, São Paulo.
Київ, Харків, Газа, غزة, 北京, 東京, ½, ×, •, →.
"""


def _corpus() -> list[str]:
    from summarizer.core.resources import seeds_dir

    articles = sorted((seeds_dir() / "articles").glob("*.txt"))
    # The JSON sample repeated, so that keys and punctuation get merged into a few
    # tokens each, as in real tokenizers (and documents take fewer tokens).
    return [p.read_text(encoding="utf-8") for p in articles] + [EXTRA_TEXT] * 20


def train_tokenizer(target_vocab: int, texts: Iterable[str] | None = None, length: int | None = None):
    """A byte-level BPE trained on ``texts`` (default: the seed articles and a JSON sample);
    the special tokens take the first ids. ``length``: how many texts, for the trainer.

    Normalizer and pre-tokenizer are Qwen2's, because ``AutoTokenizer`` rebuilds a
    ``qwen2`` model's tokenizer with them: this way the saved and loaded tokenizers agree.
    """
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(QWEN2_PRETOKENIZE_REGEX), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=target_vocab,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(_corpus() if texts is None else texts, trainer=trainer, length=length)
    return tok


def wrap_tokenizer(tok):
    """The trained tokenizer as a ``transformers`` one: ChatML template, ``<|im_end|>`` as EOS."""
    from transformers import PreTrainedTokenizerFast

    hf = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        additional_special_tokens=["<|im_start|>"],
    )
    hf.chat_template = CHAT_TEMPLATE
    return hf


# Bonus (in normalised-hidden units) for tokens that close a string or an object, or end the turn.
CLOSING_PRIOR = 0.7
# Bonus for closing an array right after an object was closed: documents end after a claim or two.
ARRAY_CLOSING_PRIOR = 1.0
OUTPUT_SCALE = 1.0  # std of the output layer's random weights: logits vary by position


def _token_ids_with(tokenizer, chars: str) -> list[int]:
    return sorted(i for t, i in tokenizer.get_vocab().items() if any(c in t for c in chars))


def _add_closing_prior(model, tokenizer) -> None:
    """Give a random model a taste for ending things, so random documents finish.

    Uniformly random weights close a JSON string only when the grammar forces it at
    ``maxLength`` and, decoding greedily, repeat the same claim until the token budget
    runs out. Here two hidden features steer it: every embedding has a large constant
    dimension 0, which the output layer's column 0 turns into a bias for tokens that
    close a string or an object (and for the end of turn); tokens that close an object
    carry dimension 1, which column 1 turns into a bias for closing the array. The rest
    stays random, so what is generated still varies with the position and the article.
    """
    import torch

    array_closing = _token_ids_with(tokenizer, "]")
    # Tokens that close the array get only the array bonus, or every document would be empty;
    # tokens that go on (a comma: "},") get none, or greedy decoding would repeat claims forever.
    closing = sorted(set(_token_ids_with(tokenizer, '"}')) - set(array_closing) - set(_token_ids_with(tokenizer, ",")))
    closing.append(tokenizer.convert_tokens_to_ids("<|im_end|>"))
    with torch.no_grad():
        embed = model.model.embed_tokens.weight
        embed[:, 0] = 1.0
        embed[:, 1] = 0.0
        embed[_token_ids_with(tokenizer, "}"), 1] = 1.0
        head = model.lm_head.weight
        head.normal_(0.0, OUTPUT_SCALE)
        head[:, :2] = 0.0
        head[closing, 0] = CLOSING_PRIOR
        head[array_closing, 1] = ARRAY_CLOSING_PRIOR


TINY_SHAPE = {
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "max_position_embeddings": 16384,  # room for prompt + article + a 4096-token budget
    "tie_word_embeddings": False,  # the output layer carries the closing prior (see _add_closing_prior)
}


def build_model(shape: dict[str, Any], ids: dict[str, int], tokenizer, *, seed: int = 0, closing_prior: bool = True):
    """A random Qwen2 model of ``shape`` (``Qwen2Config`` arguments, ``vocab_size`` included) with
    the tokenizer's special tokens ``ids``; ``closing_prior`` needs untied embeddings."""
    import torch
    from transformers import GenerationConfig, Qwen2Config, Qwen2ForCausalLM

    config = Qwen2Config(
        **shape,
        bos_token_id=ids["<|endoftext|>"],
        eos_token_id=ids["<|im_end|>"],
        pad_token_id=ids["<|endoftext|>"],
    )
    torch.manual_seed(seed)
    model = Qwen2ForCausalLM(config).eval()
    if closing_prior:
        _add_closing_prior(model, tokenizer)
    # Like Qwen2.5 instruct: end of turn first, end of text as a second stop token.
    model.generation_config = GenerationConfig(
        eos_token_id=[ids["<|im_end|>"], ids["<|endoftext|>"]],
        pad_token_id=ids["<|endoftext|>"],
        do_sample=False,
    )
    return model


def build_tiny_model(out_dir: str | Path, *, vocab_size: int = 1024, seed: int = 0) -> Path:
    """Write a tiny Qwen2-style model and tokenizer to ``out_dir`` and return it.

    ``vocab_size`` is the model's (padded) vocabulary; the tokenizer gets about
    ``vocab_size - 64`` tokens, so ids past ``len(tokenizer)`` exist only in the model.
    """
    if vocab_size < 512:
        raise ValueError("vocab_size must be at least 512 (256 bytes, specials and merges, plus padding)")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tok = train_tokenizer(vocab_size - 64)
    ids = {t: tok.token_to_id(t) for t in SPECIAL_TOKENS}
    hf_tok = wrap_tokenizer(tok)
    assert len(hf_tok) < vocab_size, "the model vocabulary must be padded past the tokenizer's"
    model = build_model({**TINY_SHAPE, "vocab_size": vocab_size}, ids, hf_tok, seed=seed)
    model.save_pretrained(out)
    hf_tok.save_pretrained(out)
    _write_readme(out, vocab_size, len(hf_tok), seed)
    return out


def _write_readme(out: Path, vocab_size: int, tokenizer_size: int, seed: int) -> None:
    info = {
        "what": "summarizer tiny random-weight test model",
        "model_vocab": vocab_size,
        "tokenizer_vocab": tokenizer_size,
        "seed": seed,
    }
    (out / "tiny_model.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build a tiny random-weight chat model (offline, seconds).")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--vocab-size", type=int, default=1024, help="model vocabulary (padded past the tokenizer's)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    path = build_tiny_model(args.out_dir, vocab_size=args.vocab_size, seed=args.seed)
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
