"""Who stands where the reporter of a figure does: the subject of a reporting verb and its kin."""

from __future__ import annotations

import pytest

from summarizer.tasks.claims.speech import in_speech_position, is_reporting_word, speaking

SPEAKS = [
    ("the Harbour Ministry", "Twelve people died, the Harbour Ministry said on Monday."),
    ("Tomas Vell", "Tomas Vell, a spokesman for the clinic, told reporters that 40 were hurt."),
    ("Coastal Monitor", "At least 30 died, according to the Coastal Monitor."),
    ("Coastal Monitor", "Figures released by the Coastal Monitor on Friday show 30 dead."),
    ("Mirren Office", "The Mirren Office (MO) has also said 9 died."),
    ("governor", "In Kessa, 20 homes were torched, said the governor."),
    ("health ministry", "At least 9 died, the health ministry in rebel-held Kessa said."),
    ("officials", "Four were hurt, officials in Port Mira said."),
    ("Tomas Vell", "The region's ombudsman, Tomas Vell, gave a higher toll of 40."),
    ("Coastal Relief Office", "Its aid arm, Coastal Relief Office (CRO), said 9 died."),
    ("Ada Brenner", "In Sarn, Dr. Ada Brenner, head of the clinic, which the Orla relief board funds, said 53 died."),
    ("Hill Forum", "The Hill Forum (HF), a council of elders, disputed the toll, saying at least 90 had died."),
    # an age in the apposition, a plain verb after a plural subject
    ("Ana Kell", "Ana Kell, 34, told the radio that 12 of her neighbours had drowned."),
    ("Ana Kell", "Ana Kell, a 61-year-old ferry pilot from the delta, told us 8 boats sank."),
    ("Orla officials", "Two Orla officials, asking not to be named, confirm that 3 patrol boats were lost."),
]
SILENT = [
    ("Redline Brigade", "Fighters of the Redline Brigade killed 30 villagers, the Coastal Monitor said."),
    ("Orla", "Orla's defence minister said 5 soldiers died."),  # the minister speaks, not the country
    ("Kessa", "In Kessa, 20 homes were torched, said the governor."),  # a place before an apposition-like clause
    ("Tomas Vell", "Tomas Vell was among the 40 wounded, the clinic said."),
    ("Kessa", "At least 9 died, the health ministry in rebel-held Kessa said."),  # where the body sits
    ("Kessa", "Shelling hit Kessa, said the governor."),  # no apposition: nothing before it is a comma
    ("Orla relief board", "Ada Brenner, head of a clinic funded by the Orla relief board, said 53 died."),
    ("Orla", "Rebels shelled Orla overnight, saying 30 guards had died."),  # the object, not the subject
    # what she said, not who: a reporting verb with its own subject is no inverted one
    ("Hill Front", "She said Hill Front gunmen burned nine barns near the river."),
    ("Orla", "Governor Tomas Vell said an Orla rocket wounded 6 farmers on the ridge."),
]


@pytest.mark.parametrize(("name", "sentence"), SPEAKS)
def test_a_reporter_speaks(name, sentence):
    assert in_speech_position(name, sentence)


@pytest.mark.parametrize(("name", "sentence"), SILENT)
def test_attackers_places_and_victims_do_not(name, sentence):
    assert not in_speech_position(name, sentence)


def test_speaking_picks_the_speakers_of_a_sentence():
    sentence = "Fighters of the Redline Brigade killed 30 villagers in Kessa, the Coastal Monitor said."
    assert speaking(["Redline Brigade", "Kessa", "Coastal Monitor"], sentence) == {"Coastal Monitor"}


def test_reporting_words_are_never_part_of_a_name():
    assert is_reporting_word("said") and is_reporting_word("its") and is_reporting_word("Also")
    assert not is_reporting_word("Office")


def test_a_name_after_a_reporting_verb_with_a_verb_of_its_own_is_what_was_said():
    sentence = "Dr. Ana Rudi, who runs Hill Hospital, says the hospital had treated 23 burned children."
    assert speaking(["Dr. Ana Rudi", "hospital", "Hill Hospital"], sentence) == {"Dr. Ana Rudi"}
    assert speaking(["hospital"], "57 people were hurt, says the hospital.") == {"hospital"}
    assert speaking(["ministry"], "Nine died, said the ministry's spokesman.") == {"ministry"}


def test_an_inverted_reporting_verb_follows_the_words_reported():
    assert speaking(["Ana Kell"], "“The shelling never stopped,” said Ana Kell, a teacher from the valley.") == {
        "Ana Kell"
    }
    sentence = "She said Hill Front gunmen took 12 goats, Ana Kell added."
    assert speaking(["Hill Front", "Ana Kell"], sentence) == {"Ana Kell"}
    # the comma closes an apposed name: she says it, and the Front is what she says
    sentence = "The Hill Front's spokeswoman, Capt. Ana Kell, says the group's gunners hit 9 trucks on Sunday."
    assert speaking(["Hill Front", "Capt. Ana Kell", "group"], sentence) == {"Capt. Ana Kell"}


def test_a_reporting_pronoun_says_whether_a_person_or_a_body_gave_the_figure():
    from summarizer.tasks.claims.speech import pronoun_speaker

    assert pronoun_speaker("He said 200 people had been killed.") == "person"
    assert pronoun_speaker("At least 12 died, she later told reporters.") == "person"
    assert pronoun_speaker("It also said its fighters had killed 32.") == "body"
    assert pronoun_speaker("They said 9 were hurt.") == "any"
    assert pronoun_speaker("It was the worst attack in years, with 40 dead.") is None
    assert pronoun_speaker("The ministry said it counted 40 dead.") is None  # "it" is no subject of "said"


def test_a_body_whose_figures_show_a_count_gives_it():
    assert speaking(["HRN", "Kessa"], "HRN figures show about 5,400 people remain displaced in Kessa.") == {"HRN"}
    assert speaking(["ministry"], "The ministry's latest data suggest 40 died.") == {"ministry"}
    sentence = "Radio Tosk reported that an Orla army damage assessment had put the toll at 70 sailors."
    assert speaking(["Radio Tosk", "Orla army"], sentence) == {"Radio Tosk", "Orla army"}
