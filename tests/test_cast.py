"""The article's cast: kinds from the model, canonical names, who may claim, which parties sides name."""

from __future__ import annotations

import json

import pytest

from summarizer.tasks.claims.cast import (
    KINDS,
    can_speak,
    canonical_names,
    cast_of,
    has_fighters,
    introduced_as_person,
    is_adjective,
    is_dateline,
    is_generic,
    kind_grammar,
    kind_problems,
    names_a_weapon,
    person_name,
    read_kind,
    suggested_kind,
)

ARTICLE = (
    "NORTHPORT, May 2 (Wire) — Veldan’s Defence Ministry said Hill Front fighters killed 12 soldiers. "
    "The ministry added that the Relief Society counted 40 wounded. Twelve soldiers were buried."
)


def test_a_generic_mention_takes_the_nearest_specific_name_with_the_same_head():
    names = [("Veldan’s Defence Ministry", ""), ("ministry", ""), ("Relief Society", "")]
    assert canonical_names(names, ARTICLE) == [
        "Veldan’s Defence Ministry",
        "Veldan’s Defence Ministry",
        "Relief Society",
    ]
    assert canonical_names([("the spokesman", "")], ARTICLE) == ["the spokesman"]  # nothing to resolve to


def test_a_generic_mention_takes_the_name_set_beside_its_noun():
    article = (
        "Shelling killed 9 people, a local relief group said. Workers from the group, the Tarsa Aid Team, "
        "dug all night. The Hill Front said its men were not there."
    )
    names = [("local relief group", ""), ("Tarsa Aid Team", ""), ("Hill Front", "")]
    assert canonical_names(names, article)[0] == "Tarsa Aid Team"


def test_a_one_word_name_that_speaks_takes_the_full_name_it_shortens():
    article = (
        "Tarsa Watch International said 40 people died in Kessa. The Kessa Relief Council buried them. "
        "Tarsa said it had the names of 30. Orla officials disputed it. Kessa was quiet; Orla said 2 died."
    )
    names = [("Tarsa Watch International", ""), ("Tarsa", ""), ("Kessa Relief Council", ""), ("Kessa", "")]
    names += [("Orla officials", ""), ("Orla", "")]
    assert canonical_names(names, article) == [
        "Tarsa Watch International",
        "Tarsa Watch International",
        "Kessa Relief Council",
        "Kessa",  # a place, and never cited
        "Orla officials",
        "Orla",  # "officials" is no part of a name
    ]
    acronym = "The TSK Relief Office gave food. TSK said 4 died."
    assert canonical_names([("TSK Relief Office", ""), ("TSK", "")], acronym)[1] == "TSK"


def test_a_name_s_head_is_the_noun_before_its_of_phrase():
    article = (
        "The Ministry of Roads, Water and Power said 12 bridges fell. The Orla police chief said 4 died. "
        "The ministry added that 9 people were missing."
    )
    names = [("Ministry of Roads", ""), ("Orla police chief", ""), ("ministry", "")]
    assert canonical_names(names, article)[2] == "Ministry of Roads"
    placed = "Rockets hit a school, the health ministry in Kessa said. The ministry said 4 died."
    assert (
        canonical_names([("health ministry in Kessa", ""), ("ministry", "")], placed)[1] == "health ministry in Kessa"
    )


def test_generic_mentions_are_all_lower_case_after_an_article():
    assert is_generic("the ministry") and is_generic("a spokesman") and is_generic("officials")
    assert not is_generic("The Relief Society") and not is_generic("Veldan’s ministry")


def test_datelines_dates_and_counted_victims_never_speak():
    assert is_dateline("NORTHPORT", ARTICLE) and not can_speak("NORTHPORT", ARTICLE)
    assert not can_speak("May 2", ARTICLE)
    assert not can_speak("Twelve soldiers", ARTICLE)
    assert can_speak("Relief Society", ARTICLE)
    assert not can_speak("Relief Society's", ARTICLE)  # a name cut at its possessive


