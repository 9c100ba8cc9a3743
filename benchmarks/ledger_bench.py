"""The ledger at scale: ``python -m benchmarks.ledger_bench [--docs 10000] [--add 100] [--out benchmarks/LEDGER.md]``.

Generates synthetic claims documents of one long invented war (fixed seed): 20 claimants, 6
victim sides, running totals, daily figures and place events over a year, 5 claims a document on
average. Measures, on a fresh ledger file:

1. build: 10,000 documents into an empty ledger (in-memory records, no JSON parsing);
2. incremental add: 100 new documents into that ledger (only the group keys they touch regroup);
3. the same 10,000 again: every document recognised as unchanged;
4. end to end: the 10,000 documents as a JSONL file, read, checked against the schema and added
   to a fresh ledger (what ``summarizer ledger runs.jsonl`` does, without the page);
5. the page and its timelines for the 10,000-document ledger.

Writes the numbers (seconds, median of ``--repeat`` runs for 1-3) to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from summarizer.claimledger.api import build_ledger, write_page
from summarizer.claimledger.dates import ArticleDate
from summarizer.claimledger.db import LedgerDB
from summarizer.claimledger.sources import Extracted

SIDES = ["Armenia", "Azerbaijan", "Ukraine", "Russia", "Sudan", "Syria"]
GROUPS = ["military", "civilians", "children", "mixed"]
PLACES = [None, None, None, "Kapan", "Goris", "Kharkiv", "Aleppo", "El Fasher", "Sumy", "Idlib", "Jermuk", "Ganja"]
EQUIPMENT = ["tanks", "drones", "armored fighting vehicles", "artillery systems"]


def claimants(rng: random.Random) -> list[tuple[str, str | None]]:
    bodies = ["Defence Ministry", "General Staff", "Health Ministry", "Interior Ministry"]
    people = [(f"{side}'s {body}", side) for side in SIDES for body in bodies[:3]]
    return rng.sample(people, 16) + [("OHCHR", None), ("UNICEF", None), ("WHO", None), ("ACLED", None)]


def synthetic(n: int, seed: int, start: int = 0) -> list[Extracted]:
    rng = random.Random(seed)
    who = claimants(random.Random(0))
    first = date(2031, 1, 1)
    docs = []
    for number in range(start, start + n):
        day = first + timedelta(days=rng.randrange(365))
        claims = []
        for _ in range(rng.randint(2, 8)):
            claimant, side = rng.choice(who)
            victim = rng.choice([s for s in SIDES if s != side] or SIDES)
            kind = rng.random()
            outcome = "equipment_destroyed" if kind < 0.15 else rng.choice(["killed", "killed", "injured", "displaced"])
            scope = rng.random()
            period = "since the war began" if scope < 0.5 else ("past 24 hours" if scope < 0.75 else "on Saturday")
            place = rng.choice(PLACES) if scope >= 0.75 else None
            value = rng.randint(1, 50_000)
            evidence = f"{claimant} said {value} were {outcome.replace('_', ' ')} {period}."
            claims.append(
                {
                    "claimant": claimant,
                    "claimant_type": "state" if side else "international_organization",
                    "claimant_side": side,
                    "outcome": outcome,
                    "victim_side": None if rng.random() < 0.03 else victim,
                    "victim_group": "military" if outcome == "equipment_destroyed" else rng.choice(GROUPS),
                    "equipment": rng.choice(EQUIPMENT) if outcome == "equipment_destroyed" else None,
                    "count": {
                        "value": value,
                        "qualifier": rng.choice(["exact", "exact", "approximately", "at_least"]),
                        "upper": None,
                    },
                    "period": period,
                    "location": place,
                    "perpetrator_side": side,
                    "verification": "not_stated",
                    "evidence": evidence,
                }
            )
        document = {"summary": "Synthetic.", "claims": claims}
        docs.append(Extracted(f"doc{number:06d}", document, "synthetic", ArticleDate(day, "field")))
    return docs


def timed(action) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of one call."""
    began, cpu = time.perf_counter(), time.process_time()
    action()
    return time.perf_counter() - began, time.process_time() - cpu


def cell(times: list[tuple[float, float]]) -> str:
    """Median wall | median CPU."""
    return f"{statistics.median(t[0] for t in times):.2f} | {statistics.median(t[1] for t in times):.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--add", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/LEDGER.md"))
    args = parser.parse_args()

    base = synthetic(args.docs, seed=1)
    extra = synthetic(args.add, seed=2, start=args.docs)
    n_claims = sum(len(d.document["claims"]) for d in base)
    builds, adds, unchanged = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.repeat):
            path = Path(tmp) / f"ledger-{run}.sqlite3"
            with LedgerDB(path) as db:
                builds.append(timed(lambda db=db: db.add(base)))
                summary = db.summary()
            with LedgerDB(path) as db:  # reopened, as a second `summarizer ledger` run would
                report = None

                def add(db=db):
                    nonlocal report
                    report = db.add(extra)

                adds.append(timed(add))
                unchanged.append(timed(lambda db=db: db.add(base)))
        jsonl = Path(tmp) / "runs.jsonl"
        with jsonl.open("w", encoding="utf-8") as handle:
            for doc in base:
                record = {"id": doc.article_id, "date": doc.date.iso, "document": doc.document}
                handle.write(json.dumps(record) + "\n")
        end_to_end = timed(lambda: build_ledger([jsonl], out=Path(tmp) / "e2e.sqlite3"))
        with LedgerDB(Path(tmp) / "ledger-0.sqlite3") as db:
            page_seconds = timed(lambda: write_page(db, db.tables(), Path(tmp) / "ledger.html", "Claims ledger"))
            page_size = (Path(tmp) / "ledger.html").stat().st_size
    assert report is not None
    lines = [
        "# Claims ledger at scale",
        "",
        f"`python -m benchmarks.ledger_bench --docs {args.docs} --add {args.add} --repeat {args.repeat}`; "
        "synthetic documents (fixed seed), on this machine: "
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, SQLite file on local disk. "
        "The machine (2 cores) was shared with a long model evaluation and this ran at nice 10, so wall "
        "times are upper bounds; CPU seconds are this process's own work.",
        "",
        f"Ledger: {args.docs:,} documents, {n_claims:,} claims, {summary['groups']:,} groups, "
        f"{summary['conflicts']:,} conflicts, {summary['unplaced']:,} claims in no group "
        f"({', '.join(f'{k} {v}' for k, v in summary['unplaced_reasons'].items())}).",
        "",
        "| step | wall s | CPU s |",
        "|---|---:|---:|",
        f"| build: {args.docs:,} documents into an empty ledger | {cell(builds)} |",
        f"| incremental: {args.add} new documents into it ({report.claims} claims, "
        f"{report.regrouped_keys} group keys regrouped) | {cell(adds)} |",
        f"| the same {args.docs:,} documents again (all unchanged) | {cell(unchanged)} |",
        f"| end to end: {args.docs:,} documents from JSONL (read, schema-checked, built) | {cell([end_to_end])} |",
        f"| page with timelines ({page_size / 1e6:.1f} MB) | {cell([page_seconds])} |",
        "",
        "Medians of the runs; all runs (wall/CPU): "
        f"build {', '.join(f'{w:.2f}/{c:.2f}' for w, c in builds)}; "
        f"incremental {', '.join(f'{w:.2f}/{c:.2f}' for w, c in adds)}; "
        f"unchanged {', '.join(f'{w:.2f}/{c:.2f}' for w, c in unchanged)}.",
        "",
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
