"""The layering rules of docs/ARCHITECTURE.md, checked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_layers_only_look_down():
    # import-linter reads the contracts in pyproject.toml.
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports)], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]


def test_cli_starts_without_heavy_imports():
    # `summarizer --help` must be instant: torch, transformers, scipy, llguidance and llama_cpp load on use.
    code = (
        "import sys; from summarizer.cli import app; "
        "heavy = [m for m in ('torch', 'transformers', 'scipy', 'llguidance', 'matplotlib', 'jsonschema', 'llama_cpp') "
        "if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_cli_default_budget_matches_the_library():
    from summarizer.cli.app import DEFAULT_MAX_NEW_TOKENS
    from summarizer.core.records import ExtractOptions

    assert DEFAULT_MAX_NEW_TOKENS == ExtractOptions().max_new_tokens


def test_no_module_imports_itself_through_others():
    # Every import (at the top, in a function, for types): the module graph of summarizer has no
    # cycle. (lint-imports' acyclic_siblings contract says the same per package; this names them.)
    import grimp

    graph = grimp.build_graph("summarizer")
    imports = {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}
    cycles = [
        (module, other)
        for module, imported in imports.items()
        for other in imported
        if graph.chain_exists(importer=other, imported=module)
    ]
    assert cycles == []
