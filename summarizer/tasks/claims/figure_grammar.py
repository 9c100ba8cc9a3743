"""The grammar of one figure's label, grounded in the article.

Figure-guided extraction asks the model, figure by figure, what the figure counts.
The answer is a small JSON object (keys in a fixed order, compact) whose values are
limited per article so that nothing can come from anywhere but the article:

* ``what`` comes first where neither the rule reader nor the sentence's words settle what the
  figure counts (no draft, no outcome word: every outcome is offered): the words of the figure's
  sentence that say what it counts or what happened to it, a verbatim span of the sentence
  ("have fled", "need food aid"); any short text when ungrounded. It is not part of the claim.
  Asked for the outcome straight away, a model answers from the article's topic (people who
  "need food aid" in a war report became displaced); having quoted the words, from them. Where
  the sentence has an outcome word, the outcomes offered are already that word's (and none), and
  a quote only cost recall: the 0.5B quoted "were killed" and answered none;
* ``outcome`` is ``none`` (not a claim: the object ends there) or one of the
  outcomes the figure's sentence has a word for ("wounded" offers injured), all of
  them when it has none;
* ``claimant`` is a member of the article's cast that can speak (:mod:`summarizer.tasks.claims.cast`),
  in its canonical name, and its ``claimant_type`` is forced from its kind (a neutral body's
  side is null); without a cast, any article span with a type the model picks;
* ``equipment`` is a verbatim article span (or null), so no entity of the prompt's example can
  leak into a document;
* the sides are the short names :func:`summarizer.engine.sides.sides_in` finds in the
  article and its cast, or null; a civilian victim group takes a country or people, not an
  armed force;
* an unnamed claimant forces ``claimant_type`` "unattributed" and a null side;
  equipment forces ``victim_group`` "military", people force ``equipment`` null.

The count, its qualifier and the evidence are not generated at all: they are read
from the text (:mod:`summarizer.tasks.claims.figures`); so are period, location, perpetrator and
verification, by the rule reader (see :mod:`summarizer.tasks.claims.figure_extraction`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from summarizer.core.countries import country_mentions, is_country
from summarizer.core.text import word_mentions
from summarizer.engine.grammar import evidence_chunks
from summarizer.engine.sides import is_people, local_peoples, party_names, sides_in, state_voices
from summarizer.tasks.claims.victims import agents, counts_forces, reports_own_harm, soldier_sides

if TYPE_CHECKING:
    from summarizer.tasks.claims.cast import Actor, Cast

PEOPLE_OUTCOMES = ("killed", "injured", "killed_or_injured", "missing", "captured", "displaced")
GROUPS = ("civilians", "children", "women", "men", "military", "medical_workers", "mixed", "unspecified")
# Victims counted under their country or people, never under an armed force: all but the
# military ("Ukraine for Ukrainian soldiers or civilians in Ukraine", says the contract; people
# killed with no word of who they were, or civilians and soldiers together, are the country's).
CIVILIAN_GROUPS = tuple(g for g in GROUPS if g != "military")
NAMED_TYPES = ("state", "international_organization", "ngo", "armed_group", "media", "witness")
LABEL_KEYS = ("outcome", "victim_group", "equipment", "victim_side", "claimant", "claimant_type", "claimant_side")

# Verbatim spans: no leading or trailing space, bounded length (escaped text is at
# least as long as the decoded text, so the bound holds for the decoded span too).
# A name does not end in punctuation or in a number ("the office has recorded 9," cuts "9,394" in two, and
# the claims-built summary would state that "9"); "K23" and "(UNXO)" are names.
_NAME_END = "([^ ,;:.0-9-]|[A-Za-z][0-9]+)"
_SPAN_BOUND = {
    "NAME_SPAN": f"/{_NAME_END}|[^ ].{{0,77}}{_NAME_END}/",
    "SHORT_SPAN": "/[^ ](.{0,38}[^ ])?/",
}


def _lit(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _choice(values: Iterable[str]) -> str:
    return " | ".join(_lit(v) for v in values)


def span_rules(article: str, grounded: bool = True) -> list[str]:
    """The rules NAME_SPAN and SHORT_SPAN: verbatim, bounded spans of ``article`` (any short text
    when ungrounded)."""
    substring = _article_parts(article) if grounded else '/[^"\\\\\\x00-\\x1f]+/'
    return [f"{name}: {substring} & {bound}" for name, bound in _SPAN_BOUND.items()]


def _what_rule(sentence: str) -> str:
    """WHAT: a short verbatim span of the figure's sentence."""
    chunks = json.dumps({"substring_chunks": evidence_chunks(sentence)}, ensure_ascii=False)
    return f"WHAT: %regex {chunks} & {_SPAN_BOUND['SHORT_SPAN']}"


