"""``ledger.html``: the ledger as one static page, safe to open.

* a sortable table of conflicts: sorting needs no script: each order is its own table and the
  column headers are links that bring one to the front with CSS ``:target``;
* per-claimant timelines (PNG, :mod:`.plots`), embedded as ``data:`` images, with each
  claimant's figures below, flags marked;
* the figures nobody corroborates (groups with one claimant), the groups, and the claims no
  group could take, with the reason;
* every number links to its quote, highlighted in its article at the end of the page.

Safety as for the review page: every string from an article, a document or a model goes
through :func:`_esc`; the Content-Security-Policy allows no script, no network, only this
page's stylesheet (pinned by hash) and ``data:`` images (the timelines it embeds).
A large ledger's page shows the first :data:`LIMITS` rows of each part (a claimant's figures: all
flagged ones, then the latest; the database and the CSV files hold everything) and says how many
it left out.
"""

from __future__ import annotations

import base64
import hashlib
import html
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from summarizer.tasks.claims.review import html_page

LIMITS = {"conflicts": 300, "uncorroborated": 200, "groups": 500, "unplaced": 200, "claimants": 12, "points": 100}

# (id, label, key, reverse): the orders the conflicts table offers; the first is the default.
CONFLICT_ORDERS: tuple[tuple[str, str, Callable[[Mapping[str, Any]], Any], bool], ...] = (
    ("by-date", "date, oldest first", lambda c: (c["date"], c["group_label"]), False),
    ("by-date-desc", "date, newest first", lambda c: (c["date"], c["group_label"]), True),
    ("by-spread", "spread, largest first", lambda c: (c["spread"] or 0.0, c["date"]), True),
    ("by-claimants", "claimants, most first", lambda c: (c["n_claimants"], c["date"]), True),
    ("by-group", "group, A to Z", lambda c: (c["group_label"], c["date"]), False),
)

STYLE = """
body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:80rem;padding:1rem 2rem;color:#1b1b1b}
h1{font-size:1.5rem}h2{font-size:1.25rem;margin-top:2rem}h3{font-size:1rem}
table{border-collapse:collapse;margin:.5rem 0}
td,th{border:1px solid #ccc;padding:.15rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}th a{color:inherit}.num{text-align:right;font-variant-numeric:tabular-nums}
.sorted{display:none}.sorted:target{display:block}.sorted.default{display:block}
.sorted:target~.sorted.default{display:none}
.sortnote{color:#555;font-size:13px}
.fig{display:block;white-space:nowrap}.fig a{font-weight:bold}
.flag{background:#f7c6c6;border-radius:8px;padding:0 .4rem;font-size:12px}
.muted{color:#666}img.timeline{max-width:100%;border:1px solid #ddd;margin:.5rem 0}
.article{border:1px solid #bbb;border-radius:6px;margin:1rem 0;padding:.5rem 1rem}
.text{white-space:pre-wrap;background:#fafafa;border:1px solid #eee;padding:.75rem;font-family:Georgia,serif;
  line-height:1.7}
mark{background:#ffe2b8;border-bottom:3px solid #c96a00;padding:0}
:target>mark,mark:target{background:#ffd24d}
blockquote{border-left:4px solid #c96a00;margin:.5rem 0;padding:.2rem .75rem;background:#fff6ea}
""".strip()


def _esc(value: Any) -> str:
    """Every value shown on the page goes through here."""
    return html.escape("" if value is None else str(value), quote=True)


def content_security_policy() -> str:
    """No scripts, no network; our one <style> block (by hash) and data: images only."""
    digest = base64.b64encode(hashlib.sha256(STYLE.encode("utf-8")).digest()).decode("ascii")
    return (
        "default-src 'none'; script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; "
        f"style-src 'sha256-{digest}'; img-src data:"
    )


def number(value: Any) -> str:
    """1610.0 -> "1,610"; 2.5 -> "2.5"."""
    if value is None:
        return "–"
    value = float(value)
    return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")


