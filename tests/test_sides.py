"""Side names an article mentions: demonyms map to their country, "us" only in capitals."""

from __future__ import annotations

from summarizer.engine.sides import is_people, party_names, sides_in


def test_demonyms_and_places_map_to_short_names_in_order_of_mention():
    article = "Gazan officials said Israeli strikes killed 12; the IDF and Hamas traded blame."
    assert sides_in(article) == ["Palestinians", "Israel", "Hamas"]


def test_us_counts_only_in_capitals():
    assert sides_in("They told us the US had sent aid.") == ["United States"]
    assert sides_in("They told us nothing.") == []


def test_aid_groups_monitors_and_news_agencies_are_not_sides():
    article = (
        "UNHCR and the WHO said 40 people died; ACLED, the Syrian Observatory and the Red Crescent "
        "Movement counted more, TASS reported. The Arakan Army and the RSF denied it."
    )
    assert sides_in(article) == ["Syria", "RSF", "Arakan Army"]


def test_weapon_codes_are_not_sides_but_armed_groups_in_the_table_are():
    assert sides_in("Fighters with AK47 rifles and T-72 tanks joined M23.") == ["M23"]


def test_a_party_named_in_a_compound_counts():
    assert sides_in("The Hamas-run ministry and Russian-backed forces") == ["Hamas", "Russia"]


def test_civilians_belong_to_countries_and_peoples_not_to_armed_forces():
    assert is_people("Palestinians") and is_people("Myanmar") and is_people("Sudan")
    for force in ("Hamas", "RSF", "HTS", "Arakan Army", "Myanmar military", "Houthis"):
        assert not is_people(force)


def test_a_country_goes_by_its_forces_names_but_its_forces_are_not_its_people():
    assert {"Israel", "Israel military", "Israel army"} <= party_names("Israel")
    assert "Myanmar army" in party_names("Myanmar military")
    assert "Myanmar" not in party_names("Myanmar military")
    assert party_names("Arakan Army") >= {"Arakan Army"}
