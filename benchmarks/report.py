"""Writing the benchmark's results: ``RESULTS.md``, ``results.json`` and ``profile.txt``.

Rendering only: every figure comes measured from :mod:`benchmarks.run`.
"""

from __future__ import annotations

import statistics
from pathlib import Path

from summarizer.reporting.formatting import NOT_AVAILABLE, fmt


def write_results(results: dict, out_dir: Path) -> None:
    from summarizer.core.io import write_json_atomic, write_text_atomic

    profile_text = results.pop("_profile_text", None)
    if profile_text:
        write_text_atomic(out_dir / "profile.txt", profile_text)
    write_json_atomic(out_dir / "results.json", results)
    write_text_atomic(out_dir / "RESULTS.md", render_markdown(results))


def _fmt(value, digits: int = 2, unit: str = "") -> str:
    return fmt(value, digits, missing=NOT_AVAILABLE, unit=unit, grouping=True)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines + [""]


def render_markdown(results: dict) -> str:
    f, machine, settings = results["figures"], results["machine"], results["settings"]
    model = settings["model"]
    out = [f"# Benchmark results ({results['mode']} run)", ""]
    out += [
        f"Made {results['date']} by `{settings['command']}` "
        f"in {results.get('total_seconds', 0):.0f} s. Every figure below is measured in that run; "
        f"`results.json` holds them all (and `profile.txt` the full profile).",
        "",
    ]
    if results["mode"] == "smoke":
        out += [
            "**Smoke run**: tiny model, a few tokens. The figures only show that every part works; "
            "they say nothing about performance.",
            "",
        ]
    out += _machine_section(machine, model, settings)
    out += _targets_section(results["targets"])
    out += _figures_sections(f, settings)
    out += _rules_scaling_section(f.get("rules_scaling"))
    out += _profile_section(results.get("profile", {}))
    out += [
        "## Method",
        "",
        "* Random weights give real timings; quality is not measured here. The model never stops by itself, "
        "but the grammar can end the document before the cap (greedy, so always at the same token): every "
        "other system then gets exactly as many tokens as this project generated on that article, so all "
        "generate the same number (checked: see token counts above).",
        "* Systems run interleaved per article, each run in turn, so that changes in the machine's speed "
        "hit them alike; each timing is the median over runs. One untimed warm-up per system first.",
        "* outlines' default JSON backend (outlines_core) turns the schema into one regular expression; "
        "with the claims schema's length-bounded strings and up to 200 claims it does not compile in "
        "useful time, so outlines is timed with its llguidance backend (same grammar engine as this "
        "project, outlines' logits processor and `model.generate`). Its JSON has flexible whitespace, "
        "which does not change the number of tokens (the cap).",
        "* Plain generate uses the project's own grounded grammar, so the difference to this project is "
        "the decode loop alone (fast-forward, prefix cache, mask overlap).",
        "",
    ]
    return "\n".join(out)


def _machine_section(machine: dict, model: dict, settings: dict) -> list[str]:
    v = machine["versions"]
    rows = [
        ["CPU", f"{machine['cpu']}, {machine['cores']} cores ({machine['torch_threads']} torch threads)"],
        ["memory", _fmt(machine["memory_gib"], 1, " GiB")],
        ["platform", f"{machine['platform']}, Python {machine['python']}"],
        ["libraries", ", ".join(f"{name} {ver}" for name, ver in v.items() if ver)],
        [
            "load average (start / max during the runs / end)",
            f"{machine['load_average_at_start']} / {machine.get('load_average_max_during_runs')} / "
            f"{machine.get('load_average_at_end')} (the benchmark itself adds about {machine['torch_threads']})",
        ],
        [
            "model",
            f"{model['architecture']}, random weights, {model['parameters']:,} parameters, "
            f"{model['layers']} layers, hidden {model['hidden']}, {model['heads']} heads / "
            f"{model['kv_heads']} KV heads, intermediate {model['intermediate']}, tied embeddings "
            f"{model['tied_embeddings']}, {settings['dtype']}",
        ],
        [
            "vocabulary",
            f"tokenizer {model['tokenizer_vocab']:,} tokens (byte-level BPE), "
            f"model {model['model_vocab']:,} "
            f"(padded); stop tokens {model['stop_token_ids']}",
        ],
        [
            "workload",
            f"{_count(len(settings['articles']), 'seed article')}, claims schema, grounded grammar, "
            f"{settings['decoding']}, cap {settings['max_new_tokens']} new tokens, "
            f"{_count(settings['runs'], 'run')}",
        ],
    ]
    lines = ["## Machine and setup", ""] + _table(["", ""], rows)
    start, during = machine.get("load_average_at_start") or 0, machine.get("load_average_max_during_runs") or 0
    cores = machine.get("cores") or 1
    if start > 0.5 * cores or during > machine["torch_threads"] + 1:
        lines += [
            f"**Warning**: other work was running on the machine (load average {start} at the start, up "
            f"to {during} during the runs, on {cores} cores): timings are noisy; rerun on a quiet machine.",
            "",
        ]
    return lines


