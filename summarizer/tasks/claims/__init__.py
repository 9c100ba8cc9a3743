"""The claims task's kit: everything only the claims task needs.

The figure-guided strategy (figures, figure_grammar, figure_prompting, figure_extraction, the
article's cast: actors, cast), the claims' own words (lexicon,
data/lexicon.toml), repeats, salvage of a cut-off document, the rule-based baseline (rules/),
the claims scorer (scoring, alignment, normalize) and its pages (review, terminal, leaderboard).
"""
