"""The claims ledger: many articles' claims in one table of who claimed what, which claims are
about the same losses, where claimants disagree, and how each figure moved over time.

Modules, each only looking at those before it: ``dates`` (an article's date), ``canonical``
(a claim's canonical names and scope, through ``summarizer.tasks.claims.normalize``), ``grouping``
(the documented rule: groups, conflicts, series flags; pure), ``sources`` (reading documents,
JSONL and the run store), ``db`` (the SQLite ledger, incremental), ``scoring`` (against a
labelled ``expected.json``), ``plots`` (timelines, PNG), ``page`` (ledger.html), ``export`` (CSV,
Parquet), ``report`` (the command's text), ``api`` (:func:`build_ledger`, :func:`ledger`).
"""
