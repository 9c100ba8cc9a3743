"""Name normalisation: variants of one thing are equal, different things are not."""

from __future__ import annotations

import pytest

from summarizer.tasks.claims.normalize import (
    equipment_key,
    fold,
    name_key,
    same_claimant,
    same_equipment,
    same_side,
    same_text,
    side_key,
    singular,
)

SAME_CLAIMANT = [
    ("UN Human Rights Office", "OHCHR"),
    ("OHCHR", "Office of the UN High Commissioner for Human Rights"),
    ("United Nations Office of the High Commissioner for Human Rights (OHCHR)", "UN Human Rights Office"),
    ("Defence Ministry", "Defense Ministry"),
    ("Defence Ministry", "MoD"),
    ("Ministry of Defence", "Defense Ministry"),
    ("Russian Defence Ministry", "Russia\u2019s Ministry of Defence"),
    ("MoD", "Russian Defence Ministry"),  # the article's unqualified name for the body
    ("General Staff of the Ukrainian armed forces", "Ukrainian General Staff"),
    ("the general staff of the armed forces of Ukraine", "Ukrainian General Staff"),
    ("Ukraine's General Staff", "General Staff of the Ukrainian Armed Forces"),
    ("Alexander Bastrykin", "alexander  bastrykin."),
    ("Alexander Bastrykin", "Bastrykin"),
    ("the TASS news agency", "TASS news agency"),
    ("Gaza Health Ministry", "Health Ministry in Gaza"),
    ("Kessa health ministry", "the health ministry in rebel-held Kessa"),
    ("Port Tarsa officials", "officials in Port Tarsa"),
    ("Institute for the Study of War", "Institute for the Study of the War"),  # fuzzy
    ("President Volodymyr Zelenskyy", "Volodymyr Zelenskyy"),
    ("President Zelenskyy", "Volodymyr Zelenskyy"),
    ("Ukrainian military officials", "Ukrainian military"),
    ("Russia's Investigative Committee", "Investigative Committee"),
]

DIFFERENT_CLAIMANT = [
    ("UK MoD", "Russian MoD"),
    ("Ukrainian General Staff", "Russian General Staff"),
    ("Russian authorities", "Ukrainian authorities"),
    ("UN", "OHCHR"),
    ("OHCHR", "UNICEF"),
    ("Alexander Bastrykin", "Alexander Lukashenko"),
    ("Ministry of Health", "Ministry of Defence"),
    ("Kessa health ministry", "the health ministry"),
    ("President Volodymyr Zelenskyy", "President Vladimir Putin"),
    ("Ukrainian military officials", "Russian military officials"),
]


@pytest.mark.parametrize("a, b", SAME_CLAIMANT)
def test_variants_of_one_claimant_are_equal(a, b):
    assert same_claimant(a, b) and same_claimant(b, a)


@pytest.mark.parametrize("a, b", DIFFERENT_CLAIMANT)
def test_different_claimants_are_not_equal(a, b):
    assert not same_claimant(a, b) and not same_claimant(b, a)


@pytest.mark.parametrize(
    "a, b",
    [
        ("Ukrainian", "Ukraine"),
        ("Russian", "Russia"),
        ("Israeli", "Israel"),
        ("Palestinian", "Palestinians"),
        ("Palestinians", "palestinians"),
        ("Sudanese", "Sudan"),
        ("Russian forces", "Russia"),
        ("the Russian Federation", "Russia"),
        ("Israeli army", "Israel"),
        ("IDF", "Israel"),
        ("RSF", "Rapid Support Forces"),
        ("Sudanese army", "SAF"),
        ("U.S.", "United States"),
    ],
)
def test_side_variants_are_equal(a, b):
    assert same_side(a, b)


@pytest.mark.parametrize(
    "a, b",
    [
        ("Ukraine", "Russia"),
        ("Sudanese army", "Sudan"),
        ("Sudanese army", "RSF"),
        ("Israel", "Palestinians"),
        ("Russia", "Belarus"),
    ],
)
def test_different_sides_are_not_equal(a, b):
    assert not same_side(a, b)


