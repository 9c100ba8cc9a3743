"""Name normalisation, so the scorer compares what a field *means*, not how it is spelled.

Free-text fields of a claim (claimant, the sides, equipment, period, location)
are written in many ways for one thing: "Ukrainian" and "Ukraine", "Defence
Ministry" and "MoD", "tank" and "tanks". Each ``*_key`` function folds a value
to a canonical key; each ``same_*`` function says whether two values name the
same thing. ``None`` equals only ``None`` everywhere: a missing value is never
the same as a present one (the scorer counts those errors apart).

Folding, in order:

1. case, curly quotes, possessive "'s", punctuation and whitespace;
2. demonyms/adjectives to the country ("Ukrainian" -> "ukraine"), British to
   American spelling ("defence" -> "defense"), "united nations" -> "un";
3. a leading "the";
4. the alias table :data:`ALIASES`: every variant phrase of one body is
   replaced by one canonical token (so "Russia's Ministry of Defence" and
   "Russian Defence Ministry" both become "russia mod"). Claimants also drop
   titles and roles (:data:`CLAIMANT_TITLE_WORDS`). Sides use
   :data:`SIDE_ALIASES` instead and drop generic words after a country
   ("Russian forces" -> "russia"); equipment uses :data:`EQUIPMENT_ALIASES`
   and makes every word singular.

Fuzzy matching (:func:`similar_names`) then accepts two folded keys when

* their digits are the same (so "past 24 hours" never equals "past 48 hours"), and
* ``max(token Dice, difflib ratio) >= FUZZY_THRESHOLD`` (0.85), or one key's
  tokens are a subset of the other's and the extra tokens are only country
  names ("mod" vs "russia mod": the article's unqualified name for the body),
  or (claimants only) the shorter is the surname of the longer ("bastrykin"
  vs "alexander bastrykin").

The tables are data: extend them here, in one place.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

FUZZY_THRESHOLD = 0.85

# Demonyms and adjectives -> the country (or people) name used as a side.
# Keys and values are folded (lower case, ASCII).
DEMONYMS: dict[str, str] = {
    "ukrainian": "ukraine",
    "ukrainians": "ukraine",
    "russian": "russia",
    "russians": "russia",
    "russian federation": "russia",
    "israeli": "israel",
    "israelis": "israel",
    "palestinian": "palestinians",
    "palestine": "palestinians",
    "sudanese": "sudan",
    "syrian": "syria",
    "syrians": "syria",
    "lebanese": "lebanon",
    "yemeni": "yemen",
    "yemenis": "yemen",
    "iranian": "iran",
    "iranians": "iran",
    "iraqi": "iraq",
    "iraqis": "iraq",
    "american": "us",
    "americans": "us",
    "united states": "us",
    "usa": "us",
    "u s": "us",
    "british": "uk",
    "united kingdom": "uk",
    "britain": "uk",
    "great britain": "uk",
    "belarusian": "belarus",
    "belarusians": "belarus",
    "gazan": "gaza",
    "gazans": "gaza",
    "united nations": "un",
}

# Tokens that name a country/people after demonym folding: an unqualified name
# ("MoD") may equal the same name qualified by one of these ("Russian MoD").
COUNTRY_TOKENS: frozenset[str] = frozenset(
    {
        "ukraine",
        "russia",
        "israel",
        "palestinians",
        "sudan",
        "syria",
        "lebanon",
        "yemen",
        "iran",
        "iraq",
        "us",
        "uk",
        "belarus",
        "gaza",
        "kyiv",
        "moscow",
    }
)

# British -> American spellings and other one-word synonyms.
SPELLINGS: dict[str, str] = {
    "defence": "defense",
    "armoured": "armored",
    "armour": "armor",
    "programme": "program",
    "centre": "center",
    "oblast": "region",
    "province": "region",
}

# Canonical token -> variant phrases (written naturally; folded when loaded).
# A variant may mention a country, which then becomes part of the key.
ALIASES: dict[str, tuple[str, ...]] = {
    "ohchr": (
        "OHCHR",
        "UN Human Rights Office",
        "UN human rights office",
        "UN Office for Human Rights",
        "Office of the UN High Commissioner for Human Rights",
        "Office of the High Commissioner for Human Rights",
        "UN Office of the High Commissioner for Human Rights",
        "United Nations Office of the High Commissioner for Human Rights",
        "UN High Commissioner for Human Rights Office",
        "UN rights office",
    ),
    "hrmmu": (
        "HRMMU",
        "UN Human Rights Monitoring Mission in Ukraine",
        "Human Rights Monitoring Mission in Ukraine",
        "UN monitoring mission in Ukraine",
    ),
    "mod": (
        "MoD",
        "Defence Ministry",
        "Defense Ministry",
        "Ministry of Defence",
        "Ministry of Defense",
        "Defence Department",
        "Department of Defense",
    ),
    "ukraine_general_staff": (
        "General Staff of the Ukrainian armed forces",
        "General Staff of the Ukrainian Armed Forces",
        "Ukrainian General Staff",
        "General Staff of the armed forces of Ukraine",
        "General Staff of Ukraine's armed forces",
        "Ukrainian armed forces General Staff",
        "Ukraine's General Staff",
        "General Staff of Ukraine",
        "Ukrainian military's General Staff",
    ),
    "russia_general_staff": (
        "General Staff of the Russian armed forces",
        "Russian General Staff",
        "General Staff of the armed forces of Russia",
        "Russia's General Staff",
    ),
    "unicef": ("UNICEF", "UN Children's Fund", "United Nations Children's Fund"),
    "who": ("WHO", "World Health Organization", "World Health Organisation"),
    "ocha": (
        "OCHA",
        "UN Office for the Coordination of Humanitarian Affairs",
        "Office for the Coordination of Humanitarian Affairs",
    ),
    "unhcr": ("UNHCR", "UN refugee agency", "UN Refugee Agency", "UN High Commissioner for Refugees"),
    "iom": ("IOM", "International Organization for Migration"),
    "gaza_health_ministry": (
        "Gaza Health Ministry",
        "Gaza's Health Ministry",
        "Health Ministry in Gaza",
        "Gaza Ministry of Health",
        "Ministry of Health in Gaza",
    ),
    "idf": ("IDF", "Israel Defense Forces", "Israeli Defense Forces", "Israeli military", "Israeli army"),
    "rsf": ("RSF", "Rapid Support Forces"),
    "saf": ("SAF", "Sudanese Armed Forces", "Sudanese army", "Sudan army", "Sudanese military"),
}

# Titles and roles in front of or after a claimant's name: "President Volodymyr
# Zelenskyy" is "Volodymyr Zelenskyy", "Ukrainian military officials" is
# "Ukrainian military". Dropped only when other words remain.
CLAIMANT_TITLE_WORDS: frozenset[str] = frozenset(
    {
        "president",
        "prime",
        "minister",
        "deputy",
        "spokesperson",
        "spokesman",
        "spokeswoman",
        "official",
        "officials",
        "head",
        "chief",
        "mayor",
        "governor",
        # ranks and forms of address: "Lt. Gen. Rajiv Ghai" is "Rajiv Ghai"
        "lt",
        "lieutenant",
        "gen",
        "general",
        "col",
        "colonel",
        "maj",
        "major",
        "capt",
        "captain",
        "brig",
        "brigadier",
        "sgt",
        "marshal",
        "commander",
        "dr",
        "mr",
        "mrs",
        "ms",
    }
)

# Side names (claimant_side, victim_side, perpetrator_side) that a country name
# alone would get wrong. In Sudan the army is a party of its own, not "Sudan".
SIDE_ALIASES: dict[str, tuple[str, ...]] = {
    "saf": ("SAF", "Sudanese Armed Forces", "Sudanese army", "Sudan army", "Sudanese military"),
    "rsf": ("RSF", "Rapid Support Forces", "paramilitary Rapid Support Forces"),
    "israel": ("IDF", "Israel Defense Forces", "Israeli Defense Forces"),
}

# Words that add nothing to a side after a country name: "Russian forces" = "Russia".
GENERIC_SIDE_WORDS: frozenset[str] = frozenset(
    {
        "forces",
        "armed",
        "troops",
        "military",
        "army",
        "government",
        "authorities",
        "people",
        "side",
        "civilians",
        "soldiers",
        "federation",
        "state",
    }
)

# Equipment words: one canonical singular token for interchangeable names.
EQUIPMENT_ALIASES: dict[str, tuple[str, ...]] = {
    "drone": ("drone", "UAV", "unmanned aerial vehicle", "unmanned aircraft"),
    "afv": ("armored fighting vehicle", "armoured fighting vehicle", "AFV"),
    "apc": ("armored personnel carrier", "armoured personnel carrier", "APC"),
    "mlrs": ("multiple launch rocket system", "multiple rocket launcher", "MLRS"),
}

# Plurals that the suffix rules get wrong.
IRREGULAR_SINGULARS: dict[str, str] = {
    "people": "person",
    "men": "man",
    "women": "woman",
    "children": "child",
    "buses": "bus",
    "aircraft": "aircraft",
    "series": "series",
    "species": "species",
    "boats": "boat",
    "ships": "ship",
    "vessels": "vessel",
}

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
    }
)
_POSSESSIVE = re.compile(r"'s\b")
_NON_WORD = re.compile(r"[^a-z0-9_]+")
_DIGITS = re.compile(r"\d+")


def fold(text: str) -> str:
    """Lower case, ASCII quotes, no possessive 's, punctuation -> space, single spaces."""
    text = text.translate(_QUOTES).lower()
    text = _POSSESSIVE.sub("", text)
    return " ".join(_NON_WORD.sub(" ", text).split())


