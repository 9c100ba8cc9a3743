"""``review.html``: one self-contained page to read a model's output claim by claim.

For each article: the text with gold and predicted evidence highlighted, the predicted
summary with the figures it invents highlighted (found by the scorer), the claims as
matched / missed / spurious with the fields that differ, and the article's scores.

Safety: every string that comes from an article, a label or a model goes through
:func:`_esc` (``html.escape(quote=True)``) before it reaches the page, and the page
carries a Content-Security-Policy that allows no script at all and only our own
stylesheet (pinned by its hash). No JavaScript, no network, no CDN.
"""

from __future__ import annotations

import base64
import hashlib
import html
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from summarizer.core.text import find_span
from summarizer.reporting.formatting import fmt, fmt_interval

# Rows of a claim table; "count.value" and the like reach into the count object
# (the names the scorer uses in its field_diffs).
CLAIM_FIELDS = (
    "claimant",
    "claimant_type",
    "claimant_side",
    "outcome",
    "victim_side",
    "victim_group",
    "equipment",
    "count.value",
    "count.qualifier",
    "count.upper",
    "period",
    "location",
    "perpetrator_side",
    "verification",
    "evidence",
)

STYLE = """
body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:1rem 2rem;color:#1b1b1b}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin:0}
table{border-collapse:collapse;margin:.5rem 0}
td,th{border:1px solid #ccc;padding:.15rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}.num{text-align:right;font-variant-numeric:tabular-nums}
details.article{border:1px solid #bbb;border-radius:6px;margin:1rem 0;padding:.5rem 1rem}
details.article>summary{cursor:pointer}details.article>summary h2{display:inline}
.text{white-space:pre-wrap;background:#fafafa;border:1px solid #eee;padding:.75rem;
  font-family:Georgia,serif;line-height:1.7}
mark{background:none;color:inherit;padding:0}
mark.gold{background:#cde8ff;border-bottom:3px solid #1f6fb2}
mark.pred{background:#ffe2b8;border-bottom:3px dashed #c96a00}
mark.gold.pred{background:#d6f0cd;border-bottom:3px double #2d7a1f}
mark.invented{background:#f7c6c6;border-bottom:3px solid #b00020}
sup.tag{font:bold 10px/1 system-ui,sans-serif;padding:0 2px;border-radius:3px;margin:0 1px}
sup.tag.gold{background:#1f6fb2;color:#fff}sup.tag.pred{background:#c96a00;color:#fff}
.legend span{margin-right:1rem}
.claims h3{font-size:1rem;margin:.75rem 0 .25rem}
.claim{margin:.25rem 0 .75rem}.claim td:first-child{color:#555;white-space:nowrap}
tr.diff td{background:#fff1f1}tr.diff td.field{font-weight:bold}
.badge{display:inline-block;font-size:12px;padding:0 .4rem;border-radius:8px;background:#eee;margin-left:.4rem}
.badge.matched{background:#d6f0cd}.badge.missed{background:#cde8ff}.badge.spurious{background:#ffe2b8}
.badge.bad{background:#f7c6c6}.muted{color:#666}
pre.raw{white-space:pre-wrap;max-height:20rem;overflow:auto;background:#f6f6f6;padding:.5rem}
""".strip()


def _esc(value: Any) -> str:
    """Every value shown on the page goes through here."""
    return html.escape("" if value is None else str(value), quote=True)


