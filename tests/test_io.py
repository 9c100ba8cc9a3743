"""Reading articles and JSON, writing JSON: each bad input is one InputError naming the file."""

from __future__ import annotations

import json
import os
import stat
from concurrent.futures import ThreadPoolExecutor

import pytest

from summarizer.core.errors import InputError, OutputError
from summarizer.core.io import (
    article_id,
    check_output_file,
    check_output_folder,
    list_article_paths,
    open_for_append,
    read_article,
    read_json,
    write_json_atomic,
)


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


def test_a_lone_surrogate_escape_is_refused_as_not_unicode(tmp_path):
    path = tmp_path / "doc.json"
    path.write_text('{"summary": "x\\ud800"}', encoding="utf-8")
    assert "a string holds \\ud800, half of a surrogate pair" in _error(read_json, path)


def test_nesting_deeper_than_python_reads_is_one_error(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    assert "nested too deeply" in _error(read_json, path)


def test_text_that_is_not_unicode_is_written_escaped_not_refused(tmp_path):
    """A file name that is not UTF-8 reaches Python as a lone surrogate; reports still get written."""
    path = tmp_path / "report.json"
    write_json_atomic(path, {"id": "caf\udce9"})
    assert json.loads(path.read_text(encoding="utf-8")) == {"id": "caf\udce9"}


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
    assert [p.name for p in tmp_path.iterdir()] == ["doc.json"]  # no temporary file left behind


def test_concurrent_writers_of_one_file_never_collide(tmp_path):
    """Each writer has its own temporary file: the last rename wins, nobody crashes."""
    path = tmp_path / "report.json"
    docs = [{"writer": n, "padding": "x" * 50_000} for n in range(16)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda doc: write_json_atomic(path, doc), docs * 4))
    assert read_json(path) in docs
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_written_reports_are_readable_by_others_as_open_makes_them(tmp_path):
    write_json_atomic(tmp_path / "doc.json", {})
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE((tmp_path / "doc.json").stat().st_mode) == 0o666 & ~umask


def test_writing_over_a_folder_is_an_output_error(tmp_path):
    (tmp_path / "report.json").mkdir()
    with pytest.raises(OutputError, match="report.json: is a folder, expected a file"):
        write_json_atomic(tmp_path / "report.json", {})
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_check_output_folder(tmp_path):
    (tmp_path / "file").write_text("x")
    check_output_folder(tmp_path / "new" / "deeper")  # made later, by the writer
    assert not (tmp_path / "new").exists()  # checking creates nothing
    assert "file: is a file, expected a folder" in _output_error(check_output_folder, tmp_path / "file")
    os.mkfifo(tmp_path / "pipe")
    assert "pipe: is a named pipe, expected a folder" in _output_error(check_output_folder, tmp_path / "pipe")
    assert "/dev/null: is a device, expected a folder" in _output_error(check_output_folder, "/dev/null")
    assert f"{tmp_path / 'file'} is a file, not a folder" in _output_error(check_output_folder, tmp_path / "file" / "x")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_check_output_folder_read_only(tmp_path):
    (tmp_path / "ro").mkdir(mode=0o500)
    assert "Permission denied" in _output_error(check_output_folder, tmp_path / "ro" / "out")


def test_check_output_file(tmp_path):
    assert "is a folder, expected a file" in _output_error(check_output_file, tmp_path)
    missing = tmp_path / "no" / "runs.jsonl"
    check_output_file(missing)  # a report's folder is made when it is written
    assert f"folder {missing.parent} not found" in _output_error(
        lambda p: check_output_file(p, make_parent=False), missing
    )


def test_open_for_append_refuses_a_folder(tmp_path):
    assert "is a folder" in _output_error(open_for_append, tmp_path)
    with open_for_append(tmp_path / "runs.jsonl") as handle:
        handle.write("x\n")
    with open_for_append(tmp_path / "runs.jsonl") as handle:
        handle.write("y\n")
    assert (tmp_path / "runs.jsonl").read_text() == "x\ny\n"


def _output_error(call, path) -> str:
    with pytest.raises(OutputError) as caught:
        call(path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(str(path))
    return message


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


# -- output paths that are links, pipes or devices (issue 22, item 1) ---------------------------
def test_a_write_through_a_symlink_replaces_the_target_and_keeps_the_link(tmp_path):
    target = tmp_path / "real" / "report.json"
    target.parent.mkdir()
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    write_json_atomic(link, {"new": 1})
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert read_json(target) == {"new": 1}
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.json"]


def test_a_write_to_a_named_pipe_is_refused_and_the_pipe_stays(tmp_path):
    pipe = tmp_path / "out.json"
    os.mkfifo(pipe)
    message = _output_error(lambda p: write_json_atomic(p, {}), pipe)
    assert message == f"{pipe}: is not a regular file (a named pipe); refusing to replace it"
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode)
    assert _output_error(check_output_file, pipe) == message
    assert _output_error(open_for_append, pipe) == message


def test_a_link_to_a_pipe_or_a_device_is_refused(tmp_path):
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    link = tmp_path / "link.json"
    link.symlink_to(pipe)
    assert _output_error(lambda p: write_json_atomic(p, {}), link) == (
        f"{link}: is not a regular file (a named pipe); refusing to replace it"
    )
    device = tmp_path / "null.json"
    device.symlink_to("/dev/null")
    assert _output_error(lambda p: write_json_atomic(p, {}), device) == (
        f"{device}: is not a regular file (a device); refusing to replace it"
    )
    assert os.path.islink(device) and stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_dangling_link_or_a_link_loop_is_refused(tmp_path):
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(tmp_path / "nowhere" / "x.json")
    assert _output_error(lambda p: write_json_atomic(p, {}), dangling) == (
        f"{dangling}: is a link to a missing file; refusing to write through it"
    )
    loop = tmp_path / "loop.json"
    loop.symlink_to(loop)
    assert _output_error(check_output_file, loop) == f"{loop}: is a symlink loop"
    assert loop.is_symlink() and dangling.is_symlink()