def _replace_phrases(folded: str, table: dict[str, str]) -> str:
    """Replace whole-word phrases (longest first) by their canonical form."""
    padded = f" {folded} "
    for phrase in sorted(table, key=lambda p: (-len(p), p)):
        padded = padded.replace(f" {phrase} ", f" {table[phrase]} ")
        padded = padded.replace(f" {phrase} ", f" {table[phrase]} ")  # overlapping repeats
    return " ".join(padded.split())


def _drop_repeats(tokens: list[str]) -> list[str]:
    """ "ohchr ohchr" -> "ohchr" (a full name followed by its acronym in brackets)."""
    return [t for i, t in enumerate(tokens) if i == 0 or t != tokens[i - 1]]


def _basic(text: str) -> str:
    """Folding steps 1-3: punctuation, demonyms, spellings, leading "the"."""
    folded = _replace_phrases(fold(text), DEMONYMS)
    tokens = [SPELLINGS.get(t, t) for t in folded.split()]
    while tokens and tokens[0] == "the":
        tokens = tokens[1:]
    return " ".join(tokens)


@lru_cache(maxsize=1)
def _alias_phrases() -> dict[str, str]:
    return {_basic(variant): canonical for canonical, variants in ALIASES.items() for variant in variants}


@lru_cache(maxsize=4096)
def name_key(text: str) -> str:
    """Canonical key of a body or person name (claimant, side): folded, aliases applied."""
    replaced = _replace_phrases(_basic(text), _alias_phrases())
    return " ".join(_drop_repeats(replaced.split()))


