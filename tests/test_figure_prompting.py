"""The figure prompt's worked example: it teaches on the figures the parser asks about."""

from __future__ import annotations

from summarizer.tasks.claims.figure_prompting import figure_prompt_parts, figure_request
from summarizer.tasks.claims.figures import find_figures


def test_each_worked_figure_is_one_the_parser_asks_about_in_that_sentence():
    parts = figure_prompt_parts()
    article = parts.example["article"]
    asked = {figure_request(article, f, parts) for f in find_figures(article)}
    for item in parts.example["figures"]:
        if item["figure"] == "3,000":  # troops deployed: the parser leaves it out; the example shows the answer anyway
            continue
        request = parts.figure.replace("{figure}", item["figure"]).replace("{sentence}", item["sentence"])
        assert request in asked, item["figure"]


def test_the_example_answers_none_for_figures_that_count_no_harm():
    parts = figure_prompt_parts()
    nones = [item["figure"] for item in parts.example["figures"] if item["label"] == {"outcome": "none"}]
    # troops deployed, a city's population, people in need, people interviewed, weapons seized
    assert nones == ["3,000", "400,000", "90,000", "45", "200"]