def figure_grammar(
    article: str,
    grounded: bool = True,
    outcomes: set[str] | None = None,
    draft: dict[str, Any] | None = None,
    cast: Cast | None = None,
    window: tuple[int, int] | None = None,
    sentence: tuple[int, int] | None = None,
    figure_end: int | None = None,
) -> str:
    """The Lark grammar (llguidance dialect) of a figure label for ``article``.

    ``outcomes``: the outcomes the figure's sentence has words for (``lexicon.outcomes_named``);
    only those (and "none") are offered. None offers all. ``cast``: the article's cast (claimants
    and parties come from it); ``window``: the figure's sentence and those either side (the
    claimants offered are those named there, if any; of those, the ones ``sentence``, the
    figure's own, puts in a reporter's position, if any). Ungrounded (``--no-grounding``),
    spans and sides are any short JSON strings: the model's own words, for measuring what
    grounding changes. ``figure_end``: where the figure's words end; the words after it may say
    whose soldiers or equipment it counts (:func:`~summarizer.tasks.claims.victims.soldier_sides`).
    """
    sides = article_sides(article, cast)
    peoples = cast.peoples() if cast else ()
    # Soldiers, police and fighters counted ("200 Hill Front fighters") are military, or part of a
    # mixed count; never civilians or unspecified, which the rule reader may draft where it cannot
    # read the words after the figure.
    forces = grounded and figure_end is not None and counts_forces(article, figure_end)
    if forces and draft is not None and draft["victim_group"] not in ("military", "mixed") and not draft["equipment"]:
        draft = {**draft, "victim_group": "military"}
    free = '/[^"\\\\\\x00-\\x1f]{1,40}/'
    people = [o for o in PEOPLE_OUTCOMES if outcomes is None or o in outcomes]
    equipment = outcomes is None or "equipment_destroyed" in outcomes
    side = '"null" | "\\"" SIDE_NAME "\\""' if sides and grounded else '"null" | "\\"" SIDE_FREE "\\""'
    if grounded and not sides:  # no side named, none given: any short string was ("c", "Veldor")
        side = '"null"'
    # Whoever the text says caused the harm is not its victim: the side small models confuse most.
    civil_attacker, states = _attackers(article, sides, draft, cast, window, sentence if grounded else None)
    attacker = civil_attacker | states
    victims = [s for s in sides if s not in attacker]
    any_victim = '"null" | "\\"" VICTIM_NAME "\\""' if victims and grounded else side
    soldiers = victims
    if victims and grounded and figure_end is not None and sentence is not None:
        soldiers = soldier_sides(article, figure_end, sentence, victims, cast)
    victim = '"null" | "\\"" SOLDIER_NAME "\\""' if soldiers != victims else any_victim
    # Civilians (and any victims but soldiers) are counted under their country or people
    # ("Palestinians"), never under an armed force ("the Hill Front", "Myanmar military"): the
    # side small models confuse next.
    civil_victims = [s for s in sides if s not in civil_attacker and is_people(s, peoples)]
    if sentence is not None:  # of those, the ones near the figure and the article's own country
        near = set(local_peoples(article, article[sentence[0] : sentence[1]], peoples))
        # The reporter's own people: "the Kessa Orlans' ombudsman ... He said 200 had been killed".
        if cast is not None and window is not None and grounded:
            near |= _reporters_sides(cast, article, window, sentence, sides)
        # A country whose forces did the harm is the civilians' side only where no other is near:
        # "Orlan troops killed 18 villagers" (its own), not "in Kessa, shells fired by Orlan forces".
        if near - states:
            civil_victims = [s for s in civil_victims if s not in states]
        civil_victims = [s for s in civil_victims if s in near] or civil_victims
    civil_victim = '"null" | "\\"" CIVIL_NAME "\\""' if civil_victims and grounded else any_victim
    starts = ["none", *(["people"] if people else []), *(["equipment"] if equipment else [])]
    # The model first quotes what the sentence says of the figure, then decides (module docstring).
    quoted = sentence is not None and draft is None and outcomes is None
    opening = '"{\\"what\\":\\"" WHAT "\\",\\"outcome\\":"' if quoted else '"{\\"outcome\\":"'
    start = f"start: {opening} (" + " | ".join(starts) + ")"
    what = ""
    if quoted and sentence is not None:
        what = _what_rule(article[sentence[0] : sentence[1]]) if grounded else f"WHAT: {free}"
    if draft is not None:
        # Civilians, and the homes, schools and shops they lost ("torched 40 homes"), are counted
        # under a country or people, never under an armed group.
        civil = draft["victim_group"] in CIVILIAN_GROUPS or _is_property(draft.get("equipment"))
        start = "start: " + _lit(_draft_head(draft)) + (" civil_rest" if civil else " rest")
        drafted = draft.get("victim_side")
        # The rule reader's side stands only where the grammar would offer it: not the attackers'
        # ("Orlan troops massacred 40 civilians" drafts Orla), nor an armed force for civilians, nor
        # a people for a state's soldiers ("the military said two soldiers were killed").
        offered = civil_victims if civil else soldiers
        if drafted and grounded and (not offered or drafted in offered):
            start = (
                "start: "
                + _lit(_draft_head(draft) + ',"victim_side":' + json.dumps(draft["victim_side"], ensure_ascii=False))
                + ' claimant "}"'
            )
    rules = [
        "%llguidance {}",
        start,
        'none: "\\"none\\"}"',
        'people: "\\"" PEOPLE "\\",\\"victim_group\\":\\"" '
        '(CIVIL_GROUP "\\",\\"equipment\\":null" civil_rest | OTHER_GROUP "\\",\\"equipment\\":null" rest)',
        'equipment: "\\"equipment_destroyed\\",\\"victim_group\\":\\"military\\",\\"equipment\\":\\"" '
        'SHORT_SPAN "\\"" rest',
        'rest: ",\\"victim_side\\":" victim claimant "}"',
        'civil_rest: ",\\"victim_side\\":" civil_victim claimant "}"',
        _claimant_rule(article, cast, grounded, window, draft, sentence, sides),
        f"side: {side}",
        f"victim: {victim}",
        f"civil_victim: {civil_victim}",
        f"PEOPLE: {_choice(people or PEOPLE_OUTCOMES)}",
        f"CIVIL_GROUP: {_choice(('mixed',) if forces else CIVILIAN_GROUPS)}",
        f"OTHER_GROUP: {_choice(g for g in GROUPS if g not in CIVILIAN_GROUPS)}",
        f"NAMED_TYPE: {_choice(NAMED_TYPES)}",
        f"SIDE_NAME: {_choice(sides)}" if sides else f"SIDE_NAME: {_lit('none')}",
        f"VICTIM_NAME: {_choice(victims)}" if victims and grounded else "",
        f"CIVIL_NAME: {_choice(civil_victims)}" if civil_victims and grounded else "",
        f"SOLDIER_NAME: {_choice(soldiers)}" if soldiers != victims else "",
        f"SIDE_FREE: {free}",
        *span_rules(article, grounded),
        what,
    ]
    return "\n".join(rule for rule in rules if rule) + "\n"