def _targets_section(targets: list[dict]) -> list[str]:
    rows = []
    for t in targets:
        verdict = {True: "met", False: "**missed**", None: "not measured"}[t["met"]]
        rows.append([t["target"], _fmt(t["measured"], 3), f"{t['meaning']} {t['limit']}", verdict, t["miss"] or ""])
    lines = ["## Targets", ""] + _table(["target", "measured", "limit", "", "missed by"], rows)
    why = [f"* **{t['target']}**: {t['why']}" for t in targets if t["met"] is False or t["met"] is None]
    if why:
        lines += ["Why the misses:", ""] + why + [""]
    return lines


def _figures_sections(f: dict, settings: dict) -> list[str]:
    m, ff, p, e2e, fl, mem = (
        f["mask_overhead"],
        f["fast_forward"],
        f["prefix_reuse"],
        f["end_to_end"],
        f["floor"],
        f["memory"],
    )
    out = ["## 1. Mask overhead", ""]
    out += _table(
        ["", "ms per token"],
        [
            ["no grammar (same model calls)", _fmt(m["unconstrained_ms_per_token"])],
            ["grammar, one token per pass", _fmt(m["constrained_ms_per_token"])],
            ["overhead", _fmt(m["overhead_pct"], 2, " %")],
            ["this project per pass (fast-forward on)", _fmt(m["project_ms_per_pass"])],
        ],
    )
    g = f["fast_forward"]["gold_replay"]
    out += [
        m["method"] + f". For scale, llguidance's mask for one token, timed alone on the gold documents "
        f"(section 2): median {_fmt(g['mask_ms_median'], 3)} ms, max {_fmt(g['mask_ms_max'], 3)} ms.",
        "",
    ]
    out += ["## 2. Fast-forward", ""]
    out += _table(
        ["generated tokens", "forced", "forward passes", "passes per token", "forced share", "summary share", "stop"],
        [
            [
                _fmt(ff["generated_tokens"]),
                _fmt(ff["forced_tokens"]),
                _fmt(ff["forward_passes"]),
                _fmt(ff["forward_passes_per_token"], 3),
                _fmt(ff["forced_share"], 3),
                _fmt(ff["summary_token_share"], 3),
                ", ".join(ff["stop_reasons"]),
            ]
        ],
    )
    out += [ff["method"] + ". Summary share: tokens spent in the free-text summary before the claims.", ""]
    g = ff["gold_replay"]
    out += [
        f"Random weights write junk into the summary and then (greedy) mostly close the claims list, so "
        f"their documents have little structure to fast-forward. What fast-forward does on real claims "
        f"documents: the seed articles' gold documents replayed through each article's grounded grammar "
        f"(an oracle picks each sampled token, the grammar forces the rest, as in the decode loop): "
        f"{_fmt(g['tokens'])} tokens, {_fmt(g['forced'])} forced, {_fmt(g['forward_passes'])} forward passes: "
        f"**{_fmt(g['forward_passes_per_token'], 3)} passes per token**, forced share "
        f"{_fmt(g['forced_share'], 3)}"
        + (
            f" (documents that do not fit the grammar: {', '.join(g['unfit_documents'])})"
            if g["unfit_documents"]
            else ""
        )
        + ".",
        "",
    ]
    out += ["## 3. Prompt prefix reuse", ""]
    out += _table(
        ["article", "cold prefill (s)", "warm prefill (s)"],
        [[aid, _fmt(v["cold"], 3), _fmt(v["warm"], 3)] for aid, v in p["per_article"].items()]
        + [["**mean**", _fmt(p["cold_prefill_seconds"], 3), _fmt(p["warm_prefill_seconds"], 3)]],
    )
    out += [
        f"Warm / cold: **{_fmt(p['warm_over_cold'], 3)}**. Shared prefix {p['prefix_tokens']} tokens of "
        f"{_fmt(p['mean_prompt_tokens'], 0)} on average (the article is {_fmt(p['article_share_of_prompt'], 2)} "
        f"of the prompt); caching the prefix costs {_fmt(p['prefix_cache_seconds_once'], 2)} s once per model. "
        + p["method"]
        + ".",
        "",
    ]
    out += ["## 4. End to end", ""]
    rows = []
    for name, s in e2e["systems"].items():
        ratio = e2e["ratios"].get(f"{name}_over_project") if name != "project" else 1.0
        prompt = statistics.mean(s["prompt_tokens"].values()) if s.get("prompt_tokens") else None
        rows.append(
            [
                s["label"],
                _fmt(s["seconds_per_article"], 2),
                _fmt(s.get("tokens_per_article"), 1),
                _fmt(prompt, 0),
                _fmt(ratio, 2, "x") if s["seconds_per_article"] else s.get("reason", "skipped"),
            ]
        )
    out += _table(["system", "s per article", "generated tokens", "prompt tokens", "time / this project's"], rows)
    r = e2e["ratios"]
    out += [
        f"This project takes **{_fmt(r['project_over_outlines'], 2, 'x')}** outlines' time and "
        f"**{_fmt(r['project_over_plain_generate'], 2, 'x')}** plain generate's. Same token counts per article: "
        + (", ".join(f"{k} {'yes' if v else 'NO'}" for k, v in e2e["equal_token_counts"].items()) or "n/a")
        + ". "
        + e2e["method"]
        + ".",
        "",
    ]
    o = e2e["systems"].get("outlines", {})
    if o.get("setup_seconds") is not None:
        out += [
            f"outlines one-time costs (not in the per-article time): generator {o['setup_seconds']:.2f} s, "
            f"first call {o['first_call_seconds']:.2f} s (a cold prefill, and torch.compile of its mask "
            "kernel).",
            "",
        ]
    core = f["outlines_default_backend"]
    out += [
        f"outlines' default JSON backend (outlines_core) on the claims schema: {core['status']}"
        + (f", compiled in {core['compile_seconds']:.1f} s" if core.get("compile_seconds") else "")
        + (f" ({core['reason']})" if core.get("reason") else "")
        + ".",
        "",
    ]
    out += ["## 5. The floor", ""]
    out += _table(
        ["", "value"],
        [
            ["memory bandwidth, numpy copy (1 thread)", _fmt(fl["numpy_copy_gb_s"], 2, " GB/s")],
            ["memory bandwidth, torch copy (all threads)", _fmt(fl["torch_copy_gb_s"], 2, " GB/s")],
            ["weights read per step", _fmt(fl["weight_bytes_per_step"] / 1e6, 1, " MB")],
            ["KV cache read per step (mean context)", _fmt(fl["kv_cache_bytes_per_step"] / 1e6, 1, " MB")],
            ["floor per step", _fmt(fl["floor_ms_per_step"], 2, " ms")],
            [
                "this project per pass",
                f"{_fmt(fl['project_ms_per_pass'], 2, ' ms')} ({_fmt(fl['project_over_floor'], 2, 'x')} the floor)",
            ],
            [
                "no grammar per token",
                f"{_fmt(fl['unconstrained_ms_per_token'], 2, ' ms')} "
                f"({_fmt(fl['unconstrained_over_floor'], 2, 'x')} the floor)",
            ],
        ],
    ) + [fl["method"] + ".", ""]
    out += ["## 6. Memory", ""]
    out += _table(
        ["", "MiB"],
        [
            ["weights", _fmt(mem["weights_mib"], 1)],
            ["peak resident after loading the model", _fmt(mem["after_load_mib"], 1)],
            [
                "peak resident after this project's first generation (before any peer ran)",
                _fmt(mem["project_peak_mib"], 1),
            ],
            ["peak resident, whole benchmark", _fmt(mem["peak_mib"], 1)],
        ],
    )
    eq = f["equivalence"]
    out += [
        "## Optimised loop vs plain step-by-step loop",
        "",
        f"Greedy, same article and cap: {eq['identical_texts']} of {eq['articles']} generated texts identical "
        f"between this project's loop and its step-by-step mode (no fast-forward, no prefix reuse). "
        + eq["note"]
        + ".",
        "",
    ]
    return out


