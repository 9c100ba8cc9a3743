"""The rule-based baseline (``--model rules``): claims from word lists and patterns, no weights.

A transparent floor for comparisons, not the product. Each figure the shared number
parser finds is read in its sentence:

1. out-of-scope figures are dropped (money, percentages, dates, years, durations,
   distances, model names such as "Su-25");
2. the outcome comes from the words around the figure: the noun phrase after it
   ("652 civilian deaths"), the word just before it ("killed 1,400"), a verb later in
   the clause ("12 civilians were killed"), a list it continues ("10 tanks, 5 drones"),
   or the clause to its left ("casualties ... surpassed one million");
3. victim group and side, claimant, qualifier, period, location and verification are
   filled from lexicons and a handful of patterns.

Evidence is always the article's own sentence (or the clause holding the figure when
the sentence is too long) and every value is a parsed mention, so the output is
grounded by construction; it is still validated before it is returned.
"""

from __future__ import annotations

import bisect
import itertools
import json
import re
import time
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from summarizer.backends.base import Backend, Extraction, ExtractOptions
from summarizer.backends.options import task_field
from summarizer.core.numbers import NumberMention, find_numbers, format_number
from summarizer.core.validation import grounding_problems, schema_problems
from summarizer.engine.lexicon import (
    GROUP_PHRASES,
    NON_PARTY_TYPES,
    OUTCOME_PHRASES,
    OUTCOME_WORDS,
    QUALIFIER_PHRASES,
    claimant_type_named,
)
from summarizer.engine.repeats import GENERIC_CLAIMANTS, dedupe, is_generic
from summarizer.engine.sides import SIDE_WORDS

# ---------------------------------------------------------------------------- lexicons


def _words(outcome: str, words: str) -> dict[str, str]:
    return dict.fromkeys(words.split(), outcome)


