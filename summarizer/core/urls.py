"""Server addresses: checked before anything is sent, shown without their credentials.

A URL is checked once, where the options are (:mod:`summarizer.backends.options`), and every
text that may hold one (an error line, a stored reason) goes through :func:`redact` first.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

REDACTED = "[redacted]"
# scheme://user:password@ or scheme://token@ : whatever comes before the host is a credential.
_PORT_RANGE = "its port is out of range (1-65535)"
_USERINFO = re.compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^/?#@\s]*@")
# A URL's query (?api_key=...): where a key goes when a service takes it in the address. It ends
# before a space, a quote, a '#', or the punctuation of the sentence around it ("...?a=b; not").
_QUERY = re.compile(r"(?P<before>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s?#'\"]*)\?(?:[^\s#'\"]*[^\s#'\";,.)])?")


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """``text`` with each URL's user and password and its query, and each of ``secrets``, replaced
    by [redacted]."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    text = _USERINFO.sub(rf"\g<scheme>{REDACTED}@", text)
    return _QUERY.sub(rf"\g<before>?{REDACTED}", text)


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a server's base URL (``http(s)://host[:port]/path``), or None."""
    if not url.startswith(("http://", "https://")):
        return "must start with http:// or https://"
    if any(ch.isspace() for ch in url):
        return "holds a space or other whitespace (encode it as %20)"
    try:
        parts = urlsplit(url)
        port = parts.port  # ValueError for a port that is no number or out of range
    except ValueError as error:
        return _PORT_RANGE if "out of range" in str(error) else f"is not a valid URL ({error})"
    if parts.username is not None or parts.password is not None:
        return "holds a user name or password; put the API key in an environment variable (--api-key-env)"
    if "?" in url or "#" in url:  # the request paths are appended to the base URL: they would land inside it
        return (
            "holds a query or fragment ('?' or '#'); the base URL ends at its path (http://host:port/v1), "
            "and an API key goes in an environment variable (--api-key-env)"
        )
    if not parts.hostname:
        return "has no host name"
    if port == 0:
        return _PORT_RANGE
    return None