def _attackers(
    article: str,
    sides: tuple[str, ...],
    draft: dict[str, Any] | None,
    cast: Cast | None,
    window: tuple[int, int] | None,
    sentence: tuple[int, int] | None,
) -> tuple[frozenset[str], frozenset[str]]:
    """The sides that did the harm, as (the attackers of civilians, the countries named only through
    their forces): the rule reader's perpetrator, the parties the figure's sentence names as doing
    it, and the reporter where it says its own forces did. A country named only through its forces
    ("Chadian forces had brought down", "Chad said its troops killed") is the attacker of soldiers,
    but of civilians only its forces are: a state's forces may kill its own civilians (a junta's air
    strike)."""
    perpetrator = (draft or {}).get("perpetrator_side")
    attacker = set(party_names(perpetrator)) if perpetrator else set()
    states: set[str] = set()
    if sentence is not None:
        text = article[sentence[0] : sentence[1]]
        found = agents(text, list(sides), cast)
        if cast is not None and window is not None and reports_own_harm(text):
            found |= _reporters_sides(cast, article, window, sentence, sides)
        states = {side for side in found if is_country(side)}
        attacker |= found - states
        for state in states:  # "Chad forces", "Chad military" ...: the forces, whatever the side list calls them
            attacker |= party_names(f"{state} military")
    return frozenset(attacker), frozenset(states)


