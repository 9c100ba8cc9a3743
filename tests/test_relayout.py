"""tools/relayout.py: the subpackage move, run on a tiny fake tree (a git repository in a temp folder)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "tools" / "relayout.py"
spec = importlib.util.spec_from_file_location("relayout", SCRIPT)
relayout = importlib.util.module_from_spec(spec)
spec.loader.exec_module(relayout)

FAKE = {
    "summarizer/__init__.py": '"""The package."""\n__version__ = "0.1"\n',
    "summarizer/errors.py": "class InputError(Exception):\n    pass\n",
    "summarizer/numbers.py": "from summarizer.errors import InputError\n",
    "summarizer/models.py": 'DEFAULT_MODEL = "tiny"\n',
    "summarizer/grammar.py": "import summarizer.numbers as numbers\n",
    "summarizer/loading.py": "from summarizer import models, __version__  # presets\n"
    "from summarizer.errors import InputError\n",
    "summarizer/resources.py": "from pathlib import Path\n\nROOT = Path(__file__).resolve().parent.parent\n",
    "summarizer/api.py": "from summarizer.models import DEFAULT_MODEL\nfrom summarizer.backends.base import BUILTIN\n",
    "summarizer/backends/__init__.py": "",
    "summarizer/backends/base.py": 'BUILTIN = {"rules": "summarizer.backends.rules",\n'
    '           "grammar": "summarizer.grammar"}\n',
    "summarizer/backends/transformers_backend.py": 'ENGINE_MODULES = ("grammar", "numbers",\n'
    '                  "backends/rules")\nOTHER = ("grammar",)\n',
    "tests/test_loading.py": 'TARGET = "summarizer.loading.models"\nfrom summarizer import loading\n',
    "tests/test_models.py": "from summarizer.models import DEFAULT_MODEL\n",
    "README.md": "Presets: [`summarizer/models.py`](summarizer/models.py), tested by tests/test_models.py; "
    "cache in ~/.cache/summarizer/gguf/.\n",
    "pyproject.toml": '[tool.importlinter]\nroot_package = "summarizer"\n\n[[tool.importlinter.contracts]]\n'
    'name = "old"\ntype = "forbidden"\nsource_modules = ["summarizer.numbers"]\n'
    'forbidden_modules = ["summarizer.api"]\n\n# Lint settings.\n[tool.other]\nkeep = 1\n',
}


def make_tree(root: Path, extra: dict[str, str] | None = None) -> Path:
    for name, text in {**FAKE, **(extra or {})}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "fake"], cwd=root, check=True)
    return root


def run(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--root", str(root), *args], capture_output=True, text=True, timeout=60
    )


def read(root: Path, name: str) -> str:
    return (root / name).read_text(encoding="utf-8")


@pytest.fixture
def moved(tmp_path):
    root = make_tree(tmp_path)
    result = run(root, "--apply")
    assert result.returncode == 0, result.stderr
    return root


def test_modules_move_into_their_packages_with_history(moved):
    tracked = subprocess.run(["git", "ls-files"], cwd=moved, capture_output=True, text=True).stdout.split()
    for name in (
        "core/errors.py",
        "core/numbers.py",
        "core/resources.py",
        "engine/presets.py",
        "engine/grammar.py",
        "engine/loading.py",
        "core/__init__.py",
        "engine/__init__.py",
        "api.py",
        "backends/base.py",
    ):
        assert f"summarizer/{name}" in tracked
    assert not (moved / "summarizer" / "models.py").exists()
    assert "tests/test_presets.py" in tracked and "tests/test_models.py" not in tracked  # one test file per module
    assert read(moved, "summarizer/engine/__init__.py").startswith('"""Engine')


