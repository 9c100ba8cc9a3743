"""GGUF files as models: checked, dequantized once, and cached as a safetensors folder.

transformers loads a GGUF file only by dequantizing every tensor, which takes 20-60 s
for a small model. :func:`converted_folder` does it once per file content and keeps the
result as an ordinary model folder (weights, config, tokenizer, chat template,
generation config) under ``<cache>/gguf/<sha256 of the file>/``, so that later loads
take seconds. The folder is written under a temporary name and renamed when complete:
an interrupted conversion leaves nothing that looks finished, and two processes
converting the same file at once both end with one good copy.

Before converting, :func:`check_file` reads the header and the tensor table, so that a
truncated or corrupt file, or an architecture or quantization transformers cannot
load, is a one-line error rather than a traceback a minute later.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from summarizer.core.errors import ModelError

MAGIC = b"GGUF"
VERSIONS = (2, 3)
DONE_FILE = "summarizer-gguf.json"  # written last: a folder without it is not a finished conversion
OWNER_FILE = "summarizer-owner.pid"  # written first: the converting process, to tell a stale folder
STALE_SECONDS = 6 * 3600  # a partial conversion naming no process is stale after this long
# Tokens that end a turn or a text in the common chat formats (ChatML, Llama 3, Phi, Gemma).
# A GGUF file names one EOS token; models such as Qwen2.5 end turns with either of two.
END_TOKENS = ("<|im_end|>", "<|endoftext|>", "<|eot_id|>", "<|end_of_text|>", "<|end|>", "<end_of_turn>")
_SCALARS = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}  # GGUF value type -> bytes
_STRING, _ARRAY = 8, 9
_MAX_STRING = 1 << 20  # no metadata key or scalar string is near this; a bigger length means corruption


def cache_root() -> Path:
    from summarizer.engine.fingerprint import cache_dir

    return cache_dir() / "gguf"


def _error(path: Path, problem: str) -> ModelError:
    return ModelError(f"cannot load model {str(path)!r}: {problem}")


# --- checking ------------------------------------------------------------------------------
def check_file(path: Path) -> None:
    """Header (magic, version, architecture) always; the tensor table only when not converted yet."""
    architecture = read_architecture(path)
    from summarizer.engine.fingerprint import file_sha256

    if _is_done(cache_root() / file_sha256(path)):
        return
    _check_architecture(path, architecture)
    _check_tensors(path)


def read_architecture(path: Path) -> str:
    """``general.architecture`` from the header, read without loading the file."""
    with _header(path) as (handle, _tensors, n_keys):
        architecture = next(
            (value for key, value in _keys(handle, n_keys) if key == "general.architecture" and isinstance(value, str)),
            None,
        )
    if architecture is None:
        raise _error(path, "the GGUF file names no architecture (general.architecture)")
    return architecture


def parameter_count(path: Path) -> int:
    """How many weights the file holds: the product of every tensor's shape, summed, read from
    the tensor table (the file's data is not read)."""
    with _header(path) as (handle, n_tensors, n_keys):
        for _ in _keys(handle, n_keys):  # the tensor table follows the keys
            pass
        return sum(_tensor_size(handle) for _ in range(n_tensors))


@contextmanager
def _header(path: Path) -> Iterator[tuple[BinaryIO, int, int]]:
    """The open file after its magic and version (checked), with its tensor and key counts; a file
    that ends early or reads as nonsense inside the block is a one-line ModelError."""
    try:
        with path.open("rb") as handle:
            if handle.read(4) != MAGIC:
                raise _error(path, "not a GGUF file (it does not start with 'GGUF')")
            version, n_tensors, n_keys = struct.unpack("<IQQ", _read(handle, 20))
            if version not in VERSIONS:
                raise _error(path, f"GGUF version {version} is not supported (only {', '.join(map(str, VERSIONS))})")
            if n_keys > 10_000 or n_tensors > 1_000_000:  # no model has near this many: corruption
                raise EOFError
            yield handle, n_tensors, n_keys
    except (EOFError, struct.error, UnicodeDecodeError):
        raise _error(path, "the GGUF file is truncated or corrupt (its header cannot be read)") from None


def _keys(handle: BinaryIO, n_keys: int) -> Iterator[tuple[str, Any]]:
    """The metadata's keys in order, each with its value if a string (others are skipped: None)."""
    for _ in range(n_keys):
        key = _string(handle)
        yield key, _value(handle, struct.unpack("<I", _read(handle, 4))[0])


def _tensor_size(handle: BinaryIO) -> int:
    """One entry of the tensor table (name, shape, type, offset): the number of values it holds."""
    _string(handle)
    (n_dims,) = struct.unpack("<I", _read(handle, 4))
    if n_dims > 8:  # GGML_MAX_DIMS is 4
        raise EOFError
    size = 1
    for dim in struct.unpack(f"<{n_dims}Q", _read(handle, 8 * n_dims)):
        size *= dim
    _read(handle, 12)  # the type (uint32) and the data's offset (uint64)
    return size


def _read(handle: BinaryIO, n: int) -> bytes:
    data = handle.read(n)
    if len(data) != n:
        raise EOFError
    return data


def _string(handle: BinaryIO) -> str:
    (length,) = struct.unpack("<Q", _read(handle, 8))
    if length > _MAX_STRING:
        raise EOFError
    return _read(handle, length).decode("utf-8")


def _value(handle: BinaryIO, kind: int) -> Any:
    """A string value is returned; others are skipped (None)."""
    if kind == _STRING:
        return _string(handle)
    if kind in _SCALARS:
        _read(handle, _SCALARS[kind])
        return None
    if kind == _ARRAY:
        item_kind, count = struct.unpack("<IQ", _read(handle, 12))
        if item_kind in _SCALARS:
            handle.seek(_SCALARS[item_kind] * count, os.SEEK_CUR)
        elif item_kind == _STRING:  # a vocabulary: 150,000 strings skipped by their lengths, not read
            for _ in range(count):
                (length,) = struct.unpack("<Q", _read(handle, 8))
                if length > _MAX_STRING:
                    raise EOFError
                handle.seek(length, os.SEEK_CUR)
        else:
            for _ in range(count):
                _value(handle, item_kind)
        return None
    raise EOFError  # an unknown value type: the file is not what it claims


def _check_architecture(path: Path, architecture: str) -> None:
    from transformers.modeling_gguf_pytorch_utils import GGUF_SUPPORTED_ARCHITECTURES

    # transformers' own aliases (llama.cpp's names that differ from its model types)
    aliases = {"qwen2moe": "qwen2_moe", "qwen3moe": "qwen3_moe", "gpt-oss": "gpt_oss", "minimax-m2": "minimax_m2"}
    if aliases.get(architecture, architecture) not in GGUF_SUPPORTED_ARCHITECTURES:
        supported = ", ".join(a for a in GGUF_SUPPORTED_ARCHITECTURES if a not in ("general", "tokenizer"))
        raise _error(
            path, f"GGUF architecture {architecture!r} cannot be loaded by transformers (it loads: {supported})"
        )


def _check_tensors(path: Path) -> None:
    from gguf import GGUFReader
    from gguf.constants import GGMLQuantizationType as Q
    from gguf.quants import _type_traits

    try:
        reader = GGUFReader(path)
    except Exception:  # numpy reshape/view errors on a short or damaged file say nothing useful
        size = path.stat().st_size
        raise _error(
            path, f"the GGUF file is truncated or corrupt: its tensors cannot be read ({size:,} bytes)"
        ) from None
    supported = {Q.F32, Q.F16, Q.BF16, *_type_traits}
    unsupported = sorted({t.tensor_type.name for t in reader.tensors if t.tensor_type not in supported})
    if unsupported:
        raise _error(path, f"its quantization ({', '.join(unsupported)}) cannot be dequantized by this gguf package")
    end = max((t.data_offset + t.n_bytes for t in reader.tensors), default=0)
    if end > path.stat().st_size:
        raise _error(path, "the GGUF file is truncated (its tensors run past the end of the file)")


# --- converting ----------------------------------------------------------------------------
def converted_folder(path: Path) -> Path:
    """The dequantized model folder of ``path``, converting it on first use."""
    from summarizer.engine.fingerprint import file_sha256

    sha = file_sha256(path)
    final = cache_root() / sha
    clean_partial_conversions()
    if _is_done(final):
        return final
    check_file(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f".{sha[:16]}-", dir=final.parent))
    try:
        (temp / OWNER_FILE).write_text(str(os.getpid()), encoding="utf-8")
        _convert(path, temp)
        (temp / OWNER_FILE).unlink()  # the finished folder holds the model only (a young folder is never stale)
        (temp / DONE_FILE).write_text(json.dumps({"gguf": str(path), "sha256": sha}), encoding="utf-8")
        _publish(temp, final)
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    return final


