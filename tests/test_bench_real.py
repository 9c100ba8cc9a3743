"""The real-weight benchmark's bookkeeping: targets from measured rows, and its RESULTS.md
section replaced in place (the random-weight sections around it stay)."""

from __future__ import annotations

import json

from benchmarks.real import MARK_END, MARK_START, _targets, write_results


def results(passes: int = 30, plain_seconds: float = 40.0, batch8: float = 2.0) -> dict:
    doc = {
        "seconds": 10.0,
        "generated_tokens": 100,
        "forced_tokens": 50,
        "forward_passes": passes,
        "accepted_draft_tokens": 20,
        "draft_tokens": 30,
        "stop_reason": "stop",
        "passes_per_token": passes / 100,
        "tokens_per_second": 10.0,
    }
    out = {
        "model": "m.gguf",
        "machine": {"cpu": "x", "load_average_at_start": 1.0},
        "torch_threads": 2,
        "max_new_tokens": 4096,
        "figures": [
            {
                "article": "a",
                "seconds": 5.0,
                "figures": 4,
                "claims": 3,
                "generated_tokens": 200,
                "forced_tokens": 150,
                "forward_passes": 20,
                "tokens_per_second": 40.0,
            }
        ],
        "document": [
            {"article": "a", "speculation_on": doc, "speculation_off": {**doc, "forward_passes": 50}, "identical": True}
        ],
        "compare": [
            {"article": "a", "plain_generate": {"seconds": plain_seconds, "generated_tokens": 100}, "outlines": None}
        ],
        "batch": [
            {
                "dtype": "float32",
                "batch_size": 1,
                "seconds": 4.0,
                "figures": 4,
                "labels_per_second": 1.0,
                "forward_passes": 80,
            },
            {
                "dtype": "float32",
                "batch_size": 8,
                "seconds": 1.0,
                "figures": 4,
                "labels_per_second": batch8,
                "forward_passes": 10,
            },
            {
                "dtype": "int8",
                "batch_size": 1,
                "seconds": 2.0,
                "figures": 4,
                "labels_per_second": 2.0,
                "forward_passes": 80,
            },
            {
                "dtype": "int8",
                "batch_size": 8,
                "seconds": 0.5,
                "figures": 4,
                "labels_per_second": 7.0,
                "forward_passes": 10,
            },
        ],
        "bandwidth": {"bandwidth_gb_s": 10.0},
        "dtypes": [
            {
                "dtype": "float32",
                "prefill_seconds": 1.0,
                "decode_seconds_per_step": 0.2,
                "greedy_identical_to_float32": True,
                "weight_bytes": 10**9,
                "floor_seconds_per_step": 0.1,
                "step_over_floor": 2.0,
                "pass_seconds": {"1x1": 0.1, "8x1": 0.25},
            }
        ],
    }
    out["targets"] = _targets(out)
    return out


def test_targets_compare_measured_rows_with_their_limits():
    met = {t["target"]: (t["value"], t["met"]) for t in results()["targets"]}
    assert met["forward passes per generated token (document strategy)"] == (0.3, True)
    assert met["time per article vs plain_generate (document strategy, same prompt)"] == (0.25, True)
    assert met["time per article vs plain_generate (figure-guided, the default)"] == (0.125, True)
    assert met["time per generated token vs plain_generate (document strategy)"] == (0.25, True)
    assert met["labels per second, best batch vs batch 1 (float32)"] == (2.0, False)
    assert met["labels per second, best batch vs batch 1 (int8)"] == (3.5, True)  # each dtype against itself
    assert met["decode step vs floor (float32)"] == (2.0, False)
    assert not any("outlines" in t for t in met)  # no outlines row: no outlines target
    slow = {t["target"]: t["met"] for t in results(passes=50, plain_seconds=20.0, batch8=4.0)["targets"]}
    assert (
        slow["time per article vs plain_generate (document strategy, same prompt)"] is False
        and slow["labels per second, best batch vs batch 1 (float32)"]
    )


def test_the_section_is_replaced_in_place(tmp_path):
    (tmp_path / "RESULTS.md").write_text("# Bench\n\nrandom weights\n", encoding="utf-8")
    write_results(results(), tmp_path)
    write_results(results(passes=45), tmp_path)
    text = (tmp_path / "RESULTS.md").read_text(encoding="utf-8")
    assert text.startswith("# Bench\n\nrandom weights\n")
    assert text.count(MARK_START) == text.count(MARK_END) == 1
    assert "| a | on | 10.0 | 100 | 50 | 45 |" in text
    assert "| dtype | 1x1 | 8x1 |" in text and "| float32 | 0.1 | 0.25 |" in text  # what one pass costs
    assert (
        json.loads((tmp_path / "real.json").read_text(encoding="utf-8"))["document"][0]["speculation_on"][
            "forward_passes"
        ]
        == 45
    )


def test_the_batch_study_labels_the_figures_of_every_article(tiny_model, tiny_tokenizer, seed_articles):
    from types import SimpleNamespace

    from benchmarks.real import RealBenchOptions, _batch_run
    from summarizer.engine.decode import Decoder

    articles = dict(list(seed_articles.items())[:2])
    options = RealBenchOptions(model="tiny", max_new_tokens=64)
    with Decoder(tiny_model, tiny_tokenizer) as decoder:  # its own: the extractor caches prefixes in it
        bench = SimpleNamespace(warm=decoder, tokenizer=tiny_tokenizer, articles=articles)
        one, eight = (_batch_run(bench, options, size) for size in (1, 8))
    assert one["articles"] == eight["articles"] == 2
    assert one["figures"] == eight["figures"] > 8  # enough rows to fill a batch of 8
    assert eight["forward_passes"] < one["forward_passes"]  # several labels per forward pass
    assert eight["labels_per_second"] == round(eight["figures"] / eight["seconds"], 3)


def test_pass_costs_time_every_shape_of_the_batch_study(tiny_model, tiny_tokenizer):
    from benchmarks.real import _pass_costs

    prompt = tiny_tokenizer.encode("Russia says 1,400 soldiers were killed.")
    costs = _pass_costs(tiny_model, prompt, (1, 2, 8), reps=1)
    assert list(costs) == ["1x1", "2x1", "8x1", "1x8", "1x60", "8x4"]
    assert all(seconds > 0 for seconds in costs.values())
