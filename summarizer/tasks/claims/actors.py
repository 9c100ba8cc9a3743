"""Candidate actors of an article: the names and mentions that may be who says a figure.

The parser proposes, the model decides: every capitalised name (with its connecting words:
"Office of the High Commissioner for Human Rights", "Sudan Doctors Network"), a name's body
("Syria's defence ministry", "Ukrainian officials") and a plain mention of a body ("the
ministry", "a spokesman", "witnesses") is a candidate; the model then says what kind of actor
each is, or that it is a place, a date or the victims (:mod:`summarizer.tasks.claims.cast`). Nothing
here knows any particular actor: the words below are English words for kinds of bodies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from summarizer.tasks.claims.speech import is_reporting_word

__all__ = ["Candidate", "find_candidates"]

# English nouns for bodies and people that give figures (not victims: "soldiers", "civilians").
BODY_NOUNS = frozenset(
    "ministry ministries army military police government office authorities authority officials official "
    "spokesman spokeswoman spokesperson agency force forces militia militias rebels council committee commission "
    "department hospital hospitals doctors medics witnesses witness residents survivors monitor monitors "
    "group network media newspaper channel broadcaster governor mayor commander minister president "
    "presidency junta administration service services staff command headquarters observatory mission "
    "organisation organization ngo charity society union coalition front movement party guard guards "
    "prosecutor prosecutors court ombudsman inspector director chief head secretary general police's army's".split()
)
# Words inside a name between its capitalised words, in English and in the French, Spanish, Portuguese
# and Italian names news reports keep as written ("Collectif Justice pour Kessa", "Frente por la Paz").
_CONNECTORS = frozenset("of for the de du des al el la & pour por para del y et di da do dos das".split())
# Capitalised words that open sentences or stand for nobody.
_NOT_NAMES = frozenset(
    "The A An In On At But And Or It Its He She His Her They Their This That These Those There Then "
    "According After Before Since While When Where Meanwhile However Also Over More Some Among Of For "
    "Most Many Much Other Others Another Both Each Every All No Not Yet Still Earlier Later Last Next "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July "
    "August September October November December Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec "
    "I We You Mr Mrs Ms Dr Gen Lt Col Maj Brig Capt Sgt Adm Sen Rep Gov Prof Update Updates Breaking Read Skip "
    "Photo Video Source Sources Reporting Editing By Related Advertisement".split()
)
_TITLES = frozenset("Mr Mrs Ms Dr Gen Lt Col Maj Brig Capt Sgt Adm Sen Rep Gov Prof President Minister".split())
_TOKEN = re.compile(r"[A-Za-z0-9][\w'’.-]*[\w]|[A-Za-z0-9]|[^\w\s]")
_GENERIC = re.compile(
    r"\b(?:(?:the|a|an|local|regional|provincial|state|federal|military|health|government|security|police|"
    r"hospital|rebel|army|defence|defense|interior|foreign|medical|aid|camp|village|district|senior|top)\s+){1,3}"
    r"(?-i:[a-z][a-z-]+\s+)?"  # one more word of its kind: "a local rescue group", "the state news agency"
    r"(?:" + "|".join(sorted(BODY_NOUNS - {"police's", "army's"}, key=len, reverse=True)) + r")\b"
    r"|\b(?:witnesses|residents|survivors|officials|authorities|medics|doctors)\b",
    re.IGNORECASE,
)


# A surname with a lower-case particle continues a name ("Anees al-Asbahi"), never opens one.
_PARTICLE_NAME = re.compile(r"(?:al|el|ad|as|ash|bin|ibn|abu|van|von|de|da|dos|del)-[A-Z][\w'’-]*")
_LEADING = re.compile(r"(?:(?:the|a|an)\s+)?", re.IGNORECASE)


def _skip_article(article: str, start: int, end: int) -> int:
    """Where a span starts once a leading "the"/"a"/"an" is left out."""
    match = _LEADING.match(article, start, end)
    return match.end() if match else start


@dataclass(frozen=True)
class Candidate:
    """A name or mention the model is asked about: its text and where it first stands."""

    text: str
    start: int
    end: int
    sentence: tuple[int, int]
    # Every sentence that mentions it, the first included: a party named in the lede and then
    # again beside a figure ("X said it had killed 100 soldiers") is near that figure.
    sentences: tuple[tuple[int, int], ...] = ()


def _name_runs(article: str) -> list[tuple[int, int]]:
    """Spans of capitalised names, with connecting words inside them and a body after a
    possessive or adjective ("Syria's defence ministry", "Ukrainian officials")."""
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(article)]
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        if not _is_name(tokens[i][2]) or (tokens[i][2].rstrip(".") in _NOT_NAMES and tokens[i][2] not in _TITLES):
            i += 1
            continue
        start, j = tokens[i][0], i
        while j + 1 < len(tokens) and "\n" not in article[tokens[j][1] : tokens[j + 1][0]]:
            nxt = tokens[j + 1][2]
            initial = tokens[j][2] in _TITLES or re.fullmatch(r"[A-Z](?:\.[A-Z])*", tokens[j][2])
            if nxt == "." and initial and j + 2 < len(tokens) and _is_name(tokens[j + 2][2]):
                j += 2  # "Lt. Gen. Rajiv Ghai", "A.K. Bharti": a title's or an initial's full stop is inside the name
                continue
            if (
                nxt in ("'", "’")
                and tokens[j][2].endswith("s")
                and tokens[j][1] == tokens[j + 1][0]
                and j + 2 < len(tokens)
                and _is_name(tokens[j + 2][2])
            ):
                j += 2  # "Tribal Elders' Council": a plural possessive inside a name
                continue
            if (_is_name(nxt) or _PARTICLE_NAME.fullmatch(nxt)) and nxt.rstrip(".") not in _NOT_NAMES - _TITLES:
                j += 1
                continue
            # "Office of the High Commissioner", "Location & Event Data": up to two connecting words
            k = j + 1
            while k < len(tokens) and k - j <= 2 and tokens[k][2].lower() in _CONNECTORS:
                k += 1
            if k == j + 1 and _and_inside(tokens, i, j):
                k += 1
            listed = _list_inside(tokens, i, j) if k == j + 1 else None
            if listed is not None:
                j = listed
                continue
            if (
                k > j + 1
                and k < len(tokens)
                and _is_name(tokens[k][2])
                and "\n" not in article[tokens[j][1] : tokens[k][0]]
            ):
                j = k
                continue
            break
        j = _with_body(tokens, j)
        runs.append((start, tokens[j][1]))
        i = j + 1
    return runs


def _and_inside(tokens: list[tuple[int, int, str]], i: int, j: int) -> bool:
    """Whether the "and" after token ``j`` joins words of one body's name: only inside its "of"/"for"
    phrase and before a plain name ("Office for Displaced Persons and Refugees"); elsewhere it joins
    two actors ("Orla and Veldan", "the Office of Health and Orla's army", "... and the Relief Society")."""
    if j + 2 >= len(tokens) or tokens[j + 1][2] != "and" or not any(t[2] in ("of", "for") for t in tokens[i : j + 1]):
        return False
    following = tokens[j + 2][2]
    return _is_name(following) and not following.endswith(("'s", "’s")) and following not in _NOT_NAMES


def _list_inside(tokens: list[tuple[int, int, str]], i: int, j: int) -> int | None:
    """The last token of a list of plain names that goes on a body's "of"/"for" phrase after token
    ``j`` (", Culture and Tourism" of "Ministry of Information, Culture and Tourism"), or None. One
    word each, ended by "and": two names after a comma are two actors, not a list."""
    if not any(t[2] in ("of", "for") for t in tokens[i : j + 1]):
        return None
    k = j + 1
    while k + 1 < len(tokens) and tokens[k][2] == "," and _plain_name(tokens[k + 1][2]):
        k += 2
    if k == j + 1 or k + 1 >= len(tokens) or tokens[k][2] != "and" or not _plain_name(tokens[k + 1][2]):
        return None
    return k + 1


def _plain_name(word: str) -> bool:
    """A capitalised word that may go on a name: no possessive, no country ("..., Chad and Niger")."""
    from summarizer.core.countries import country_of

    return (
        _is_name(word)
        and not word.endswith(("'s", "’s"))
        and word.rstrip(".") not in _NOT_NAMES
        and not country_of(word)
    )


def _with_body(tokens: list[tuple[int, int, str]], j: int) -> int:
    """The end token of a name extended by up to three lower-case words ending in a body noun."""
    for k in range(j + 1, min(j + 4, len(tokens))):
        word = tokens[k][2]
        if not word.isalpha() or not word.islower() or is_reporting_word(word):
            return j  # "... Tourism says army troops": the name ended at its verb
        if word in BODY_NOUNS:
            return k
    return j


def _is_name(word: str) -> bool:
    return word[:1].isupper() or (word[:1].isdigit() and any(c.isupper() for c in word))


def _common_word(text: str, start: int, article: str, words: set[str]) -> bool:
    """One capitalised word that opens a sentence and stands in lower case elsewhere ("Fighting
    spread ..." beside "the fighting"): an ordinary word, not a name. ``words``: the article's
    words (searched for once, not once per name: a long article's names took quadratic time)."""
    opens = start == 0 or re.search(r"(?:^|[.!?\n]\s*|[—–-]\s)$", article[max(0, start - 3) : start]) is not None
    if " " in text or not opens:
        return False
    low = text.lower()
    if re.fullmatch(r"\w+", low):
        return low in words
    return re.search(rf"\b{re.escape(low)}\b", article) is not None


def find_candidates(article: str) -> list[Candidate]:
    """The article's candidate actors, each once (at its first mention, with every sentence that
    mentions it), in order."""
    from summarizer.tasks.claims.figures import sentence_at, split_sentences

    spans = _name_runs(article) + [(m.start(), _where_based(article, m.end())) for m in _GENERIC.finditer(article)]
    spans = [(_skip_article(article, start, end), end) for start, end in spans]
    sentences = split_sentences(article)
    words = set(re.findall(r"\w+", article))
    seen: dict[str, Candidate] = {}
    mentioned: dict[str, list[tuple[int, int]]] = {}
    for start, end in _outermost(spans):
        text = re.sub(r"^(?:the|a|an)\s+", "", article[start:end], flags=re.IGNORECASE)
        start = end - len(text)
        text = text.rstrip(".")
        end = start + len(text)
        if len(text) < 2 or len(text) > 80 or any(ch.isdigit() for ch in text[:1]):
            continue
        if text.lower() in seen:
            mentioned[text.lower()].append(sentence_at(sentences, start, end))
            continue
        if _common_word(text, start, article, words):
            continue
        sentence = sentence_at(sentences, start, end)
        seen[text.lower()] = Candidate(text, start, end, sentence)
        mentioned[text.lower()] = [sentence]
    return [replace(c, sentences=tuple(dict.fromkeys(mentioned[key]))) for key, c in seen.items()]


# Where a plain mention of a body sits, which names it: "the health ministry in rebel-held Kessa",
# "officials in Port Tarsa" (a place's name, with a hyphenated word before it).
_PLACE_WORD = r"[A-Z][\w'’]*(?:-[A-Z][\w'’]*)*(?![\w-])"  # "Kessa", "Port-Tarsa"; not "Hill-run"
_IN_PLACE = re.compile(rf"\s+in\s+(?:the\s+)?(?:[\w'’]+-[\w'’]+\s+)?{_PLACE_WORD}(?:\s+{_PLACE_WORD}){{0,2}}")


def _where_based(article: str, end: int) -> int:
    """The end of a plain mention of a body with the place it sits in, if the words after it name one."""
    match = _IN_PLACE.match(article, end)
    return match.end() if match else end


def _outermost(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spans`` sorted, each once, without those inside another ("Ministry" in "Defence Ministry").
    One sweep: comparing each span with every other took quadratic time in a long article."""
    kept: list[tuple[int, int]] = []
    reach = -1  # the furthest end of the spans kept so far
    for span in sorted(set(spans), key=lambda s: (s[0], -s[1])):
        if span[1] > reach:
            kept.append(span)
            reach = span[1]
    return kept