def test_a_country_s_adjective_never_speaks_but_its_name_and_people_may():
    assert is_adjective("Peruvian") and is_adjective("Pakistani") and is_adjective("Turkish")
    assert not is_adjective("Peru") and not is_adjective("Iran") and not is_adjective("the US")
    assert not is_adjective("Peruvians") and not is_adjective("Hill Front")
    article = "Peruvian soldiers rounded up 30 men, Peru's Relief Society said."
    cast = cast_of(["Peruvian", "Relief Society"], ["country", "ngo"], article)
    assert [a.canonical for a in cast.speakers(article)] == ["Relief Society"]


def test_a_person_is_never_a_side_whatever_kind_the_model_read():
    article = (
        "Kim Lo, director of the Relief Service, said 30 were hurt. Police spokesman Ada Brenner said the "
        "Hill Front's fighters and the Hill Front, a militia, were to blame."
    )
    assert introduced_as_person("Kim Lo", article) and introduced_as_person("Ada Brenner", article)
    assert not introduced_as_person("Hill Front", article)
    cast = cast_of(["Kim Lo", "Hill Front's", "Hill Front"], ["armed_group", "armed_group", "armed_group"], article)
    assert cast.parties(article) == ["Hill Front"]  # and the possessive is the group


def test_a_name_whose_fighters_the_article_counts_is_a_party_whatever_kind_the_model_read():
    article = "Troops killed 76 fighters of the Hill Front (HF) on Monday, the army said. HF denied it."
    assert has_fighters("Hill Front", article) and not has_fighters("army", article)
    cast = cast_of(["Hill Front", "army"], ["force", "force"], article)
    assert cast.parties(article) == ["HF"]  # in the short form the article spells out


def test_a_weapon_s_model_is_never_a_side_whatever_kind_the_model_read():
    article = (
        "Orla launched 40 Kessa-type attack drones and a K-9 missile; the Hill Front said Hill Front drones hit back."
    )
    assert names_a_weapon("Kessa-type", article) and names_a_weapon("K-9", article)
    assert not names_a_weapon("Hill Front", article)  # named once not before a weapon
    cast = cast_of(["Kessa-type", "K-9", "Hill Front"], ["armed_group", "armed_group", "armed_group"], article)
    assert cast.parties(article) == ["Hill Front"]


def test_a_body_is_named_without_a_description_of_its_kind_and_where_it_is_based_is_no_name():
    article = (
        "The Kessa Relief Network said 12 died. The Kessa-based rights monitor said 14. The Hill Helpers "
        "civil defence group said 20. The Hill Front health office said 9."
    )
    names = ["Kessa Relief Network", "Kessa-based rights monitor", "Hill Helpers civil defence group"]
    names.append("Hill Front health office")
    cast = cast_of(names, ["ngo", "ngo", "ngo", "government"], article)
    assert is_generic("The Kessa-based rights monitor") and not is_generic("Kessa Relief Network")
    assert [a.canonical for a in cast.actors] == [
        "Kessa Relief Network",
        "Kessa Relief Network",  # the generic mention takes the body of its kind named before it
        "Hill Helpers",
        "Hill Front health office",  # an office of its own, not a description
    ]


def test_speakers_parties_and_own_sides_come_from_the_kinds():
    names = ["NORTHPORT", "Veldan’s Defence Ministry", "Hill Front", "ministry", "Relief Society", "Twelve soldiers"]
    kinds = ["place", "government", "armed_group", "government", "ngo", "victims"]
    cast = cast_of(names, kinds, ARTICLE)
    speakers = cast.speakers(ARTICLE)
    assert [a.canonical for a in speakers] == ["Veldan’s Defence Ministry", "Hill Front", "Relief Society"]
    assert cast.parties(ARTICLE) == ["Hill Front"]
    assert cast.own_side(speakers[1]) == "Hill Front"
    assert cast.own_side(speakers[2]) is None


def test_a_name_the_model_reads_as_a_people_is_a_party_where_the_article_calls_it_one():
    article = "Zorvan villagers said 12 were killed in Port Amsel; Port Amsel officials said 10."
    cast = cast_of(["Zorvan", "Port Amsel"], ["country", "country"], article)
    assert cast.peoples() == ["Zorvan"] and cast.parties(article) == ["Zorvan"]


