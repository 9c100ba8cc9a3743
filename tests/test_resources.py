"""Where the package's files are found and how code and prompts are hashed into identities."""

from __future__ import annotations

from summarizer.core.resources import files_hash, source_files, source_hash


def write(root, name: str, text: str = "x = 1\n"):
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_module_name_is_its_file_and_a_package_name_every_file_of_it(tmp_path):
    grammar = write(tmp_path, "engine/grammar.py")
    package = [write(tmp_path, f"backends/rules/{name}") for name in ("__init__.py", "claims.py", "words/more.py")]
    write(tmp_path, "backends/rules/notes.txt")  # not code
    found = source_files(["engine/grammar", "backends/rules"], tmp_path)
    assert found == [
        ("engine/grammar.py", grammar),
        ("backends/rules/__init__.py", package[0]),
        ("backends/rules/claims.py", package[1]),
        ("backends/rules/words/more.py", package[2]),
    ]


def test_the_source_hash_changes_with_any_file_of_a_package(tmp_path):
    files = [write(tmp_path, f"rules/{name}") for name in ("__init__.py", "lexicon.py", "claims.py")]
    before = source_hash(["rules"], tmp_path)
    assert before == source_hash(["rules"], tmp_path) and len(before) == 16
    for path in files:
        path.write_text("x = 2\n", encoding="utf-8")
        assert source_hash(["rules"], tmp_path) != before
        path.write_text("x = 1\n", encoding="utf-8")
    write(tmp_path, "rules/new.py")
    assert source_hash(["rules"], tmp_path) != before  # a file added to the package counts too


def test_files_hash_depends_on_names_contents_and_order():
    pairs = [("a", b"1"), ("b", b"2")]
    assert files_hash(pairs) == files_hash(list(pairs))
    assert files_hash(pairs) != files_hash(pairs[::-1])
    assert files_hash(pairs) != files_hash([("a", b"12"), ("b", b"")])


def test_a_name_with_a_suffix_is_that_data_file(tmp_path):
    table = write(tmp_path, "core/data/countries.tsv", "Orla\torla, orlan\n")
    assert source_files(["core/data/countries.tsv"], tmp_path) == [("core/data/countries.tsv", table)]
    before = source_hash(["core/data/countries.tsv"], tmp_path)
    table.write_text("Orla\torla, orlan, orlans\n", encoding="utf-8")
    assert source_hash(["core/data/countries.tsv"], tmp_path) != before
