"""The default model and a short table of presets (aliases for common instruct models).

Default: ``Qwen/Qwen2.5-1.5B-Instruct``, because it is

* open: Apache-2.0 and not gated, so it downloads without an account or token;
* small: 1.5B parameters (about 3 GB in bfloat16) runs on a laptop CPU and on any GPU;
* good at JSON: Qwen2.5 was tuned for structured output and follows a schema-shaped
  example well, which matters even under a grammar (the grammar fixes the syntax,
  the model still has to choose the right values);
* long-context: 32k positions, so news articles fit without chunking.

The 0.5B sibling is faster and noticeably worse at choosing fields; the 3B/7B ones
are better but slower (and the 3B is under the more restrictive Qwen research licence).
A GGUF file is a model too (``--model path/to/model.gguf``): see :mod:`summarizer.engine.gguf`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    hub_id: str
    license: str
    note: str = ""


DEFAULT_MODEL = "Qwen/Qwen2.5-1.5B-Instruct"

# Licences as stated on each model's hub page. "gated": accept the licence on the hub and
# log in before the first download. Which presets have actually been run is in the README.
PRESETS: dict[str, Preset] = {
    "qwen2.5-0.5b": Preset("Qwen/Qwen2.5-0.5B-Instruct", "Apache-2.0"),
    "qwen2.5-1.5b": Preset("Qwen/Qwen2.5-1.5B-Instruct", "Apache-2.0", "default"),
    "qwen2.5-3b": Preset("Qwen/Qwen2.5-3B-Instruct", "Qwen Research (non-commercial)"),
    "qwen2.5-7b": Preset("Qwen/Qwen2.5-7B-Instruct", "Apache-2.0", "wants a GPU"),
    "qwen2.5-coder-0.5b": Preset("Qwen/Qwen2.5-Coder-0.5B-Instruct", "Apache-2.0"),
    "qwen2.5-coder-1.5b": Preset("Qwen/Qwen2.5-Coder-1.5B-Instruct", "Apache-2.0"),
    "smollm2-135m": Preset("HuggingFaceTB/SmolLM2-135M-Instruct", "Apache-2.0", "tiny; for smoke tests"),
    "smollm2-360m": Preset("HuggingFaceTB/SmolLM2-360M-Instruct", "Apache-2.0"),
    "smollm2-1.7b": Preset("HuggingFaceTB/SmolLM2-1.7B-Instruct", "Apache-2.0"),
    "llama3.2-1b": Preset("meta-llama/Llama-3.2-1B-Instruct", "Llama 3.2 Community", "gated"),
    "llama3.2-3b": Preset("meta-llama/Llama-3.2-3B-Instruct", "Llama 3.2 Community", "gated"),
    "phi3.5-mini": Preset("microsoft/Phi-3.5-mini-instruct", "MIT"),
    "phi4-mini": Preset("microsoft/Phi-4-mini-instruct", "MIT"),
    "gemma2-2b": Preset("google/gemma-2-2b-it", "Gemma", "gated; no system role"),
    "gemma3-1b": Preset("google/gemma-3-1b-it", "Gemma", "gated; text-only Gemma 3"),
    # Extraction-tuned (Qwen2.5-0.5B fine-tuned for JSON extraction). NuExtract 2.0 (2B: MIT)
    # is a vision-language model (Qwen2-VL) that AutoModelForCausalLM does not load.
    "nuextract1.5-tiny": Preset(
        "numind/NuExtract-1.5-tiny", "MIT", "extraction-tuned; trained on its own template prompt"
    ),
}


def resolve_model(name: str) -> str:
    """A preset alias (case-insensitive) becomes its hub id; anything else (hub id, local path) is kept."""
    preset = PRESETS.get(name.strip().lower())
    return preset.hub_id if preset else name
