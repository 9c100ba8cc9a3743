"""Repeated figures: a figure the article states twice (a headline and the body) is one claim.

The contract's rule: keep the most specific sentence as evidence. Two claims are the same
figure when outcome, value, range and equipment agree, their victim groups do not
conflict ("unspecified" agrees with any), their locations do not conflict, and their
sources agree: the same claimant, or one unnamed or generic ("Ukraine", "officials").
The kept claim takes the details only the other mention gives.

Shared by the rule baseline and figure-guided extraction, so both read repeats alike.
"""

from __future__ import annotations

from typing import Any

from summarizer.core.countries import country_table

__all__ = ["GENERIC_CLAIMANTS", "dedupe", "is_generic", "is_headline", "same_figure"]

# Words that name no particular body: "the ministry", "officials", "the military".
GENERIC_CLAIMANTS = frozenset(
    "officials authorities ministry military army statement report government agency group "
    "monitor office committee council department".split()
)
_INHERITED = ("victim_side", "period", "location", "perpetrator_side")


def is_generic(name: str) -> bool:
    """A name that says only which side: "Russia", "Ukrainian officials", "the authorities"."""
    words = GENERIC_CLAIMANTS | set(country_table()) | {"the", "military"}
    return all(_low(w) in words for w in name.split())


def is_headline(evidence: str) -> bool:
    """Evidence that reads as a headline: no closing punctuation ("Over 1,000 Soldiers Killed, Says Kyiv")."""
    return not evidence.rstrip().endswith((".", "!", "?", '"', "”", "’", "'", ":", ";", ")"))


def dedupe(claims: list[dict[str, Any]], headline: str = "_headline") -> list[dict[str, Any]]:
    """``claims`` with each repeated figure kept once, in the most specific mention's words.
    ``headline``: the key of the flag that marks a claim read from a headline."""
    kept: list[dict[str, Any]] = []
    # Kept claims by the fields same_figure needs equal: a long article's thousands of figures
    # are each compared with a handful of claims, not with all kept before them (quadratic).
    by_figure: dict[tuple[Any, ...], list[int]] = {}
    for claim in claims:
        places = by_figure.setdefault(_figure_key(claim), [])
        at = next(
            (i for i in places if same_figure(kept[i], claim, bool(kept[i].get(headline) or claim.get(headline)))),
            None,
        )
        if at is None:
            places.append(len(kept))
            kept.append(claim)
            continue
        twin = kept[at]
        best, other = (claim, twin) if _specificity(claim, headline) > _specificity(twin, headline) else (twin, claim)
        for key in _INHERITED:
            best[key] = best[key] if best[key] is not None else other[key]
        if best["victim_group"] == "unspecified":
            best["victim_group"] = other["victim_group"]
        if best["verification"] == "not_stated":
            best["verification"] = other["verification"]
        kept[at] = best
    return kept


def _figure_key(claim: dict[str, Any]) -> tuple[Any, ...]:
    return claim["outcome"], claim["count"]["value"], claim["count"]["upper"], claim["equipment"]


def same_figure(a: dict[str, Any], b: dict[str, Any], headline: bool = False) -> bool:
    """Whether two claims are one figure stated twice. With ``headline`` (one of them is read from
    the headline) the sources need not agree: a headline shortens its source ("..., says DHQ" for
    the Defence Headquarters' spokesman) and its place, and only restates the body's figure."""
    groups = {a["victim_group"], b["victim_group"]} - {"unspecified"}
    return _figure_key(a) == _figure_key(b) and len(groups) <= 1 and (headline or _same_source(a, b))


def _same_source(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if a["location"] and b["location"] and a["location"] != b["location"]:
        return False
    names = [c["claimant"] for c in (a, b)]
    if None in names or names[0].lower() == names[1].lower():
        return True
    return any(is_generic(n) for n in names)


def _specificity(claim: dict[str, Any], headline: str) -> int:
    named = claim["claimant"] and not is_generic(claim["claimant"])
    filled = sum(claim[k] is not None for k in ("period", "location", "victim_side", "claimant"))
    specificity: int = bool(named) * 2 + filled + (not claim[headline]) + (claim["verification"] != "not_stated")
    return specificity


def _low(word: str) -> str:
    word = word.lower().replace("’", "'")
    return word[:-2] if word.endswith("'s") else word.rstrip("'")
