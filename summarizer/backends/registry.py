"""Which backends exist, by name: the built-ins, the ``summarizer.backends`` entry points, and
classes registered at run time.

A backend is imported only when it is asked for by name, so ``--help`` or a ``rules`` run never
imports torch. A third-party package adds a backend without touching this project:

    # its pyproject.toml
    [project.entry-points."summarizer.backends"]
    my-server = "my_package.backend:MyBackend"

and ``summarizer summarize ARTICLE --backend my-server --model NAME`` finds it.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.metadata
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from summarizer.backends.options import OptionError, build_options, check_options, takes_task
from summarizer.core.errors import ModelError

if TYPE_CHECKING:
    from summarizer.backends.base import Backend

ENTRY_POINT_GROUP = "summarizer.backends"
# Built-in backends as "module:Class": imported on first use, so heavy dependencies load only when needed.
BUILTINS = {
    "rules": "summarizer.tasks.claims.rules:RulesBackend",
    "transformers": "summarizer.backends.transformers_backend:TransformersBackend",
    "openai": "summarizer.backends.openai_backend:OpenAIBackend",
    "llama-cpp": "summarizer.backends.llama_cpp_backend:LlamaCppBackend",
}
_REGISTERED: dict[str, type[Backend]] = {}


def register_backend(cls: type[Backend]) -> type[Backend]:
    """Class decorator: make a backend available by its ``name`` (for backends defined in-process)."""
    _REGISTERED[cls.name] = cls
    return cls


def plugin_targets() -> dict[str, str]:
    """Backend name -> "module:Class" of every installed ``summarizer.backends`` entry point."""
    return {point.name: point.value for point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}


def backend_names() -> list[str]:
    """Every backend that can be asked for by name."""
    return sorted(set(_REGISTERED) | set(BUILTINS) | set(plugin_targets()))


def backend_class(name: str) -> type[Backend]:
    """The backend class called ``name``; KeyError (one line, listing the known ones) for no such backend."""
    if name not in _REGISTERED:
        target = BUILTINS.get(name) or plugin_targets().get(name)
        if target is None:
            raise KeyError(f"unknown backend {name!r} (known: {', '.join(backend_names())})")
        _REGISTERED[name] = _load(name, target)
    return _REGISTERED[name]


def _load(name: str, target: str) -> type[Backend]:
    from summarizer.backends.base import Backend

    module_name, _, attribute = target.partition(":")
    try:
        cls = getattr(importlib.import_module(module_name), attribute) if attribute else None
    except Exception as error:  # a broken plugin: say which, in one line
        raise ModelError(f"backend {name!r} ({target}) cannot be imported: {type(error).__name__}: {error}") from None
    if not (isinstance(cls, type) and issubclass(cls, Backend)):
        raise ModelError(f"backend {name!r} ({target}) is not a Backend class")
    if getattr(cls, "name", None) != name:
        raise ModelError(f"backend {name!r} ({target}) calls itself {getattr(cls, 'name', None)!r}")
    return cls


# On a CPU, llama.cpp wins by reading 4-bit weights for each token decoded; its batched prompt work
# is level with torch's float32 at best. Below about this size a model's float32 weights are read
# fast anyway and the float32 path is the faster one (SmolLM2-135M: 21 s an article against
# llama.cpp's 25; Qwen2.5-Coder-0.5B and 1.5B the other way, 1.5x and 1.8-2.5x: benchmarks/LLAMACPP.md).
LLAMA_CPP_MIN_PARAMETERS = 300_000_000


def backend_name_for(model: str, device: str = "auto") -> str:
    """'rules' is the rule-based baseline; a GGUF file goes to llama.cpp when llama-cpp-python is
    installed and the model is not a small one (unless ``device`` is "cuda": transformers then);
    every other model to transformers."""
    if model == "rules":
        return "rules"
    return "llama-cpp" if device != "cuda" and prefers_llama_cpp(model) else "transformers"


def prefers_llama_cpp(model: str) -> bool:
    """Whether ``model`` is a GGUF file (or a folder of one) of at least ``LLAMA_CPP_MIN_PARAMETERS``
    weights, and llama-cpp-python is installed."""
    from summarizer.backends.llama_cpp_backend import installed_version

    if installed_version() is None:
        return False
    count = gguf_parameters(model)
    return count is not None and count >= LLAMA_CPP_MIN_PARAMETERS


def gguf_parameters(model: str) -> int | None:
    """How many weights the GGUF file ``model`` names holds; None for a model that is not a GGUF
    file. A file whose tensor table cannot be read counts as large: llama.cpp's load says why."""
    from summarizer.engine.gguf import parameter_count
    from summarizer.engine.loading import locate

    try:
        source = locate(model)
    except ModelError:  # not a model at all: the default backend says why
        return None
    if source.kind != "gguf":
        return None
    try:
        return parameter_count(Path(source.location))
    except ModelError:
        return LLAMA_CPP_MIN_PARAMETERS


def resolve_backend(model: str, backend: str | None, device: str = "auto") -> type[Backend]:
    """The class that serves ``model`` (``backend`` overrides the choice); ModelError for an unknown one."""
    try:
        return backend_class(backend or backend_name_for(model, device))
    except KeyError as error:
        raise ModelError(str(error.args[0])) from None


def make_backend_options(cls: type[Backend], values: Any = None, task: Any = None) -> Any:
    """``cls.Options`` from an instance of it (kept), a mapping of typed values or text, or None
    (defaults); extracting ``task`` when given (see :func:`with_task`)."""
    if isinstance(values, cls.Options):
        return with_task(cls, check_options(values, cls.name), task)
    if values is not None and not isinstance(values, Mapping):
        raise OptionError(
            f"options of the {cls.name} backend must be a {cls.Options.__name__} or a mapping, "
            f"not {type(values).__name__}"
        )
    return with_task(cls, build_options(cls.Options, cls.name, dict(values or {})), task)


def with_task(cls: type[Backend], options: Any, task: Any) -> Any:
    """``options`` with their ``task`` field set to ``task`` (a Task, a task folder or name), loaded
    here so the backend gets a Task; None leaves them as they are. A backend whose Options has no
    ``task`` field (a plugin written for claims) extracts the default task only: any other is an error."""
    if task is None:
        return options
    from summarizer.core.task import default_task, load_task

    task = load_task(task)
    if takes_task(cls.Options):
        return dataclasses.replace(options, task=task)
    default = default_task()
    if task != default:
        raise OptionError(
            f"the {cls.name} backend extracts only the {default.name} task, not {task.name!r} "
            "(its Options has no task field)"
        )
    return options


def get_backend(
    model: str, backend: str | None = None, *, lazy: bool = False, options: Any = None, task: Any = None, **values: Any
) -> Backend:
    """Instantiate the backend that serves ``model`` (``backend`` overrides the choice).

    Options: ``options`` (the backend's Options, or a mapping) or keyword arguments, not both.
    ``task``: what to extract (a Task, a task folder or a name; None: the options' own, else claims).
    ``lazy``: resolve and check the model now (errors are raised here), load it on first use.
    """
    cls = resolve_backend(model, backend)
    if options is not None and values:
        raise TypeError("give the backend options either as options= or as keyword arguments, not both")
    built = make_backend_options(cls, options if options is not None else values, task)
    if lazy:
        from summarizer.backends.lazy import LazyBackend

        identity = cls.identify(model, built)
        if identity is not None:
            return LazyBackend(cls, model, identity, built)
    return cls(model, built)
