"""The machine the benchmark runs on: CPU, memory, package versions, load, peak resident
memory, memory bandwidth, and the bytes a decode step reads (the hardware floor)."""

from __future__ import annotations

import os
import platform
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _package_versions() -> dict[str, str | None]:
    from importlib import metadata

    versions: dict[str, str | None] = {}
    for name in (
        "torch",
        "transformers",
        "tokenizers",
        "llguidance",
        "outlines",
        "outlines_core",
        "numpy",
        "pyinstrument",
    ):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return None


def machine_info() -> dict:
    import torch

    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "memory_gib": _memory_gib(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": _package_versions(),
        "load_average_at_start": load_average(),
    }


def load_average() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far (``ru_maxrss`` is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024**2 if sys.platform == "darwin" else 1024), 1)


def memory_bandwidth(n_bytes: int, repeats: int = 5) -> dict:
    """Memory bandwidth from large copies (STREAM "copy" convention: bytes read + bytes written).

    numpy copies on one thread; torch's ``copy_`` uses every thread it has. The floor
    uses the faster of the two, so that it is the stricter one.
    """
    import numpy as np
    import torch

    src = np.ones(n_bytes // 8, dtype=np.float64)
    dst = np.empty_like(src)

    def best_of(copy: Callable[[], Any]) -> float:
        copy()  # first touch: page faults are not bandwidth
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            copy()
            times.append(time.perf_counter() - started)
        return min(times)

    numpy_seconds = best_of(lambda: np.copyto(dst, src))
    src_t, dst_t = torch.from_numpy(src), torch.from_numpy(dst)
    torch_seconds = best_of(lambda: dst_t.copy_(src_t))
    numpy_gbs = 2 * src.nbytes / numpy_seconds / 1e9
    torch_gbs = 2 * src.nbytes / torch_seconds / 1e9
    return {
        "array_bytes": src.nbytes,
        "numpy_copy_gb_s": round(numpy_gbs, 2),
        "torch_copy_gb_s": round(torch_gbs, 2),
        "bandwidth_gb_s": round(max(numpy_gbs, torch_gbs), 2),
    }


def weight_bytes(model) -> int:
    """Bytes of weights one decode step reads: every parameter once, but of an input embedding
    table that is not also the output layer only the one row looked up (a GGUF file converted to
    transformers unties them: the table is a fifth of a 0.5B model and a step never reads it)."""
    embedding = model.get_input_embeddings().weight
    output = model.get_output_embeddings()
    tied = output is not None and output.weight.data_ptr() == embedding.data_ptr()
    seen, total = set(), 0
    for parameter in model.parameters():
        if parameter.data_ptr() in seen:
            continue
        seen.add(parameter.data_ptr())
        if parameter is embedding and not tied:
            total += parameter.shape[-1] * parameter.element_size()
            continue
        total += parameter.numel() * parameter.element_size()
    return total


def kv_bytes_per_token(model) -> int:
    config = model.config
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads
    element = next(model.parameters()).element_size()
    return 2 * config.num_hidden_layers * config.num_key_value_heads * head_dim * element
