"""The landing page (/): the dataset, counts per class, example questions and the query editor; static files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from ontology.iri import ONTOLOGY_IRI
from ontology.labels import ontology_labels
from queries.catalogue import catalogue
from queries.endpoint.describe import short
from queries.endpoint.state import server
from queries.endpoint.store import DatasetInfo
from queries.engines import bind_sparql

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
# the query editor: @zazuko/yasgui from the npm registry, installed by `make setup` (see web/package.json)
YASGUI_DIR = HERE / "web" / "node_modules" / "@zazuko" / "yasgui" / "build"


def examples() -> list[dict[str, Any]]:
    """The catalogue's questions with their example parameters bound in."""
    out = []
    for q in catalogue().values():
        params = q.example_params()
        out.append({"name": q.name, "zh": q.zh, "en": q.en,
                    "params": {k: v for k, v in params.items() if v is not None},
                    "query": bind_sparql(q.sparql, params)})
    return out


def classes(info: DatasetInfo) -> list[dict[str, Any]]:
    """The ontology's classes in the data, with their labels, counts and a query listing their instances."""
    labels = ontology_labels()
    return [{"iri": c, "zh": labels.get(c, (short(c), ""))[0], "en": labels.get(c, ("", ""))[1], "n": n,
             "query": f"PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
                      f"SELECT ?entity ?label WHERE {{ ?entity a <{c}> ; rdfs:label ?label }}\n"
                      "ORDER BY ?label LIMIT 500"}
            for c, n in info.classes.items() if c.startswith(ONTOLOGY_IRI)]


async def landing(request: Request) -> Response:
    """/: the landing page; its links load their query into the editor (the page's `queries` table)."""
    state = server(request)
    found, counted = examples(), classes(state.info)
    queries = {q["name"]: q["query"] for q in found} | {f"class-{i}": c["query"] for i, c in enumerate(counted)}
    return state.html("landing.html", info=state.info, classes=counted, examples=found, queries=queries,
                      editor=YASGUI_DIR.is_dir(), base_iri=state.settings.base_iri)


def routes() -> list[BaseRoute]:
    """The landing page, the page's own static files and, when installed, the editor's."""
    routes: list[BaseRoute] = [Route("/", landing), Mount("/static", StaticFiles(directory=STATIC_DIR), name="static")]
    if YASGUI_DIR.is_dir():
        routes.append(Mount("/yasgui", StaticFiles(directory=YASGUI_DIR), name="yasgui"))
    return routes
