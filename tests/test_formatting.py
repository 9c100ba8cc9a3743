"""One fmt for every table: each output keeps its own placeholder for a missing value."""

from __future__ import annotations

import pytest

from summarizer.reporting.formatting import EN_DASH, HYPHEN, NOT_AVAILABLE, ci_bounds, fmt, fmt_ci, fmt_interval

CASES = [
    # (value, keyword arguments, expected)
    (None, {}, "–"),
    (None, {"missing": HYPHEN}, "-"),
    (None, {"missing": NOT_AVAILABLE}, "n/a"),
    (0.80912, {}, "0.809"),
    (0.80912, {"digits": 1}, "0.8"),
    (3, {}, "3"),
    (True, {}, "yes"),
    (False, {"missing": HYPHEN}, "no"),
    (12345.678, {"digits": 2, "grouping": True, "unit": " ms"}, "12,345.68 ms"),
    (1234567, {"grouping": True}, "1,234,567"),
    ("rules", {}, "rules"),
]


@pytest.mark.parametrize("value, kwargs, expected", CASES)
def test_fmt(value, kwargs, expected):
    assert fmt(value, **kwargs) == expected


def test_intervals_as_lists_or_mappings_and_missing_ones():
    assert ci_bounds({"low": 0.1, "high": 1}) == (0.1, 1.0) and ci_bounds([None, 1]) is None
    assert fmt_interval([0.714, 0.8971]) == "[0.714, 0.897]" and fmt_interval(None, HYPHEN) == "-"
    assert fmt_ci(0.809, [0.714, 0.897]) == "0.809 [0.714, 0.897]" and fmt_ci(0.5, None) == "0.500"
    assert fmt_ci(None, None) == EN_DASH


# -- short display names of models (issue 22, found on the way) ----------------------------------
@pytest.mark.parametrize(
    "model, shown",
    [
        ("/root/.cache/real-models/qwen2.5-coder-0.5b-instruct.gguf", "qwen2.5-coder-0.5b-instruct.gguf"),
        ("./models/tiny/", "tiny"),
        ("~/models/smollm2", "smollm2"),
        ("Qwen/Qwen2.5-0.5B-Instruct", "Qwen/Qwen2.5-0.5B-Instruct"),
        ("rules", "rules"),
    ],
)
def test_a_local_model_is_shown_by_its_file_or_folder_name(model, shown):
    from summarizer.reporting.formatting import display_name

    assert display_name(model) == shown


def test_the_leaderboard_table_names_models_by_their_short_name_and_the_json_keeps_the_path():
    from summarizer.tasks.claims.leaderboard import render_leaderboard_markdown

    path = "/root/.cache/real-models/qwen2.5-coder-0.5b-instruct.gguf"
    board = {"n_articles": 1, "models": [{"model": path, "slug": "qwen", "claim_f1": 0.5}], "article_f1": {}}
    text = render_leaderboard_markdown(board)
    assert "| 1 | qwen2.5-coder-0.5b-instruct.gguf |" in text and "/root/.cache" not in text
    assert board["models"][0]["model"] == path


@pytest.mark.parametrize(
    "entry, shown",
    [
        ({"model": "/root/.cache/real-models/qwen2.5-coder-0.5b-instruct.gguf"}, "qwen2.5-coder-0.5b-instruct.gguf"),
        ({"model": "/root/.cache/real-models/qwen2.5-coder-0.5b-instruct.gguf", "name": "Coder 0.5B"}, "Coder 0.5B"),
        ({"model": "rules", "name": None}, "rules"),  # a leaderboard row of a report written before --name
    ],
)
def test_a_model_is_shown_by_the_name_given_else_its_short_name(entry, shown):
    from summarizer.reporting.formatting import model_name

    assert model_name(entry) == shown


def test_the_chart_and_the_matrix_name_models_by_the_name_given(tmp_path, monkeypatch):
    from matplotlib.axes import Axes

    from summarizer.tasks.claims.leaderboard import render_leaderboard_markdown, write_leaderboard_png

    path = "/root/.cache/real-models/qwen2.5-coder-0.5b-instruct.gguf"
    board = {
        "n_articles": 1,
        "models": [
            {"model": path, "name": "Coder 0.5B", "slug": "Coder-0.5B", "claim_f1": 0.5, "strict_f1": 0.25},
            {"model": "rules", "name": "rules", "slug": "rules", "claim_f1": 0.4, "strict_f1": 0.2},
        ],
        "article_f1": {"articles": ["a1"], "models": [path, "rules"], "f1": [[0.5, 0.4]]},
    }
    labels: list[list[str]] = []
    real = Axes.set_xticklabels

    def record(self, names, **kwargs):
        labels.append(list(names))
        return real(self, names, **kwargs)

    monkeypatch.setattr(Axes, "set_xticklabels", record)
    write_leaderboard_png(board, tmp_path / "leaderboard.png")
    assert labels == [["Coder 0.5B", "rules"]]
    text = render_leaderboard_markdown(board)
    assert "| 1 | Coder 0.5B |" in text and "| article | Coder 0.5B | rules |" in text and "/root/" not in text
