"""The benchmarks from a checkout: ``python -m benchmarks [bench] [options]`` is ``summarizer bench [options]``,
and ``python -m benchmarks bench-serving [options]`` is ``summarizer bench-serving [options]``."""

import sys

from summarizer.cli import app

args = sys.argv[1:]
if args[:1] not in (["bench"], ["bench-serving"]):
    args = ["bench", *args]
app(args, prog_name="python -m benchmarks")
