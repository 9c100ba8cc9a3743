"""Loading a dataset folder: articles, labels, unlabelled ids, and files left out."""

from __future__ import annotations

import json
import shutil

import pytest

from summarizer.core.dataset import load_dataset
from summarizer.core.errors import InputError

DOC = {"summary": "Nothing to count.", "claims": []}


def _dataset(tmp_path, articles: dict[str, bytes], labels: dict[str, str]):
    (tmp_path / "articles").mkdir()
    (tmp_path / "labels").mkdir()
    for name, content in articles.items():
        (tmp_path / "articles" / name).write_bytes(content)
    for name, content in labels.items():
        (tmp_path / "labels" / name).write_text(content)
    return tmp_path


def test_seeds_load_completely(seeds_dir, seed_articles):
    dataset = load_dataset(seeds_dir)
    assert dataset.articles == seed_articles
    assert dataset.problems == []
    assert sorted(dataset.labels) == sorted(seed_articles) and dataset.unlabelled == []


def test_unlabelled_articles_are_listed(tmp_path):
    root = _dataset(tmp_path, {"a.txt": b"one", "b.txt": b"two"}, {"a.json": json.dumps(DOC)})
    dataset = load_dataset(root)
    assert dataset.labels == {"a": DOC}
    assert dataset.unlabelled == ["b"]
    assert dataset.labelled_ids == ["a"]


def test_folder_without_labels_is_all_unlabelled(tmp_path, seeds_dir):
    shutil.copytree(seeds_dir / "articles", tmp_path / "articles")
    dataset = load_dataset(tmp_path)
    assert dataset.labels == {} and dataset.unlabelled == sorted(dataset.articles)
    assert len(dataset.articles) == 5


def test_label_without_article_is_an_error_naming_the_file(tmp_path):
    root = _dataset(tmp_path, {"a.txt": b"one"}, {"a.json": json.dumps(DOC), "ghost.json": json.dumps(DOC)})
    with pytest.raises(InputError, match="ghost.json.*label has no article"):
        load_dataset(root)


def test_bad_files_are_problems_not_aborts(tmp_path):
    root = _dataset(
        tmp_path,
        {
            "ok.txt": b"text",
            "latin.txt": "caf\u00e9".encode("latin-1"),
            "empty.txt": b" \n",
            "broken.txt": b"x",
            "invalid.txt": b"x",
        },
        {"ok.json": json.dumps(DOC), "broken.json": "{", "invalid.json": json.dumps({"summary": "x"})},
    )
    dataset = load_dataset(root)
    assert list(dataset.articles) == ["broken", "invalid", "ok"]
    assert dataset.labels == {"ok": DOC}
    assert len(dataset.problems) == 4
    joined = "\n".join(dataset.problems)
    for expected in [
        "empty.txt: article is empty",
        "latin.txt: not valid UTF-8",
        "broken.json: invalid JSON",
        "invalid.json: fails the schema: $.claims: required field is missing",
    ]:
        assert expected in joined
    assert all("\n" not in line for line in dataset.problems)


@pytest.mark.parametrize("make", ["missing", "file", "no_articles"])
def test_not_a_dataset_folder(tmp_path, make):
    target = tmp_path / "data"
    if make == "file":
        target.write_text("x")
    elif make == "no_articles":
        target.mkdir()
    with pytest.raises(InputError, match="data"):
        load_dataset(target)


def test_links_loops_and_pipes_in_a_dataset_are_problems_and_the_rest_loads(tmp_path):
    """Issue 22, item 8: a symlink loop was a RuntimeError, a named pipe hung the run."""
    import os

    root = _dataset(tmp_path, {"ok.txt": b"Two were killed."}, {"ok.json": json.dumps(DOC)})
    (root / "articles" / "loop.txt").symlink_to(root / "articles" / "loop.txt")
    os.mkfifo(root / "articles" / "pipe.txt")
    os.mkfifo(root / "labels" / "pipe.json")
    dataset = load_dataset(root)
    assert dataset.articles == {"ok": "Two were killed."} and dataset.labels == {"ok": DOC}
    assert dataset.problems == [
        f"{root}/articles/loop.txt: is a symlink loop",
        f"{root}/articles/pipe.txt: is not a regular file (a named pipe); not read",
        f"{root}/labels/pipe.json: is not a regular file (a named pipe); not read",
    ]
