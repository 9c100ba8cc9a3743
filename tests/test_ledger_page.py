"""ledger.html (summarizer/claimledger/page.py): as text (escaped, every number linked to its
quote, one conflicts table per order) and in a real browser (headless Chromium, as
test_review_browser.py): markup injected through an article, a claimant and a quote shows as text
and runs nothing; the conflicts table sorts with no script (a heading link brings another order
to the front); it renders."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from summarizer.claimledger.api import build_ledger
from summarizer.claimledger.page import CONFLICT_ORDERS, content_security_policy, number
from summarizer.testing.browser import CHROMIUM, IMG, SCRIPT, SKIP_REASON, chromium, dump_dom, parse, scripts_ran

SERIES = Path(__file__).resolve().parent.parent / "eval" / "datasets" / "ledger-series"


def injected_dataset(root: Path) -> Path:
    """The series with markup in an article, a claimant and an evidence quote."""
    data = root / "data"
    (data / "articles").mkdir(parents=True)
    (data / "labels").mkdir()
    for article in (SERIES / "articles").glob("*.txt"):
        (data / "articles" / article.name).write_text(article.read_text(encoding="utf-8"), encoding="utf-8")
    for label in (SERIES / "labels").glob("*.json"):
        (data / "labels" / label.name).write_text(label.read_text(encoding="utf-8"), encoding="utf-8")
    text = (data / "articles" / "s06.txt").read_text(encoding="utf-8")
    (data / "articles" / "s06.txt").write_text(text + f"\nA note {SCRIPT} {IMG}\n", encoding="utf-8")
    doc = json.loads((data / "labels" / "s06.json").read_text(encoding="utf-8"))
    doc["claims"][0]["claimant"] = f"Armenia's Defence Ministry{IMG}"
    doc["claims"][1]["evidence"] = f"{doc['claims'][1]['evidence']} {SCRIPT}"
    (data / "labels" / "s06.json").write_text(json.dumps(doc), encoding="utf-8")
    return data


@pytest.fixture(scope="module")
def ledger_page(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("page")
    data = injected_dataset(root)
    build_ledger([data], out=root / "l.sqlite3", page=root / "ledger.html", title=f"Ledger {SCRIPT}")
    return root / "ledger.html"


@pytest.fixture(scope="module")
def page(ledger_page) -> str:
    return ledger_page.read_text(encoding="utf-8")


def test_markup_from_inputs_is_escaped(page):
    assert "<script" not in page and "<img src=x" not in page
    assert page.count("&lt;script&gt;document.title=&#x27;pwned&#x27;&lt;/script&gt;") >= 3  # title, article, quote
    assert "&lt;img src=x onerror=" in page


def test_the_policy_allows_no_script_and_only_inline_images(page):
    policy = content_security_policy()
    assert "script-src 'none'" in policy and "img-src data:" in policy and "default-src 'none'" in policy
    assert f'content="{policy}"' in page.replace("&#x27;", "'")
    assert re.findall(r'src="([^"]+)"', page) and all(
        s.startswith("data:image/png;base64,") for s in re.findall(r'src="([^"]+)"', page)
    )
    assert "http://" not in page and "https://" not in page


def test_every_number_links_to_a_quote_on_the_page(page):
    targets = set(re.findall(r'href="#q-(\d+)"', page))
    anchors = set(re.findall(r'id="q-(\d+)"', page))
    assert len(targets) == 25  # every claim of the series is shown somewhere
    assert targets <= anchors


def test_one_conflicts_table_per_order_each_sorted(page):
    tables = dict(re.findall(r'<table class="conflicts" data-order="([a-z-]+)">(.*?)</table>', page, re.S))
    assert sorted(tables) == sorted(order for order, *_ in CONFLICT_ORDERS)
    dates = {order: re.findall(r'<tr class="conflict"><td>([0-9-]+)</td>', body) for order, body in tables.items()}
    assert dates["by-date"] == ["2031-03-05", "2031-03-08", "2031-03-09", "2031-03-10", "2031-03-13"]
    assert dates["by-date-desc"] == list(reversed(dates["by-date"]))
    spreads = [float(s) for s in re.findall(r'class="num">×([0-9.]+)</td>', tables["by-spread"])]
    assert spreads == sorted(spreads, reverse=True) and spreads[0] == 5.75  # Kapan: 23 against 4
    # the default order is the last of its siblings (CSS :target ~ .default hides it)
    assert page.index('id="by-date"') > max(page.index(f'id="{o}"') for o, *_ in CONFLICT_ORDERS[1:])


def test_the_page_names_flags_uncorroborated_figures_and_unplaced_claims(page):
    assert "running total went down from 1,610 to 1,480" in page
    assert "2,400 against a median of 95 for the other days" in page
    assert "Figures nobody corroborates (4 groups)" in page
    assert "Claims in no group (0)" in page and "Every claim is in a group." in page


def test_numbers():
    assert (number(1610.0), number(2.5), number(None), number(1234567)) == ("1,610", "2.5", "–", "1,234,567")


# -- in a browser --------------------------------------------------------------------------
browser = pytest.mark.skipif(CHROMIUM is None, reason=SKIP_REASON)


@browser
def test_injected_markup_shows_as_text_and_runs_nothing(ledger_page, tmp_path):
    dom = parse(dump_dom(ledger_page, tmp_path))
    assert not scripts_ran(dom)
    assert dom.title == f"Ledger {SCRIPT}"
    tags = [tag for tag, _ in dom.tags]
    assert "script" not in tags
    images = [attrs for tag, attrs in dom.tags if tag == "img"]
    assert len(images) == 3 and all(attrs["src"].startswith("data:image/png;base64,") for attrs in images)
    text = "".join(dom.text)
    assert text.count(SCRIPT) >= 3  # title (heading), article, quote
    assert "Conflicts (5)" in text


def screenshot(page_uri: str, tmp_path: Path, name: str) -> bytes:
    shot = tmp_path / f"{name}.png"
    # A screenshot may be taken before the page's plots (data: PNGs, decoded apart from the
    # load) are painted: on a busy CI machine two shots of one page once differed by 6,389
    # pixels. Virtual time lets the page settle first, and every compositor stage runs before
    # the frame is drawn.
    settle = ["--virtual-time-budget=5000", "--run-all-compositor-stages-before-draw"]
    chromium([f"--screenshot={shot}", "--window-size=1200,900", *settle, page_uri], tmp_path)
    return shot.read_bytes()


def pixels_that_differ(one: bytes, other: bytes) -> int:
    from io import BytesIO

    from PIL import Image, ImageChops

    first, second = (Image.open(BytesIO(png)).convert("RGB") for png in (one, other))
    difference = ImageChops.difference(first, second).convert("L").point(lambda value: 255 if value else 0)
    return difference.histogram()[255]


@browser
def test_a_heading_link_sorts_the_conflicts_without_script(ledger_page, tmp_path):
    default = screenshot(ledger_page.as_uri(), tmp_path, "default")
    again = screenshot(ledger_page.as_uri(), tmp_path, "again")
    by_spread = screenshot(ledger_page.as_uri() + "#by-spread", tmp_path, "spread")
    assert default[:8] == b"\x89PNG\r\n\x1a\n"
    assert (int.from_bytes(default[16:20], "big"), int.from_bytes(default[20:24], "big")) == (1200, 900)
    assert len(default) > 20_000  # text, tables and a plot, not a blank page
    # Headless rendering is not bit-exact from run to run (a stray anti-aliased pixel
    # once made two screenshots of one page differ by a byte), so the order is told
    # from that noise by how many pixels change: reordered rows repaint whole lines.
    noise = pixels_that_differ(default, again)
    assert noise < 200
    assert pixels_that_differ(default, by_spread) > 2_000 + 10 * noise


@browser
def test_the_quote_a_number_links_to_is_in_the_dom(ledger_page, tmp_path):
    dom = parse(dump_dom(ledger_page, tmp_path))
    ids = {attrs.get("id") for _, attrs in dom.tags}
    links = [attrs["href"][1:] for tag, attrs in dom.tags if tag == "a" and attrs.get("href", "").startswith("#q-")]
    assert links and set(links) <= ids


def test_a_claimants_figures_are_capped_flagged_ones_first(monkeypatch):
    import summarizer
    from summarizer.claimledger.page import LIMITS, render_page

    monkeypatch.setitem(LIMITS, "points", 2)
    ledger = summarizer.ledger(SERIES / "labels")
    html = render_page(ledger.tables, {}, ledger.summary, {"Azerbaijan's Defence Ministry": b"\x89PNG"})
    section = html[html.index('<h3 class="claimant">') : html.index('<h2 id="uncorroborated">')]
    assert section.count('<span class="flag">') == 2 and section.count("<tr><td>2031-") == 2
    assert "10 more figures of Azerbaijan&#x27;s Defence Ministry in the database." in section
