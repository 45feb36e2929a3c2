"""Checks on a query's text before any SPARQL parser sees it: federated queries, and shapes that crash the parser.

pyoxigraph's parser and planner recurse over the query's syntax tree, and overflow the stack (a segfault that
kills the process parsing it) long before any time limit applies. Measured in a subprocess on pyoxigraph 0.5.13
(8 MB stack, `tests/test_endpoint_hardening.py` keeps the measurement honest), a query crashes at about:

  nesting: 2,160 braces, 4,640 parentheses          operators: 6,720 `+`, 9,280 `!`, `||` or `&&`, 10,880 `|`
  graph patterns: 2,560 BIND or MINUS, 6,240 UNION  triple patterns: 7,940 (joined by `.`, `;` or `,`)

while flat lists (VALUES, IN, CONCAT arguments) parse at 200,000 terms. The limits below sit 6-17x under those
thresholds (2x for flat lists) and far above real queries (in the catalogue's: at most 5 levels, 7 operators,
18 graph patterns, 23 triple-pattern joins, 230 tokens).

A query's text is read once, left to right, by a tokenizer that knows SPARQL's lexical rules (IRIs, the four
kinds of strings, comments, prefixed names with their escapes, variables, numbers); no token is read again from
a later start, so a check costs time linear in the text, and it stops at the first limit passed. `<` is read as
an IRI or as the less-than operator by the context, as the grammar does: an operator only after an operand inside
an expression (and an IRI's characters that would be operators or brackets if read as code are bounded too).

SERVICE makes the engine send HTTP requests to any address the query names. It is recognised however it is
written: in any case, glued to what follows (the parser reads ``SERVICESILENT<…>`` and ``services:x``, with a
prefix ``s:``, as SERVICE), with comments between, inside sub-queries and FILTER EXISTS; an endpoint named by an
IRI (escapes resolved) or a prefixed name can be allowed by the operator, anything else is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

MAX_NESTING = 128  # braces, parentheses and brackets open at once
MAX_OPERATORS = 1_000  # expression and property-path operators in the whole query
MAX_PATTERNS = 256  # UNION OPTIONAL MINUS BIND FILTER GRAPH VALUES SERVICE EXISTS sub-SELECT
MAX_TRIPLES = 1_000  # `.` and `;` anywhere, `,` outside parentheses: triple patterns joined
MAX_TOKENS = 100_000  # everything else (flat lists) up to this many tokens
MAX_IRI_OPERATORS = 256  # characters of one IRI that would be operators if the parser read it as code

_PATTERN_WORDS = frozenset({"UNION", "OPTIONAL", "MINUS", "BIND", "FILTER", "GRAPH", "VALUES", "SERVICE", "EXISTS",
                            "SELECT", "LATERAL"})
_UPDATE_WORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"})
_OPERATORS = frozenset({"||", "&&", "!=", "<=", ">=", "=", "<", ">", "!", "+", "-", "*", "/", "|", "^"})
_IRI_CODE = re.compile(r"[!*+\-/=&]")  # what inside an IRI would be an operator if read as code
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

# SPARQL's lexical rules (SPARQL 1.1 Query, section 19.8), a little wider where that cannot hide code: an escape
# in a string or a local name may be any character; an unterminated short string runs to the end of its line (the
# parser stops there anyway). Long strings come before short ones, as in the grammar.
_NAME_CHAR = r"[\w\-\u00B7\u0300-\u036F\u203F\u2040]"
_LOCAL_CHAR = r"(?:[\w\-\u00B7\u0300-\u036F\u203F\u2040:]++|%[0-9A-Fa-f]{2}|\\[^\s])"
_TOKEN = re.compile(rf"""
  (?:[ \t\r\n]+|\#[^\r\n]*)*   # whitespace and comments, skipped
  (?:(?P<var>[?$]{_NAME_CHAR}*)
  | (?P<number>\d+\.\d*[eE][+-]?\d+|\.?\d+[eE][+-]?\d+|\d*\.\d+|\d+)
  | (?P<punct>[.;,])
  | (?P<open>[{{(\[])
  | (?P<close>[}})\]])
  | (?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]++|\\u[0-9A-Fa-f]{{4}}|\\U[0-9A-Fa-f]{{8}})*+>)
  | (?P<op>\|\||&&|!=|<=|>=|\^\^|[=<>!+\-*/|^])
  | (?P<string>'\'\'(?:(?:'|'')?(?:[^'\\]|\\[\s\S]))*+'\'\'
             | \"\"\"(?:(?:"|"")?(?:[^"\\]|\\[\s\S]))*+\"\"\"
             | '(?:[^'\\\r\n]++|\\[^\r\n])*+'? | "(?:[^"\\\r\n]++|\\[^\r\n])*+"?)
  | (?P<bnode>_:{_NAME_CHAR}*(?:\.+{_NAME_CHAR}+)*)
  | (?P<pname>(?:[^\W\d_]{_NAME_CHAR}*(?:\.+{_NAME_CHAR}+)*)?:(?:{_LOCAL_CHAR}+(?:\.+{_LOCAL_CHAR}+)*)?)
  | (?P<word>[^\W\d]\w*)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<other>.))?
