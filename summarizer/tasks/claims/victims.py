"""Whose soldiers (or equipment) a figure counts, from the words that name them.

The words right after a figure, up to the end of their noun phrase, say whose losses it counts:
"76 fighters of the Hill Front", "40 Orlan soldiers", "a Veldan drone" name the side itself; "18
police officers" and "100 soldiers" count a state's forces, which the contract counts under its
country ("Ukraine" for Ukrainian soldiers); "30 militants" and "12 rebels" count an armed group's.
Small models pick the attacker or a third party as the side when every side is offered, so the
offer narrows to what these words allow (the model still chooses among what is left). The nouns
are generic words (``lexicon.toml [victim_nouns]``), never an actor's name.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from summarizer.core.countries import country_mentions, is_country
from summarizer.core.text import word_mentions
from summarizer.engine.sides import AS_ATTACKER, MADE_IN, is_people, is_state_force, local_peoples
from summarizer.tasks.claims.lexicon import AGENT_VERBS, FIGHTER_NOUNS, STATE_FORCE_NOUNS
from summarizer.tasks.claims.speech import REPORTING_VERBS

if TYPE_CHECKING:
    from summarizer.tasks.claims.cast import Cast

__all__ = ["agents", "counted_phrase", "counts_forces", "reports_own_harm", "soldier_sides"]

# Words that end the noun phrase of what a figure counts: a preposition other than "of", a
# conjunction or relative word, a verb of being ("were killed": what follows is no longer who).
_PHRASE_END = frozenset(
    """in into by during near after before when as while from on at since with who whom which that
    were was had have has are is be been being but or amid across inside outside around""".split()
)
_NUMBER_WORD = re.compile(
    r"\d|(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|hundreds?|thousands?)$",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\s.,;:!?]+|[.,;:!?]")
_MAX_WORDS = 10


def counted_phrase(article: str, end: int) -> str:
    """The noun phrase after a figure that ends at ``end``: "fighters of the Hill Front (HF)" in "76
    fighters of the Hill Front (HF) were killed". Ends at punctuation, at a word of
    :data:`_PHRASE_END`, at "and" after the counted noun or before another number ("city and state
    police" goes on; "5 soldiers and 4 police" does not), or after :data:`_MAX_WORDS` words."""
    words: list[str] = []
    tokens = _WORD.findall(article[end : end + 200])
    for i, word in enumerate(tokens):
        bare = _bare(word)
        if word in ".,;:!?" or bare in _PHRASE_END or len(words) == _MAX_WORDS:
            break
        if bare in ("and", "or") and (
            _counts_someone(words) or (i + 1 < len(tokens) and _NUMBER_WORD.match(tokens[i + 1]))
        ):
            break  # "5 soldiers and 4 police", "20 soldiers and shot down": no longer who was counted
        words.append(word)
    return " ".join(words)


def _bare(word: str) -> str:
    """A word lower-cased, without the brackets and quotes around it."""
    return word.strip("()[]\"'“”‘’").lower()


def _counts_someone(words: list[str]) -> bool:
    return any(_bare(w) in STATE_FORCE_NOUNS | FIGHTER_NOUNS for w in words)


def counts_forces(article: str, figure_end: int) -> bool:
    """Whether the words after a figure count soldiers, police or fighters ("200 Hill Front
    fighters", "18 police officers"): the contract's ``military``, whatever else they are."""
    return _counts_someone(counted_phrase(article, figure_end).split())


def soldier_sides(
    article: str,
    figure_end: int,
    sentence: tuple[int, int],
    victims: list[str],
    cast: Cast | None = None,
) -> list[str]:
    """Of ``victims`` (the sides a figure's military or equipment losses may be counted under),
    those its counted phrase allows: the sides the phrase names; else, for a state's forces
    ("soldiers", "police"), the countries (those near the figure, or the article's own country,
    first); for fighters ("militants", "rebels"), the armed groups. Else all of ``victims``."""
    phrase = counted_phrase(article, figure_end)
    named = [side for side in victims if _names(phrase, side, cast)]
    if named:
        return named
    nouns = {_bare(w) for w in phrase.split()}
    peoples = cast.peoples() if cast else ()
    if nouns & STATE_FORCE_NOUNS:
        countries = [side for side in victims if is_country(side)]
        near = set(local_peoples(article, article[sentence[0] : sentence[1]], peoples))
        return [side for side in countries if side in near] or countries or victims
    if nouns & FIGHTER_NOUNS:
        groups = [side for side in victims if not is_people(side, peoples) and not is_state_force(side)]
        return groups or victims
    return victims


def _names(phrase: str, side: str, cast: Cast | None) -> bool:
    """Whether ``phrase`` names ``side``: a country by any of its forms ("Orlan soldiers"), another
    side by its name or the full name of its short form."""
    if not phrase:
        return False
    if is_country(side):  # not where the weapons were made: "three French-made jets" are not France's
        return side in {found for _s, end, found in country_mentions(phrase) if not MADE_IN.match(phrase, end)}
    names = [side, *(full for full, short in (cast.short_forms if cast else ()) if short == side)]
    return any(next(word_mentions(name, phrase), None) for name in names)


_AGENT_VERB = "|".join(re.escape(v).replace(r"\ ", r"\s+") for v in sorted(AGENT_VERBS, key=len, reverse=True))
# After a side's name, up to four words (no full stop, comma or "who"/"that") and an optional
# auxiliary, then a harm verb in the active voice: "the Hill Front said its fighters had killed".
_AFTER_AGENT = re.compile(
    rf"^(?:[\s'’]+(?!(?:who|which|that|were|was|been|being|are|is)\b)[\w'’-]+){{0,4}}?\s+"
    rf"(?:has\s+|have\s+|had\s+|also\s+|reportedly\s+){{0,2}}(?:{_AGENT_VERB})\b",
    re.IGNORECASE,
)
# A harm verb and "by" right before a side's name: "were killed by the Hill Front".
_BEFORE_AGENT = re.compile(rf"\b(?:{_AGENT_VERB})\s+(?:\w+\s+)?by\s+(?:the\s+|an?\s+)?$", re.IGNORECASE)


def agents(sentence: str, sides: list[str], cast: Cast | None = None) -> set[str]:
    """Of ``sides``, those ``sentence`` names as doing the harm: the subject of a harm verb ("the Hill
    Front said its fighters torched 40 homes") or its agent ("were killed by Hill Front fighters");
    a country only by its forces doing it ("Orlan troops had shot down", "the Orla Air Force downed")
    or as the agent ("were killed by Orlan drones")."""
    found = {
        side
        for start, end, side in country_mentions(sentence)
        if side in sides and (_forces_acted(sentence, end) or _BEFORE_AGENT.search(sentence[:start]))
    }
    for side in sides:
        if is_country(side):
            continue
        names = [side, *(full for full, short in (cast.short_forms if cast else ()) if short == side)]
        for name in names:
            for match in word_mentions(name, sentence):
                after, before = sentence[match.end() :], sentence[: match.start()]
                if _AFTER_AGENT.match(after) or _BEFORE_AGENT.search(before):
                    found.add(side)
    return found


def _forces_acted(sentence: str, end: int) -> bool:
    """Whether the words after a country's mention ending at ``end`` are its forces doing the harm."""
    forces = AS_ATTACKER.match(sentence, end)
    return forces is not None and _AFTER_AGENT.match(sentence[forces.end() :]) is not None


# A reporting verb whose clause has the reporter's own forces doing the harm: "the group said its
# fighters had killed 300", "the army says it shot down 12 drones", "claimed that their units
# destroyed 4 tanks", "said the group's air defences downed a drone", "said its forces, backed by
# allied jets, had killed 40".
_OWN_HARM = re.compile(
    rf"\b(?:{REPORTING_VERBS})\s+(?:that\s+)?"
    rf"(?:it|they|we|(?:its|their|our|the\s+[\w-]+['’]s)(?:\s+[\w-]+){{1,3}}?)(?:\s*,[^,.;]{{1,80}},)?"
    rf"(?:\s+(?:has|have|had|also|reportedly|now)){{0,2}}\s+(?:{_AGENT_VERB})\b",
    re.IGNORECASE,
)


def reports_own_harm(sentence: str) -> bool:
    """Whether ``sentence`` has its reporter say that it (or its own forces) did the harm: then the
    reporter's side is the attacker, not the victims' side ("It said its fighters had killed 32")."""
    return _OWN_HARM.search(sentence) is not None