def test_speakers_named_near_a_figure_come_first():
    names = ["Veldan’s Defence Ministry", "ministry", "Relief Society"]
    cast = cast_of(names, ["government", "government", "ngo"], ARTICLE)
    second = ARTICLE.index("The ministry added")
    both = ["Veldan’s Defence Ministry", "Relief Society"]
    assert [a.canonical for a in cast.speakers(ARTICLE, (second, len(ARTICLE)))] == both  # "the ministry" is its name
    assert [a.canonical for a in cast.speakers(ARTICLE, (second + 20, len(ARTICLE)))] == ["Relief Society"]
    assert [a.canonical for a in cast.speakers(ARTICLE, (0, 20))] == both  # nobody near: everyone


def test_a_cut_off_answer_leaves_its_candidate_out():
    cast = cast_of(["Hill Front", "Relief Society"], ["armed_group", None], ARTICLE)
    assert [a.name for a in cast.actors] == ["Hill Front"]


def test_a_kind_answer_is_read_only_when_whole_and_known():
    assert read_kind('{"kind":"ngo"}') == "ngo"
    assert read_kind('{"kind":"ng') is None and read_kind('{"kind":"party"}') is None
    assert kind_problems({"kind": "ngo"}) == [] and kind_problems({"kind": "x"}) != []


@pytest.mark.parametrize("kind", KINDS)
def test_the_kind_grammar_accepts_each_kind_and_nothing_else(kind, tiny_tokenizer):
    import llguidance.hf
    from llguidance import LLMatcher

    ll_tokenizer = llguidance.hf.from_tokenizer(tiny_tokenizer)

    def accepts(text: str) -> bool:
        matcher = LLMatcher(ll_tokenizer, LLMatcher.grammar_from_lark(kind_grammar()), log_level=0)
        return matcher.consume_tokens(tiny_tokenizer.encode(text, add_special_tokens=False)) and matcher.is_accepting()

    assert accepts(json.dumps({"kind": kind}, separators=(",", ":")))
    assert not accepts(json.dumps({"kind": kind + "x"}, separators=(",", ":")))


def test_a_name_used_only_as_a_place_never_speaks():
    article = (
        "Gunmen killed 12 people in Mazeze on Monday, the Tarsa Relief Society said. Fighting spread to "
        "Norte district. Veldan said 3 soldiers died. Haiti said 4 died in Haiti."
    )
    assert not can_speak("Mazeze", article) and not can_speak("Norte", article)
    assert can_speak("Tarsa Relief Society", article)
    assert can_speak("Veldan", article)  # it says something
    assert can_speak("Haiti", article)  # a country speaks as a state


def test_a_group_named_after_of_for_or_from_still_speaks():
    article = (
        "Fighters believed to belong to the Hill Front killed 20 in the village of Norte. Aid for the "
        "Hill Front's victims came from the Tarsa Society. The Hill Front said 3 of its men died."
    )
    assert can_speak("Hill Front", article) and can_speak("Tarsa Society", article)
    assert not can_speak("Norte", article)


def test_a_short_form_the_article_spells_out_takes_its_full_name():
    article = (
        "The Harbour Relief Network (HRN) counted 30 dead. Later the HRN said 12 more had died, "
        "and Orla's Coast Guard (OCG) reported 4 missing."
    )
    assert canonical_names([("HRN", ""), ("OCG", ""), ("Orla", "")], article) == [
        "Harbour Relief Network",
        "Orla's Coast Guard",
        "Orla",
    ]


def test_of_the_names_near_a_figure_the_one_in_a_reporters_position_speaks():
    article = (
        "The Hill Front said it took the road. Fighters of the Hill Front killed 30 villagers in Sarn, "
        "the Relief Society said on Monday."
    )
    cast = cast_of(["Hill Front", "Sarn", "Relief Society"], ["armed_group", "place", "ngo"], article)
    whole, second = (0, len(article)), (article.index("Fighters"), len(article))
    assert [a.canonical for a in cast.speakers(article, whole)] == ["Hill Front", "Relief Society"]
    assert [a.canonical for a in cast.speakers(article, whole, second)] == ["Relief Society"]


def test_where_nobody_reports_the_attacker_is_not_offered_as_who_gave_the_figure():
    article = "An Orla army air strike killed 18 people in Sarn. The Sarn Relief Team was digging."
    cast = cast_of(["Orla army", "Sarn Relief Team"], ["force", "ngo"], article)
    first = (0, article.index(" The Sarn"))
    assert [a.canonical for a in cast.speakers(article, (0, len(article)), first)] == ["Sarn Relief Team"]


