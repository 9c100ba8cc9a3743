"""review.html: escaping, the security policy, evidence highlighting, the claim lists."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

import pytest

from summarizer.tasks.claims.review import Span, content_security_policy, highlight, mark_invented, render_review
from summarizer.tasks.claims.scoring import score_documents

SCRIPT = "<script>document.title='pwned'</script>"
IMG = "<img src=x onerror=\"document.body.appendChild(document.createElement('blink'))\">"
ARTICLE = (
    f"Officials said 12 civilians were killed in Kharkiv. {SCRIPT} "
    f"Medics reported 30 people injured. {IMG} Police said 4 soldiers were captured."
)
ALLOWED_TAGS = {
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "h1",
    "h2",
    "h3",
    "p",
    "br",
    "strong",
    "span",
    "table",
    "tr",
    "th",
    "td",
    "a",
    "details",
    "summary",
    "div",
    "mark",
    "sup",
    "pre",
}


def claim(value, outcome="killed", group="civilians", evidence="12 civilians were killed", **extra):
    base = {
        "claimant": "Officials",
        "claimant_type": "state",
        "claimant_side": None,
        "outcome": outcome,
        "victim_side": "Ukraine",
        "victim_group": group,
        "equipment": None,
        "count": {"value": value, "qualifier": "exact", "upper": None},
        "period": None,
        "location": "Kharkiv",
        "perpetrator_side": None,
        "verification": "not_stated",
        "evidence": evidence,
    }
    return {**base, **extra}


GOLD = {
    "summary": "Officials report 12 killed; medics 30 injured.",
    "claims": [
        claim(12, evidence="Officials said 12 civilians were killed in Kharkiv."),
        claim(30, outcome="injured", group="unspecified", evidence="Medics reported 30 people injured."),
    ],
}
PRED = {
    "summary": f"Model summary {SCRIPT}",
    "claims": [
        claim(12, claimant='Officials"><script>alert(1)</script>', evidence="12 civilians were killed"),
        claim(4, outcome="captured", group="military", evidence="4 soldiers were captured"),
        claim(1, outcome="killed", group="men", evidence=f"{IMG} not in the article"),
    ],
}


class PageParser(HTMLParser):
    """Collects every tag, every attribute and the text of the page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(page: str) -> PageParser:
    parser = PageParser()
    parser.feed(page)
    return parser


@pytest.fixture(scope="module")
def page() -> str:
    report = score_documents({"a1": GOLD}, {"a1": PRED}, {"a1": ARTICLE})
    return render_review({"a1": ARTICLE}, {"a1": GOLD}, {"a1": PRED}, report, title=f"Review {SCRIPT}")


def test_injected_markup_is_text_not_tags(page):
    parsed = parse(page)
    tags = {tag for tag, _ in parsed.tags}
    assert tags <= ALLOWED_TAGS, tags - ALLOWED_TAGS
    assert "script" not in tags and "img" not in tags
    assert not [name for _, attrs in parsed.tags for name in attrs if name.startswith("on")]
    text = "".join(parsed.text)
    assert SCRIPT in text and IMG in text  # shown to the reader, as text
    assert "&lt;script&gt;document.title=&#x27;pwned&#x27;&lt;/script&gt;" in page


def test_attribute_values_cannot_be_broken_out_of(page):
    for _, attrs in parse(page).tags:
        for name, value in attrs.items():
            assert name in {"charset", "http-equiv", "content", "name", "lang", "class", "id", "href", "title", "open"}
            if name == "href":
                assert value.startswith("#")  # in-page links only, nothing on the network


def test_the_security_policy_forbids_scripts_and_pins_our_stylesheet(page):
    policy = content_security_policy()
    assert "script-src 'none'" in policy and "default-src 'none'" in policy
    metas = [attrs for tag, attrs in parse(page).tags if tag == "meta" and attrs.get("http-equiv")]
    assert metas and metas[0]["content"] == policy
    assert page.index("Content-Security-Policy") < page.index("<style>") < page.index("<body>")
    style = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in policy


def test_claims_are_listed_as_matched_missed_and_spurious(page):
    assert "Matched (1)" in page
    assert "Missed: gold claims with no prediction (1)" in page
    assert "Spurious: predicted claims with no gold claim (2)" in page
    # The matched pair differs in the claimant only, shown as a highlighted row with its error kind.
    diff_rows = re.findall(r'<tr class="diff"><td class="field">([^<]+)<span class="badge bad">(\w+)</span>', page)
    assert diff_rows == [("claimant", "wrong")]
    assert "G1 ↔ P1" in page


def test_evidence_spans_are_highlighted_for_gold_and_prediction(page):
    marks = re.findall(r'<mark class="([^"]+)" title="([^"]+)">([^<]*)</mark>', page)
    by_label = {}
    for classes, labels, text in marks:
        for label in labels.split(", "):
            by_label.setdefault(label, []).append((classes, text))
    assert "".join(t for _, t in by_label["G1"]) == "Officials said 12 civilians were killed in Kharkiv."
    assert "".join(t for _, t in by_label["P1"]) == "12 civilians were killed"
    assert all(classes == "gold pred" for classes, _ in by_label["P1"])  # inside G1
    assert by_label["P2"] == [("pred", "4 soldiers were captured")]
    assert "P3" not in by_label  # its evidence is not in the article: listed, not highlighted
    assert "G2" in by_label


