"""Headless Chromium for the page tests (review.html, ledger.html): load a page, dump its DOM
after load, take screenshots, and tell whether an injected script ran.

How "no script ran" is observed: the injected script sets ``document.title`` and the injected
``<img onerror>`` sets an attribute on ``<body>``; ``--dump-dom`` prints the DOM after the page
has loaded, so either effect would be visible there.
"""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SKIP_REASON = "chromium is not installed (apt-get install chromium); CI installs it"
SCRIPT = "<script>document.title='pwned'</script>"
IMG = "<img src=x onerror=\"document.body.setAttribute('data-pwned','1')\">"


def chromium(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    """Run headless Chromium with a fresh profile under ``tmp_path``."""
    assert CHROMIUM is not None, SKIP_REASON
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=90, check=True)


def dump_dom(page: Path, tmp_path: Path) -> str:
    return chromium(["--dump-dom", page.as_uri()], tmp_path).stdout


class DomParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        self.text.append(data)
        if self._in_title:
            self.title += data


def parse(dom: str) -> DomParser:
    parser = DomParser()
    parser.feed(dom)
    return parser


def scripts_ran(dom: DomParser) -> bool:
    body = next(attrs for tag, attrs in dom.tags if tag == "body")
    return dom.title == "pwned" or "data-pwned" in body
