"""A small OpenAI-compatible server on loopback that answers as a test scripts it.

For the error cases of the ``openai`` backend that need a misbehaving server (HTTP
errors, malformed answers, retries, a server that never answers). It listens on
127.0.0.1 only, on a free port, and serves from a daemon thread:

    with FakeServer(reply=lambda body: (200, completion('{"summary":"x","claims":[]}'))) as server:
        backend = get_backend("fake", "openai", base_url=server.url)
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# (status, body: a dict sent as JSON or bytes sent as they are, extra headers)
Reply = tuple[int, Any] | tuple[int, Any, dict[str, str]]
EMPTY_DOCUMENT = '{"summary":"No casualty figures.","claims":[]}'


def completion(
    content: str | None, finish: str = "stop", prompt_tokens: int = 100, completion_tokens: int = 20
) -> dict:
    """A chat completion answer as OpenAI-compatible servers send it."""
    return {
        "id": "cmpl-1",
        "object": "chat.completion",
        "model": "fake",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens},
    }


NO_CLAIM_LABEL = '{"outcome":"none"}'
SUMMARY = '"No casualty figures."'


def always(content: str = EMPTY_DOCUMENT) -> Callable[[dict], Reply]:
    return lambda body: (200, completion(content))


def request_kind(body: dict) -> str:
    """What a chat request asks for: "probe" (whether the server takes a Lark grammar), "document"
    (--strategy document), "actor" (what kind of actor a name is), "label" (one figure) or "summary"."""
    from summarizer.tasks.claims.figure_prompting import figure_prompt_parts

    if _is_probe(body):
        return "probe"
    parts = figure_prompt_parts()
    messages = body.get("messages") or [{}]
    if messages[0].get("content") != parts.system:
        return "document"
    last = messages[-1].get("content", "")
    if last.startswith(parts.actor.split("{actor}")[0]):
        return "actor"
    return "summary" if last.startswith(parts.summary.split("{claims}")[0]) else "label"


def _is_probe(body: dict) -> bool:
    from summarizer.backends.openai_backend import PROBE_MESSAGES

    return body.get("messages") == PROBE_MESSAGES


def empty_answer(body: dict) -> Reply:
    """A valid answer of the kind asked, with no claim: an empty document, a "none" label, a summary."""
    content = {"document": EMPTY_DOCUMENT, "actor": '{"kind":"other"}', "label": NO_CLAIM_LABEL, "summary": SUMMARY}[
        request_kind(body)
    ]
    return 200, completion(content)


# What a llama-server built without LLAMA_LLGUIDANCE answers a request with a Lark grammar (b11434, as
# tests/test_openai_backend_llama_server.py sees it).
NO_LLGUIDANCE = {
    "error": {
        "code": 400,
        "message": "Failed to initialize samplers: failed to parse grammar: llguidance is not enabled",
        "type": "invalid_request_error",
    }
}


class FakeServer:
    """``url`` is the base URL (``http://127.0.0.1:PORT/v1``); ``requests`` the chat requests' bodies
    and ``headers`` their headers, in the order they came; ``probes`` the bodies of the one-token
    grammar requests a backend sends before choosing the llama dialect (answered by the server, not
    ``reply``); ``peak`` the most chat requests it was answering at once."""

    def __init__(
        self,
        reply: Callable[[dict], Reply] | None = None,
        model: str = "fake",
        owned_by: str = "vllm",
        version: str | None = "0.0-fake",
        root: str = "/models/fake",
        card: dict | None = None,
        port: int = 0,
        llguidance: bool = True,
        props: dict | None = None,
    ):
        """``card``: the whole /v1/models entry (a real server's, for a proxy); ``port``: 0 for a free one.
        As llama-server: ``llguidance`` False refuses every request in the ``grammar`` field with HTTP 400
        (a default build); ``props``: what ``GET /props`` answers (its ``total_slots``, ``build_info``)."""
        self.reply = reply or empty_answer
        self.card = card or {"id": model, "object": "model", "owned_by": owned_by, "root": root}
        self.version = version
        self.llguidance, self.props = llguidance, props
        self.requests: list[dict] = []
        self.probes: list[dict] = []
        self.headers: list[dict[str, str]] = []
        self.active = self.peak = 0
        self.lock = threading.Lock()
        self.http = _QuietServer(("127.0.0.1", port), _handler(self))
        self.http.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/v1"

    def __enter__(self) -> FakeServer:
        # A short poll: stop() waits for the loop to notice, once per test.
        threading.Thread(target=self.http.serve_forever, args=(0.02,), daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop listening: new connections are refused from here on."""
        self.http.shutdown()
        self.http.server_close()

    def answer(self, method: str, path: str, body: dict | None, headers: dict[str, str]) -> Reply:
        if method == "GET" and path == "/v1/models":
            return 200, {"object": "list", "data": [self.card]}
        if method == "GET" and path == "/version" and self.version:
            return 200, {"version": self.version}
        if method == "GET" and path == "/props" and self.props is not None:
            return 200, self.props
        if method == "POST" and path == "/v1/chat/completions" and body is not None:
            probe = _is_probe(body)
            with self.answering(body, headers, probe):
                if "grammar" in body and not self.llguidance:
                    return 400, NO_LLGUIDANCE
                return (200, completion("1")) if probe else self.reply(body)
        return 404, {"detail": "Not Found"}

    @contextmanager
    def answering(self, body: dict, headers: dict[str, str], probe: bool) -> Iterator[None]:
        """Counts a chat request (in ``probes`` or ``requests``) and keeps ``peak`` while it is answered."""
        with self.lock:
            if probe:
                self.probes.append(body)
            else:
                self.requests.append(body)
                self.headers.append(headers)
            self.active += 1
            self.peak = max(self.peak, self.active)
        try:
            yield
        finally:
            with self.lock:
                self.active -= 1


class ProxyServer(FakeServer):
    """Passes every request on to the server at ``upstream`` (its root: ``http://127.0.0.1:PORT``)
    as it is, and its answer back as it came, errors included: what a backend sends a real server,
    seen from between them (``requests``, the grammar probe among them, ``peak``)."""

    def __init__(self, upstream: str, port: int = 0, timeout: float = 600.0):
        super().__init__(port=port)
        self.upstream, self.timeout = upstream.rstrip("/"), timeout

    def answer(self, method: str, path: str, body: dict | None, headers: dict[str, str]) -> Reply:
        if method != "POST" or body is None:
            return _forward(f"{self.upstream}{path}", None, self.timeout)
        with self.answering(body, headers, probe=False):
            return _forward(f"{self.upstream}{path}", body, self.timeout)


def _forward(url: str, body: dict | None, timeout: float) -> Reply:
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that gave up (a test's timeout) leaves a broken pipe: expected here


def _handler(server: FakeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._respond(server.answer("GET", self.path, None, dict(self.headers)))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"null")
            self._respond(server.answer("POST", self.path, body, dict(self.headers)))

        def _respond(self, reply: Reply) -> None:
            status, payload, *extra = reply
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (extra[0] if extra else {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

    return Handler
