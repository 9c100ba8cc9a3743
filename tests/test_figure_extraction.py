"""Figure-guided extraction end to end on the tiny random model: every document valid and grounded,
whatever the (random) model chooses."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("llguidance")

from summarizer.core.numbers import find_numbers, value_occurs  # noqa: E402
from summarizer.core.validation import schema_problems  # noqa: E402
from summarizer.engine.decode import DecodeParams, Decoder  # noqa: E402
from summarizer.engine.sides import sides_in  # noqa: E402
from summarizer.tasks.claims.figure_extraction import (  # noqa: E402
    FigureExtractor,
    build_claim,
    claims_summary,
    clip_summary,
    figures_to_label,
    label_figures,
)
from summarizer.tasks.claims.figures import find_figures  # noqa: E402


@pytest.fixture(scope="module")
def extractor(tiny_model, tiny_tokenizer):
    decoder = Decoder(tiny_model, tiny_tokenizer)
    yield FigureExtractor(decoder, tiny_tokenizer, batch_size=4)
    decoder.close()


def assert_grounded(document: dict, article: str) -> None:
    assert schema_problems(document) == []
    for claim in document["claims"]:
        for key in ("claimant", "period", "location", "equipment", "evidence"):
            assert claim[key] is None or claim[key] in article, (key, claim[key])
        for key in ("claimant_side", "victim_side", "perpetrator_side"):
            assert claim[key] is None or claim[key] in sides_in(article) or claim[key] in article
        assert value_occurs(claim["count"]["value"], article)
    invented = [
        m.text
        for m in find_numbers(document["summary"])
        if m.text.lower() not in ("a", "an") and not value_occurs(m.value, article)
    ]
    assert invented == []


@pytest.mark.parametrize("temperature", [0.0, 1.0])
def test_documents_are_valid_and_grounded(extractor, seed_articles, temperature):
    for seed, article in enumerate(seed_articles.values()):
        run = extractor.extract(article, DecodeParams(max_new_tokens=4096, temperature=temperature, seed=seed))
        assert_grounded(run.document, article)
        assert len(run.labels) == len(figures_to_label(article, [])[0]) == run.stats["figures"]
        assert run.stats["forward_passes"] > 0


def test_a_small_budget_loses_labels_not_the_article(extractor, seed_articles):
    article = next(iter(seed_articles.values()))
    run = extractor.extract(article, DecodeParams(max_new_tokens=5))
    assert run.labels and all(label is None for label in run.labels)
    assert run.stats["labels_cut_off"] == len(run.labels)
    assert run.document["claims"] == [] and run.document["summary"]


def test_claims_summary_mode_uses_no_model(extractor, seed_articles):
    article = next(iter(seed_articles.values()))
    run = extractor.extract(article, DecodeParams(max_new_tokens=4096), summary="claims")
    assert run.document["summary"] == claims_summary(run.document["claims"])
    # the labels and the candidate actors, no summary
    assert run.stats["generations"] == len(run.labels) + run.stats["actors_asked"] > len(run.labels)


LABEL = {
    "outcome": "killed",
    "victim_group": "children",
    "equipment": None,
    "victim_side": "Ukraine",
    "claimant": " OHCHR ",
    "claimant_type": "international_organization",
    "claimant_side": None,
    "perpetrator_side": None,
    "period": None,
    "location": "Kharkiv",
    "verification": "not_stated",
}


def test_a_claim_takes_its_count_and_evidence_from_the_text():
    article = "In Kharkiv, OHCHR said at least 23 children were killed. Other news."
    [figure] = find_figures(article)
    claim = build_claim(LABEL, figure, article)
    assert claim["count"] == {"value": 23, "qualifier": "at_least", "upper": None}
    assert claim["evidence"] == "In Kharkiv, OHCHR said at least 23 children were killed."
    assert claim["claimant"] == "OHCHR"
    assert list(claim) == [
        "claimant",
        "claimant_type",
        "claimant_side",
        "outcome",
        "victim_side",
        "victim_group",
        "equipment",
        "count",
        "period",
        "location",
        "perpetrator_side",
        "verification",
        "evidence",
    ]


@pytest.mark.parametrize(
    "claimant, said_type, said_side, claimant_type, claimant_side",
    [
        ("UNHCR", "international_organization", "Sudan", "international_organization", None),  # neutral: no side
        ("the Veldan Observatory", "ngo", "Syria", "ngo", None),
        ("the RSF", "armed_group", "RSF", "armed_group", "RSF"),
        ("The group", "state", "Hill Front", "state", "Hill Front"),  # no name pattern overrides the model
    ],
)
def test_the_type_is_the_model_s_and_a_neutral_claimant_has_no_side(
    claimant, said_type, said_side, claimant_type, claimant_side
):
    article = "A body said at least 23 children were killed."
    [figure] = find_figures(article)
    label = {**LABEL, "claimant": claimant, "claimant_type": said_type, "claimant_side": said_side}
    claim = build_claim(label, figure, article)
    assert (claim["claimant_type"], claim["claimant_side"]) == (claimant_type, claimant_side)


def scripted(claimants: list[str | None]):
    """A stand-in model that labels the n-th figure as children killed, claimed by claimants[n]."""

    def generate(kind, requests, grammars, budget, totals):
        import json

        if kind == "actor":
            return [('{"kind":"other"}', True)] * len(requests)
        labels = [
            {
                "outcome": "killed",
                "victim_group": "children",
                "equipment": None,
                "victim_side": None,
                "claimant": name,
                "claimant_type": "unattributed" if name is None else "international_organization",
                "claimant_side": None,
            }
            for name in claimants
        ]
        return [(json.dumps(label), True) for label in labels[: len(requests)]]

    return generate


def test_a_headline_repeat_is_one_claim_in_the_body_s_words():
    article = "23 Children Killed in Kharkiv\nOHCHR said 23 children were killed in Kharkiv."
    run = label_figures(article, scripted([None, "OHCHR"]), summary="claims")
    [claim] = run.document["claims"]
    assert claim["claimant"] == "OHCHR"
    assert claim["evidence"] == "OHCHR said 23 children were killed in Kharkiv."


def test_the_same_figure_from_two_claimants_is_two_claims():
    article = "OHCHR said 23 children were killed. UNICEF said 23 children were killed."
    run = label_figures(article, scripted(["OHCHR", "UNICEF"]), summary="claims")
    assert [c["claimant"] for c in run.document["claims"]] == ["OHCHR", "UNICEF"]


def test_summaries_are_clipped_at_a_sentence_end():
    text = "First sentence. " + "x" * 700
    assert clip_summary(text) == "First sentence."
    assert (
        len(
            claims_summary(
                [
                    build_claim(LABEL, f, "OHCHR said 23 children were killed.")
                    for f in find_figures("OHCHR said 23 children were killed.")
                ]
            )
        )
        <= 600
    )


def test_every_candidate_figure_is_asked_with_its_draft():
    article = (
        "The army has stationed some 50,000 troops along the river. This figure includes 23 children. "
        "Strikes killed 12 people. A mob set upon 4 men."
    )
    draft = {
        "count": {"value": 23, "qualifier": "exact", "upper": None},
        "evidence": "This figure includes 23 children.",
    }
    figures, drafts = figures_to_label(article, [draft])
    # no list of harm words decides ("set upon" is the model's to read, "none" allowed); troops
    # deployed are among the counts the contract leaves out, which the parser does not offer
    assert [f.count["value"] for f in figures] == [23, 12, 4]
    assert drafts == [draft, None, None]


def test_a_party_the_lede_names_is_asked_about_where_it_gives_a_figure_later():
    article = (
        "The Tosk Front crossed the river at dawn. The crossing took hours. Rain fell all week. "
        "Roads flooded. In June, the Tosk Front said it had killed 40 guards."
    )
    asked: list[str] = []

    def generate(kind, requests, grammars, budget, totals):
        if kind == "actor":
            asked.extend(r.split("[", 1)[1].split("]", 1)[0] for r in requests)
            return [('{"kind":"armed_group"}', True)] * len(requests)
        return [('{"outcome":"none"}', True)] * len(requests)

    label_figures(article, generate, summary="claims")
    assert "Tosk Front" in asked


def test_the_cast_is_read_once_and_recorded():
    article = "The Hill Front said 23 fighters were killed. Medics said 4 people were hurt."
    asked: list[tuple[str, int]] = []
    kinds = {"Hill Front": "armed_group", "Medics": "witness"}

    def generate(kind, requests, grammars, budget, totals):
        asked.append((kind, len(requests)))
        if kind == "actor":
            return [(json.dumps({"kind": kinds[r.split("[", 1)[1].split("]", 1)[0]]}), True) for r in requests]
        return [('{"outcome":"none"}', True)] * len(requests)

    run = label_figures(article, generate, summary="claims")
    assert asked == [("actor", 2), ("label", 2)]
    assert run.cast == [
        {"name": "Hill Front", "kind": "armed_group", "canonical": "Hill Front"},
        {"name": "Medics", "kind": "witness", "canonical": "Medics"},
    ]
    assert '"cast": [{"name": "Hill Front"' in run.raw


def test_each_phase_s_seconds_are_in_the_stats(monkeypatch):
    import summarizer.tasks.claims.figure_extraction as module

    clock = iter(range(0, 100, 2))  # every reading of the clock is 2 s after the one before
    monkeypatch.setattr(module.time, "perf_counter", lambda: next(clock))
    article = "The Hill Front said 23 fighters were killed. Medics said 4 people were hurt."
    run = label_figures(article, scripted(["Hill Front", "Medics"]), summary="claims")
    assert (run.stats["actor_seconds"], run.stats["label_seconds"]) == (2, 2)
    assert "summary_seconds" not in run.stats  # no model summary asked
