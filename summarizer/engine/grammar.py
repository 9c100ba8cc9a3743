"""llguidance grammars for a task's schema, grounded in one article or not.

Ungrounded, the grammar is the JSON schema itself. Grounded (the default), it is a
Lark grammar with the same structure, where every property the schema marks
``x-grounded`` (:mod:`summarizer.core.task`) is restricted: a ``span`` can only be a substring
of the article (claims: ``evidence``), a ``number`` only a number the number parser finds in
it (``count.value``/``count.upper``), and in free text (``numbers``: the claims ``summary``)
every number one of the article's (:mod:`summarizer.engine.summary_grammar`), so grounding holds by
construction. Everything else is embedded from the schema with ``%json`` so it stays exactly
as the schema says.

Output is compact (no whitespace between JSON tokens): weak models loop on flexible
whitespace, and a fixed layout lets the grammar force keys and punctuation, which
the decoder fast-forwards. Keys come in the schema's order.

llguidance is imported inside the functions (the CLI must start without it); building
a grammar only wraps text, compiling happens in :func:`check_grammar` or the matcher.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from summarizer.core.errors import GrammarError
from summarizer.core.task import GROUNDED, plain_schema

if TYPE_CHECKING:
    from llguidance import LLTokenizer
    from llguidance._lib import JsonCompileOptions  # declared in llguidance's stub only

# Compact JSON, no free whitespace: for the ungrounded schema and every %json leaf.
JSON_OPTIONS: JsonCompileOptions = {"whitespace_flexible": False, "item_separator": ",", "key_separator": ":"}

# Words, whitespace runs and single other characters: a span may start and end at any of
# these boundaries, so any run of whole words (with its punctuation) fits.
_CHUNK_RE = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)


def build_grammar(schema: dict[str, Any], article: str | None = None, *, grounded: bool = True) -> str:
    """An llguidance grammar (a string for ``LLMatcher``) for documents of ``schema``.

    ``grounded`` needs the ``article``: spans are restricted to its substrings and grounded
    numbers to the numbers it states (no numbers at all: an array of records holding a grounded
    number must be empty).
    """
    if not grounded:
        return _json_schema_grammar(schema)
    if article is None:
        raise GrammarError("a grounded grammar needs the article text")
    lark = grounded_lark(schema, article)
    from llguidance import LLMatcher  # only to wrap the Lark text; nothing is compiled here

    return LLMatcher.grammar_from_lark(lark)


def grounded_lark(schema: dict[str, Any], article: str) -> str:
    """The Lark text of the grounded grammar: what serving engines with llguidance take verbatim."""
    return _GroundedBuilder(schema, article).lark()


def _json_schema_grammar(schema: dict[str, Any]) -> str:
    from llguidance import LLMatcher

    try:
        return LLMatcher.grammar_from_json_schema(plain_schema(schema), defaults=JSON_OPTIONS)
    except ValueError as exc:
        raise GrammarError(f"the schema is not a JSON object: {exc}") from exc


def evidence_chunks(article: str) -> list[str]:
    """The article cut into JSON-escaped chunks; their contiguous runs are the allowed evidence."""
    return [json.dumps(chunk, ensure_ascii=False)[1:-1] for chunk in _CHUNK_RE.findall(article)]


def grounded_numbers(article: str, minimum: float | None = None) -> list[str]:
    """The article's numbers as JSON literals, deduplicated, in order of first mention."""
    from summarizer.core.numbers import find_numbers, format_number

    seen: dict[str, None] = {}
    for mention in find_numbers(article):
        if minimum is None or mention.value >= minimum:
            seen.setdefault(format_number(mention.value), None)
    return list(seen)


def _lark_string(text: str) -> str:
    """A Lark string literal matching ``text`` exactly."""
    return json.dumps(text, ensure_ascii=False)


def _json_leaf(subschema: dict[str, Any], schema: dict[str, Any] | None = None) -> str:
    """``%json`` of ``subschema``, its local ``$ref``s inlined from ``schema``: the leaf is compiled on
    its own, where ``#/$defs/...`` would point nowhere (recursive refs are refused when the task loads)."""
    if schema is not None:
        subschema = _inline_refs(subschema, schema)
    leaf = {k: v for k, v in plain_schema(subschema).items() if k not in ("description", "title", "$comment")}
    leaf["x-guidance"] = JSON_OPTIONS
    return "%json " + json.dumps(leaf, ensure_ascii=False)


def _inline_refs(node: Any, schema: dict[str, Any], depth: int = 0) -> Any:
    if depth > 64:
        raise GrammarError("the schema nests $ref too deeply to inline")
    if isinstance(node, list):
        return [_inline_refs(item, schema, depth + 1) for item in node]
    if not isinstance(node, dict):
        return node
    if isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
        target: Any = schema
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return _inline_refs(node, schema, depth + 1)
    return {k: v if k in ("enum", "const") else _inline_refs(v, schema, depth + 1) for k, v in node.items()}


