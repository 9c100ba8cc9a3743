"""What fast-forward does on realistic documents (the seed articles' gold documents replayed
through their grammars with an oracle for the model) and a profile of one generation."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from benchmarks.figures import median, rounded
from benchmarks.systems import INSTALL_HINT, Workbench, run_project


def replay_document(ll_tokenizer, grammar: str, text: str) -> dict | None:
    """Generate ``text`` through ``grammar`` the way the decode loop does (fast-forward on),
    with an oracle in place of the model that always picks the next token of ``text``.

    Counts what fast-forward does on a realistic document: every sampled token costs a
    forward pass, forced tokens ride along. None when ``text`` does not fit the grammar.
    """
    import llguidance
    import llguidance.torch

    matcher = llguidance.LLMatcher(ll_tokenizer, grammar, log_level=0)
    bitmask = llguidance.torch.allocate_token_bitmask(1, ll_tokenizer.vocab_size)
    target, done = text.encode("utf-8"), b""
    sampled = forced = 0
    mask_seconds: list[float] = []
    while not matcher.is_error():
        ff = matcher.compute_ff_tokens()
        if ff:
            matcher.consume_tokens(ff)
            forced += len(ff)
            done += ll_tokenizer.decode_bytes(ff)
        if len(done) >= len(target) or not target.startswith(done):
            break
        started = time.perf_counter()  # the mask the decode loop computes before each sampled token
        llguidance.torch.fill_next_token_bitmask(matcher, bitmask, 0)
        mask_seconds.append(time.perf_counter() - started)
        token = _oracle_token(ll_tokenizer, matcher, target[len(done) :])
        if token is None:
            return None
        matcher.consume_token(token)
        sampled += 1
        done += ll_tokenizer.decode_bytes([token])
    if done != target or matcher.is_error():
        return None
    # The decode loop stops without a pass once only a stop token is allowed: one pass per sampled token.
    return {"tokens": sampled + forced, "forced": forced, "forward_passes": sampled, "mask_seconds": mask_seconds}


def _oracle_token(ll_tokenizer, matcher, remaining: bytes) -> int | None:
    """The first token of the canonical tokenization of ``remaining`` if the grammar allows it,
    else the longest allowed single token that is a prefix of it."""
    first = ll_tokenizer.tokenize_bytes(remaining[:256])[:1]
    if first and matcher.validate_tokens(first) == 1:
        return first[0]
    for length in range(min(len(remaining), 64), 0, -1):
        tokens = ll_tokenizer.tokenize_bytes(remaining[:length])
        if len(tokens) == 1 and matcher.validate_tokens(tokens) == 1:
            return tokens[0]
    return None


def replay_gold_documents(bench: Workbench) -> dict:
    """Fast-forward on the seed articles' gold documents (what a good model writes), replayed
    through each article's grounded grammar."""
    from summarizer.core.resources import seeds_dir
    from summarizer.engine.grammar import build_grammar
    from summarizer.engine.prompting import format_document

    totals = {"tokens": 0, "forced": 0, "forward_passes": 0}
    replayed, unfit, mask_seconds = [], [], []
    for aid, article in bench.articles.items():
        label = seeds_dir() / "labels" / f"{aid}.json"
        if not label.is_file():
            continue
        document = json.loads(label.read_text(encoding="utf-8"))
        counts = replay_document(bench.ll_tokenizer, build_grammar(bench.schema, article), format_document(document))
        if counts is None:
            unfit.append(aid)
            continue
        replayed.append(aid)
        mask_seconds += counts["mask_seconds"]
        for key in totals:
            totals[key] += counts[key]
    tokens = totals["tokens"]
    return {
        **totals,
        "documents": replayed,
        "unfit_documents": unfit,
        "forward_passes_per_token": rounded(totals["forward_passes"] / tokens if tokens else None),
        "forced_share": rounded(totals["forced"] / tokens if tokens else None),
        "mask_ms_median": rounded(median(mask_seconds) * 1000 if mask_seconds else None, 3),
        "mask_ms_max": rounded(max(mask_seconds) * 1000 if mask_seconds else None, 3),
    }


def profile_project(bench: Workbench, article: str, max_new_tokens: int, top: int = 15) -> dict:
    """pyinstrument over one generation of the project: the functions with the most self time."""
    runs: list[dict] = []
    profile = profile_call(lambda: runs.append(run_project(bench, article, max_new_tokens)), top, text=True)
    if runs:
        profile |= {
            "prefill_seconds": round(runs[0]["prefill_seconds"], 3),
            "forward_passes": runs[0]["forward_passes"],
        }
    return profile


def profile_call(call: Callable[[], object], top: int = 15, text: bool = False) -> dict:
    """pyinstrument over ``call()``: the ``top`` functions by self time (and the whole tree as text)."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        return {"status": "skipped", "reason": f"pyinstrument is not installed ({INSTALL_HINT})"}
    profiler = Profiler(interval=0.001)
    profiler.start()
    call()
    profiler.stop()
    session = profiler.last_session
    root = session.root_frame() if session is not None else None
    self_times: dict[str, float] = {}
    stack = [root] if root is not None else []
    while stack:
        frame = stack.pop()
        stack.extend(frame.children)
        if frame.is_synthetic:
            continue
        key = f"{frame.function} ({frame.file_path_short}:{frame.line_no})"
        self_times[key] = self_times.get(key, 0.0) + frame.total_self_time
    total = root.time if root is not None else 0.0
    ranked = sorted(self_times.items(), key=lambda item: item[1], reverse=True)[:top]
    profile: dict = {
        "status": "ok",
        "total_seconds": round(total, 3),
        "top_self_time": [
            {"entry": key, "seconds": round(sec, 3), "share": round(sec / total, 4) if total else 0.0}
            for key, sec in ranked
        ],
    }
    if text:
        profile["text"] = profiler.output_text(unicode=False, color=False)
    return profile
