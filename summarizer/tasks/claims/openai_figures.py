"""Figure-guided extraction through an OpenAI-compatible server.

The same work as in process (:func:`summarizer.tasks.claims.figure_extraction.label_figures`: the parser
finds the figures, the model labels each one, claims are built from the text); only the
model call differs. Per figure one chat request with the messages the in-process backend
renders (:func:`summarizer.tasks.claims.figure_prompting.figure_messages`) and the same label grammar,
carried in the dialect's grammar field. The figures of an article are sent together, up to
``in_flight`` requests at once per backend (whatever the number of articles in flight),
so the server can batch them.

A server that takes only JSON Schema gets a label schema; its labels are checked afterwards
(claimant and equipment article spans, sides the article names), and an article with any
that is not grounded gets status "ungrounded". A summary with a number the article does not
state (from any server) is replaced by the summary built from the claims. A label or summary
outside the grammar from a grammar-carrying server means the server ignored the grammar: the
article is "invalid", never "ok".
"""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from summarizer.backends.openai_backend import (
    DEFAULT_IN_FLIGHT,
    GRAMMAR_FIELDS,
    OpenAIBackend,
    RequestFailed,
    read_choice,
)
from summarizer.core.records import Extraction, ExtractOptions


class Rejected(Exception):
    """An answer that cannot go into an "ok" document: ``status`` "invalid" or "ungrounded"."""

    def __init__(self, status: str, reason: str):
        super().__init__(reason)
        self.status = status


class ServerFigures:
    """Labels figures through ``backend``'s server; one per backend, shared by its article threads."""

    def __init__(self, backend: OpenAIBackend, in_flight: int = DEFAULT_IN_FLIGHT):
        self.backend = backend
        self.pool = ThreadPoolExecutor(max_workers=max(1, in_flight), thread_name_prefix="figure-request")

    def extract(self, article: str, options: ExtractOptions) -> Extraction:
        from summarizer.core.validation import schema_problems
        from summarizer.tasks.claims.figure_extraction import label_figures
        from summarizer.tasks.claims.rules import rule_drafts

        started = time.perf_counter()
        article = article.strip()
        drafts = rule_drafts(article)
        call = _ArticleCall(self, article, options, {d["victim_side"] for d in drafts if d.get("victim_side")})
        try:
            run = label_figures(
                article, call.generate, options.summary, options.grounded, drafts, max_figures=options.max_figures
            )
        except RequestFailed as error:
            return Extraction(call.raw(), None, "failed", str(error), call.stats(started))
        except Rejected as error:
            return Extraction(call.raw(), None, error.status, str(error), call.stats(started))
        stats = {**run.stats, **call.stats(started)}
        problems = schema_problems(run.document)  # labels were checked; this guards the assembly
        if problems:
            return Extraction(run.raw, None, "invalid", f"the document breaks the schema: {problems[0]}", stats)
        if call.ungrounded:
            return Extraction(
                run.raw,
                run.document,
                "ungrounded",
                f"not grounded in the article (the server has no "
                f"grounded grammar; checked after generation): {call.ungrounded[0]}",
                stats,
            )
        return Extraction(run.raw, run.document, "ok", None, stats)


