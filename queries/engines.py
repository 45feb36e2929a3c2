"""Running questions and ad-hoc queries: Cypher on FalkorDB/Neo4j, SPARQL in memory (pyoxigraph).

Parameters always travel as parameters: Cypher ``$name`` parameters; in SPARQL, a ``VALUES``
block at the head of the query's WHERE clause binds the variables, each value an RDF term
serialised by pyoxigraph (so quoting and escaping are the RDF library's, never ours). The same
bound query text works in memory and over the SPARQL protocol.
Rows come back as tuples in the question's column order, with values as plain Python
(str, int, float, bool, None), so the two twins' answers can be compared.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from loaders.cypher import Store
from ontology.iri import ONTOLOGY_IRI
from queries.catalogue import Question
from queries.endpoint.guard import Refusal, check, is_update

XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMERIC = {f"{XSD}{t}" for t in ("integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger",
                                  "positiveInteger", "short")}


class QueryError(Exception):
    """A query the store or the SPARQL engine refused; the message is the engine's own."""


def py_value(term: Any) -> Any:
    """A pyoxigraph term as a plain Python value."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        dt = term.datatype.value if term.datatype else None
        if dt == f"{XSD}boolean":
            return term.value in ("true", "1")
        if dt in _NUMERIC:
            v = float(term.value)
            return int(v) if v.is_integer() and dt != f"{XSD}decimal" else v
        if dt == f"{XSD}gYear":
            return int(term.value)
        return term.value
    if isinstance(term, ox.NamedNode):
        return term.value
    return str(term)


def memory_store(graph_dir: Path) -> ox.Store:
    """An in-memory pyoxigraph store loaded with the graph that `ipkg build` wrote (kg.nt)."""
    nt = graph_dir / "kg.nt"
    if not nt.exists():
        raise QueryError(f"{nt} not found: run `ipkg build --out {graph_dir}` first")
    store = ox.Store()
    store.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
    return store


def _term(value: Any) -> str:
    """A parameter value as an RDF term in SPARQL syntax, serialised by pyoxigraph."""
    if value is None:
        return "UNDEF"  # an optional parameter left out stays unbound
    if isinstance(value, bool):
        return str(ox.Literal("true" if value else "false", datatype=ox.NamedNode(f"{XSD}boolean")))
    if isinstance(value, int):
        return str(ox.Literal(str(value), datatype=ox.NamedNode(f"{XSD}integer")))
    return str(ox.Literal(str(value)))


def bind_sparql(query: str, params: dict[str, Any]) -> str:
    """The query with its parameters bound by a VALUES block at the head of the outer WHERE clause."""
    if not params:
        return query
    at = query.find("WHERE {")
    if at < 0:
        raise QueryError("a parameterised SPARQL query needs a 'WHERE {' clause")
    names = " ".join(f"?{n}" for n in params)
    values = " ".join(_term(v) for v in params.values())
    head = at + len("WHERE {")
    return f"{query[:head]}\n  VALUES ({names}) {{ ({values}) }}{query[head:]}"


# The ontology's prefixes, declared for every query run here (a query may still declare its own, which wins).
DEFAULT_PREFIXES = {
    "ipkg": ONTOLOGY_IRI, "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "xsd": XSD, "skos": "http://www.w3.org/2004/02/skos/core#",
    "org": "http://www.w3.org/ns/org#", "prov": "http://www.w3.org/ns/prov#", "dcterms": "http://purl.org/dc/terms/",
}
READ_ONLY = "refused: SPARQL updates are not run here; ipkg's SPARQL is read-only (SELECT, ASK, CONSTRUCT, DESCRIBE)"
_ERROR_AT = re.compile(r"^error at (\d+):(\d+):\s*(.*)$", re.DOTALL)
# what the parser expected, kept when a reader can act on it: quoted tokens and keywords, not character classes
_EXPECTED_WORD = re.compile(r'"[^"]{1,4}"|\b[A-Z][A-Z_]{1,}\b')
# IRIs, strings and comments, blanked before looking for prefixed names
_NOT_NAMES = re.compile(r'<[^<>\s]*>|"""[\s\S]*?"""|' r"'''[\s\S]*?'''|" r'"(?:[^"\\\n]|\\.)*"|'
                        r"'(?:[^'\\\n]|\\.)*'|#[^\n]*")
_PREFIXED = re.compile(r"(?<![\w?$:.-])([A-Za-z][\w.-]*)?:(?=[\w%])")
_DECLARED = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?:", re.IGNORECASE)


def _blank(query: str) -> str:
    """The query with its IRIs, strings and comments blanked out (same length, same lines)."""
    return _NOT_NAMES.sub(lambda m: re.sub(r"[^\n]", " ", m[0]), query)


def _first_use(query: str, prefix: str) -> tuple[int, int]:
    """Line and column (from 1) of the first use of a prefixed name with this prefix."""
    found = next(m for m in _PREFIXED.finditer(_blank(query)) if (m.group(1) or "") == prefix)
    before = query[: found.start()]
    return before.count("\n") + 1, found.start() - (before.rfind("\n") + 1) + 1


def undeclared_prefixes(query: str, known: dict[str, str] | None = None) -> list[str]:
    """The prefixes a query uses that neither it nor ``known`` (default: DEFAULT_PREFIXES) declares."""
    known = DEFAULT_PREFIXES if known is None else known
    text = _blank(query)
    declared = {m.group(1) or "" for m in _DECLARED.finditer(text)}
    used = dict.fromkeys(m.group(1) or "" for m in _PREFIXED.finditer(text))
    return [p for p in used if p not in declared and p not in known]


def _place(query: str) -> tuple[int, int, str] | None:
    """Where rdflib's parser stops reading a query (line, column, the word found there); None if it reads it all.

    rdflib names the start of the construct that fails (``FILTER``), where pyoxigraph's parser names the farthest
    point it tried, often the query's end; the place is rdflib's, the verdict pyoxigraph's."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        parseQuery(query)
    except ParseBaseException as exc:
        word = re.match(r"[\w?$:]+|\S|", query[exc.loc:])
        return exc.lineno, exc.col, word[0] if word else ""
    except Exception:
        return None
    return None


