"""Short English names of the parties an article mentions: the vocabulary for side fields.

``claimant_side``, ``victim_side`` and ``perpetrator_side`` are short English names
("Ukraine" for "Ukrainian soldiers"), not article spans. Grounded extraction limits
them to the names this module finds in the article: a demonym or place word maps to
its country or people ("Gazan" -> "Palestinians"), a named armed group to its short
name. Names the table does not know still reach the vocabulary (see
:mod:`summarizer.engine.figure_grammar`), so an unlisted conflict is not shut out.
"""

from __future__ import annotations

import re

__all__ = ["ARMED_GROUPS", "NON_PARTIES", "SIDE_WORDS", "is_people", "party_names", "sides_in"]


def _words(side: str, words: str) -> dict[str, str]:
    return dict.fromkeys(words.split(), side)


# Lower-case word (or phrase) -> side name. Data: extend it here.
SIDE_WORDS: dict[str, str] = {
    **_words("Russia", "russia russian russians moscow kremlin"),
    **_words("Ukraine", "ukraine ukrainian ukrainians kyiv kiev"),
    **_words("Israel", "israel israeli israelis idf"),
    **_words("Palestinians", "palestinian palestinians gaza gazan gazans"),
    **_words("Sudan", "sudan sudanese"),
    **_words("RSF", "rsf"),
    **_words("Syria", "syria syrian syrians damascus"),
    **_words("Lebanon", "lebanon lebanese"),
    **_words("Iran", "iran iranian iranians"),
    **_words("Yemen", "yemen yemeni yemenis"),
    **_words("Iraq", "iraq iraqi iraqis"),
    **_words("Afghanistan", "afghanistan afghan afghans"),
    **_words("Myanmar", "myanmar burma burmese"),
    **_words("Ethiopia", "ethiopia ethiopian ethiopians"),
    **_words("Somalia", "somalia somali somalis"),
    **_words("Mali", "mali malian"),
    **_words("Nigeria", "nigeria nigerian nigerians"),
    **_words("Libya", "libya libyan libyans"),
    **_words("Armenia", "armenia armenian armenians"),
    **_words("Azerbaijan", "azerbaijan azerbaijani azeri"),
    **_words("Pakistan", "pakistan pakistani pakistanis"),
    **_words("India", "india indian indians"),
    **_words("Democratic Republic of Congo", "congo congolese drc"),
    **_words("Hamas", "hamas"),
    **_words("Hezbollah", "hezbollah"),
    **_words("Houthis", "houthi houthis"),
    **_words("HTS", "hts"),
    **_words("Islamic State", "isis isil"),
    **_words("Taliban", "taliban"),
    **_words("al-Shabaab", "al-shabaab shabaab"),
    **_words("M23", "m23"),
    **_words("Wagner", "wagner"),
    **_words("Belarus", "belarus belarusian"),
    **_words("Turkey", "turkey turkish"),
    **_words("United Kingdom", "uk britain british"),
    **_words("United States", "us u.s american americans"),
    **_words("Germany", "germany german"),
    **_words("France", "france french"),
    **_words("North Korea", "pyongyang"),
}
# The table's names that are armed groups, not countries or peoples. Civilians are counted
# under the country or people they belong to ("Palestinians", not "Hamas"): see is_people.
ARMED_GROUPS = frozenset(
    {"RSF", "Hamas", "Hezbollah", "Houthis", "HTS", "Islamic State", "Taliban", "al-Shabaab", "M23", "Wagner"}
)
# Bodies that are never a party to a war: UN agencies, aid groups, monitors, news agencies,
# and capitals that are not names at all. A victim or claimant side is a country, people or
# armed group, so these stay out of the vocabulary (a model offered "UNHCR" picks it).
NON_PARTIES = frozenset(
    "UN UNHCR UNRWA UNICEF UNFPA UNDP OCHA OHCHR WHO WFP IOM ICRC IFRC MSF HRW ACLED IAEA ICC ICJ "
    "EU AU NGO NGOS AP AFP BBC CNN TASS RIA DW LLC GMT UTC TV".split()
)
CASED = {"US", "U.S", "UK"}  # "us" and "uk" only name a country in capitals
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9.\-]*[A-Za-z0-9](?:['’]s)?|[A-Za-z]")  # "M23" too


_FORCE_NOUNS = "military|army|government|junta|forces|regime"
# "Arakan Army", "Rapid Support Forces", "People's Defence Force": a named armed group.
_NAMED_FORCE = re.compile(r"\b((?:[A-Z][\w'’-]+ ){1,3}(?:Army|Forces?|Front|Movement|Militia|Brigades?|Guards?))\b")
# A named force that is a monitor or aid group ("Syria Civil Defence Front" is rare; "Red
# Crescent Movement" is not a party).
_NON_PARTY_NAME = re.compile(r"\b(?:Red Cross|Red Crescent|Nations|Observatory|Helmets)\b")
# Letters only: "AK47" and "T-72" are weapons; "M23" is in the table.
_ACRONYM = re.compile(r"\b([A-Z]{2,6})\b")


def sides_in(article: str) -> list[str]:
    """The side names ``article`` gives reason for, in order of first mention: the table's names,
    "<side> military/army/government" where the article says so, named forces and acronyms."""
    found: dict[str, None] = {}
    words = _WORD.findall(article)
    for word, nxt in zip(words, [*words[1:], ""], strict=True):
        low = word.lower().replace("’", "'")
        if low in ("us", "u.s", "uk") and word.rstrip(".") not in CASED:
            continue
        part = re.sub(r"-(?:led|run|backed|controlled|held|allied|aligned)$", "", low)  # "Hamas-run"
        side = SIDE_WORDS.get(part.removesuffix("'s"))
        if side:
            found.setdefault(side, None)
            if part == low and re.fullmatch(_FORCE_NOUNS, nxt.lower()):  # not "Russian-backed forces"
                found.setdefault(f"{side} {nxt.lower()}", None)  # "Myanmar military", "Syria government"
    for pattern in (_NAMED_FORCE, _ACRONYM):
        for match in pattern.finditer(article):
            line_start = article.rfind("\n", 0, match.start()) + 1
            if pattern is _ACRONYM and not re.search(r"[a-z]", article[line_start : match.start()]):
                continue  # a dateline in capitals ("GAZA CITY, March 14"), not an acronym
            name = re.sub(r"^(?:The|A|An) ", "", match.group(1))  # "The Arakan Army" opens a sentence
            if name.lower() not in SIDE_WORDS and name.upper() not in NON_PARTIES and not _NON_PARTY_NAME.search(name):
                found.setdefault(name, None)
    return list(found)


def is_people(side: str) -> bool:
    """Whether ``side`` names a country or people (the side civilians are counted under), not an
    armed force: not an armed group of the table, not "<country> military", not a named force."""
    return side in _PEOPLES


_PEOPLES = frozenset(SIDE_WORDS.values()) - ARMED_GROUPS


def party_names(side: str) -> frozenset[str]:
    """The names the side vocabulary may give one party: "Israel" is also "Israel military",
    "Israel army"...; "Myanmar military" is "Myanmar army", "Myanmar junta"..., but not "Myanmar":
    a country's forces are not its people (a junta's air strike kills the country's civilians)."""
    base, _, noun = side.rpartition(" ")
    if base and re.fullmatch(_FORCE_NOUNS, noun):
        return frozenset(f"{base} {n}" for n in _FORCE_NOUNS.split("|"))
    return frozenset({side, *(f"{side} {n}" for n in _FORCE_NOUNS.split("|"))})
