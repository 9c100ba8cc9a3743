"""Reading articles and JSON, writing JSON: each bad input is one InputError naming the file."""

from __future__ import annotations


import pytest

from summarizer.errors import InputError
from summarizer.io import article_id, list_article_paths, read_article, read_json, write_json_atomic


def _error(call, path) -> str:
    with pytest.raises(InputError) as caught:
        call(path)
    message = str(caught.value)
    assert "\n" not in message and str(path) in message
    return message


def test_read_article_returns_text_with_plain_newlines(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes("\ufeffRussia\u2019s claim\r\nline two\n".encode())
    assert read_article(path) == "Russia\u2019s claim\nline two\n"


@pytest.mark.parametrize("call", [read_article, read_json])
def test_missing_file(tmp_path, call):
    assert "not found" in _error(call, tmp_path / "nope.txt")


@pytest.mark.parametrize("call", [read_article, read_json])
def test_directory_instead_of_file(tmp_path, call):
    assert "directory" in _error(call, tmp_path)


@pytest.mark.parametrize("call", [read_article, read_json])
def test_invalid_utf8_names_byte_and_offset(tmp_path, call):
    path = tmp_path / "latin1.txt"
    path.write_bytes("caf\u00e9 killed".encode("latin-1"))
    assert "not valid UTF-8 (byte 0xe9 at offset 3)" in _error(call, path)


@pytest.mark.parametrize("content", ["", "  \n\t\n"])
def test_empty_article(tmp_path, content):
    path = tmp_path / "empty.txt"
    path.write_text(content)
    assert "empty" in _error(read_article, path)


def test_invalid_json_gives_line_and_column(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{\n  "summary": "x",\n  "claims": [,]\n}')
    assert "invalid JSON" in (message := _error(read_json, path))
    assert "line 3, column 14" in message


@pytest.mark.parametrize("content", ["", '{"a": NaN}'])
def test_empty_or_nan_json_is_refused(tmp_path, content):
    path = tmp_path / "bad.json"
    path.write_text(content)
    _error(read_json, path)


def test_write_json_atomic_round_trips_and_leaves_no_tmp(tmp_path):
    path = tmp_path / "out" / "doc.json"
    doc = {"summary": "Russia\u2019s claim", "claims": [{"count": {"value": 1180}}]}
    write_json_atomic(path, doc)
    write_json_atomic(path, doc)  # replacing an existing file works too
    assert read_json(path) == doc
    assert "\u2019" in path.read_text(encoding="utf-8")
    assert sorted(p.name for p in path.parent.iterdir()) == ["doc.json"]


def test_write_json_atomic_keeps_old_file_when_writing_fails(tmp_path):
    path = tmp_path / "doc.json"
    write_json_atomic(path, {"ok": 1})
    with pytest.raises(TypeError):
        write_json_atomic(path, {"bad": object()})
    assert read_json(path) == {"ok": 1}
    assert not (tmp_path / "doc.json.tmp").exists()


def test_article_id_is_the_stem():
    assert article_id("seeds/articles/000_cf12.txt") == "000_cf12"


def test_list_article_paths_expands_folders_sorted(tmp_path):
    for name in ["b.txt", "a.txt", "notes.md"]:
        (tmp_path / name).write_text("x")
    single = tmp_path / "a.txt"
    assert list_article_paths([tmp_path, single]) == [tmp_path / "a.txt", tmp_path / "b.txt"]


def test_list_article_paths_missing_or_empty(tmp_path):
    assert "not found" in _error(lambda p: list_article_paths([p]), tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    assert "no *.txt" in _error(lambda p: list_article_paths([p]), tmp_path / "empty")