def _types(node: dict[str, Any]) -> set[str]:
    declared = node.get("type")
    return set(declared) if isinstance(declared, list) else {declared} if isinstance(declared, str) else set()


class _GroundedBuilder:
    """Writes the Lark grammar, one rule per schema node, resolving local ``$ref``s."""

    def __init__(self, schema: dict[str, Any], article: str):
        self.schema = schema
        self.chunks = evidence_chunks(article)
        self.article = article
        self.rules: list[str] = []
        self._counter = 0
        self._named: dict[str, str] = {}  # rule body -> name, so identical leaves share a rule
        self._free_text = False  # the free-text rules are added once, whatever number of properties use them

    def lark(self) -> str:
        try:
            start = self._object(self.schema)
        except _NoGroundedNumber:
            raise GrammarError("the article states no number, but the schema requires one") from None
        return "\n".join(["%llguidance {}", f"start: {start}", *self.rules]) + "\n"

    # --- schema plumbing -------------------------------------------------------
    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            ref = node["$ref"]
            if not ref.startswith("#/"):
                raise GrammarError(f"only local $ref is supported, got {ref!r}")
            target = self.schema
            for part in ref[2:].split("/"):
                target = target[part]
            node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return node

    def rule(self, prefix: str, body: str) -> str:
        if body in self._named:
            return self._named[body]
        self._counter += 1
        if not prefix.isupper():  # a rule (lowercase) named after its property: "claims_3", "count_7"
            prefix = "r_" + (re.sub(r"[^a-z0-9_]+", "_", prefix.lower()).strip("_") or "value")
            prefix = prefix[2:] if prefix[2].isalpha() else prefix
        name = f"{prefix}_{self._counter}"
        self.rules.append(f"{name}: {body}")
        self._named[body] = name
        return name

    def grounded_inside(self, node: object, depth: int = 0) -> bool:
        """Whether any property under ``node`` is x-grounded (else it is one %json leaf)."""
        if not isinstance(node, dict) or depth > 32:
            return False
        node = self.resolve(node)
        children = [*(node.get("properties") or {}).values(), *node.get("anyOf", []), *node.get("oneOf", [])]
        if isinstance(node.get("items"), dict):
            children.append(node["items"])
        return GROUNDED in node or any(self.grounded_inside(child, depth + 1) for child in children)

    def _object(self, node: dict[str, Any]) -> str:
        """``{"k1":v1,"k2":v2}`` with keys in schema order; all must be required."""
        node = self.resolve(node)
        props = node.get("properties", {})
        missing = set(props) - set(node.get("required", []))
        if missing:
            raise GrammarError(f"grounded grammar needs every property required; optional: {sorted(missing)}")
        parts = []
        for i, (key, sub) in enumerate(props.items()):
            opener = ("{" if i == 0 else ",") + json.dumps(key, ensure_ascii=False) + ":"
            parts.append(_lark_string(opener))
            parts.append(self._value(key, self.resolve(sub)))
        parts.append(_lark_string("}" if props else "{}"))
        return " ".join(parts)

    # --- values ----------------------------------------------------------------
    def _value(self, key: str, sub: dict[str, Any]) -> str:
        kind = sub.get(GROUNDED)
        if kind is not None:
            body = {"span": self._span, "number": self._number, "numbers": self._numbers_text, "side": self._side}[
                kind
            ](sub)
            return self.rule("nullable", f"{body} | {_lark_string('null')}") if "null" in _types(sub) else body
        if not self.grounded_inside(sub):
            return self.rule("leaf", _json_leaf(sub, self.schema))
        if "anyOf" in sub or "oneOf" in sub:
            return self._alternatives(key, sub)
        if "array" in _types(sub):
            return self._array(key, sub)
        return self.rule(key, self._object(sub))

    def _array(self, key: str, node: dict[str, Any]) -> str:
        lo, hi = node.get("minItems", 0), node.get("maxItems")
        kept, named = len(self.rules), dict(self._named)
        try:
            item = self._value(key.rstrip("s") or "item", self.resolve(node["items"]))
        except _NoGroundedNumber:
            self.rules[kept:], self._named = [], named  # drop the half-built item rules
            item = None
        if item is None or hi == 0:
            if lo > 0:
                raise GrammarError(f"the article states no number, but the schema requires {key}")
            # No number to ground an item's number in: the only grounded list is the empty one.
            return self.rule(key, _lark_string("[]"))
        repeat = f"{{{max(lo - 1, 0)},{'' if hi is None else hi - 1}}}"
        items = f"{_lark_string('[')} {item} ({_lark_string(',')} {item}){repeat} {_lark_string(']')}"
        return self.rule(key, items if lo > 0 else f"{_lark_string('[]')} | {items}")

    def _alternatives(self, key: str, node: dict[str, Any]) -> str:
        """anyOf/oneOf branches (claims: the count's plain and range forms); a branch no grounded
        number fits is left out, and with none left the value cannot be grounded."""
        bodies = []
        for branch in node.get("anyOf") or node.get("oneOf") or []:
            try:
                bodies.append(self._object(branch))
            except _NoGroundedNumber:
                continue
        if not bodies:
            raise _NoGroundedNumber()
        return self.rule(key, " | ".join(f"({b})" for b in bodies))

    def _span(self, sub: dict[str, Any], excluded: Sequence[str] = ()) -> str:
        """A span of the article within the schema's length bounds; none of ``excluded`` (spans an
        item already holds, where a task forbids repeating one)."""
        lo, hi = max(1, sub.get("minLength", 1)), sub.get("maxLength")
        # Escaped length >= decoded length, so bounding the escaped text keeps maxLength.
        bound = f"/.{{{lo},{hi}}}/" if hi is not None else f"/.{{{lo},}}/"
        substring = "%regex " + json.dumps({"substring_chunks": self.chunks}, ensure_ascii=False)
        lexeme = f"{substring} & {bound}"
        if excluded:  # each as the lexeme writes it: JSON-escaped, between the quotes
            others = " | ".join(_lark_string(json.dumps(text, ensure_ascii=False)[1:-1]) for text in excluded)
            lexeme = f"({lexeme}) & ~({others})"
        terminal = self.rule("EVIDENCE", lexeme)
        return self.rule("evidence", f'"\\"" {terminal} "\\""')

    def _side(self, sub: dict[str, Any]) -> str:
        """A party's short name: one of the sides the article gives reason for
        (:func:`summarizer.engine.sides.sides_in`: "Ukraine" for "Ukrainian"), or a short span of it,
        within the schema's length bounds."""
        from summarizer.engine.sides import sides_in

        lo, hi = max(1, sub.get("minLength", 1)), min(40, sub.get("maxLength", 40))
        substring = "%regex " + json.dumps({"substring_chunks": self.chunks}, ensure_ascii=False)
        span = self.rule("SIDE_SPAN", f"{substring} & /[^ ](.{{{max(lo - 2, 0)},{max(hi - 2, 0)}}}[^ ])?/")
        fits = [name for name in sides_in(self.article) if lo <= len(name) <= sub.get("maxLength", len(name))]
        names = [_lark_string(json.dumps(name, ensure_ascii=False)) for name in fits]
        return self.rule("side", " | ".join([f'"\\"" {span} "\\""', *names]))

    def _numbers_text(self, sub: dict[str, Any]) -> str:
        """Free text, but every number in it one of the article's (summary_grammar); its
        maxLength is kept by cutting after generation (the grammar cannot count characters)."""
        from summarizer.engine.summary_grammar import summary_rules

        if not self._free_text:
            self.rules.extend(summary_rules(self.article))
            self._free_text = True
        return "summary"

    def _number(self, sub: dict[str, Any]) -> str:
        values = self.number_literals(sub)
        if not values:
            if "null" in _types(sub):
                return _lark_string("null")
            raise _NoGroundedNumber()
        # A terminal (uppercase name): one lexeme for all the article's numbers.
        return self.rule("NUMBER", " | ".join(_lark_string(v) for v in values))

    def number_literals(self, sub: dict[str, Any]) -> list[str]:
        """The article's numbers a grounded number of ``sub`` may be, as JSON literals."""
        values = grounded_numbers(self.article, sub.get("minimum"))
        if "integer" in _types(sub) and "number" not in _types(sub):
            values = [v for v in values if re.fullmatch(r"-?\d+", v)]
        if "maximum" in sub:
            values = [v for v in values if float(v) <= sub["maximum"]]
        return values


class _NoGroundedNumber(Exception):
    """The article has no number a count could take: no claim can be grounded."""


def check_grammar(grammar: str, ll_tokenizer: LLTokenizer) -> None:
    """Raise :class:`GrammarError` (one line) if llguidance cannot compile ``grammar``."""
    from llguidance import LLMatcher

    is_error, messages = LLMatcher.validate_grammar_with_warnings(grammar, ll_tokenizer)
    if is_error:
        first = (messages[0] if messages else "unknown error").strip().splitlines()
        raise GrammarError(f"the grammar engine cannot compile the grammar: {first[0] if first else 'unknown error'}")
