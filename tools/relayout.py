#!/usr/bin/env python3
"""Move summarizer's flat modules into layer subpackages (issue 11, part 2), re-runnably.

    python tools/relayout.py            # dry run: the plan, unmapped modules, layer violations
    python tools/relayout.py --apply    # git mv + rewrite every reference (on a clean work tree)

The move is a table (MOVES) rather than a hand edit, so it can run once on the merged main: it
`git mv`s each module, writes the new packages' ``__init__.py``, rewrites imports and dotted module
names (``summarizer.figures`` -> ``summarizer.engine.figures``), source paths
(``summarizer/figures.py``), ``from summarizer import x`` lines, the ENGINE_MODULES path list and
``Path(__file__).parent`` chains of moved files, then replaces the import-linter contracts in
pyproject.toml with one layers contract and two forbidden ones. Top-level modules the table does not
know are listed and stop the run (``--allow-unmapped`` leaves them where they are). It refuses a
tree that has already been moved. Standard library only. See docs/LAYOUT.md.
"""

from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys
from pathlib import Path

PACKAGE = "summarizer"

# Old top-level module (relative to the package) -> new home. Entries whose module is absent are skipped,
# so names another branch may add (task, extraction, speculation) can be listed ahead of time.
MOVES = {
    # core: the task, its files and the checks on a document; imports nothing above it
    "errors": "core.errors",
    "resources": "core.resources",
    "task": "core.task",
    "status": "core.status",
    "stats": "core.stats",
    "io": "core.io",
    "inputs": "core.inputs",
    "dataset": "core.dataset",
    "numbers": "core.numbers",
    "text": "core.text",
    "validation": "core.validation",
    # engine: from an article and a model to a document
    "prompting": "engine.prompting",
    "grammar": "engine.grammar",
    "summary_grammar": "engine.summary_grammar",
    "decode": "engine.decode",
    "batch_decode": "engine.batch_decode",
    "speculation": "engine.speculation",
    "chunking": "engine.chunking",
    "extraction": "engine.extraction",
    "salvage": "engine.salvage",
    "figures": "engine.figures",
    "figure_grammar": "engine.figure_grammar",
    "figure_prompting": "engine.figure_prompting",
    "figure_extraction": "engine.figure_extraction",
    "lexicon": "engine.lexicon",
    "sides": "engine.sides",
    "loading": "engine.loading",
    "gguf": "engine.gguf",
    "fingerprint": "engine.fingerprint",
    "models": "engine.presets",
    # evaluation: datasets x models -> scores
    "normalize": "evaluation.normalize",
    "scoring": "evaluation.scoring",
    "evaluate": "evaluation.evaluate",
    "task_scoring": "evaluation.task_scoring",
    # reporting: turning results into tables, Markdown, charts and the review page
    "formatting": "reporting.formatting",
    "score_report": "reporting.terminal",
    "leaderboard": "reporting.leaderboard",
    "review": "reporting.review",
    "task_report": "reporting.task_report",
    # bench: the performance benchmarks (outside the library: it may use the tiny test model)
    "benchmark": "bench.benchmark",
    "bench_report": "bench.report",
    "serving_bench": "bench.serving",
    "bench_real": "bench.real",
    "bench_real_report": "bench.real_report",
}

# Top-level modules that keep their place: the package itself, the public entry point and the run store.
STAYS = {"__init__", "__main__", "api", "store"}
# Packages that exist already; their modules stay where they are.
KEPT_PACKAGES = {"backends", "cli", "testing"}

NEW_PACKAGES = {
    "core": "Core: the task, its schema and files, numbers and text, document checks. Imports nothing above it.",
    "engine": "Engine: prompts, grammars, decoding, chunking, figure-guided extraction, model loading and presets.",
    "evaluation": "Evaluation: datasets x models -> scores (scoring, normalisation, eval and compare).",
    "reporting": "Reporting: terminal tables, Markdown and charts, the review page.",
    "bench": "Benchmarks: speed of the in-process engine and of servers (not part of the library).",
}

