"""Whose soldiers or equipment a figure counts: the words after it narrow the sides offered."""

from __future__ import annotations

from summarizer.tasks.claims.cast import cast_of
from summarizer.tasks.claims.victims import counted_phrase, soldier_sides

ARTICLE = (
    "Chad's army said troops of Operation Sand Wall killed 76 fighters of the Lake Brigade (LB) near Baga in Chad. "
    "Five soldiers and four members of a vigilante group died when LB fighters attacked a base in Niger. "
    "The Lake Brigade said it killed 20 Chadian soldiers and shot down a Chadian drone. "
    "Police said 12 militants were killed and 3 police officers wounded."
)
SIDES = ["Chad", "Niger", "LB", "Operation Sand Wall"]


def after(number: str, article: str = ARTICLE) -> int:
    return article.index(number) + len(number)


def sentence_of(number: str) -> tuple[int, int]:
    at = ARTICLE.index(number)
    start = ARTICLE.rfind(". ", 0, at) + 2 if ARTICLE.rfind(". ", 0, at) > 0 else 0
    return start, ARTICLE.index(". ", at) + 1 if ". " in ARTICLE[at:] else len(ARTICLE)


def cast():
    names = ["Chad's army", "Operation Sand Wall", "Lake Brigade", "LB"]
    return cast_of(names, ["force", "armed_group", "armed_group", "armed_group"], ARTICLE)


def test_the_counted_phrase_ends_where_the_words_stop_saying_who():
    assert counted_phrase(ARTICLE, after("76")) == "fighters of the Lake Brigade (LB)"
    assert counted_phrase(ARTICLE, after("Five")) == "soldiers"  # not the next number's words
    assert counted_phrase(ARTICLE, after("20")) == "Chadian soldiers"
    assert counted_phrase("Some 45 city and state police officers were hurt.", 7) == "city and state police officers"
    assert counted_phrase("It said 9.", 9) == ""


def test_a_side_the_phrase_names_is_the_only_one_offered():
    assert soldier_sides(ARTICLE, after("76"), sentence_of("76"), SIDES, cast()) == ["LB"]  # by its full name
    assert soldier_sides(ARTICLE, after("20"), sentence_of("20"), SIDES, cast()) == ["Chad"]


def test_a_state_s_soldiers_are_a_country_s_and_fighters_an_armed_group_s():
    # "Five soldiers": a state's; the figure's sentence names Niger, the article's own country is Chad
    # (named elsewhere only as the owner of forces: "Chad's army", "Chadian soldiers").
    assert soldier_sides(ARTICLE, after("Five"), sentence_of("Five"), SIDES, cast()) == ["Chad", "Niger"]
    assert soldier_sides(ARTICLE, after("3"), sentence_of("3 police"), SIDES, cast()) == ["Chad"]
    assert soldier_sides(ARTICLE, after("12"), sentence_of("12"), SIDES, cast()) == ["LB", "Operation Sand Wall"]


def test_words_that_say_nothing_of_who_leave_every_side():
    assert soldier_sides(ARTICLE, after("four"), sentence_of("four"), SIDES, cast()) == SIDES


def test_a_side_named_as_doing_the_harm_is_an_agent():
    from summarizer.tasks.claims.victims import agents

    sides = ["LB", "Chad", "Hill Front"]
    assert agents("Two farmers said LB fighters torched 40 barns overnight.", sides) == {"LB"}
    assert agents("The Hill Front said its fighters killed 12 soldiers.", sides) == {"Hill Front"}
    assert agents("12 soldiers were killed by Hill Front fighters.", sides) == {"Hill Front"}
    assert agents("Hill Front fighters were killed in a raid.", sides) == set()  # the victims
    assert agents("The Hill Front lost 40 fighters.", sides) == set()
    assert agents("The Lake Brigade said it seized 3 trucks.", sides, cast()) == {"LB"}  # by its full name


def test_a_country_is_an_agent_only_where_its_forces_do_the_harm_or_it_comes_after_by():
    from summarizer.tasks.claims.victims import agents

    sides = ["Niger", "Chad", "Hill Front"]
    assert agents("Niger said its air force had brought down 5 drones flown by Chadian crews.", sides) == set()
    assert agents("The Chadian Air Force had brought down five Nigerien jets.", sides) == {"Chad"}
    assert agents("Officials said 30 guards were killed by Chadian shelling.", sides) == {"Chad"}
    assert agents("Chadian troops were killed in the raid.", sides) == set()  # the victims
    assert agents("Niger said 30 soldiers died in fighting in Chad.", sides) == set()  # a place


def test_a_reporter_that_says_its_own_forces_did_the_harm_is_read_as_such():
    from summarizer.tasks.claims.victims import reports_own_harm

    assert reports_own_harm("On Friday, the front said its units had torched 12 depots.")
    assert reports_own_harm("The Tosk Front says it shot down nine drones.")
    assert reports_own_harm("Ravel claimed that the militia's gunners downed 3 helicopters.")
    assert reports_own_harm("The ministry said its forces, backed by allied jets, had killed 40 raiders.")
    assert not reports_own_harm("The office said 30 people were killed in the raid.")
    assert not reports_own_harm("Ravel said the Tosk Front killed 30 farmers.")  # another party's deed
    assert not reports_own_harm("Police said they had detained 4 suspects.".replace("detained", "questioned"))


def test_a_country_that_made_the_weapons_is_not_whose_they_were():
    article = "Chad said it shot down five Niger jets, among them three French-made Falcons."
    sides = ["Chad", "Niger", "France"]
    assert soldier_sides(article, after("three", article), (0, len(article)), sides) == sides  # not narrowed to France
    assert soldier_sides(article, after("five", article), (0, len(article)), sides) == ["Niger"]
