"""The real-weight section of ``benchmarks/RESULTS.md``, rendered from :mod:`benchmarks.real`'s results."""

from __future__ import annotations


def _table(headers: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    return lines + ["| " + " | ".join("—" if v is None else str(v) for v in row) + " |" for row in rows]


def render(results: dict) -> str:
    machine = results["machine"]
    lines = [
        "## Real weights",
        "",
        f"Model `{results['model']}`, greedy, budget {results['max_new_tokens']} tokens, "
        f"{results['torch_threads']} torch threads, CPU {machine.get('cpu', '?')}; load average at the start "
        f"{machine.get('load_average_at_start', '?')}.",
        "",
        f"### Figure-guided extraction (the default strategy, {_batch(results)} labels at a time)",
        "",
    ]
    lines += _table(
        ["article", "seconds", "figures", "claims", "generated", "forced", "passes", "tokens/s"],
        [
            [
                f["article"],
                f["seconds"],
                f["figures"],
                f["claims"],
                f["generated_tokens"],
                f["forced_tokens"],
                f["forward_passes"],
                f["tokens_per_second"],
            ]
            for f in results["figures"]
        ],
    )
    lines += ["", "### Document strategy: article-lookup speculation on / off", ""]
    rows = []
    for d in results["document"]:
        for key in ("speculation_on", "speculation_off"):
            r = d[key]
            rows.append(
                [
                    d["article"],
                    key.split("_")[1],
                    r["seconds"],
                    r["generated_tokens"],
                    r["forced_tokens"],
                    r["forward_passes"],
                    r["passes_per_token"],
                    f"{r['accepted_draft_tokens']}/{r['draft_tokens']}",
                    r["tokens_per_second"],
                    r["stop_reason"],
                    d["identical"],
                ]
            )
    lines += _table(
        [
            "article",
            "speculation",
            "seconds",
            "generated",
            "forced",
            "passes",
            "passes/token",
            "drafts accepted",
            "tokens/s",
            "stop",
            "same tokens",
        ],
        rows,
    )
    if results.get("compare"):
        lines += ["", "### Same document prompts through other engines", ""]
        lines += _table(
            ["article", "plain generate + llguidance (s, tokens)", "outlines llguidance (s, tokens)"],
            [[c["article"], _pair(c.get("plain_generate")), _pair(c.get("outlines"))] for c in results["compare"]],
        )
    lines += ["", "### Batch size (figure labels of all benchmarked articles, without the summary)", ""]
    lines += _table(
        ["dtype", "batch", "seconds", "labels", "labels/s", "passes"],
        [
            [b.get("dtype", "float32"), b["batch_size"], b["seconds"], b["figures"], b["labels_per_second"]]
            + [b["forward_passes"]]
            for b in results["batch"]
        ],
    )
    bw = results["bandwidth"]
    lines += [
        "",
        f"### dtypes (prefill of the first article's document prompt; greedy decode steps without grammar; "
        f"copy bandwidth {bw['bandwidth_gb_s']} GB/s)",
        "",
    ]
    lines += _table(
        [
            "dtype",
            "prefill s",
            "decode s/step",
            "same greedy tokens as float32",
            "weight bytes",
            "floor s/step",
            "step / floor",
        ],
        [
            [
                d["dtype"],
                d["prefill_seconds"],
                d["decode_seconds_per_step"],
                d["greedy_identical_to_float32"],
                d["weight_bytes"],
                d["floor_seconds_per_step"],
                d["step_over_floor"],
            ]
            for d in results["dtypes"]
        ],
    )
    costs = [d for d in results["dtypes"] if d.get("pass_seconds")]
    if costs:
        shapes = list(costs[0]["pass_seconds"])
        lines += [
            "",
            "### One forward pass after the first prompt, rows x new tokens (s): what caps batching",
            "",
        ]
        lines += _table(["dtype", *shapes], [[d["dtype"], *d["pass_seconds"].values()] for d in costs])
    lines += ["", "### Where the time goes (pyinstrument, figure-guided run of the first article)", ""]
    profile = results.get("profile") or {}
    if profile.get("status") == "ok":
        lines += [f"{profile['total_seconds']} s sampled on the main thread; top functions by self time:", ""]
        lines += _table(
            ["function", "self s", "share"],
            [[f"`{e['entry']}`", e["seconds"], f"{e['share'] * 100:.1f} %"] for e in profile["top_self_time"]],
        )
    else:
        lines += [f"Not profiled: {profile.get('reason', 'skipped')}."]
    lines += ["", "### Targets", ""]
    lines += _table(
        ["target", "value", "limit", "met"],
        [[t["target"], t["value"], t["limit"], t["met"]] for t in results["targets"]],
    )
    return "\n".join(lines)


def _pair(row: dict | None) -> str | None:
    return None if not row else f"{row['seconds']} s, {row['generated_tokens']}"


def _batch(results: dict) -> str:
    sizes = {f.get("batch_size") for f in results["figures"]}
    return "/".join(str(size) for size in sorted(sizes, key=str))