def test_a_generic_organisation_that_reports_is_the_one_named_last_before_it():
    article = (
        "Shelling killed 9 people, a local relief group said. Workers from the group, the Tarsa Aid Team, dug. "
        "The Hill Front holds the ridge. The group said its fighters had killed 40 guards."
    )
    names = ["local relief group", "group", "Tarsa Aid Team", "Hill Front"]
    cast = cast_of(names, ["ngo", "ngo", "ngo", "armed_group"], article)
    first, last = (0, article.index(" Workers")), (article.index("The group"), len(article))
    assert [a.canonical for a in cast.speakers(article, first, first)] == ["Tarsa Aid Team"]
    assert [a.canonical for a in cast.speakers(article, last, last)] == ["Hill Front"]
    named = "The Tarsa Aid Team dug. Refugees fled, according to the UN relief agency. The agency said 40 died."
    cast = cast_of(["Tarsa Aid Team", "UN relief agency", "agency"], ["ngo", "international", "international"], named)
    middle = (named.index("Refugees"), named.index(" The agency"))
    assert [a.canonical for a in cast.speakers(named, middle, middle)] == ["UN relief agency"]  # the name speaks


def test_a_generic_mention_that_reports_is_the_body_with_its_head_noun_named_last_before_it():
    # "The office" after a second office is that one, not the first the article named.
    article = (
        "Shells struck Orla's water office on Friday. The Office of Roads and Bridges reported that troops "
        "had routed 31 Hill Front gunmen near the dam. The office adds that five guards died."
    )
    names = ["Orla's water office", "Office of Roads and Bridges", "office", "Hill Front"]
    cast = cast_of(names, ["government", "government", "government", "armed_group"], article)
    last = (article.index("The office"), len(article))
    assert [a.canonical for a in cast.speakers(article, last, last)] == ["Office of Roads and Bridges"]


def test_a_pronoun_sentence_takes_the_speaker_of_the_sentence_beside_it():
    article = "Roads were shut. Mara Quell, a spokeswoman for the Hill Front, told reporters in Sarn. She said 30 died."
    cast = cast_of(["Mara Quell", "Hill Front"], ["armed_group", "armed_group"], article)
    second = article.index("She said")
    assert [a.canonical for a in cast.speakers(article, (0, len(article)), (second, len(article)))] == ["Mara Quell"]


@pytest.mark.parametrize(
    ("article", "kinds", "canonical"),
    [
        (  # the nearest name of its kind before it
            "The Hill Front seized the pass on Monday, and the Relief Society counted 40 wounded. "
            "In a statement, the group said its fighters had killed 30 soldiers.",
            {"Hill Front": "armed_group", "Relief Society": "ngo", "group": "armed_group"},
            ["Hill Front", "Relief Society", "Hill Front"],
        ),
        (  # never a name first named after it: the other side's officials
            "Shelling killed 9 people, the health ministry in Kessa said. The ministry said 20 were hurt. "
            "Orlan officials said they had hit only fighters.",
            {"health ministry": "government", "ministry": "government", "Orlan officials": "government"},
            ["health ministry", "ministry", "Orlan officials"],
        ),
        (  # a name of its kind before it, not a name with its head word named only later
            "The Tosk Front took the ridge. In a video, the group said its men had killed 12 guards. "
            "The Ravel group, a rival militia, denied it.",
            {"Tosk Front": "armed_group", "group": "armed_group", "Ravel group": "armed_group"},
            ["Tosk Front", "Tosk Front", "Ravel group"],
        ),
    ],
)
def test_a_generic_mention_with_no_same_head_name_takes_the_nearest_name_of_its_kind_before_it(
    article, kinds, canonical
):
    cast = cast_of(list(kinds), list(kinds.values()), article)
    assert [a.canonical for a in cast.actors] == canonical


def test_the_kind_a_name_suggests_reads_dates_countries_and_spelled_out_short_forms():
    article = "The Lowland Relief Network (LRN) said on Monday that 40 people fled; Ukraine said it would help."
    assert suggested_kind("LRN", article) == "ngo"  # read in its full name
    assert suggested_kind("Monday", article) == "date"
    assert suggested_kind("Ukraine", article) == "country"
    assert suggested_kind("Tomas Ruiz", article) is None


