"""Content digests of models, so that a cached generation is reused only for the same model.

A file's sha256 is computed once and remembered in the user cache by (path, size,
mtime): a multi-gigabyte weight file is read in full the first time only, and any
rewrite of it (new size or mtime) is hashed again. A hub model is identified by the
commit its files were resolved to.

Cache folder: ``$SUMMARIZER_CACHE``, else ``$XDG_CACHE_HOME/summarizer``, else
``~/.cache/summarizer`` (also the home of the dequantized GGUF models).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from summarizer.core.errors import ModelError

CACHE_ENV = "SUMMARIZER_CACHE"
DIGESTS_FILE = "digests.json"
# The files of a model folder its output depends on: weights, config, tokenizer, chat
# template, remote code. Not README/LICENSE, and not subfolders (e.g. Llama's original/
# holds a second copy of the weights in another format that transformers never reads).
MODEL_FILE_SUFFIXES = (".safetensors", ".bin", ".json", ".model", ".jinja", ".txt", ".py", ".tiktoken", ".gguf")
CHUNK = 1 << 20
COMMIT = re.compile(r"[0-9a-f]{40}")


def cache_dir() -> Path:
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "summarizer"


def file_sha256(path: Path) -> str:
    """sha256 of a file's bytes, from the digest cache when its path, size and mtime are unchanged."""
    path = path.absolute()
    stat = path.stat()
    stamp = [stat.st_size, stat.st_mtime_ns]
    digests = _read_digests()
    known = digests.get(str(path))
    if isinstance(known, dict) and known.get("stamp") == stamp and isinstance(known.get("sha256"), str):
        return str(known["sha256"])
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    sha = digest.hexdigest()
    digests = _read_digests()  # another process may have added entries meanwhile
    digests[str(path)] = {"stamp": stamp, "sha256": sha}
    _write_digests(digests)
    return sha


def folder_digest(folder: Path) -> str:
    """One sha256 over the name and content digest of each model file at the top of ``folder``."""
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in MODEL_FILE_SUFFIXES)
    digest = hashlib.sha256()
    for path in files:
        digest.update(f"{path.name}\0{file_sha256(path)}\n".encode())
    return digest.hexdigest()


def _read_digests() -> dict[str, Any]:
    try:
        data = json.loads((cache_dir() / DIGESTS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):  # missing or damaged: it is only a cache
        return {}
    return data if isinstance(data, dict) else {}


def _write_digests(digests: dict[str, Any]) -> None:
    """Atomically (a unique temp file, then rename); a cache that cannot be written is only slower."""
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=".digests-", suffix=".tmp", dir=folder)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(digests, out)
        os.replace(temp, folder / DIGESTS_FILE)
    except OSError:
        pass


def hub_commit(hub_id: str, revision: str | None, label: str) -> str:
    """The commit a hub model resolves to: from the local hub cache, else asked of the hub."""
    if revision and COMMIT.fullmatch(revision):
        return revision
    from huggingface_hub import try_to_load_from_cache

    cached = try_to_load_from_cache(hub_id, "config.json", revision=revision)
    if isinstance(cached, str):  # .../snapshots/<commit>/config.json
        return Path(cached).parent.name
    return _ask_hub(hub_id, revision, label)


def _ask_hub(hub_id: str, revision: str | None, label: str) -> str:
    from summarizer.engine.hub import hub_offline, hub_reachable, not_found

    if hub_offline() or not hub_reachable():
        raise not_found(label)
    from huggingface_hub import HfApi

    try:
        return str(HfApi().model_info(hub_id, revision=revision).sha)
    except Exception as error:  # not found, gated, no network: the model cannot be had
        from summarizer.engine.hub import first_line

        if "gated" in str(error).lower() or "401" in str(error):
            raise ModelError(
                f"cannot load model {label}: gated on the hub ({first_line(error)}); "
                "accept its licence and log in with `hf auth login`"
            ) from None
        raise not_found(label) from None
