"""A model behind an OpenAI-compatible server: vLLM, SGLang, llama.cpp's llama-server, or any server
that takes only JSON Schema.

Per article it sends the chat of :func:`summarizer.engine.prompting.build_messages` (what the in-process
backend renders with the model's chat template) and, where the server's grammar engine is
llguidance, the article's grounded grammar as Lark text, so evidence and numbers are grounded by
construction. A server that takes only JSON Schema gets the schema; its documents are checked
against the article afterwards and one that is not grounded gets status "ungrounded", never "ok".
Every response is validated (schema and grounding): a server may ignore a grammar it cannot use.

llama.cpp's llama-server reads Lark only when built with LLAMA_LLGUIDANCE; a default build answers
a grammar request with HTTP 400. So before choosing the ``llama`` dialect by itself, the backend sends
one request under a one-token Lark grammar, and a server that refuses it gets JSON Schema (said in
one note). llama-server's ``GET /props`` gives its slots (the requests it runs at once) and its
build: no more requests are in flight than it has slots, unless ``in_flight`` says otherwise.

Only the standard library is used (urllib), so requests go out from many threads at once.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.client import HTTPException
from typing import Any, ClassVar, Literal

from summarizer.backends.adapter import AnswerFormat, Batch, Context, Refused
from summarizer.backends.base import Backend
from summarizer.backends.options import ranged, task_field
from summarizer.backends.strategies import build_strategies, prompt_identity, run_strategy
from summarizer.core.errors import ModelError, SummarizerNote
from summarizer.core.records import Extraction, ExtractOptions
from summarizer.core.urls import redact, url_problem
from summarizer.engine.request_chat import RequestChat

# How each engine takes the grounded grammar's Lark text (the engine must use llguidance).
GRAMMAR_FIELDS = {
    "vllm": lambda lark: {"structured_outputs": {"grammar": lark}},  # --structured-outputs-config.backend guidance
    "sglang": lambda lark: {"ebnf": lark},  # --grammar-backend llguidance
    "llama": lambda lark: {"grammar": lark},  # llama-server built with LLAMA_LLGUIDANCE
}
JSON_SCHEMA = "json-schema"
# Whether a server takes our Lark (the dialect chosen by itself is probed with it): one token.
GRAMMAR_PROBE = '%llguidance {}\nstart: "1"\n'
PROBE_MESSAGES = [{"role": "user", "content": "Write the digit 1."}]
PROBED_DIALECTS = ("llama",)  # llama-server's llguidance is a build option, off by default
DIALECTS = ("auto", *GRAMMAR_FIELDS, JSON_SCHEMA)
# /v1/models "owned_by" of each engine; any other server is taken to know only JSON Schema.
OWNERS = {"vllm": "vllm", "sglang": "sglang", "llamacpp": "llama"}
RETRY_STATUSES = (429, 503)  # busy or starting: worth another try
MAX_RETRIES = 4
MAX_BACKOFF_SECONDS = 30.0
DEFAULT_TIMEOUT = 600.0  # a CPU server writes a long document in minutes
# The options' upper bounds: a day's wait for one answer (the socket layer refuses 1e12 s with a
# traceback), retries past which a server is not coming back (each wait is at most 30 s), a first
# wait that the 30 s cap would cut anyway, and requests at once far past any server's batch.
TIMEOUT_LIMIT, RETRIES_LIMIT, IN_FLIGHT_LIMIT = 86400.0, 100, 1024
# Answers are read up to this size: a chat completion or a model list is far smaller, and a
# larger one is refused whole, never kept in the store or --jsonl. An error body: a line's worth.
MAX_ANSWER_BYTES = 8 * 2**20
MAX_ERROR_BYTES = 64 * 2**10
MAX_NAMES_SHOWN = 10  # model names listed in an error line


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an error (HTTPError with its 3xx status): the API key is never sent to
    another address, and a POST is never resent as a GET."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


# The one HTTP client policy: no redirects (proxies from the environment as urllib's default).
_OPENER = urllib.request.build_opener(_NoRedirects)


class RequestFailed(Exception):
    """A request that got no usable answer; ``str()`` is one line. ``status``: the HTTP status, if any."""

    def __init__(self, message: str, status: int | None = None, retry_after: float | None = None):
        super().__init__(" ".join(message.split()))
        self.status = status
        self.retry_after = retry_after


class Client:
    """JSON over HTTP to one server, with one-line errors and bounded retries of 429/503.

    The policy for every request: redirects are not followed (one line naming the new
    address), answers are read up to :data:`MAX_ANSWER_BYTES`, and the API key and any URL
    credentials are redacted from everything the server sends back and from every error line.
    """

    def __init__(
        self, base_url: str, api_key: str | None, timeout: float, retries: int = MAX_RETRIES, backoff: float = 1.0
    ):
        self.base_url = base_url.rstrip("/")
        self.headers = {"Content-Type": "application/json", "Accept": "application/json"}
        self.secrets: tuple[str, ...] = ()
        if api_key:
            self.headers["Authorization"] = f"Bearer {api_key}"
            self.secrets = (api_key,)
        self.timeout, self.retries, self.backoff = timeout, retries, backoff

    @property
    def shown_url(self) -> str:
        """The base URL as errors and the store show it: without credentials."""
        return redact(self.base_url)

    def at_root(self) -> Client:
        """This client at the server's root, next to /v1 (where /version and /props are), with no retries."""
        root = copy.copy(self)
        root.base_url, root.retries = self.base_url.rsplit("/v1", 1)[0], 0
        return root

    def get(self, path: str) -> Any:
        return self.call("GET", path)

    def post(self, path: str, body: dict) -> Any:
        return self.call("POST", path, body)

    def call(self, method: str, path: str, body: dict | None = None) -> Any:
        """The decoded JSON answer; RequestFailed after the retries are spent."""
        attempt = 0
        while True:
            try:
                return self._once(method, path, body)
            except RequestFailed as error:
                if error.status not in RETRY_STATUSES or attempt >= self.retries:
                    raise RequestFailed(redact(str(error), self.secrets), error.status) from None
                wait = self.backoff * 2 ** min(attempt, 16) if error.retry_after is None else error.retry_after
                time.sleep(min(wait, MAX_BACKOFF_SECONDS))
                attempt += 1

    def _once(self, method: str, path: str, body: dict | None) -> Any:
        url = self.base_url + path
        shown = redact(url)
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(url, data=data, headers=self.headers, method=method)
        try:
            with _OPENER.open(request, timeout=self.timeout) as answer:
                payload = answer.read(MAX_ANSWER_BYTES + 1)
        except urllib.error.HTTPError as error:
            raise _http_error(shown, error) from None
        except (urllib.error.URLError, OSError, HTTPException, ValueError) as error:
            raise RequestFailed(f"{shown}: {_connection_problem(error, self.timeout)}") from None
        if len(payload) > MAX_ANSWER_BYTES:
            raise RequestFailed(
                f"{shown}: the answer is larger than {MAX_ANSWER_BYTES // 2**20} MiB; "
                "not read (a chat completion or model list is far smaller)"
            )
        for secret in self.secrets:  # a server that echoes the key: it goes nowhere from here
            payload = payload.replace(secret.encode("utf-8"), b"[redacted]")
        try:
            return json.loads(payload)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise RequestFailed(f"{shown}: malformed response (not JSON): {_excerpt(payload)}") from None


