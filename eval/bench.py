"""The performance benchmark: ``python eval/bench.py [options]`` is ``summarizer bench [options]``."""
from summarizer.benchmark import main

raise SystemExit(main())