def clean_partial_conversions() -> list[Path]:
    """:func:`clean_stale_conversions` of the GGUF cache, if there is one. Called whenever a GGUF
    file is loaded, converted already or not, by either backend: a conversion killed once (514 MB
    for a 0.5B model) is gone on the next run, not only on the next conversion."""
    root = cache_root()
    return clean_stale_conversions(root) if root.is_dir() else []


def clean_stale_conversions(root: Path) -> list[Path]:
    """Remove the partial conversions in ``root`` whose process is gone (killed with ``kill -9``,
    a power cut): hidden ``.<sha>-*`` folders naming a process id that no longer runs, or naming
    none and older than :data:`STALE_SECONDS`. Another process's conversion in progress is kept.
    Returns what was removed."""
    removed = []
    for folder in root.glob(".*-*"):
        if folder.is_dir() and not folder.is_symlink() and _is_stale(folder):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _is_stale(folder: Path) -> bool:
    try:
        pid = int((folder / OWNER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):  # no owner yet (just made) or none written: judge by age
        try:
            return time.time() - folder.stat().st_mtime > STALE_SECONDS
        except OSError:
            return False
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)  # signal 0: is it alive?
    except ProcessLookupError:
        return True
    except OSError:  # alive, owned by another user
        return False
    return False


