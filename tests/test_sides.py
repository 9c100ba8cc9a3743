"""Side names an article mentions: demonyms map to their country, "us" only in capitals."""

from __future__ import annotations

from summarizer.sides import sides_in


def test_demonyms_and_places_map_to_short_names_in_order_of_mention():
    article = "Gazan officials said Israeli strikes killed 12; the IDF and Hamas traded blame."
    assert sides_in(article) == ["Palestinians", "Israel", "Hamas"]


def test_us_counts_only_in_capitals():
    assert sides_in("They told us the US had sent aid.") == ["United States"]
    assert sides_in("They told us nothing.") == []
