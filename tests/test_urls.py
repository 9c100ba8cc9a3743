"""Server addresses: one check before anything is sent, credentials never shown (issue 22)."""

from __future__ import annotations

import pytest

from summarizer.core.urls import redact, url_problem


@pytest.mark.parametrize(
    "text, shown",
    [
        ("http://user:PASSWORD@host/v1", "http://[redacted]@host/v1"),
        (
            "cannot reach https://token@h:8000/v1/models: refused",
            "cannot reach https://[redacted]@h:8000/v1/models: refused",
        ),
        ("http://host/v1 and mail a@b", "http://host/v1 and mail a@b"),
        ("key sk-1 echoed: sk-1", "key [redacted] echoed: [redacted]"),
    ],
)
def test_credentials_and_secrets_are_redacted(text, shown):
    assert redact(text, ("sk-1",)) == shown


@pytest.mark.parametrize(
    "url, problem",
    [
        ("127.0.0.1:8000/v1", "must start with http:// or https://"),
        ("http://[::1/v1", "is not a valid URL (Invalid IPv6 URL)"),
        ("http://host:99999/v1", "its port is out of range (1-65535)"),
        ("http://host:0/v1", "its port is out of range (1-65535)"),
        ("http://host:port/v1", "is not a valid URL (Port could not be cast to integer value as 'port')"),
        ("http://my host/v1", "holds a space or other whitespace (encode it as %20)"),
        ("http:///v1", "has no host name"),
        (
            "http://user:PASSWORD@host/v1",
            "holds a user name or password; put the API key in an environment variable (--api-key-env)",
        ),
        ("http://127.0.0.1:8000/v1", None),
        ("https://[::1]:8000/v1", None),
    ],
)
def test_a_base_url_is_checked_once(url, problem):
    assert url_problem(url) == problem
