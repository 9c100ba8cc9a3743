"""A real server for the tests that need one (vLLM, llama.cpp's llama-server): a process on a
free loopback port, waited for until it answers, and stopped when the tests are done.

The process stays in the tests' process group (no session of its own), so whatever stops the
tests as a group (CI's cleanup, a runner's cancel, Ctrl-C) stops the server with them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import pytest

STOP_WAIT_S = 60  # a server finishing its requests before it exits: past this it is killed


def unavailable(server: str, required: str, reason: str) -> NoReturn:
    """Skip the test for ``reason``, or fail it where the environment variable ``required`` is 1 (CI:
    a server that cannot be had is a failure there, not a skip)."""
    if os.environ.get(required) == "1":
        pytest.fail(f"{server} required ({required}=1): {reason}")
    pytest.skip(reason)


def free_port() -> int:
    """A port nothing listens on now, on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_server(
    name: str, command: list[str], ready_url: str, log: Path, limit_s: float, env: dict[str, str] | None = None
) -> Iterator[float]:
    """Runs ``command`` (its output to ``log``) for the length of the block, once GET ``ready_url``
    answers 200; yields the seconds it took to start. A server that exits or stays silent for
    ``limit_s`` fails the test, with the end of its log."""
    with open(log, "w") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=env)
    try:
        started = time.monotonic()
        _wait_until_up(name, process, ready_url, log, limit_s)
        yield time.monotonic() - started
    finally:
        process.terminate()
        try:
            process.wait(timeout=STOP_WAIT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_WAIT_S)


def _wait_until_up(name: str, process: subprocess.Popen, url: str, log: Path, limit_s: float) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace").splitlines()[-15:]
            pytest.fail(f"the {name} exited while starting (status {process.returncode}):\n" + "\n".join(tail))
        try:
            urllib.request.urlopen(url, timeout=5).close()  # llama-server's /health: 503 while loading
            return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"the {name} did not answer within {limit_s:.0f} s (log: {log})")