def _reporters_sides(
    cast: Cast, article: str, window: tuple[int, int], sentence: tuple[int, int], sides: tuple[str, ...] = ()
) -> set[str]:
    """The side of whoever reports the figure, where the reporters whose side is known are of one
    side: their names settle it ("the Hill Front": Hill Front; "Orla's army": Orla), or the title
    before a person's name does ("Hill Front spokesman Ada Brenner", "the Hill Front's military
    spokesman, Ada Brenner,"). The attacker, when the report says its own forces did the harm."""
    text = article[sentence[0] : sentence[1]]
    reporters = cast.reporters(article, window, sentence)
    found = {side for r in reporters if (side := cast.own_side(r) or _reporter_title(r, text, article, sides))}
    # One side for the reporters whose side is known ("the Hill Front's military" and its spokesman);
    # "It said ..." after a sentence naming both sides: whose forces, unknown.
    return found if len(found) == 1 else set()


def _reporter_title(reporter: Actor, text: str, article: str, sides: tuple[str, ...]) -> str | None:
    """The side in a reporter's title: where the figure's sentence names it, else where the article
    introduces the person ("The Kessa Serbs' ombudsman, Ana Kell, ... He said 200 had died")."""
    return _titled_party(reporter.name, text, sides) or _titled_party(reporter.canonical, article, sides)


def _titled_party(name: str, text: str, sides: tuple[str, ...]) -> str | None:
    """The side named in the title right before a person's name: "Hill Front spokesman Ada Brenner",
    "the Hill Front's military spokesman, Brig. Gen. Ada Brenner,", "the Orlan army's spokesman in
    the north, Col. Ada Brenner," (a country by any of its forms)."""
    from summarizer.tasks.claims.lexicon import TITLE_WORDS

    for mention in word_mentions(name, text):
        before = text[max(0, mention.start() - 80) : mention.start()]
        found = [(m.end(), side) for side in sides if not is_country(side) for m in word_mentions(side, before)]
        found += [(end, side) for _s, end, side in country_mentions(before) if side in sides]
        # The nearest first; of two ending together, the people over its nation ("Kessa Serbs'").
        for end, side in sorted(found, key=lambda f: (f[0], not is_country(f[1])), reverse=True):
            words = re.findall(r"[A-Za-z]+", before[end:])
            if words and len(words) <= 8 and any(w.lower() in TITLE_WORDS for w in words[:3]):
                return side
    return None


_UNNAMED = ',"claimant":null,"claimant_type":"unattributed","claimant_side":null'


