"""`ciiflow --version` prints the installed package's version."""

from __future__ import annotations

from importlib.metadata import version

from click.testing import CliRunner

from workflows.cli import main


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"ciiflow {version('ciiflow')}\n"