# A destruction verb applied to people means they died ("neutralised 30 fighters"),
# except "lost", which in loss tallies counts the wounded too.
DESTROY_ON_PEOPLE = {"lost": "killed_or_injured"}
# Verbs that make a figure a count of something other than harm.
BLOCKERS = set(
    "launched launch launches fired deployed deploying stationed sent sending mobilised mobilized "
    "recruited besieged exchanged swapped released freed returned repatriated repatriation remains "
    "exchange swap arrested detained rescued need trained".split()
)
# Words skipped when looking for the word that governs a figure ("killed at least 12").
FILLERS = set(
    "the of a an another additional further total reportedly now have has had reached reaching rose "
    "risen climbed stood stands at to than least more over about around approximately roughly some "
    "nearly almost up as many estimated surpassed surpassing exceeded exceeding top topped tops "
    "nearing only just fewer less no even also".split()
)
INCLUSION = set("including includes included include among incl".split())
QUALIFIERS = {  # the words just before a figure
    **dict.fromkeys(["at least", "no fewer than", "no less than"], "at_least"),
    **dict.fromkeys(
        "more than|over|in excess of|upwards of|surpass|surpasses|surpassed|surpassing|exceed|exceeds|"
        "exceeded|exceeding|top|tops|topped".split("|"),
        "more_than",
    ),
    **dict.fromkeys(["nearly", "almost", "nearing", "close to"], "nearly"),
    **dict.fromkeys(["up to", "as many as"], "up_to"),
    **dict.fromkeys(["about", "around", "approximately", "roughly", "some", "estimated"], "approximately"),
}
GROUP_WORDS = {
    **_words(
        "civilians",
        "civilians civilian residents inhabitants villagers passengers journalists patients "
        "worshippers pilgrims shoppers students pupils farmers fishermen",
    ),
    **_words("children", "children child kids minors boys girls infants babies toddlers"),
    **_words("women", "women woman"),
    **_words("men", "men"),
    **_words(
        "military",
        "soldiers soldier troops servicemen servicemembers personnel military fighters militants "
        "combatants marines paratroopers conscripts mercenaries forces army terrorists rebels "
        "insurgents jihadists gunmen guerrillas",
    ),
    **_words("medical_workers", "medics doctors nurses paramedics"),
    **_words("people", "people persons individuals person families"),
}
MEDICAL_PAIRS = {
    ("medical", "workers"),
    ("health", "workers"),
    ("healthcare", "workers"),
    ("medical", "staff"),
    ("medical", "personnel"),
    ("aid", "workers"),
}
EQUIPMENT_NOUNS = set(
    "tanks tank vehicles vehicle drones drone uavs uav missiles missile rockets rocket aircraft "
    "planes plane jets jet helicopters helicopter ships ship boats boat submarine submarines "
    "vessels vessel warships warship artillery systems system launchers launcher pieces "
    "howitzers guns radars radar trucks depots decoys munitions shells bombs carriers homes "
    "houses buildings bridges".split()
)
UNCOUNTABLE = {"aircraft", "artillery", "equipment", "hardware", "ammunition"}
# Nouns that make a figure a count of places, units, money or events, not of victims.
NOT_VICTIMS = set(
    "villages towns cities settlements regions areas positions territories km kilometres kilometers "
    "miles meters metres hectares acres square tons tonnes percent dollars euros pounds rubles "
    "hryvnias times occasions attacks strikes incidents sorties attempts days hours weeks months "
    "years minutes points countries nations votes seats rounds meetings targets sites "
    "facilities".split()
)
STRIKE_CONTEXT = re.compile(
    r"\b(attack|strike|airstrike|shell|bomb|drone|missile|rocket|raid|explosion|blast|"
    r"artillery|infrastructure|residential|hospital|school|market)",
    re.I,
)
SIDES = SIDE_WORDS  # one table of side names for the rule reader and the grounded grammars
CASED_SIDES = {"US", "U.S", "UK"}  # "us" and "uk" only count in capitals
# Words after a side name that make it the victims' side ("Russian casualties", "Russia's losses").
VICTIM_CONTEXT = set(
    "casualties losses military forces troops soldiers personnel regions civilians army fatalities "
    "deaths side population citizens territory".split()
)
ATTACK_WORDS = set(
    "attacks attack strikes strike airstrikes shelling bombardment bombing bombings drones drone "
    "missiles missile raids fire artillery offensive assault shelled attacked struck bombed hit "
    "targeted stormed raided bomb bombs warplanes jets gunfire ambush".split()
)
# Words between a side and its attack that keep the side the attacker: "RSF fighters stormed",
# "a Myanmar military air strike", "Syrian government warplanes", "a Russian guided bomb".
AGENT_WORDS = set(
    "fighters forces troops soldiers militants gunmen army military government air guided glide "
    "ballistic cruise naval navy artillery regime".split()
)
KILL_VERBS = set("killed kill kills destroyed destroy destroys shot downed wounded".split())
# The claimant's own forces as the agent: "said its fighters had killed", "its air defence destroyed".
OWN_FORCES = re.compile(
    r"\b(?:its|our) (?:own )?(?:forces|fighters|troops|soldiers|units|army|military|navy|"
    r"air force|air defen[cs]es?|drones)\b[^.;]{0,40}?\b(?:killed|destroyed|shot|downed|"
    r"intercepted|captured|wounded|eliminated|neutrali[sz]ed|struck|hit)\b"
)
ATTRIBUTION_VERBS = set(
    "said says say reported reports report claimed claims claim recorded records stated states "
    "announced announces estimated estimates documented disclosed posted told added noted "
    "acknowledged counted registered tallied".split()
)
PARTICIPLE_VERBS = {"stating", "saying", "adding", "claiming", "reporting", "noting"}
SKIP_BEFORE_VERB = set(
    "has have had also officially previously recently reportedly later earlier further then already now last".split()
)
NP_STOP = set(
    "of the had have has are were was is be been including during overnight across over into through "
    "near under against amid following within per last this yesterday today since".split()
)
NAME_STOP = set(
    "that which who and but while when as because if after before since where what in on at to by "
    "from with this these those there it is was were be been according however meanwhile".split()
)
CLAIMANT_NOUNS = set(
    "ministry officials official authorities military army police agency office organizations "
    "organization groups group monitor spokesman spokesperson governor mayor staff government "
    "forces defenses defences council committee service services department".split()
)
PRONOUNS = {"he", "she", "it", "they"}
MONTHS = (
    "January February March April May June July August September October November December "
    "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec"
).split()
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
_MONTH = "(?:" + "|".join(MONTHS[:12]) + ")"
_DATE = rf"{_MONTH}(?:\s+\d{{1,2}}\b)?(?:,?\s+\d{{4}})?|\d{{1,2}}\s+{_MONTH}(?:\s+\d{{4}})?"
PERIOD_PATTERNS = [  # (regex, group holding the period): earlier patterns win
    (
        re.compile(
            r"\b[Ss]ince\s+[^,;:.()]{2,80}?(?=\s*(?:[;:.()]|,(?!\s*\d{4})|$|\s(?:and|but|while|when|with|"
            r"according|as)\b))(?:,\s*\d{4})?"
        ),
        0,
    ),
    (re.compile(rf"\bbetween\s+(?:{_DATE})\s+and\s+(?:{_DATE})"), 0),
    (
        re.compile(
            r"\b(?:in|over|during|within|for)\s+the\s+((?:past|last|previous)\s+(?:[\w-]+\s+)?"
            r"(?:hours?|days?|weeks?|months?|years?|period))\b",
            re.I,
        ),
        1,
    ),
    (re.compile(r"\b(?:within|in|over|during)\s+an?\s+([\w-]+\s+(?:period|span))\b", re.I), 1),
    (
        re.compile(
            r"\b(so far|to date|overnight|this (?:week|month|year)|last (?:week|month|year|night)|"
            r"yesterday|today)\b",
            re.I,
        ),
        1,
    ),
    (re.compile(rf"\b(?:on|in)\s+({_DATE}|{'|'.join(WEEKDAYS)}|\d{{4}})\b"), 1),
]
SAME_PERIOD = re.compile(r"\b(?:over|in|during|for) the same period\b", re.I)
LOCATION = re.compile(
    r"\b(?:[Ii]n|[Nn]ear|across|around|outside)\s+(?:the\s+)?(?:(?:city|town|village|region|"
    r"province) of\s+)?([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,2})"
)
QUOTED_AREA = re.compile(r"[“\"]([A-Z][\w -]{1,40})[”\"]\s+(zone|sector|area|region|front|direction|axis)\b")
NOT_PLACES = set(MONTHS + WEEKDAYS + ["The", "This", "That", "Its", "His", "Her", "Their", "These"])
UNVERIFIED = re.compile(
    r"(cannot|could not|can't|couldn't|not been|not be|unable to be)\s+(independently\s+)?"
    r"(verified|confirmed)|no independent|not independently|without (providing )?(any )?"
    r"evidence|no (supporting )?evidence|unverified|not verified",
    re.I,
)
DISPUTED = re.compile(r"\b(rejected|rejects|denied|denies|disputed|disputes|dismissed|dismisses|refuted)\b", re.I)
CORROBORATED = re.compile(r"\b(aligns?|aligned|corroborated|corroborates|consistent with|confirmed by|matches)\b", re.I)
BACK_REFERENCE = re.compile(
    r"\b(these|those|this|the|such|both sides'?|\w+'s)\s+(\w+\s+)?(figures?|numbers?|"
    r"claims?|tally|toll|count|estimates?)\b",
    re.I,
)
ABBREVIATIONS = set(
    "mr mrs ms dr gen lt col maj capt sgt st jr sr no vs etc e.g i.e u.s u.n u.k jan feb mar apr "
    "jun jul aug sep sept oct nov dec gov sen rep prof inc co corp ltd".split()
)
SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
# What right after a figure shows it is money, a share, a distance, a duration or age, or a time of day.
OUT_OF_SCOPE_AFTER = re.compile(
    r"\s*(%|per\s?cent|percent|dollars|euros|pounds|km\b|kilomet|miles?\b|"
    r"met(er|re)s?\b|-?\s*(year|month|week|day|hour|minute)s?\b|:\d)",
    re.I,
)
MAX_EVIDENCE, MAX_NAME, MAX_CLAIMS, MAX_SUMMARY = 1000, 200, 200, 600

# ---------------------------------------------------------------------------- reading the text


@dataclass
class Token:
    text: str
    low: str  # lower case, typographic apostrophe folded, possessive dropped
    start: int
    end: int
    kind: str  # word | punct | num (a figure) | art ("a"/"an" as 1) | skip (out-of-scope figure)
    mention: NumberMention | None = None

    @property
    def number(self) -> NumberMention:
        """The figure of a "num" token (one that has a mention)."""
        assert self.mention is not None, f"not a figure: {self.text!r}"
        return self.mention


@dataclass
class Sentence:
    start: int
    end: int
    paragraph: int
    tokens: list[Token] = field(default_factory=list)


@dataclass
class Attribution:
    name: str
    context: str  # the name plus its apposition ("head of Russia's Investigative Committee")
    at: int  # token index of the verb or "according"


_WORD = re.compile(r"[A-Za-z][A-Za-z'’.\-]*[A-Za-z]|[A-Za-z]|\S")


