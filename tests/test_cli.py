"""The command line: help lists every command; no command takes a secret on the command line."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cli import app

runner = CliRunner()
COMMANDS = ["extract", "build", "db", "neo4j", "load", "ask", "cypher", "sparql", "serve", "viz", "validate", "demo"]


def test_help_lists_commands() -> None:
    result = runner.invoke(app, ["--help"], terminal_width=200)
    assert result.exit_code == 0
    for cmd in COMMANDS:
        assert f" {cmd} " in result.output, cmd


def test_viz_lists_its_pictures() -> None:
    result = runner.invoke(app, ["viz", "--help"], terminal_width=200)
    assert result.exit_code == 0
    for kind in ("whole", "plan", "ego", "ask"):
        assert f" {kind} " in result.output


@pytest.mark.parametrize("command", [c for c in COMMANDS if c not in ("db", "neo4j", "viz")]
                         + ["db start", "neo4j start", "viz whole"])
def test_no_command_takes_a_password_argument(command: str) -> None:
    result = runner.invoke(app, [*command.split(), "--help"], terminal_width=200)
    assert result.exit_code == 0
    assert "--password" not in result.output and "--pass " not in result.output


def test_extract_help() -> None:
    result = runner.invoke(app, ["extract", "--help"], terminal_width=200)
    assert result.exit_code == 0
    assert "--eval-dir" in result.output and "--workers" in result.output


def test_db_status_and_load_without_a_server(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("IPKG_HOME", str(tmp_path / "home"))
    status = runner.invoke(app, ["db", "status"])
    assert status.exit_code == 3 and "not running" in status.output
    assert runner.invoke(app, ["db", "stop"]).output.strip() == "FalkorDB was not running"
    missing = runner.invoke(app, ["load", "-d", str(tmp_path / "nothing")])
    assert missing.exit_code == 1 and "run `ipkg build" in missing.output


def test_help_lists_schema_too() -> None:
    result = runner.invoke(app, ["--help"], terminal_width=200)
    assert result.exit_code == 0 and " schema " in result.output
