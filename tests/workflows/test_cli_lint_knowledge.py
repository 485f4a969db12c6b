"""`ciiflow lint` knows the directory: groups and variables named as the Modeler shows them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from workflows.cli import main

ROOT = Path(__file__).resolve().parents[2]
FILES = ROOT / "tests" / "engine" / "lint_files"


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Lint needs no database; the CLI's engine points at a throwaway one, and at the
    project's directory (bpmn/directory.yaml)."""
    monkeypatch.setenv("CIIFLOW_DATABASE_URL", f"sqlite:///{tmp_path / 'lint.sqlite3'}")
    monkeypatch.setenv("CIIFLOW_DIRECTORY", str(ROOT / "bpmn" / "directory.yaml"))


def run(*paths: Path) -> tuple[int, list[str]]:
    result = CliRunner().invoke(main, ["lint", *map(str, paths)])
    return result.exit_code, result.output.splitlines()


def test_an_unknown_group_is_a_warning_naming_the_task() -> None:
    code, lines = run(FILES / "groups.bpmn")
    assert code == 0
    assert lines[0].startswith("warning: groups.bpmn#Activity_oai 'Ask the disability office': "
                               "candidate group 'oia'")
    assert lines[-1] == "1 file(s): 0 error(s), 2 warning(s)"


def test_a_misspelled_variable_exits_one() -> None:
    code, lines = run(FILES / "declared_inputs.bpmn")
    assert code == 1
    assert "error: declared_inputs.bpmn#Flow_accept 'accepted': its condition reads `decison`" in (
        "\n".join(lines))
    assert lines[-1] == "1 file(s): 3 error(s), 0 warning(s)"


def test_the_cii_files_lint_clean() -> None:
    code, lines = run(ROOT / "bpmn")
    assert (code, len(lines)) == (0, 1)
    assert lines[0].endswith(" file(s): 0 error(s), 0 warning(s)")
