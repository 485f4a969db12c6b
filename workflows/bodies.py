"""Every JSON request body bounded before the application parses it.

Python's `json` recurses once per nesting level (a body 100,000 levels deep
raises `RecursionError`), turns an integer literal longer than 4,300 digits
into a `ValueError`, accepts `NaN`/`Infinity`, keeps the last of two equal
keys silently, and yields strings with lone surrogates (`"\\ud800"`, which
PostgreSQL cannot store) or NUL (which PostgreSQL refuses and SQLite keeps).
None of that reaches a view: `guard_request` runs before every view and refuses
such a body as problem+json naming the field path (`data.a.b`), so the
caller gets the same answer on both databases and nothing is written.

Why a `before_request` hook and not a JSON provider: flask-smorest reads
bodies through webargs, which calls `json.loads` on `request.get_data()` itself
and never `request.get_json()` (tests/workflows/test_hostile_bodies.py shows
it), so a provider would miss every endpoint. The hook sees the raw bytes of
any JSON request whoever reads them afterwards; webargs then parses a body
known to be bounded. A consequence: a hostile body is answered 400 even
before the token is checked.

Why no library: the checks are a non-recursive depth check (regular
expressions and a running sum of the brackets, in C; a Python scan only to
name the path of a refused body) and the standard parser with hooks for
numbers and pairs; a maintained parser with these bounds (orjson limits depth
to 1,024 but keeps duplicate keys and cannot bound integers) would add a
binary dependency for half of it. Cost, measured: 15 µs for a typical body;
for 10 MB bodies 1–3.5 times what `json.loads` alone takes (a 10 MB body of
small objects: 1.4 s against 0.4 s, the pairs hook being a Python call).

Media type: an operation that takes a JSON body answers 415 to a request
that is not `application/json` (or `application/*+json`), with or without a
body, naming `Content-Type`; operations without a body ignore the header.

Status: 400 when the body is not JSON within the limits (too deep, a duplicate
key, a number too long or not finite, not UTF-8), 422 when it is JSON but a
string holds a character no database stores (NUL, a lone surrogate), as a
value the database refuses was answered before.
"""

from __future__ import annotations

import json
import os
import re
from array import array
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from flask import Flask, current_app, request

from .problems import ApiProblem

DEFAULT_MAX_DEPTH = 64
DEFAULT_MAX_NUMBER_LENGTH = 100
MAX_ERRORS = 20
PATH_SEGMENTS = 8
SCAN_BUDGET = 200_000
FIRST_SCAN = 2_000
EXTENSION = "ciiflow.json_limits"
JSON_OPERATIONS = "ciiflow.json_operations"

_NEXT = re.compile(r'["\[\]{}]')
# a whole body as strings and runs of other characters, possessive: linear, and
# it fails (once) on an unterminated string instead of retrying at every quote
_TOKENS = re.compile(r'(?:"[^"\\]*+(?:\\.[^"\\]*+)*+"|[^"]++)*+', re.DOTALL)
_STRING = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")
_STRING_REST = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
# an escape that may decode to NUL or a surrogate; raw ones cannot reach a string
# (a raw NUL is a refused control character, a raw surrogate is refused UTF-8)
_SUSPECT_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")
_FORBIDDEN_CHAR = re.compile("[\x00\ud800-\udfff]")


@dataclass(frozen=True)
class Limits:
    """How deep a body may nest and how long a number literal may be."""

    max_depth: int = DEFAULT_MAX_DEPTH
    max_number_length: int = DEFAULT_MAX_NUMBER_LENGTH

    @classmethod
    def from_env(cls) -> Limits:
        return cls(int(os.environ.get("CIIFLOW_MAX_JSON_DEPTH", DEFAULT_MAX_DEPTH)),
                   int(os.environ.get("CIIFLOW_MAX_JSON_NUMBER_LENGTH",
                                      DEFAULT_MAX_NUMBER_LENGTH)))


class BodyRefused(ApiProblem):
    """A JSON body outside the limits; `errors` names each field path at fault."""


class _Duplicated(dict):
    """An object that had `key` twice (the parser's pairs hook marks it for the walk)."""

    def __init__(self, pairs: list[tuple[str, Any]], key: str) -> None:
        super().__init__(pairs)
        self.key = key


@dataclass(frozen=True)
class _BadNumber:
    reason: str


def _segment(key: str) -> str:
    shown = _FORBIDDEN_CHAR.sub("\ufffd", key)
    return shown if len(shown) <= 64 else shown[:63] + "…"


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{_segment(key)}" if path else _segment(key)


def _refuse(status: int, detail: str, errors: dict[str, list[str]]) -> BodyRefused:
    return BodyRefused(status, detail, errors=errors)


