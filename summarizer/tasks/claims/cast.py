"""The article's cast: who the article names, read once per article before its figures.

Claimants and sides used to come from tables of the actors of the wars this project was
developed on; an article about any other war had none of its parties in them. Now the parser
proposes the article's names and mentions of bodies (:mod:`summarizer.tasks.claims.actors`) and the
model says, for each, with the article in view, what kind of actor it is, or that it is a
place, a date, the victims or nothing of the kind (one bounded answer each: :func:`kind_grammar`).
Everything after is bookkeeping over that list:

* a generic mention ("the ministry", "the spokesman") takes the name of the most specific mention
  of the same thing ("Russia's Defence Ministry"): its canonical name (:func:`canonical_names`);
* the claimant of a figure is a cast member that can speak, written with its canonical name;
  places, dates, the victims, datelines and names holding a number never are (:meth:`Cast.speakers`);
* the claimant's type is its kind (:data:`CLAIMANT_TYPE`): decided by the model with the article in
  view, not by a pattern of its name; its side is the country its name holds, where it holds one
  ("Russia's Defence Ministry"), or the armed group itself;
* the parties that sides may name are the article's countries and peoples plus the cast's forces,
  armed groups and peoples (:meth:`Cast.parties`).
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from summarizer.core.countries import country_of
from summarizer.core.text import acronyms, word_mentions
from summarizer.engine.sides import MADE_IN
from summarizer.tasks.claims.speech import pronoun_speaker

# The kinds the cast grammar offers, in the order the instructions explain them.
KINDS = (
    "country",  # a country or people ("Ukraine", "Palestinians", "Kuki villagers")
    "force",  # a state's armed force or police ("the Sudanese army", "federal police")
    "armed_group",  # a non-state armed force ("the Hill Front", "a local militia")
    "government",  # a government body or official, and the people who speak for them
    "international",  # an international organisation (UN bodies, regional blocs)
    "ngo",  # an NGO, monitor, aid group, think tank, hospital
    "media",  # a news outlet
    "witness",  # witnesses, residents, survivors who give a figure
    "place",  # not an actor: a town, province, region
    "date",  # not an actor: a day, month, period
    "victims",  # not an actor: the people a figure counts
    "other",  # not an actor: anything else ("Fighting" opening a sentence)
)
# A kind's claimant type (claims contract); kinds missing here never claim.
CLAIMANT_TYPE = {
    "country": "state",
    "force": "state",
    "government": "state",
    "armed_group": "armed_group",
    "international": "international_organization",
    "ngo": "ngo",
    "media": "media",
    "witness": "witness",
}
# Kinds that never claim. "victims" is not among them: a small model reads a speaker ("Doctors
# Network") as the victims it counts more often than it takes the victims for a speaker, and a
# name holding a number ("Twelve soldiers") never claims anyway (can_speak).
NOT_SPEAKERS = frozenset({"place", "date", "other"})
NEUTRAL_KINDS = frozenset({"international", "ngo"})  # claimant_side null, says the contract
# Kinds whose claimant_side is null: neutral bodies, and outlets and witnesses, who are no party.
SIDELESS_KINDS = NEUTRAL_KINDS | {"media", "witness"}
STATE_KINDS = frozenset({"country", "force", "government"})  # a state's, so a country's side
PARTY_KINDS = frozenset({"country", "force", "armed_group"})  # what a side may name
# Nouns of a generic mention that names an organisation ("the group", "the agency"): read where it
# reports as the body named last before it. Officials and spokesmen are not (a person or a body).
_ORGANISATION_NOUNS = frozenset(
    "group organisation organization movement militia network agency coalition alliance front monitor "
    "observatory charity society union council committee commission".split()
)
_BODY_KINDS = frozenset({"force", "armed_group", "government", "international", "ngo", "media"})
MAX_ACTORS = 40  # candidates asked about per article, those near figures first
KIND_TOKENS = 12  # {"kind":"international"} is a handful of tokens, most of them forced
_ARTICLES = re.compile(r"^(?:the|a|an|its|their|his|her)\s+", re.IGNORECASE)
_MONTHS_DAYS = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|"
    r"Sunday)\b\.?"
)


@dataclass(frozen=True)
class Actor:
    name: str  # an article span
    kind: str  # one of KINDS
    canonical: str  # the most specific mention of the same actor (the name itself if none)


@dataclass(frozen=True)
class Cast:
    actors: tuple[Actor, ...]
    people: frozenset[str] = frozenset()  # names the article itself uses as a people (see cast_of)
    # (full name, short form) of each short form the article spells out: a side is written short
    # ("HLA"), as the contract writes sides, where a claimant is the most specific name.
    short_forms: tuple[tuple[str, str], ...] = ()

    def speakers(
        self, article: str, window: tuple[int, int] | None = None, sentence: tuple[int, int] | None = None
    ) -> list[Actor]:
        """Actors that may be a claimant, one per canonical name, in the order of the cast; with a
        ``window`` (a figure's sentence and those either side), those named in it, if any are:
        whoever gives a figure is named next to it; of those, the ones in a reporter's position
        in the figure's ``sentence`` (or else in the window), if any are (:mod:`.speech`)."""
        seen: dict[str, Actor] = {}
        for actor in self.actors:
            if (
                actor.kind not in NOT_SPEAKERS
                and can_speak(actor.canonical, article)
                and not is_adjective(actor.canonical)
            ):
                seen.setdefault(actor.canonical, actor)
        if window is None:
            return list(seen.values())
        nearby = self._near(article, window, list(seen.values()))
        reporting = self._reporting(nearby, article, window, sentence)
        if reporting:
            return reporting
        # Nobody is where a reporter stands: any actor near, but not one the figure's sentence names
        # as the attacker ("An Orlan military air strike killed 18 people ..."), which never gives it.
        text = article[sentence[0] : sentence[1]] if sentence else ""
        return [a for a in nearby if not _named_attacking(a.name, text)] or nearby or list(seen.values())

    def reporters(self, article: str, window: tuple[int, int], sentence: tuple[int, int]) -> list[Actor]:
        """The speakers (:meth:`speakers`) that the figure's sentence, or the sentences beside it,
        put where a reporter stands, or that its "He said" stands for; empty if none is."""
        return self._reporting(self._near(article, window, self.speakers(article)), article, window, sentence)

    def _near(self, article: str, window: tuple[int, int], speakers: list[Actor]) -> list[Actor]:
        """Of ``speakers``, those named in ``window`` by any of their names ("HLA" for the Hill
        Liberation Army)."""
        text = article[window[0] : window[1]]
        near = {a.canonical for a in self.actors if a.name in text or a.canonical in text}
        return [a for a in speakers if a.canonical in near]

    def _reporting(
        self, nearby: list[Actor], article: str, window: tuple[int, int], sentence: tuple[int, int] | None
    ) -> list[Actor]:
        # Of those, the ones the figure's sentence (else the sentences beside it: "He said ...")
        # puts where a reporter stands; the attackers, places and victims named there are not.
        for lo_, hi_ in ([sentence] if sentence else []) + [window]:
            text = article[lo_:hi_]
            speaking = [a for a in self.actors if _speaks(a, text)]
            # "The group said ..." is the group named last before it, whatever "the group" is elsewhere;
            # unless a name speaks there too ("according to the UN refugee agency": the agency itself).
            if not any(not is_generic(a.name) for a in speaking):
                recent = [r for r in (self._recent(a, article, lo_) for a in speaking) if r is not None]
                if recent:
                    return list({r.canonical: r for r in recent}.values())  # "the police ... the police"
            speaking_ = {a.canonical for a in speaking}
            if any(a.canonical in speaking_ for a in nearby):
                return [a for a in nearby if a.canonical in speaking_]
            if sentence and (lo_, hi_) == sentence:  # no name speaks in it: "He said ..." speaks of one named before
                pronoun = pronoun_speaker(text)
                before = article[window[0] : sentence[0]]
                earlier = self._antecedents(nearby, before, pronoun)
                if pronoun and self._only_pronoun_speaks(before):
                    earlier = self._chained(article, window[0], pronoun) or earlier
                if earlier:
                    return earlier
        return []

    def _only_pronoun_speaks(self, text: str) -> bool:
        """Whether ``text`` reports through a pronoun ("He said ...") and through no name."""
        return pronoun_speaker(text) is not None and not any(_speaks(a, text) for a in self.actors)

    def _chained(self, article: str, start: int, pronoun: str) -> list[Actor]:
        """Who "He added ..." stands for where the sentence before it (ending at ``start``) reports
        through a pronoun too ("Ada Brenner gave a new toll. He said 26 died. He added that 30 were
        freed"): the one that sentence's pronoun stands for, read further back, up to three sentences;
        the names in the sentence between ("30 of them Hill Front troops") are not who spoke."""
        spans = _sentence_spans(article)
        at = bisect.bisect_right(spans, start, key=lambda span: span[0]) - 1
        speakers = self.speakers(article)
        for lo, hi in reversed(spans[max(0, at - 3) : at]):
            text = article[lo:hi]
            found = self._antecedents(speakers, text, pronoun)
            if found or not self._only_pronoun_speaks(text):
                return found
        return []

    def _recent(self, actor: Actor, article: str, at: int) -> Actor | None:
        """What a generic mention of a body ("the ministry", "the group") that reports at ``at``
        stands for there: the named body mentioned last before it with the same head noun ("the
        ministry" after a second ministry is that one, not the first), else (for a word that names
        an organisation of any kind: "the group", "the agency") the named body mentioned last.
        None for a specific name, or where nothing is named before."""
        if not is_generic(actor.name):
            return None
        last: dict[str, tuple[int, Actor]] = {}
        for other in self.actors:
            if is_generic(other.name) or other.kind not in _BODY_KINDS or not can_speak(other.canonical, article):
                continue
            at_ = max((m.start() for m in word_mentions(other.name, article[:at])), default=-1)
            if at_ >= 0 and at_ > last.get(other.canonical, (-1, other))[0]:
                last[other.canonical] = (at_, other)
        same = [(pos, a) for pos, a in last.values() if head(a.canonical) == head(actor.name)]
        if not same and head(actor.name) not in _ORGANISATION_NOUNS:
            return None
        found = max(same or list(last.values()), key=lambda item: item[0], default=None)
        return Actor(actor.name, found[1].kind, found[1].canonical) if found else None

    def _antecedents(self, nearby: list[Actor], before: str, pronoun: str | None) -> list[Actor]:
        """Who "He said" or "It said" stands for: of the actors ``before`` names (the sentence before
        the figure's), persons for "he" and "she", bodies for "it", those it puts in a reporter's
        position first. Empty without such a pronoun."""
        if pronoun is None or not before:
            return []
        named = {a.canonical for a in self.actors if a.name in before or a.canonical in before}
        fits = [
            a for a in nearby if a.canonical in named and (pronoun == "any" or (pronoun == "person") == _is_person(a))
        ]
        speaking_ = {a.canonical for a in self.actors if _speaks(a, before)}
        return [a for a in fits if a.canonical in speaking_] or fits

    def parties(self, article: str) -> list[str]:
        """Names a side may take from the cast: its armed groups and the peoples the article names
        as such, in the table's short form where the table knows them. A state's force is its
        country's side ("India" for a state police), which the country's mention already gives."""
        names: dict[str, None] = {}
        for actor in self.actors:
            party = (
                actor.kind == "armed_group"
                or self.side_name(actor.canonical) in self.peoples()
                or has_fighters(actor.name, article)
            )
            if (
                party
                and not is_generic(actor.canonical)
                and can_speak(actor.canonical, article)
                and not MADE_IN.search(actor.canonical)
                and not introduced_as_person(actor.canonical, article)
                and not names_a_weapon(actor.name, article)
            ):
                names.setdefault(self.side_name(actor.canonical), None)
        return list(names)

    def peoples(self) -> list[str]:
        """The parties that are countries or peoples (civilians are counted under these): those the
        model read as such that the table knows or the article calls a people ("Kuki villagers")."""
        return [
            self.side_name(a.canonical)
            for a in self.actors
            if (
                a.kind == "country"
                and not is_generic(a.canonical)
                and (country_of(a.canonical) or a.name in self.people)
            )
            or names_a_people(a.canonical)
        ]

    def own_side(self, actor: Actor) -> str | None:
        """The side an actor's own name settles: the country it holds ("Russia's Defence Ministry",
        "Ukrainian officials") for a state body, the group itself for a named armed group; None
        when the name says none (the model then picks from the article's sides)."""
        from summarizer.core.countries import country_mentions

        if actor.kind == "armed_group":  # a person who speaks for a group is not the group
            unnamed = is_generic(actor.canonical) or looks_like_person(actor.canonical)
            return None if unnamed else self.side_name(actor.canonical)
        if actor.kind in ("country", "force", "government"):
            countries = {side for _, _, side in country_mentions(actor.canonical)}
            if countries:
                return countries.pop() if len(countries) == 1 else None
            named = self._parties_named_in(actor)
            return named[0] if len(named) == 1 else None
        return None

    def _parties_named_in(self, actor: Actor) -> list[str]:
        """The cast's armed groups and peoples whose name's word the actor's name holds ("the
        Hillmen health ministry": "Hillmen"; "Kessa health ministry": "Kessa Highlanders")."""
        words = {_stem(w) for w in re.findall(r"[\w'’-]+", actor.canonical)}
        found: dict[str, None] = {}
        for other in self.actors:
            party = other.kind == "armed_group" or self.side_name(other.canonical) in self.peoples()
            if other is actor or not party or is_generic(other.canonical):
                continue
            if any(len(w) > 3 and _stem(w) in words for w in re.findall(r"[\w'’-]+", other.canonical)):
                found.setdefault(self.side_name(other.canonical), None)
        return list(found)

    def side_name(self, name: str) -> str:
        """``name`` as a side is written: the short form the article spells out for it ("Hill
        Liberation Army (HLA)": "HLA"), else a country's or people's table form, else the name,
        without the lower-case words after it ("the Hill Front command": "Hill Front")."""
        bare = _ARTICLES.sub("", name)
        # "Orla-backed Hill Front rebels": the group, not its backer.
        bare = re.sub(r"^\S+-(?:backed|led|allied|aligned|supported|sponsored)\s+(?=\S)", "", bare)
        # "Hill Front command", "Hill Front fighters": a party is the group, not its part.
        bare = re.sub(r"^((?:\S+ )*?[A-Z][\w'’.-]*)(?: [a-z][\w'’-]*)+$", r"\1", bare)
        bare = re.sub(r"(?<=\w)['’]s$", "", bare)  # "the Hill Front's": the group
        return dict(self.short_forms).get(bare) or _short(bare)

    def as_records(self) -> list[dict[str, str]]:
        return [{"name": a.name, "kind": a.kind, "canonical": a.canonical} for a in self.actors]


def _named_attacking(name: str, text: str) -> bool:
    """Whether ``text`` names ``name``, and every time as the attacker ("Orlan troops", "an Orla
    military air strike")."""
    from summarizer.engine.sides import AS_ATTACKER

    mentions = list(word_mentions(name, text))
    return bool(mentions) and all(AS_ATTACKER.match(text, m.end()) for m in mentions)


def _is_person(actor: Actor) -> bool:
    """A person, by the name: a witness, or a person's name (:func:`looks_like_person`)."""
    if actor.kind == "witness" and not is_generic(actor.canonical):
        return True
    return looks_like_person(actor.canonical)


def looks_like_person(name: str) -> bool:
    """Two to four capitalised words once titles are left out ("Lt. Gen. Ada Brenner") with no word
    that names a body or a country ("Hill Hospital", "Orla Front", "Frontier Corps")."""
    from summarizer.tasks.claims.lexicon import kind_hinted

    words = person_name(name).split(" ")
    return (
        2 <= len(words) <= 4
        and all(_PERSON_WORD.fullmatch(w) for w in words)
        and kind_hinted(" ".join(words)) is None
        and not any(country_of(w) for w in words)
    )


def _speaks(actor: Actor, text: str) -> bool:
    from summarizer.tasks.claims.speech import speaking

    return bool(speaking((actor.name, actor.canonical), text))


@lru_cache(maxsize=8)
def _sentence_spans(article: str) -> list[tuple[int, int]]:
    from summarizer.tasks.claims.figures import split_sentences

    return split_sentences(article)


def _stem(word: str) -> str:
    """A word without its plural or possessive ending: "Tarans", "Taran's" and "Taran" agree."""
    return re.sub(r"(?:['’]s|s)$", "", word.lower())


def _short(name: str) -> str:
    """A country's or people's name in the table's short form, else the name as the article has it."""
    return country_of(_ARTICLES.sub("", name)) or _ARTICLES.sub("", name)


def names_a_people(name: str) -> bool:
    """A name that is a people by its own words, whatever kind a small model read: a capitalised
    word before a nation's plural ("Kessa Orlans", "Bosnian Serbs"), a community of that nation."""
    words = _ARTICLES.sub("", name.strip()).split()
    if len(words) < 2 or not words[0][:1].isupper() or not words[-1].endswith("s"):
        return False
    nation = country_of(words[-1])
    return nation is not None and nation != words[-1] and not country_of(" ".join(words))


def is_generic(name: str) -> bool:
    """A mention that names no particular body: all lower case after "the" ("the ministry",
    "the health ministry", "a spokesman", "officials"), but for where it is based ("the
    Kessa-based rights group")."""
    rest = _BASED.sub("", _ARTICLES.sub("", name.strip())).strip()
    return bool(rest) and not any(ch.isupper() for ch in rest) and not any(ch.isdigit() for ch in rest)


_BASED = re.compile(r"\b[A-Z][\w'’.]*-based\b")


def can_speak(name: str, article: str) -> bool:
    """Whether ``name`` can be a claimant at all: not a dateline, a date, a place, a number of people
    or a name cut at its possessive ("Orla's" of "Orla's deadliest attack")."""
    if re.search(r"['’]s$", name.strip()):
        return False
    return not names_date_or_number(name) and not is_dateline(name, article) and not is_place(name, article)


_ADJECTIVE_END = re.compile(r"(?:an|ese|i|ish|ic)$")


def is_adjective(name: str) -> bool:
    """A country's adjective ("Orlan", "Pakistani", "Turkish"): it says whose soldiers or strikes,
    it never speaks. A country's name ("Iran", "the US") and its people ("Orlans") may."""
    bare = _ARTICLES.sub("", name.strip())
    country = country_of(bare)
    return bool(country) and " " not in bare and bare != country and bool(_ADJECTIVE_END.search(bare))


def names_date_or_number(name: str) -> bool:
    """A month, a weekday or a number in a name: a date ("May 2") or the victims ("Twelve soldiers")."""
    from summarizer.core.numbers import find_numbers

    # Digits joined to letters are part of a name ("K4 Front", "a Z-9 drone"), not a count.
    return bool(_MONTHS_DAYS.search(name)) or any(
        m.text.lower() not in ("a", "an") and not re.search(r"[A-Za-z]-?$", name[: m.start]) for m in find_numbers(name)
    )


_LOCATIVE = r"(?:in|near|at|across|outside|around)"
# What may follow a place after "in": the end of the phrase, not more of a name ("in the Front-run
# capital", "in the Relief Society's report" name a body, not a place).
_PHRASE_END = (
    r"(?=\s*(?:[,.;:)!?]|$|\s(?:on|in|at|and|or|but|last|this|since|after|before|when|where|with|to|from|of|"
    r"for|during|over|near|which|that|was|were|is|are|has|have|had|as|by|late|early|overnight|earlier)\b))"
)
# The part of a place before its name: "in central Kessa", "in north-eastern Orla", "in rebel-held Tosk".
_REGION_OF = (
    r"(?:(?:(?:north|south)(?:-?(?:east|west))?(?:ern)?|east(?:ern)?|west(?:ern)?|central|downtown|rural|"
    r"greater|\w+-(?:held|controlled|run))\s+)"
)
_SPEAKS = r"(?:said|says|say|told|reported|reports|claimed|claims|stated|announced|added|estimated|recorded|counted)"


def is_place(name: str, article: str) -> bool:
    """A name the article only ever uses as a place: it stands after "in", "near", "across" ... or
    before "province", "district", "region" ..., and never says, reports or is cited ("Mazeze",
    "North Kivu", "in central Tosk" for a capital the country table knows). A country's own name is
    not: a country speaks as a state ("Russia says") where the article does not cite it."""
    from summarizer.core.countries import country_of

    bare = _ARTICLES.sub("", name.strip())
    if not bare or country_of(bare) == bare or is_generic(bare):
        return False
    quoted = re.escape(bare)
    placed = (
        re.search(rf"\b{_LOCATIVE}\s+(?:the\s+)?{_REGION_OF}?{quoted}{_PHRASE_END}", article)
        or re.search(
            rf"\b{quoted}\s+(?:province|district|region|state|county|city|town|village|camp|area|governorate)\b",
            article,
            re.IGNORECASE,
        )
        or re.search(
            rf"\b(?:province|district|region|county|city|town|village|camp|area|governorate) of {quoted}\b", article
        )
    )
    return bool(placed) and not _cited(bare, article)


def _cited(bare: str, article: str) -> bool:
    """Whether the article has ``bare`` say or report something ("X said", "according to X")."""
    quoted = re.escape(bare)
    return bool(
        re.search(rf"\b{quoted}(?:['’]s)?\s+(?:\w+\s+){{0,2}}{_SPEAKS}\b", article)
        or re.search(rf"\b(?:according to|{_SPEAKS} by)\s+(?:the\s+)?{quoted}\b", article)
    )


def is_dateline(name: str, article: str) -> bool:
    """A name that only ever stands at the start of a line before a comma or dash, the way a
    dateline does ("KHARTOUM, May 2 —", "Goma, Congo (wire) -")."""
    mentions = [m.start() for m in re.finditer(re.escape(name), article)]
    if not mentions:
        return False
    for start in mentions:
        line_start = article.rfind("\n", 0, start) + 1
        after = article[start + len(name) : start + len(name) + 2]
        if not (start == line_start and after[:1] in (",", " ", "\u2014", "-") and article[line_start:start] == ""):
            return False
        if not re.match(r"\s*[,\u2014\u2013-]", article[start + len(name) :]):
            return False
    return True


def _first(name: str, article: str) -> int:
    """Where ``name`` is first mentioned (after the article's end if it never is)."""
    at = article.find(name)
    return at if at >= 0 else len(article)


def canonical_names(names: list[tuple[str, str]], article: str) -> list[str]:
    """The canonical name of each (name, kind): a generic mention ("the ministry") takes the
    nearest specific name before it that the article sets beside its noun ("the group, the Hill
    Relief Team"), else with the same head noun ("Russia's Defence Ministry", "Ministry of Health
    and Welfare"), else the first such after it; a specific name is its own."""

    specific = [(_first(n, article), n) for n, _ in names if not is_generic(n)]
    spelled = acronyms(article)
    result = []
    for name, _kind in names:
        if not is_generic(name):
            result.append(
                spelled.get(_bare(name))
                or _person_of_surname(name, specific, article)
                or _longer_name(name, specific, article)
                or _full_form(name, specific, article)
                or name
            )
            continue
        same = _apposed(head(name), specific, article) or sorted(
            (at, n) for at, n in specific if head(n) == head(name) and n != name
        )
        before = [n for at, n in same if at <= _first(name, article)]
        result.append(before[-1] if before else (same[0][1] if same else name))
    return result


def _apposed(noun: str, specific: list[tuple[int, str]], article: str) -> list[tuple[int, str]]:
    """The specific names the article puts in apposition to a body's noun, where they stand: "the
    group, the Hill Relief Team," names the group; "the spokesman, Ada Brenner," the spokesman."""
    if not noun:
        return []
    found = []
    for _at, name in specific:
        for match in re.finditer(rf"\b{re.escape(noun)},\s+(?:the\s+)?{re.escape(name)}(?!\w)", article, re.IGNORECASE):
            found.append((match.start(), name))
    return sorted(found)


def head(name: str) -> str:
    """A name's head noun, lower case: its last word ("Russia's Defence Ministry": "ministry"), or
    the last word before its first "of", "for" or "in" ("Office for the Coordination of Relief":
    "office"; "health ministry in Kessa": "ministry")."""
    words: list[str] = re.findall(r"[\w'’-]+", name.lower())
    for i, word in enumerate(words[1:], start=1):
        if word in ("of", "for", "in"):
            return words[i - 1]
    return words[-1] if words else ""


def _person_of_surname(name: str, specific: list[tuple[int, str]], article: str) -> str | None:
    """The person a surname stands for: "Brenner said" after "Maj. Gen. Ada Brenner" (the nearest
    such person named before it), as reports name a person in full once."""
    bare = _bare(name)
    if not re.fullmatch(r"[A-Z][a-z][\w'’-]*", bare) or country_of(bare):
        return None
    return _nearest_before(
        name, specific, article, lambda n: n != name and looks_like_person(n) and person_name(n).split(" ")[-1] == bare
    )


def _nearest_before(
    name: str, specific: list[tuple[int, str]], article: str, fits: Callable[[str], bool]
) -> str | None:
    """Of the ``specific`` names first mentioned no later than ``name``, the one first mentioned
    last that ``fits``; None if none does."""
    at = _first(name, article)
    found = [(first, n) for first, n in specific if first <= at and fits(n)]
    return max(found)[1] if found else None


def _longer_name(name: str, specific: list[tuple[int, str]], article: str) -> str | None:
    """The full name a one-word name of a body shortens: "the Observatory" for the "Hill Observatory
    for Rights" named before it (the nearest such name). Only a word that names a kind of body
    (``lexicon.toml [actor_hints]``) and no country: "Kessa" is no short "Kessa health office"."""
    from summarizer.tasks.claims.lexicon import kind_hinted

    bare = _bare(name)
    if " " in bare or kind_hinted(bare) is None or country_of(bare):
        return None
    return _nearest_before(
        name, specific, article, lambda n: n != name and bare.lower() in re.findall(r"[\w'’-]+", n.lower())
    )


def _full_form(name: str, specific: list[tuple[int, str]], article: str) -> str | None:
    """The full name a one-word name shortens when it speaks: "Tarsa said" after "Tarsa Watch
    International" (the nearest such name before it), as reports shorten a body's name once they
    have given it. Only capitalised words after it ("Orla Relief Council", not "Orla officials"),
    and no acronym, country or place: "UN" and "Kessa" are names of their own."""
    bare = _bare(name)
    if " " in bare or not bare[:1].isupper() or bare.isupper() or country_of(bare) or not _cited(bare, article):
        return None
    full = _nearest_before(
        name, specific, article, lambda n: re.fullmatch(rf"{re.escape(bare)}(?:\s+[A-Z][\w'’&-]*)+", n) is not None
    )
    return full if full and not is_place(bare, article) else None


def suggested_kind(name: str, article: str) -> str | None:
    """The kind of actor ``name``'s own words suggest, shown to the model beside the name: a date or
    a number is a date or the victims' count, a country or people of the table a country, else
    the generic words of ``lexicon.toml [actor_hints]`` ("ministry", "police", "rebels", "monitor"),
    read in the full name where the article spells out a short form. None: the words say nothing."""
    from summarizer.tasks.claims.lexicon import kind_hinted

    if _MONTHS_DAYS.search(name):
        return "date"
    if country_of(_ARTICLES.sub("", name)):
        return "country"
    return kind_hinted(acronyms(article).get(name, name))


def cast_of(names: list[str], kinds: list[str | None], article: str) -> Cast:
    """The cast from each candidate's kind (None: its answer was cut off, so it is left out);
    ``names`` may hold more names than were asked about: they serve as specific names only."""
    typed = [(n, k) for n, k in zip(names, kinds, strict=False) if k in KINDS]
    canon = canonical_names([(n, "") for n in names], article)
    by_name = _by_kind(dict(zip(names, canon, strict=True)), typed, article)
    people = frozenset(n for n, k in typed if k == "country" and _called_people(n, article))
    # "The Northern Army" is "Northern Army"; a generic mention keeps its article ("the ministry").
    actors = tuple(Actor(n, k, _named_part(person_name(_bare(by_name[n])))) for n, k in typed)
    return Cast(actors, people, tuple((full, short) for short, full in acronyms(article).items()))


def _by_kind(by_name: dict[str, str], typed: list[tuple[str, str]], article: str) -> dict[str, str]:
    """A generic mention no specific name before it shares a head word with ("the group", "the
    spokesman") takes the nearest specific name before it that the model read as the same kind of
    actor (an armed group's "the group said", an official's "the spokesman added"), rather than a
    name with its head word named only later ("the Tosk Front said ... the group said" is not the
    "Ravel group" of a later paragraph). Never a name after it of another head word: "the health
    ministry in Kessa said" must not become the other side's officials named later."""

    specific = sorted((_first(n, article), n, k) for n, k in typed if not is_generic(n))
    resolved = dict(by_name)
    for name, kind in typed:
        if not is_generic(name) or kind in NOT_SPEAKERS:
            continue
        named = by_name.get(name, name)
        if named != name and _first(named, article) <= _first(name, article):
            continue  # a name with the same head noun before it ("Orla's ministry ... the ministry")
        if named != name and _apposed(head(name), [(0, named)], article):
            continue  # the name set beside it ("the spokesman, Ada Brenner, said")
        same = [(at, n) for at, n, k in specific if k == kind]
        before = [n for at, n in same if at <= _first(name, article)]
        chosen = _people_before(name, kind, specific, by_name, article) or before
        if chosen:
            resolved[name] = by_name.get(chosen[-1], chosen[-1])
    return resolved


def _people_before(
    name: str, kind: str, specific: list[tuple[int, str, str]], by_name: dict[str, str], article: str
) -> list[str]:
    """For a generic mention of a person's role ("the spokesman", "the minister"), the people named
    before it, the model's same kind first, never a witness for an official's role: a spokesman is
    the person named last, not the last office ("Maj. Gen. Ada Brenner ... the battalion headquarters
    ... the spokesman acknowledged": Ada Brenner). Empty for any other mention."""
    from summarizer.tasks.claims.lexicon import TITLE_WORDS

    if head(name) not in TITLE_WORDS:
        return []
    at_name = _first(name, article)
    people = [(k, n) for at, n, k in specific if at <= at_name and looks_like_person(by_name.get(n, n))]
    return [n for k, n in people if k == kind] or [n for k, n in people if k != "witness"]


# Nouns that make the name before them a people: "Kuki villagers", "the Meitei community".
_PEOPLE_WORD = re.compile(
    r"\b(?:community|communities|people|peoples|villagers|residents|families|tribe|tribes|tribal|clan|clans|"
    r"mob|mobs|youths|men|women|civilians|settlers|herders|farmers|minority|majority)\b"
)


def _called_people(name: str, article: str) -> bool:
    return re.search(rf"{re.escape(name)}(?:-\w+)?\s+{_PEOPLE_WORD.pattern}", article) is not None


def has_fighters(name: str, article: str) -> bool:
    """Whether the article counts or names fighters of ``name`` ("76 fighters of the Hill Front",
    "Hill Front militants"): then it is an armed party, whatever kind a small model read for it."""
    from summarizer.tasks.claims.lexicon import FIGHTER_NOUNS

    nouns = "|".join(sorted(FIGHTER_NOUNS))
    named = re.escape(name)
    return bool(
        re.search(
            rf"(?<!\w){named}(?:['’]s)?\s+(?:{nouns})\b|\b(?:{nouns})\s+(?:of|from|loyal to|belonging to)\s+"
            rf"(?:the\s+)?{named}(?!\w)",
            article,
        )
    )


def names_a_weapon(name: str, article: str) -> bool:
    """Whether the article uses ``name`` only before a kind of equipment ("Kessa-type attack drones",
    "a K-9 missile"): a weapon's model or maker, never a side, whatever kind a small model read."""
    from summarizer.tasks.claims.lexicon import EQUIPMENT_NOUNS

    nouns = "|".join(sorted(EQUIPMENT_NOUNS, key=len, reverse=True))
    mentions = list(word_mentions(name, article))
    weapon = re.compile(rf"(?:\s+[\w-]+)?\s+(?:{nouns})\b", re.IGNORECASE)
    return bool(mentions) and all(weapon.match(article, m.end()) for m in mentions)


def introduced_as_person(name: str, article: str) -> bool:
    """Whether the article gives ``name`` a person's title or role, before it ("Police spokesman Ada
    Brenner") or after it ("Ada Brenner, director of the Relief Service"): a person is never a
    side, whatever kind a small model read for the name."""
    from summarizer.tasks.claims.lexicon import TITLE_WORDS

    for match in word_mentions(name, article):
        before = re.findall(r"[A-Za-z]+", article[max(0, match.start() - 25) : match.start()])
        role = re.match(r",\s+(?:(?:a|an|the)\s+)?([a-z]+)", article[match.end() : match.end() + 40])
        if (before and before[-1].lower() in TITLE_WORDS) or (role and role.group(1) in TITLE_WORDS):
            return True
    return False


def person_name(name: str) -> str:
    """A person's name without the titles and roles before it, as the contract's "shortest full
    form" has it: "Defence Minister Ada Brenner" and "Lt. Gen. Ada Brenner" are "Ada Brenner".
    Only where two or more capitalised words follow the last title word; else the name as it is
    ("Minister of Health" names an office, not a person)."""
    from summarizer.tasks.claims.lexicon import TITLE_WORDS

    words = name.split(" ")
    titles = [i for i, word in enumerate(words) if word.lower().rstrip(".,") in TITLE_WORDS]
    rest = words[titles[-1] + 1 :] if titles else []
    if len(rest) < 2 or not all(_PERSON_WORD.fullmatch(word) for word in rest):
        return name
    return " ".join(rest)


_PERSON_WORD = re.compile(r"[A-Z][\w'’.-]*|(?:al|el|ad|as|ash|bin|ibn|abu|van|von|de|da|dos|del)-[A-Z][\w'’-]*")


def _named_part(name: str) -> str:
    """A body's name without a description of its kind after it: "White Helmets civil defence
    group" is "White Helmets". Only two or more words ending in a kind of body ("group", "monitor")
    after two or more capitalised words: "Hill Front health office" (an office of its own), "Hill
    Front command", "Orla's army" and "UN humanitarian office" stay as they are."""
    named = re.fullmatch(
        r"((?:[A-Z][\w'’.&-]*\s+)+[A-Z][\w.&-]*)(?:\s+[a-z][\w'’-]*)+\s+(?:group|organi[sz]ation|charity|"
        r"movement|monitor|militia|network)",
        name,
    )
    return named.group(1) if named else name


def _bare(name: str) -> str:
    return name if is_generic(name) else _ARTICLES.sub("", name)


def kind_grammar() -> str:
    """The Lark grammar (llguidance dialect) of one candidate's answer: ``{"kind": <one of KINDS>}``."""
    kinds = " | ".join(json.dumps(k) for k in KINDS)
    return f'%llguidance {{}}\nstart: "{{\\"kind\\":\\"" KIND "\\"}}"\nKIND: {kinds}\n'


def read_kind(text: str) -> str | None:
    """The kind a whole answer gives, or None (cut off, or not one of :data:`KINDS`)."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return None
    kind = value.get("kind") if isinstance(value, dict) else None
    return kind if kind in KINDS else None


def kind_schema() -> dict[str, Any]:
    """One candidate's answer as JSON Schema, for a server with no grammar engine."""
    return {
        "type": "object",
        "properties": {"kind": {"enum": list(KINDS)}},
        "required": ["kind"],
        "additionalProperties": False,
    }


def kind_problems(value: object) -> list[str]:
    """What is wrong with a candidate's answer a server wrote (empty: nothing)."""
    if not (isinstance(value, dict) and list(value) == ["kind"] and value["kind"] in KINDS):
        return [f'an actor\'s answer is {{"kind": <one of {", ".join(KINDS)}>}}']
    return []
