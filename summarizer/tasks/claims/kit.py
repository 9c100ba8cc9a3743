"""The claims task's kit: found through the ``summarizer.tasks`` entry point ``claims`` (pyproject.toml)."""

from __future__ import annotations

from summarizer.core.kit import TaskKit

# The modules of this kit whose code decides what a model's output becomes (the run store's key).
SOURCES = (
    "tasks/claims/figures",
    "tasks/claims/figure_grammar",
    "tasks/claims/figure_prompting",
    "tasks/claims/figure_extraction",
    "tasks/claims/article_limits",
    "tasks/claims/actors",
    "tasks/claims/cast",
    "tasks/claims/speech",
    "tasks/claims/strategy",
    "tasks/claims/salvage",
    "tasks/claims/lexicon",
    "tasks/claims/data/lexicon.toml",  # the generic word lists lexicon.py reads
    "tasks/claims/victims",
    "tasks/claims/repeats",
    "tasks/claims/rules",  # the rule drafts figure-guided extraction starts from (a package)
)

KIT = TaskKit(
    name="claims",
    strategies={"figures": "summarizer.tasks.claims.strategy:figure_strategy"},
    default_strategy="figures",
    load="summarizer.tasks.claims.kit:claims_task",
    repeat_fields=("evidence", "count"),
    salvage="summarizer.tasks.claims.salvage:salvage_document",
    prompt_hash="summarizer.tasks.claims.figure_prompting:figure_prompt_hash",
    sources=SOURCES,
    dataset="summarizer.core.resources:seeds_dir",
    evaluation="summarizer.tasks.claims.evaluation",
)


def claims_task():
    """The built-in claims task: schemas/claims.schema.json, schemas/claims.task.toml, prompts/."""
    from summarizer.core.task import builtin_task

    return builtin_task("claims")
