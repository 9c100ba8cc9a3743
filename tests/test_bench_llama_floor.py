"""llama.cpp's own speed on a GGUF file (pp and tg, as llama-bench measures them), from an empty
cache and at a depth: the floor the llama-cpp backend is compared with."""

from __future__ import annotations

import pytest

from benchmarks import llama_floor


@pytest.mark.parametrize("depth", [0, 96])
def test_the_floor_is_measured_at_the_depth_asked(llama_smollm2, depth):
    # llama.cpp refuses a batch whose positions do not follow the cache's: at a depth, the prompt and
    # the generated tokens must come after the tokens held, or the measure fails
    result = llama_floor.measure(llama_smollm2, threads=1, reps=1, n_prompt=32, n_gen=4, depth=depth)
    assert (result["depth"], result["threads"], result["reps"]) == (depth, 1, 1)
    assert {"pp32_tokens_per_second", "tg4_tokens_per_second"} <= result.keys()


@pytest.mark.parametrize(
    ("option", "problem"),
    [("--depth=-5", "must be at least 0"), ("--reps=0", "must be at least 1"), ("--threads=x", "whole number")],
)
def test_a_bad_option_is_one_line_and_exit_2(monkeypatch, capsys, option, problem):
    monkeypatch.setattr("sys.argv", ["llama_floor.py", "model.gguf", option])
    with pytest.raises(SystemExit) as exit_:
        llama_floor.main()
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    [error] = [line for line in err.splitlines() if "error:" in line]
    assert problem in error and "Traceback" not in err
