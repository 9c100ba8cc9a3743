"""The backend registry: built-ins found lazily, plugins through the ``summarizer.backends`` entry
points of an installed distribution, and ``--backend``/``--backend-opt`` on the command line."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from summarizer.backends import registry
from summarizer.backends.options import OptionError
from summarizer.cli import app
from summarizer.core.errors import ModelError

PLUGIN = '''
from dataclasses import dataclass
from typing import Literal

from summarizer.core.records import Extraction
from summarizer.backends.base import Backend


@dataclass(frozen=True)
class EchoOptions:
    summary: str = "Nothing to report."
    case: Literal["as-is", "upper"] = "as-is"


class EchoBackend(Backend):
    """Writes a document with no claims and the summary its options give."""

    name = "echo"
    Options = EchoOptions

    def __init__(self, model, options):
        self._model, self.options = model, options

    @property
    def model_id(self):
        return self._model

    def describe(self):
        return {**super().describe(), "case": self.options.case, "summary": self.options.summary}

    def extract(self, article, options):
        summary = self.options.summary.upper() if self.options.case == "upper" else self.options.summary
        document = {"summary": summary, "claims": []}
        return Extraction("raw echo", document, "ok", None, {"seconds": 0.0, "generated_tokens": 0})


class NotABackend:
    name = "broken"
'''


def install_plugin(root: Path, entry_points: str) -> Path:
    """A distribution as pip installs it: a module and a dist-info folder with its entry points."""
    root.mkdir()
    (root / "echo_plugin.py").write_text(PLUGIN, encoding="utf-8")
    info = root / "echo_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: echo-plugin\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(textwrap.dedent(entry_points), encoding="utf-8")
    return root


@pytest.fixture
def plugin(tmp_path, monkeypatch):
    root = install_plugin(
        tmp_path / "site",
        """\
        [summarizer.backends]
        echo = echo_plugin:EchoBackend
        broken = echo_plugin:NotABackend
        missing = no_such_module_xyz:Backend
        """,
    )
    monkeypatch.syspath_prepend(str(root))
    yield root
    for name in ("echo", "broken", "missing"):
        registry._REGISTERED.pop(name, None)
    sys.modules.pop("echo_plugin", None)


def run(*args: object):
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output + result.stderr, result.output + result.stderr
    return result


def test_built_ins_are_known_without_being_imported():
    code = (
        "import sys; from summarizer.backends import registry; names = registry.backend_names(); "
        "print(names, [m for m in ('torch', 'summarizer.backends.transformers_backend') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("[]") and "'openai', 'rules', 'transformers'" in out


def test_a_plugin_is_found_through_its_entry_point_and_imported_only_when_asked_for(plugin):
    assert {"echo", "broken", "missing"} <= set(registry.backend_names())
    assert "echo_plugin" not in sys.modules
    cls = registry.backend_class("echo")
    assert cls.__module__ == "echo_plugin" and cls.name == "echo"
    backend = registry.get_backend("any-model", "echo", case="upper")
    assert backend.extract("An article.", None).document == {"summary": "NOTHING TO REPORT.", "claims": []}


def test_a_broken_plugin_is_one_line_naming_it(plugin):
    with pytest.raises(ModelError, match=r"^backend 'broken' \(echo_plugin:NotABackend\) is not a Backend class$"):
        registry.get_backend("m", "broken")
    with pytest.raises(
        ModelError,
        match=r"^backend 'missing' \(no_such_module_xyz:Backend\) cannot be imported: "
        r"ModuleNotFoundError",
    ):
        registry.get_backend("m", "missing")
    with pytest.raises(ModelError) as info:
        registry.get_backend("m", "nope")
    known = str(info.value).removeprefix("unknown backend 'nope' (known: ").removesuffix(")").split(", ")
    assert {"broken", "echo", "missing", "openai", "rules", "transformers"} <= set(known) and known == sorted(known)


def test_summarize_with_a_plugin_backend_end_to_end(plugin, tmp_path):
    article = tmp_path / "a1.txt"
    article.write_text("Officials said 3 people were hurt.", encoding="utf-8")
    out, store = tmp_path / "out", tmp_path / "runs.sqlite3"
    args = ("summarize", article, "--backend", "echo", "--model", "whatever", "--out", out, "--store", store, "-q")
    result = run(*args, "--backend-opt", "summary=Quiet day.", "--backend-opt", "case=upper")
    assert result.exit_code == 0, result.stderr
    assert json.loads((out / "a1.json").read_text(encoding="utf-8")) == {"summary": "QUIET DAY.", "claims": []}
    from summarizer.store import RunStore

    with RunStore(store) as opened:
        (generation,) = opened.generations()
    assert generation.backend == "echo" and generation.model == "whatever"
    bad = run(*args, "--backend-opt", "case=lower")
    assert bad.exit_code == 1 and bad.stderr.strip() == (
        "error: unknown case 'lower' (use one of as-is, upper; "
        "options of the echo backend: summary=str, case=as-is|upper)"
    )


def test_an_unknown_backend_option_lists_the_valid_keys(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("5 people were killed.", encoding="utf-8")
    result = run("summarize", article, "--model", "some/model", "--backend-opt", "batchsize=4", "-q")
    assert result.exit_code == 1 and result.stderr.strip() == (
        "error: 'batchsize' is not an option of the transformers backend (its options: device=auto|cpu|cuda, "
        "dtype=auto|bfloat16|float32|int8, trust_remote_code=bool, revision=str|none, max_context=int|none, "
        "batch_size=int, schema=dict|none)"
    )
    result = run("eval", "--model", "rules", "--backend-opt", "x=1", "--out", tmp_path / "r", "-q")
    assert result.exit_code == 1 and result.stderr.strip() == (
        "error: 'x' is not an option of the rules backend (its options: none)"
    )


def test_convenience_flags_and_backend_opts_make_the_same_options():
    from summarizer.cli.app import backend_choice

    flags = backend_choice("m", None, device="cpu", revision="main", dtype="auto", trust_remote_code=False)
    assert flags == backend_choice("m", None, ["device=cpu", "revision=main"])
    assert flags[1].device == "cpu" and flags[1].batch_size == 16
    server = backend_choice("m", "openai", ["timeout=5"], base_url="http://h/v1")
    assert server == ("openai", registry.backend_class("openai").Options(base_url="http://h/v1", timeout=5.0))
    with pytest.raises(OptionError, match="--device and --backend-opt device=... both set device; give one"):
        backend_choice("m", None, ["device=cuda"], device="cpu")
    with pytest.raises(OptionError, match=r"the openai backend needs base_url \(--backend-opt base_url=VALUE;"):
        backend_choice("m", "openai")


QUOTES = Path(__file__).resolve().parents[1] / "examples" / "quotes"


def test_the_task_reaches_a_backend_through_the_task_field_of_its_options():
    from dataclasses import dataclass

    from summarizer.backends.base import Backend
    from summarizer.backends.lazy import LazyBackend
    from summarizer.backends.options import describe_keys, task_field

    @dataclass(frozen=True)
    class TaskOptions:
        level: int = 1
        task: Any = task_field()

    @registry.register_backend
    class TaskTest(Backend):
        name = "task-test"
        Options = TaskOptions

        def __init__(self, model, options):
            self.options = options

        model_id = property(lambda self: "m")
        extract = None

        @classmethod
        def identify(cls, model, options):
            return {"backend": cls.name, "model": model}

    try:
        built = registry.get_backend("m", "task-test", task=QUOTES, level=2)
        assert built.options.task.name == "quotes" and built.options.level == 2
        lazy = registry.get_backend("m", "task-test", lazy=True, task=str(QUOTES))
        assert isinstance(lazy, LazyBackend) and lazy.task.name == "quotes"  # known before loading
        assert registry.get_backend("m", "task-test").options.task is None  # None: claims
        assert describe_keys(TaskOptions) == "level=int"  # not a --backend-opt key
        with pytest.raises(
            OptionError,
            match=r"^task cannot be given as --backend-opt text; use --task "
            r"\(options of the task-test backend: level=int\)$",
        ):
            registry.get_backend("m", "task-test", options={"task": "examples/quotes"})
    finally:
        registry._REGISTERED.pop("task-test", None)


def test_a_plugin_without_a_task_field_serves_claims_and_refuses_any_other_task(plugin):
    assert registry.get_backend("m", "echo", task="claims").options.case == "as-is"
    with pytest.raises(
        OptionError,
        match=r"^the echo backend extracts only the claims task, not 'quotes' "
        r"\(its Options has no task field\)$",
    ):
        registry.get_backend("m", "echo", task=QUOTES)


def test_every_built_in_backend_takes_the_task_and_in_flight_is_an_openai_option():
    from summarizer.backends.options import takes_task
    from summarizer.cli.app import backend_choice

    assert all(takes_task(registry.backend_class(name).Options) for name in registry.BUILTINS)
    _, options = backend_choice("m", "openai", ["in_flight=3"], base_url="http://h/v1")
    assert options.in_flight == 3 and options.task is None
    with pytest.raises(ModelError, match="the rules baseline extracts only the built-in claims task, not 'quotes'"):
        registry.get_backend("rules", task=QUOTES)