def render_page(
    tables: Mapping[str, Sequence[Mapping[str, Any]]],
    texts: Mapping[str, str | None],
    summary: Mapping[str, Any],
    timelines: Mapping[str, bytes],
    *,
    title: str = "Claims ledger",
) -> str:
    """The page. ``tables``: :meth:`LedgerDB.tables`; ``texts``: article id -> text (or None)."""
    claims = {row["id"]: row for row in tables["claims"]}
    cited: set[int] = set()

    def link(claim_id: int, value: Any) -> str:
        cited.add(claim_id)
        return f'<a href="#q-{claim_id}">{_esc(number(value))}</a>'

    body = [
        _summary(summary),
        _conflicts(tables["conflicts"], link),
        _timelines(tables["series"], timelines, link),
        _uncorroborated(tables["groups"], tables["series"], claims, link),
        _groups(tables["groups"]),
        _unplaced(tables["unplaced"], summary, link),
    ]
    body.append(_quotes([claims[i] for i in sorted(cited)], texts))
    return html_page(title, "".join(body), STYLE, content_security_policy())


def _left_out(shown: int, total: int, what: str) -> str:
    return f'<p class="muted">{total - shown} more {_esc(what)} in the database.</p>' if total > shown else ""


def _summary(summary: Mapping[str, Any]) -> str:
    dates = ", ".join(f"{_esc(k)} {_esc(v)}" for k, v in (summary.get("date_sources") or {}).items())
    flags = ", ".join(f"{_esc(k)} {_esc(v)}" for k, v in (summary.get("flags") or {}).items()) or "none"
    rows = [
        ("articles", f"{summary.get('articles', 0)} (dated by: {dates or '–'})"),
        ("claims", summary.get("claims", 0)),
        ("groups", f"{summary.get('groups', 0)} ({summary.get('uncorroborated_groups', 0)} with one claimant)"),
        ("conflicts", summary.get("conflicts", 0)),
        ("series flags", flags),
        ("claims in no group", summary.get("unplaced", 0)),
    ]
    cells = "".join(
        f"<tr><th>{_esc(k)}</th><td>{v if k in ('articles', 'series flags') else _esc(v)}</td></tr>" for k, v in rows
    )
    return f'<table class="summary">{cells}</table>\n'


def _figures(figures: Iterable[Mapping[str, Any]], link: Callable[[int, Any], str]) -> str:
    return "".join(
        f'<span class="fig">{link(f["claim_id"], f["value"])}{_esc(_qualifier(f))} '
        f'{_esc(f["claimant_name"])} <span class="muted">({_esc(f["article_id"])}, {_esc(f["date"])}, '
        f"{_esc(f.get('verification'))})</span></span>"
        for f in figures
    )


def _qualifier(figure: Mapping[str, Any]) -> str:
    qualifier = figure.get("qualifier")
    if qualifier == "range" and figure.get("upper") is not None:
        return f"–{number(figure['upper'])}"
    return {
        "approximately": " (about)",
        "at_least": "+",
        "more_than": "+",
        "nearly": " (nearly)",
        "up_to": " (up to)",
    }.get(qualifier or "", "")


def _conflicts(conflicts: Sequence[Mapping[str, Any]], link: Callable[[int, Any], str]) -> str:
    shown = list(conflicts)[: LIMITS["conflicts"]]
    parts = [
        f'<h2 id="conflicts">Conflicts ({len(conflicts)})</h2>\n'
        '<p class="sortnote">Groups where claimants disagree beyond the tolerance; each figure links to its quote. '
        "Sort by clicking a column heading.</p>\n"
    ]
    if not shown:
        return parts[0] + "<p>No conflicts.</p>\n"
    parts.append('<div class="sorts">')
    # The default order goes last: `:target ~ .default` hides it when another order is chosen.
    for order_id, label, key, reverse in [*CONFLICT_ORDERS[1:], CONFLICT_ORDERS[0]]:
        rows = sorted(shown, key=key, reverse=reverse)
        default = " default" if order_id == CONFLICT_ORDERS[0][0] else ""
        head = (
            f'<tr><th><a href="#by-date{"-desc" if order_id == "by-date" else ""}">date</a></th>'
            '<th><a href="#by-group">group</a></th><th><a href="#by-claimants">claimants</a></th>'
            '<th>figures (low to high)</th><th><a href="#by-spread">spread</a></th></tr>'
        )
        body = "".join(
            f'<tr class="conflict"><td>{_esc(c["date"])}</td><td><a href="#g-{_esc(c["group_id"])}">'
            f'{_esc(c["group_label"])}</a></td><td class="num">{_esc(c["n_claimants"])}</td>'
            f"<td>{_figures(c['figures'], link)}</td>"
            f'<td class="num">{_esc(_spread(c.get("spread")))}</td></tr>'
            for c in rows
        )
        parts.append(
            f'<div class="sorted{default}" id="{order_id}"><p class="sortnote">sorted by {_esc(label)}</p>'
            f'<table class="conflicts" data-order="{order_id}">{head}{body}</table></div>'
        )
    parts.append("</div>\n")
    parts.append(_left_out(len(shown), len(conflicts), "conflicts"))
    return "".join(parts)


