"""Labelled datasets: a folder with ``articles/<id>.txt`` and ``labels/<id>.json``.

A broken file does not stop the rest: it is left out and reported in
``Dataset.problems``, one line each, so an evaluation still runs on what is fine.
A label without its article is the one hard error, because it means the folder is
not what the user thinks it is.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from summarizer.core.errors import InputError
from summarizer.core.io import folder_files, read_article, read_json
from summarizer.core.task import Task
from summarizer.core.validation import schema_problems

__all__ = ["Dataset", "load_dataset"]


@dataclass
class Dataset:
    root: Path
    articles: dict[str, str] = field(default_factory=dict)  # id -> article text
    labels: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> the task's document (schema-valid)
    unlabelled: list[str] = field(default_factory=list)  # ids of articles with no label file
    problems: list[str] = field(default_factory=list)  # files left out, one line each

    @property
    def labelled_ids(self) -> list[str]:
        return sorted(self.labels)


def _require_folder(path: Path, what: str) -> None:
    if not path.exists():
        raise InputError(f"{what} not found", path)
    if not path.is_dir():
        raise InputError(f"{what} is a file, expected a folder", path)


def _read_articles(folder: Path, dataset: Dataset) -> None:
    for path in folder_files(folder, ".txt"):
        try:
            dataset.articles[path.stem] = read_article(path)
        except InputError as error:
            dataset.problems.append(str(error))


def _read_label(path: Path, dataset: Dataset, task: Task | None) -> None:
    try:
        doc = read_json(path)
    except InputError as error:
        dataset.problems.append(str(error))
        return
    problems = schema_problems(doc, task)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        dataset.problems.append(f"{path}: fails the schema: {problems[0]}{more}")
        return
    if not isinstance(doc, dict):  # a task whose schema allows more than an object at the top
        dataset.problems.append(f"{path}: a label must be a JSON object")
        return
    if path.stem in dataset.articles:  # an unreadable article is already in problems
        dataset.labels[path.stem] = doc


def load_dataset(directory: str | Path, task: Task | None = None) -> Dataset:
    """The dataset in ``directory`` (labels checked against ``task``'s schema, claims by default);
    without a ``labels/`` folder every article is unlabelled."""
    root = Path(directory)
    _require_folder(root, "dataset folder")
    _require_folder(root / "articles", "articles folder")
    dataset = Dataset(root=root)
    _read_articles(root / "articles", dataset)
    labels_dir = root / "labels"
    label_paths = folder_files(labels_dir, ".json") if labels_dir.is_dir() else []
    for path in label_paths:
        if not os.path.lexists(root / "articles" / f"{path.stem}.txt"):  # a bad article: its own line
            raise InputError(f"label has no article (expected articles/{path.stem}.txt)", path)
    for path in label_paths:
        _read_label(path, dataset, task)
    labelled = {path.stem for path in label_paths}
    dataset.unlabelled = [id_ for id_ in sorted(dataset.articles) if id_ not in labelled]
    return dataset