@pytest.mark.parametrize(
    ("name", "person"),
    [
        ("Defence Minister Ada Brenner", "Ada Brenner"),
        ("Lt. Gen. Ada Brenner", "Ada Brenner"),
        ("Kessa Province Governor Tomas Vell", "Tomas Vell"),
        ("Dr. Ana al-Rudi", "Ana al-Rudi"),
        ("Minister of Health", "Minister of Health"),  # an office, not a person
        ("Governor Vell", "Governor Vell"),  # one word left: kept whole
        ("Commissioner for Refugees Ada Brenner", "Commissioner for Refugees Ada Brenner"),
    ],
)
def test_a_person_is_written_without_the_titles_before_the_name(name, person):
    assert person_name(name) == person


def test_the_cast_writes_a_titled_speaker_under_the_person_s_name():
    article = "Defence Minister Ada Brenner said 12 soldiers died."
    cast = cast_of(["Defence Minister Ada Brenner"], ["government"], article)
    assert [a.canonical for a in cast.speakers(article)] == ["Ada Brenner"]


def test_a_party_with_a_short_form_in_the_article_is_written_short_as_a_side():
    article = "The Hill Liberation Army (HLA) said its fighters killed 9 soldiers. HLA fighters also seized a base."
    cast = cast_of(["Hill Liberation Army", "HLA"], ["armed_group", "armed_group"], article)
    assert [a.canonical for a in cast.actors] == ["Hill Liberation Army", "Hill Liberation Army"]  # claimants
    assert cast.parties(article) == ["HLA"]
    assert cast.own_side(cast.actors[1]) == "HLA"


def test_a_state_body_named_for_a_party_of_the_cast_speaks_for_it():
    article = "The Hillmen health ministry said 40 died. Hillmen fighters and the Hillmen held the port."
    cast = cast_of(["Hillmen health ministry", "Hillmen"], ["government", "armed_group"], article)
    assert cast.own_side(cast.actors[0]) == "Hillmen"
    article = "Chad's Hill ministry said 40 died. Hill fighters held the port."
    cast = cast_of(["Chad's Hill ministry", "Hill"], ["government", "armed_group"], article)
    assert cast.own_side(cast.actors[0]) == "Chad"  # a country in its name settles it


def test_he_said_and_it_said_speak_of_a_person_or_a_body_named_just_before():
    article = (
        "Rosa Lind of the Hill Ombudsman's Office said armed men attacked Kessa. "
        "It said at least 5 of the dead were teachers. "
        "Governor Tomas Vell and the Relief Society visited Kessa. He said 9 more died."
    )
    names = ["Rosa Lind", "Hill Ombudsman's Office", "Kessa", "Governor Tomas Vell", "Relief Society"]
    cast = cast_of(names, ["government", "government", "place", "government", "ngo"], article)

    def speakers(figure_sentence: str, before: str) -> list[str]:
        sentence = (article.index(figure_sentence), article.index(figure_sentence) + len(figure_sentence))
        window = (article.index(before), sentence[1])
        return [a.canonical for a in cast.speakers(article, window, sentence)]

    assert speakers("It said at least 5 of the dead were teachers.", "Rosa") == ["Hill Ombudsman's Office"]
    assert speakers("He said 9 more died.", "Governor") == ["Tomas Vell"]


def test_a_one_word_body_name_is_the_full_name_it_shortens():
    article = "The Hill Observatory for Rights said 40 died in Kessa. The Observatory said 9 were children."
    names = [("Hill Observatory for Rights", ""), ("Observatory", ""), ("Kessa", "")]
    assert canonical_names(names, article) == ["Hill Observatory for Rights", "Hill Observatory for Rights", "Kessa"]


def test_a_party_is_written_without_the_lower_case_words_after_its_name():
    article = "The Hill Front command said 4 died. The Lake Brigade (LB) said 2 more did."
    cast = cast_of(["Hill Front command", "Lake Brigade"], ["armed_group", "armed_group"], article)
    assert cast.side_name("Hill Front command") == "Hill Front"
    assert cast.parties(article) == ["Hill Front", "LB"]


