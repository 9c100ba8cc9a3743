"""The ledger command's text report and JSON file (what it printed, as data)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from summarizer.claimledger.grouping import UNPLACED_REASONS

if TYPE_CHECKING:
    from summarizer.claimledger.api import BuildResult


def _counts(mapping: dict[str, int]) -> str:
    return ", ".join(f"{key} {value}" for key, value in mapping.items()) or "none"


def report_lines(result: BuildResult) -> list[str]:
    s, added = result.summary, result.added
    if not s:
        return [f"no readable documents: no ledger written to {result.path}"]
    lines = [
        f"{result.path}: {s['articles']} articles ({added.new} new, {added.replaced} replaced, "
        f"{added.unchanged} unchanged), {s['claims']} claims, {s['groups']} groups "
        f"({s['uncorroborated_groups']} with one claimant), {s['conflicts']} conflicts",
        f"dated by: {_counts(s['date_sources'])}",
        f"series flags: {_counts(s['flags'])}",
        f"claims in no group: {s['unplaced']}",
    ]
    lines += [f"  {count}: {UNPLACED_REASONS.get(reason, reason)}" for reason, count in s["unplaced_reasons"].items()]
    if s["date_sources"].get("file_time"):
        lines.append(f"note: {s['date_sources']['file_time']} article(s) dated by their file's time (no date in them)")
    if result.skipped:
        lines.append(f"records without a document (left out): {_counts(result.skipped)}")
    if result.page:
        lines.append(f"wrote {result.page}")
    lines += [f"wrote {path}" for path in result.exported]
    if result.scores is not None:
        lines += score_lines(result.scores)
    return lines


def score_lines(scores: dict[str, Any]) -> list[str]:
    def f(value: float) -> str:
        return f"{value:.3f}"

    return [
        f"grouping: precision {f(scores['grouping_precision'])}, recall {f(scores['grouping_recall'])} "
        f"({scores['pairs_right']} of {scores['pairs_predicted']} pairs right, "
        f"{scores['pairs_recovered']} of {scores['pairs_labelled']} labelled pairs found)",
        f"groups found whole: {len(scores['groups_found'])} of {scores['groups_labelled']} "
        f"({scores['groups_reachable']} with a member extracted)",
        f"conflicts: precision {f(scores['conflict_precision'])}, recall {f(scores['conflict_recall'])} "
        f"({len(scores['conflicts_predicted'])} found, {len(scores['conflicts_labelled'])} labelled)",
        f"series flags: precision {f(scores['flag_precision'])}, recall {f(scores['flag_recall'])} "
        f"({scores['flags_predicted']} found, {scores['flags_labelled']} labelled)",
    ]


def write_report(result: BuildResult, path: Path) -> None:
    from summarizer.core.io import write_json_atomic

    write_json_atomic(
        path,
        {
            "ledger": result.path,
            "added": asdict(result.added),
            "summary": result.summary,
            "problems": [str(p) for p in result.problems],
            "skipped": result.skipped,
            "page": result.page,
            "exported": result.exported,
            "scores": result.scores,
        },
    )
