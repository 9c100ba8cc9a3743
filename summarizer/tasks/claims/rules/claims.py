"""Claims from the figures the rules read: outcome, victims, sides, claimant, period, location,
verification and evidence, assembled per figure; the one-line summary; the safety net that keeps
only valid, grounded claims."""

from __future__ import annotations

import itertools
import json
import re

from summarizer.core.numbers import NumberMention, find_numbers, format_number
from summarizer.core.validation import grounding_problems, schema_problems
from summarizer.tasks.claims.lexicon import (
    EQUIPMENT_NOUNS,
    GROUP_PHRASES,
    OUTCOME_PHRASES,
    OUTCOME_WORDS,
    QUALIFIER_PHRASES,
)
from summarizer.tasks.claims.repeats import dedupe
from summarizer.tasks.claims.rules.attribution import AttributionReader, first_party_in, side_of
from summarizer.tasks.claims.rules.figures import Figure, SentenceReader, pluralize
from summarizer.tasks.claims.rules.lexicon import (
    AGENT_WORDS,
    ARMED_BODIES,
    ATTACK_WORDS,
    ATTRIBUTION_VERBS,
    BLOCKERS,
    DESTROY_ON_PEOPLE,
    GROUP_WORDS,
    INCLUSION,
    KILL_VERBS,
    MAX_CLAIMS,
    MAX_EVIDENCE,
    MAX_NAME,
    MAX_SUMMARY,
    MEDICAL_PAIRS,
    NOT_VICTIMS,
    OWN_FORCES,
    QUALIFIERS,
    SIDES,
    STATUS_NOUNS,
    STRIKE_CONTEXT,
    VICTIM_CONTEXT,
)
from summarizer.tasks.claims.rules.sentences import Sentence, Token, is_title_case, split_sentences, tokenize


class ArticleExtractor:
    """One article read by the rules: its sentences, whoever they cite, and the claims of its figures."""

    def __init__(self, article: str):
        self.article = article
        mentions = find_numbers(article)
        self.sentences = split_sentences(article)
        for sentence in self.sentences:
            sentence.tokens = tokenize(article, sentence, mentions)
        self.sources = AttributionReader(article, self.sentences)  # who says it, when and where
        self.parties = self.sources.parties
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
        claims = self.sources.apply_verification(claims)
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
        if reader.tokens[i].kind == "art" and reader.opens_apposition(i):
            return None  # "the Ravel Guard (RG), a militia that ...": what the name is, not a count
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
            at = reader.tokens.index(token)
            outcome = reader.outcome_at(at)
            verb = reader.verb_after(at + 1) if outcome and token.low in STATUS_NOUNS else None
            if verb is not None:  # "21 hostages were killed"; "60 hostages were freed": no harm counted
                return verb or None, False
            before = reader.next_content(i, -1) if outcome and token.low in STATUS_NOUNS else None
            if before is not None and reader.outcome_at(before):  # "executed 30 hostages"
                return reader.outcome_at(before), False
            if outcome:
                return outcome, False
        before = reader.next_content(i, -1)
        if before is not None:
            if reader.tokens[before].low in BLOCKERS:
                return None, False
            if reader.outcome_at(before):
                return reader.outcome_at(before), False
            named = reader.next_content(before, -1) if reader.tokens[before].low in INCLUSION else None
            if named is not None and reader.outcome_at(named):  # "the dead include five nurses"
                return reader.outcome_at(named), True
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
            group = self.inherited(figure, "victim_group", claims) or self.uncounted_group(figure, text)
        claimant, context, claimant_type, claimant_side = self.sources.claimant(figure.sentence, i)
        victim_side = self.victim_side(reader, figure, figures, claims, claimant_side)
        perpetrator = self.perpetrator(reader, figure, outcome, claimant_side, victim_side)
        if victim_side is None and perpetrator in self.parties and len(self.parties) == 2:
            victim_side = next(p for p in self.parties if p != perpetrator)
        offset = tokens[i].start - sentence.start
        period = self.sources.period(text, offset, claims) or self.inherited(figure, "period", claims)
        location = self.sources.location(text, offset, context)
        if victim_side is None and location:
            victim_side = first_party_in(location, list(set(SIDES.values())))  # "29,178 injuries in Ukraine"
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
        if groups <= {"men"} and self.of_armed_body(tokens, figure.np_end):
            return "military"  # "32 members of the Hill front", "eight men of the Rapid Reaction Force"
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
    def of_armed_body(tokens: list[Token], j: int) -> bool:
        """Whether an "of" phrase at token ``j`` names an armed body within its first six words: "of
        the Hill Joint Task Force (HJTF)"; not past punctuation or a verb ("of the town were")."""
        if j >= len(tokens) or tokens[j].low != "of":
            return False
        for token in tokens[j + 1 : j + 7]:
            if token.kind != "word" or token.low in ("were", "was", "who", "which", "that", "and", "in"):
                return False
            if token.low in ARMED_BODIES:
                return True
        return False

    @staticmethod
    def uncounted_group(figure: Figure, text: str) -> str:
        """The group of a figure with no word for who was counted ("the death toll rose to 74"): as
        the contract reads "people", civilians where strikes on places are the context."""
        return "civilians" if not figure.np and STRIKE_CONTEXT.search(text) else "unspecified"

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
            if self.attacks_from(reader, j + 2 if reader.low(j + 1) == ")" else j + 1):  # "(CDF) shelled"
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