# Top to bottom; a layer may import only the layers below it. "a | b" are independent siblings.
LAYERS = ["cli", "bench | evaluation", "reporting", "api", "store", "backends", "engine", "core"]
LIBRARY = ["core", "engine", "backends", "store", "api", "evaluation", "reporting"]
# Imports that go up a layer and are known: "importer -> imported" (new names) and why. The contract
# ignores only those the tree really has (import-linter rejects an ignore that matches nothing).
KNOWN_UPWARD = {
    "summarizer -> summarizer.api": (
        "the package re-exports summarize() lazily, in __getattr__; `from summarizer import __version__` runs no api"
    ),
    "summarizer.engine.extraction -> summarizer.backends.base": (
        "the Extraction and ExtractOptions records live in backends/base.py; moving them to core drops this"
    ),
}

# Assignments holding module paths relative to the package ("grammar", "backends/rules").
PATH_LISTS = ("ENGINE_MODULES",)

# Files whose references are rewritten, and files never touched (they describe the move itself).
SCOPE = [
    "summarizer/**/*.py",
    "tests/**/*.py",
    "tools/**/*.py",
    "pyproject.toml",
    ".ci/*",
    "README.md",
    "docs/**/*.md",
    "bench/*.md",
    "eval/**/*.py",
    "eval/**/*.sh",
    "eval/**/*.md",
]
EXCLUDE = {"tools/relayout.py", "tests/test_relayout.py", "docs/LAYOUT.md"}


class RelayoutError(Exception):
    """A reason to stop before changing anything."""


# ---------------------------------------------------------------- the plan


def top_level_modules(root: Path) -> set[str]:
    package = root / PACKAGE
    names = {p.stem for p in package.glob("*.py")}
    names |= {p.name for p in package.iterdir() if (p / "__init__.py").is_file()}
    return names


def plan(root: Path) -> tuple[dict[str, str], list[str]]:
    """The moves that apply to this tree, and the top-level modules nobody placed."""
    present = top_level_modules(root)
    done = sorted(p for p in NEW_PACKAGES if (root / PACKAGE / p).exists())
    if done:
        raise RelayoutError(f"{PACKAGE}/{done[0]}/ exists: this tree has already been moved (or half moved)")
    moves = {old: new for old, new in MOVES.items() if old in present}
    if not moves:
        raise RelayoutError(f"none of the modules to move is in {PACKAGE}/: nothing to do")
    try:
        tracked = set(git(root, "ls-files", PACKAGE).split())
    except (OSError, subprocess.CalledProcessError) as error:
        raise RelayoutError(f"{root} is not a git work tree ({error})") from None
    untracked = sorted(
        old
        for old in moves
        if f"{PACKAGE}/{old}.py" not in tracked and not any(f.startswith(f"{PACKAGE}/{old}/") for f in tracked)
    )
    if untracked:
        raise RelayoutError(f"{PACKAGE}/{untracked[0]} is not committed: git mv cannot move it")
    unmapped = sorted(present - set(moves) - STAYS - KEPT_PACKAGES)
    return moves, unmapped


# ---------------------------------------------------------------- rewriting text


def _alternation(names) -> str:
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


def rewrite_dotted(text: str, moves: dict[str, str]) -> str:
    """``summarizer.figures`` (imports, mock targets, docs) -> ``summarizer.engine.figures``."""
    pattern = re.compile(rf"(?<![\w.]){PACKAGE}\.({_alternation(moves)})(?!\w)")
    return pattern.sub(lambda m: f"{PACKAGE}.{moves[m.group(1)]}", text)


