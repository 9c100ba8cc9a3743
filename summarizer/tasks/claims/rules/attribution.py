"""Who says a figure, and when and where: claimants (resolved across sentences), the parties to
the conflict, periods, locations and verification cues."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from summarizer.tasks.claims.lexicon import NON_PARTY_TYPES, claimant_type_named
from summarizer.tasks.claims.repeats import GENERIC_CLAIMANTS, is_generic
from summarizer.tasks.claims.rules.lexicon import (
    ATTRIBUTION_VERBS,
    BACK_REFERENCE,
    CASED_SIDES,
    CLAIMANT_NOUNS,
    CORROBORATED,
    DISPUTED,
    LOCATION,
    NAME_STOP,
    NOT_PLACES,
    PARTICIPLE_VERBS,
    PERIOD_PATTERNS,
    PRONOUNS,
    QUOTED_AREA,
    SAME_PERIOD,
    SIDES,
    SKIP_BEFORE_VERB,
    UNVERIFIED,
)
from summarizer.tasks.claims.rules.sentences import WORD, Sentence, Token, is_title_case, low_form


@dataclass
class Attribution:
    name: str
    context: str  # the name plus its apposition ("head of Russia's Investigative Committee")
    at: int  # token index of the verb or "according"


class AttributionReader:
    """The claimants an article names, sentence by sentence, and the parties to its conflict."""

    def __init__(self, article: str, sentences: list[Sentence]):
        self.article, self.sentences = article, sentences
        self.parties = self.find_parties()
        self.attributions = [self.find_attributions(s) for s in sentences]
        self.resolved = self.resolve_all()

    def find_parties(self) -> list[str]:
        """The two sides the article names most: the parties to the conflict it covers."""
        counts: dict[str, int] = {}
        for sentence in self.sentences:
            for token in sentence.tokens:
                side = side_of(token)
                if side:
                    counts[side] = counts.get(side, 0) + 1
        return sorted(counts, key=lambda s: (-counts[s], s))[:2]

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
                name = self.subject(tokens)  # "The president addressed ..., stating that"
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
            # "The Office of the Human Rights Commissioner (OHRC) has documented"
            return Attribution(tokens[j - 1].text, self.article[tokens[0].start : tokens[j].end], verb)
        apposition = ""
        if j >= 0 and tokens[j].text == ",":  # "Anna Petrova, head of Norland's Investigative Committee,"
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
        """The capitalised phrase that opens a sentence ("Russia has not ...", "President Smith last ...")."""
        name = self.name_after(tokens, 0, stop_at_lower=True)
        return name if name and low_form(name.split()[-1]) not in PRONOUNS else None

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
            low_form(w) in CLAIMANT_NOUNS | PRONOUNS | {"statement"} for w in words
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
        words = [low_form(w) for w in attribution.name.split()]
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
        side = first_party_in(attribution.context, self.parties)
        if attribution.name in set(SIDES.values()):  # "Russia says": the specific body of that side in the article
            for other in (a for attributions in self.attributions for a in attributions):
                if (
                    not is_generic(other.name)
                    and first_party_in(other.context, self.parties) == side
                    and claimant_type(other.context) == "state"
                ):
                    return replace(other, at=attribution.at)
        return attribution

    def claimant(self, s: int, index: int) -> tuple[str | None, str, str, str | None]:
        """(name, name with apposition, claimant type, side) of whoever says the figure at token
        ``index`` of sentence ``s``."""
        attribution = self.attribution_for(s, index)
        if attribution is None:
            return None, "", "unattributed", None
        kind = claimant_type(attribution.context)
        side = None if kind in NON_PARTY_TYPES else first_party_in(attribution.context, self.parties)
        return attribution.name, attribution.context, kind, side

    def attribution_for(self, s: int, index: int) -> Attribution | None:
        """The nearest attribution before the figure in its sentence, else the nearest after it, else the
        previous sentence's when it is in the same paragraph."""
        here = self.resolved[s]
        if here:
            return min(here, key=lambda a: (a.at > index, abs(a.at - index)))
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

    def location(self, text: str, offset: int, claimant_context: str) -> str | None:
        """The place named nearest the figure at ``offset`` in its sentence ``text``."""
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


def side_of(token: Token) -> str | None:
    if token.kind != "word":
        return None
    if token.low.endswith("-led"):  # "the Russian-led attack"
        return SIDES.get(token.low.removesuffix("-led"))
    if token.low in ("us", "u.s", "uk"):
        return SIDES[token.low] if token.text.rstrip(".'’s") in CASED_SIDES else None
    return SIDES.get(token.low)


def first_party_in(text: str, parties: list[str]) -> str | None:
    """The party to the conflict a claimant's words name ("Ukraine's Defence Ministry" -> Ukraine)."""
    for word in WORD.findall(text):
        side = side_of(Token(word, low_form(word), 0, 0, "word"))
        if side:
            return side if side in parties else None
    return None


def claimant_type(context: str) -> str:
    return claimant_type_named(" ".join(low_form(w) for w in WORD.findall(context))) or "state"


def verification_cue(text: str) -> tuple[str, bool, str | None] | None:
    """(verification, points back to earlier figures, side of whoever rejects) for one sentence."""
    points_back = bool(BACK_REFERENCE.search(text))
    if UNVERIFIED.search(text):
        return "unverified", points_back, None
    disputed = DISPUTED.search(text)
    if disputed:
        rejector = first_party_in(text[: disputed.start()], list(set(SIDES.values())))
        return "disputed", points_back, rejector
    if CORROBORATED.search(text):
        return "corroborated", points_back or "align" in text.lower(), None
    return None