def _is_done(folder: Path) -> bool:
    return (folder / DONE_FILE).is_file()


def _publish(temp: Path, final: Path) -> None:
    """Rename into place; if another process got there first, keep its copy."""
    if final.exists() and not _is_done(final):
        shutil.rmtree(final, ignore_errors=True)  # left by a copy made by hand, not by us
    try:
        os.rename(temp, final)
    except OSError:
        if not _is_done(final):
            raise


def _convert(path: Path, out: Path) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder, name = str(path.parent), path.name
    try:
        tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
        model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name)  # float32, as dequantized
    except Exception as error:  # whatever the checks did not foresee, still one line naming the file
        raise _error(path, f"transformers cannot load this GGUF file: {' '.join(str(error).split())[:160]}") from None
    model.generation_config.eos_token_id = stop_token_ids(tokenizer, model.generation_config.eos_token_id)
    # A GGUF-loaded model refuses to save ("quantized with gguf, not serializable"); its
    # weights are plain dequantized tensors by now, so forget the quantizer and save.
    model.hf_quantizer = None  # type: ignore[assignment]  # torch types every module attribute as Tensor | Module
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)


def stop_token_ids(tokenizer: Any, eos: int | list[int] | None) -> int | list[int] | None:
    """The file's EOS plus the other end-of-turn tokens its vocabulary declares as special."""
    ids = [eos] if isinstance(eos, int) else list(eos or [])
    added = tokenizer.get_added_vocab()
    ids += [added[token] for token in END_TOKENS if token in added and added[token] not in ids]
    return ids[0] if len(ids) == 1 else (ids or None)