def _rules_scaling_section(r: dict | None) -> list[str]:
    if not r:
        return []
    out = ["## 7. Rules baseline: time against article length", ""]
    out += _table(
        ["text", "seconds"],
        [[_fmt(n / 2**20, 2, " MB"), _fmt(s, 2)] for n, s in zip(r["bytes"], r["seconds"], strict=True)],
    )
    out += [
        f"{_fmt(r['size_ratio'], 1, 'x')} the text took {_fmt(r['time_ratio'], 2, 'x')} the time: "
        f"**{_fmt(r['growth_over_linear'], 2)}x linear growth** (1 is linear; quadratic would be "
        f"{_fmt(r['size_ratio'], 0)}). {r['method'].capitalize()}; load average {r.get('load_average')}"
        + (f". Measured {r['measured']}" if r.get("measured") else "")
        + ".",
        "",
    ]
    return out


def _profile_section(profile: dict) -> list[str]:
    lines = ["## Where the time goes (pyinstrument)", ""]
    if profile.get("status") != "ok":
        return lines + [f"Not profiled: {profile.get('reason', 'skipped')}.", ""]
    lines += [
        f"One generation of this project (first article, same cap): {profile['total_seconds']:.2f} s "
        f"sampled on the main thread, of which {profile['prefill_seconds']:.2f} s prefill (to the first "
        f"logits), then {profile['forward_passes'] - 1} decode passes. The top functions by self time "
        "(the mask is computed on a worker thread, so its cost shows here only as waiting):",
        "",
    ]
    lines += _table(
        ["function", "self s", "share"],
        [[f"`{e['entry']}`", _fmt(e["seconds"], 3), _fmt(e["share"] * 100, 1, " %")] for e in profile["top_self_time"]],
    )
    return lines
