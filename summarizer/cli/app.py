"""The typer application and the pieces every command shares.

Commands live one per module in this package and register themselves with
:func:`command`, which turns a :class:`~summarizer.core.errors.SummarizerError` into a
one-line message on stderr and exit status 1 (typer/click keep exit status 2 for
usage errors). Nothing heavy is imported here so ``summarizer --help`` is instant.
"""

from __future__ import annotations

import functools
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from summarizer.core.errors import SummarizerError, SummarizerNote, SummarizerWarning

app = typer.Typer(
    name="summarizer",
    help="Turn news articles into structured, checkable casualty claims, and measure how well models do it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
dev_app = typer.Typer(help="Developer tools (tiny offline models and the like).", no_args_is_help=True)
app.add_typer(dev_app, name="dev")


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``error: message`` on stderr and return the Exit to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


_PYTHON_SHOWWARNING = warnings.showwarning


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """This library's warnings as one line on stderr, ``warning: <message>`` (a note: ``note: <message>``);
    others as Python shows them."""
    if issubclass(category, SummarizerWarning):
        kind = "note" if issubclass(category, SummarizerNote) else "warning"
        typer.echo(f"{kind}: {' '.join(str(message).split())}", err=True)
    else:
        _PYTHON_SHOWWARNING(message, category, filename, lineno, file, line)


def _handle_errors(fn: Callable) -> Callable:
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            with warnings.catch_warnings():  # puts showwarning back afterwards
                warnings.simplefilter("default", SummarizerWarning)  # each distinct one once
                warnings.showwarning = _show_warning
                return fn(*args, **kwargs)
        except SummarizerError as error:
            raise fail(str(error)) from None
        except KeyboardInterrupt:
            typer.echo("interrupted; finished results were kept", err=True)
            raise typer.Exit(130) from None
        except BrokenPipeError:
            sys.stderr.close()  # e.g. `summarizer schema | head`: not an error worth a traceback
            raise typer.Exit(0) from None
        except OSError as error:  # a file the library did not expect to fail (disk full, ...): still one line
            raise fail(_os_error_line(error)) from None

    return wrapper


def _os_error_line(error: OSError) -> str:
    reason = error.strerror or str(error)
    return f"{error.filename}: {reason}" if error.filename is not None else reason


def command(*args, typer_app: typer.Typer = app, **kwargs) -> Callable[[Callable], Callable]:
    """``@command()`` registers a CLI command with the shared error handling."""

    def decorate(fn: Callable) -> Callable:
        return typer_app.command(*args, **kwargs)(_handle_errors(fn))

    return decorate


# Options shared by several commands: defined once, used everywhere.
ModelOption = Annotated[
    str,
    typer.Option("--model", "-m", help="'rules', a preset name, a Hugging Face hub id or a local model folder."),
]
ModelsOption = Annotated[
    list[str],
    typer.Option("--model", "-m", help="Repeat for each model: 'rules', a preset, a hub id or a local folder."),
]
NameOption = Annotated[
    str | None,
    typer.Option(
        "--name",
        metavar="NAME",
        help="How the tables, the chart and the review page name the model, and its reports folder "
        "(default: its file or folder name); report.json keeps --model as given.",
    ),
]
NamesOption = Annotated[
    list[str] | None,
    typer.Option(
        "--name",
        metavar="NAME",
        help="Repeat, one per --model in the same order: how the leaderboard, the chart and the review pages "
        "name each model, and its reports folder (default: its file or folder name); the JSON keeps --model.",
    ),
]
OutDirOption = Annotated[Path | None, typer.Option("--out", "-o", help="Folder to write results into.")]
JsonOutOption = Annotated[Path | None, typer.Option("--json", help="Also write the report as JSON to this file.")]
DataOption = Annotated[
    Path | None,
    typer.Option("--data", help="Dataset folder with articles/ and labels/ (default: the bundled seeds)."),
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]
DeviceOption = Annotated[str, typer.Option("--device", help="auto, cpu or cuda.")]
DtypeOption = Annotated[str, typer.Option("--dtype", help="auto, bfloat16, float32 or int8 (CPU only).")]
StoreOption = Annotated[
    Path | None,
    typer.Option(
        "--store", help="Run store file (default: $SUMMARIZER_STORE, else runs.sqlite3 in the user data folder)."
    ),
]
NoCacheOption = Annotated[
    bool,
    typer.Option("--no-cache", help="Generate again even when the store has an identical run (the new run is stored)."),
]
MaxNewTokensOption = Annotated[
    int, typer.Option("--max-new-tokens", min=1, help="Token budget per document (per chunk for long articles).")
]
MaxFiguresOption = Annotated[
    int,
    typer.Option(
        "--max-figures",
        min=1,
        help="Figures the model is asked per article, at most (figures strategy): those most likely "
        "to be claims; a longer article's others are left unasked, with a warning. Raise it to ask "
        "more (time grows with it).",
    ),
]
TemperatureOption = Annotated[float, typer.Option("--temperature", min=0.0, help="0 = greedy decoding.")]
TopPOption = Annotated[
    float, typer.Option("--top-p", min=0.0, max=1.0, help="Nucleus sampling mass (with temperature > 0).")
]
SeedOption = Annotated[int, typer.Option("--seed", help="Random seed for sampling.")]
GroundingOption = Annotated[
    bool,
    typer.Option("--grounding/--no-grounding", help="Restrict evidence to article text and counts to article numbers."),
]
StrategyOption = Annotated[
    str | None,
    typer.Option(
        "--strategy",
        help="figures: the model labels each figure the parser finds (bounded, batched; "
        "claims only); items: the model writes one item of the task's array at a time (bounded; "
        "any task with one); document: the model writes the whole document in one generation. "
        "Default: the task's (figures for claims; a task folder's task.toml strategy, else document).",
    ),
]
TaskOption = Annotated[
    str,
    typer.Option(
        "--task",
        help="What to extract: 'claims' (built in) or a task folder (schema.json, "
        "instructions.md, examples/, task.toml); see README 'Your own task'.",
    ),
]
SummaryOption = Annotated[
    str,
    typer.Option(
        "--summary",
        help="model: written by the model (numbers only from the article); "
        "claims: built from the claims, no model (figures strategy).",
    ),
]


def check_strategy(strategy: str | None, summary: str, task) -> None:
    """Usage errors (exit 2) for a --strategy the task has not or an unknown --summary, before any
    model loads. No --strategy: the library takes the task's default."""
    from summarizer.core.kit import task_strategies
    from summarizer.core.records import SUMMARY_MODES

    strategies = task_strategies(task)
    for name, value, allowed, of in (
        ("--strategy", strategy, strategies, f" for task {task.name!r}"),
        ("--summary", summary, SUMMARY_MODES, ""),
    ):
        if value is not None and value not in allowed:
            raise typer.BadParameter(f"{name} must be one of {', '.join(allowed)}{of} (got {value!r})")


TrustRemoteCodeOption = Annotated[
    bool,
    typer.Option("--trust-remote-code", help="Run the model repository's own code (only for repositories you trust)."),
]
RevisionOption = Annotated[str | None, typer.Option("--revision", help="Hub branch, tag or commit.")]
BackendOption = Annotated[
    str | None,
    typer.Option(
        "--backend",
        help="transformers (a model in this process), rules, openai (an OpenAI-compatible "
        "server: vLLM, SGLang, llama-server ...), or a plugin's backend (entry point "
        "group summarizer.backends). Default: from --model.",
    ),
]
BackendOptOption = Annotated[
    list[str] | None,
    typer.Option(
        "--backend-opt",
        metavar="KEY=VALUE",
        help="An option of the backend, checked against its type (repeat for each; an unknown key "
        "lists the valid ones). transformers: device, dtype, trust_remote_code, revision, "
        "max_context, batch_size; openai: base_url, api_key_env, dialect, timeout, retries, backoff.",
    ),
]
BaseUrlOption = Annotated[
    str | None,
    typer.Option(
        "--base-url",
        help="With --backend openai: the server's URL up to /v1 "
        "(http://127.0.0.1:8000/v1); --model is the served model name.",
    ),
]
ApiKeyEnvOption = Annotated[
    str | None,
    typer.Option(
        "--api-key-env", metavar="VAR", help="With --backend openai: the environment variable that holds the API key."
    ),
]
DialectOption = Annotated[
    str | None,
    typer.Option(
        "--dialect",
        help="With --backend openai: how the server takes the grounded grammar: "
        "vllm, sglang, llama, json-schema (no grammar: grounding checked "
        "afterwards) or auto (asked from the server, the default).",
    ),
]
TimeoutOption = Annotated[
    float | None,
    typer.Option(
        "--timeout", min=0.001, help="With --backend openai: seconds to wait for one article's answer (default 600)."
    ),
]
ConcurrencyOption = Annotated[
    int,
    typer.Option(
        "--concurrency",
        min=1,
        help="Articles in flight at once, for a backend that serves several "
        "(--backend openai); a model in this process takes one at a time.",
    ),
]
DEFAULT_CONCURRENCY = 4

# What the commands pass for an option the user did not give: such options are left to the backend.
_NOT_GIVEN = {"device": "auto", "dtype": "auto", "trust_remote_code": False}


def backend_choice(model: str, backend: str | None, pairs: list[str] | None = None, **flags) -> tuple[str, Any]:
    """(backend name, its Options) from --backend, --backend-opt KEY=VALUE (``pairs``) and the
    convenience flags (``flags``: --device, --base-url ..., None = not given). One-line errors for an
    unknown backend, a flag the backend has no use for, and an unknown key or bad value."""
    from summarizer.backends.options import OptionError, option_types, parse_pairs
    from summarizer.backends.registry import make_backend_options, resolve_backend

    given = {key: value for key, value in flags.items() if value is not None and _NOT_GIVEN.get(key, object()) != value}
    # A GGUF file goes to llama.cpp on a CPU unless a transformers-only flag asks for transformers.
    transformers_flags = {"dtype", "trust_remote_code", "revision"} & set(given)
    cls = resolve_backend(
        model, backend or ("transformers" if transformers_flags else None), given.get("device", "auto")
    )
    keys = option_types(cls.Options)
    for key in given:
        if key not in keys:
            raise OptionError(f"--{key.replace('_', '-')} is not an option of the {cls.name} backend")
    typed = parse_pairs(pairs or [])
    for key in sorted(set(given) & set(typed)):
        raise OptionError(f"--{key.replace('_', '-')} and --backend-opt {key}=... both set {key}; give one")
    return cls.name, make_backend_options(cls, {**given, **typed})


def note_backend_choice(model: str, backend: str | None, chosen: str) -> None:
    """One line on stderr when a GGUF file went to llama.cpp, or a small one to transformers, without
    --backend asking for it."""
    if backend is not None or chosen not in ("llama-cpp", "transformers"):
        return
    from summarizer.backends.llama_cpp_backend import installed_version

    version = installed_version()
    if version is None:
        return
    if chosen == "llama-cpp":
        typer.echo(
            f"{model}: a GGUF file, run by llama.cpp in its own quantization "
            f"(llama-cpp-python {version}); --backend transformers for the transformers path",
            err=True,
        )
        return
    from summarizer.backends.registry import LLAMA_CPP_MIN_PARAMETERS, gguf_parameters

    count = gguf_parameters(model)
    if count is not None and count < LLAMA_CPP_MIN_PARAMETERS:
        typer.echo(
            f"{model}: a GGUF file of {count / 1e6:,.0f}M parameters, run by transformers "
            f"(faster than llama.cpp on a CPU below {LLAMA_CPP_MIN_PARAMETERS / 1e6:,.0f}M); "
            "--backend llama-cpp for llama.cpp",
            err=True,
        )


def check_sampling(temperature: float, top_p: float, seed: int) -> None:
    """A usage error (exit status 2) for sampling values torch cannot use, before any model loads."""
    from summarizer.core.records import sampling_problem

    problem = sampling_problem(temperature, top_p, seed)
    if problem:
        raise typer.BadParameter(problem)


# Kept equal to ExtractOptions().max_new_tokens (a test checks), without importing the library here.
DEFAULT_MAX_NEW_TOKENS = 4096
