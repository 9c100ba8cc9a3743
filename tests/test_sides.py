"""Side names an article gives reason for: its countries and peoples (one generic table), forces its
own words mark as such, or its cast's parties; never a table of one conflict's actors."""

from __future__ import annotations

from summarizer.engine.sides import home_country, is_people, local_peoples, party_names, sides_in, state_voices


def test_demonyms_and_places_map_to_short_names_in_order_of_mention():
    article = "Gazan officials said Israeli strikes killed 12; Eritrean troops and Congolese police were blamed."
    assert sides_in(article) == ["Palestinians", "Israel", "Eritrea", "Democratic Republic of Congo"]


def test_us_counts_only_in_capitals():
    assert sides_in("They told us the US had sent aid.") == ["United States"]
    assert sides_in("They told us nothing.") == []


def test_a_country_s_forces_are_a_side_where_the_article_names_them():
    assert sides_in("The Colombian army said ... Mali's military said") == [
        "Colombia",
        "Colombia army",
        "Mali",
        "Mali military",
    ]


def test_without_a_cast_forces_are_sides_when_the_article_s_words_say_so():
    article = (
        "Fighters of the Popular Liberation Front and KLX rebels clashed; the Relief Agency Office and the "
        "Human Rights Council counted the dead. Fighters with AK47 rifles joined."
    )
    assert sides_in(article) == ["Popular Liberation Front", "KLX"]


def test_with_a_cast_its_parties_are_the_sides_and_no_pattern_guesses():
    article = "Zorvan militiamen and the Northern Hill Front attacked Veldan villages, Veldan police said."
    assert sides_in(article, ["Zorvan", "Veldan"]) == ["Zorvan", "Veldan"]


def test_civilians_belong_to_countries_and_peoples_not_to_armed_forces():
    assert is_people("Palestinians") and is_people("Myanmar") and is_people("Eritrea")
    for force in ("Northern Hill Front", "KLX", "Myanmar military", "Zorvan"):
        assert not is_people(force)
    assert is_people("Zorvan", peoples=["Zorvan"])  # a people the cast names


def test_a_country_goes_by_its_forces_names_but_its_forces_are_not_its_people():
    assert {"Israel", "Israel military", "Israel army"} <= party_names("Israel")
    assert "Myanmar army" in party_names("Myanmar military")
    assert "Myanmar" not in party_names("Myanmar military")
    assert party_names("Northern Hill Front") >= {"Northern Hill Front"}


NEIGHBOURS = (
    "Shelling in northern Syria killed 12 civilians on Monday, Syrian officials said. Syria's health "
    "ministry said 40 were hurt. About 3,000 people fled across the border into Turkey."
)


def test_the_home_country_is_the_one_the_article_mentions_most():
    assert home_country(NEIGHBOURS) == "Syria"
    assert home_country("Nothing about any country here.") is None


def test_a_country_named_mostly_as_the_attacker_is_not_the_home_country():
    # Chad is named five times, Cameroon once; but three of Chad's mentions are its troops doing
    # the harm: the force that came from elsewhere, so the villagers are Cameroon's.
    crossed = (
        "Chadian troops crossed the river at dawn. Chadian soldiers then shot 30 villagers and Chadian "
        "forces burned the market, survivors said. Chad denied the account, and Chad's foreign minister "
        "called it invented. In Cameroon, officials said 30 people had died."
    )
    assert home_country(crossed) == "Cameroon"
    # Named as often otherwise as attacking, a country stays where the events are.
    assert home_country(crossed.replace("In Cameroon", "In Chad's north, Chad")) == "Chad"


def test_victims_who_are_not_soldiers_belong_to_a_people_near_the_figure_or_the_home_country():
    fled = NEIGHBOURS.split(". ")[-1]
    # The sentence's countries, then the home country; not where the displaced went ("into Turkey").
    assert local_peoples(NEIGHBOURS, fled) == ["Syria"]
    assert local_peoples(NEIGHBOURS, "Turkish officials said 3 people were hurt.") == ["Turkey", "Syria"]
    assert local_peoples(NEIGHBOURS, "Shelling killed 12 civilians.") == ["Syria"]
    assert local_peoples(NEIGHBOURS, "The Hill villagers counted 5 dead.", peoples=["Hill"]) == ["Hill", "Syria"]


def test_a_country_named_as_the_attacker_is_not_where_the_victims_belong():
    article = (
        "Peruvian troops shelled Kessa. Peru-backed fighters and a Peruvian drone strike killed 9 villagers, "
        "Chilean officials said. Peru's army denied it. Chile said 40 fled."
    )
    assert home_country(article) == "Chile"  # Peru is named four times, each time as the attacker
    second = article.split(". ")[1]
    assert local_peoples(article, second) == ["Chile"]


def test_a_people_near_the_figure_is_named_as_a_word_and_not_as_the_attacker():
    article = "Orla fighters and Hill villagers clashed. The Hill mourned."
    assert local_peoples(article, "Orla fighters killed 5 Hill villagers.", peoples=["Orla", "Hill"]) == ["Hill"]
    assert local_peoples(article, "Hillside fighters killed 5 people.", peoples=["Hill"]) == []  # not a word of it


def test_a_country_people_fled_or_were_sent_to_is_not_where_events_happen():
    article = (
        "Gunmen killed 30 people in Sinaloa state, Mexican officials said. The cartel leader was flown "
        "to the United States; the United States said it held him. 2,000 families fled into neighbouring "
        "Guatemala and Guatemala opened shelters."
    )
    assert home_country(article) == "Mexico"  # the US and Guatemala are each named twice, once as a destination


def test_a_state_body_that_names_no_country_speaks_for_where_its_sentence_is_or_the_home_country():
    article = "Indian strikes hit Muridke. India said 9 camps were hit. India and Pakistan traded fire. Pakistan wept."
    assert state_voices(article, "In Pakistan, the army said 12 soldiers died.") == ["Pakistan"]
    assert state_voices(article, "The ministry said 40 died.") == ["India"]  # the home country
    # A body reporting the home country's strikes is the other side's.
    assert state_voices(article, "Its media wing said the Indian strikes killed 31.") == ["Pakistan"]


def test_a_country_named_only_as_a_border_a_refuge_or_a_base_is_no_side():
    article = (
        "Shelling killed 12 people in Mali, near the border with Niger. Thousands fled into neighbouring "
        "Senegal, a France-based monitor said."
    )
    assert sides_in(article) == ["Mali"]
    # named once as a party too: a side
    assert sides_in(article + " Nigerien troops fired back.") == ["Mali", "Niger"]
    # the cast's reading of such a country as a people or a state does not make it one
    assert sides_in(article, ["Niger", "Senegal", "Hill Front"]) == ["Mali", "Hill Front"]
