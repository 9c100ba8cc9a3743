"""Finding and loading a model: a preset, a hub id, a local folder or a GGUF file.

:func:`locate` says what a ``--model`` value is without loading anything (and fails with
one line naming it when it cannot be a model); :func:`model_identity` digests what it
holds, so that the run store's key follows the model's content, not the name typed;
:func:`load_model` returns ``(tokenizer, model)``. A GGUF file is dequantized once into
a cached safetensors folder (:mod:`summarizer.engine.gguf`) and loaded from there.

torch and transformers are imported inside functions: ``summarizer --help`` stays instant.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from summarizer.core.errors import ModelError
from summarizer.engine.hub import first_line, hub_offline, hub_reachable, not_found
from summarizer.engine.presets import resolve_model

if TYPE_CHECKING:
    import torch

# Files of which a model folder must have at least one for a tokenizer to load from it
# (transformers otherwise builds an empty tokenizer from the config without a word).
TOKENIZER_FILES = ("tokenizer.json", "tokenizer.model", "vocab.json", "spiece.model", "tokenizer_config.json")
DEVICES = ("auto", "cpu", "cuda")
DTYPES = ("auto", "bfloat16", "float32", "int8")

Kind = Literal["hub", "folder", "gguf"]


@dataclass(frozen=True)
class ModelSource:
    """Where a ``--model`` value points."""

    name: str  # as the user typed it
    kind: Kind
    location: str  # the hub id, or the absolute path of the folder or .gguf file
    label: str  # for messages: 'name', or 'alias' (hub id) for a preset

    def error(self, problem: str) -> ModelError:
        return ModelError(f"cannot load model {self.label}: {problem}")


def _looks_like_path(name: str) -> bool:
    """Hub ids are ``name`` or ``org/name``; anything else with a slash, a dot or a tilde up front is a path."""
    return (
        name.startswith((".", "/", "~"))
        or name.count("/") > 1
        or "\\" in name
        or name.endswith(".gguf")
        or Path(name).expanduser().exists()
    )


def locate(name: str) -> ModelSource:
    """What ``name`` is (hub id, model folder or GGUF file); ModelError (one line) when it cannot be a model."""
    resolved = resolve_model(name)
    label = repr(name) if resolved == name else f"{name!r} ({resolved})"
    if not _looks_like_path(resolved):
        return ModelSource(name, "hub", resolved, label)
    path = Path(resolved).expanduser().absolute()
    source = ModelSource(name, "folder", str(path), label)
    if path.is_file():
        if path.suffix.lower() != ".gguf":
            raise source.error("it is a file, not a model folder or a .gguf file")
        return ModelSource(name, "gguf", str(path), label)
    if not path.is_dir():
        raise source.error(
            "no such file or folder. Pass --model with a model folder, a .gguf file, a hub id or a preset"
        )
    return _locate_in_folder(source, path)


def _locate_in_folder(source: ModelSource, folder: Path) -> ModelSource:
    """A folder with a config.json is a saved model; one without is looked in for a single .gguf."""
    ggufs = sorted(p.name for p in folder.glob("*.gguf") if p.is_file())
    if not (folder / "config.json").is_file() and ggufs:
        if len(ggufs) > 1:
            raise source.error(
                f"the folder holds {len(ggufs)} .gguf files ({', '.join(ggufs[:3])}); pass --model with one of them"
            )
        return ModelSource(source.name, "gguf", str(folder / ggufs[0]), source.label)
    if not any((folder / f).is_file() for f in TOKENIZER_FILES):
        raise source.error(
            f"the folder has no tokenizer files ({', '.join(TOKENIZER_FILES[:3])}, ...) and no .gguf file"
        )
    return source


def model_identity(name: str, revision: str | None = None) -> dict[str, Any]:
    """What the model's output depends on, computed without loading it.

    ``weights`` follows the content: the resolved commit of a hub model, a digest of a
    folder's weight, tokenizer and config files, the sha256 of a GGUF file.
    """
    from summarizer.engine import fingerprint

    source = locate(name)
    if source.kind == "hub":
        commit = fingerprint.hub_commit(source.location, revision, source.label)
        return {"source": source.location, "revision": commit, "weights": {"hub": source.location, "revision": commit}}
    if source.kind == "gguf":
        from summarizer.engine import gguf

        gguf.clean_partial_conversions()  # even when every answer is in the run store and nothing loads
        gguf.check_file(Path(source.location))
        return {
            "source": source.location,
            "revision": None,
            "weights": {"gguf_sha256": fingerprint.file_sha256(Path(source.location))},
        }
    return {
        "source": source.location,
        "revision": None,
        "weights": {"folder_sha256": fingerprint.folder_digest(Path(source.location))},
    }


# --- device and dtype ----------------------------------------------------------------------
def resolve_device(device: str) -> str:
    import torch

    if device not in DEVICES:
        raise ModelError(f"unknown device {device!r} (use {', '.join(DEVICES)})")
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ModelError("--device cuda was asked for but no CUDA GPU is available to torch")
    return device


def resolve_precision(dtype: str, device: str) -> str:
    """The precision a model runs at: ``float32``, ``bfloat16`` or ``int8`` (the run store's key part).

    ``auto`` is bfloat16 on a GPU and float32 on a CPU: bfloat16 prefill is slower on CPU, and int8
    (torch's dynamic quantization of the linear layers, CPU only) is faster but changes greedy
    outputs, so it is asked for by name (``benchmarks/RESULTS.md`` measures all three)."""
    if dtype not in DTYPES:
        raise ModelError(f"unknown dtype {dtype!r} (use {', '.join(DTYPES)})")
    if dtype == "auto":
        return "bfloat16" if device == "cuda" else "float32"
    if dtype == "int8" and device != "cpu":
        raise ModelError("--dtype int8 runs on the CPU only (torch dynamic quantization); use --device cpu")
    return dtype


def resolve_dtype(dtype: str, device: str) -> torch.dtype:
    """The torch dtype the weights are loaded in (int8 models load in float32, then are quantized)."""
    import torch

    precision = resolve_precision(dtype, device)
    resolved: torch.dtype = getattr(torch, "float32" if precision == "int8" else precision)
    return resolved


def to_precision(model: Any, precision: str) -> Any:
    """``model`` at ``precision``: int8 quantizes every linear layer's weights to int8 (activations
    are quantized per step), the rest keeps the model's dtype. The model is changed in place."""
    if precision != "int8":
        return model
    import warnings

    import torch

    quantize: Any = torch.ao.quantization.quantize_dynamic  # untyped in torch
    with warnings.catch_warnings():  # torch.ao's eager quantization warns that torchao will replace it
        warnings.simplefilter("ignore")
        return quantize(model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)


# --- loading -------------------------------------------------------------------------------
def _from_pretrained(loader: Any, source: ModelSource, location: str, **kwargs: Any) -> Any:
    """Load from the local cache first (never touches the network), then from the hub unless offline."""
    try:
        return loader.from_pretrained(location, local_files_only=True, **kwargs)
    except Exception as error:  # transformers raises OSError/ValueError/hub errors; all mean "not here"
        if source.kind != "hub":
            raise source.error(first_line(error)) from None
        if hub_offline() or not hub_reachable():
            raise not_found(source.label) from None
    try:
        return loader.from_pretrained(location, **kwargs)
    except OSError:  # hub errors (not found, gated, no network) are OSErrors
        raise not_found(source.label) from None
    except Exception as error:
        raise source.error(first_line(error)) from None


def load_model(
    name: str,
    *,
    device: str = "auto",
    dtype: str = "auto",
    trust_remote_code: bool = False,
    revision: str | None = None,
) -> tuple[Any, Any]:
    """(tokenizer, model) for a preset, hub id, local folder or GGUF file; ModelError (one line) when it
    cannot be had."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    source = locate(name)
    location = source.location
    if source.kind == "gguf":
        from summarizer.engine import gguf

        location = str(gguf.converted_folder(Path(source.location)))
    device = resolve_device(device)
    precision = resolve_precision(dtype, device)
    common = {"revision": revision if source.kind == "hub" else None, "trust_remote_code": trust_remote_code}
    tokenizer = _from_pretrained(AutoTokenizer, source, location, **common)
    if len(tokenizer) < 2 or not tokenizer.encode("a", add_special_tokens=False):
        raise source.error("its tokenizer is empty (no tokenizer files?)")
    check_chat_template(tokenizer, source)
    with no_weight_loading_bar():
        # transformers prefers *.safetensors when a model has both; *.bin only as a fallback.
        model = _from_pretrained(AutoModelForCausalLM, source, location, dtype=resolve_dtype(dtype, device), **common)
    return tokenizer, to_precision(model.to(device).eval(), precision)


def check_chat_template(tokenizer: Any, source: ModelSource) -> None:
    """A template that cannot render a plain user turn would fail on every article: say so once, now."""
    if not getattr(tokenizer, "chat_template", None):
        return  # the prompt builder falls back to a plain layout
    try:
        tokenizer.apply_chat_template(
            [{"role": "user", "content": "Hello"}], tokenize=False, add_generation_prompt=True
        )
    except Exception as error:  # jinja2 TemplateError, TypeError, ValueError ...
        raise source.error(f"its chat template fails to render: {first_line(error)}") from None


@contextmanager
def no_weight_loading_bar() -> Iterator[None]:
    """transformers draws a bar per load even for local files; the CLI has its own. Downloads keep theirs."""
    from transformers.utils import logging as hf_logging

    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()


def context_size(model: Any, tokenizer: Any) -> int:
    """The model's maximum number of positions (prompt plus generated tokens)."""
    sizes = [getattr(model.config, "max_position_embeddings", None), getattr(tokenizer, "model_max_length", None)]
    usable = [s for s in sizes if isinstance(s, int) and 0 < s < 10_000_000]  # tokenizers say 1e30 for "unknown"
    return min(usable) if usable else 2048
