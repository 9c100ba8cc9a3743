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


# -- folders with links, loops, pipes and unreadable files (issue 22, item 8) --------------------
def _odd_folder(tmp_path):
    """good.txt, a link to it, a link loop, a dangling link, a named pipe, a folder named x.txt,
    an unreadable file: only the first two are articles, each other entry is one line."""
    import os

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("Five soldiers were killed.", encoding="utf-8")
    (folder / "alias.txt").symlink_to(folder / "good.txt")
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    (folder / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    os.mkfifo(folder / "pipe.txt")
    (folder / "dir.txt").mkdir()
    (folder / "secret.txt").write_text("Two were killed.", encoding="utf-8")
    (folder / "secret.txt").chmod(0)
    return folder


def test_a_folder_with_links_loops_pipes_and_unreadable_files_reads_regular_files_only(tmp_path):
    import os

    folder = _odd_folder(tmp_path)
    articles = collect_articles([str(folder)])  # it returns: the pipe is never opened
    # alias.txt comes first and leads to good.txt: one file, read once (under the first name)
    assert [(a.id, a.text) for a in articles if a.error is None] == [("alias", "Five soldiers were killed.")] + (
        [("secret", "Two were killed.")] if os.geteuid() == 0 else []  # root reads any file
    )
    errors = [a.error for a in articles if a.error]
    assert errors == [
        f"{folder}/dangling.txt: is a link to a missing file",
        f"{folder}/dir.txt: is a directory, expected a file",
        f"{folder}/loop.txt: is a symlink loop",
        f"{folder}/pipe.txt: is not a regular file (a named pipe); not read",
        *([] if os.geteuid() == 0 else [f"{folder}/secret.txt: cannot read file: Permission denied"]),
    ]


def test_a_link_named_on_the_command_line_that_leads_nowhere_says_what_it_is(tmp_path):
    # A loop given by name was "file or folder not found", as if mistyped.
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "deleted.txt")
    articles = collect_articles([str(tmp_path / "loop"), str(tmp_path / "gone.txt"), str(tmp_path / "typo.txt")])
    assert [a.error for a in articles] == [
        f"{tmp_path}/loop: is a symlink loop",
        f"{tmp_path}/gone.txt: is a link to a missing file",
        f"{tmp_path}/typo.txt: file or folder not found",
    ]
