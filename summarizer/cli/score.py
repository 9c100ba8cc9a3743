"""``summarizer score``: compare a folder of predicted documents with a folder of gold labels.

Files that cannot be scored do not stop the run; they are listed under the
tables and in the JSON report's ``problems``:

* a gold id with no prediction file: scored as an empty (invalid) prediction;
* a prediction that is not readable JSON or fails the schema: invalid, zero claims;
* a prediction with no gold: ignored;
* an unreadable or schema-failing gold label: left out (and exit status 1, since
  the benchmark itself is then incomplete);
* a missing or unreadable article: no grounding check for that id.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from summarizer.cli.app import JsonOutOption, TaskOption, command, fail
from summarizer.core.errors import InputError

GoldOption = Annotated[Path, typer.Option("--gold", help="Folder of gold labels, <id>.json.")]
PredOption = Annotated[Path, typer.Option("--pred", help="Folder of predicted documents, <id>.json.")]
ArticlesOption = Annotated[
    Path | None,
    typer.Option("--articles", help="Folder of articles, <id>.txt (default: <gold>/../articles if it exists)."),
]


def _json_files(folder: Path, what: str) -> dict[str, Path]:
    if not folder.exists():
        raise InputError(f"{what} folder not found", folder)
    if not folder.is_dir():
        raise InputError(f"{what} is a file, expected a folder of <id>.json", folder)
    from summarizer.core.io import folder_files

    return {path.stem: path for path in folder_files(folder, ".json")}


def _load_gold(folder: Path, task) -> tuple[dict[str, dict], list[dict]]:
    from summarizer.core.io import read_json
    from summarizer.core.validation import schema_problems

    gold: dict[str, dict] = {}
    unreadable: list[dict] = []
    for article_id, path in _json_files(folder, "gold").items():
        try:
            doc = read_json(path)
        except InputError as error:
            unreadable.append({"id": article_id, "path": str(path), "reason": error.reason})
            continue
        problems = schema_problems(doc, task)
        if problems:
            unreadable.append({"id": article_id, "path": str(path), "reason": f"fails the schema: {problems[0]}"})
        elif not isinstance(doc, dict):  # a task whose schema allows more than an object at the top
            unreadable.append({"id": article_id, "path": str(path), "reason": "not a JSON object"})
        else:
            gold[article_id] = doc
    return gold, unreadable


def _load_predictions(folder: Path, gold_ids: set[str], all_gold_ids: set[str]) -> tuple[dict, dict, list]:
    """(id -> document or None, id -> read error, stray predictions).

    ``all_gold_ids`` includes unreadable gold files: their predictions are not
    "stray", they are left out along with the gold.
    """
    from summarizer.core.io import read_json

    files = _json_files(folder, "prediction")
    pred, read_errors = {}, {}
    for article_id in sorted(gold_ids & set(files)):
        try:
            pred[article_id] = read_json(files[article_id])
        except InputError as error:
            pred[article_id] = None
            read_errors[article_id] = error.reason
    stray = [{"id": i, "path": str(files[i]), "reason": None} for i in sorted(set(files) - all_gold_ids)]
    return pred, read_errors, stray


def _articles_folder(articles: Path | None, gold: Path) -> Path | None:
    if articles is not None:
        if not articles.exists():
            raise InputError("articles folder not found", articles)
        if not articles.is_dir():
            raise InputError("articles is a file, expected a folder of <id>.txt", articles)
        return articles
    default = gold.resolve().parent / "articles"
    return default if default.is_dir() else None


def _load_articles(folder: Path | None, ids: list[str]) -> tuple[dict[str, str], list[dict]]:
    from summarizer.core.io import read_article

    if folder is None:
        return {}, []
    texts, unreadable = {}, []
    for article_id in ids:
        path = folder / f"{article_id}.txt"
        try:
            texts[article_id] = read_article(path)
        except InputError as error:
            unreadable.append({"id": article_id, "path": str(path), "reason": error.reason})
    return texts, unreadable


def _prediction_problems(report: dict, pred: dict, read_errors: dict[str, str]) -> tuple[list, list]:
    """(missing predictions, invalid predictions) from the scored rows."""
    missing, invalid = [], []
    for row in report["per_article"]:
        if row["id"] not in pred:
            missing.append({"id": row["id"], "reason": None})
        elif not row["valid"]:
            invalid.append({"id": row["id"], "reason": read_errors.get(row["id"], row["invalid_reason"])})
    return missing, invalid


@command()
def score(
    gold: GoldOption,
    pred: PredOption,
    articles: ArticlesOption = None,
    json_out: JsonOutOption = None,
    task: TaskOption = "claims",
) -> None:
    """Score predicted documents against gold labels: P/R/F1, per-field accuracy, grounding.

    Claims are scored by the claims scorer; any other --task by item P/R/F1 on the key fields
    its task.toml names, and per-field accuracy (README, 'Your own task').

    Prints the headline, per-article and per-field tables; files that could not be
    scored are listed below them. Exit status 1 if a gold label could not be read.
    """
    from summarizer.core.io import check_output_file, write_json_atomic
    from summarizer.core.task import load_task
    from summarizer.evaluation.evaluate import score_for_task

    chosen_task = load_task(task)
    if json_out is not None:
        check_output_file(json_out)
    gold_docs, unreadable_gold = _load_gold(gold, chosen_task)
    if not gold_docs:
        detail = (
            f" ({len(unreadable_gold)} unreadable, first: {unreadable_gold[0]['reason']})" if unreadable_gold else ""
        )
        raise InputError(f"no readable gold labels (<id>.json){detail}", gold)
    all_gold_ids = set(gold_docs) | {entry["id"] for entry in unreadable_gold}
    pred_docs, read_errors, stray = _load_predictions(pred, set(gold_docs), all_gold_ids)
    articles_dir = _articles_folder(articles, gold)
    texts, unreadable_articles = _load_articles(articles_dir, sorted(gold_docs))

    report = score_for_task(chosen_task, gold_docs, pred_docs, texts)
    missing, invalid = _prediction_problems(report, pred_docs, read_errors)
    report["problems"] = {
        "missing_predictions": missing,
        "invalid_predictions": invalid,
        "stray_predictions": stray,
        "unreadable_gold": unreadable_gold,
        "unreadable_articles": unreadable_articles,
    }
    report["inputs"] = {"gold": str(gold), "pred": str(pred), "articles": str(articles_dir) if articles_dir else None}
    _render(report, chosen_task)
    if articles_dir is None:
        typer.echo(
            "note: no articles folder, so the grounding, hallucinated-number and summary "
            "invented-number rates are not computed"
        )
    if json_out is not None:
        write_json_atomic(json_out, report)
        typer.echo(f"wrote {json_out}")
    if unreadable_gold:
        raise fail(f"{len(unreadable_gold)} gold label(s) could not be read and were left out (listed above)")


def _render(report: dict, task) -> None:
    from summarizer.evaluation.generic import evaluation_of

    evaluation_of(task).print_report(report)
