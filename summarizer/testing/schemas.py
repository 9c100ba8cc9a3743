"""Schemas for tests that decode many documents with a random model."""

from __future__ import annotations


def short_strings_schema(max_claims: int = 4) -> dict:
    """The claims schema with short strings and few claims: a subset of what it allows.

    Decoding under it keeps random-model documents to a few hundred tokens, so a test can
    afford many of them; every document is still checked against the real schema.
    """
    from summarizer.core.resources import load_schema

    schema = load_schema()
    schema["properties"]["summary"]["maxLength"] = 12
    schema["$defs"]["name"]["maxLength"] = 6
    schema["$defs"]["claim"]["properties"]["evidence"]["maxLength"] = 30
    schema["properties"]["claims"]["maxItems"] = max_claims
    return schema
