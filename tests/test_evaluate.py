"""eval end to end: reports on disk, numbers consistent with the scorer, bad input.

The ``flaky-test`` backend (the rules baseline that fails on one article) is in conftest.py."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from summarizer.backends.registry import get_backend
from summarizer.core.dataset import load_dataset
from summarizer.core.errors import InputError
from summarizer.core.records import ExtractOptions
from summarizer.evaluation.compare import compare
from summarizer.evaluation.evaluate import evaluate, model_slug
from summarizer.store import RunStore
from summarizer.tasks.claims.scoring import score_documents

REPORT_FILES = ("report.json", "report.md", "review.html")
# The tiny random model only has to run: a few tokens per article keep the test fast.
TINY_OPTIONS = ExtractOptions(max_new_tokens=8)


def read_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def copy_seeds(seeds_dir: Path, target: Path) -> Path:
    shutil.copytree(seeds_dir / "articles", target / "articles")
    shutil.copytree(seeds_dir / "labels", target / "labels")
    return target


# -- eval --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def rules_eval(tmp_path_factory, seeds_dir):
    root = tmp_path_factory.mktemp("eval")
    result = evaluate("rules", seeds_dir, out_dir=root / "out", store=root / "runs.sqlite3")
    return result, root / "out"


def test_eval_writes_the_three_reports(rules_eval):
    _, out = rules_eval
    for name in REPORT_FILES:
        assert (out / name).is_file() and (out / name).stat().st_size > 100


def test_eval_numbers_are_the_scorers_numbers(rules_eval, seeds_dir):
    """Independently: run the rules baseline on every seed and score; report.json must agree."""
    result, out = rules_eval
    dataset = load_dataset(seeds_dir)
    rules = get_backend("rules")
    pred = {i: rules.extract(dataset.articles[i], ExtractOptions()).document for i in dataset.labels}
    expected = score_documents(dataset.labels, pred, dataset.articles)
    report = read_json(out / "report.json")
    for key in (
        "claim_precision",
        "claim_recall",
        "claim_f1",
        "strict_f1",
        "validity_rate",
        "grounding_rate",
        "count_accuracy",
        "mean_field_accuracy",
        "summary_invented_number_rate",
        "summaries_with_invented_number_rate",
        "ci",
        "per_field",
    ):
        assert report[key] == expected[key], key
    assert [row["f1"] for row in report["per_article"]] == [row["f1"] for row in expected["per_article"]]
    assert report["model"] == "rules" and report["n_articles"] == 5
    assert (report["n_generated"], report["n_cached"]) == (5, 0)
    assert report["statuses"] == {"ok": 5} and report["seconds_per_article"] > 0
    assert result.report["claim_f1"] == report["claim_f1"]


def test_report_json_has_the_keys_of_score_json(rules_eval):
    report = read_json(rules_eval[1] / "report.json")
    score_keys = {
        "claim_precision",
        "claim_recall",
        "claim_f1",
        "strict_f1",
        "validity_rate",
        "grounding_rate",
        "hallucinated_number_rate",
        "n_articles",
        "n_gold_claims",
        "n_pred_claims",
        "per_article",
        "per_field",
        "ci",
        "macro_f1",
        "problems",
        "inputs",
        "summary_invented_number_rate",
        "summaries_with_invented_number_rate",
    }
    assert score_keys <= set(report)
    assert set(report["problems"]) == {
        "missing_predictions",
        "invalid_predictions",
        "stray_predictions",
        "unreadable_gold",
        "unreadable_articles",
    }
    assert {"model", "n_generated", "n_cached", "seconds_per_article", "tokens_per_second"} <= set(report)


def test_report_md_and_review_show_the_same_numbers(rules_eval):
    out = rules_eval[1]
    report = read_json(out / "report.json")
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert f"| Claim F1 (lenient) | {report['claim_f1']:.3f} [{report['ci']['claim_f1'][0]:.3f}," in markdown
    invented, invented_ci = report["summary_invented_number_rate"], report["ci"]["summary_invented_number_rate"]
    assert f"| Invented numbers in summaries | {invented:.3f} [{invented_ci[0]:.3f}," in markdown
    page = (out / "review.html").read_text(encoding="utf-8")
    for row in report["per_article"]:
        assert f'<span class="badge">F1 {row["f1"]:.3f}</span>' in page
    marked = page.count('<mark class="invented" title=')  # the legend's has no title
    assert marked == report["n_summary_invented"] == 0  # the rules summary states only its claims' numbers
    n_claims_shown = page.count('<span class="badge matched">matched</span>') + page.count(
        '<span class="badge missed">missed</span>'
    )
    assert n_claims_shown == report["n_gold_claims"]  # every gold claim is on the page, once


def test_unlabelled_articles_are_listed_and_left_out(tmp_path, seeds_dir):
    data = copy_seeds(seeds_dir, tmp_path / "data")
    (data / "articles" / "zz_new.txt").write_text("Officials said 3 people were killed.\n", encoding="utf-8")
    result = evaluate("rules", data, out_dir=tmp_path / "out", store=tmp_path / "runs.sqlite3")
    assert result.unlabelled == ["zz_new"] and result.report["unlabelled"] == ["zz_new"]
    assert "zz_new" not in {row["id"] for row in result.report["per_article"]}
    assert "zz_new" not in result.extractions and result.report["n_articles"] == 5
    assert "- zz_new" in (tmp_path / "out" / "report.md").read_text(encoding="utf-8")


def test_a_label_without_an_article_is_an_error(tmp_path, seeds_dir):
    data = copy_seeds(seeds_dir, tmp_path / "data")
    shutil.copy(data / "labels" / "000_cf12a2bbd9f641f4.json", data / "labels" / "orphan.json")
    with pytest.raises(InputError, match="label has no article"):
        evaluate("rules", data, store=tmp_path / "runs.sqlite3")
    with pytest.raises(InputError, match="orphan.json"):
        compare(["rules"], data, store=tmp_path / "runs.sqlite3")


def test_a_dataset_without_labels_is_an_error(tmp_path, seeds_dir):
    shutil.copytree(seeds_dir / "articles", tmp_path / "data" / "articles")
    with pytest.raises(InputError, match="no labelled articles"):
        evaluate("rules", tmp_path / "data", store=tmp_path / "runs.sqlite3")


def test_a_dataset_with_no_usable_label_names_the_first_bad_file(tmp_path, seeds_dir):
    data = copy_seeds(seeds_dir, tmp_path / "data")
    for label in (data / "labels").glob("*.json"):
        label.write_text("not json", encoding="utf-8")
    first = sorted((data / "labels").glob("*.json"))[0]
    with pytest.raises(InputError, match="invalid JSON") as caught:
        evaluate("rules", data, store=tmp_path / "runs.sqlite3")
    assert caught.value.path == str(first)


def test_a_model_failing_on_one_article_is_recorded_and_the_run_goes_on(tmp_path, seeds_dir):
    store_path = tmp_path / "runs.sqlite3"
    result = evaluate("flaky", seeds_dir, out_dir=tmp_path / "out", store=store_path, backend="flaky-test")
    report = result.report
    assert report["statuses"] == {"ok": 4, "failed": 1}
    [failure] = report["failed"]
    assert failure["reason"] == "RuntimeError: device lost"
    assert report["validity_rate"] == pytest.approx(4 / 5)
    row = next(r for r in report["per_article"] if r["id"] == failure["article"])
    assert not row["valid"] and row["n_pred"] == 0
    assert report["problems"]["invalid_predictions"] == [
        {"id": failure["article"], "reason": "RuntimeError: device lost"}
    ]
    with RunStore(store_path) as store:
        assert sorted(g.extraction.status for g in store.generations()) == ["failed", "ok", "ok", "ok", "ok"]
    assert "device lost" in (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "generation failed" in (tmp_path / "out" / "review.html").read_text(encoding="utf-8")


def test_predictions_of_an_earlier_run_do_not_stay(tmp_path, seeds_dir):
    out = tmp_path / "out"
    evaluate("rules", seeds_dir, out_dir=out, store=tmp_path / "runs.sqlite3")
    (out / "predictions" / "gone.json").write_text("{}", encoding="utf-8")
    result = evaluate("flaky", seeds_dir, out_dir=out, store=tmp_path / "runs.sqlite3", backend="flaky-test")
    [failure] = result.report["failed"]
    kept = sorted(p.stem for p in (out / "predictions").glob("*.json"))
    assert kept == sorted(set(result.extractions) - {failure["article"]})  # the failed article's old one too


def test_model_slugs_are_folder_names(tmp_path):
    (tmp_path / "my model").mkdir()
    assert model_slug("rules") == "rules"
    assert model_slug("Qwen/Qwen2.5-1.5B-Instruct") == "Qwen--Qwen2.5-1.5B-Instruct"
    assert model_slug(str(tmp_path / "my model")) == "my-model"
    assert model_slug("../../etc") == "etc"
    (tmp_path / "qwen2.5-coder-1.5b-instruct.gguf").write_bytes(b"GGUF")
    assert model_slug(str(tmp_path / "qwen2.5-coder-1.5b-instruct.gguf")) == "qwen2.5-coder-1.5b-instruct"


def test_eval_predictions_rescore_to_the_same_numbers(rules_eval, seeds_dir):
    # predictions/<id>.json is what `summarizer score --pred` reads: re-scoring must agree.
    result, out = rules_eval
    dataset = load_dataset(seeds_dir)
    pred = {p.stem: read_json(p) for p in (out / "predictions").glob("*.json")}
    assert set(pred) == set(dataset.labels)
    rescored = score_documents(dataset.labels, pred, dataset.articles)
    assert rescored["claim_f1"] == result.report["claim_f1"]
    assert rescored["strict_f1"] == result.report["strict_f1"]


# -- the run store follows the model's content, and a cached run loads nothing --------------------
def one_article(seeds_dir: Path, target: Path) -> Path:
    """A dataset of the shortest seed article: the cache behaviour needs no more."""
    article = min((seeds_dir / "articles").glob("*.txt"), key=lambda p: p.stat().st_size)
    for folder, suffix in (("articles", ".txt"), ("labels", ".json")):
        (target / folder).mkdir(parents=True)
        shutil.copy(seeds_dir / folder / f"{article.stem}{suffix}", target / folder)
    return target


@pytest.mark.slow  # builds and runs the tiny model
def test_replacing_a_model_folders_weights_misses_the_cache(tmp_path, seeds_dir):
    """Issue 10, defect 1: `dev tiny-model tm/ --seed 0; eval; rebuild with --seed 7; eval` must generate again."""
    from summarizer.testing.tiny_model import build_tiny_model

    data, store, folder = one_article(seeds_dir, tmp_path / "data"), tmp_path / "runs.sqlite3", tmp_path / "tm"

    def run(model):
        return evaluate(model, data, store=store, options=TINY_OPTIONS, device="cpu")

    build_tiny_model(folder, seed=0)
    assert run(str(folder)).n_generated == 1
    assert run(str(folder)).n_generated == 0
    copy = shutil.copytree(folder, tmp_path / "same-weights-elsewhere")
    assert run(str(copy)).n_generated == 0  # the key is the content, not the path
    shutil.rmtree(folder)
    build_tiny_model(folder, seed=7)
    assert run(str(folder)).n_generated == 1


@pytest.mark.slow  # builds and runs the tiny model
def test_a_fully_cached_eval_loads_no_model(tmp_path, seeds_dir, monkeypatch):
    from summarizer.backends import transformers_backend
    from summarizer.testing.tiny_model import build_tiny_model

    data, store, folder = one_article(seeds_dir, tmp_path / "data"), tmp_path / "runs.sqlite3", tmp_path / "tm"
    build_tiny_model(folder)
    first = evaluate(str(folder), data, store=store, options=TINY_OPTIONS, device="cpu")
    monkeypatch.setattr(transformers_backend, "load_model", lambda *a, **k: pytest.fail("the model was loaded"))
    again = evaluate(str(folder), data, store=store, options=TINY_OPTIONS, device="cpu")
    assert (again.n_generated, again.n_cached) == (0, 1)
    assert again.report["claim_f1"] == first.report["claim_f1"] and again.report["backend"] == first.report["backend"]