def _connection_problem(error: BaseException, timeout: float) -> str:
    reason = getattr(error, "reason", error)  # URLError wraps the socket error
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return f"no answer within {timeout:g} s (--timeout)"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused (is the server running?)"
    if isinstance(reason, (ConnectionResetError, HTTPException)):
        return f"the server closed the connection ({type(reason).__name__})"
    return str(getattr(reason, "strerror", None) or reason)


def _http_error(url: str, error: urllib.error.HTTPError) -> RequestFailed:
    if 300 <= error.code < 400:
        location = error.headers.get("Location") if error.headers else None
        target = redact(urllib.parse.urljoin(url, location)) if location else "no address given"
        return RequestFailed(
            f"{url}: HTTP {error.code}: the server redirects to {target}; redirects are not followed "
            "(give that address as --base-url if it is the server)",
            error.code,
        )
    try:
        body = error.read(MAX_ERROR_BYTES)
    except OSError:
        body = b""
    retry_after = error.headers.get("Retry-After") if error.headers else None
    seconds = float(retry_after) if retry_after and retry_after.strip().isdigit() else None
    return RequestFailed(f"{url}: HTTP {error.code}: {_server_message(body) or error.reason}", error.code, seconds)


def _server_message(body: bytes) -> str:
    """The message of an OpenAI-style error ({"error": {"message": ...}}), FastAPI's "detail", or the text."""
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _excerpt(body)
    if isinstance(data, dict):
        inner = data.get("error", data)
        message = inner.get("message") if isinstance(inner, dict) else inner
        message = message or data.get("detail") or data.get("message")
        if message:
            return _excerpt(str(message).encode("utf-8"))
    return _excerpt(body)


