"""Loading the knowledge graph into a Cypher store: FalkorDB (native client) or Neo4j (official driver).

One set of statements serves both stores; only index/constraint statements differ (``DIALECTS``).
Everything a document says reaches the store as a query parameter. Labels and relationship types
cannot be parameters in Cypher, so statements are made for each label and type of the ontology's
fixed lists (``_statement`` refuses anything else) and built once.

Loading is keyed on canonical ids with ``UNWIND … MERGE``, and every node and relationship lists
the ``plans`` that assert it. A load first takes the loaded plans out of those lists (deleting
what no plan asserts any more), then merges the new version: loading twice gives the same
graph, reloading a changed plan leaves nothing of its old version and touches no other plan,
and a load cut off half way is completed, without duplicates, by running it again.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlparse

import networkx as nx

from kg.graph import JOINT_RELATIONS
from loaders.falkordb_server import DEFAULT_PORT
from ontology.vocabulary import NODE_LABELS, REL_TYPES

GRAPH_NAME = "ipkg"

# the few statements where the stores differ
DIALECTS: dict[str, dict[str, str]] = {
    "falkordb": {"index": "CREATE INDEX FOR (n:{label}) ON (n.id)",
                 "index_exists": "already indexed"},
    "neo4j": {"index": "CREATE CONSTRAINT ipkg_{label}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE",
              "index_exists": "already exists"},
    # FalkorDB's experimental Bolt port fails index statements, and after a failed statement its
    # native port stops answering: no index statement goes that way (index it natively instead)
    "falkordb-bolt": {"index": "", "index_exists": ""},
}

_UNION = "reduce(acc = coalesce({v}.plans, []), x IN row.plans | CASE WHEN x IN acc THEN acc ELSE acc + x END)"
NODE_MERGE = ("UNWIND $rows AS row MERGE (n:{label} {{id: row.id}}) SET n += row.props SET n.plans = "
              + _UNION.format(v="n"))
EDGE_MERGE = ("UNWIND $rows AS row MATCH (a:{src} {{id: row.a}}) MATCH (b:{dst} {{id: row.b}}) "
              "MERGE (a)-[r:{rel}]->(b) SET r += row.props SET r.plans = " + _UNION.format(v="r"))
# taking plans out: relationships first, then nodes; what no plan asserts any more goes
RETRACT = (
    "MATCH ()-[r]->() WHERE any(x IN r.plans WHERE x IN $plans) SET r.plans = [x IN r.plans WHERE NOT x IN $plans]",
    "MATCH ()-[r]->() WHERE size(r.plans) = 0 DELETE r",
    "MATCH (n) WHERE any(x IN n.plans WHERE x IN $plans) SET n.plans = [x IN n.plans WHERE NOT x IN $plans]",
    "MATCH (n) WHERE size(n.plans) = 0 DETACH DELETE n",
)
# a relationship asserted by two plans together (a reuse) goes as soon as either is taken out; a load puts it back
# whole (with both plans) when the plan it is reloading still asserts it
RETRACT_JOINT = "MATCH ()-[r:{rel}]->() WHERE any(x IN r.plans WHERE x IN $plans) DELETE r"
COUNT_NODES = "MATCH (n) RETURN labels(n)[0] AS label, count(n) AS n"
COUNT_EDGES = "MATCH ()-[r]->() RETURN type(r) AS type, count(r) AS n"


def _statement(template: str, **names: str) -> str:
    """Fill a statement's label / type slots, only ever with names from the ontology's fixed lists."""
    for slot, name in names.items():
        allowed = REL_TYPES if slot == "rel" else NODE_LABELS
        if name not in allowed:
            raise ValueError(f"{name!r} is not an ontology {'relationship type' if slot == 'rel' else 'label'}")
    return template.format(**names)


class LoadError(Exception):
    """A load that stopped: names the batch and the plans in it, and the store's message."""


