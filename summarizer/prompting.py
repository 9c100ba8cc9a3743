"""Build the model's prompt: instructions, one worked example, then the article.

The prompt is a chat: a system turn (``prompts/system.md``), the worked example as a
user turn (``prompts/user.md`` filled with ``prompts/example_article.txt``) answered by
an assistant turn (``prompts/example_output.json``), and the article as the last user
turn. It goes through the tokenizer's chat template; a tokenizer without one gets a
plain-text layout of the same parts.

Everything before the article is the same for every article, so its token ids (the
shared prefix) are computed once and the decoder keeps their KV cache. To make that
prefix exact rather than a guess, the chat is rendered with a sentinel in place of the
article, cut at the sentinel, and the two sides are tokenized separately: the prompt
of any article is ``prefix_ids + tokens(article + tail)``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from summarizer.errors import ModelError
from summarizer.resources import prompt_path

PROMPT_FILES = ("system.md", "user.md", "example_article.txt", "example_output.json")
ARTICLE_SLOT = "{article}"
# Rendered in place of the article, then cut out: nothing a template does (trim,
# escape) changes it, and no real article contains it.
_SENTINEL = "ARTICLEGOESHERE7Q3X"


@dataclass(frozen=True)
class PromptParts:
    system: str
    user_template: str  # contains ARTICLE_SLOT
    example_article: str
    example_output: dict

    def user(self, article: str) -> str:
        return self.user_template.replace(ARTICLE_SLOT, article)


@lru_cache(maxsize=1)
def prompt_parts() -> PromptParts:
    read = lambda name: prompt_path(name).read_text(encoding="utf-8").strip()  # noqa: E731
    return PromptParts(
        system=read("system.md"),
        user_template=read("user.md"),
        example_article=read("example_article.txt"),
        example_output=json.loads(read("example_output.json")),
    )


@lru_cache(maxsize=1)
def prompt_hash() -> str:
    """sha256 of the prompt files (names and bytes): part of what identifies a generation."""
    digest = hashlib.sha256()
    for name in PROMPT_FILES:
        digest.update(name.encode() + b"\0" + prompt_path(name).read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def format_document(doc: dict) -> str:
    """A document as the grammar writes it: compact (no whitespace between tokens), keys in schema order."""
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def build_messages(article: str, parts: PromptParts | None = None) -> list[dict[str, str]]:
    parts = parts or prompt_parts()
    return [
        {"role": "system", "content": parts.system},
        {"role": "user", "content": parts.user(parts.example_article)},
        {"role": "assistant", "content": format_document(parts.example_output)},
        {"role": "user", "content": parts.user(article)},
    ]


def has_chat_template(tokenizer: Any) -> bool:
    return bool(getattr(tokenizer, "chat_template", None))


def render_plain(messages: list[dict[str, str]]) -> str:
    """The fallback layout for tokenizers without a chat template (base models)."""
    blocks = []
    for message in messages:
        if message["role"] == "assistant":
            blocks.append(f"Output:\n{message['content']}")
        else:
            blocks.append(message["content"])
    return "\n\n".join(blocks) + "\n\nOutput:\n"


def render_chat(tokenizer: Any, messages: list[dict[str, str]]) -> str:
    """Apply the chat template; templates without a system role get it folded into the first user turn."""
    try:
        return _apply_template(tokenizer, messages)
    except Exception as error:  # jinja raises TemplateError for "System role not supported"
        if messages[0]["role"] != "system" or "system" not in str(error).lower():
            raise ModelError(f"the tokenizer's chat template failed: {error}") from None
    merged = [{"role": "user", "content": messages[0]["content"] + "\n\n" + messages[1]["content"]}, *messages[2:]]
    try:
        return _apply_template(tokenizer, merged)
    except Exception as error:
        raise ModelError(f"the tokenizer's chat template failed: {error}") from None


def _apply_template(tokenizer: Any, messages: list[dict[str, str]]) -> str:
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)


@dataclass(frozen=True)
class Prompt:
    ids: list[int]
    prefix_len: int  # ids[:prefix_len] is the shared prefix, the same for every article


class PromptBuilder:
    """Tokenized prompts for one tokenizer; the shared prefix is computed once."""

    def __init__(self, tokenizer: Any, parts: PromptParts | None = None):
        self.tokenizer = tokenizer
        self.uses_chat_template = has_chat_template(tokenizer)
        messages = build_messages(_SENTINEL, parts)
        text = render_chat(tokenizer, messages) if self.uses_chat_template else render_plain(messages)
        if text.count(_SENTINEL) != 1:
            raise ModelError("the tokenizer's chat template does not place the user's message verbatim")
        self.head_text, self.tail_text = text.split(_SENTINEL)
        # A chat template writes its own special tokens (BOS included) as text; the plain
        # layout needs the tokenizer's usual BOS.
        self.prefix_ids: list[int] = self._encode(self.head_text, special=not self.uses_chat_template)
        self.tail_len = len(self._encode(self.tail_text))

    def _encode(self, text: str, special: bool = False) -> list[int]:
        return list(self.tokenizer.encode(text, add_special_tokens=special))

    @property
    def overhead_tokens(self) -> int:
        """Prompt tokens that are not the article (prefix + tail), an estimate within a token or two."""
        return len(self.prefix_ids) + self.tail_len

    def article_tokens(self, article: str) -> int:
        return len(self._encode(article))

    def build(self, article: str) -> Prompt:
        ids = self.prefix_ids + self._encode(article.strip() + self.tail_text)
        return Prompt(ids=ids, prefix_len=len(self.prefix_ids))

    def text(self, article: str) -> str:
        """The prompt as text (for debugging and the docs)."""
        return self.head_text + article.strip() + self.tail_text
