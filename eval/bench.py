"""The performance benchmark: ``python eval/bench.py [options]`` is ``summarizer bench [options]``."""

import sys

from summarizer.cli import app

app(["bench", *sys.argv[1:]], prog_name="python eval/bench.py")
