"""review.html in a real browser: headless Chromium loads a report built from an article
with injected markup; the markup must show as text and no script may run.

How "no script ran" is observed: see summarizer/testing/browser.py. A control page with the same
markup unescaped proves that this browser runs such scripts and that the check sees them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.backends.base import Backend
from summarizer.core.records import Extraction, ExtractOptions
from summarizer.tasks.claims.review import content_security_policy
from summarizer.testing.browser import CHROMIUM, IMG, SCRIPT, SKIP_REASON, chromium, dump_dom, parse, scripts_ran

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason=SKIP_REASON)

ARTICLE = f"Officials said 12 civilians were killed in Kharkiv. {SCRIPT} Medics said 30 were injured. {IMG}\n"
GOLD = {
    "summary": "Officials say 12 civilians were killed.",
    "claims": [
        {
            "claimant": "Officials",
            "claimant_type": "state",
            "claimant_side": None,
            "outcome": "killed",
            "victim_side": None,
            "victim_group": "civilians",
            "equipment": None,
            "count": {"value": 12, "qualifier": "exact", "upper": None},
            "period": None,
            "location": "Kharkiv",
            "perpetrator_side": None,
            "verification": "not_stated",
            "evidence": "Officials said 12 civilians were killed in Kharkiv.",
        }
    ],
}


class InjectingBackend(Backend):
    """A model whose output carries markup too: in a field and in a second claim's evidence."""

    name = "injecting"

    @property
    def model_id(self) -> str:
        return f"evil{SCRIPT}"

    def extract(self, article: str, options: ExtractOptions) -> Extraction:
        doc = json.loads(json.dumps(GOLD))
        doc["claims"][0]["claimant"] = f"Officials{IMG}"
        doc["summary"] = f"Summary {SCRIPT}"
        extra = dict(doc["claims"][0], outcome="injured", evidence=f"Medics said 30 were injured. {IMG}")
        extra["count"] = {"value": 30, "qualifier": "exact", "upper": None}
        doc["claims"].append(extra)
        return Extraction(raw=json.dumps(doc), document=doc, status="ok", stats={"seconds": 0.01})


@pytest.fixture(scope="module")
def review_page(tmp_path_factory) -> Path:
    from summarizer.evaluation.evaluate import evaluate

    root = tmp_path_factory.mktemp("browser")
    data = root / "data"
    (data / "articles").mkdir(parents=True)
    (data / "labels").mkdir()
    (data / "articles" / "injected.txt").write_text(ARTICLE, encoding="utf-8")
    (data / "labels" / "injected.json").write_text(json.dumps(GOLD), encoding="utf-8")
    evaluate(f"evil{SCRIPT}", data, out_dir=root / "report", store=root / "runs.sqlite3", backend=InjectingBackend())
    return root / "report" / "review.html"


def test_the_check_sees_scripts_that_run(tmp_path):
    """Control: the same markup unescaped does run in this browser, and the check notices."""
    control = tmp_path / "control.html"
    control.write_text(f"<!DOCTYPE html><html><head><title>t</title></head><body>{SCRIPT}{IMG}</body></html>")
    assert scripts_ran(parse(dump_dom(control, tmp_path)))


def test_the_security_policy_alone_stops_injected_scripts(tmp_path):
    """Defence in depth: even unescaped markup would not run under the page's policy."""
    page = tmp_path / "csp.html"
    meta = f'<meta http-equiv="Content-Security-Policy" content="{content_security_policy()}">'
    page.write_text(f"<!DOCTYPE html><html><head>{meta}<title>t</title></head><body>{SCRIPT}{IMG}</body></html>")
    assert not scripts_ran(parse(dump_dom(page, tmp_path)))


def test_injected_markup_shows_as_text_and_runs_nothing(review_page, tmp_path):
    dom = parse(dump_dom(review_page, tmp_path))
    assert not scripts_ran(dom)
    assert dom.title.startswith("Review: evil") and SCRIPT in dom.title
    tags = {tag for tag, _ in dom.tags}
    assert "script" not in tags and "img" not in tags
    text = "".join(dom.text)
    assert text.count(SCRIPT) >= 3  # article text, predicted summary, page title
    assert text.count(IMG) >= 2  # article text, predicted claimant / evidence
    assert "Matched (1)" in text and "Spurious: predicted claims with no gold claim (1)" in text


def test_the_page_renders_to_a_screenshot(review_page, tmp_path):
    shot = tmp_path / "review.png"
    chromium([f"--screenshot={shot}", "--window-size=1200,900", review_page.as_uri()], tmp_path)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1200, 900)
    assert len(data) > 20_000  # a page with text and highlights, not a blank canvas
