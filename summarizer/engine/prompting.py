"""Build the model's prompt for a task: instructions, its worked examples, then the article.

The prompt is a chat: a system turn (the task's instructions; claims: ``prompts/system.md``),
each worked example as a user turn (the task's user template, claims: ``prompts/user.md``,
filled with the example's article) answered by an assistant turn (its document), and the
article as the last user turn. It goes through the tokenizer's chat template; a tokenizer without one gets a
plain-text layout of the same parts.

Everything before the article is the same for every article, so its token ids (the
shared prefix) are computed once and the decoder keeps their KV cache. To make that
prefix exact rather than a guess, the chat is rendered with a sentinel in place of the
article, cut at the sentinel, and the two sides are tokenized separately: the prompt
of any article is ``prefix_ids + tokens(article + tail)``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from summarizer.core.errors import ModelError
from summarizer.core.task import CLAIMS_PROMPT_FILES as PROMPT_FILES  # noqa: F401  (the claims prompt's files)
from summarizer.core.task import Task, load_task

ARTICLE_SLOT = "{article}"
# Rendered in place of the article, then cut out: nothing a template does (trim,
# escape) changes it, and no real article contains it.
_SENTINEL = "ARTICLEGOESHERE7Q3X"


@dataclass(frozen=True)
class PromptParts:
    system: str
    user_template: str  # contains ARTICLE_SLOT
    examples: tuple[tuple[str, dict[str, Any]], ...]  # (article, document) per worked example

    def user(self, article: str) -> str:
        return self.user_template.replace(ARTICLE_SLOT, article)

    @property
    def example_article(self) -> str:
        return self.examples[0][0]

    @property
    def example_output(self) -> dict[str, Any]:
        return self.examples[0][1]


def prompt_parts(task: Task | None = None) -> PromptParts:
    """The prompt of ``task`` (the claims task by default)."""
    task = load_task(task)
    return PromptParts(
        system=task.instructions,
        user_template=task.user_template,
        examples=tuple((e.article, e.document) for e in task.examples),
    )


def prompt_hash(task: Task | None = None) -> str:
    """sha256 of the task's prompt files (names and bytes): part of what identifies a generation."""
    return load_task(task).prompt_hash


def format_document(doc: dict[str, Any]) -> str:
    """A document as the grammar writes it: compact (no whitespace between tokens), keys in schema order."""
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def build_messages(article: str, parts: PromptParts | None = None) -> list[dict[str, str]]:
    parts = parts or prompt_parts()
    messages = [{"role": "system", "content": parts.system}]
    for example_article, example_output in parts.examples:
        messages.append({"role": "user", "content": parts.user(example_article)})
        messages.append({"role": "assistant", "content": format_document(example_output)})
    return [*messages, {"role": "user", "content": parts.user(article)}]


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
    text: str = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    return text


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
