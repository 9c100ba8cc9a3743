"""Collecting the articles named on a command line."""

from __future__ import annotations

from summarizer.core.inputs import collect_articles


def test_folders_expand_to_their_articles_in_order(tmp_path):
    (tmp_path / "b.txt").write_text("Two people were injured.", encoding="utf-8")
    (tmp_path / "a.txt").write_text("Three people were killed.", encoding="utf-8")
    (tmp_path / "notes.md").write_text("not an article", encoding="utf-8")
    articles = collect_articles([str(tmp_path)])
    assert [a.id for a in articles] == ["a", "b"]
    assert articles[0].text == "Three people were killed." and articles[0].error is None


def test_unreadable_articles_carry_a_one_line_error_and_the_others_stay(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("Five soldiers were killed.", encoding="utf-8")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    (tmp_path / "empty.txt").write_text("  \n", encoding="utf-8")
    given = [str(good), str(tmp_path / "latin1.txt"), str(tmp_path / "empty.txt"), str(tmp_path / "missing.txt")]
    articles = {a.id: a for a in collect_articles(given)}
    assert articles["good"].error is None
    for name in ("latin1", "empty", "missing"):
        error = articles[name].error
        assert error and "\n" not in error and name in error and articles[name].text is None
    assert "UTF-8" in articles["latin1"].error and "empty" in articles["empty"].error


def test_a_file_named_twice_runs_once_and_clashing_ids_are_refused(tmp_path):
    (tmp_path / "x").mkdir()
    first = tmp_path / "story.txt"
    first.write_text("One civilian was killed.", encoding="utf-8")
    (tmp_path / "x" / "story.txt").write_text("Two civilians were killed.", encoding="utf-8")
    articles = collect_articles([str(first), str(first), str(tmp_path / "x" / "story.txt")])
    assert len(articles) == 2
    assert articles[0].error is None and "another article has the id 'story'" in articles[1].error