def _name_list(names: list[str]) -> str:
    """At most MAX_NAMES_SHOWN names, each cut to a line's share, and how many more there are."""
    shown = [_excerpt(name.encode("utf-8"), 60) for name in names[:MAX_NAMES_SHOWN]]
    more = f" and {len(names) - MAX_NAMES_SHOWN} more" if len(names) > MAX_NAMES_SHOWN else ""
    return (", ".join(shown) or "nothing") + more


def _excerpt(payload: bytes, limit: int = 200) -> str:
    text = " ".join(payload.decode("utf-8", "replace").split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


DEFAULT_IN_FLIGHT = 8  # a strategy's requests at once per backend: a CPU server batches a handful well


@dataclass(frozen=True)
class OpenAIOptions:
    """The server and how to talk to it (``--backend-opt key=value``; --base-url ... set them too).

    ``base_url`` ends where ``/chat/completions`` is appended (``http://host:port/v1``); the API
    key is read from the environment variable ``api_key_env``, never given directly. ``in_flight``:
    a strategy's requests sent at once (e.g. the claims task's figures), over all articles; None:
    :data:`DEFAULT_IN_FLIGHT`, or the server's slots where it says it has fewer (llama-server's
    ``/props``). ``task``: what to extract (a :class:`~summarizer.core.task.Task`, None: claims), set
    by ``--task``."""

    base_url: str = ranged(dataclasses.MISSING, check=url_problem)
    api_key_env: str | None = None
    dialect: Literal["auto", "vllm", "sglang", "llama", "json-schema"] = "auto"
    timeout: float = ranged(DEFAULT_TIMEOUT, above=0, maximum=TIMEOUT_LIMIT)
    retries: int = ranged(MAX_RETRIES, minimum=0, maximum=RETRIES_LIMIT)
    backoff: float = ranged(1.0, minimum=0, maximum=MAX_BACKOFF_SECONDS)
    in_flight: int | None = ranged(None, minimum=1, maximum=IN_FLIGHT_LIMIT)
    task: Any = task_field()


class OpenAIBackend(Backend):
    """A served model, reached through ``POST {base_url}/chat/completions``."""

    name = "openai"
    Options = OpenAIOptions
    concurrent: ClassVar[bool] = True  # the server batches requests; many may be in flight

    def __init__(self, model: str, options: OpenAIOptions):
        from summarizer.core.task import load_task

        base_url, dialect = options.base_url, options.dialect
        if dialect not in DIALECTS:
            raise ModelError(f"unknown dialect {dialect!r} (use {', '.join(DIALECTS)})")
        self._model_name = model
        self.client = Client(base_url, _api_key(options.api_key_env), options.timeout, options.retries, options.backoff)
        self.task = load_task(options.task)
        self.schema = self.task.schema
        self.card = self._model_card()
        detected = OWNERS.get(str(self.card.get("owned_by")), JSON_SCHEMA)
        self.dialect = dialect if dialect != "auto" else self._usable_dialect(detected)
        props = self._server_props()
        total_slots = props.get("total_slots")
        # llama-server's slots: more requests than slots would each read the shared prompt again.
        self.slots: int | None = total_slots if type(total_slots) is int and total_slots > 0 else None
        build = props.get("build_info")
        self.server_version = self._server_version() or (str(build) if build else None)
        self.options = options
        # A strategy's requests in flight at once, over all articles (threads start when first used).
        self.in_flight = options.in_flight or min(DEFAULT_IN_FLIGHT, self.slots or DEFAULT_IN_FLIGHT)
        self.pool = ThreadPoolExecutor(max_workers=self.in_flight, thread_name_prefix="request")
        self.strategies = build_strategies(self)  # beyond the document one (claims: a chat request per figure)

    @property
    def model_id(self) -> str:
        return self._model_name

    def describe(self) -> dict[str, Any]:
        from summarizer.backends.transformers_backend import engine_hash

        return {
            **super().describe(),
            "base_url": self.client.shown_url,
            "dialect": self.dialect,
            "revision": self.card.get("revision") or self.card.get("root"),
            "server_version": self.server_version,
            # Only where the server tells (llama-server): other servers' run store keys stay as they were.
            **({"slots": self.slots} if self.slots is not None else {}),
            "prompt_hash": prompt_identity(self.task),
            "engine_hash": engine_hash(self.task),
            "schema_hash": self.task.schema_hash,
            "task": self.task.name,
            "task_hash": self.task.hash,
        }

    def _model_card(self) -> dict:
        """The server's entry for the model: proves the server is up and serves it."""
        try:
            listing = self.client.get("/models")
        except RequestFailed as error:
            raise ModelError(f"cannot reach the server: {error}") from None
        cards = listing.get("data") if isinstance(listing, dict) else None
        if not isinstance(cards, list):
            raise ModelError(f"{self.client.shown_url}/models: malformed response (no model list)")
        named = {str(card.get("id")): card for card in reversed(cards) if isinstance(card, dict)}
        if self._model_name not in named:
            raise ModelError(
                f"the server at {self.client.shown_url} does not serve model {self._model_name!r} "
                f"(it serves: {_name_list(list(reversed(named)))})"
            )
        return named[self._model_name]

    def _usable_dialect(self, detected: str) -> str:
        """``detected``, once the server has taken a one-token Lark grammar in its field where that
        is a build option (llama-server); JSON Schema, said in one note, where it answers HTTP 400.
        Any other failure is a one-line error before the first article."""
        if detected not in PROBED_DIALECTS:
            return detected
        body = {
            "model": self._model_name,
            "messages": PROBE_MESSAGES,
            "max_tokens": 1,
            "temperature": 0.0,
            **GRAMMAR_FIELDS[detected](GRAMMAR_PROBE),
        }
        try:
            self.client.post("/chat/completions", body)
        except RequestFailed as error:
            if error.status != 400:
                raise ModelError(f"the server did not answer a one-token grammar request: {error}") from None
            shown = self.client.shown_url
            if "llguidance" in str(error).lower():
                why = "llama-server has no llguidance (built without LLAMA_LLGUIDANCE)"
            else:
                why = f"the server refuses a Lark grammar ({str(error).removeprefix(shown + '/chat/completions: ')})"
            warnings.warn(f"{shown}: {why}: JSON Schema, answers checked after generation", SummarizerNote, 3)
            return JSON_SCHEMA
        return detected

    def _server_props(self) -> dict[str, Any]:
        """llama-server's GET /props next to /v1 (``total_slots``, ``build_info``); {} where there is none."""
        try:
            answer = self.client.at_root().get("/props")
        except RequestFailed:
            return {}
        return answer if isinstance(answer, dict) else {}

    def _server_version(self) -> str | None:
        """vLLM and SGLang answer GET /version next to /v1; others need not."""
        try:
            answer = self.client.at_root().get("/version")
        except RequestFailed:
            return None
        return str(answer.get("version")) if isinstance(answer, dict) and answer.get("version") else None

    # --- extraction ---------------------------------------------------------------------

    def extract(self, article: str, options: ExtractOptions) -> Extraction:
        return run_strategy(self.task, self.strategies, article, options, self._extract_document)

    def _extract_document(self, article: str, options: ExtractOptions) -> Extraction:
        """The document strategy: one request writes the whole document."""
        started = time.perf_counter()
        try:
            answer = self.client.post("/chat/completions", self.request(article, options))
            content, finish, usage = read_choice(answer)
        except RequestFailed as error:
            return Extraction("", None, "failed", str(error), {"seconds": round(time.perf_counter() - started, 4)})
        stats = {
            "prompt_tokens": usage.get("prompt_tokens"),
            "generated_tokens": usage.get("completion_tokens"),
            "seconds": round(time.perf_counter() - started, 4),
            "grounding": self.grounding(options),
        }
        stats = {key: value for key, value in stats.items() if value is not None}
        if finish == "length":
            return Extraction(
                content,
                None,
                "truncated",
                f"cut off at --max-new-tokens {options.max_new_tokens} or the server's context",
                stats,
            )
        return self.check(content, article, options, stats)

    def grounding(self, options: ExtractOptions) -> str:
        """How grounding is had: "grammar" (by construction), "checked" (after generation) or "off"."""
        if not options.grounded:
            return "off"
        return "grammar" if self.dialect in GRAMMAR_FIELDS else "checked"

    def request(self, article: str, options: ExtractOptions) -> dict[str, Any]:
        """The chat completion request for one article (the same messages as the in-process backend)."""
        from summarizer.core.task import plain_schema
        from summarizer.engine.grammar import grounded_lark
        from summarizer.engine.prompting import build_messages, prompt_parts

        body = self._body(build_messages(article.strip(), prompt_parts(self.task)), options, options.max_new_tokens)
        if self.grounding(options) == "grammar":
            body.update(GRAMMAR_FIELDS[self.dialect](grounded_lark(self.schema, article.strip())))
        else:
            # x-grounded is this project's keyword: servers strict about keywords get the plain schema.
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": self.task.name, "schema": plain_schema(self.schema), "strict": True},
            }
        return body

    def check(self, content: str, article: str, options: ExtractOptions, stats: dict) -> Extraction:
        """Schema and grounding of what the server wrote: a server may not have kept to the grammar."""
        from summarizer.core.validation import grounding_problems, schema_problems

        try:
            document = json.loads(content)
        except json.JSONDecodeError as error:
            return Extraction(
                content,
                None,
                "invalid",
                f"the server's output is not JSON: {error.msg} at character {error.pos}",
                stats,
            )
        problems = schema_problems(document, self.task)
        if problems:
            return Extraction(content, None, "invalid", f"the server's output breaks the schema: {problems[0]}", stats)
        problems = grounding_problems(document, article, self.task) if options.grounded else []
        if problems and stats["grounding"] == "grammar":
            return Extraction(
                content,
                None,
                "invalid",
                f"the server's output does not follow the grounded grammar: {problems[0]}",
                stats,
            )
        if problems:
            return Extraction(
                content,
                document,
                "ungrounded",
                f"not grounded in the article (the server has no "
                f"grounded grammar; checked after generation): {problems[0]}",
                stats,
            )
        return Extraction(content, document, "ok", None, stats)

    def _body(self, messages: list[dict[str, str]], options: ExtractOptions, max_tokens: int) -> dict[str, Any]:
        return {
            "model": self._model_name,
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": options.temperature,
            "top_p": options.top_p,
            "seed": options.seed,
        }

    # --- the adapter (summarizer.backends.adapter): short requests about one article ------------

    def article_spans(self, chat: RequestChat, article: str) -> list[tuple[int, int]]:
        return [(0, len(article))]  # the server's context is its own: an article is sent whole

    def generate(self, context: Context, batch: Batch, totals: dict[str, float]) -> list[tuple[str, bool]]:
        """One chat request per request (the chat the in-process backends render), all of them in
        flight at once up to ``in_flight`` per backend, so the server can batch them; each answer is
        checked against the batch's answer format, since a server may ignore a grammar or take only
        JSON Schema."""
        pairs = zip(batch.requests, batch.grammars, strict=True)
        bodies = [self._request_body(context, batch, request, grammar) for request, grammar in pairs]
        futures = [self.pool.submit(self.client.post, "/chat/completions", body) for body in bodies]
        try:
            answers = [read_choice(future.result()) for future in futures]
        except RequestFailed as error:
            raise Refused("failed", str(error)) from None
        finally:
            for future in futures:
                future.cancel()  # after a failure, do not send what has not gone yet
        totals["generations"] = totals.get("generations", 0) + len(answers)
        for key in ("prompt_tokens", "generated_tokens"):
            context.notes.setdefault(key, 0)
        context.notes["grounding"] = self.grounding(context.options)
        return [self._checked(context, batch.form, *answer) for answer in answers]

    def _request_body(self, context: Context, batch: Batch, request: str, grammar: str) -> dict[str, Any]:
        options, form = context.options, batch.form
        messages = context.chat.messages(context.article, request)
        body = self._body(messages, options, min(batch.limit, options.max_new_tokens))
        if self.grounding(options) == "grammar" or (not options.grounded and self.dialect in GRAMMAR_FIELDS):
            body.update(GRAMMAR_FIELDS[self.dialect](grammar))
        else:
            schema = {"name": form.name, "schema": form.schema, "strict": True}
            body["response_format"] = {"type": "json_schema", "json_schema": schema}
        return body

    def _checked(
        self, context: Context, form: AnswerFormat, content: str, finish: str | None, usage: dict
    ) -> tuple[str, bool]:
        """(text, stopped) once the answer is known to be what its grammar allows: Refused when it is
        not (the server ignored the grammar); its grounding problems noted when only a check after
        generation can find them."""
        context.answers.append(content)
        context.notes["prompt_tokens"] += usage.get("prompt_tokens") or 0
        context.notes["generated_tokens"] += usage.get("completion_tokens") or 0
        if finish == "length":
            return content, False  # cut off: the strategy loses this answer, as in process
        try:
            value = json.loads(content)
        except json.JSONDecodeError as error:
            problem = f"the server's {form.name} is not JSON: {error.msg} at character {error.pos}"
            raise Refused("invalid", problem) from None
        shape, grounding = form.problems(value)
        if not shape and form.usable is not None and not form.usable(value):
            key = f"{form.name}_replaced"
            context.notes[key] = context.notes.get(key, 0) + 1
            return content, False
        if shape:
            raise Refused("invalid", f"the server's {form.name} breaks the {form.name} format: {shape[0]}")
        mode = self.grounding(context.options)
        if grounding and mode == "grammar":
            raise Refused("invalid", f"the server's {form.name} does not follow the grounded grammar: {grounding[0]}")
        if grounding and mode == "checked":
            context.ungrounded += grounding
        return content, True


def _api_key(variable: str | None) -> str | None:
    import os

    if variable is None:
        return None
    key = os.environ.get(variable)
    if not key:
        raise ModelError(f"--api-key-env {variable}: that environment variable is not set")
    return key


def read_choice(answer: Any) -> tuple[str, str | None, dict]:
    """(content, finish_reason, usage) of a chat completion; RequestFailed when it is not one."""
    try:
        choice = answer["choices"][0]
        content = choice["message"]["content"]
    except (KeyError, IndexError, TypeError):
        shown = _excerpt(json.dumps(answer).encode())
        raise RequestFailed(f"malformed response (no choices[0].message.content): {shown}") from None
    if not isinstance(content, str):
        raise RequestFailed("malformed response: the message content is not text")
    usage = answer.get("usage") if isinstance(answer.get("usage"), dict) else {}
    return content, choice.get("finish_reason"), usage