def _width(text: str) -> int:
    """Terminal columns a text takes (Chinese characters take two), to put a caret under the right character."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def syntax_error(query: str, message: str) -> str:
    """The parser's complaint as a person reads it: line and column, the query's line and a caret under the place.

    ``message`` is pyoxigraph's (``error at LINE:COLUMN: expected …``, columns counted in characters from 1).
    """
    unknown = undeclared_prefixes(query)
    found = _ERROR_AT.match(message.strip())
    if not found:
        return f"SPARQL syntax error: {message.strip().splitlines()[0] if message.strip() else message}"
    line, column, expected = int(found[1]), int(found[2]), found[3]
    words = list(dict.fromkeys(_EXPECTED_WORD.findall(expected)))
    place = None if unknown else _place(query)
    if unknown:
        line, column = _first_use(query, unknown[0])
        why = (f"unknown prefix {', '.join(p + ':' for p in unknown)} (declare it with PREFIX; declared by "
               f"default: {', '.join(p + ':' for p in DEFAULT_PREFIXES)})")
    elif place:
        line, column, word = place
        why = f"unexpected {word!r}" if word else "the query ends too soon"
    elif words:
        why = "expected " + (words[0] if len(words) == 1 else "one of " + ", ".join(words[:8])
                             + (", …" if len(words) > 8 else ""))
    else:
        why = "unexpected text here"
    lines = query.splitlines() or [""]
    shown = lines[min(line, len(lines)) - 1].expandtabs(1)
    caret = " " * _width(shown[: max(column, 1) - 1]) + "^"
    return f"SPARQL syntax error at line {line}, column {column}: {why}\n  {shown}\n  {caret}"


def run_sparql(store: ox.Store, query: str, params: dict[str, Any] | None = None
               ) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run a SPARQL SELECT, ASK, CONSTRUCT or DESCRIBE query with :data:`DEFAULT_PREFIXES` declared; returns
    column names and rows of plain values. An update is refused as read-only, and so is a query the parser would
    crash on or one using SERVICE (``guard.check``), before the parser sees it; a syntax error names its line and
    column with a caret under the query's line."""
    text = bind_sparql(query, params or {})
    try:
        check(text)
    except Refusal as exc:
        raise QueryError(f"query refused: {exc}") from None
    if is_update(text):
        raise QueryError(READ_ONLY)
    try:
        result = store.query(text, prefixes=DEFAULT_PREFIXES)
    except SyntaxError as exc:
        raise QueryError(syntax_error(text, str(exc))) from exc
    except (OSError, ValueError) as exc:
        raise QueryError(f"SPARQL error: {exc}") from exc
    return _rows(result)


def with_default_prefixes(query: str) -> str:
    """The query with a PREFIX line for each default prefix it uses without declaring (for a remote endpoint)."""
    wanted = [p for p in undeclared_prefixes(query, {}) if p in DEFAULT_PREFIXES]
    if not wanted:
        return query
    return " ".join(f"PREFIX {p}: <{DEFAULT_PREFIXES[p]}>" for p in wanted) + "\n" + query


def _rows(result: Any) -> tuple[list[str], list[tuple[Any, ...]]]:
    if isinstance(result, ox.QueryBoolean):
        return ["result"], [(bool(result),)]
    if isinstance(result, ox.QuerySolutions):
        columns = [v.value for v in result.variables]
        return columns, [tuple(py_value(sol[c]) for c in columns) for sol in result]
    triples = [(py_value(t.subject), py_value(t.predicate), py_value(t.object)) for t in result]
    return ["subject", "predicate", "object"], triples