def _spread(spread: Any) -> str:
    return f"×{float(spread):.2f}" if spread is not None else "–"


def _timelines(
    series: Sequence[Mapping[str, Any]], timelines: Mapping[str, bytes], link: Callable[[int, Any], str]
) -> str:
    parts = ['<h2 id="timelines">Timelines</h2>\n']
    if not series:
        return parts[0] + "<p>No running totals or daily figures.</p>\n"
    by_claimant: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for row in series:
        by_claimant[row["claimant_name"]].append(row)
    for name in sorted(timelines):
        png = base64.b64encode(timelines[name]).decode("ascii")
        points = by_claimant[name]
        # Every flagged point, then the latest others, up to the limit (the plot and the database have all).
        flagged = [r for r in points if r.get("flag")]
        latest = sorted((r for r in points if not r.get("flag")), key=lambda r: r["date"], reverse=True)
        shown_ids = {id(r) for r in flagged + latest[: max(0, LIMITS["points"] - len(flagged))]}
        shown = [r for r in points if id(r) in shown_ids]
        rows = "".join(
            f"<tr><td>{_esc(r['date'])}</td><td>{_esc(r['group_label'])}</td>"
            f'<td class="num">{link(r["claim_id"], r["value"])}</td>'
            f"<td>{_flag(r)}</td></tr>"
            for r in shown
        )
        parts.append(
            f'<h3 class="claimant">{_esc(name)}</h3>'
            f'<img class="timeline" alt="{_esc(name)}: figures over time" src="data:image/png;base64,{png}">'
            f"<table><tr><th>date</th><th>group</th><th>figure</th><th>flag</th></tr>{rows}</table>\n"
            + _left_out(len(shown), len(points), f"figures of {name}")
        )
    parts.append(_left_out(len(timelines), len(by_claimant), "claimants' series"))
    return "".join(parts)


def _flag(row: Mapping[str, Any]) -> str:
    if not row.get("flag"):
        return ""
    return f'<span class="flag">{_esc(row["flag"])}</span> <span class="muted">{_esc(row.get("note"))}</span>'


def _uncorroborated(
    groups: Sequence[Mapping[str, Any]],
    series: Sequence[Mapping[str, Any]],
    claims: Mapping[int, Mapping[str, Any]],
    link: Callable[[int, Any], str],
) -> str:
    lonely = [g for g in groups if g["n_claimants"] == 1]
    shown = lonely[: LIMITS["uncorroborated"]]
    members: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    wanted = {g["id"] for g in shown}
    for claim in claims.values():
        if claim.get("group_id") in wanted:
            members[claim["group_id"]].append(claim)
    rows = "".join(
        f"<tr><td>{_esc(g['label'])}</td><td>{_esc(', '.join(g['claimants']))}</td><td>"
        + ", ".join(
            f'{link(c["id"], c["value"])} <span class="muted">({_esc(c["date"])})</span>'
            for c in sorted(members[g["id"]], key=lambda c: (c["date"], c["id"]))
        )
        + "</td></tr>"
        for g in shown
    )
    return (
        f'<h2 id="uncorroborated">Figures nobody corroborates ({len(lonely)} groups)</h2>\n'
        '<p class="sortnote">Groups whose figures come from one claimant only.</p>\n'
        f"<table><tr><th>group</th><th>claimant</th><th>figures</th></tr>{rows}</table>\n"
        + _left_out(len(shown), len(lonely), "groups")
    )


