"""Repeated figures (headline and body) are one claim; two claimants of one figure are two."""

from __future__ import annotations

from summarizer.tasks.claims.repeats import dedupe, is_generic, is_headline

BODY = {
    "claimant": "Ukraine's General Staff",
    "outcome": "killed",
    "victim_group": "military",
    "victim_side": "Russia",
    "equipment": None,
    "count": {"value": 1000, "qualifier": "more_than", "upper": None},
    "period": "since February 2022",
    "location": None,
    "perpetrator_side": None,
    "verification": "not_stated",
    "evidence": "Ukraine's General Staff said more than 1,000 Russian soldiers had been killed since February 2022.",
    "_headline": False,
}
HEADLINE = {
    **BODY,
    "claimant": "Ukraine",
    "victim_group": "unspecified",
    "period": None,
    "location": "Bakhmut",
    "evidence": "Over 1,000 Russian Soldiers Killed in Bakhmut, Says Ukraine",
    "_headline": True,
}


def test_a_headline_and_its_body_sentence_are_one_claim_in_the_body_s_words():
    [claim] = dedupe([dict(HEADLINE), dict(BODY)])
    assert claim["evidence"] == BODY["evidence"]
    assert claim["claimant"] == "Ukraine's General Staff"
    assert claim["location"] == "Bakhmut"  # a detail only the headline gives is kept


def test_two_named_claimants_or_two_groups_are_two_claims():
    assert len(dedupe([dict(BODY), {**BODY, "claimant": "Russia's Defence Ministry"}])) == 2
    assert len(dedupe([dict(BODY), {**BODY, "victim_group": "civilians"}])) == 2
    assert len(dedupe([dict(BODY), {**BODY, "count": {"value": 1001, "qualifier": "exact", "upper": None}}])) == 2


def test_generic_names_and_headlines():
    assert is_generic("Ukrainian officials") and is_generic("the ministry")
    assert not is_generic("Ukraine's General Staff")
    assert is_headline(HEADLINE["evidence"]) and not is_headline(BODY["evidence"])
    assert not is_headline("“We lost 40 men,” he said.”")


def test_a_headline_repeats_the_body_s_figure_whatever_source_it_names():
    headline = {**HEADLINE, "claimant": "UGS", "location": "Bakhmut"}
    body = {**BODY, "location": "Bakhmut district"}
    [claim] = dedupe([dict(headline), dict(body)])
    assert claim["claimant"] == "Ukraine's General Staff" and claim["evidence"] == BODY["evidence"]
    other = {**body, "claimant": "Russia's Defence Ministry", "_headline": False}
    assert len(dedupe([dict(body), other])) == 2  # two body sentences with two sources stay two claims


def test_a_claim_is_compared_only_with_kept_claims_of_the_same_figure(monkeypatch):
    # Compared with every kept claim, a long article's thousands of claims took quadratic time.
    from summarizer.tasks.claims import repeats

    calls = []
    real = repeats.same_figure
    monkeypatch.setattr(repeats, "same_figure", lambda a, b, h=False: calls.append(1) or real(a, b, h))
    claims = [{**BODY, "count": {"value": n, "qualifier": "exact", "upper": None}} for n in range(2000)]
    kept = dedupe([dict(c) for c in claims] + [dict(HEADLINE)])
    assert len(kept) == 2000 and len(calls) == 1  # the headline, with the body's 1,000 only
    assert kept[1000]["evidence"] == BODY["evidence"] and kept[1000]["location"] == "Bakhmut"
