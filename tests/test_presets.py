"""Presets: each names a hub model and its licence; the default is one of them."""

from __future__ import annotations

import re

from summarizer.engine.presets import DEFAULT_MODEL, PRESETS, resolve_model


def test_every_preset_is_an_org_name_hub_id_with_a_licence():
    for alias, preset in PRESETS.items():
        assert alias == alias.lower() and re.fullmatch(r"[\w.-]+/[\w.-]+", preset.hub_id), alias
        assert preset.license.strip(), alias


def test_the_default_is_a_preset_and_aliases_resolve_case_insensitively():
    assert DEFAULT_MODEL in {preset.hub_id for preset in PRESETS.values()}
    assert resolve_model("SmolLM2-135M") == "HuggingFaceTB/SmolLM2-135M-Instruct"
    assert resolve_model("/models/local") == "/models/local"