def _groups(groups: Sequence[Mapping[str, Any]]) -> str:
    shown = list(groups)[: LIMITS["groups"]]
    rows = "".join(
        f'<tr id="g-{_esc(g["id"])}"><td>{_esc(g["label"])}</td>'
        f"<td>{_esc(g['first_date'])} to {_esc(g['last_date'])}</td>"
        f'<td class="num">{_esc(g["n_claims"])}</td><td>{_esc(", ".join(g["claimants"]))}</td></tr>'
        for g in shown
    )
    return (
        f'<h2 id="groups">Groups ({len(groups)})</h2>\n'
        "<table><tr><th>group</th><th>reported</th><th>claims</th><th>claimants</th></tr>"
        f"{rows}</table>\n" + _left_out(len(shown), len(groups), "groups")
    )


def _unplaced(
    unplaced: Sequence[Mapping[str, Any]], summary: Mapping[str, Any], link: Callable[[int, Any], str]
) -> str:
    shown = list(unplaced)[: LIMITS["unplaced"]]
    reasons = "".join(
        f"<li>{_esc(count)}: {_esc(next((u['why'] for u in unplaced if u['reason'] == reason), reason))}</li>"
        for reason, count in (summary.get("unplaced_reasons") or {}).items()
    )
    rows = "".join(
        f"<tr><td>{_esc(u['article_id'])}</td><td>{_esc(u['date'])}</td><td>{_esc(u['claimant'])}</td>"
        f'<td>{_esc(u["outcome"])}</td><td class="num">{link(u["claim_id"], u["value"])}</td>'
        f"<td>{_esc(u['why'])}</td></tr>"
        for u in shown
    )
    table = (
        "<table><tr><th>article</th><th>date</th><th>claimant</th><th>outcome</th><th>figure</th><th>why</th></tr>"
        f"{rows}</table>\n"
        if shown
        else ""
    )
    return (
        f'<h2 id="unplaced">Claims in no group ({len(unplaced)})</h2>\n'
        + (f"<ul>{reasons}</ul>" if reasons else "<p>Every claim is in a group.</p>")
        + table
        + _left_out(len(shown), len(unplaced), "claims")
    )


def _quotes(claims: Sequence[Mapping[str, Any]], texts: Mapping[str, str | None]) -> str:
    by_article: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for claim in claims:
        by_article[claim["article_id"]].append(claim)
    parts = ['<h2 id="quotes">Quotes</h2>\n']
    for number_, article_id in enumerate(sorted(by_article, key=lambda a: (by_article[a][0]["date"], a)), 1):
        cited = by_article[article_id]
        text = texts.get(article_id)
        placed = [c for c in cited if text and c.get("evidence_start") is not None]
        loose = [c for c in cited if c not in placed]
        parts.append(
            f'<div class="article" id="article-{number_}"><h3>{_esc(article_id)} '
            f'<span class="muted">{_esc(cited[0]["date"])}</span></h3>'
        )
        if placed and text:
            parts.append(f'<div class="text">{_highlight(text, placed)}</div>')
        parts += [f'<blockquote id="q-{c["id"]}">{_esc(c["evidence"])}</blockquote>' for c in loose]
        parts.append("</div>\n")
    return "".join(parts)


def _highlight(text: str, claims: Sequence[Mapping[str, Any]]) -> str:
    """The escaped text, each claim's evidence marked; an anchor ``q-<claim id>`` opens each."""
    spans = [(int(c["evidence_start"]), int(c["evidence_end"]), int(c["id"])) for c in claims]
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    out: list[str] = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        out += [f'<span id="q-{claim_id}"></span>' for s, _, claim_id in spans if s == start]
        piece = _esc(text[start:end])
        covering = [claim_id for s, e, claim_id in spans if s <= start and e >= end]
        out.append(f'<mark title="claim {_esc(", ".join(map(str, covering)))}">{piece}</mark>' if covering else piece)
    return "".join(out)