def _depth_path(text: str, stack: list[list[Any]]) -> str:
    """The path of the container that crossed the limit, from the scanner's stack
    (its first `PATH_SEGMENTS` segments: enough to name the field sent)."""
    path = ""
    for kind, key in stack[:PATH_SEGMENTS]:
        if kind == "{" and key is not None:
            start, end = key
            path = _join(path, json.loads(text[start:end]))
        elif kind == "[":
            path = _join(path, key)
    if len(stack) > PATH_SEGMENTS:
        path += "…"
    return path or "_body"


def check_depth(text: str, max_depth: int) -> None:
    """Refuse `text` when it nests deeper than `max_depth`, without recursing.

    Fast path, all in C: a body with no more brackets than `max_depth` cannot
    be too deep; otherwise one linear regular expression checks that every
    string is closed, strings are cut out, and the running sum of the brackets
    left (+1 opening, -1 closing) must stay within the limit. Only a refused
    body is scanned again in Python (`_name_depth`) to name the path.
    """
    if text.count("[") + text.count("{") <= max_depth:
        return
    if _name_depth(text, max_depth, FIRST_SCAN):  # a small body: scanned whole, or refused
        return
    if _TOKENS.fullmatch(text) is not None:
        brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
        steps = array("b", brackets.encode("ascii").translate(_STEP))
        if max(accumulate(steps), default=0) <= max_depth:
            return
    _name_depth(text, max_depth, SCAN_BUDGET)
    raise _refuse(400, f"the body nests deeper than {max_depth} levels",
                  {"_body": [f"nested deeper than {max_depth} levels"]})


def _name_depth(text: str, max_depth: int, budget: int) -> bool:
    """Scan in Python, raising a refusal with its path (or an unterminated string);
    True when the whole text was scanned, False when `budget` tokens ran out.

    Strings are skipped whole (a bracket inside one does not count); the gaps
    between tokens are counted with `str.count`, so arrays of numbers cost
    nothing per element. The stack keeps, per open container, the span of the
    current key or the current index.
    """
    stack: list[list[Any]] = []
    last_string: tuple[int, int] | None = None
    pos = 0
    for _ in range(budget):
        match = _NEXT.search(text, pos)
        if match is None:
            return True
        start = match.start()
        if stack:
            top = stack[-1]
            if top[0] == "[":
                top[1] += text.count(",", pos, start)
            elif last_string is not None and ":" in text[pos:start]:
                top[1] = last_string
        last_string = None
        char = text[start]
        if char == '"':
            end = _STRING_REST.match(text, start + 1)
            if end is None:
                raise _refuse(400, "the body is not valid JSON (an unterminated string)",
                              {"_body": ["unterminated string"]})
            last_string = (start, end.end())
            pos = end.end()
            continue
        if char in "[{":
            if len(stack) >= max_depth:
                raise _refuse(400, f"the body nests deeper than {max_depth} levels",
                              {_depth_path(text, stack):
                                   [f"nested deeper than {max_depth} levels"]})
            stack.append([char, 0 if char == "[" else None])
        elif stack:
            stack.pop()
        pos = start + 1
    return False