def run_remote_sparql(endpoint: str, query: str, params: dict[str, Any] | None = None, timeout: float = 120.0
                      ) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run a SPARQL query over the SPARQL 1.1 Protocol (e.g. against `ipkg serve`); same rows as ``run_sparql``."""
    import httpx

    accept = "application/sparql-results+json, application/n-triples;q=0.9"
    try:
        r = httpx.post(endpoint, data={"query": with_default_prefixes(bind_sparql(query, params or {}))},
                       headers={"Accept": accept},
                       timeout=timeout)
    except httpx.HTTPError as exc:
        raise QueryError(f"cannot reach the SPARQL endpoint {endpoint} ({exc}); start one with `ipkg serve`") from exc
    if r.status_code != 200:
        raise QueryError(f"{endpoint} answered {r.status_code}: {r.text.strip()[:500]}")
    if r.headers.get("content-type", "").startswith("application/n-triples"):
        return _rows(ox.parse(r.content, format=ox.RdfFormat.N_TRIPLES))
    return _rows(ox.parse_query_results(r.content, format=ox.QueryResultsFormat.JSON))


def run_cypher(store: Store, query: str, params: dict[str, Any] | None = None
               ) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run Cypher on a store; returns column names and rows."""
    try:
        rows = store.run(query, params or {})
    except Exception as exc:
        raise QueryError(str(exc).strip()) from exc
    columns = list(rows[0]) if rows else []
    return columns, [tuple(r.values()) for r in rows]


class WriteRefused(QueryError):
    """An ad-hoc Cypher statement that would change the store, run without ``--write``."""


# how each store says that a read-only query tried to write
_READ_ONLY_REFUSALS = ("to be executed only on read-only queries", "read access mode", "AccessMode",
                       "read-only")
# cypher-shell's words for the store's counters, in its order
_COUNTER_WORDS = (("nodes_created", "Added {} nodes"), ("nodes_deleted", "Deleted {} nodes"),
                  ("relationships_created", "Created {} relationships"),
                  ("relationships_deleted", "Deleted {} relationships"), ("properties_set", "Set {} properties"),
                  ("labels_added", "Added {} labels"), ("labels_removed", "Removed {} labels"))


def run_adhoc_cypher(store: Store, query: str, params: dict[str, Any] | None = None, write: bool = False
                     ) -> tuple[list[str], list[tuple[Any, ...]], dict[str, int]]:
    """Run an analyst's own Cypher: read-only unless ``write`` (FalkorDB's GRAPH.RO_QUERY, a Neo4j READ session).

    Returns column names, rows and the store's counters; a write without ``write`` raises :class:`WriteRefused`.
    """
    try:
        rows, counters = store.execute(query, params or {}, write=write)
    except Exception as exc:
        message = str(exc).strip()
        if not write and any(m in message or m in repr(exc) for m in _READ_ONLY_REFUSALS):
            raise WriteRefused(f"refused: this query writes to {store.where}, and ad-hoc Cypher is read-only; "
                               "run it again with --write to change the store") from exc
        raise QueryError(message) from exc
    columns = list(rows[0]) if rows else []
    return columns, [tuple(r.values()) for r in rows], counters


def counters_line(counters: dict[str, int]) -> str | None:
    """What a write changed, in cypher-shell's words (``Added 1 nodes, Set 2 properties``); None when nothing."""
    parts = [words.format(counters[name]) for name, words in _COUNTER_WORDS if counters.get(name)]
    return ", ".join(parts) if parts else None


def ask_cypher(q: Question, store: Store, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    columns, rows = run_cypher(store, q.cypher, params)
    if rows and tuple(columns) != q.columns:
        raise QueryError(f"{q.name}.cypher returned columns {columns}, its header says {list(q.columns)}")
    return rows


def _sparql_rows(q: Question, columns: list[str], rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The rows of a question's SPARQL twin, refused if its columns are not the ones its header declares."""
    if tuple(columns) != q.columns:
        raise QueryError(f"{q.name}.sparql returns columns {columns}, its header says {list(q.columns)}")
    return rows


def ask_sparql(q: Question, store: ox.Store, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    return _sparql_rows(q, *run_sparql(store, q.sparql, params))


def ask_remote(q: Question, endpoint: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """A question's SPARQL twin asked of a SPARQL endpoint."""
    return _sparql_rows(q, *run_remote_sparql(endpoint, q.sparql, params))


def _norm(v: Any) -> Any:
    """A cell in comparable form: numbers (and numeric strings) as floats rounded to 6 places."""
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, (int, float)):
        return round(float(v), 6)
    if isinstance(v, str):
        try:
            return round(float(v), 6)
        except ValueError:
            return v
    return str(v)


def normalise(rows: list[tuple[Any, ...]]) -> set[tuple[Any, ...]]:
    """Rows as a comparable set: numbers (and numeric strings) as floats rounded to 6 places.

    This is the documented normalisation under which a question's Cypher and SPARQL twins must
    give equal answers: 4 equals 4.0 equals "4", true equals True. Order is compared by
    :func:`normalise_ordered`.
    """
    return {tuple(_norm(v) for v in row) for row in rows}


def normalise_ordered(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Rows in their order, each cell as :func:`normalise` compares it (every twin orders its answer)."""
    return [tuple(_norm(v) for v in row) for row in rows]
