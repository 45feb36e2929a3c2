"""The ``ipkg`` command: one module per command group, each command a thin hand-off to the layers below.

==================  ==========================================
``cli.corpus``      extract, validate, schema, build, demo
``cli.stores``      db start | stop | status, neo4j start | stop | status, load
``cli.questions``   ask, cypher, sparql
``cli.serve``       serve
``cli.pictures``    viz whole | plan | ego | ask
``cli.common``      the consoles, ``fail``, shared options and output
==================  ==========================================

The layers below are imported inside the commands that use them, so ``ipkg --help`` and ``ipkg extract`` do
not pay for the stores, the endpoint and the pictures.
"""

from __future__ import annotations

import typer

from cli import corpus, pictures, questions, serve, stores

__all__ = ["app"]

app = typer.Typer(
    name="ipkg",
    help="Knowledge graph of Chinese IP (知识产权) policy plans: read plan documents, build the graph, "
         "ask analysts' questions in Cypher and SPARQL, and draw it as HTML.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
for command in (corpus.extract, corpus.validate, corpus.schema, corpus.demo, corpus.build, stores.load,
                questions.ask, questions.cypher, questions.sparql, serve.serve):
    app.command()(command)
app.add_typer(stores.db_app, name="db")
app.add_typer(stores.neo4j_app, name="neo4j")
app.add_typer(pictures.viz_app, name="viz")
