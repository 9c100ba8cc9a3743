"""The Hugging Face hub as the model loaders and fingerprints meet it: offline, reachable, not found."""

from __future__ import annotations

import os
import socket

from summarizer.core.errors import ModelError


def hub_offline() -> bool:
    flags = (os.environ.get(name, "").strip().lower() for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))
    return any(flag in {"1", "true", "yes", "on"} for flag in flags)


def hub_reachable(timeout: float = 3.0) -> bool:
    """A quick TCP connect to the hub: without it, an offline machine spends a minute in retries."""
    from urllib.parse import urlsplit

    url = urlsplit(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    try:
        socket.create_connection((url.hostname or "huggingface.co", url.port or 443), timeout=timeout).close()
        return True
    except OSError:
        return False


def not_found(label: str) -> ModelError:
    why = " (HF_HUB_OFFLINE is set)" if hub_offline() else " (offline?)"
    return ModelError(
        f"cannot load model {label}: not found on the Hugging Face hub and no local folder of that name{why}. "
        "Download it once with network access, or pass --model /path/to/model"
    )


def first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
