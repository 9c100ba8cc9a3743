"""llama.cpp's own speed on a GGUF file, measured as llama-bench measures it (pp512 and tg128), through
the same library and context settings the llama-cpp backend uses: the floor for what the backend can
reach. (llama-cpp-python's wheel ships no llama-bench binary.)

    python benchmarks/llama_floor.py MODEL.gguf [--threads N] [--reps 3] [--depth 2400]

pp: a prompt of 512 tokens evaluated in one batch (after clearing the cache); tg: 128 tokens
generated one at a time after an empty cache. One warm-up of each first; tokens/s are means over reps.
--depth D: both after D tokens already in the cache, as llama-bench's ``-d`` measures (each token then
attends over D more): the floor for the backend's article prefill, which starts after the
instructions and worked example it keeps cached (about 2,400 tokens for claims).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path


def measure(path: Path, threads: int, reps: int, n_prompt: int = 512, n_gen: int = 128, depth: int = 0) -> dict:
    import llama_cpp

    from summarizer.backends.llama_cpp_backend import LlamaModel

    model = LlamaModel(path, threads=threads, gpu_layers=0, max_context=depth + n_prompt + n_gen, sequences=1)
    rng = random.Random(0)
    prompt = [rng.randrange(model.n_vocab) for _ in range(n_prompt)]
    context = [rng.randrange(model.n_vocab) for _ in range(depth)]

    def clear() -> None:
        """Empty the cache, then hold ``depth`` tokens (not timed)."""
        llama_cpp.llama_memory_clear(model.memory, True)
        if depth:
            model.decode(context, list(range(depth)), [0] * depth, [])

    def pp() -> tuple[float, float]:
        clear()
        started, cpu = time.perf_counter(), time.process_time()
        model.decode(prompt, list(range(depth, depth + n_prompt)), [0] * n_prompt, [n_prompt - 1])
        return n_prompt / (time.perf_counter() - started), n_prompt / (time.process_time() - cpu)

    def tg() -> tuple[float, float]:
        clear()
        token = prompt[0]
        started, cpu = time.perf_counter(), time.process_time()
        for position in range(depth, depth + n_gen):
            logits = model.decode([token], [position], [0], [0])
            token = int(logits[0].argmax())
        return n_gen / (time.perf_counter() - started), n_gen / (time.process_time() - cpu)

    pp(), tg()  # warm-up
    pps = [pp() for _ in range(reps)]
    tgs = [tg() for _ in range(reps)]

    def mean(values: list[float]) -> float:
        return round(sum(values) / len(values), 2)

    return {
        "model": path.name,
        "threads": threads,
        "depth": depth,
        f"pp{n_prompt}_tokens_per_second": mean([wall for wall, _ in pps]),
        f"tg{n_gen}_tokens_per_second": mean([wall for wall, _ in tgs]),
        # per CPU second of all threads: what the machine's other load does not change
        f"pp{n_prompt}_tokens_per_cpu_second": mean([cpu for _, cpu in pps]),
        f"tg{n_gen}_tokens_per_cpu_second": mean([cpu for _, cpu in tgs]),
        "reps": reps,
    }


def _at_least(minimum: int):
    """An argparse type: a whole number of at least ``minimum`` (else one usage line, exit 2)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number (got {text!r})") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum} (got {value})")
        return value

    return parse


def main() -> None:
    from summarizer.backends.llama_cpp_backend import machine_threads

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path)
    parser.add_argument("--threads", type=_at_least(1), default=machine_threads())
    parser.add_argument("--reps", type=_at_least(1), default=3)
    parser.add_argument("--depth", type=_at_least(0), default=0, help="tokens in the cache before each measure")
    args = parser.parse_args()
    print(json.dumps(measure(args.model, args.threads, args.reps, depth=args.depth)))


if __name__ == "__main__":
    main()
