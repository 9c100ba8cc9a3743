"""compare end to end: every report file, leaderboard numbers equal to each model's report, resuming, bad input.

The ``flaky-test`` backend (the rules baseline, under another model id) is in conftest.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.core.errors import InputError
from summarizer.core.records import ExtractOptions
from summarizer.evaluation.compare import compare
from summarizer.store import RunStore

REPORT_FILES = ("report.json", "report.md", "review.html")
LEADERBOARD_FILES = ("leaderboard.json", "leaderboard.md", "leaderboard.png")

TINY_OPTIONS = ExtractOptions(max_new_tokens=8)


def read_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> Path:
    pytest.importorskip("torch")
    from summarizer.testing.tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny") / "tiny-model")


def cpu(model: str) -> dict:
    return {} if model == "rules" else {"device": "cpu"}


@pytest.fixture(scope="module")
def comparison(tmp_path_factory, seeds_dir, tiny_model):
    root = tmp_path_factory.mktemp("compare")
    outcome = compare(
        ["rules", str(tiny_model)],
        seeds_dir,
        root / "out",
        root / "runs.sqlite3",
        options=TINY_OPTIONS,
        backend_kwargs=cpu,
    )
    return outcome, root


@pytest.mark.slow  # loads torch and the tiny model once for the module
def test_compare_writes_every_report_file(comparison):
    outcome, root = comparison
    out = root / "out"
    for name in LEADERBOARD_FILES:
        assert (out / name).is_file()
    for slug in ("rules", "tiny-model"):
        for name in REPORT_FILES:
            assert (out / slug / name).is_file(), f"{slug}/{name}"
    assert (out / "leaderboard.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in outcome.files) == sorted(LEADERBOARD_FILES)


@pytest.mark.slow  # loads torch and the tiny model once for the module
def test_leaderboard_numbers_are_each_models_report_numbers(comparison):
    _, root = comparison
    out = root / "out"
    board = read_json(out / "leaderboard.json")
    assert [row["slug"] for row in board["models"]] == ["rules", "tiny-model"]  # sorted by F1
    f1s = [row["claim_f1"] for row in board["models"]]
    assert f1s == sorted(f1s, reverse=True)
    markdown = (out / "leaderboard.md").read_text(encoding="utf-8")
    for row in board["models"]:
        report = read_json(out / row["slug"] / "report.json")
        assert row["model"] == report["model"]
        assert row["claim_f1"] == report["claim_f1"] and row["strict_f1"] == report["strict_f1"]
        assert row["claim_f1_ci"] == report["ci"]["claim_f1"] and row["strict_f1_ci"] == report["ci"]["strict_f1"]
        for key in (
            "count_accuracy",
            "mean_field_accuracy",
            "validity_rate",
            "grounding_rate",
            "hallucinated_number_rate",
            "summary_invented_number_rate",
            "summaries_with_invented_number_rate",
            "seconds_per_article",
            "tokens_per_second",
        ):
            assert row[key] == report[key], key
        lo, hi = row["claim_f1_ci"]
        assert f"{row['claim_f1']:.3f} [{lo:.3f}, {hi:.3f}]" in markdown
    matrix = board["article_f1"]
    assert matrix["articles"] == sorted(matrix["articles"]) and len(matrix["articles"]) == 5
    for column, row in enumerate(board["models"]):
        report = read_json(out / row["slug"] / "report.json")
        assert [line[column] for line in matrix["f1"]] == [r["f1"] for r in report["per_article"]]


@pytest.mark.slow  # loads torch and the tiny model once for the module
def test_the_tiny_model_runs_through_the_real_backend(comparison):
    outcome, _ = comparison
    tiny = outcome.results[1].report
    assert tiny["n_generated"] == 5 and sum(tiny["statuses"].values()) == 5
    assert tiny["tokens_per_second"] > 0  # real token counts came back from the decoder
    # A random model cut off at 8 tokens writes no document: every article counts as invalid.
    assert tiny["validity_rate"] == pytest.approx(tiny["statuses"].get("ok", 0) / 5)


@pytest.mark.slow  # loads torch and the tiny model once for the module
def test_rerunning_a_comparison_generates_nothing(comparison, seeds_dir, tiny_model):
    _, root = comparison
    with RunStore(root / "runs.sqlite3") as store:
        before = store.count()
    again = compare(
        ["rules", str(tiny_model)], seeds_dir, None, root / "runs.sqlite3", options=TINY_OPTIONS, backend_kwargs=cpu
    )
    assert [r.n_generated for r in again.results] == [0, 0]
    with RunStore(root / "runs.sqlite3") as store:
        assert store.count() == before == 10
    board = read_json(root / "out" / "leaderboard.json")
    assert [row["claim_f1"] for row in again.leaderboard["models"]] == [row["claim_f1"] for row in board["models"]]


def test_ctrl_c_during_compare_resumes_without_recomputing(tmp_path, seeds_dir):
    store_path = tmp_path / "runs.sqlite3"

    def interrupt_midway(event):
        if event.model == "flaky" and event.done == 2:
            raise KeyboardInterrupt

    models = ["rules", "flaky"]

    def kwargs(model):
        return {"backend": "flaky-test", "fail_on": "no such text"} if model == "flaky" else {}

    with pytest.raises(KeyboardInterrupt):
        compare(models, seeds_dir, tmp_path / "out", store_path, progress=interrupt_midway, backend_kwargs=kwargs)
    with RunStore(store_path) as store:
        assert store.count() == 5 + 2  # rules finished, flaky did two articles
    resumed = compare(models, seeds_dir, tmp_path / "out", store_path, backend_kwargs=kwargs)
    assert [(r.n_generated, r.n_cached) for r in resumed.results] == [(0, 5), (3, 2)]
    with RunStore(store_path) as store:
        assert store.count() == 10
    assert (tmp_path / "out" / "leaderboard.md").is_file()


def test_compare_refuses_the_same_model_twice(tmp_path, seeds_dir):
    with pytest.raises(InputError, match="same model twice"):
        compare(["rules", "rules"], seeds_dir, store=tmp_path / "runs.sqlite3")


def test_compare_checks_every_model_before_running_the_first(tmp_path, seeds_dir):
    from summarizer.core.errors import ModelError

    store = tmp_path / "runs.sqlite3"
    with pytest.raises(ModelError, match="no such file or folder"):
        compare(["rules", str(tmp_path / "missing-model")], seeds_dir, tmp_path / "out", store)
    with RunStore(store) as opened:
        assert opened.count() == 0  # rules never ran
    assert not (tmp_path / "out").exists()


def test_models_are_named_by_their_file_name_or_the_name_given(tmp_path, seeds_dir):
    """Issue 22: tables, the chart's data and the review page show a short name; the JSON keeps the model."""
    gguf_file = tmp_path / "cache" / "real-models" / "coder-0.5b.gguf"  # served by the rules, under this id
    gguf_file.parent.mkdir(parents=True)
    gguf_file.touch()
    gguf = str(gguf_file)

    def kwargs(model):
        return {"backend": "flaky-test", "fail_on": "no such text"} if model == gguf else {}

    store = tmp_path / "runs.sqlite3"
    for names, shown, folders in (
        (None, ["rules", "coder-0.5b.gguf"], ["rules", "coder-0.5b"]),
        (["baseline", "Coder 0.5B"], ["baseline", "Coder 0.5B"], ["baseline", "Coder-0.5B"]),
    ):
        out = tmp_path / f"out-{bool(names)}"
        outcome = compare(["rules", gguf], seeds_dir, out, store, backend_kwargs=kwargs, names=names)
        board = read_json(out / "leaderboard.json")
        assert [(row["model"], row["name"], row["slug"]) for row in board["models"]] == [
            ("rules", shown[0], folders[0]),
            (gguf, shown[1], folders[1]),
        ]
        assert [r.slug for r in outcome.results] == folders
        markdown = (out / "leaderboard.md").read_text(encoding="utf-8")
        assert f"| 2 | {shown[1]} |" in markdown and f"| article | {shown[0]} | {shown[1]} |" in markdown
        assert str(tmp_path) not in markdown
        report = read_json(out / folders[1] / "report.json")
        assert (report["model"], report["name"]) == (gguf, shown[1])
        assert f"<title>Review: {shown[1]}</title>" in (out / folders[1] / "review.html").read_text(encoding="utf-8")
        assert (out / folders[1] / "report.md").read_text(encoding="utf-8").startswith(f"# Evaluation of {shown[1]}\n")


@pytest.mark.parametrize(
    "names, problem",
    [(["only one"], "1 names for 2 models"), (["same", "same"], "the same name twice: same")],
)
def test_names_must_be_one_per_model_and_distinct(tmp_path, seeds_dir, names, problem):
    with pytest.raises(InputError, match=problem):
        compare(["rules", "flaky"], seeds_dir, store=tmp_path / "runs.sqlite3", names=names)