@pytest.mark.parametrize(
    "a, b",
    [
        ("tank", "tanks"),
        ("Tanks", "tanks"),
        ("armoured fighting vehicles", "armored fighting vehicle"),
        ("UAVs", "drones"),
        ("ships and boats", "ship and boat"),
        ("artillery systems", "Artillery System"),
        ("helicopters", "helicopter"),
        ("cruise missiles", "cruise missile"),
    ],
)
def test_equipment_variants_are_equal(a, b):
    assert same_equipment(a, b)


@pytest.mark.parametrize(
    "a, b",
    [
        ("tanks", "drones"),
        ("armored vehicles", "armored fighting vehicles"),
        ("cruise missiles", "missiles"),
        ("aircraft", "helicopters"),
    ],
)
def test_different_equipment_is_not_equal(a, b):
    assert not same_equipment(a, b)


@pytest.mark.parametrize(
    "a, b, equal",
    [
        ("past 24 hours", "the past 24 hours", True),
        ("past 24 hours", "Past 24 hours.", True),
        ("past 24 hours", "last 24 hours", True),
        ("since February 24, 2022", "since 24 February 2022", True),
        ("past 24 hours", "past 48 hours", False),  # close strings, different digits
        ("2023", "2024", False),
        ("Kharkiv oblast", "Kharkiv region", True),
        ("Kharkiv", "Kherson", False),
    ],
)
def test_free_text_fields(a, b, equal):
    assert same_text(a, b) is equal


@pytest.mark.parametrize("compare", [same_claimant, same_side, same_equipment, same_text])
def test_null_equals_only_null(compare):
    assert compare(None, None)
    assert not compare(None, "Russia")
    assert not compare("Russia", None)


def test_keys_are_readable():
    assert fold("  The  \u201cUN\u201d Human-Rights   Office ") == "the un human rights office"
    assert name_key("United Nations Office of the High Commissioner for Human Rights (OHCHR)") == "ohchr"
    assert name_key("Russia's Defence Ministry") == "russia mod"
    assert side_key("Ukrainian troops") == "ukraine"
    assert equipment_key("Armoured Fighting Vehicles") == "afv"


@pytest.mark.parametrize(
    "plural, single",
    [
        ("tanks", "tank"),
        ("batteries", "battery"),
        ("boxes", "box"),
        ("systems", "system"),
        ("gas", "gas"),
        ("aircraft", "aircraft"),
        ("buses", "bus"),
        ("launches", "launch"),
    ],
)
def test_singular(plural, single):
    assert singular(plural) == single


def test_sides_are_read_through_the_shared_table_of_countries():
    from summarizer.tasks.claims.normalize import same_side

    assert same_side("Congo", "Democratic Republic of Congo") and same_side("Congolese forces", "Congo")
    assert same_side("Eritrean troops", "Eritrea") and same_side("US", "United States")
    assert not same_side("Sudanese army", "Sudan")  # a country's army that is a party of its own stays one


def test_ranks_and_forms_of_address_are_not_part_of_a_claimant_s_name():
    from summarizer.tasks.claims.normalize import same_claimant

    assert same_claimant("Rajiv Ghai", "Lt. Gen. Rajiv Ghai") and same_claimant("Dr. Ana Ruiz", "Ana Ruiz")
    assert not same_claimant("Rajiv Ghai", "Ahmed Chaudhry")


def test_a_short_form_names_the_same_body_as_its_words():
    assert same_claimant("HRN", "Harbour Relief Network")
    assert same_claimant("OMD", "Office for Migration and Displacement")  # small words skipped
    assert same_claimant("CVMP", "Coastal Violence Monitoring Project Team")  # the last word may be left out
    assert not same_claimant("UN", "Ukraine Navy")  # two letters say too little
    assert not same_claimant("HRN", "Harbour Rescue Service")