def _style_hash() -> str:
    digest = hashlib.sha256(STYLE.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def content_security_policy() -> str:
    """No scripts, no network, no plugins; our one <style> block only (pinned by hash)."""
    return (
        "default-src 'none'; script-src 'none'; object-src 'none'; base-uri 'none'; "
        f"form-action 'none'; style-src '{_style_hash()}'; img-src 'none'"
    )


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str  # "gold" | "pred"
    label: str  # "G1", "P3": the claim's number in its list


def render_review(
    articles: Mapping[str, str],
    gold: Mapping[str, dict],
    pred: Mapping[str, dict | None],
    report: Mapping[str, Any],
    *,
    title: str = "Review",
    statuses: Mapping[str, Mapping[str, Any]] | None = None,
) -> str:
    """The whole page as a string.

    ``report`` is :func:`summarizer.tasks.claims.scoring.score_documents`'s output for these
    documents; ``statuses`` (optional) maps an article id to ``{"status", "reason", "raw"}``
    of the generation, shown when a prediction is not a valid document.
    """
    rows = {row["id"]: row for row in report.get("per_article", [])}
    ids = [article_id for article_id in articles if article_id in gold]
    sections = [
        _article_section(
            number,
            article_id,
            articles[article_id],
            gold[article_id],
            pred.get(article_id),
            rows.get(article_id, {}),
            (statuses or {}).get(article_id, {}),
        )
        for number, article_id in enumerate(ids, 1)
    ]
    return _page(title, _headline(report) + _legend() + _contents(ids, rows) + "".join(sections))


def _page(title: str, body: str) -> str:
    return html_page(title, body, STYLE, content_security_policy())


def html_page(title: str, body: str, style: str, policy: str) -> str:
    """A whole static page: ``title`` (escaped) as title and heading, ``body`` (already safe HTML),
    one ``<style>`` block and the Content-Security-Policy ``policy`` (the ledger page shares it)."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_esc(policy)}">'
        '<meta name="referrer" content="no-referrer">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_esc(title)}</title><style>{style}</style></head>\n"
        f"<body><h1>{_esc(title)}</h1>\n{body}\n</body></html>\n"
    )


# -- page header ---------------------------------------------------------------------------
_HEADLINE = (
    ("claim_precision", "claim precision"),
    ("claim_recall", "claim recall"),
    ("claim_f1", "claim F1"),
    ("strict_f1", "strict F1"),
    ("attributed_f1", "attributed F1"),
    ("count_accuracy", "count accuracy"),
    ("validity_rate", "validity"),
    ("grounding_rate", "grounding"),
    ("hallucinated_number_rate", "hallucinated numbers"),
    ("summary_invented_number_rate", "invented numbers in summaries"),
    ("summaries_with_invented_number_rate", "summaries inventing a number"),
)


def _headline(report: Mapping[str, Any]) -> str:
    ci = report.get("ci") or {}
    cells = "".join(
        f'<tr><th>{_esc(label)}</th><td class="num">{_esc(fmt(report.get(key)))}</td>'
        f'<td class="num muted">{_esc(fmt_interval(ci.get(key), missing=""))}</td></tr>'
        for key, label in _HEADLINE
        if key in report
    )
    header = "<tr><th>metric</th><th>value</th><th>95% CI</th></tr>"
    return f'<table class="headline">{header}{cells}</table>\n'


def _legend() -> str:
    return (
        '<p class="legend"><span><mark class="gold">gold evidence</mark></span>'
        '<span><mark class="pred">predicted evidence</mark></span>'
        '<span><mark class="gold pred">both</mark></span>'
        '<span><mark class="invented">number in a summary that is not in the article</mark></span>'
        '<span class="muted">tags: G = gold claim number, P = predicted claim number</span></p>\n'
    )


def _contents(ids: list[str], rows: Mapping[str, Mapping[str, Any]]) -> str:
    items = "".join(
        f'<tr><td><a href="#article-{number}">{_esc(article_id)}</a></td>'
        + "".join(f'<td class="num">{_esc(fmt(rows.get(article_id, {}).get(k)))}</td>' for k in _ROW_SCORES)
        + "</tr>"
        for number, article_id in enumerate(ids, 1)
    )
    header = "".join(f"<th>{_esc(label)}</th>" for label in _ROW_SCORES.values())
    return f'<table class="contents"><tr><th>article</th>{header}</tr>{items}</table>\n'


_ROW_SCORES = {
    "n_gold": "gold claims",
    "n_pred": "predicted",
    "precision": "precision",
    "recall": "recall",
    "f1": "F1",
    "strict_f1": "strict F1",
    "attributed_f1": "attributed F1",
    "summary_invented_number_rate": "summary invented numbers",
}


# -- one article -----------------------------------------------------------------------------
def _article_section(
    number: int,
    article_id: str,
    text: str,
    gold_doc: dict,
    pred_doc: dict | None,
    row: Mapping[str, Any],
    generation: Mapping[str, Any],
) -> str:
    gold_claims = _claims_of(gold_doc)
    pred_claims = _claims_of(pred_doc)
    pred_spans = list(_spans(text, pred_claims, "pred", "P"))
    highlighted = {span.label for span in pred_spans}
    ungrounded = {i for i in range(len(pred_claims)) if f"P{i + 1}" not in highlighted}
    spans = list(_spans(text, gold_claims, "gold", "G")) + pred_spans
    return (
        f'<details class="article" id="article-{number}" open><summary><h2>'
        f"{_esc(article_id)}{_article_badges(row, generation)}</h2></summary>\n"
        f"{_article_scores(row)}{_generation_note(generation)}{_cast_note(generation)}"
        f"{_summaries(gold_doc, pred_doc, row.get('summary_invented_numbers') or [])}"
        f'<div class="text">{highlight(text, spans)}</div>\n'
        f"{_claims_section(row, gold_claims, pred_claims, ungrounded)}</details>\n"
    )


def _claims_of(doc: Any) -> list[dict]:
    if isinstance(doc, dict) and isinstance(doc.get("claims"), list):
        return [claim for claim in doc["claims"] if isinstance(claim, dict)]
    return []


def _spans(text: str, claims: list[dict], kind: str, prefix: str) -> Iterable[Span]:
    for index, claim in enumerate(claims):
        evidence = claim.get("evidence")
        found = find_span(text, evidence) if isinstance(evidence, str) and evidence.strip() else None
        if found:
            yield Span(found[0], found[1], kind, f"{prefix}{index + 1}")


def highlight(text: str, spans: list[Span]) -> str:
    """The escaped text with every span marked; overlapping spans split into pieces.

    The text is cut at every span boundary; each piece is wrapped in one <mark>
    whose classes say which kinds cover it, so gold and predicted spans that overlap
    (or nest) show as both without nesting tags.
    """
    cuts = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    out: list[str] = []
    for a, b in itertools.pairwise(cuts):
        out.extend(_tags(s for s in spans if s.start == a))
        piece = _esc(text[a:b])
        covering = [s for s in spans if s.start <= a and s.end >= b]
        if covering:
            kinds = " ".join(sorted({s.kind for s in covering}))
            labels = ", ".join(s.label for s in covering)
            out.append(f'<mark class="{kinds}" title="{_esc(labels)}">{piece}</mark>')
        else:
            out.append(piece)
    return "".join(out)


def _tags(starting: Iterable[Span]) -> list[str]:
    return [f'<sup class="tag {s.kind}">{_esc(s.label)}</sup>' for s in starting]


def _article_badges(row: Mapping[str, Any], generation: Mapping[str, Any]) -> str:
    status = generation.get("status")
    badge = "" if status in (None, "ok") else f'<span class="badge bad">{_esc(status)}</span>'
    if row.get("f1") is not None:
        badge += f'<span class="badge">F1 {_esc(fmt(row.get("f1")))}</span>'
    return badge


def _article_scores(row: Mapping[str, Any]) -> str:
    keys = [key for key in _ROW_SCORES if key in row] + [
        key for key in ("valid", "grounded", "hallucinated_numbers") if key in row
    ]
    if not keys:
        return ""
    header = "".join(f"<th>{_esc(_ROW_SCORES.get(key, key))}</th>" for key in keys)
    cells = "".join(f'<td class="num">{_esc(fmt(row.get(key)))}</td>' for key in keys)
    return f'<table class="scores"><tr>{header}</tr><tr>{cells}</tr></table>\n'


def _generation_note(generation: Mapping[str, Any]) -> str:
    status = generation.get("status")
    if status in (None, "ok"):
        return ""
    note = f"<p><strong>generation {_esc(status)}</strong>: {_esc(generation.get('reason') or 'no reason given')}</p>"
    raw = generation.get("raw")
    if raw:
        note += f'<details><summary>raw model output</summary><pre class="raw">{_esc(raw)}</pre></details>'
    return note + "\n"


def _cast_note(generation: Mapping[str, Any]) -> str:
    """The article's cast as the model read it (figure-guided extraction records it in its raw
    output): each name, its kind and the canonical name it is written with."""
    import json

    try:
        raw = json.loads(generation.get("raw") or "")
    except (TypeError, ValueError):
        return ""
    cast = raw.get("cast") if isinstance(raw, dict) else None
    if not isinstance(cast, list) or not cast:
        return ""
    rows = "".join(
        f"<tr><td>{_esc(actor.get('name'))}</td><td>{_esc(actor.get('kind'))}</td>"
        f"<td>{_esc(actor.get('canonical'))}</td></tr>"
        for actor in cast
        if isinstance(actor, dict)
    )
    head = "<tr><th>name</th><th>kind</th><th>written as</th></tr>"
    return f'<details class="cast"><summary>cast ({len(cast)})</summary><table>{head}{rows}</table></details>\n'


def _summaries(gold_doc: Any, pred_doc: Any, invented: list) -> str:
    """Both summaries; in the predicted one, ``invented`` (the scorer's spans) are marked."""

    def summary(doc: Any) -> str | None:
        return doc.get("summary") if isinstance(doc, dict) and isinstance(doc.get("summary"), str) else None

    predicted = summary(pred_doc)
    return (
        f"<p><strong>gold summary:</strong> {_esc(summary(gold_doc) or '–')}<br>"
        f"<strong>predicted summary:</strong> {mark_invented(predicted, invented) if predicted else '–'}</p>\n"
    )


def mark_invented(summary: str, invented: Iterable[Mapping[str, Any]]) -> str:
    """The escaped summary with each invented figure (``{"text", "start", "end"}``) in a <mark>.

    A span that does not fit (its text is not at its offsets, as in a report of another
    prediction, or it overlaps one before it) is skipped rather than marking the wrong words.
    """
    out, at = [], 0
    for start, end in sorted((item["start"], item["end"]) for item in invented if _fits(summary, item)):
        if start < at:
            continue
        out.append(_esc(summary[at:start]))
        out.append(f'<mark class="invented" title="not in the article">{_esc(summary[start:end])}</mark>')
        at = end
    out.append(_esc(summary[at:]))
    return "".join(out)


def _fits(summary: str, item: Mapping[str, Any]) -> bool:
    start, end = item.get("start"), item.get("end")
    return (
        isinstance(start, int)
        and isinstance(end, int)
        and 0 <= start < end <= len(summary)
        and summary[start:end] == item.get("text")
    )


# -- claims ---------------------------------------------------------------------------------
def _claims_section(
    row: Mapping[str, Any], gold_claims: list[dict], pred_claims: list[dict], ungrounded: set[int]
) -> str:
    """``ungrounded``: indexes of predicted claims whose evidence is not in the article."""
    matches = list(row.get("matches", []))
    matched_gold = {m["gold_index"] for m in matches}
    matched_pred = {m["pred_index"] for m in matches}
    missed = row.get("missed", [i for i in range(len(gold_claims)) if i not in matched_gold])
    spurious = row.get("spurious", [i for i in range(len(pred_claims)) if i not in matched_pred])
    parts = [f'<div class="claims"><h3>Matched ({len(matches)})</h3>']
    parts += [_matched_claim(m, gold_claims, pred_claims, m["pred_index"] in ungrounded) for m in matches]
    parts.append(f"<h3>Missed: gold claims with no prediction ({len(missed)})</h3>")
    parts += [_single_claim("missed", f"G{i + 1}", _at(gold_claims, i)) for i in missed]
    parts.append(f"<h3>Spurious: predicted claims with no gold claim ({len(spurious)})</h3>")
    parts += [_single_claim("spurious", f"P{i + 1}", _at(pred_claims, i), i in ungrounded) for i in spurious]
    parts.append("</div>\n")
    return "".join(parts)


def _at(claims: list[dict], index: Any) -> dict:
    return claims[index] if isinstance(index, int) and 0 <= index < len(claims) else {}


def _matched_claim(
    match: Mapping[str, Any], gold_claims: list[dict], pred_claims: list[dict], ungrounded: bool = False
) -> str:
    gold_index, pred_index = match["gold_index"], match["pred_index"]
    gold_claim, pred_claim = _at(gold_claims, gold_index), _at(pred_claims, pred_index)
    diffs = match.get("field_diffs") or {}
    rows = []
    for name in CLAIM_FIELDS:
        diff = diffs.get(name)
        css = ' class="diff"' if diff is not None else ""
        error = f'<span class="badge bad">{_esc(diff.get("error"))}</span>' if isinstance(diff, Mapping) else ""
        rows.append(
            f'<tr{css}><td class="field">{_esc(name)}{error}</td>'
            f"<td>{_esc(_show(_value(gold_claim, name)))}</td><td>{_esc(_show(_value(pred_claim, name)))}</td></tr>"
        )
    strict = '<span class="badge matched">strict match</span>' if match.get("strict") else ""
    strict += '<span class="badge matched">attributed</span>' if match.get("attributed") else ""
    head = (
        f'G{gold_index + 1} ↔ P{pred_index + 1}<span class="badge matched">matched</span>{strict}'
        f'<span class="badge">similarity {_esc(fmt(match.get("similarity")))}</span>'
        f'<span class="badge">{len(diffs)} field(s) differ</span>{_ungrounded_badge(ungrounded)}'
    )
    table = "<tr><th>field</th><th>gold</th><th>predicted</th></tr>" + "".join(rows)
    return f'<div class="claim">{head}<table>{table}</table></div>\n'


def _single_claim(kind: str, label: str, claim: Mapping[str, Any], ungrounded: bool = False) -> str:
    rows = "".join(
        f'<tr><td class="field">{_esc(name)}</td><td>{_esc(_show(_value(claim, name)))}</td></tr>'
        for name in CLAIM_FIELDS
    )
    badges = f'<span class="badge {kind}">{kind}</span>{_ungrounded_badge(ungrounded)}'
    return f'<div class="claim">{_esc(label)}{badges}<table>{rows}</table></div>\n'


def _ungrounded_badge(ungrounded: bool) -> str:
    # Grounded decoding makes this impossible; other tools' output (or --no-grounding) may need it.
    return '<span class="badge bad">evidence not in article</span>' if ungrounded else ""


def _value(claim: Mapping[str, Any], name: str) -> Any:
    """A claim's field by the scorer's name ("count.value" reaches into count)."""
    if name.startswith("count."):
        count = claim.get("count")
        return count.get(name[len("count.") :]) if isinstance(count, Mapping) else None
    return claim.get(name)


def _show(value: Any) -> str:
    """A field value as text: whole floats without ".0", null as "null"."""
    if value is None:
        return "null"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