def test_weapons_made_somewhere_are_no_party():
    article = "Jets shot down five Chad-made Falcons, the Hill Front said."
    cast = cast_of(["Chad-made Falcons", "Hill Front"], ["armed_group", "armed_group"], article)
    assert cast.parties(article) == ["Hill Front"]


def test_he_added_after_he_said_speaks_of_the_one_he_said_stood_for():
    # The sentence between names the victims' unit, not who spoke.
    article = (
        "In Sarn on Friday, the Hill Front's press chief, Maj. Ada Brenner, gave a new toll. "
        "He said 26 guards had died, 18 of them Ridge Corps troops. He added that 30 hostages were freed."
    )
    names = ["Hill Front", "Maj. Ada Brenner", "Ridge Corps"]
    cast = cast_of(names, ["armed_group", "armed_group", "force"], article)
    third = article.index("He added")
    window = (article.index("He said"), len(article))
    assert [a.canonical for a in cast.speakers(article, window, (third, len(article)))] == ["Ada Brenner"]


def test_a_generic_mention_of_a_person_s_role_is_the_person_named_last_before_it():
    article = (
        "Col. Tomas Vell told reporters that rebels had stormed an outpost and the Hill Front headquarters "
        "in Sarn. Vell said 12 gunmen died. The spokesman admitted that four guards were killed."
    )
    names = ["Col. Tomas Vell", "Hill Front headquarters in Sarn", "Vell", "spokesman"]
    cast = cast_of(names, ["government"] * 4, article)
    assert {a.name: a.canonical for a in cast.actors} == {
        "Col. Tomas Vell": "Tomas Vell",
        "Hill Front headquarters in Sarn": "Hill Front headquarters in Sarn",
        "Vell": "Tomas Vell",  # a surname is the person named in full before it
        "spokesman": "Tomas Vell",
    }


def test_a_role_set_beside_a_name_keeps_that_name():
    article = "Ana Kell said 3 died. The Front's military spokesman, Capt. Ravel Orsk, says 9 trucks burned."
    cast = cast_of(["Ana Kell", "military spokesman", "Capt. Ravel Orsk"], ["government"] * 3, article)
    assert cast.actors[1].canonical == "Ravel Orsk"


def test_a_capital_the_country_table_knows_is_a_place_where_it_never_speaks():
    placed = "Blasts shook a market in central Kabul on Monday, killing 9, the Relief Society said."
    assert not can_speak("Kabul", placed)
    assert can_speak("Kabul", placed + " Kabul said 4 guards died.")  # a capital may speak for its state


def test_a_body_named_as_a_corps_is_no_person():
    from summarizer.tasks.claims.cast import looks_like_person

    assert looks_like_person("Lt. Gen. Ada Brenner") and not looks_like_person("Ridge Corps")


def test_a_capitalised_word_before_a_nation_s_plural_names_a_people_whatever_kind_was_read():
    from summarizer.tasks.claims.cast import names_a_people

    assert names_a_people("Kessa Serbs") and names_a_people("Bosnian Serbs")
    for name in ("Serbs", "ethnic Serbs", "Serbian troops", "Orla Relief Society", "United States"):
        assert not names_a_people(name)
    article = "The Kessa Serbs' council said 12 villagers died."
    cast = cast_of(["Kessa Serbs"], ["ngo"], article)
    assert cast.peoples() == ["Kessa Serbs"] and cast.parties(article) == ["Kessa Serbs"]


def test_a_name_with_digits_joined_to_letters_can_speak_and_a_backer_is_not_its_side():
    article = "Orla-backed K4 Front rebels took the town. The K4 Front said 9 of its men died."
    cast = cast_of(["Orla-backed K4 Front rebels", "K4 Front"], ["armed_group", "armed_group"], article)
    assert can_speak("K4 Front", article) and not can_speak("Twelve soldiers", article)
    assert cast.parties(article) == ["K4 Front"]


def test_a_person_read_as_an_armed_group_is_not_a_side_by_their_own_name():
    article = "Hill Front spokesman Ada Brenner said 9 soldiers were killed."
    cast = cast_of(["Hill Front", "Ada Brenner"], ["armed_group", "armed_group"], article)
    assert cast.own_side(cast.actors[1]) is None and cast.own_side(cast.actors[0]) == "Hill Front"