def _claimant_rule(
    article: str,
    cast: Cast | None,
    grounded: bool,
    window: tuple[int, int] | None = None,
    draft: dict[str, Any] | None = None,
    sentence: tuple[int, int] | None = None,
    sides: tuple[str, ...] = (),
) -> str:
    """Who gives the figure: nobody named, or a cast member that can speak named near the figure
    (the rule reader's claimant of the same figure too), in its canonical name, its type the kind
    the model read for it in the cast; without a cast (or ungrounded), any article span.
    ``sides``: the article's sides (:func:`article_sides`), which a person's title may name."""
    from summarizer.tasks.claims.cast import (
        CLAIMANT_TYPE,
        SIDELESS_KINDS,
        STATE_KINDS,
        Actor,
        can_speak,
        looks_like_person,
        person_name,
    )

    speakers = cast.speakers(article, window, sentence) if cast and grounded else []
    drafted = (draft or {}).get("claimant")
    # Where a cast member reports in the figure's own sentence, the rule reader's claimant must too:
    # a body that spoke in the sentence before is not who gives this figure ("X said ... . Its
    # spokesman Y told reporters that 9 died").
    own = sentence if sentence and any(_speaks_near(a.name, article, sentence, sentence) for a in speakers) else None
    if (
        speakers
        and drafted
        and drafted in article
        and can_speak(drafted, article)
        and _speaks_near(drafted, article, own or window, own or sentence)
    ):
        # Written as a person's name; not a piece of a cast member's longer name ("Dr" of "Dr. Ana Rudi").
        drafted = person_name(drafted)
        # A cast member's own mention ("the group") is offered under its canonical name already.
        known = {a.canonical for a in speakers} | {a.name for a in (cast.actors if cast else ())}
        if drafted not in known and not any(drafted in a.name for a in speakers):
            speakers.append(Actor(drafted, "government", drafted))
    if not speakers:
        return (
            f"claimant: {_lit(_UNNAMED)} "
            '| ",\\"claimant\\":\\"" NAME_SPAN "\\",\\"claimant_type\\":\\"" NAMED_TYPE "\\",\\"claimant_side\\":" side'
        )

    def side_of(actor: Actor) -> str:
        # A neutral body, an outlet or a witness has no side; a name that holds its side ("Russia's
        # Defence Ministry") has that one or none (a foreign ministry that is no party); a state body
        # whose name holds none speaks for a country near the figure or the article's own country;
        # any other, one of the article's sides.
        if actor.kind in SIDELESS_KINDS:
            return ' ",\\"claimant_side\\":null"'
        own = cast.own_side(actor) if cast else None
        # A person speaks for the side their title names where the article introduces them
        # ("Hill Front spokesman Ada Brenner"), not for a country named near the figure.
        if not own and looks_like_person(actor.canonical):
            own = _titled_party(actor.canonical, article, sides)
        offered = [own] if own else state_sides(actor)
        if offered:
            choice = _choice(json.dumps(side, ensure_ascii=False) for side in offered)
            return f' ",\\"claimant_side\\":" ("null" | {choice})'
        return ' ",\\"claimant_side\\":" side'

    def state_sides(actor: Actor) -> list[str]:
        if actor.kind not in STATE_KINDS or sentence is None:
            return []
        return state_voices(article, article[sentence[0] : sentence[1]])

    def type_of(actor: Actor) -> str:  # the kind the model read, or its reading here where that kind claims nothing
        kind = CLAIMANT_TYPE.get(actor.kind)
        return _lit(f'{kind}"') if kind else 'NAMED_TYPE "\\""'

    named = [
        _lit(f',"claimant":{json.dumps(a.canonical, ensure_ascii=False)},"claimant_type":"')
        + " "
        + type_of(a)
        + side_of(a)
        for a in speakers
    ]
    return "claimant: " + " | ".join([_lit(_UNNAMED), *named])


def _speaks_near(name: str, article: str, window: tuple[int, int] | None, sentence: tuple[int, int] | None) -> bool:
    """Whether the rule reader's claimant stands where a reporter does near the figure, and is a
    name, not a run of words ("the office also repeated its")."""
    from summarizer.tasks.claims.speech import in_speech_position, is_reporting_word

    if any(is_reporting_word(word) for word in name.split()[1:]):
        return False
    spans = [s for s in (sentence, window) if s is not None]
    return not spans or any(in_speech_position(name, article[lo:hi]) for lo, hi in spans)


def article_sides(article: str, cast: Cast | None = None) -> tuple[str, ...]:
    """The side names of ``article`` (and its cast): computed once per article, not per figure."""
    return _sides(article, tuple(cast.parties(article)) if cast else None)


