"""The shared lexicon: outcome words and the claimant types that a name settles."""

from __future__ import annotations

import pytest

from summarizer.tasks.claims.lexicon import claimant_type_named, kind_hinted, names_harm, outcomes_named


@pytest.mark.parametrize(
    "name, kind",
    [
        ("the United Nations mission", "international_organization"),
        ("the UN refugee agency", "international_organization"),
        ("Veldan Observatory for Human Rights", "ngo"),
        ("a local militia", "armed_group"),
        ("the Northern Times", "media"),
        # A name that says no kind settles none: the model decides (no list of particular bodies).
        ("UNHCR", None),
        ("al-Shabaab", None),
        ("Ukraine's General Staff", None),
        ("the health ministry", None),
    ],
)
def test_names_that_settle_a_claimant_type(name, kind):
    assert claimant_type_named(name) == kind


def test_weak_cues_settle_nothing_when_asked():
    assert claimant_type_named("the medical group") == "ngo"
    assert claimant_type_named("the medical group", weak=False) is None


def test_outcomes_named_by_a_sentence():
    assert outcomes_named("At least 12 people were wounded.") == {"injured"}


def test_harm_words_beyond_killed_and_wounded():
    assert outcomes_named("Gunmen massacred 40 villagers.") == {"killed"}
    assert outcomes_named("A mob lynched three men.") == {"killed"}
    assert outcomes_named("Attackers torched 300 homes.") == {"equipment_destroyed"}
    assert outcomes_named("Twelve aid workers were abducted.") == {"captured"}


def test_words_of_harm():
    assert names_harm("The enemy had lost 940 troops.") and names_harm("About 2,000 residents have fled.")
    assert not names_harm("The capital deployed nearly 8,000 soldiers into the northern province.")
    assert not names_harm("Russia launched 63 drones and decoys overnight.")


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("the Continental Union's UN liaison office", "international"),
        ("Valley Evening News", "media"),
        ("Coastal Rights Observatory", "ngo"),
        ("St. Brigid Hospital", "ngo"),
        ("the Hill Front", "armed_group"),
        ("Ostrava river gangs", "armed_group"),
        ("Veldan federal police", "force"),
        ("the armed forces", "force"),
        ("Veldan's Interior Ministry", "government"),
        ("Col. Ada Brenner", "government"),
        ("residents", "witness"),
        ("Mira Dost", None),
        ("Unity Bank", None),
    ],
)
def test_the_kind_a_name_s_words_suggest(name, kind):
    assert kind_hinted(name) == kind


def test_un_is_a_word_not_a_prefix():
    assert kind_hinted("Undersecretary Lena Holm") is None  # "un" only as a word of its own
