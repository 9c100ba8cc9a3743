"""Candidate actors: names and mentions of bodies the parser proposes for the model to type."""

from __future__ import annotations

from summarizer.tasks.claims.actors import find_candidates

ARTICLE = (
    "NORTHPORT, May 2 (Wire) — The Office of the Regional Commissioner for Human Rights (ORCHR) said "
    "that fighters of the Hill Front killed 12 villagers. Veldan’s defence ministry said 4 police officers "
    "died, and the ministry added that witnesses saw dozens flee.\nFighting continued on Monday."
)


def texts(article: str) -> list[str]:
    return [c.text for c in find_candidates(article)]


def test_names_with_their_connecting_words_and_bodies_after_a_possessive():
    found = texts(ARTICLE)
    assert "Office of the Regional Commissioner for Human Rights" in found
    assert "ORCHR" in found and "Hill Front" in found
    assert "Veldan’s defence ministry" in found


def test_a_plural_possessive_is_inside_a_name():
    assert "Hill Workers' Union" in texts("The Hill Workers' Union said 4 miners died underground.")


def test_names_in_french_and_spanish_keep_their_connecting_words():
    found = texts("The Collectif Justice pour Kessa said 40 people died. The Frente por la Paz y Tierra denied it.")
    assert "Collectif Justice pour Kessa" in found
    assert "Frente por la Paz y Tierra" in found


def test_a_plain_mention_may_have_one_more_word_of_its_kind():
    assert "local relief group" in texts("Shelling killed 9 people, a local relief group said.")


def test_plain_mentions_of_bodies_are_candidates_once_each():
    found = texts(ARTICLE)
    assert "ministry" in found and "witnesses" in found
    assert len(found) == len({t.lower() for t in found})


def test_months_weekdays_and_sentence_openers_are_no_candidates():
    found = texts(ARTICLE)
    assert not {"May", "Monday", "The"} & set(found)
    assert "NORTHPORT" in found  # a dateline is proposed; the model and the cast rules keep it from claiming


def test_a_candidate_knows_its_place_and_sentence():
    [first, *_] = find_candidates("The Hill Front said 3 died. Others fled.")
    assert (first.text, first.start, first.end) == ("Hill Front", 4, 14)
    assert first.sentence == (0, 27)


def test_a_candidate_knows_every_sentence_that_mentions_it():
    article = "The Tosk Front rose in 2019. Rain fell. Later the Tosk Front said 30 guards died."
    [front] = [c for c in find_candidates(article) if c.text == "Tosk Front"]
    assert front.sentence == (0, 28)
    assert front.sentences == ((0, 28), (40, 81))


def test_a_plain_body_is_named_with_the_place_it_sits_in():
    found = texts(
        "Shelling killed 9 people, the health ministry in rebel-held Kessa said. Officials in the Hill-run north fled."
    )
    assert "health ministry in rebel-held Kessa" in found
    assert "Officials" in found  # "the Hill-run north" names no place


def test_a_country_s_force_is_one_candidate():
    found = texts("Drones hit Kessa overnight, Orla's air force said.")
    assert "Orla's air force" in found and "Orla's" not in found


def test_titles_with_full_stops_and_particle_surnames_stay_inside_a_name():
    found = texts("Brig. Gen. Tomas Vell said 4 died. Dr. Ana al-Rudi said 9 were hurt at the al-Noor school.")
    assert found[:2] == ["Brig. Gen. Tomas Vell", "Dr. Ana al-Rudi"]
    assert "al-Noor" not in found  # a particle continues a name, never opens one


def test_and_joins_words_of_a_body_s_name_only_after_of_or_for():
    found = texts("The Office for Displaced Persons and Refugees said 40 fled. Orla and Veldan traded blame.")
    assert "Office for Displaced Persons and Refugees" in found
    assert "Orla" in found and "Veldan" in found
    found = texts(
        "The Office of Health and Orla's army said 9 died. The Office of Health and the Relief Society agreed."
    )
    assert "Office of Health" in found and "Orla's army" in found and "Relief Society" in found


def test_names_inside_longer_names_are_dropped_once_each():
    from summarizer.tasks.claims.actors import _outermost

    spans = [(0, 10), (4, 10), (0, 10), (12, 20), (12, 15), (14, 25), (30, 31)]
    assert _outermost(spans) == [(0, 10), (12, 20), (14, 25), (30, 31)]


def test_hundreds_of_names_are_each_a_candidate_once():
    article = " ".join(f"Commander Arlo{chr(97 + i % 26)}{chr(97 + i // 26)} said {i + 2} died." for i in range(400))
    found = find_candidates(article)
    assert len(found) == 400 and found[0].text == "Commander Arloaa" and found[-1].text == "Commander Arlojp"
    assert [c.sentence for c in found[:2]] == [(0, 29), (30, 59)]


def test_a_list_inside_a_body_s_of_phrase_is_one_name_and_a_name_ends_at_its_verb():
    found = texts("The Ministry of Water, Parks and Roads says army units cleared 40 homes.")
    assert found == ["Ministry of Water, Parks and Roads"]  # not "Roads says army"
    found = texts("The Office of Health, Chad and Niger traded blame over 12 deaths.")
    assert "Office of Health" in found and "Chad" in found and "Niger" in found