""", re.VERBOSE | re.DOTALL)
_LESS_THAN = re.compile(r"<=?")
# what may precede `<` for it to be the less-than operator (inside an expression)
_OPERAND_END = frozenset({"var", "string", "number", "iri", "pname", "close"})


class Refusal(ValueError):
    """A query refused before it is parsed; the message (one line) says why."""


class Token(NamedTuple):
    kind: str  # a group name of _TOKEN, or "iri"
    text: str
    start: int
    frame: str  # what the innermost open bracket holds: "top" (none open), "group", "values", "expr" or "list"


def tokens(text: str) -> Iterator[Token]:
    """The query's tokens, whitespace and comments left out, each character read once (linear in the text)."""
    frames: list[str] = []  # what each open bracket holds
    frame = "top"
    prev: Token | None = None
    before: Token | None = None  # the token before prev
    values_next = False  # VALUES seen: its data block is the next brace
    select_clause = False  # SELECT seen and its WHERE brace not yet: parentheses hold expressions
    match, pos, n = _TOKEN.match, 0, len(text)
    while pos < n:
        m = match(text, pos)
        kind = m.lastgroup if m else None
        if kind is None:  # only whitespace and comments were left
            return
        start, pos = m.start(kind), m.end()
        if kind == "iri" and _is_operator(frame, prev):  # `?a<?b`: less-than, and what follows is code
            kind, pos = "op", _LESS_THAN.match(text, start).end()  # type: ignore[union-attr]
        token = Token(kind, text[start:pos], start, frame)
        if kind == "open":
            frame = _frame(token.text, frame, prev, before, values_next, select_clause)
            frames.append(frame)
            if token.text == "{":
                values_next = select_clause = False
        elif kind == "close":
            if frames:
                frames.pop()
            frame = frames[-1] if frames else "top"
        elif kind == "word":
            word = token.text.upper()
            values_next = values_next or word == "VALUES"
            select_clause = select_clause or word == "SELECT"
        yield token
        before, prev = prev, token


def _is_operator(frame: str, prev: Token | None) -> bool:
    """Whether a `<` here is less-than: only after an operand inside an expression (anywhere else, an IRI)."""
    if frame != "expr" or prev is None:
        return False
    return prev.kind in _OPERAND_END or (prev.kind == "word" and prev.text.lower() in ("true", "false"))


def _frame(bracket: str, top: str, prev: Token | None, before: Token | None, values_next: bool,
           select_clause: bool) -> str:
    """What a bracket opened here holds, by what encloses it and what precedes it."""
    if bracket == "{":
        return "values" if values_next else "group"
    if bracket == "[" or top in ("values", "list"):
        return "list"  # a blank node's properties, a VALUES row, a collection inside a collection
    word = prev.text.upper() if prev is not None and prev.kind == "word" else None
    if word == "VALUES":
        return "list"  # VALUES (?a ?b)
    if top in ("expr", "top") or select_clause or (word is not None and word != "A"):
        return "expr"  # SELECT (… AS ?x), GROUP BY (…), FILTER(…), BIND(…), STR(…), IN (…)
    if prev is not None and prev.kind in ("iri", "pname") and before is not None and before.kind == "word" \
            and before.text.upper() == "FILTER":
        return "expr"  # FILTER ex:f(…)
    return "list"  # a collection, a property path's group, ()


@dataclass
class _Counts:
    depth: int = 0
    hidden: int = 0  # brackets opened inside IRIs (code, were the parser to read them so) and never closed
    operators: int = 0
    patterns: int = 0
    triples: int = 0


_PLAIN = frozenset({"var", "number", "string", "bnode", "lang", "other"})  # kinds that count only as tokens