def test_every_moved_module_imports_and_keeps_its_paths(moved):
    code = (
        "import summarizer.api, summarizer.engine.loading as l, summarizer.engine.grammar, "
        "summarizer.core.resources as r;"
        "print(r.ROOT); print(l.models.DEFAULT_MODEL)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=moved,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(moved)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(moved.resolve()), "tiny"]


def test_references_are_rewritten_in_code_tests_and_docs(moved):
    loading = read(moved, "summarizer/engine/loading.py")
    assert "from summarizer.engine import presets as models\nfrom summarizer import __version__  # presets" in loading
    assert "from summarizer.core.errors import InputError" in loading
    assert '"grammar": "summarizer.engine.grammar"' in read(moved, "summarizer/backends/base.py")
    engine_list = read(moved, "summarizer/backends/transformers_backend.py")
    assert '("engine/grammar", "core/numbers",\n                  "backends/rules")' in engine_list
    assert 'OTHER = ("grammar",)' in engine_list  # only the named path lists
    test = read(moved, "tests/test_loading.py")
    assert 'TARGET = "summarizer.engine.loading.models"' in test and "from summarizer.engine import loading" in test
    readme = read(moved, "README.md")
    assert "[`summarizer/engine/presets.py`](summarizer/engine/presets.py), tested by tests/test_presets.py" in readme
    assert read(moved, "tests/test_presets.py") == "from summarizer.engine.presets import DEFAULT_MODEL\n"
    assert "~/.cache/summarizer/gguf/" in readme


def test_the_contracts_are_replaced_by_the_layers(moved):
    pyproject = read(moved, "pyproject.toml")
    assert 'type = "layers"' in pyproject and 'name = "old"' not in pyproject
    assert '"cli", "bench | evaluation", "reporting", "api"' in pyproject
    assert 'forbidden_modules = ["summarizer.bench", "summarizer.testing"]' in pyproject
    assert "# Lint settings.\n[tool.other]\nkeep = 1\n" in pyproject
    assert "ignore_imports" not in pyproject  # the fake tree has none of the known upward imports


def test_a_test_file_follows_a_renamed_module_but_not_one_that_only_loses_its_package(tmp_path):
    for name in ("test_models.py", "test_serving_bench.py", "test_score_report.py", "test_terminal.py"):
        (tmp_path / "tests").mkdir(exist_ok=True)
        (tmp_path / "tests" / name).write_text("", encoding="utf-8")
    moves = {"models": "engine.presets", "serving_bench": "bench.serving", "score_report": "reporting.terminal"}
    assert relayout.renamed_tests(tmp_path, moves) == {"tests/test_models.py": "tests/test_presets.py"}


def test_a_moved_tree_is_refused(moved):
    result = run(moved, "--apply")
    assert result.returncode == 2 and "already been moved" in result.stderr


def test_unknown_modules_stop_the_move_unless_allowed(tmp_path):
    root = make_tree(tmp_path, {"summarizer/newthing.py": "x = 1\n"})
    result = run(root, "--apply")
    assert result.returncode == 3 and "summarizer/newthing" in result.stderr
    assert not (root / "summarizer" / "core").exists()
    assert run(root, "--apply", "--allow-unmapped").returncode == 0
    assert (root / "summarizer" / "newthing.py").exists() and (root / "summarizer" / "core" / "errors.py").exists()


def test_an_import_against_the_layers_stops_the_move(tmp_path):
    root = make_tree(tmp_path, {"summarizer/numbers.py": "from summarizer.api import DEFAULT_MODEL\n"})
    result = run(root, "--apply")
    assert result.returncode == 4 and "summarizer.core.numbers -> summarizer.api" in result.stderr
    assert not (root / "summarizer" / "core").exists()


def test_a_dirty_tree_is_refused(tmp_path):
    root = make_tree(tmp_path)
    (root / "summarizer" / "errors.py").write_text("# edited\n", encoding="utf-8")
    result = run(root, "--apply")
    assert result.returncode == 2 and "uncommitted" in result.stderr


def test_the_dry_run_changes_nothing(tmp_path):
    root = make_tree(tmp_path)
    result = run(root)
    assert result.returncode == 0 and "summarizer/models.py -> summarizer/engine/presets.py" in result.stdout
    status = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True).stdout
    assert status == ""


def test_parenthesised_imports_keep_aliases_and_split_by_package():
    text = "    from summarizer import (\n        numbers as n,\n        models,\n        api,\n    )\n"
    moves = {"numbers": "core.numbers", "models": "engine.presets"}
    assert relayout.rewrite_from_package(text, moves) == (
        "    from summarizer.core import numbers as n\n"
        "    from summarizer.engine import presets as models\n"
        "    from summarizer import api\n"
    )


def test_dotted_names_match_whole_modules_only():
    moves = {"evaluate": "evaluation.evaluate", "figures": "engine.figures"}
    text = (
        "summarizer.evaluate summarizer.cli.evaluate summarizer.figures_x my_summarizer.figures summarizer.figures.find"
    )
    assert relayout.rewrite_dotted(text, moves) == (
        "summarizer.evaluation.evaluate summarizer.cli.evaluate summarizer.figures_x my_summarizer.figures "
        "summarizer.engine.figures.find"
    )


def test_a_module_that_is_a_package_moves_whole(tmp_path):
    root = make_tree(
        tmp_path,
        {
            "summarizer/task/__init__.py": "from summarizer.task.files import HERE\n",
            "summarizer/task/files.py": "from pathlib import Path\n\nHERE = Path(__file__).parent.parent.parent\n",
            "docs/notes.md": "See `summarizer/task/files.py` and summarizer/task.py.\n",
        },
    )
    assert run(root, "--apply").returncode == 0
    assert (root / "summarizer" / "core" / "task" / "files.py").exists()
    code = "import summarizer.core.task as t; print(t.HERE)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    assert result.stdout.strip() == str(root.resolve()), result.stderr
    assert read(root, "docs/notes.md") == "See `summarizer/core/task/files.py` and summarizer/task.py.\n"


def test_an_uncommitted_module_is_refused(tmp_path):
    root = make_tree(tmp_path)
    (root / "summarizer" / "text.py").write_text("x = 1\n", encoding="utf-8")
    result = run(root, "--apply")
    assert result.returncode == 2 and "summarizer/text is not committed" in result.stderr
    assert not (root / "summarizer" / "core").exists()


def test_the_documented_module_map_is_the_scripts():
    layout = (SCRIPT.parent.parent / "docs" / "LAYOUT.md").read_text(encoding="utf-8")
    assert relayout.module_map() in layout