def rewrite_paths(text: str, moves: dict[str, str], packages: frozenset[str] = frozenset()) -> str:
    """``summarizer/figures.py`` (docs, links, tool configs) -> ``summarizer/engine/figures.py``;
    for a module that is a package, ``summarizer/task/`` -> ``summarizer/core/task/``."""
    pattern = re.compile(rf"(?<![\w.-]){PACKAGE}/({_alternation(moves)})(\.py(?!\w)|/)")

    def one(match: re.Match) -> str:
        if (match.group(2) == "/") != (match.group(1) in packages):
            return match.group(0)  # "summarizer/gguf/" is a cache folder unless gguf is a package
        return f"{PACKAGE}/{moves[match.group(1)].replace('.', '/')}{match.group(2)}"

    return pattern.sub(one, text)


_FROM_PACKAGE = re.compile(rf"^([ \t]*)from {PACKAGE} import (\(([^)]*)\)|[^\n#]*?)([ \t]*#[^\n]*)?$", re.M)


def _split_names(names: str) -> list[tuple[str, str | None]]:
    out = []
    for item in re.sub(r"#[^\n]*", "", names).replace("\n", " ").split(","):
        parts = item.split()
        if parts:
            out.append((parts[0], parts[2] if len(parts) == 3 and parts[1] == "as" else None))
    return out


def rewrite_from_package(text: str, moves: dict[str, str]) -> str:
    """``from summarizer import gguf, api`` -> ``from summarizer.engine import gguf`` and
    ``from summarizer import api``."""

    def one(match: re.Match) -> str:
        indent, names, comment = match.group(1), match.group(3) or match.group(2), match.group(4) or ""
        groups: dict[str, list[str]] = {}
        for name, alias in _split_names(names):
            parent, _, leaf = moves.get(name, name).rpartition(".")
            target = f"{PACKAGE}.{parent}" if parent else PACKAGE
            bound = alias or name
            groups.setdefault(target, []).append(leaf if bound == leaf else f"{leaf} as {bound}")
        if list(groups) == [PACKAGE]:
            return match.group(0)
        lines = [f"{indent}from {target} import {', '.join(items)}" for target, items in groups.items()]
        return "\n".join(lines) + comment

    return _FROM_PACKAGE.sub(one, text)


def rewrite_path_lists(text: str, moves: dict[str, str]) -> str:
    """Inside ``ENGINE_MODULES = (...)``: ``"grammar"`` -> ``"engine/grammar"``."""
    paths = {old: new.replace(".", "/") for old, new in moves.items()}
    for name in PATH_LISTS:
        match = re.search(rf"^{name}\s*(?::[^=\n]*)?=\s*[(\[]", text, re.M)
        if not match:
            continue
        end = text.index(")" if text[match.end() - 1] == "(" else "]", match.end())
        body = re.sub(
            r"([\"'])([\w/]+)\1",
            lambda m: f"{m.group(1)}{paths.get(m.group(2), m.group(2))}{m.group(1)}",
            text[match.end() : end],
        )
        text = text[: match.end()] + body + text[end:]
    return text


def rewrite_file_depth(text: str, delta: int) -> tuple[str, int]:
    """``Path(__file__).resolve().parent.parent`` of a module moved ``delta`` folders deeper keeps its target."""
    pattern = re.compile(r"(Path\(__file__\)(?:\.resolve\(\))?)((?:\.parent)+)")
    text, count = pattern.subn(lambda m: m.group(1) + ".parent" * (m.group(2).count(".parent") + delta), text)
    return text, count


def renamed_tests(root: Path, moves: dict[str, str]) -> dict[str, str]:
    """One test file per module: ``tests/test_models.py`` -> ``tests/test_presets.py`` for a renamed module.
    A name that only loses its package (``serving_bench`` -> ``bench.serving``) keeps its clearer test name."""
    renames = {}
    for old, new in moves.items():
        package, _, leaf = new.rpartition(".")
        tests = root / "tests"
        if old in (leaf, f"{package}_{leaf}", f"{leaf}_{package}"):
            continue
        if (tests / f"test_{old}.py").is_file() and not (tests / f"test_{leaf}.py").exists():
            renames[f"tests/test_{old}.py"] = f"tests/test_{leaf}.py"
    return renames