@lru_cache(maxsize=1)
def _side_phrases() -> dict[str, str]:
    return {_basic(variant): canonical for canonical, variants in SIDE_ALIASES.items() for variant in variants}


@lru_cache(maxsize=1)
def _country_phrases() -> dict[str, str]:
    """The shared table of countries and peoples (summarizer/core/data/countries.tsv), folded: every
    word or phrase that names one -> its short name as one token ("congolese", "dr congo" ->
    "democratic_republic_of_congo"), so the scorer reads sides as the grammar and validation do."""
    from summarizer.core.countries import country_table

    def token(name: str) -> str:
        return _basic(name).replace(" ", "_")

    return {_basic(phrase): token(name) for phrase, name in country_table().items() if _basic(phrase)}


@lru_cache(maxsize=4096)
def side_key(text: str) -> str:
    """Canonical key of a party: folded, side aliases, then "<country> forces/army/..." -> "<country>"."""
    tokens = _replace_phrases(_replace_phrases(_basic(text), _side_phrases()), _country_phrases()).split()
    known = COUNTRY_TOKENS | set(_country_phrases().values())
    countries = [t for t in tokens if t in known]
    if len(set(countries)) == 1 and all(t in known or t in GENERIC_SIDE_WORDS for t in tokens):
        return countries[0]
    return " ".join(tokens)


# Who runs or holds a place is no part of a body's name there: "the health ministry in Hill-run
# Kessa" is the "health ministry in Kessa".
_HELD_BY = re.compile(r"\b[\w'’]+-(?:run|held|controlled|led|administered|occupied)\s+(?=\w)", re.IGNORECASE)
# A plain body named by where it sits is the place's body: "the health ministry in Kessa" is the
# "Kessa health ministry", "officials in Port Tarsa" are "Port Tarsa officials".
_BODY_IN_PLACE = re.compile(r"^(?:the\s+)?((?:[a-z][\w'’-]*\s+){0,3}[a-z][\w'’-]*)\s+in\s+(?:the\s+)?([A-Z].*)$")


@lru_cache(maxsize=4096)
def claimant_key(text: str) -> str:
    """:func:`name_key` without titles and roles (see :data:`CLAIMANT_TITLE_WORDS`), a plain body
    named by where it sits read as the place's body ("the health ministry in Kessa")."""
    text = _HELD_BY.sub("", text.strip())
    placed = _BODY_IN_PLACE.match(text)
    if placed:
        text = f"{placed.group(2)} {placed.group(1)}"
    tokens = name_key(text).split()
    kept = [t for t in tokens if t not in CLAIMANT_TITLE_WORDS]
    return " ".join(kept or tokens)


