"""The figure label grammar: sides from the article only, and never the perpetrator as the victim."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("llguidance")

from summarizer.engine.figure_grammar import figure_grammar  # noqa: E402

ARTICLE = (
    "Israeli strikes killed 31 people in Gaza City, the Hamas-run health ministry said. "
    "UNRWA said 1.9 million people had fled."
)
DRAFT = {"outcome": "killed", "victim_group": "civilians", "equipment": None, "perpetrator_side": "Israel"}


@pytest.fixture(scope="module")
def accepts(tiny_tokenizer):
    import llguidance.hf
    from llguidance import LLMatcher

    ll_tokenizer = llguidance.hf.from_tokenizer(tiny_tokenizer)

    def accepts(label: dict, draft: dict | None = None) -> bool:
        grammar = LLMatcher.grammar_from_lark(figure_grammar(ARTICLE, True, {"killed", "displaced"}, draft))
        matcher = LLMatcher(ll_tokenizer, grammar, log_level=0)
        text = json.dumps(label, ensure_ascii=False, separators=(",", ":"))
        return matcher.consume_tokens(tiny_tokenizer.encode(text, add_special_tokens=False)) and matcher.is_accepting()

    return accepts


def label(victim_side, claimant="the Hamas-run health ministry", claimant_side="Hamas", group="civilians"):
    return {
        "outcome": "killed",
        "victim_group": group,
        "equipment": None,
        "victim_side": victim_side,
        "claimant": claimant,
        "claimant_type": "state",
        "claimant_side": claimant_side,
    }


def test_sides_come_from_the_article(accepts):
    assert accepts(label("Palestinians"))
    assert accepts(label("Israel"))
    assert not accepts(label("Veldor"))  # the worked example's country
    assert not accepts(label("UNRWA"))  # an aid agency is no side


def test_the_drafted_perpetrator_is_not_offered_as_the_victim(accepts):
    assert accepts(label("Palestinians"), DRAFT)
    assert accepts(label(None), DRAFT)
    assert not accepts(label("Israel"), DRAFT)
    assert not accepts(label("Israel military"), DRAFT)  # the same party under another name


def test_the_claimant_side_may_still_be_the_perpetrator(accepts):
    assert accepts(label("Palestinians", "Israeli", "Israel"), DRAFT)


def test_civilians_are_counted_under_a_country_or_people_not_an_armed_group(accepts):
    for group in ("civilians", "children", "women", "medical_workers"):
        assert accepts(label("Palestinians", group=group))
        assert not accepts(label("Hamas", group=group))
    assert accepts(label("Hamas", group="military"))  # fighters are counted under their group
    assert accepts(label("Hamas", group="unspecified"))


def test_a_drafted_civilian_group_keeps_the_rule(accepts):
    draft = {**DRAFT, "perpetrator_side": None}
    assert accepts(label("Palestinians"), draft)
    assert not accepts(label("Hamas"), draft)
    assert accepts(label("Hamas", group="military"), {**draft, "victim_group": "military"})
    # a draft that names an armed group as the civilians' side is not forced on the label
    assert accepts(label("Palestinians"), {**draft, "victim_side": "Hamas"})
    assert not accepts(label("Hamas"), {**draft, "victim_side": "Hamas"})


def test_a_country_s_own_forces_as_attacker_leave_the_country_as_the_civilians_side(accepts):
    draft = {**DRAFT, "perpetrator_side": "Israel military"}
    assert accepts(label("Israel"), draft)  # the country's civilians, attacked by its own forces
    assert not accepts(label("Israel military"), draft)


def test_a_claimant_name_does_not_end_in_a_number_or_punctuation(accepts):
    assert accepts(label("Palestinians", claimant="Gaza City, the Hamas-run health ministry"))
    assert not accepts(label("Palestinians", claimant="Israeli strikes killed 31"))
    assert not accepts(label("Palestinians", claimant="the Hamas-run health ministry said."))
    assert not accepts(label("Palestinians", claimant="Gaza City,"))