def _low(word: str) -> str:
    word = word.lower().replace("’", "'")
    return word[:-2] if word.endswith("'s") else word.rstrip("'")


def paragraphs(article: str) -> list[tuple[int, int]]:
    """Line spans; a line that stops mid-sentence and runs on in lower case is joined to the next."""
    spans: list[list[int]] = []
    for line in re.finditer(r"[^\n]*\S[^\n]*", article):
        text = line.group()
        if (
            spans
            and not re.search(r"[.!?:\"”’)]\s*$", article[spans[-1][0] : spans[-1][1]])
            and text.lstrip()[:1].islower()
        ):
            spans[-1][1] = line.end()
        else:
            spans.append([line.start(), line.end()])
    return [(a, b) for a, b in spans]


def split_sentences(article: str) -> list[Sentence]:
    sentences = []
    for number, (start, end) in enumerate(paragraphs(article)):
        cut = start
        for boundary in SENTENCE_END.finditer(article, start, end):
            last_word = re.search(r"(\S+)\.[\"'”’)\]]*$", article[cut : boundary.start()])
            if last_word and (_low(last_word.group(1)) in ABBREVIATIONS or len(last_word.group(1)) == 1):
                continue
            sentences.append(Sentence(cut, boundary.start(), number))
            cut = boundary.end()
        sentences.append(Sentence(cut, end, number))
    return [s for s in sentences if article[s.start : s.end].strip()]


def out_of_scope(article: str, mention: NumberMention) -> bool:
    """Money, percentages, dates, years, durations, distances and designations are not victim counts."""
    before, after = article[max(0, mention.start - 12) : mention.start], article[mention.end : mention.end + 12]
    if re.search(r"[$€£]\s*$|[A-Za-z][-/]?$|\d[/.:]$", before) or OUT_OF_SCOPE_AFTER.match(after):
        return True
    if re.fullmatch(r"(1[89]|20)\d\d", mention.text):
        return True  # a year
    near_month = re.search(rf"\b{_MONTH}\s*$", before) or re.match(rf"\s*{_MONTH}\b", after)
    return bool(near_month) and mention.value <= 31 and mention.value.is_integer()


def tokenize(article: str, sentence: Sentence, mentions: list[NumberMention]) -> list[Token]:
    """The sentence's words, punctuation and figures; ``mentions`` are the article's, in text order."""
    tokens, cursor = [], sentence.start
    # Bisection, not a scan of every mention: once per sentence, a scan made long articles quadratic.
    first = bisect.bisect_left(mentions, sentence.start, key=_start)
    last = bisect.bisect_left(mentions, sentence.end, lo=first, key=_start)
    inside = mentions[first:last]
    for mention in inside + [None]:
        gap_end = mention.start if mention else sentence.end
        for word in _WORD.finditer(article, cursor, gap_end):
            kind = "word" if word.group()[0].isalpha() else "punct"
            tokens.append(Token(word.group(), _low(word.group()), word.start(), word.end(), kind))
        if mention is None:
            break
        kind = "art" if mention.text.lower() in ("a", "an") else "skip" if out_of_scope(article, mention) else "num"
        tokens.append(Token(mention.text, mention.text.lower(), mention.start, mention.end, kind, mention))
        cursor = mention.end
    return tokens


def _start(mention: NumberMention) -> int:
    return mention.start


def is_title_case(tokens: list[Token]) -> bool:
    words = [t for t in tokens if t.kind == "word" and len(t.text) > 3]
    return len(words) >= 3 and sum(t.text[0].isupper() for t in words) / len(words) > 0.6


# ---------------------------------------------------------------------------- one figure


@dataclass
class Figure:
    """What the rules read about one figure, before it becomes a claim."""

    sentence: int
    index: int  # token index of the figure in its sentence
    outcome: str
    np: list[Token]  # the noun phrase after the figure
    np_end: int  # token index just after it
    qualifier: str = "exact"
    upper: NumberMention | None = None
    inherited: bool = False  # the outcome came from the figure it breaks down

    @property
    def elliptical(self) -> bool:
        """No counted noun of its own ("and 30 injured", "(275 killed)"): it shares the previous figure's."""
        return all(t.low in OUTCOME_WORDS or side_of(t) for t in self.np)