def singular(word: str) -> str:
    """English singular of one lower-case word, by suffix rules plus :data:`IRREGULAR_SINGULARS`."""
    if word in IRREGULAR_SINGULARS:
        return IRREGULAR_SINGULARS[word]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes", "xes", "zzes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@lru_cache(maxsize=1)
def _equipment_phrases() -> dict[str, str]:
    table = {}
    for canonical, variants in EQUIPMENT_ALIASES.items():
        for variant in variants:
            table[" ".join(singular(t) for t in _basic(variant).split())] = canonical
    return table


@lru_cache(maxsize=4096)
def equipment_key(text: str) -> str:
    """Canonical key of an equipment kind: folded, every word singular, aliases applied."""
    singular_words = " ".join(singular(t) for t in _basic(text).split())
    return _replace_phrases(singular_words, _equipment_phrases())


@lru_cache(maxsize=4096)
def text_key(text: str) -> str:
    """Canonical key of free text in the article's words (period, location)."""
    return _basic(text)


def _dice(a: list[str], b: list[str]) -> float:
    sa, sb = set(a), set(b)
    return 2 * len(sa & sb) / (len(sa) + len(sb)) if sa or sb else 1.0


def _qualified_variant(short: set[str], long: set[str]) -> bool:
    """One name is the other plus country names only, or its surname."""
    if not short or not short < long:
        return False
    return (long - short) <= COUNTRY_TOKENS


# Small words a short form skips: "Organization for Migration" is "OM", "Bureau of Statistics" "BS".
_SHORT_FORM_SKIPS = frozenset("of for the and on in at to de du des del la le pour et y".split())


def _initialism(short: str, words: list[str]) -> bool:
    """Whether ``short`` (3-8 letters) is the initials of ``words``, small words skipped, whole or
    without the last word ("acled" for "armed conflict location event data project")."""
    initials = "".join(w[0] for w in words if w not in _SHORT_FORM_SKIPS and w[:1].isalpha())
    return 3 <= len(short) <= 8 and short.isalpha() and len(initials) >= 3 and short in (initials, initials[:-1])


def similar_names(key_a: str, key_b: str, *, surname: bool = False, threshold: float = FUZZY_THRESHOLD) -> bool:
    """Whether two already-folded keys name the same thing (see the module docstring).

    ``surname`` also accepts a single word that ends the other name (people, for claimants).
    """
    if key_a == key_b:
        return True
    if _DIGITS.findall(key_a) != _DIGITS.findall(key_b):
        return False  # "24 hours" vs "48 hours" are different periods however close the strings
    tokens_a, tokens_b = key_a.split(), key_b.split()
    short, long = sorted((tokens_a, tokens_b), key=len)
    if _qualified_variant(set(short), set(long)):
        return True
    if surname and len(short) == 1 and len(long) > 1 and short[0] == long[-1] and len(short[0]) >= 4:
        return True  # surname: "Bastrykin" for "Alexander Bastrykin"
    if surname and len(short) == 1 and _initialism(short[0], long):
        return True  # a short form: "hrn" for "harbour relief network"
    ratio = difflib.SequenceMatcher(None, key_a, key_b, autojunk=False).ratio()
    return max(_dice(tokens_a, tokens_b), ratio) >= threshold


def _same(a: str | None, b: str | None, key, fuzzy: bool, surname: bool = False) -> bool:
    if a is None or b is None:
        return a is None and b is None
    key_a, key_b = key(a), key(b)
    return similar_names(key_a, key_b, surname=surname) if fuzzy else key_a == key_b


def same_claimant(a: str | None, b: str | None) -> bool:
    """Same body or person: aliases, titles dropped, then fuzzy matching."""
    return _same(a, b, claimant_key, fuzzy=True, surname=True)


def same_side(a: str | None, b: str | None) -> bool:
    """Same party to the conflict ("Ukrainian" = "Ukraine"). No fuzzy matching: "Sudan" is not "Sudanese army"."""
    return _same(a, b, side_key, fuzzy=False)


def same_equipment(a: str | None, b: str | None) -> bool:
    """Same kind of item: plural/singular, spelling and aliases folded, then fuzzy matching."""
    return _same(a, b, equipment_key, fuzzy=True)


def same_text(a: str | None, b: str | None) -> bool:
    """Same period or location in the article's words: folded, then fuzzy matching (digits must agree)."""
    return _same(a, b, text_key, fuzzy=True)