class _Parser:
    """The standard parser with hooks that leave markers instead of raising (a hook
    does not know its path); `marked` tells whether a walk must find them."""

    def __init__(self, limits: Limits, text: str) -> None:
        self.longest = limits.max_number_length
        self.marked = False
        self.text = text

    def pairs(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        value = dict(pairs)
        if len(value) == len(pairs):
            return value
        self.marked = True
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                return _Duplicated(pairs, key)
            seen.add(key)
        return value  # pragma: no cover - a shorter dict has a repeated key

    def bad(self, reason: str) -> _BadNumber:
        self.marked = True
        return _BadNumber(reason)

    def number(self, literal: str) -> Any:
        if len(literal) > self.longest:
            return self.bad(f"a number longer than {self.longest} characters")
        if any(c in literal for c in ".eE"):
            parsed = float(literal)
            return parsed if abs(parsed) != float("inf") else self.bad("a number out of range")
        return int(literal)

    def constant(self, name: str) -> Any:
        return self.bad(f"{name} is not a JSON number")

    def parse(self) -> Any:
        # the integer hook costs a Python call per integer: only when a digit run is long
        digits = re.compile(rf"\d{{{self.longest + 1}}}")
        long_digits = digits.search(self.text) is not None
        if long_digits and _TOKENS.fullmatch(self.text) is not None:
            long_digits = digits.search(_STRING.sub("", self.text)) is not None  # not in strings
        return json.loads(self.text, object_pairs_hook=self.pairs,
                          parse_int=self.number if long_digits else None,
                          parse_float=self.number, parse_constant=self.constant)


def _path(node: tuple[Any, ...] | None) -> str:
    keys: list[str | int] = []
    while node is not None:
        node, key = node
        keys.append(key)
    path = ""
    for key in reversed(keys):
        path = _join(path, key)
    return path or "_body"


def _walk(value: Any, check_strings: bool) -> tuple[int, dict[str, list[str]]]:
    """Find the markers the hooks left and, when asked, NUL and lone surrogates.

    A path is a chain of (parent, key) built only for what is reported."""
    errors: dict[str, list[str]] = {}
    status = 422
    stack: list[tuple[Any, Any]] = [(None, value)]
    while stack and len(errors) < MAX_ERRORS:
        where, item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item, _Duplicated):
                errors[_path((where, item.key))] = ["duplicate key"]
                status = 400
            for key, child in item.items():
                if check_strings and _FORBIDDEN_CHAR.search(key):
                    errors[_path((where, key))] = ["a key holds NUL or a lone surrogate"]
                if isinstance(child, (dict, list, str, _BadNumber)):
                    stack.append(((where, key), child))
        elif isinstance(item, list):
            stack.extend(((where, i), child) for i, child in enumerate(item)
                         if isinstance(child, (dict, list, str, _BadNumber)))
        elif isinstance(item, _BadNumber):
            errors[_path(where)] = [item.reason]
            status = 400
        elif check_strings and isinstance(item, str) and _FORBIDDEN_CHAR.search(item):
            errors[_path(where)] = ["holds NUL or a lone surrogate"]
    return status, errors


def loads(data: bytes | str, limits: Limits | None = None) -> Any:
    """Parse one JSON document within `limits`, or raise `BodyRefused`."""
    limits = limits or Limits()
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise _refuse(400, "the body is not UTF-8", {"_body": ["not UTF-8"]}) from None
    check_depth(text, limits.max_depth)
    parser = _Parser(limits, text)
    try:
        value = parser.parse()
    except json.JSONDecodeError as error:
        raise _refuse(400, f"the body is not valid JSON: {error.msg} at offset {error.pos}",
                      {"_body": ["not valid JSON"]}) from None
    suspect = _SUSPECT_ESCAPE.search(text) is not None
    if not (parser.marked or suspect):
        return value
    status, errors = _walk(value, suspect)
    if errors:
        detail = ("the body is not JSON within the limits: " if status == 400 else
                  "a string holds NUL or a lone surrogate: ") + ", ".join(sorted(errors))
        raise _refuse(status, detail, errors)
    return value


def takes_json(app: Flask, endpoint: str | None, method: str) -> bool:
    """Whether the view of `endpoint` reads a JSON body for `method` (a `json` argument
    of flask-smorest, as its OpenAPI document says), remembered per endpoint and method."""
    known: dict[tuple[str | None, str], bool] = app.extensions[JSON_OPERATIONS]
    found = known.get((endpoint, method))
    if found is None:
        view = app.view_functions.get(endpoint) if endpoint else None
        handler = getattr(getattr(view, "view_class", None), method.lower(), None) or view
        arguments = getattr(handler, "_apidoc", {}).get("arguments", {})
        found = any(p.get("in") == "json" for p in arguments.get("parameters", []))
        known[(endpoint, method)] = found
    return found


def _unsupported(media_type: str | None) -> BodyRefused:
    sent = f"Content-Type {media_type}" if media_type else "no Content-Type"
    accept = "Accept-Patch" if request.method == "PATCH" else "Accept-Post"
    return BodyRefused(415, f"this operation takes a JSON body, sent with "
                            f"Content-Type: application/json ({sent} was given)",
                       errors={"Content-Type": ["must be application/json"]},
                       headers={accept: "application/json"})


def guard_request() -> None:
    """`before_request`: refuse a JSON body outside the limits before any view reads it,
    and any other body (or none) where the operation takes JSON.

    webargs reads a body only when it is declared JSON: `{not json` sent without
    `Content-Type` reached the view as no body at all (an announcement with empty
    data started a case). An operation that takes JSON therefore answers 415 to
    any other media type, whatever the body; one without a body is not concerned.
    """
    if not request.is_json:
        if takes_json(current_app, request.endpoint, request.method):
            raise _unsupported(request.mimetype)
        return
    data = request.get_data(cache=True)
    if data.strip():
        loads(data, current_app.extensions.get(EXTENSION))


def install(app: Flask) -> None:
    """Bound every JSON body the app accepts (limits from the environment)."""
    app.extensions[EXTENSION] = Limits.from_env()
    app.extensions[JSON_OPERATIONS] = {}
    app.before_request(guard_request)
