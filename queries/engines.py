"""Running questions and ad-hoc queries: Cypher on FalkorDB/Neo4j, SPARQL in memory (pyoxigraph).

Parameters always travel as parameters: Cypher ``$name`` parameters; in SPARQL, a ``VALUES``
block at the head of the query's WHERE clause binds the variables, each value an RDF term
serialised by pyoxigraph (so quoting and escaping are the RDF library's, never ours). The same
bound query text works in memory and over the SPARQL protocol.
Rows come back as tuples in the question's column order, with values as plain Python
(str, int, float, bool, None), so the two twins' answers can be compared.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox

from loaders.cypher import Store
from queries.catalogue import Question

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


def run_sparql(store: ox.Store, query: str, params: dict[str, Any] | None = None
               ) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run a SPARQL SELECT (or ASK) query; returns column names and rows of plain values."""
    try:
        result = store.query(bind_sparql(query, params or {}))
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {exc}") from exc
    except (OSError, ValueError) as exc:
        raise QueryError(f"SPARQL error: {exc}") from exc
    return _rows(result)


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
        r = httpx.post(endpoint, data={"query": bind_sparql(query, params or {})}, headers={"Accept": accept},
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