def check(text: str, allowed_services: frozenset[str] = frozenset()) -> None:
    """Raise :class:`Refusal` if the query uses SERVICE (other than to an allowed endpoint) or passes a limit."""
    c = _Counts()
    prefixes: dict[str, str] = {}
    service: list[Token] = []  # SERVICE and what follows it, until its endpoint
    last: tuple[Token | None, Token | None] = (None, None)  # the two tokens before, for PREFIX declarations
    for i, t in enumerate(tokens(text)):
        if i == MAX_TOKENS:
            raise Refusal(f"the query has more than {MAX_TOKENS:,} terms and operators")
        if service:
            service.append(t)
            if t.kind != "word" or t.text.upper() != "SILENT":
                _service(service, prefixes, allowed_services)
                service = []
        if t.kind not in _PLAIN:
            if t.kind in ("word", "pname") and _is_service(t.text):
                if t.text.upper() != "SERVICE" or not allowed_services:
                    raise Refusal(_service_refusal(allowed_services))
                service = [t]
            _count(c, t)
            if t.kind == "iri" and last[1] is not None and last[1].kind == "pname" and last[0] is not None \
                    and last[0].text.upper() == "PREFIX":
                prefixes[last[1].text[:-1]] = _unescape(t.text[1:-1])
        last = (last[1], t)
    if service:
        raise Refusal("SERVICE without an endpoint")


def _count(c: _Counts, t: Token) -> None:
    """Add one token to the counts, refusing the query at the first limit it passes."""
    kind = t.kind
    if kind == "open":
        c.depth += 1
        if c.depth + c.hidden > MAX_NESTING:
            raise Refusal(f"the query nests more than {MAX_NESTING} levels deep")
    elif kind == "close":
        c.depth = max(0, c.depth - 1)
    elif kind == "op":
        c.operators += t.text in _OPERATORS
        if c.operators > MAX_OPERATORS:
            raise Refusal(f"the query has more than {MAX_OPERATORS:,} operators")
    elif kind == "word":
        c.patterns += t.text.upper() in _PATTERN_WORDS
        if c.patterns > MAX_PATTERNS:
            raise Refusal(f"the query has more than {MAX_PATTERNS} UNION, OPTIONAL, MINUS, BIND, FILTER and other "
                          "graph patterns")
    elif kind == "punct":
        c.triples += t.frame != "expr"  # commas between arguments and in IN (…) are flat lists
        if c.triples > MAX_TRIPLES:
            raise Refusal(f"the query joins more than {MAX_TRIPLES:,} triple patterns")
    elif kind == "iri":
        _hidden_code(c, t.text)


def _hidden_code(c: _Counts, iri: str) -> None:
    """An IRI read as code (were the parser to take its `<` for less-than): its operators and brackets."""
    if len(iri) > MAX_IRI_OPERATORS and len(_IRI_CODE.findall(iri)) > MAX_IRI_OPERATORS:
        raise Refusal(f"an IRI in the query holds more than {MAX_IRI_OPERATORS} operator characters")
    if "(" not in iri and "[" not in iri:
        return
    level = deepest = 0
    for ch in iri:
        if ch in "([":
            level += 1
            deepest = max(deepest, level)
        elif ch in ")]":
            level -= 1
    if c.depth + c.hidden + deepest > MAX_NESTING:
        raise Refusal(f"the query nests more than {MAX_NESTING} levels deep")
    c.hidden += max(0, level)


def _is_service(word: str) -> bool:
    """Whether a word or prefixed name reads as the SERVICE keyword to the parser (which needs no space after it
    and ignores case), or could: it starts so, or a dot inside it does."""
    lowered = word.lower()
    return lowered.startswith("service") or ".service" in lowered


def _service(tokens_: list[Token], prefixes: dict[str, str], allowed: frozenset[str]) -> None:
    """Refuse a SERVICE whose endpoint is not one of ``allowed`` (``tokens_``: SERVICE, SILENT?, the endpoint)."""
    target = tokens_[-1]
    if target.kind == "iri":
        iri = _unescape(target.text[1:-1])
    elif target.kind == "pname" and target.text.split(":", 1)[0] in prefixes and "\\" not in target.text:
        prefix, local = target.text.split(":", 1)
        iri = prefixes[prefix] + local
    else:
        raise Refusal(_service_refusal(allowed) + "; name the endpoint by its IRI")
    if iri not in allowed:
        raise Refusal(f"SERVICE <{iri}> refused: federated queries may only reach {', '.join(sorted(allowed))}")


def _service_refusal(allowed: frozenset[str]) -> str:
    if not allowed:
        return "SERVICE (federated queries) refused: this endpoint answers from its own data only"
    return f"SERVICE refused: federated queries may only reach {', '.join(sorted(allowed))}"


def _unescape(iri: str) -> str:
    """An IRI's \\u and \\U escapes resolved, as the parser resolves them."""
    return _ESCAPE.sub(lambda m: chr(int(m[1] or m[2], 16)), iri)


def is_update(text: str) -> bool:
    """Whether a text is a SPARQL update: the first keyword after its prologue (BASE and PREFIX declarations) is
    an update's. Reads only the prologue and that keyword."""
    for t in tokens(text):
        if t.kind in ("iri", "pname") or (t.kind == "word" and t.text.upper() in ("BASE", "PREFIX")):
            continue
        return t.kind == "word" and t.text.upper() in _UPDATE_WORDS
    return False
