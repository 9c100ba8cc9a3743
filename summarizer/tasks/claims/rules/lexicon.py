"""The rule baseline's word lists and patterns: data, no logic.

The outcome words and phrase tables it shares with the claims-built summary live in
:mod:`summarizer.tasks.claims.lexicon`, the side names in :mod:`summarizer.core.countries`. Generic
words only: no list here names one conflict's actors.
"""

from __future__ import annotations

import re

from summarizer.core.countries import country_table


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
# Words after a comma that open an aside before the verb: ", a militia that ...", ", including a
# commander,", ", most of them students,".
ASIDE_OPENERS = frozenset({"a", "an", "including", "most", "many", "some", "all", "half", "among"})
# Determiners after "of" in a count of part of a group: "dozens of the fighters", "30 of its soldiers".
PARTITIVE = frozenset({"the", "its", "their", "his", "her", "our", "these", "those"})
# Outcome nouns that name people by a state a verb may change: "hostages" alone are captured, but
# "hostages were killed" are dead and "hostages were freed" no longer harmed.
STATUS_NOUNS = set("hostages hostage captives captive refugees refugee".split())
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
        "worshippers pilgrims shoppers students pupils farmers fishermen protesters demonstrators",
    ),
    **_words("children", "children child kids minors boys girls infants babies toddlers"),
    **_words("women", "women woman"),
    **_words("men", "men"),
    **_words(
        "military",
        "soldiers soldier troops servicemen servicemembers personnel military fighters militants "
        "combatants marines paratroopers conscripts mercenaries forces army terrorists rebels "
        "insurgents jihadists gunmen guerrillas police policemen officers militia militias militiamen "
        "guards vigilantes gendarmes peacekeepers",
    ),
    **_words("medical_workers", "medics doctors nurses paramedics"),
    **_words("people", "people persons individuals person families"),
}
# Nouns for armed bodies: "32 members of the Hill front", "eight men of the Rapid Reaction Force"
# are the body's fighters.
ARMED_BODIES = set("front force forces army militia militias brigade brigades battalion regiment corps guard".split())
MEDICAL_PAIRS = {
    ("medical", "workers"),
    ("health", "workers"),
    ("healthcare", "workers"),
    ("medical", "staff"),
    ("medical", "personnel"),
    ("aid", "workers"),
}
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
SIDES = country_table()  # one table of side names for the rule reader, the grounded grammars and the scorer
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
# Words between a side and its attack that keep the side the attacker: "CDF fighters stormed",
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
MONTH = "(?:" + "|".join(MONTHS[:12]) + ")"
# A month as a date writes it: in full, or cut short with its dot ("Nov. 4", "Sept. 19").
_MONTH_IN_DATE = "(?:" + "|".join(MONTHS[:12]) + "|" + "|".join(rf"{m}\." for m in MONTHS[12:]) + ")"
_DAYS = r"\d{1,2}\b(?:\s*[-–]\s*\d{1,2}\b|\s+and\s+\d{1,2}\b)?"  # "19", "19-20", "28 and 29"
_DATE = rf"{_MONTH_IN_DATE}(?:\s+{_DAYS})?(?:,?\s+\d{{4}})?|{_DAYS}\s+{MONTH}(?:\s+\d{{4}})?"
# A full stop that ends a month's short form, not the clause: "since Nov. 4".
_MONTH_DOT = "|".join(f"(?<={m})" for m in MONTHS[12:])
_NOT_MONTH_DOT = "".join(f"(?<!{m})" for m in MONTHS[12:])
PERIOD_PATTERNS = [  # (regex, group holding the period): earlier patterns win
    (re.compile(rf"\b[Ss]ince\s+(?:{_DATE})"), 0),  # "since Feb. 8": the date, not the words after it
    (
        re.compile(
            rf"\b[Ss]ince\s+(?:[^,;:.()]|(?:{_MONTH_DOT})\.){{2,80}}?"
            rf"(?=\s*(?:[;:(),]|{_NOT_MONTH_DOT}\.|$|\s(?:and|but|while|when|with|according|as)\b))"
            r"(?:,\s*\d{4})?"
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
