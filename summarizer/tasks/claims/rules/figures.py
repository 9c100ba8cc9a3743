"""What one figure counts, read in its sentence: the outcome word that governs it, the noun phrase
after it, the list it continues."""

from __future__ import annotations

import re
from dataclasses import dataclass

from summarizer.core.numbers import NumberMention
from summarizer.tasks.claims.lexicon import OUTCOME_WORDS
from summarizer.tasks.claims.rules.attribution import side_of
from summarizer.tasks.claims.rules.lexicon import (
    ASIDE_OPENERS,
    ATTRIBUTION_VERBS,
    BLOCKERS,
    FILLERS,
    INCLUSION,
    NAME_STOP,
    NP_STOP,
    PARTITIVE,
    UNCOUNTABLE,
)
from summarizer.tasks.claims.rules.sentences import Token


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
        """No counted noun of its own ("and 30 injured", "(275 killed)", "and captured 17 others"): it
        shares the previous figure's."""
        return all(t.low in OUTCOME_WORDS or t.low in ("others", "more") or side_of(t) for t in self.np)


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
        if word == "fire" and self.low(i - 1) in ("set", "sets", "setting"):  # "set fire to two vehicles"
            return "equipment_destroyed"
        if word == "down" and self.low(i - 1) in ("brought", "bring", "brings", "bringing"):  # "brought down 7 drones"
            return "equipment_destroyed"
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
            # "dozens of the fighters", "30 of its soldiers": the people counted follow the determiner
            partitive = j == i + 2 and self.low(i + 1) == "of" and token.low in PARTITIVE
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
                token.low in NAME_STOP | NP_STOP and not (token.low == "of" and j == i + 1) and not partitive
            ):  # "dozens of drones"
                break
            if token.low != "of" and not partitive:
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
        j, read = i + 1, 0
        while j < len(self.tokens) and read < 11:
            aside = self.aside_end(j)
            if aside is not None:  # "4 members of the Task Force (TF), a vigilante group, were killed"
                j = aside
                continue
            token, j, read = self.tokens[j], j + 1, read + 1
            if token.low in BLOCKERS or token.text in (";", ":", "(", ")"):
                return None
            if self.is_figure(j - 1) and self.low(j - 2) not in INCLUSION | {"and", ","}:  # "5 soldiers and 4 police"
                return None
            outcome = self.outcome_at(j - 1)
            if outcome:
                governed = self.next_content(j - 1, 1)  # "drones killed 5": the verb belongs to the next figure
                return None if governed is not None and self.is_figure(governed) else outcome
        return None

    def opens_apposition(self, i: int) -> bool:
        """Whether token ``i`` starts an apposition to a name: ", a" after a bracket or a capitalised
        word ("the Ravel Guard (RG), a militia", "Ada Brenner, a nurse"); not an item of a list
        ("12 civilians, a soldier and a nurse")."""
        if i < 2 or self.tokens[i - 1].text != ",":
            return False
        before = self.tokens[i - 2]
        return before.text == ")" or (before.kind == "word" and before.text[:1].isupper() and i - 2 > 0)

    def aside_end(self, j: int) -> int | None:
        """Where an aside that starts at token ``j`` ends: a short bracket ("(CJTF)") or an
        apposition between commas (", a vigilante group that fights beside the army,"); else None.
        A bracket may hold a figure ("12 civilians (including 3 children) were killed"), an apposition
        not ("12 soldiers, a third of the unit, and 4 police")."""
        opener = self.tokens[j].text
        if opener == "(" or (opener == "," and self.low(j + 1) in ASIDE_OPENERS):
            closer = ")" if opener == "(" else ","
            limit = 6 if opener == "(" else 14
            for k in range(j + 1, min(j + limit, len(self.tokens))):
                if self.tokens[k].text == closer:
                    return k + 1
                if self.tokens[k].text in (";", ":", "(", ")") or (
                    self.low(j + 1) in ("a", "an") and self.is_figure(k)
                ):
                    return None
        return None

    def verb_after(self, i: int) -> str | None:
        """What the clause from token ``i`` says happened to the people just named: an outcome
        ("were killed"), "" for a verb that ends their harm ("were freed", "were exchanged"), None
        for neither before the clause ends."""
        for j in range(i, min(i + 12, len(self.tokens))):
            if self.tokens[j].text in (";", ":", "(", ")", ",") or self.is_figure(j):
                return None
            if self.tokens[j].low in BLOCKERS:
                return ""
            outcome = self.outcome_at(j)
            if outcome:
                return outcome
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