def rewrite_test_paths(text: str, renames: dict[str, str]) -> str:
    if not renames:
        return text
    pattern = re.compile(rf"(?<![\w.-])({_alternation(renames)})(?!\w)")
    return pattern.sub(lambda m: renames[m.group(1)], text)


def rewrite_text(text: str, moves: dict[str, str], packages: frozenset[str] = frozenset()) -> str:
    text = rewrite_from_package(text, moves)
    text = rewrite_dotted(text, moves)
    text = rewrite_paths(text, moves, packages)
    return rewrite_path_lists(text, moves)


# ---------------------------------------------------------------- the import graph and the contracts


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_edges(root: Path) -> set[tuple[str, str]]:
    """(importer, imported) for every import of a package module, at any depth (as import-linter sees them)."""
    files = {_module_name(root, p): p for p in (root / PACKAGE).rglob("*.py")}
    edges = set()
    for importer, path in files.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                targets = [
                    f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in files else node.module for a in node.names
                ]
            else:
                continue
            edges |= {(importer, t) for t in targets if t.split(".")[0] == PACKAGE}
    return edges


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def _rank() -> dict[str, int]:
    return {name.strip(): i for i, layer in enumerate(LAYERS) for name in layer.split("|")}


def violations(edges: set[tuple[str, str]]) -> list[str]:
    """Imports that break the layers or the forbidden contracts, as "importer -> imported"."""
    rank, bad = _rank(), []
    # Importing the package itself (``from summarizer import __version__``) runs what its __init__ imports.
    through_init = {b for a, b in edges if a == PACKAGE and f"{a} -> {b}" not in KNOWN_UPWARD}
    edges = edges | {(a, t) for a, b in edges if b == PACKAGE for t in through_init}
    for importer, imported in sorted(edges):
        src, dst = layer_of(importer), layer_of(imported)
        if src == dst or src is None or dst is None:
            continue
        upward = src in rank and dst in rank and rank[src] >= rank[dst]
        forbidden = (src in LIBRARY and dst in ("bench", "testing")) or (src == "testing" and dst == "cli")
        if upward or forbidden:
            bad.append(f"{importer} -> {imported}")
    return bad


def moved_edges(edges: set[tuple[str, str]], moves: dict[str, str]) -> set[tuple[str, str]]:
    """The same graph with each module renamed as the move will rename it."""
    return {(rewrite_dotted(a, moves), rewrite_dotted(b, moves)) for a, b in edges}


def contracts_toml(ignored: list[str]) -> str:
    def names(items):
        quoted = [f'"{PACKAGE}.{i}"' for i in items]
        one_line = "[" + ", ".join(quoted) + "]"
        return one_line if len(one_line) < 90 else "[\n" + "".join(f"    {q},\n" for q in quoted) + "]"

    ignore = ""
    if ignored:
        ignore = (
            "ignore_imports = [\n" + "".join(f'    "{edge}",  # {KNOWN_UPWARD[edge]}\n' for edge in ignored) + "]\n"
        )
    return (
        "# Written by tools/relayout.py from its LAYERS table (docs/ARCHITECTURE.md draws it).\n"
        "[[tool.importlinter.contracts]]\n"
        f'name = "Layers only look down: {" > ".join(LAYERS)}"\n'
        'type = "layers"\n'
        f'containers = ["{PACKAGE}"]\n'
        "layers = [" + ", ".join(f'"{layer}"' for layer in LAYERS) + "]\n" + ignore + "exhaustive = true\n"
        'exhaustive_ignores = ["testing", "__main__"]\n'
        "\n[[tool.importlinter.contracts]]\n"
        'name = "The library never imports the benchmarks or the test helpers"\n'
        'type = "forbidden"\n'
        f"source_modules = {names(LIBRARY)}\n"
        f"forbidden_modules = {names(['bench', 'testing'])}\n"
        "\n[[tool.importlinter.contracts]]\n"
        'name = "The test helpers never import the CLI"\n'
        'type = "forbidden"\n'
        f"source_modules = {names(['testing'])}\n"
        f"forbidden_modules = {names(['cli'])}\n"
    )