class SentenceReader:
    """The rules for the figures of one sentence."""

    def __init__(self, tokens: list[Token], title_case: bool):
        self.tokens = tokens
        self.title_case = title_case

    def lexicon_word(self, i: int) -> str | None:
        """The token as a lexicon key; capitalised words mid-sentence are names ("Refugee Council")."""
        token = self.tokens[i]
        if token.kind != "word" or (token.text[0].isupper() and i > 0 and not self.title_case):
            return None
        return token.low

    def outcome_at(self, i: int) -> str | None:
        word, nxt = self.lexicon_word(i), self.low(i + 1)
        if word == "down" and self.low(i - 1) == "shot":  # "shot down 40 drones"
            return "equipment_destroyed"
        if word == "forced" and re.search(
            r"\b(from their homes|to flee|to leave)\b", " ".join(t.low for t in self.tokens[i + 1 : i + 9])
        ):
            return "displaced"  # "forced 250,000 people from their homes"
        if word == "shot":
            return {"down": "equipment_destroyed", "dead": "killed"}.get(nxt or "")
        if word in ("taken", "held") and nxt in ("prisoner", "captive", "hostage"):
            return "captured"
        outcome = OUTCOME_WORDS.get(word or "")
        if outcome in ("killed", "injured"):  # "killed and wounded", "deaths or injuries"
            for j in (i + 2, i - 2):
                partner = OUTCOME_WORDS.get((self.lexicon_word(j) or "") if 0 <= j < len(self.tokens) else "")
                if self.low((i + j) // 2) in ("and", "or") and {outcome, partner} == {"killed", "injured"}:
                    return "killed_or_injured"
        return outcome

    def low(self, i: int) -> str | None:
        return self.tokens[i].low if 0 <= i < len(self.tokens) else None

    def noun_phrase(self, i: int) -> tuple[list[Token], int]:
        """The words after the figure that name what is counted ("Russian tanks", "of civilians",
        "ships and boats"), and the index of the token after them."""
        if (
            self.low(i + 1) == "of"
            and self.low(i + 2) in ("the", "its", "their")
            and i + 3 < len(self.tokens)
            and self.is_figure(i + 3)
        ):
            return self.noun_phrase(i + 3)  # "40 of the 63 drones"
        phrase: list[Token] = []
        j = i + 1
        while j < len(self.tokens) and len(phrase) < 6:
            token = self.tokens[j]
            if token.low in ("and", "or") and phrase:  # "ships and boats", not "and 30 injured"
                after = self.tokens[j + 1] if j + 1 < len(self.tokens) else None
                if (
                    after is None
                    or after.kind != "word"
                    or after.low in FILLERS | NAME_STOP | NP_STOP
                    or (after.low in OUTCOME_WORDS and phrase[-1].low not in OUTCOME_WORDS)
                ):
                    break  # "60 targets and killed 20 militants"
            elif token.kind != "word" or (
                token.low in NAME_STOP | NP_STOP and not (token.low == "of" and j == i + 1)
            ):  # "dozens of drones"
                break
            if token.low != "of":
                phrase.append(token)
            j += 1
        return phrase, j

    def next_content(self, i: int, step: int) -> int | None:
        """The first token from ``i`` in direction ``step`` that is not a filler word."""
        j = i + step
        while 0 <= j < len(self.tokens) and self.tokens[j].kind == "word" and self.tokens[j].low in FILLERS:
            j += step
        return j if 0 <= j < len(self.tokens) else None

    def is_figure(self, j: int) -> bool:
        return self.tokens[j].kind == "num"

    def outcome_right(self, i: int) -> str | None:
        """A verb later in the clause: "12 civilians were killed", "18 people including four children were
        injured"."""
        for j in range(i + 1, min(i + 12, len(self.tokens))):
            token = self.tokens[j]
            if token.low in BLOCKERS or token.text in (";", ":", "(", ")"):
                return None
            if self.is_figure(j) and self.low(j - 1) not in INCLUSION:
                return None
            outcome = self.outcome_at(j)
            if outcome:
                governed = self.next_content(j, 1)  # "drones killed 5": the verb belongs to the next figure
                return None if governed is not None and self.is_figure(governed) else outcome
        return None

    def outcome_left_clause(self, i: int) -> str | None:
        """The nearest outcome word to the left in the clause: "casualties ... have now surpassed one million"."""
        for j in range(i - 1, max(-1, i - 13), -1):
            token = self.tokens[j]
            if token.low in BLOCKERS | ATTRIBUTION_VERBS or token.text in (",", ";", ":") or self.is_figure(j):
                return None
            if self.outcome_at(j):
                return self.outcome_at(j)
        return None

    def continues_list(self, i: int, figures: dict[int, Figure]) -> Figure | None:
        """The figure this one follows in a list ("10,881 tanks, 22,671 armored vehicles, and a submarine")."""
        earlier = [k for k in figures if k < i]
        if not earlier:
            return None
        k = max(earlier)
        if figures[k].np_end > i:
            return None
        between = self.tokens[figures[k].np_end : i]
        glue = {",", "and", "or", "even", "also", "plus"} | FILLERS
        return figures[k] if all(t.low in glue or t.text in glue for t in between) else None


def pluralize(noun: str) -> str:
    last = noun.split()[-1].lower()
    if last.endswith("s") or last in UNCOUNTABLE:
        return noun
    if re.search(r"[^aeiou]y$", last):
        return noun[:-1] + "ies"
    return noun + ("es" if re.search(r"(sh|ch|x)$", last) else "s")


# ---------------------------------------------------------------------------- the backend


@dataclass(frozen=True)
class RulesOptions:
    """No settings: only the task (set by --task), which must be claims."""

    task: Any = task_field()


class RulesBackend(Backend):
    """Deterministic extraction from lexicons and patterns; the baseline every model must beat."""

    name = "rules"
    Options = RulesOptions

    def __init__(self, model: str = "rules", options: RulesOptions | None = None):
        from summarizer.core.errors import ModelError
        from summarizer.core.task import load_task

        # Nothing to load: the lexicons are module data. They read claims and nothing else.
        self.task = load_task((options or RulesOptions()).task)
        if not self.task.is_claims:
            raise ModelError(
                f"the rules baseline extracts only the built-in claims task, not {self.task.name!r}; "
                "use a model (--model) for your own task"
            )

    @property
    def model_id(self) -> str:
        return "rules"

    def describe(self) -> dict:
        # The rules are code: a hash of this module is their "revision", so editing a lexicon
        # invalidates cached results in the run store.
        return {**super().describe(), "revision": _source_hash()}

    def extract(self, article: str, options: ExtractOptions | None = None) -> Extraction:
        started = time.perf_counter()
        extractor = _ArticleExtractor(article)
        document = valid_document(extractor.document(), article)
        stats = {
            "seconds": time.perf_counter() - started,
            "n_sentences": len(extractor.sentences),
            "prompt_tokens": 0,
            "generated_tokens": 0,
            "forced_tokens": 0,
            "forward_passes": 0,
        }
        return Extraction(json.dumps(document, ensure_ascii=False), document, "ok", None, stats)


def rule_drafts(article: str) -> list[dict]:
    """The rule reader's claims: figure-guided extraction takes their set-phrase fields (period,
    location, perpetrator, verification) and, where they read a figure, its outcome and victims."""
    extraction = RulesBackend().extract(article)
    return extraction.document["claims"] if extraction.document else []


# The rules' code and the word lists they read: their revision in the run store's key.
SOURCES = ("backends/rules", "engine/lexicon", "engine/sides")


@lru_cache(maxsize=1)
def _source_hash() -> str:
    """The rules' revision: every file of :data:`SOURCES` (all of a package's files, once split)."""
    from summarizer.core.resources import source_hash

    return source_hash(SOURCES)


def valid_document(document: dict, article: str) -> dict:
    """The document, less any claim that fails the schema or grounding (a bug in the rules, never
    expected): the baseline promises valid output whatever the article."""
    problems = schema_problems(document) + grounding_problems(document, article)
    bad = {int(m.group(1)) for p in problems for m in [re.match(r"\$\.claims\[(\d+)\]", p.path)] if m}
    if bad:
        claims = [c for n, c in enumerate(document["claims"]) if n not in bad]
        document = {"summary": summary(claims), "claims": claims}
    if schema_problems(document) or grounding_problems(document, article):
        return {"summary": summary([]), "claims": []}
    return document


class _ArticleExtractor:
    def __init__(self, article: str):
        self.article = article
        mentions = find_numbers(article)
        self.sentences = split_sentences(article)
        for sentence in self.sentences:
            sentence.tokens = tokenize(article, sentence, mentions)
        self.parties = self.find_parties()
        self.attributions = [self.find_attributions(s) for s in self.sentences]
        self.resolved = self.resolve_all()
        self.claims: list[dict] = []  # in article order, as they are read

    # ------------------------------------------------------------------ document

    def document(self) -> dict:
        claims = self.claims
        for s, sentence in enumerate(self.sentences):
            reader = SentenceReader(sentence.tokens, is_title_case(sentence.tokens))
            figures: dict[int, Figure] = {}
            for i, token in enumerate(sentence.tokens):
                if token.kind in ("num", "art") and not self.consumed(figures, i):
                    figure = self.read_figure(reader, s, i, figures)
                    if figure:
                        figures[i] = figure
            for figure in figures.values():
                claim = self.claim(reader, figure, figures, claims)
                if claim:
                    claims.append(claim)
        claims = self.apply_verification(claims)
        claims = [{k: v for k, v in c.items() if not k.startswith("_")} for c in dedupe(claims)][:MAX_CLAIMS]
        return {"summary": summary(claims), "claims": claims}

    @staticmethod
    def consumed(figures: dict[int, Figure], i: int) -> bool:
        return any(f.upper is not None and f.index < i <= f.index + 3 for f in figures.values())

    # ------------------------------------------------------------------ outcome

    def read_figure(self, reader: SentenceReader, s: int, i: int, figures: dict[int, Figure]) -> Figure | None:
        qualifier, upper = self.qualifier(reader, i)
        last = i + 2 if upper else i  # "between 30 and 40 people": the noun follows the high end
        np, np_end = reader.noun_phrase(last)
        head_words = {t.low for t in np}
        if head_words & NOT_VICTIMS:
            return None
        if reader.tokens[i].kind == "art" and not head_words & (set(GROUP_WORDS) | EQUIPMENT_NOUNS):
            return None  # "a" is only a count before a victim or an item ("a submarine")
        outcome, inherited = self.governing_outcome(reader, i, last, np, figures)
        if outcome is None:
            return None
        return Figure(s, i, outcome, np, np_end, qualifier, upper, inherited)

    def governing_outcome(
        self, reader: SentenceReader, i: int, last: int, np: list[Token], figures: dict[int, Figure]
    ) -> tuple[str | None, bool]:
        """The outcome word that governs the figure at tokens ``i``..``last``, and whether it was
        taken from the figure this one breaks down."""
        for token in np:  # "652 civilian deaths", "3,200 deaths or injuries"
            outcome = reader.outcome_at(reader.tokens.index(token))
            if outcome:
                return outcome, False
        before = reader.next_content(i, -1)
        if before is not None:
            if reader.tokens[before].low in BLOCKERS:
                return None, False
            if reader.outcome_at(before):
                return reader.outcome_at(before), False
            if reader.tokens[before].low in INCLUSION and (figures or self.claims):  # "This figure includes 23"
                previous = figures[max(figures)].outcome if figures else self.claims[-1]["outcome"]
                return previous, True
        outcome = reader.outcome_right(last)
        if outcome:
            return outcome, False
        listed = reader.continues_list(i, figures)
        if listed:
            return listed.outcome, False
        return reader.outcome_left_clause(i), False

    @staticmethod
    def qualifier(reader: SentenceReader, i: int) -> tuple[str, NumberMention | None]:
        tokens = reader.tokens
        nxt = i + 2  # "between 30 and 40", "30-40", "30 to 40"
        if (
            nxt < len(tokens)
            and tokens[nxt].kind == "num"
            and tokens[i + 1].text in ("-", "–", "—", "to", "and")
            and tokens[nxt].number.value > tokens[i].number.value
            and (tokens[i + 1].text != "and" or reader.low(i - 1) == "between")
        ):
            return "range", tokens[nxt].mention
        preceding = " " + " ".join(t.low for t in tokens[max(0, i - 3) : i])
        for phrase in sorted(QUALIFIERS, key=len, reverse=True):
            if preceding.endswith(" " + phrase):
                return QUALIFIERS[phrase], None
        return ("at_least" if tokens[i].number.vague else "exact"), None

    # ------------------------------------------------------------------ the claim

    def claim(
        self, reader: SentenceReader, figure: Figure, figures: dict[int, Figure], claims: list[dict]
    ) -> dict | None:
        sentence = self.sentences[figure.sentence]
        tokens, i = sentence.tokens, figure.index
        text = self.article[sentence.start : sentence.end]
        outcome, equipment = figure.outcome, None
        np_words = {t.low for t in figure.np}
        group = self.victim_group(reader, figure, text)
        if outcome == "equipment_destroyed":
            if group not in (None, "equipment"):  # "neutralised 30 fighters"
                word = next(
                    (reader.lexicon_word(j) for j in range(i - 1, -1, -1) if reader.lexicon_word(j) in OUTCOME_WORDS),
                    None,
                )
                outcome = DESTROY_ON_PEOPLE.get(word or "", "killed")
            else:
                equipment = self.equipment(figure, figures)
                group = "military"
        elif np_words & EQUIPMENT_NOUNS and not np_words & set(GROUP_WORDS):
            return None  # "12 drones ... killed": the harm is not to the drones
        if group in (None, "equipment"):
            group = self.inherited(figure, "victim_group", claims) or "unspecified"
        claimant, context, claimant_type, claimant_side = self.claimant(figure)
        victim_side = self.victim_side(reader, figure, figures, claims, claimant_side)
        perpetrator = self.perpetrator(reader, figure, outcome, claimant_side, victim_side)
        if victim_side is None and perpetrator in self.parties and len(self.parties) == 2:
            victim_side = next(p for p in self.parties if p != perpetrator)
        period = self.period(text, tokens[i].start - sentence.start, claims) or self.inherited(figure, "period", claims)
        location = self.location(reader, figure, text, context)
        if victim_side is None and location:
            victim_side = sides_in(location, list(set(SIDES.values())))  # "29,178 injuries in Ukraine"
        count = {
            "value": figure_value(tokens[i]),
            "qualifier": figure.qualifier,
            "upper": figure_value(figure.upper) if figure.upper else None,
        }
        return {
            "claimant": clip(claimant),
            "claimant_type": claimant_type,
            "claimant_side": claimant_side,
            "outcome": outcome,
            "victim_side": victim_side,
            "victim_group": group,
            "equipment": clip(equipment),
            "count": count,
            "period": clip(period),
            "location": clip(location),
            "perpetrator_side": perpetrator,
            "verification": "not_stated",
            "evidence": self.evidence(sentence, tokens[i], figure.upper),
            "_sentence": figure.sentence,
            "_headline": reader.title_case,
        }

    def victim_group(self, reader: SentenceReader, figure: Figure, text: str) -> str | None:
        """From the counted noun ("civilians", "Ukrainian troops"), else the clause to its left ("forces had
        suffered")."""
        tokens, i = reader.tokens, figure.index
        after = list(figure.np)
        if not figure.np and figure.np_end < len(tokens) and tokens[figure.np_end].low in ("were", "was", "are"):
            after += tokens[figure.np_end + 1 : figure.np_end + 3]  # "23 were children"
        groups = self.groups_in(after)
        if {t.low for t in figure.np} & EQUIPMENT_NOUNS and not groups - {"military"}:
            return "equipment"  # "50,607 military vehicles"
        if not groups and figure.elliptical:
            left = []
            for j in range(i - 1, max(-1, i - 9), -1):
                if tokens[j].low in ATTRIBUTION_VERBS | {"that", ";"} or reader.is_figure(j):
                    break
                if reader.lexicon_word(j):
                    left.append(tokens[j])
            groups = self.groups_in(left)
        if "people" in groups:
            groups.discard("people")
            if not groups:
                groups.add("civilians" if STRIKE_CONTEXT.search(text) else "unspecified")
        if "civilians" in groups and "military" in groups:
            return "mixed"
        for group in ("children", "women", "men", "medical_workers", "civilians", "military", "unspecified"):
            if group in groups:
                return group
        return None

    @staticmethod
    def groups_in(tokens: list[Token]) -> set[str]:
        lows = [t.low for t in tokens]
        if any(pair in MEDICAL_PAIRS for pair in itertools.pairwise(lows)):
            return {"medical_workers"}
        groups = {GROUP_WORDS[w] for w in lows if w in GROUP_WORDS}
        if any(SIDES.get(w) and w.endswith("s") and w not in ("us",) for w in lows):
            groups.add("people")  # "100,000 Ukrainians"
        return groups

    def equipment(self, figure: Figure, figures: dict[int, Figure]) -> str | None:
        words = [t for t in figure.np if not side_of(t) and t.low not in OUTCOME_WORDS]
        if words:
            return pluralize(self.article[words[0].start : words[-1].end])
        earlier = [f for k, f in figures.items() if k < figure.index and f.outcome == "equipment_destroyed"]
        return self.equipment(earlier[-1], figures) if earlier else None  # "jammed another 21"

    def inherited(self, figure: Figure, key: str, claims: list[dict]):
        """A figure with no noun of its own ("and 30 injured") or a breakdown ("includes 23 children") takes
        the value of the previous claim in its sentence, else in its paragraph."""
        if not (figure.elliptical or figure.inherited) or not claims:
            return None
        previous = claims[-1]
        paragraph = self.sentences[figure.sentence].paragraph
        return previous[key] if self.sentences[previous["_sentence"]].paragraph == paragraph else None

    # ------------------------------------------------------------------ sides

    def find_parties(self) -> list[str]:
        """The two sides the article names most: the parties to the conflict it covers."""
        counts: dict[str, int] = {}
        for sentence in self.sentences:
            for token in sentence.tokens:
                side = side_of(token)
                if side:
                    counts[side] = counts.get(side, 0) + 1
        return sorted(counts, key=lambda s: (-counts[s], s))[:2]

    def victim_side(self, reader, figure, figures, claims, claimant_side) -> str | None:
        tokens, i = reader.tokens, figure.index
        for token in figure.np:
            if side_of(token):
                return side_of(token)
        end = figure.np_end
        if reader.low(end) == "in" and end + 1 < len(tokens) and side_of(tokens[end + 1]):
            return side_of(tokens[end + 1])  # "29,178 injuries in Ukraine"
        for j in range(i - 1, max(-1, i - 13), -1):
            if reader.is_figure(j) or tokens[j].text == ";":
                break
            if tokens[j].low == "own" and claimant_side:  # "his own military's losses"
                return claimant_side
            lost = reader.low(j + 1) == "lost" or (
                reader.low(j + 1) in ("has", "had", "have") and reader.low(j + 2) == "lost"
            )  # "Russia had lost 1,210"
            if side_of(tokens[j]) and (lost or reader.low(j + 1) in VICTIM_CONTEXT | {"military"}):
                return side_of(tokens[j])
        return self.inherited(figure, "victim_side", claims)

    def perpetrator(self, reader, figure, outcome, claimant_side, victim_side) -> str | None:
        tokens = reader.tokens
        np_ids = {id(t) for t in figure.np}
        found = None
        for j, token in enumerate(tokens[:-1]):
            side = side_of(token)
            if not side or id(token) in np_ids:
                continue
            if self.attacks_from(reader, j + 2 if reader.low(j + 1) == ")" else j + 1):  # "(RSF) shelled"
                force = reader.low(j + 1)  # "a Myanmar military air strike": the military, not the country
                found = f"{side} {force}" if force in ("military", "army", "government", "junta") else side
        lows = [t.low for t in tokens]
        if found is None and claimant_side and (OWN_FORCES.search(" ".join(lows)) or outcome == "equipment_destroyed"):
            found = claimant_side  # "Russia claimed that its forces killed ...", "Ukraine destroyed 10 tanks"
        return found if found != victim_side else None

    @staticmethod
    def attacks_from(reader, k: int) -> bool:
        """Whether the words from ``k`` on make the side before them the attacker: an attack word,
        after at most two agent words ("forces killed", "military air strike")."""
        for step in range(3):
            word = reader.low(k + step)
            if word in ATTACK_WORDS or (step and word in KILL_VERBS):  # not "military fatalities"
                return True
            if word not in AGENT_WORDS:
                return False
        return False

    # ------------------------------------------------------------------ claimant

    def find_attributions(self, sentence: Sentence) -> list[Attribution]:
        tokens, found = sentence.tokens, []
        for j, token in enumerate(tokens):
            if token.low == "according" and j + 1 < len(tokens) and tokens[j + 1].low == "to":
                name = self.name_after(tokens, j + 2)
                if name:
                    found.append(Attribution(name, name, j))
            elif token.low in ATTRIBUTION_VERBS and (token.text[0].islower() or is_title_case(tokens)):
                attribution = self.name_before(tokens, j) or self.name_after_verb(tokens, j)
                if attribution:
                    found.append(attribution)
            elif token.low in PARTICIPLE_VERBS and j > 0 and tokens[j - 1].text == ",":
                name = self.subject(tokens)  # "Zelenskyy addressed ..., stating that"
                if name:
                    found.append(Attribution(name, name, j))
            elif token.low in ("briefing", "statement", "bulletin", "update"):  # "the Ministry's daily briefing"
                k = next((k for k in (j - 1, j - 2) if k >= 0 and re.search(r"['’]s$", tokens[k].text)), None)
                attribution = self.name_before(tokens, k + 1, possessive=True) if k is not None else None
                if attribution:
                    found.append(replace(attribution, at=j))
        return found

    def name_before(self, tokens: list[Token], verb: int, possessive: bool = False) -> Attribution | None:
        j = verb - 1
        while j >= 0 and tokens[j].low in SKIP_BEFORE_VERB:
            j -= 1
        if j >= 2 and tokens[j].text == ")" and tokens[j - 2].text == "(" and tokens[j - 1].text[:1].isupper():
            # "The Office of the UN High Commissioner for Human Rights (OHCHR) has documented"
            return Attribution(tokens[j - 1].text, self.article[tokens[0].start : tokens[j].end], verb)
        apposition = ""
        if j >= 0 and tokens[j].text == ",":  # "Alexander Bastrykin, head of Russia's Investigative Committee,"
            k = j - 1
            while k >= 0 and tokens[k].text != "," and j - k < 10:
                k -= 1
            if k > 0 and tokens[k].text == ",":
                apposition = self.article[tokens[k + 1].start : tokens[j - 1].end]
                j = k - 1
        words: list[Token] = []
        while j >= 0 and len(words) < 8 and tokens[j].kind == "word" and self.extends_name(tokens[j], words):
            words.insert(0, tokens[j])
            j -= 1
        name = self.name_text(words)
        if not name or not self.looks_like_claimant(name):
            return None
        if possessive:
            name = re.sub(r"['’]s$", "", name)
        return Attribution(name, f"{name} {apposition}".strip(), verb)

    @staticmethod
    def extends_name(token: Token, words: list[Token]) -> bool:
        """Whether ``token`` continues, leftwards, the name in ``words``: capitalised words, "of"/"the"
        inside a name, and lower-case words only within a lower-case phrase ("Ukrainian military officials")."""
        if not words:
            return token.low not in NAME_STOP or token.low in PRONOUNS
        if words[0].low in PRONOUNS or token.low in NAME_STOP - {"of", "the", "for"}:
            return False
        if token.text[0].isupper() or token.low in CLAIMANT_NOUNS:
            return True
        if token.low in ("of", "the", "for"):
            return words[0].text[0].isupper() or words[0].low in ("the", "armed") or words[0].low in CLAIMANT_NOUNS
        return words[0].text[0].islower() and words[0].low not in ("of", "the", "for")

    def name_after_verb(self, tokens: list[Token], verb: int) -> Attribution | None:
        """Inverted attribution: "..., says Ukraine", "“...,” said the ministry"."""
        if verb == 0 or tokens[verb - 1].text not in (",", "”", '"', "’"):
            return None
        name = self.name_after(tokens, verb + 1)
        return Attribution(name, name, verb) if name else None

    def name_after(self, tokens: list[Token], j: int, stop_at_lower: bool = False) -> str | None:
        words: list[Token] = []
        while j < len(tokens) and len(words) < 8 and tokens[j].kind == "word":
            token = tokens[j]
            if token.low in NAME_STOP - {"the", "of"} or (
                stop_at_lower and token.text[0].islower() and token.low not in ("of", "the")
            ):
                break
            words.append(token)
            j += 1
        name = self.name_text(words)
        return name if name and self.looks_like_claimant(name) else None

    def subject(self, tokens: list[Token]) -> str | None:
        """The capitalised phrase that opens a sentence ("Russia has not ...", "President Zelenskyy last ...")."""
        name = self.name_after(tokens, 0, stop_at_lower=True)
        return name if name and _low(name.split()[-1]) not in PRONOUNS else None

    def name_text(self, words: list[Token]) -> str | None:
        while words and words[0].low in ("the", "a", "an", "of", "for"):
            words = words[1:]
        while len(words) > 1 and words[-1].low in (
            "the",
            "of",
            "for",
            "statement",
            "report",
            "data",
            "figures",
            "estimates",
        ):
            words = words[:-1]
        if not words or words[0].text in NOT_PLACES:
            return None
        return self.article[words[0].start : words[-1].end]

    @staticmethod
    def looks_like_claimant(name: str) -> bool:
        words = name.split()
        return any(w[0].isupper() for w in words) or any(
            _low(w) in CLAIMANT_NOUNS | PRONOUNS | {"statement"} for w in words
        )

    def resolve_all(self) -> list[list[Attribution]]:
        """Attributions with 'he', 'it', 'the ministry', 'Russia' replaced by the claimant they stand for."""
        history: list[Attribution] = []
        resolved = []
        for sentence, attributions in zip(self.sentences, self.attributions, strict=True):
            here = [self.resolve(a, sentence, history) for a in attributions]
            history += here
            resolved.append(here)
        return resolved

    def resolve(self, attribution: Attribution, sentence: Sentence, history: list[Attribution]) -> Attribution:
        words = [_low(w) for w in attribution.name.split()]
        if words[-1] in PRONOUNS:
            subject = self.subject(sentence.tokens) if words[-1] in ("it", "they") else None
            if subject:  # "Russia has not updated ... when it acknowledged"
                return self.resolve(replace(attribution, name=subject, context=subject), sentence, history)
            return replace(history[-1], at=attribution.at) if history else attribution
        if len(words) == 1 and words[0] in GENERIC_CLAIMANTS | {"statement"}:  # "the ministry said"
            for earlier in reversed(history):
                if words[0] in ("statement", "report") or words[0] in earlier.name.lower():
                    return replace(earlier, at=attribution.at)
            same_kind = [a for a in history if claimant_type(a.context) == claimant_type(attribution.name)]
            return replace(same_kind[-1], at=attribution.at) if same_kind else attribution  # "the group said"
        side = sides_in(attribution.context, self.parties)
        if attribution.name in set(SIDES.values()):  # "Russia says": the specific body of that side in the article
            for other in (a for attributions in self.attributions for a in attributions):
                if (
                    not is_generic(other.name)
                    and sides_in(other.context, self.parties) == side
                    and claimant_type(other.context) == "state"
                ):
                    return replace(other, at=attribution.at)
        return attribution

    def claimant(self, figure: Figure) -> tuple[str | None, str, str, str | None]:
        attribution = self.attribution_for(figure)
        if attribution is None:
            return None, "", "unattributed", None
        kind = claimant_type(attribution.context)
        side = None if kind in NON_PARTY_TYPES else sides_in(attribution.context, self.parties)
        return attribution.name, attribution.context, kind, side

    def attribution_for(self, figure: Figure) -> Attribution | None:
        """The nearest attribution before the figure in its sentence, else the nearest after it, else the
        previous sentence's when it is in the same paragraph."""
        here = self.resolved[figure.sentence]
        if here:
            return min(here, key=lambda a: (a.at > figure.index, abs(a.at - figure.index)))
        s = figure.sentence
        if s > 0 and self.sentences[s - 1].paragraph == self.sentences[s].paragraph and self.resolved[s - 1]:
            return self.resolved[s - 1][-1]
        return None

    # ------------------------------------------------------------------ where, when, how sure

    def period(self, text: str, offset: int, claims: list[dict]) -> str | None:
        if SAME_PERIOD.search(text):
            return next((c["period"] for c in reversed(claims) if c["period"]), None)
        for pattern, group in PERIOD_PATTERNS:
            matches = list(pattern.finditer(text))
            if matches:
                best = min(matches, key=lambda m: abs(m.start() - offset))
                return best.group(group).strip()
        return None

    def location(self, reader: SentenceReader, figure: Figure, text: str, claimant_context: str) -> str | None:
        sentence = self.sentences[figure.sentence]
        offset = reader.tokens[figure.index].start - sentence.start
        before = text[:offset].rstrip()
        if re.search(r"\(\s*(?:[a-z]+\s+){0,2}$", before):  # "“South” (275 killed)", "“Dnepr” (over 80"
            named = re.search(r"[“\"]?([A-Z][\w -]{0,30}?)[”\"]?\s*\(\s*(?:[a-z]+\s+){0,2}$", before)
            if named:
                return named.group(1)
        candidates = [(m.start(), m.group(0)) for m in QUOTED_AREA.finditer(text)]  # verbatim: “Centre” zone
        candidates += [
            (m.start(1), m.group(1))
            for m in LOCATION.finditer(text)
            if m.group(1).split()[0] not in NOT_PLACES and m.group(1) not in claimant_context
        ]
        if not candidates:
            return None
        return min(candidates, key=lambda c: abs(c[0] - offset))[1]

    def apply_verification(self, claims: list[dict]) -> list[dict]:
        """A cue in the claim's sentence wins; a cue that points back ("these figures") covers the
        claims of the paragraph before it."""
        cues = {s: verification_cue(self.article[x.start : x.end]) for s, x in enumerate(self.sentences)}
        for claim in claims:
            s = claim["_sentence"]
            cue = cues[s]
            if cue:
                claim["verification"] = cue[0]
                continue
            for later in range(s + 1, min(s + 6, len(self.sentences))):
                cue = cues[later]
                if cue and cue[1] and self.covers(s, later) and cue[2] != claim["claimant_side"]:
                    claim["verification"] = cue[0]
                    break
        return claims

    def covers(self, s: int, cue: int) -> bool:
        """The cue sentence points back to sentence ``s``: same paragraph, or the paragraph just before it
        when the cue opens its own."""
        target = self.sentences[cue - 1].paragraph
        between = range(s + 1, cue)
        return self.sentences[s].paragraph == target and not any(
            verification_cue(self.article[self.sentences[b].start : self.sentences[b].end]) for b in between
        )

    def evidence(self, sentence: Sentence, token: Token, upper: NumberMention | None) -> str:
        """The sentence; if it is too long, the clause holding the figure; if that is too long, the words
        around the figure. Always a slice of the article, so it always grounds."""
        start, end, last = sentence.start, sentence.end, (upper.end if upper else token.end)
        if end - start > MAX_EVIDENCE:
            start, end = _clause_start(self.article, start, token.start), _clause_end(self.article, last, end)
        if end - start > MAX_EVIDENCE:
            low, high = max(start, token.start - 400), min(end, last + 400)
            start = self.article.find(" ", low, token.start) + 1 if low > start else start
            end = max(self.article.rfind(" ", last, high), last) if high < end else end
        return self.article[start:end].strip()


# ---------------------------------------------------------------------------- helpers


def _clause_start(article: str, floor: int, at: int) -> int:
    cut = max((m.end() for m in re.finditer(r"[,;:]\s", article[floor:at])), default=0)
    return floor + cut


def _clause_end(article: str, at: int, ceiling: int) -> int:
    found = re.search(r"[,;:]\s", article[at:ceiling])
    return at + found.start() if found else ceiling


def side_of(token: Token) -> str | None:
    if token.kind != "word":
        return None
    if token.low.endswith("-led"):  # "the Hamas-led attack"
        return SIDES.get(token.low.removesuffix("-led"))
    if token.low in ("us", "u.s", "uk"):
        return SIDES[token.low] if token.text.rstrip(".'’s") in CASED_SIDES else None
    return SIDES.get(token.low)


def sides_in(text: str, parties: list[str]) -> str | None:
    """The party to the conflict a claimant's words name ("Ukraine's Defence Ministry" -> Ukraine)."""
    for word in _WORD.findall(text):
        side = side_of(Token(word, _low(word), 0, 0, "word"))
        if side:
            return side if side in parties or side in ("Hamas", "RSF", "Hezbollah", "Houthis") else None
    return None


def claimant_type(context: str) -> str:
    return claimant_type_named(" ".join(_low(w) for w in _WORD.findall(context))) or "state"


def verification_cue(text: str) -> tuple[str, bool, str | None] | None:
    """(verification, points back to earlier figures, side of whoever rejects) for one sentence."""
    points_back = bool(BACK_REFERENCE.search(text))
    if UNVERIFIED.search(text):
        return "unverified", points_back, None
    disputed = DISPUTED.search(text)
    if disputed:
        rejector = sides_in(text[: disputed.start()], list(set(SIDES.values())))
        return "disputed", points_back, rejector
    if CORROBORATED.search(text):
        return "corroborated", points_back or "align" in text.lower(), None
    return None


def figure_value(token_or_mention) -> float | int:
    value = token_or_mention.number.value if isinstance(token_or_mention, Token) else token_or_mention.value
    return json.loads(format_number(value))


def clip(text: str | None) -> str | None:
    if text is None:
        return None
    text = " ".join(text.split())[:MAX_NAME].strip()
    return text or None


def summary(claims: list[dict]) -> str:
    if not claims:
        return "No casualty figures found."
    parts = []
    for claim in claims[:4]:
        count = claim["count"]
        figure = QUALIFIER_PHRASES[count["qualifier"]] + format_number(count["value"])
        if count["upper"] is not None:
            figure += f" to {format_number(count['upper'])}"
        what = claim["equipment"] or GROUP_PHRASES.get(claim["victim_group"], claim["victim_group"])
        who = claim["claimant"] or "Unattributed"
        parts.append(f"{who}: {figure} {what} {OUTCOME_PHRASES[claim['outcome']]}")
    # No count of figures: a number the article does not state would be an invented number.
    text = "; ".join(parts) + "."
    return text if len(text) <= MAX_SUMMARY else text[: MAX_SUMMARY - 3].rsplit(" ", 1)[0] + "..."
