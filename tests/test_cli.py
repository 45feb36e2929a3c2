"""The command line: help lists every command; commands not built yet say so and fail."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from kg.cli import app

runner = CliRunner()
COMMANDS = ["extract", "build", "db", "load", "ask", "cypher", "sparql", "serve", "viz", "validate", "demo"]


def test_help_lists_commands() -> None:
    result = runner.invoke(app, ["--help"], terminal_width=200)
    assert result.exit_code == 0
    for cmd in COMMANDS:
        assert f" {cmd} " in result.output, cmd


@pytest.mark.parametrize("args", [["build", "x"], ["load"], ["ask", "dept-owners"], ["cypher", "MATCH (n) RETURN n"],
                                  ["sparql", "SELECT * {?s ?p ?o}"], ["serve"], ["viz", "whole"], ["db", "start"],
                                  ["db", "status"]])
def test_unbuilt_commands_say_so(args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "not built yet" in result.output


def test_extract_help() -> None:
    result = runner.invoke(app, ["extract", "--help"], terminal_width=200)
    assert result.exit_code == 0
    assert "--eval-dir" in result.output and "--workers" in result.output
