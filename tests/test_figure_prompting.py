"""The figure prompt's worked example: it teaches on the figures the parser asks about."""

from __future__ import annotations

from summarizer.tasks.claims.actors import find_candidates
from summarizer.tasks.claims.cast import suggested_kind
from summarizer.tasks.claims.figure_prompting import actor_request, figure_prompt_parts, figure_request
from summarizer.tasks.claims.figures import find_figures


def test_each_worked_figure_is_one_the_parser_asks_about_in_that_sentence():
    parts = figure_prompt_parts()
    article = parts.example["article"]
    asked = {figure_request(article, f, parts) for f in find_figures(article)}
    left_out = []
    for item in parts.example["figures"]:
        request = parts.figure.replace("{figure}", item["figure"]).replace("{sentence}", item["sentence"])
        if request not in asked:
            left_out.append(item["figure"])
            # what the parser leaves out of scope is never a claim: the example shows the answer anyway
            assert item["label"]["outcome"] == "none", item["figure"]
    assert left_out == ["3,000", "200"]  # troops deployed, rifles seized


def test_the_example_answers_none_for_figures_that_count_no_harm():
    parts = figure_prompt_parts()
    nones = [item["figure"] for item in parts.example["figures"] if item["label"]["outcome"] == "none"]
    # troops deployed, a city's population, people in need, people interviewed, weapons seized
    assert nones == ["3,000", "400,000", "90,000", "45", "200"]
    assert {item["figure"]: item["label"]["what"] for item in parts.example["figures"] if item["figure"] in nones} == {
        "3,000": "has deployed",
        "400,000": "a port of about",
        "90,000": "need food aid",
        "45": "had interviewed",
        "200": "had seized",
    }


def test_each_worked_label_first_quotes_its_sentence_as_the_grammar_asks(tiny_tokenizer):
    import json

    import llguidance.hf
    from llguidance import LLMatcher

    from summarizer.tasks.claims.figure_grammar import figure_grammar

    ll = llguidance.hf.from_tokenizer(tiny_tokenizer)
    parts = figure_prompt_parts()
    article = parts.example["article"]
    for item in parts.example["figures"]:
        label = item["label"]
        sentence = item["sentence"].replace("[", "").replace("]", "")
        assert list(label)[:2] == ["what", "outcome"] and label["what"] in sentence, item["figure"]
        if label["outcome"] == "none":  # a claim names the example's cast, which this grammar has not read
            start = article.index(sentence)
            lark = figure_grammar(article, True, None, None, None, None, (start, start + len(sentence)))
            matcher = LLMatcher(ll, LLMatcher.grammar_from_lark(lark), log_level=0)
            tokens = tiny_tokenizer.encode(json.dumps(label, separators=(",", ":")), add_special_tokens=False)
            assert matcher.consume_tokens(tokens) and matcher.is_accepting(), item["figure"]


def test_an_actor_request_shows_the_kind_its_name_suggests_and_only_then():
    article = "The Lowland Relief Network said 40 people fled. Tomas Ruiz said the road was shelled."
    ruiz = next(c for c in find_candidates(article) if c.text == "Tomas Ruiz")
    network = next(c for c in find_candidates(article) if c.text == "Lowland Relief Network")
    assert actor_request(article, network).endswith('Relief Network] said 40 people fled." Its name suggests: ngo.')
    assert actor_request(article, ruiz) == 'Actor [Tomas Ruiz] in "[Tomas Ruiz] said the road was shelled."'


def test_the_example_cast_follows_most_suggestions_and_overrides_one_in_context():
    parts = figure_prompt_parts()
    article = parts.example["article"]
    hinted = [(c["actor"], suggested_kind(c["actor"], article), c["kind"]["kind"]) for c in parts.example["cast"]]
    overridden = [(name, hint, kind) for name, hint, kind in hinted if hint and hint != kind]
    assert overridden == [("police", "force", "victims")]  # "Four police officers were also killed"
    assert sum(1 for _, hint, kind in hinted if hint == kind) == 8
