"""The figure label grammar: claimants from the article's cast, sides from the article only, and never
the perpetrator as the victim."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("llguidance")

from summarizer.tasks.claims.cast import cast_of  # noqa: E402
from summarizer.tasks.claims.figure_grammar import figure_grammar  # noqa: E402

ARTICLE = (
    "ADIGRAT, May 2 (Wire) - Eritrean strikes killed 31 people in Adigrat, the Hill Front health office said. "
    "The office added that 4 fighters died. The Relief Office said 1.9 million people had fled."
)
NAMES = ["ADIGRAT", "Eritrean", "Hill Front health office", "The office", "Hill Front", "The Relief Office"]
CAST = cast_of(NAMES, ["place", "country", "government", "government", "armed_group", "ngo"], ARTICLE)
DRAFT = {"outcome": "killed", "victim_group": "civilians", "equipment": None, "perpetrator_side": "Eritrea"}


@pytest.fixture(scope="module")
def accepts(tiny_tokenizer):
    import llguidance.hf
    from llguidance import LLMatcher

    ll_tokenizer = llguidance.hf.from_tokenizer(tiny_tokenizer)

    def accepts(label: dict, draft: dict | None = None, cast=None) -> bool:
        lark = figure_grammar(ARTICLE, True, {"killed", "displaced"}, draft, cast)
        matcher = LLMatcher(ll_tokenizer, LLMatcher.grammar_from_lark(lark), log_level=0)
        text = json.dumps(label, ensure_ascii=False, separators=(",", ":"))
        return matcher.consume_tokens(tiny_tokenizer.encode(text, add_special_tokens=False)) and matcher.is_accepting()

    return accepts


def label(
    victim_side, claimant="Hill Front health office", claimant_side="Hill Front", group="civilians", kind="state"
):
    return {
        "outcome": "killed",
        "victim_group": group,
        "equipment": None,
        "victim_side": victim_side,
        "claimant": claimant,
        "claimant_type": kind,
        "claimant_side": claimant_side,
    }


def test_sides_come_from_the_article_and_its_cast(accepts):
    # The office is named for the cast's armed group: that is its side ("the Hillmen health ministry").
    assert accepts(label("Eritrea"), cast=CAST)
    assert not accepts(label("Eritrea", claimant_side="Eritrea"), cast=CAST)
    assert not accepts(label("Veldor"), cast=CAST)  # the worked example's country
    assert not accepts(label("Relief Office"), cast=CAST)  # an aid body is no side


def test_the_claimant_is_a_cast_member_that_can_speak_with_its_kind_as_type(accepts):
    assert accepts(label("Eritrea"), cast=CAST)
    assert not accepts(label("Eritrea", kind="ngo"), cast=CAST)  # the type is the kind the model read in the cast
    assert not accepts(label("Eritrea", claimant="ADIGRAT"), cast=CAST)  # a dateline never claims
    assert not accepts(label("Eritrea", claimant="Eritrean strikes killed"), cast=CAST)  # no free span
    # a neutral body claims with no side
    assert accepts(label("Eritrea", claimant="Relief Office", claimant_side=None, kind="ngo"), cast=CAST)
    assert not accepts(label("Eritrea", claimant="Relief Office", claimant_side="Eritrea", kind="ngo"), cast=CAST)


def test_a_generic_mention_is_written_with_its_specific_name(accepts):
    assert CAST.actors[3].canonical == "Hill Front health office"
    assert not accepts(label("Eritrea", claimant="The office"), cast=CAST)


def test_the_drafted_perpetrator_is_not_offered_as_the_victim(accepts):
    assert accepts(label(None), DRAFT, CAST)
    assert not accepts(label("Eritrea"), DRAFT, CAST)
    assert not accepts(label("Eritrea military"), DRAFT, CAST)  # the same party under another name


def test_the_claimant_side_may_still_be_the_perpetrator(tiny_tokenizer):
    import llguidance.hf
    from llguidance import LLMatcher

    article = "Eritrean strikes killed 31 people in Adigrat, Eritrea's information ministry said."
    cast = cast_of(["Eritrean", "Eritrea's information ministry"], ["country", "government"], article)
    lark = figure_grammar(article, True, {"killed"}, DRAFT, cast)
    matcher = LLMatcher(llguidance.hf.from_tokenizer(tiny_tokenizer), LLMatcher.grammar_from_lark(lark), log_level=0)
    claim = label(None, claimant="Eritrea's information ministry", claimant_side="Eritrea")
    text = json.dumps(claim, ensure_ascii=False, separators=(",", ":"))
    assert matcher.consume_tokens(tiny_tokenizer.encode(text, add_special_tokens=False)) and matcher.is_accepting()


def test_civilians_are_counted_under_a_country_or_people_not_an_armed_group(accepts):
    for group in ("civilians", "children", "women", "medical_workers", "mixed", "unspecified"):
        assert accepts(label("Eritrea", group=group), cast=CAST)
        assert not accepts(label("Hill Front", group=group), cast=CAST)
    assert accepts(label("Hill Front", group="military"), cast=CAST)  # fighters are counted under their group


def test_a_drafted_civilian_group_keeps_the_rule(accepts):
    draft = {**DRAFT, "perpetrator_side": None}
    assert accepts(label("Eritrea"), draft, CAST)
    assert not accepts(label("Hill Front"), draft, CAST)
    assert accepts(label("Hill Front", group="military"), {**draft, "victim_group": "military"}, CAST)
    # a draft that names an armed group as the civilians' side is not forced on the label
    assert accepts(label("Eritrea"), {**draft, "victim_side": "Hill Front"}, CAST)
    assert not accepts(label("Hill Front"), {**draft, "victim_side": "Hill Front"}, CAST)


def test_a_country_s_own_forces_as_attacker_leave_the_country_as_the_civilians_side(accepts):
    draft = {**DRAFT, "perpetrator_side": "Eritrea military"}
    assert accepts(label("Eritrea"), draft, CAST)  # the country's civilians, attacked by its own forces


def test_without_a_cast_a_claimant_name_is_an_article_span_not_ending_in_a_number_or_punctuation(accepts):
    assert accepts(label("Eritrea", claimant="the Hill Front health office", claimant_side=None))
    assert accepts(label("Eritrea", claimant="the Hill Front health office", claimant_side=None, kind="ngo"))
    assert not accepts(label("Eritrea", claimant="Eritrean strikes killed 31", claimant_side=None))
    assert not accepts(label("Eritrea", claimant="the Hill Front health office said.", claimant_side=None))


def test_a_drafted_claimant_that_runs_into_its_verb_is_not_offered(accepts):
    draft = {**DRAFT, "claimant": "office added"}
    assert not accepts(label(None, claimant="office added"), draft, CAST)
    assert accepts(label(None), draft, CAST)


def test_civilians_are_offered_the_peoples_near_the_figure_and_the_home_country(tiny_tokenizer):
    import llguidance.hf
    from llguidance import LLMatcher

    article = (
        "Shelling killed 12 civilians in Amsel, Syrian officials said. Syria's ministry said 40 were hurt. "
        "Turkey and Iraq closed their borders."
    )
    ll = llguidance.hf.from_tokenizer(tiny_tokenizer)
    first = (0, article.index(" Syria's"))

    def accepts(side: str) -> bool:
        grammar = figure_grammar(article, True, {"killed"}, None, None, first, first)
        matcher = LLMatcher(ll, LLMatcher.grammar_from_lark(grammar), log_level=0)
        text = json.dumps(label(side, claimant=None, claimant_side=None, kind="unattributed"), separators=(",", ":"))
        return matcher.consume_tokens(tiny_tokenizer.encode(text, add_special_tokens=False)) and matcher.is_accepting()

    assert accepts("Syria")
    assert not accepts("Turkey") and not accepts("Iraq")  # named in the article, not near the figure


def test_a_state_body_without_a_country_in_its_name_speaks_for_the_country_its_sentence_names(tiny_tokenizer):
    import llguidance.hf
    from llguidance import LLMatcher

    article = (
        "Syria's army said Hill Front raids on Amsel killed 9 soldiers, Syrian officials said. "
        "Across the border, the Border Command said 3 guards were hurt in Turkey. Syria and Iraq traded blame. "
        "A resident, Ana Kell, said 5 homes burned."
    )
    names = ["Syria's army", "Hill Front", "Border Command", "Ana Kell"]
    cast = cast_of(names, ["force", "armed_group", "government", "witness"], article)
    ll = llguidance.hf.from_tokenizer(tiny_tokenizer)
    second = (article.index("Across"), article.index(" Syria and"))

    def accepts(claimant: str, kind: str, side: str | None) -> bool:
        grammar = figure_grammar(article, True, {"injured"}, None, cast, second, second)
        matcher = LLMatcher(ll, LLMatcher.grammar_from_lark(grammar), log_level=0)
        claim = {**label("Syria", claimant=claimant, claimant_side=side, kind=kind), "outcome": "injured"}
        claim["victim_group"] = "military"
        text = json.dumps(claim, separators=(",", ":"))
        return matcher.consume_tokens(tiny_tokenizer.encode(text, add_special_tokens=False)) and matcher.is_accepting()

    assert accepts("Border Command", "state", "Turkey")  # the country its sentence names
    assert not accepts("Border Command", "state", "Syria")  # the article's own, but the sentence says where
    assert accepts("Border Command", "state", None)
    assert not accepts("Border Command", "state", "Iraq")  # named in the article, not near the figure
    assert not accepts("Border Command", "state", "Hill Front")  # a state body is no armed group's


def test_a_witness_has_no_side(tiny_tokenizer):
    import llguidance.hf
    from llguidance import LLMatcher

    article = "Hill Front raids hit Amsel in Syria. A resident, Ana Kell, said 5 people were hurt."
    cast = cast_of(["Hill Front", "Ana Kell"], ["armed_group", "witness"], article)
    ll = llguidance.hf.from_tokenizer(tiny_tokenizer)
    second = (article.index("A resident"), len(article))

    def accepts(side: str | None) -> bool:
        grammar = figure_grammar(article, True, {"injured"}, None, cast, second, second)
        matcher = LLMatcher(ll, LLMatcher.grammar_from_lark(grammar), log_level=0)
        claim = {**label("Syria", claimant="Ana Kell", claimant_side=side, kind="witness"), "outcome": "injured"}
        text = json.dumps(claim, separators=(",", ":"))
        return matcher.consume_tokens(tiny_tokenizer.encode(text, add_special_tokens=False)) and matcher.is_accepting()

    assert accepts(None)
    assert not accepts("Syria") and not accepts("Hill Front")


def test_a_drafted_claimant_is_a_person_s_name_and_never_a_piece_of_a_cast_name(tiny_tokenizer):
    import llguidance.hf
    from llguidance import LLMatcher

    article = "The toll rose to 74, according to Dr. Ana Rudi, and Governor Tomas Vell said 9 more died."
    cast = cast_of(["Dr. Ana Rudi"], ["government"], article)
    ll = llguidance.hf.from_tokenizer(tiny_tokenizer)
    whole = (0, len(article))

    def accepts(claimant: str, draft_claimant: str) -> bool:
        draft = {**DRAFT, "claimant": draft_claimant, "victim_group": "unspecified"}
        grammar = figure_grammar(article, True, {"killed"}, draft, cast, whole, whole)
        matcher = LLMatcher(ll, LLMatcher.grammar_from_lark(grammar), log_level=0)
        claim = label(None, claimant=claimant, claimant_side=None, group="unspecified")
        text = json.dumps(claim, separators=(",", ":"))
        return matcher.consume_tokens(tiny_tokenizer.encode(text, add_special_tokens=False)) and matcher.is_accepting()

    assert not accepts("Dr", "Dr")  # a piece of the cast's "Dr. Ana Rudi"
    assert accepts("Ana Rudi", "Dr")
    assert accepts("Tomas Vell", "Governor Tomas Vell")  # the rule reader's claimant, without its title
    assert not accepts("Governor Tomas Vell", "Governor Tomas Vell")


def test_an_article_that_names_no_side_gives_no_side(tiny_tokenizer):
    # Its grammar allowed any short string: the tiny model wrote "c" (of "COVID-19") as a claimant's side.
    import llguidance.hf
    from llguidance import LLMatcher

    article = "COVID-19 killed 12, officials said."
    lark = figure_grammar(article, True, {"killed"}, None, None)
    matcher = LLMatcher(llguidance.hf.from_tokenizer(tiny_tokenizer), LLMatcher.grammar_from_lark(lark), log_level=0)
    text = '{"outcome":"killed","victim_group":"civilians","equipment":null,"victim_side":'
    assert matcher.consume_tokens(tiny_tokenizer.encode(text, add_special_tokens=False))
    assert matcher.compute_ff_bytes() == b'null,"claimant":'  # nothing but null: forced


def test_the_words_after_a_figure_narrow_whose_soldiers_it_counts(tiny_tokenizer):
    import llguidance.hf
    from llguidance import LLMatcher

    article = (
        "Chad's army said its troops killed 76 fighters of the Lake Brigade near Baga in Chad. "
        "The Lake Brigade said 20 soldiers died in Niger."
    )
    cast = cast_of(["Chad's army", "Lake Brigade"], ["force", "armed_group"], article)
    ll = llguidance.hf.from_tokenizer(tiny_tokenizer)

    def accepts(number: str, side: str) -> bool:
        first = article.index(number)
        sentence = (article.rfind(". ", 0, first) + 2 if first > 90 else 0, article.index(".", first) + 1)
        grammar = figure_grammar(article, True, {"killed"}, None, cast, sentence, sentence, first + len(number))
        matcher = LLMatcher(ll, LLMatcher.grammar_from_lark(grammar), log_level=0)
        claim = {**label(side, claimant=None, claimant_side=None, group="military", kind="unattributed")}
        text = json.dumps(claim, separators=(",", ":"))
        return matcher.consume_tokens(tiny_tokenizer.encode(text, add_special_tokens=False)) and matcher.is_accepting()

    assert accepts("76", "Lake Brigade") and not accepts("76", "Chad")  # "fighters of the Lake Brigade"
    assert accepts("20", "Chad") and accepts("20", "Niger")  # a state's soldiers: a country's
    assert not accepts("20", "Lake Brigade")


def test_a_reporter_that_says_its_own_forces_did_the_harm_is_not_the_victim(tiny_tokenizer):
    import llguidance.hf
    from llguidance import LLMatcher

    article = "The Tosk Front issued a video on Monday. It said its fighters had killed 40 men of the Ravel militia."
    cast = cast_of(["Tosk Front", "Ravel militia"], ["armed_group", "armed_group"], article)
    ll = llguidance.hf.from_tokenizer(tiny_tokenizer)
    sentence = (article.index("It said"), len(article))

    def accepts(side: str) -> bool:
        grammar = figure_grammar(article, True, {"killed"}, None, cast, (0, len(article)), sentence)
        matcher = LLMatcher(ll, LLMatcher.grammar_from_lark(grammar), log_level=0)
        claim = label(side, claimant="Tosk Front", claimant_side="Tosk Front", group="military", kind="armed_group")
        text = json.dumps(claim, separators=(",", ":"))
        return matcher.consume_tokens(tiny_tokenizer.encode(text, add_special_tokens=False)) and matcher.is_accepting()

    assert accepts("Ravel") and not accepts("Tosk Front")


def test_a_party_its_sentence_names_as_doing_the_harm_is_not_the_victim(tiny_tokenizer):
    import llguidance.hf
    from llguidance import LLMatcher

    article = "The Lake Brigade said its fighters had killed 40 soldiers in Chad."
    cast = cast_of(["Lake Brigade"], ["armed_group"], article)
    ll = llguidance.hf.from_tokenizer(tiny_tokenizer)
    whole = (0, len(article))

    def accepts(side: str) -> bool:
        grammar = figure_grammar(article, True, {"killed"}, None, cast, whole, whole)
        matcher = LLMatcher(ll, LLMatcher.grammar_from_lark(grammar), log_level=0)
        claim = label(side, claimant="Lake Brigade", claimant_side="Lake Brigade", group="military", kind="armed_group")
        text = json.dumps(claim, separators=(",", ":"))
        return matcher.consume_tokens(tiny_tokenizer.encode(text, add_special_tokens=False)) and matcher.is_accepting()

    assert accepts("Chad") and not accepts("Lake Brigade")


def test_a_drafted_side_the_sentence_names_as_the_attacker_is_not_forced(tiny_tokenizer):
    import llguidance.hf
    from llguidance import LLMatcher

    article = "Peruvian troops killed 40 civilians near Arica, Chile's health office said. Chile mourned."
    cast = cast_of(["Peruvian", "Chile's health office"], ["country", "government"], article)
    sentence = (0, article.index(" Chile mourned"))
    draft = {**DRAFT, "perpetrator_side": None, "victim_side": "Peru"}  # the rule reader's misreading
    lark = figure_grammar(article, True, {"killed"}, draft, cast, sentence, sentence)
    tokenizer = llguidance.hf.from_tokenizer(tiny_tokenizer)

    def accepts(victim_side: str) -> bool:
        matcher = LLMatcher(tokenizer, LLMatcher.grammar_from_lark(lark), log_level=0)
        claim = label(victim_side, claimant="Chile's health office", claimant_side="Chile")
        text = json.dumps(claim, ensure_ascii=False, separators=(",", ":"))
        return matcher.consume_tokens(tiny_tokenizer.encode(text, add_special_tokens=False)) and matcher.is_accepting()

    assert accepts("Chile")
    assert not accepts("Peru")


def test_homes_and_schools_are_counted_under_a_country_or_people_not_an_armed_group(accepts):
    homes = {**DRAFT, "outcome": "equipment_destroyed", "victim_group": "military", "equipment": "homes"}
    tanks = {**homes, "equipment": "tanks"}

    def destroyed(side: str | None, equipment: str) -> dict:
        return {**label(side, group="military"), "outcome": "equipment_destroyed", "equipment": equipment}

    homes["perpetrator_side"] = tanks["perpetrator_side"] = None
    assert accepts(destroyed("Eritrea", "homes"), homes, CAST)
    assert not accepts(destroyed("Hill Front", "homes"), homes, CAST)
    assert accepts(destroyed("Hill Front", "tanks"), tanks, CAST)  # an armed group's own equipment


def test_a_drafted_people_is_not_forced_on_a_state_s_soldiers(tiny_tokenizer):
    import llguidance.hf
    from llguidance import LLMatcher

    article = "Tosk villagers fled the hills. In a separate clash, the Chadian army said two soldiers were killed."
    cast = cast_of(["Tosk", "Chadian army"], ["country", "force"], article)
    sentence = (article.index("In a"), len(article))
    draft = {**DRAFT, "victim_group": "military", "victim_side": "Tosk", "perpetrator_side": None}
    lark = figure_grammar(article, True, {"killed"}, draft, cast, sentence, sentence, article.index(" soldiers"))
    ll = llguidance.hf.from_tokenizer(tiny_tokenizer)

    def accepts(side: str) -> bool:
        matcher = LLMatcher(ll, LLMatcher.grammar_from_lark(lark), log_level=0)
        claim = label(side, claimant="Chadian army", claimant_side="Chad", group="military")
        text = json.dumps(claim, ensure_ascii=False, separators=(",", ":"))
        return matcher.consume_tokens(tiny_tokenizer.encode(text, add_special_tokens=False)) and matcher.is_accepting()

    assert accepts("Chad") and not accepts("Tosk")


def test_the_drafted_claimant_of_the_sentence_before_yields_to_who_reports_in_this_one(tiny_tokenizer):
    import llguidance.hf
    from llguidance import LLMatcher

    article = "The Ravel police said riots went on. Inspector Ada Brenner told reporters that 9 officers died."
    cast = cast_of(["Ada Brenner"], ["government"], article)  # the police not in the cast: the draft's alone
    sentence = (article.index("Inspector"), len(article))
    draft = {**DRAFT, "victim_group": "military", "claimant": "Ravel police", "perpetrator_side": None}
    lark = figure_grammar(article, True, {"killed"}, draft, cast, (0, len(article)), sentence)
    ll = llguidance.hf.from_tokenizer(tiny_tokenizer)

    def accepts(claimant: str) -> bool:
        matcher = LLMatcher(ll, LLMatcher.grammar_from_lark(lark), log_level=0)
        claim = label(None, claimant=claimant, claimant_side=None, group="military")
        text = json.dumps(claim, ensure_ascii=False, separators=(",", ":"))
        return matcher.consume_tokens(tiny_tokenizer.encode(text, add_special_tokens=False)) and matcher.is_accepting()

    assert accepts("Ada Brenner") and not accepts("Ravel police")


def test_a_country_whose_forces_did_the_harm_is_no_soldiers_side_but_may_be_the_civilians(tiny_tokenizer):
    import llguidance.hf
    from llguidance import LLMatcher

    article = "Chadian troops had killed 30 villagers and 12 Nigerien soldiers near Lake Fitri, officials said."
    whole = (0, len(article))
    ll = llguidance.hf.from_tokenizer(tiny_tokenizer)

    def accepts(side: str, group: str) -> bool:
        lark = figure_grammar(article, True, {"killed"}, None, None, whole, whole)
        matcher = LLMatcher(ll, LLMatcher.grammar_from_lark(lark), log_level=0)
        claim = label(side, claimant=None, claimant_side=None, group=group, kind="unattributed")
        text = json.dumps(claim, ensure_ascii=False, separators=(",", ":"))
        return matcher.consume_tokens(tiny_tokenizer.encode(text, add_special_tokens=False)) and matcher.is_accepting()

    assert accepts("Chad", "civilians")  # a state's forces may kill its own civilians
    assert not accepts("Chad", "military") and accepts("Niger", "military")
    # where another country is named as the place, the attacker's (here the home country) is not the civilians'
    across = (
        "Fighting in Chad went on, and Chad shut its border. "
        "Across the border in Niger, officials said shells fired by Chadian forces had killed 5 civilians."
    )
    sentence = (across.index("Across"), len(across))
    lark = figure_grammar(across, True, {"killed"}, None, None, sentence, sentence)
    text = json.dumps(label("Chad", claimant=None, claimant_side=None, kind="unattributed"), separators=(",", ":"))
    matcher = LLMatcher(ll, LLMatcher.grammar_from_lark(lark), log_level=0)
    tokens = tiny_tokenizer.encode(text, add_special_tokens=False)
    assert not (matcher.consume_tokens(tokens) and matcher.is_accepting())


def test_the_party_in_a_spokesman_s_title_is_the_attacker_of_what_its_forces_did(tiny_tokenizer):
    import llguidance.hf
    from llguidance import LLMatcher

    article = "Hill Front spokesman Ada Brenner said the group's fighters had killed 40 soldiers of the Ravel militia."
    kinds = {"Hill Front": "armed_group", "Ada Brenner": "government", "Ravel militia": "armed_group"}
    cast = cast_of(list(kinds), list(kinds.values()), article)
    whole = (0, len(article))
    ll = llguidance.hf.from_tokenizer(tiny_tokenizer)

    def accepts(side: str) -> bool:
        lark = figure_grammar(article, True, {"killed"}, None, cast, whole, whole)
        matcher = LLMatcher(ll, LLMatcher.grammar_from_lark(lark), log_level=0)
        claim = label(side, claimant="Ada Brenner", claimant_side=None, group="military", kind="state")
        text = json.dumps(claim, ensure_ascii=False, separators=(",", ":"))
        return matcher.consume_tokens(tiny_tokenizer.encode(text, add_special_tokens=False)) and matcher.is_accepting()

    assert accepts("Ravel") and not accepts("Hill Front")


def test_reporters_of_one_side_name_the_attacker_when_their_forces_did_the_harm():
    from summarizer.tasks.claims.figure_grammar import _reporters_sides, article_sides

    article = (
        "Col. Ada Brenner, who speaks for the Tosk Front's military, announced that the group's gunners "
        "had downed another Ravel drone on Monday, taking to 22 the drones the group says it has hit."
    )
    names = ["Tosk Front's military", "Col. Ada Brenner", "group", "Ravel"]
    kinds = ["armed_group", "government", "armed_group", "armed_group"]
    cast = cast_of(names, kinds, article)
    whole = (0, len(article))
    assert _reporters_sides(cast, article, whole, whole, article_sides(article, cast)) == {"Tosk Front"}
    both = "The Tosk Front and the Ravel militia spoke on Monday. They said their units had killed 12 men."
    cast = cast_of(["Tosk Front", "Ravel militia"], ["armed_group", "armed_group"], both)
    sentence = (both.index("They"), len(both))
    assert _reporters_sides(cast, both, (0, len(both)), sentence, article_sides(both, cast)) == set()


def test_a_figure_whose_sentence_names_no_outcome_first_quotes_words_of_that_sentence(tiny_tokenizer):
    import llguidance.hf
    from llguidance import LLMatcher

    article = "The Tosk Front said 40 people in Orla need food aid. It said 9 fighters were killed."
    ll = llguidance.hf.from_tokenizer(tiny_tokenizer)
    first = (0, article.index(" It said"))

    def accepts(text: str, draft: dict | None = None, grounded: bool = True, outcomes: set | None = None) -> bool:
        lark = figure_grammar(article, grounded, outcomes, draft, None, first, first)
        matcher = LLMatcher(ll, LLMatcher.grammar_from_lark(lark), log_level=0)
        return matcher.consume_tokens(tiny_tokenizer.encode(text, add_special_tokens=False)) and matcher.is_accepting()

    assert accepts('{"what":"need food aid","outcome":"none"}')
    assert not accepts('{"what":"were killed","outcome":"none"}')  # another sentence's words
    assert not accepts('{"outcome":"none"}')  # the quote comes first
    assert accepts('{"what":"were killed","outcome":"none"}', grounded=False)  # ungrounded: any short text
    # the sentence's words name the outcome (the grammar offers those), or the rule reader decided: no quote
    assert accepts('{"outcome":"none"}', outcomes={"killed"})
    assert not accepts('{"what":"need food aid","outcome":"none"}', outcomes={"killed"})
    drafted = '{"outcome":"killed","victim_group":"civilians","equipment":null,"victim_side":null,"claimant":null,'
    drafted += '"claimant_type":"unattributed","claimant_side":null}'
    assert accepts(drafted, draft={**DRAFT, "perpetrator_side": None})


def _label_accepts(tiny_tokenizer, article, cast, number, claim, draft=None):
    """Whether the label grammar of the figure ``number`` (its sentence as its window) takes ``claim``."""
    import llguidance.hf
    from llguidance import LLMatcher

    first = article.index(number)
    start = max(article.rfind(". ", 0, first) + 2, 0) if article.rfind(". ", 0, first) >= 0 else 0
    sentence = (start, article.index(".", first) + 1)
    window = (0, len(article))
    lark = figure_grammar(article, True, {"killed"}, draft, cast, window, sentence, first + len(number))
    matcher = LLMatcher(llguidance.hf.from_tokenizer(tiny_tokenizer), LLMatcher.grammar_from_lark(lark), log_level=0)
    text = json.dumps(claim, ensure_ascii=False, separators=(",", ":"))
    return matcher.consume_tokens(tiny_tokenizer.encode(text, add_special_tokens=False)) and matcher.is_accepting()


def test_a_person_speaks_for_the_side_of_the_title_the_article_introduces_them_with(tiny_tokenizer):
    # The Chadian army's spokesman: Chad, even where the figure's sentence names only Niger's town
    # and a person read as an armed group is never a side by their own name.
    article = (
        "The Chadian army's spokesman in the east, Col. Ada Brenner, spoke on Monday. "
        "Brenner said 40 fighters of the Tosk Front were killed near Diffa in Niger."
    )
    kinds = {"Chadian army": "force", "Col. Ada Brenner": "armed_group", "Tosk Front": "armed_group"}
    cast = cast_of(list(kinds), list(kinds.values()), article)

    def claim(claimant_side):
        return label("Tosk Front", "Ada Brenner", claimant_side, group="military", kind="armed_group")

    assert _label_accepts(tiny_tokenizer, article, cast, "40", claim("Chad"))
    assert not _label_accepts(tiny_tokenizer, article, cast, "40", claim("Niger"))
    assert not _label_accepts(tiny_tokenizer, article, cast, "40", claim("Ada Brenner"))


def test_soldiers_police_or_fighters_counted_are_military_whatever_the_draft_says(tiny_tokenizer):
    article = "The army said its troops had killed more than 200 K4 Front fighters near Kessa."
    cast = cast_of(["army", "K4 Front"], ["force", "armed_group"], article)  # a name with digits is a name
    unspecified = {"outcome": "killed", "victim_group": "unspecified", "equipment": None}
    military = label("K4 Front", claimant=None, claimant_side=None, group="military", kind="unattributed")
    assert _label_accepts(tiny_tokenizer, article, cast, "200", military, unspecified)
    assert _label_accepts(tiny_tokenizer, article, cast, "200", military)
    for group in ("unspecified", "civilians"):
        assert not _label_accepts(tiny_tokenizer, article, cast, "200", {**military, "victim_group": group})


def test_civilians_a_people_s_own_official_counts_may_be_that_people_s(tiny_tokenizer):
    # "Kessa Serbs": a people by its words, though read as an NGO; its ombudsman reports its dead
    # in a sentence that names no one, in an article that names Croatia most.
    article = (
        "Croatia said its police had secured the valley. Croatia's ministry said the roads were open. "
        "The Kessa Serbs' human rights ombudsman, Ana Kell, gave another account. "
        "She said 30 people had been killed."
    )
    kinds = {"Croatia": "country", "Kessa Serbs": "ngo", "Ana Kell": "ngo"}
    cast = cast_of(list(kinds), list(kinds.values()), article)

    def claim(side):
        return {**label(side, "Ana Kell", None, group="unspecified", kind="ngo")}

    assert _label_accepts(tiny_tokenizer, article, cast, "30", claim("Kessa Serbs"))
    assert _label_accepts(tiny_tokenizer, article, cast, "30", claim("Croatia"))