class _ArticleCall:
    """The requests of one article: sent, read, checked; token counts and problems collected."""

    def __init__(self, figures: ServerFigures, article: str, options: ExtractOptions, draft_sides: set[str]):
        self.figures, self.article, self.options, self.draft_sides = figures, article, options, draft_sides
        self.backend = figures.backend
        self.grounding = self.backend.grounding(options)
        self.usage = {"prompt_tokens": 0, "generated_tokens": 0}
        self.answers: list[str] = []
        self.ungrounded: list[str] = []
        self.replaced_summaries = 0
        self.lock = threading.Lock()

    def generate(
        self, kind: str, requests: list[str], grammars: list[str], budget: int, totals: dict
    ) -> list[tuple[str, bool]]:
        """label_figures' model call: every request sent at once, answers in order."""

        bodies = [
            self.body(request, grammar, budget, kind) for request, grammar in zip(requests, grammars, strict=True)
        ]
        futures = [self.figures.pool.submit(self.backend.client.post, "/chat/completions", b) for b in bodies]
        try:
            answers = [read_choice(future.result()) for future in futures]
        finally:
            for future in futures:
                future.cancel()  # after a failure, do not send what has not gone yet
        totals["generations"] = totals.get("generations", 0) + len(answers)
        return [self.checked(content, finish, usage, kind) for content, finish, usage in answers]

    def body(self, request: str, grammar: str, budget: int, kind: str) -> dict[str, Any]:
        from summarizer.tasks.claims.figure_prompting import figure_messages

        options = self.options
        body: dict[str, Any] = {
            "model": self.backend.model_id,
            "messages": figure_messages(self.article, request),
            "max_tokens": min(budget, options.max_new_tokens),
            "temperature": options.temperature,
            "top_p": options.top_p,
            "seed": options.seed,
        }
        if self.grounding == "grammar" or (not options.grounded and self.backend.dialect in GRAMMAR_FIELDS):
            body.update(GRAMMAR_FIELDS[self.backend.dialect](grammar))
        else:
            schema = _SCHEMAS[kind]()
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": kind, "schema": schema, "strict": True},
            }
        return body

    def checked(self, content: str, finish: str | None, usage: dict, kind: str) -> tuple[str, bool]:
        """(text, stopped) for label_figures, once the answer is known to be what the grammar allows."""
        from summarizer.engine.summary_grammar import invented_numbers
        from summarizer.tasks.claims.figure_grammar import label_problems

        with self.lock:
            self.answers.append(content)
            self.usage["prompt_tokens"] += usage.get("prompt_tokens") or 0
            self.usage["generated_tokens"] += usage.get("completion_tokens") or 0
        if finish == "length":
            return content, False  # cut off: the figure (or the model's summary) is lost, as in process
        try:
            value = json.loads(content)
        except json.JSONDecodeError as error:
            raise Rejected(
                "invalid", f"the server's {kind} is not JSON: {error.msg} at character {error.pos}"
            ) from None
        if kind == "actor":
            from summarizer.tasks.claims.cast import kind_problems

            shape, grounding = kind_problems(value), list[str]()
        elif kind == "label":
            # Claimants a cast allowed are article spans and its parties are the article's names:
            # what is checked here without it.
            shape, grounding = label_problems(value, self.article, self.draft_sides)
        else:
            shape, grounding = _summary_problems(value)
        if kind == "summary" and not shape and self.options.grounded and invented_numbers(value, self.article):
            # Number words split into two text words ("thr" "ee") slip through the summary grammar
            # in process too; here the claims-built summary stands in, as for a cut-off summary.
            self.replaced_summaries += 1
            return content, False
        if shape:
            raise Rejected("invalid", f"the server's {kind} breaks the {kind} format: {shape[0]}")
        if grounding and self.grounding == "grammar":
            raise Rejected("invalid", f"the server's {kind} does not follow the grounded grammar: {grounding[0]}")
        if grounding and self.grounding == "checked":
            self.ungrounded += grounding
        return content, True

    def stats(self, started: float) -> dict[str, Any]:
        return {
            **self.usage,
            "seconds": round(time.perf_counter() - started, 4),
            "grounding": self.grounding,
            **({"summary_replaced": self.replaced_summaries} if self.replaced_summaries else {}),
        }

    def raw(self) -> str:
        return json.dumps({"answers": self.answers}, ensure_ascii=False)


def _summary_schema() -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "maxLength": 600}


def _label_schema() -> dict[str, Any]:
    from summarizer.tasks.claims.figure_grammar import label_schema

    return label_schema()


def _kind_schema() -> dict[str, Any]:
    from summarizer.tasks.claims.cast import kind_schema

    return kind_schema()


# The JSON Schema of each kind of request, for a server with no grammar engine.
_SCHEMAS = {"label": _label_schema, "actor": _kind_schema, "summary": _summary_schema}


def _summary_problems(value: Any) -> tuple[list[str], list[str]]:
    if not isinstance(value, str) or not value.strip():
        return ["a summary is a non-empty JSON string"], []
    return [], []