class Store(Protocol):
    dialect: str
    where: str

    def run(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]: ...

    def execute(self, query: str, params: dict[str, Any] | None = None, write: bool = False
                ) -> tuple[list[dict[str, Any]], dict[str, int]]: ...

    def close(self) -> None: ...


# what a write changed, as cypher-shell reports it (the names are FalkorDB's and the Neo4j driver's alike)
COUNTERS = ("nodes_created", "nodes_deleted", "relationships_created", "relationships_deleted", "properties_set",
            "labels_added", "labels_removed")

CONNECT_RETRIES = 4  # attempts to reach a store (backoff 0.5 s, 1 s, 2 s between them)


class FalkorStore:
    """FalkorDB through its native client (the embedded default)."""

    dialect = "falkordb"

    def __init__(self, host: str = "127.0.0.1", port: int = DEFAULT_PORT, graph: str = GRAPH_NAME, timeout: float = 60):
        from falkordb import FalkorDB

        self._args = (host, port, graph, timeout)
        self.where = f"falkordb://{host}:{port}/{graph}"
        # the client asks the server about itself on creation: an unreachable server fails here
        self._db = _with_retry(lambda: FalkorDB(host=host, port=port, socket_timeout=timeout), self.where,
                               CONNECT_RETRIES)
        self.graph = self._db.select_graph(graph)

    def run(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        res = self.graph.query(query, params or {})
        header = [h[1] if isinstance(h, (list, tuple)) else h for h in (res.header or [])]
        return [dict(zip(header, row, strict=False)) for row in res.result_set]

    def execute(self, query: str, params: dict[str, Any] | None = None, write: bool = False
                ) -> tuple[list[dict[str, Any]], dict[str, int]]:
        """Rows and the store's counters of an ad-hoc query: GRAPH.RO_QUERY unless ``write`` (a write is refused)."""
        res = (self.graph.query if write else self.graph.ro_query)(query, params or {})
        header = [h[1] if isinstance(h, (list, tuple)) else h for h in (res.header or [])]
        rows = [dict(zip(header, row, strict=False)) for row in res.result_set]
        return rows, {name: int(getattr(res, name) or 0) for name in COUNTERS}

    def another(self) -> FalkorStore:
        """A second connection to the same graph (for loading batches side by side)."""
        return FalkorStore(*self._args)

    def close(self) -> None:
        try:
            self._db.connection.close()
        except Exception:  # closing a dead connection is not worth an error
            pass


class Neo4jStore:
    """Neo4j (or any Bolt server) through the official driver; credentials come from the environment.

    Connecting logs in once, on the chosen database, so that a wrong password, an unknown database
    or an unreachable server is one clear :class:`LoadError` before anything is loaded. A refused
    login is never retried: Neo4j locks the user for a while after three of them in a row.
    """

    def __init__(self, uri: str, user: str | None = None, password: str | None = None,
                 database: str | None = None, dialect: str = "neo4j"):
        from neo4j import GraphDatabase

        self.dialect = dialect
        self.user = user if user is not None else os.environ.get("NEO4J_USER", "neo4j")
        password = password if password is not None else os.environ.get("NEO4J_PASSWORD", "")
        self.database = database or os.environ.get("NEO4J_DATABASE") or None
        self.uri = uri
        self.where = f"{uri}/{self.database}" if self.database else uri
        # the driver's own retries (30 s by default per statement) would multiply with ours: keep them short
        self._driver = GraphDatabase.driver(uri, auth=(self.user, password), connection_timeout=5.0,
                                            max_transaction_retry_time=5.0)
        try:
            # unreachable: a few attempts with backoff; refused (LoadError from _login): none more
            _with_retry(lambda: self._login(bool(password)), self.where, CONNECT_RETRIES)
        except BaseException:
            self._driver.close()
            raise

    def _login(self, has_password: bool) -> None:
        """One statement on the chosen database: the login, the database's existence, the server's answer."""
        from neo4j.exceptions import AuthError, ClientError

        try:
            with self._driver.session(database=self.database) as session:
                session.run("RETURN 1").consume()
        except (AuthError, ClientError) as exc:
            raise LoadError(self._refusal(exc, has_password)) from None

    def _refusal(self, exc: Exception, has_password: bool) -> str:
        """The one line for a login or database the server refused; it names the URI and user, never the password."""
        code = getattr(exc, "code", None) or ""
        who = f"{self.uri} refused user {self.user!r}"
        if code.endswith("Security.Unauthorized"):
            why = "wrong password (from NEO4J_PASSWORD)" if has_password else "no password given: set NEO4J_PASSWORD"
            return f"{who}: {why}"
        if code.endswith("Security.AuthenticationRateLimit"):
            return f"{who}: too many wrong passwords in a row; Neo4j accepts none for a few seconds"
        if code.endswith("Database.DatabaseNotFound"):
            return (f"{self.uri} has no database {self.database!r} (the path of the URL names the database; "
                    "leave it out for the server's default one)")
        message = (getattr(exc, "message", None) or str(exc)).strip().splitlines()
        return f"{who if 'Security' in code else self.where}: {message[0][:200] if message else code}"

    def run(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        with self._driver.session(database=self.database) as session:
            return session.execute_write(lambda tx: tx.run(query, params or {}).data())

    def execute(self, query: str, params: dict[str, Any] | None = None, write: bool = False
                ) -> tuple[list[dict[str, Any]], dict[str, int]]:
        """Rows and the store's counters of an ad-hoc query, in a READ access-mode session unless ``write``."""
        from neo4j import READ_ACCESS, WRITE_ACCESS

        def work(tx: Any) -> tuple[list[dict[str, Any]], dict[str, int]]:
            result = tx.run(query, params or {})
            rows = result.data()
            counters = result.consume().counters
            return rows, {name: int(getattr(counters, name, 0) or 0) for name in COUNTERS}

        mode = WRITE_ACCESS if write else READ_ACCESS
        with self._driver.session(database=self.database, default_access_mode=mode) as session:
            return (session.execute_write if write else session.execute_read)(work)

    def close(self) -> None:
        self._driver.close()


NEO4J_SCHEMES = ("neo4j", "bolt", "neo4j+s", "bolt+s", "neo4j+ssc", "bolt+ssc")


def _database(path: str, url: str) -> str | None:
    """The database a Neo4j URL's path names (``neo4j://host:7687/mydb``), or None for the server's default."""
    name = path.strip("/")
    if "/" in name:
        raise LoadError(f"{url}: the path of a Neo4j URL is one database name, such as neo4j://HOST:PORT/neo4j")
    return name or None


def open_store(url: str | None) -> Store:
    """A store from a URL: falkordb://HOST:PORT[/GRAPH] (default: the embedded server), or
    neo4j:// / bolt://[USER@]HOST:PORT[/DATABASE] (the password from NEO4J_PASSWORD)."""
    if not url:
        from loaders.falkordb_server import status

        info = status()
        if not info.running:
            raise LoadError("the embedded FalkorDB is not running: start it with `ipkg db start`, "
                            "or give --to falkordb://HOST:PORT or neo4j://HOST:PORT")
        return FalkorStore(port=info.port or DEFAULT_PORT)
    u = urlparse(url)
    if u.scheme == "falkordb":
        return FalkorStore(host=u.hostname or "127.0.0.1", port=u.port or DEFAULT_PORT,
                           graph=(u.path.strip("/") or GRAPH_NAME))
    if u.scheme in NEO4J_SCHEMES:
        if u.password:
            raise LoadError("put no password in the URL; set NEO4J_PASSWORD instead")
        host = f"[{u.hostname}]" if u.hostname and ":" in u.hostname else u.hostname
        base = f"{u.scheme}://{host}:{u.port or 7687}"
        return Neo4jStore(base, user=u.username or None, database=_database(u.path, base + u.path))
    raise LoadError(f"unknown store URL {url!r}: use falkordb://HOST:PORT, neo4j://HOST:PORT or bolt://HOST:PORT")


# ---------------------------------------------------------------- rows


def _props(data: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in data.items():
        if k in ("label", "id", "plans", "type") or v is None:
            continue
        out[k] = sorted(v) if isinstance(v, set) else v
    return out


@dataclass
class Batch:
    kind: str  # "node" or "edge"
    name: str  # label, or TYPE (Src->Dst)
    query: str
    rows: list[dict[str, Any]]

    def plans(self) -> list[str]:
        return sorted({p for r in self.rows for p in r["plans"]})


def _chunks(rows: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def batches(graph: nx.MultiDiGraph, plans: set[str] | None = None, size: int = 1000) -> list[Batch]:
    """The merge batches for the elements asserted by ``plans`` (default: every plan of the graph)."""
    def keep(data: dict[str, Any]) -> list[str] | None:
        mine = data["plans"] if plans is None else data["plans"] & plans
        if mine and data.get("type") in JOINT_RELATIONS:
            mine = data["plans"]  # a joint fact is written with all its plans, as a load of every plan writes it
        return sorted(mine) or None

    nodes: dict[str, list[dict[str, Any]]] = {}
    for _, d in graph.nodes(data=True):
        mine = keep(d)
        if mine:
            nodes.setdefault(d["label"], []).append({"id": d["id"], "props": _props(d), "plans": mine})
    edges: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for a, b, k, d in graph.edges(keys=True, data=True):
        mine = keep(d)
        if mine:
            key = (k, graph.nodes[a]["label"], graph.nodes[b]["label"])
            edges.setdefault(key, []).append({"a": graph.nodes[a]["id"], "b": graph.nodes[b]["id"],
                                              "props": _props(d), "plans": mine})
    out: list[Batch] = []
    for label in sorted(nodes):
        q = _statement(NODE_MERGE, label=label)
        out += [Batch("node", label, q, chunk) for chunk in _chunks(nodes[label], size)]
    for (rel, src, dst) in sorted(edges):
        q = _statement(EDGE_MERGE, rel=rel, src=src, dst=dst)
        out += [Batch("edge", f"{rel} ({src}->{dst})", q, chunk) for chunk in _chunks(edges[(rel, src, dst)], size)]
    return out


# ---------------------------------------------------------------- loading


def ensure_indexes(store: Store) -> list[str]:
    """Index (FalkorDB) or uniqueness constraint (Neo4j) on ``id`` for every label.

    An index only speeds loading up (MERGE on ``id`` is correct without it), so a store that
    refuses one (no schema privilege, FalkorDB over Bolt) gets a warning, not a failed load.
    """
    dialect = DIALECTS[store.dialect]
    warnings: list[str] = []
    if not dialect["index"]:
        return warnings
    for label in NODE_LABELS:
        try:
            store.run(_statement(dialect["index"], label=label))
        except Exception as exc:
            if dialect["index_exists"] in str(exc):
                continue
            if any(w in type(exc).__name__ for w in ("Connection", "ServiceUnavailable", "Timeout")):
                raise
            warnings.append(f"no index on {label}.id ({str(exc).splitlines()[0][:120]}); loading goes on without it")
    return warnings


def graph_plans(graph: nx.MultiDiGraph) -> set[str]:
    return {p for _, d in graph.nodes(data=True) for p in d["plans"]}


def load(graph: nx.MultiDiGraph, store: Store, plans: Iterable[str] | None = None, batch_size: int = 1000,
         on_batch: Callable[[int, int, Batch], None] | None = None, retries: int = 3,
         warn: Callable[[str], None] | None = None, workers: int = 2) -> dict[str, int]:
    """Load (or reload) ``plans`` of the graph into the store; returns elements written."""
    present = graph_plans(graph)
    chosen = set(plans) if plans is not None else present
    unknown = chosen - present
    if unknown:
        raise LoadError(f"no such plan in the graph: {', '.join(sorted(unknown))}")
    for w in _with_retry(lambda: ensure_indexes(store), store.where, retries) or []:
        if warn:
            warn(w)
    todo = batches(graph, chosen, batch_size)
    retract(store, chosen, retries)
    written = {"nodes": 0, "relationships": 0}
    stores = [store, *(store.another() for _ in range(max(0, workers - 1)) if hasattr(store, "another"))]
    done = 0
    try:
        # nodes before relationships (a relationship matches its two nodes); within a phase, batches go
        # over several connections so that encoding the next batch overlaps the store's work on this one
        for kind in ("node", "edge"):
            phase = [(i, b) for i, b in enumerate(todo, start=1) if b.kind == kind]
            for _, batch in _run_phase(phase, stores):
                done += 1
                written["nodes" if kind == "node" else "relationships"] += len(batch.rows)
                if on_batch:
                    on_batch(done, len(todo), batch)
    except _BatchFailed as failed:
        i, batch, exc = failed.args
        names = batch.plans()
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        raise LoadError(f"batch {i} of {len(todo)} ({batch.name}, {len(batch.rows)} rows; plan {shown}) "
                        f"failed on {store.where}: {str(exc).splitlines()[0][:300]}. Nothing is lost: "
                        "run the same load again to finish it.") from exc
    finally:
        for extra in stores[1:]:
            extra.close()
    return written


def retract(store: Store, plans: Iterable[str], retries: int = 3) -> None:
    """Take ``plans`` out of the store: what only they assert goes, and so does every joint fact (a reuse) that
    names one of them; what other plans assert too stays, without these plans in its ``plans``."""
    chosen = sorted(set(plans))
    for q in (*(_statement(RETRACT_JOINT, rel=rel) for rel in JOINT_RELATIONS), *RETRACT):
        _with_retry(lambda q=q: store.run(q, {"plans": chosen}), store.where, retries)


class _BatchFailed(Exception):
    pass


def _run_phase(phase: list[tuple[int, Batch]], stores: list[Store]) -> Iterator[tuple[int, Batch]]:
    """Run a phase's batches over the given connections; yields them as they finish, in order."""
    def run(store: Store, i: int, batch: Batch) -> tuple[int, Batch]:
        try:
            store.run(batch.query, {"rows": batch.rows})
        except Exception as exc:
            raise _BatchFailed(i, batch, exc) from exc
        return i, batch

    if len(stores) == 1:
        for i, batch in phase:
            yield run(stores[0], i, batch)
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=len(stores)) as pool:
        futures = [pool.submit(run, stores[n % len(stores)], i, b) for n, (i, b) in enumerate(phase)]
        for f in futures:
            yield f.result()


def _with_retry(fn: Callable[[], Any], where: str, retries: int) -> Any:
    """Bounded retries with backoff for an unreachable store; the message names the store, never a password."""
    delay = 0.5
    for attempt in range(1, retries + 1):
        try:
            return fn()
        except Exception as exc:
            transient = any(w in type(exc).__name__ for w in ("Connection", "ServiceUnavailable", "Timeout"))
            if not transient or attempt == retries:
                if transient:
                    raise LoadError(f"cannot reach {where} after {retries} attempts: "
                                    f"{str(exc).splitlines()[0][:200]}") from exc
                raise
            time.sleep(delay)
            delay *= 2
    return None


def store_counts(store: Store) -> tuple[dict[str, int], dict[str, int]]:
    """Nodes per label and relationships per type, as the store reports them."""
    nodes = {r["label"]: int(r["n"]) for r in store.run(COUNT_NODES)}
    edges = {r["type"]: int(r["n"]) for r in store.run(COUNT_EDGES)}
    return dict(sorted(nodes.items())), dict(sorted(edges.items()))