@lru_cache(maxsize=4)
def _sides(article: str, parties: tuple[str, ...] | None) -> tuple[str, ...]:
    return tuple(sides_in(article, parties))


@lru_cache(maxsize=4)
def _article_parts(article: str) -> str:
    """The span regex of ``article``: computed once per article, not once per figure."""
    return "%regex " + json.dumps({"substring_chunks": evidence_chunks(article)}, ensure_ascii=False)


def _is_property(equipment: str | None) -> bool:
    """Whether drafted equipment is property people live, pray, learn or trade in ("homes")."""
    from summarizer.tasks.claims.lexicon import PROPERTY_NOUNS

    words = re.findall(r"[a-z]+", (equipment or "").lower())
    return bool(words) and words[-1] in PROPERTY_NOUNS


def _draft_head(draft: dict[str, Any]) -> str:
    """The label's first fields as the rule reader's draft has them (outcome, group, equipment)."""
    head = {"outcome": draft["outcome"], "victim_group": draft["victim_group"], "equipment": draft["equipment"]}
    return json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1]


# --- the same label for servers that take only JSON Schema, and the checks after generation ----
_SPAN_LENGTH = {"equipment": 40, "claimant": 80, "victim_side": 40, "claimant_side": 40}
_WHAT_LENGTH = 40


def label_sides(article: str, cast: Cast | None = None, draft_sides: Iterable[str] = ()) -> tuple[str, ...]:
    """Every side a figure's label grammar may offer in ``article``: the article's sides, with the
    cast's parties and the sides its members' names hold when there is a cast, and the rule
    reader's drafted victim sides (which the grammar may force)."""
    sides = dict.fromkeys(article_sides(article))
    if cast is not None:
        sides.update(dict.fromkeys(article_sides(article, cast)))
        sides.update(dict.fromkeys(side for side in map(cast.own_side, cast.actors) if side))
    sides.update(dict.fromkeys(draft_sides))
    return tuple(sides)


def label_claimants(article: str, cast: Cast, drafts: Iterable[dict[str, Any]] = ()) -> tuple[str, ...]:
    """Every claimant a figure's label grammar may offer in ``article``: the canonical names of the
    cast members that can speak, and the rule reader's claimants, as persons' names, that the
    article holds (:func:`_claimant_rule` offers, per figure, those near it)."""
    from summarizer.tasks.claims.cast import person_name

    names = dict.fromkeys(actor.canonical for actor in cast.speakers(article))
    drafted = (person_name(d["claimant"]) for d in drafts if d.get("claimant") and d["claimant"] in article)
    names.update(dict.fromkeys(name for name in drafted if name in article))
    return tuple(names)