def test_article_scores_are_on_the_page(page):
    assert re.search(r"<span class=\"badge\">F1 0\.400</span>", page)  # 1 match, 2 gold, 3 predicted


# -- highlight() -------------------------------------------------------------------------------
def visible_text(fragment: str) -> str:
    """The text a reader sees, without the claim-number tags."""
    without_tags = re.sub(r"<sup[^>]*>.*?</sup>", "", fragment)
    parser = parse(without_tags)
    return "".join(parser.text)


@pytest.mark.parametrize(
    "spans",
    [
        [Span(0, 10, "gold", "G1"), Span(5, 15, "pred", "P1")],  # overlapping
        [Span(0, 20, "gold", "G1"), Span(5, 10, "pred", "P1")],  # nested
        [Span(3, 9, "gold", "G1"), Span(3, 9, "pred", "P1")],  # identical
        [Span(0, 4, "gold", "G1"), Span(4, 8, "gold", "G2"), Span(2, 6, "pred", "P1")],  # adjacent + across
        [],
    ],
)
def test_highlighting_keeps_the_text_exactly(spans):
    text = "a<b>c & \"quoted\" 'x' ünïcödé\nnext line"
    assert visible_text(highlight(text, spans)) == text


def test_overlapping_spans_are_cut_into_pieces_with_both_classes():
    text = "0123456789abcdefghij"
    out = highlight(text, [Span(0, 10, "gold", "G1"), Span(5, 15, "pred", "P1")])
    pieces = re.findall(r'<mark class="([^"]+)" title="([^"]+)">([^<]*)</mark>', out)
    assert pieces == [("gold", "G1", "01234"), ("gold pred", "G1, P1", "56789"), ("pred", "P1", "abcde")]
    assert out.endswith("fghij") and "<mark" not in out.split("</mark>")[-1]


def test_a_failed_generation_shows_its_status_reason_and_escaped_raw_output():
    report = score_documents({"a1": GOLD}, {"a1": None}, {"a1": ARTICLE})
    page = render_review(
        {"a1": ARTICLE},
        {"a1": GOLD},
        {"a1": None},
        report,
        statuses={"a1": {"status": "failed", "reason": "RuntimeError: <boom>", "raw": f"{{{SCRIPT}"}},
    )
    assert "<strong>generation failed</strong>: RuntimeError: &lt;boom&gt;" in page
    assert "&lt;script&gt;" in page and "<script" not in page
    assert "Missed: gold claims with no prediction (2)" in page


def test_predicted_evidence_not_in_the_article_is_flagged(page):
    # PRED's third claim quotes text the article does not contain; the other two are found.
    assert page.count("evidence not in article") == 1
    flagged = page.split("evidence not in article")[0].rsplit('<div class="claim">', 1)[1]
    assert flagged.startswith("P3")


def test_invented_numbers_in_the_predicted_summary_are_marked_and_escaped():
    # ARTICLE has 12, 30 and 4; the summary's 99 is invented, its 12 is not.
    pred = {**PRED, "summary": f"Officials say 12 killed and 99 <b>hurt</b>. {SCRIPT}"}
    report = score_documents({"a1": GOLD}, {"a1": pred}, {"a1": ARTICLE})
    page = render_review({"a1": ARTICLE}, {"a1": GOLD}, {"a1": pred}, report)
    line = page.split("<strong>predicted summary:</strong> ", 1)[1].split("</p>", 1)[0]
    assert re.findall(r'<mark class="invented"[^>]*>([^<]*)</mark>', line) == ["99"]
    assert "&lt;b&gt;hurt&lt;/b&gt;" in line and "<b>" not in line and "&lt;script&gt;" in line
    assert "invented numbers in summaries" in page and "summary invented numbers" in page


@pytest.mark.parametrize(
    "invented, marked",
    [
        ([{"text": "99", "start": 4, "end": 6}], ["99"]),
        ([{"text": "99", "start": 0, "end": 2}], []),  # its text is not at its offsets: not marked
        ([{"text": "7", "start": 0, "end": 1}, {"text": "7 9", "start": 0, "end": 3}], ["7"]),  # overlap: the first
        ([{"text": "9", "start": "x", "end": 1}], []),
    ],
)
def test_mark_invented_marks_only_spans_that_fit(invented, marked):
    summary = "7 9 99 <i>"
    out = mark_invented(summary, invented)
    assert re.findall(r'<mark class="invented"[^>]*>([^<]*)</mark>', out) == marked
    assert visible_text(out) == summary


def test_the_article_s_cast_is_shown_escaped_when_the_generation_recorded_one():
    import json

    from summarizer.tasks.claims.review import render_review

    article = "The Hill Front said 3 died."
    gold = {"summary": "x", "claims": []}
    raw = json.dumps({"cast": [{"name": "Hill <Front>", "kind": "armed_group", "canonical": "Hill <Front>"}]})
    page = render_review(
        {"a": article}, {"a": gold}, {"a": gold}, {"per_article": []}, statuses={"a": {"status": "ok", "raw": raw}}
    )
    assert "cast (1)" in page and "<td>armed_group</td>" in page and "Hill &lt;Front&gt;" in page
    assert "cast (" not in render_review({"a": article}, {"a": gold}, {"a": gold}, {"per_article": []})
