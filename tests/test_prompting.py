"""The prompt: its files, the chat layout, the shared prefix. No model needed (a fake tokenizer)."""

from __future__ import annotations

import json
import shutil

import pytest

from summarizer.core.errors import ModelError
from summarizer.core.resources import load_schema, prompt_path
from summarizer.core.validation import validate_document
from summarizer.engine import prompting
from summarizer.engine.prompting import PromptBuilder, build_messages, format_document, prompt_parts


class CharTokenizer:
    """One id per character (BPE-free, so any boundary is a token boundary); ChatML template in Python."""

    bos_id = 0

    def __init__(self, template: str | None = "chatml", system_role: bool = True):
        self.chat_template = template
        self.system_role = system_role

    def encode(self, text: str, add_special_tokens: bool = True) -> list[int]:
        return ([self.bos_id] if add_special_tokens else []) + [ord(c) + 1 for c in text]

    def apply_chat_template(self, messages, tokenize=False, add_generation_prompt=False):
        assert tokenize is False
        if not self.system_role and messages[0]["role"] == "system":
            raise ValueError("System role not supported")
        text = "".join(f"<|im_start|>{m['role']}\n{m['content'].strip()}<|im_end|>\n" for m in messages)
        return text + ("<|im_start|>assistant\n" if add_generation_prompt else "")


ARTICLE_A = "Officials said 12 people were killed in Kharkiv."
ARTICLE_B = "  Zwei Menschen wurden verletzt, said the mayor.\n"


def test_every_article_prompt_starts_with_the_shared_prefix():
    builder = PromptBuilder(CharTokenizer())
    a, b = builder.build(ARTICLE_A), builder.build(ARTICLE_B)
    assert a.prefix_len == b.prefix_len == len(builder.prefix_ids) > 1000
    assert a.ids[: a.prefix_len] == b.ids[: b.prefix_len] == builder.prefix_ids
    assert a.ids[a.prefix_len :] != b.ids[b.prefix_len :]


def test_prompt_equals_the_chat_template_applied_to_the_whole_chat():
    tokenizer = CharTokenizer()
    prompt = PromptBuilder(tokenizer).build(ARTICLE_B)
    rendered = tokenizer.apply_chat_template(build_messages(ARTICLE_B.strip()), add_generation_prompt=True)
    assert prompt.ids == tokenizer.encode(rendered, add_special_tokens=False)
    assert rendered.endswith(ARTICLE_B.strip() + "<|im_end|>\n<|im_start|>assistant\n")


def test_chat_has_system_then_worked_example_then_article():
    messages = build_messages(ARTICLE_A)
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert prompt_parts().example_article in messages[1]["content"]
    assert json.loads(messages[2]["content"]) == prompt_parts().example_output
    assert messages[3]["content"].rstrip().endswith(ARTICLE_A)


def test_template_without_system_role_gets_system_folded_into_first_user_turn():
    builder = PromptBuilder(CharTokenizer(system_role=False))
    text = builder.text(ARTICLE_A)
    assert "<|im_start|>system" not in text
    assert text.count(prompt_parts().system) == 1
    assert text.index(prompt_parts().system) < text.index(prompt_parts().example_article)


def test_broken_template_is_a_one_line_model_error():
    class Broken(CharTokenizer):
        def apply_chat_template(self, *args, **kwargs):
            raise RuntimeError("bad template\nsecond line")

    with pytest.raises(ModelError) as info:
        PromptBuilder(Broken())
    assert "\n" not in str(info.value) and "chat template" in str(info.value)


def test_plain_fallback_without_chat_template():
    tokenizer = CharTokenizer(template=None)
    builder = PromptBuilder(tokenizer)
    assert not builder.uses_chat_template
    text = builder.text(ARTICLE_A)
    assert text.startswith(prompt_parts().system) and text.endswith(ARTICLE_A + "\n\nOutput:\n")
    assert builder.build(ARTICLE_A).ids[0] == tokenizer.bos_id  # base models get their BOS


def test_worked_example_validates_and_is_grounded():
    parts = prompt_parts()
    assert validate_document(parts.example_output, parts.example_article) == []
    assert parts.example_output["claims"], "the example must show claims"


def test_example_is_not_a_seed_article(seed_articles):
    example = prompt_parts().example_article
    assert all(example[:200] not in text for text in seed_articles.values())


def test_example_output_has_keys_in_schema_order_as_the_grammar_writes_them():
    schema = load_schema()
    claim_keys = list(schema["$defs"]["claim"]["properties"])
    doc = prompt_parts().example_output
    assert list(doc) == list(schema["properties"])
    assert all(list(claim) == claim_keys for claim in doc["claims"])
    assert all(list(c["count"]) == ["value", "qualifier", "upper"] for c in doc["claims"])
    assert ", " not in format_document({"a": [1, 2]}) and ": " not in format_document({"a": 1})


def test_instructions_define_every_field_and_enum_value():
    schema = load_schema()
    system = prompt_parts().system
    claim = schema["$defs"]["claim"]["properties"]
    for key in [*schema["properties"], *claim, "value", "qualifier", "upper"]:
        assert key in system, key
    for sub in [*claim.values(), *(b["properties"]["qualifier"] for b in schema["$defs"]["count"]["anyOf"])]:
        for value in sub.get("enum", []) + ([sub["const"]] if "const" in sub else []):
            assert value in system, value


def test_prompt_hash_covers_the_prompt_files(tmp_path, monkeypatch):
    import summarizer.core.resources as resources
    from summarizer.core.task import builtin_task, default_task

    original = prompting.prompt_hash()
    assert len(original) == 16 and int(original, 16) >= 0
    for name in prompting.PROMPT_FILES:
        shutil.copy(prompt_path(name), tmp_path / name)
    (tmp_path / "system.md").write_text("Different instructions.\n", encoding="utf-8")
    monkeypatch.setattr(resources, "prompt_path", lambda name: tmp_path / name)
    builtin_task.cache_clear()
    default_task.cache_clear()  # the default task is the claims kit's, cached apart from the built-in one
    try:
        assert prompting.prompt_hash() != original
    finally:
        builtin_task.cache_clear()
        default_task.cache_clear()