def replace_contracts(pyproject: str, contracts: str) -> str:
    """Every ``[[tool.importlinter.contracts]]`` table replaced by ``contracts`` (other tables kept)."""
    lines = pyproject.splitlines(keepends=True)
    out, inside, placed, pending = [], False, False, []
    for line in lines:
        if line.startswith("["):
            if line.strip() == "[[tool.importlinter.contracts]]":
                if not placed:
                    out.append(contracts)
                    placed = True
                inside, pending = True, []
                continue
            if inside:
                out.extend(line for line in pending if line.startswith("#"))  # a comment that leads the next table
            inside = False
        if inside:
            pending.append(line) if line.startswith("#") or not line.strip() else pending.clear()
            continue
        out.append(line)
    if not placed:
        out.append("\n" + contracts)
    return "".join(out)


def module_map() -> str:
    """The Markdown table old -> new of every module MOVES knows (docs/LAYOUT.md holds a copy)."""
    rows = [f"| `{PACKAGE}/{old}.py` | `{PACKAGE}/{new.replace('.', '/')}.py` |" for old, new in MOVES.items()]
    return "\n".join(["| Old module | New home |", "|---|---|", *rows]) + "\n"


# ---------------------------------------------------------------- applying it


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


def scope_files(root: Path) -> list[Path]:
    files = {p for pattern in SCOPE for p in root.glob(pattern) if p.is_file()}
    return sorted(p for p in files if p.relative_to(root).as_posix() not in EXCLUDE and "__pycache__" not in p.parts)


def move_files(root: Path, moves: dict[str, str]) -> list[str]:
    """git mv each module; returns warnings about ``__file__`` paths that were adjusted."""
    warnings = []
    for package, doc in NEW_PACKAGES.items():
        if any(new.startswith(package + ".") for new in moves.values()):
            (root / PACKAGE / package).mkdir()
            init = root / PACKAGE / package / "__init__.py"
            init.write_text(f'"""{doc}"""\n', encoding="utf-8")
            git(root, "add", str(init.relative_to(root)))
    for old, new in moves.items():
        is_package = (root / PACKAGE / old).is_dir()
        source = Path(PACKAGE, old if is_package else f"{old}.py")
        target = Path(PACKAGE, *new.split(".")).with_suffix("" if is_package else ".py")
        git(root, "mv", str(source), str(target))
        for path in sorted((root / target).rglob("*.py")) if is_package else [root / target]:
            text, count = rewrite_file_depth(path.read_text(encoding="utf-8"), new.count("."))
            if count:
                path.write_text(text, encoding="utf-8")
                warnings.append(
                    f"{path.relative_to(root).as_posix()}: {count} Path(__file__).parent chain(s) "
                    "lengthened to keep their target"
                )
    for old, new in renamed_tests(root, moves).items():
        git(root, "mv", old, new)
    return warnings


def rewrite_tree(root: Path, moves: dict[str, str], packages: frozenset[str], renames: dict[str, str]) -> list[str]:
    changed = []
    files = scope_files(root)
    # pyproject.toml last: its contracts are written from the import graph of the rewritten modules.
    for path in sorted(files, key=lambda p: p.name == "pyproject.toml"):
        text = path.read_text(encoding="utf-8")
        new = rewrite_test_paths(rewrite_text(text, moves, packages), renames)
        if path == root / "pyproject.toml":
            edges = import_edges(root)
            ignored = sorted(e for e in KNOWN_UPWARD if tuple(e.split(" -> ")) in edges)
            new = replace_contracts(new, contracts_toml(ignored))
        if new != text:
            if path.suffix == ".py":
                ast.parse(new, str(path))  # a rewrite that breaks the syntax stops here, loudly
            path.write_text(new, encoding="utf-8")
            changed.append(path.relative_to(root).as_posix())
    return changed