def label_schema(sides: Iterable[str] | None = None, claimants: Iterable[str] | None = None) -> dict[str, Any]:
    """A JSON Schema of a label, for a server with no grammar engine: the branches the grammar
    writes (no claim; people or equipment; a named or an unnamed claimant), without the span
    grounding (checked afterwards: :func:`label_problems`). ``sides``: the article's
    (:func:`label_sides`), as the grammar offers them: a side is null or one of them (null only
    when there are none); None: any short text (ungrounded). ``claimants``: the article's
    (:func:`label_claimants`), as the grammar offers them: a claimant is null or one of them (null
    only when there are none); None: any short text, checked after generation."""

    def text(key: str) -> dict[str, Any]:
        return {"type": "string", "minLength": 1, "maxLength": _SPAN_LENGTH[key]}

    names = None if sides is None else list(dict.fromkeys(sides))
    side: dict[str, Any] = {"anyOf": [text("victim_side") if names is None else {"enum": names}, {"type": "null"}]}
    if names == []:
        side = {"type": "null"}  # the article names no side: the grammar offers null only
    what: list[dict[str, dict[str, Any]]] = [
        {
            "outcome": {"enum": list(PEOPLE_OUTCOMES)},
            "victim_group": {"enum": list(GROUPS)},
            "equipment": {"type": "null"},
        },
        {
            "outcome": {"const": "equipment_destroyed"},
            "victim_group": {"const": "military"},
            "equipment": text("equipment"),
        },
    ]
    speakers = None if claimants is None else list(dict.fromkeys(claimants))
    claimant: dict[str, Any] = text("claimant") if speakers is None else {"enum": speakers}
    who: list[dict[str, dict[str, Any]]] = [
        {"claimant": claimant, "claimant_type": {"enum": list(NAMED_TYPES)}, "claimant_side": side},
        {"claimant": {"type": "null"}, "claimant_type": {"const": "unattributed"}, "claimant_side": {"type": "null"}},
    ]
    if speakers == []:
        who = who[1:]  # nobody in the article can speak: unattributed only, as in the grammar
    quote = {"what": {"type": "string", "minLength": 1, "maxLength": _WHAT_LENGTH}}  # first, as in the grammar
    none = {
        "type": "object",
        "properties": {**quote, "outcome": {"const": "none"}},
        "required": ["what", "outcome"],
        "additionalProperties": False,
    }
    claims = [
        {
            "type": "object",
            "properties": {**quote, **head, "victim_side": side, **tail},
            "required": ["what", *LABEL_KEYS],
            "additionalProperties": False,
        }
        for head in what
        for tail in who
    ]
    return {"anyOf": [none, *claims]}


def label_problems(
    label: object, article: str, draft_sides: AbstractSet[str] = frozenset(), cast: Cast | None = None
) -> tuple[list[str], list[str]]:
    """(shape problems, grounding problems) of a label a server wrote: what the grammar of
    :func:`figure_grammar` guarantees, checked after the fact (a server may ignore a grammar,
    and a JSON-Schema server never had one). ``draft_sides``: the victim sides of the rule
    reader's drafts, which the grammar may force."""
    if not isinstance(label, dict):
        return ["a label is a JSON object"], []
    quoted = label.get("what")
    if "what" in label and not (isinstance(quoted, str) and 0 < len(quoted) <= 2 * _WHAT_LENGTH):
        return ["what is a short string"], []
    label = {key: value for key, value in label.items() if key != "what"}  # the model's quote: not part of the claim
    if label.get("outcome") == "none":
        return [], []
    shape = _label_shape(label)
    if shape:
        return shape, []
    from summarizer.core.text import find_span

    grounding = [
        f"{key} {label[key]!r} is not a span of the article"
        for key in ("claimant", "equipment")
        if label[key] is not None and find_span(article, label[key]) is None
    ]
    from summarizer.core.countries import side_grounded

    sides = {*article_sides(article, cast), *draft_sides}
    grounding += [  # what validate checks too: a side the article gives reason for, never the example's
        f"{key} {label[key]!r} is not a side the article names"
        for key in ("victim_side", "claimant_side")
        if label[key] is not None and label[key] not in sides and not side_grounded(label[key], article)
    ]
    return [], grounding


def _label_shape(label: dict[str, Any]) -> list[str]:
    if list(label) != list(LABEL_KEYS):
        return [f"a label has the keys {', '.join(LABEL_KEYS)} in that order (got {', '.join(map(str, label))})"]
    choices = {
        "outcome": (*PEOPLE_OUTCOMES, "equipment_destroyed"),
        "victim_group": GROUPS,
        "claimant_type": (*NAMED_TYPES, "unattributed"),
    }
    problems = [
        f"{key} {label[key]!r} is not one of {', '.join(values)}"
        for key, values in choices.items()
        if label[key] not in values
    ]
    problems += [
        f"{key} is not a short string or null"
        for key, limit in _SPAN_LENGTH.items()
        if label[key] is not None and not (isinstance(label[key], str) and 0 < len(label[key]) <= 2 * limit)
    ]
    if (label["claimant"] is None) != (label["claimant_type"] == "unattributed"):
        problems.append("claimant_type is 'unattributed' exactly when the claimant is null")
    if label["equipment"] is not None and label["outcome"] != "equipment_destroyed":
        problems.append("equipment is named only when the outcome is equipment_destroyed")
    return problems
