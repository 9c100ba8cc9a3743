"""Hypothesis strategies for hostile input: arbitrary JSON, claims documents with any value in
any field, and JSON text with literals Python's ``json`` module reads in surprising ways.

Used by the property tests of ``validate`` and ``score`` (the library and the CLI): whatever
these produce must give a clean result or a one-line error, never a traceback.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

# Odd Unicode: right-to-left override, zero-width joiner, NUL, a lone surrogate, an emoji,
# combining marks, the byte-order mark, a line separator.
ODD_TEXT = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["\u202e", "\u200d", "\x00", "\ud800", "\U0001f4a5", "e\u0301\u0301", "\ufeff", "\u2028", ""]),
)
NUMBERS = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**450), max_value=10**450),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -0.0, 2**53, 2**53 + 1, 1e308, 5e-324]),
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, ODD_TEXT)
JSON_VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ODD_TEXT, inner, max_size=4), max_leaves=20
)

ARTICLE = "Officials said 12 civilians were killed in the strike on Monday."
_CLAIM: dict[str, Any] = {
    "claimant": "Officials",
    "claimant_type": "state",
    "claimant_side": None,
    "outcome": "killed",
    "victim_side": None,
    "victim_group": "civilians",
    "equipment": None,
    "count": {"value": 12, "qualifier": "exact", "upper": None},
    "period": None,
    "location": None,
    "perpetrator_side": None,
    "verification": "not_stated",
    "evidence": "12 civilians were killed",
}
VALID_DOCUMENT = {"summary": "Officials say 12 civilians were killed.", "claims": [_CLAIM]}  # of ARTICLE


@st.composite
def claims_documents(draw) -> object:
    """A valid document with any of its values (top level, claim fields, count fields) replaced by
    arbitrary JSON, fields dropped or added, or, now and then, arbitrary JSON altogether."""
    if draw(st.integers(0, 9)) == 0:
        return draw(JSON_VALUES)
    count = {k: draw(st.one_of(st.just(v), JSON_VALUES)) for k, v in _CLAIM["count"].items()}
    claim = {k: draw(st.one_of(st.just(v), JSON_VALUES)) for k, v in _CLAIM.items() if k != "count"}
    claim["count"] = draw(st.one_of(st.just(count), JSON_VALUES))
    claim = _edit_keys(draw, claim)
    doc = {
        "summary": draw(st.one_of(st.just(VALID_DOCUMENT["summary"]), JSON_VALUES)),
        "claims": draw(st.one_of(st.lists(st.just(claim), max_size=3), JSON_VALUES)),
    }
    return _edit_keys(draw, doc)


def _edit_keys(draw, obj: dict) -> dict:
    dropped = draw(st.sets(st.sampled_from(sorted(obj)), max_size=1))
    extra = draw(st.dictionaries(ODD_TEXT, JSON_VALUES, max_size=1))
    return {**{k: v for k, v in obj.items() if k not in dropped}, **extra}


def deeply_nested(depth: int, kind: str) -> str:
    """JSON text of a claims document whose claims hold ``depth`` nested arrays or objects."""
    inner = "[" * depth + "]" * depth if kind == "array" else '{"a":' * depth + "1" + "}" * depth
    return '{"summary": "x", "claims": [' + inner + "]}"


# Literals json.loads accepts that break naive code: 1e400 reads as infinity, a 401-digit
# integer overflows float(), -0 and escapes of half a surrogate pair.
_LITERALS = ["1e400", "-1e400", "1" + "0" * 400, "-0", "1E+308", "0.0000001", '"\\ud800"', '"\\u0000"', "1e-400"]


@st.composite
def json_texts(draw) -> str:
    """The text of a JSON file: a claims document, possibly with one count value written as a
    hostile literal, possibly cut short or deeply nested."""
    shape = draw(st.sampled_from(["document", "literal", "truncated", "nested"]))
    if shape == "nested":
        return deeply_nested(draw(st.integers(1, 3000)), draw(st.sampled_from(["array", "object"])))
    doc = json.dumps(VALID_DOCUMENT, ensure_ascii=False)
    if shape == "literal":
        return doc.replace('"value": 12', f'"value": {draw(st.sampled_from(_LITERALS))}')
    text = json.dumps(draw(claims_documents()), ensure_ascii=draw(st.booleans()))  # Infinity/NaN when drawn
    return text[: draw(st.integers(0, len(text)))] if shape == "truncated" else text