def leftovers(root: Path, moves: dict[str, str]) -> list[str]:
    """Lines that still name a moved module the old way, or build module names at run time."""
    names = _alternation(moves)
    old = re.compile(rf"(?<![\w.]){PACKAGE}\.({names})(?!\w)|(?<![\w.-]){PACKAGE}/({names})\.py|f[\"']{PACKAGE}\.\{{")
    found = []
    for path in scope_files(root):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if old.search(line):
                found.append(f"{path.relative_to(root).as_posix()}:{number}: {line.strip()}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--apply", action="store_true", help="move and rewrite (default: only print the plan)")
    parser.add_argument("--allow-unmapped", action="store_true", help="leave modules MOVES does not know in place")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--map", action="store_true", help="print the module map old -> new as Markdown and stop")
    args = parser.parse_args(argv)
    if args.map:
        print(module_map(), end="")
        return 0
    root = args.root.resolve()
    try:
        moves, unmapped = plan(root)
    except RelayoutError as error:
        print(f"relayout: {error}", file=sys.stderr)
        return 2
    for old, new in moves.items():
        print(f"  {PACKAGE}/{old}.py -> {PACKAGE}/{new.replace('.', '/')}.py")
    for old, new in renamed_tests(root, moves).items():
        print(f"  {old} -> {new}")
    if unmapped:
        print(
            f"\nrelayout: {len(unmapped)} top-level module(s) not in the MOVES table of tools/relayout.py:",
            file=sys.stderr,
        )
        for name in unmapped:
            print(f"  {PACKAGE}/{name}", file=sys.stderr)
        if not args.allow_unmapped:
            print("add them to MOVES (or STAYS), or pass --allow-unmapped to leave them in place", file=sys.stderr)
            return 3
    bad = [e for e in violations(moved_edges(import_edges(root), moves)) if e not in KNOWN_UPWARD]
    if bad:
        print(f"\nrelayout: {len(bad)} import(s) break the layers {LAYERS} after the move:", file=sys.stderr)
        print("\n".join(f"  {e}" for e in bad), file=sys.stderr)
        print("change LAYERS or MOVES, or list them in KNOWN_UPWARD with the reason", file=sys.stderr)
        return 4
    known = sorted(set(KNOWN_UPWARD) & {f"{a} -> {b}" for a, b in moved_edges(import_edges(root), moves)})
    for edge in known:
        print(f"known upward import, ignored by the layers contract: {edge} ({KNOWN_UPWARD[edge]})")
    if not args.apply:
        print("\ndry run: nothing changed (pass --apply to move)")
        return 0
    if git(root, "status", "--porcelain", "--untracked-files=no").strip():
        print("relayout: the work tree has uncommitted changes; commit or stash them first", file=sys.stderr)
        return 2
    packages = frozenset(old for old in moves if (root / PACKAGE / old).is_dir())
    renames = renamed_tests(root, moves)
    try:
        warnings = move_files(root, moves)
        changed = rewrite_tree(root, moves, packages, renames)
    except (subprocess.CalledProcessError, SyntaxError) as error:
        print(
            f"relayout: stopped half way ({error}); undo with: git reset --hard && git clean -fd {PACKAGE}",
            file=sys.stderr,
        )
        return 1
    print(f"\nmoved {len(moves)} modules, rewrote {len(changed)} files")
    for line in warnings + [f"still names a moved module: {line}" for line in leftovers(root, moves)]:
        print(f"warning: {line}", file=sys.stderr)
    print("next: pytest, lint-imports, `summarizer --help` without torch, --model rules output diff (docs/LAYOUT.md)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
