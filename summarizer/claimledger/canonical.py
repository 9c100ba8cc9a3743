"""One claim's canonical names and what it counts: the keys the grouping rule compares.

Names fold through :mod:`summarizer.tasks.claims.normalize`, the normalisation the scorer uses,
so the ledger and the scorer agree on what "the same claimant" or "the same side" is:

* claimant: :func:`~summarizer.tasks.claims.normalize.claimant_key` ("Russia's Ministry of
  Defence" and "Russian Defence Ministry" are both ``russia mod``). When the document comes with
  a **cast** (the article's actors with canonical names, issue 14), a claimant that one of the
  cast's names fits takes that actor's canonical name instead (:func:`cast_name`); without a cast
  nothing changes. Fuzzy variants are merged across the ledger by :mod:`.registry`.
* sides: :func:`~summarizer.tasks.claims.normalize.side_key` ("Ukrainian forces" = ``ukraine``);
* equipment: :func:`~summarizer.tasks.claims.normalize.equipment_key` ("UAVs" = ``drone``);
* place: :func:`~summarizer.tasks.claims.normalize.text_key` of the location, empty when there is
  none or it names the victim side's whole country ("in Armenia" for Armenian civilians).

What a figure counts (:func:`scope_of`), from its period, else its evidence:

* ``daily``: "past 24 hours", "overnight", "yesterday", "per day": one day's figure;
* ``running_total``: "since March 2", "so far", "to date", "in total": a total that only grows;
* ``event``: anything else (one strike, "on Saturday", a given window).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from summarizer.tasks.claims.normalize import (
    claimant_key,
    equipment_key,
    side_key,
    similar_names,
    text_key,
)

SCOPES = ("running_total", "daily", "event")
UNATTRIBUTED = "unattributed"  # the claimant key of a figure nobody is said to give

_DAILY = re.compile(
    r"\b(?:(?:past|last|previous|preceding)\s+(?:24|twenty[- ]four)\s+hours|(?:past|last|previous)\s+day"
    r"|24-hour|twenty-four-hour|overnight|yesterday|per day|a day|daily|in a single day)\b",
    re.IGNORECASE,
)
_RUNNING = re.compile(
    r"\b(?:since|so far|to date|in total|total|overall|cumulative(?:ly)?|in all|all told|throughout"
    r"|from the (?:start|beginning)|thus far)\b",
    re.IGNORECASE,
)


def scope_of(period: str | None, evidence: str | None = None) -> str:
    """``daily``, ``running_total`` or ``event`` (module docstring): the period decides, else the evidence."""
    for text in (period, evidence):
        if not text:
            continue
        if _DAILY.search(text):
            return "daily"
        if _RUNNING.search(text):
            return "running_total"
        if text is period:
            return "event"  # a period that is neither: a window or a day of its own
    return "event"


def place_key(location: str | None, victim_side: str | None) -> str:
    """The location's key; empty for none, or for the victim side's own country (the whole of it)."""
    if not location or not location.strip():
        return ""
    if victim_side and same_party_key(side_key(location), side_key(victim_side)):
        return ""
    return text_key(location)


_PERIOD_LEAD = frozenset({"on", "in", "during", "over", "at", "the", "this", "last"})


def period_key(period: str | None) -> str:
    """The period's key without leading prepositions: "on Saturday" = "Saturday"."""
    tokens = text_key(period).split() if period else []
    while len(tokens) > 1 and tokens[0] in _PERIOD_LEAD:
        tokens = tokens[1:]
    return " ".join(tokens)


def period_date(period: str | None) -> str | None:
    """The full date a period names, ISO ("on Oct. 14, 2017" -> "2017-10-14"); the first if several."""
    from summarizer.claimledger.dates import dates_in

    found = dates_in(period) if period else []
    return found[0].isoformat() if found else None


def cast_name(claimant: str, cast: Sequence[Mapping[str, Any]] | None) -> str | None:
    """The canonical name the article's cast gives ``claimant``, if one of its actors fits.

    An actor is a mapping with its canonical name in ``canonical`` (or ``name``) and its other
    names in ``name`` (the engine's cast, issue 14: one ``{"name", "kind", "canonical"}`` per
    mention), ``aliases``, ``names`` or ``mentions``. A claimant fits an actor when its key equals,
    or is a fuzzy variant of, the key of any of the actor's names.
    """
    if not cast:
        return None
    key = claimant_key(claimant)
    for actor in cast:
        if not isinstance(actor, Mapping):
            continue
        canonical = actor.get("canonical") or actor.get("name")
        if not isinstance(canonical, str) or not canonical.strip():
            continue
        names = [canonical]
        if isinstance(actor.get("name"), str):
            names.append(actor["name"])
        for field in ("aliases", "names", "mentions"):
            values = actor.get(field)
            if isinstance(values, list):
                names += [value for value in values if isinstance(value, str)]
        if any(similar_names(key, claimant_key(name), surname=True) for name in names):
            return canonical
    return None


def claim_keys(claim: Mapping[str, Any], cast: Sequence[Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """The canonical fields of one claims-v1 claim (see the module docstring)."""
    claimant = claim.get("claimant")
    from_cast = cast_name(claimant, cast) if isinstance(claimant, str) and claimant.strip() else None
    if from_cast is not None:
        key, source = claimant_key(from_cast), "cast"
    elif isinstance(claimant, str) and claimant.strip():
        key, source = claimant_key(claimant), "normalize"
    else:
        key, source = UNATTRIBUTED, "none"
    victim_side = claim.get("victim_side")
    equipment = claim.get("equipment") if claim.get("outcome") == "equipment_destroyed" else None
    return {
        "claimant_key": key or UNATTRIBUTED,
        "claimant_source": source,
        "claimant_cast": from_cast,
        "claimant_side_key": side_key(claim["claimant_side"]) if claim.get("claimant_side") else None,
        "victim_side_key": side_key(victim_side) if victim_side else None,
        "equipment_key": equipment_key(equipment) if equipment else None,
        "place_key": place_key(claim.get("location"), victim_side),
        "period_key": period_key(claim.get("period")),
        "period_date": period_date(claim.get("period")),
        "scope": scope_of(claim.get("period"), claim.get("evidence")),
    }


# Endings that make a demonym of a country name: "armenia" + "n", "azerbaijan" + "i", "sudan" + "ese".
_DEMONYM_ENDINGS = ("n", "an", "ian", "i", "ese", "ish", "s")


def same_party_key(a: str, b: str) -> bool:
    """Two side keys for one party: equal, or one the other's demonym ("valdoria"/"valdorian",
    "azerbaijan"/"azerbaijani"): a country the normaliser's table does not know still folds."""
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    if " " in short or len(short) < 4:
        return False
    return any(long == short + ending or long == short[:-1] + ending for ending in _DEMONYM_ENDINGS)


def merge_key(key: str, known: dict[str, str], same: Callable[[str, str], bool]) -> tuple[str, bool]:
    """(the canonical key ``key`` is merged into, whether ``known`` learnt it now): itself if new and
    like no canonical key yet, else the first canonical key it is a variant of. ``known`` maps every
    key seen to its canonical key; first come, first named, so a merge never renames earlier keys."""
    if key in known:
        return known[key], False
    canonical = next((seen for seen in dict.fromkeys(known.values()) if same(key, seen)), key)
    known[key] = canonical
    return canonical, True


def same_claimant_key(a: str, b: str) -> bool:
    """Two claimant keys for one body or person (the scorer's fuzzy rule; the unattributed stay apart)."""
    if UNATTRIBUTED in (a, b):
        return a == b
    return similar_names(a, b, surname=True)
