"""`ciiflow lint FILE...` and the project's own deployable files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.lint import lint
from tests.engine.test_lint_corpus import CLEAN_BPMN, CLEAN_DMN, HOSTILE
from workflows.cli import main
from workflows.cli.definitions import collect

BPMN_FOLDER = Path(__file__).resolve().parents[2] / "bpmn"


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Lint needs no database; the CLI's engine still points at a throwaway one, and at a
    directory that knows the clean file's candidate groups."""
    monkeypatch.setenv("CIIFLOW_DATABASE_URL", f"sqlite:///{tmp_path / 'lint.sqlite3'}")
    directory = tmp_path / "directory.yaml"
    directory.write_text(
        "regions: [{id: north}, {id: south}]\n"
        "institutions:\n"
        "  - {id: cii, groups: [{id: cii-coordination}, {id: cii-north}, {id: cii-south}]}\n")
    monkeypatch.setenv("CIIFLOW_DIRECTORY", str(directory))


def run(paths: list[str]) -> tuple[int, list[str]]:
    result = CliRunner().invoke(main, ["lint", *paths])
    return result.exit_code, result.output.splitlines()


def test_clean_folder_exits_zero(tmp_path: Path) -> None:
    for name in (CLEAN_BPMN, CLEAN_DMN):
        shutil.copy(HOSTILE / name, tmp_path / name)
    (tmp_path / "notes.txt").write_text("not a model")
    code, lines = run([str(tmp_path)])
    assert (code, lines) == (0, ["2 file(s): 0 error(s), 0 warning(s)"])


def test_errors_print_one_per_line_and_exit_one() -> None:
    code, lines = run([str(HOSTILE / "script_python.bpmn"), str(HOSTILE / "xxe.bpmn")])
    assert code == 1
    assert lines[0].startswith("error: xxe.bpmn: a DOCTYPE")
    assert lines[1].startswith(
        "error: script_python.bpmn#Task_script 'Run it': script task (python)")
    assert lines[-1] == "2 file(s): 2 error(s), 0 warning(s)"


def test_warnings_alone_exit_zero(tmp_path: Path) -> None:
    source = (HOSTILE / CLEAN_BPMN).read_text().replace(
        'camunda:topic="cii-escalate"', 'camunda:topic="cii-escalate" camunda:jobPriority="5"'
    )
    (tmp_path / CLEAN_BPMN).write_text(source)
    shutil.copy(HOSTILE / CLEAN_DMN, tmp_path / CLEAN_DMN)
    code, lines = run([str(tmp_path / CLEAN_BPMN), str(tmp_path / CLEAN_DMN)])
    assert code == 0
    assert lines[0].startswith(
        "warning: clean_case.bpmn#Task_escalate 'Escalate': camunda:jobPriority")


def test_missing_path_or_empty_folder_is_an_error(tmp_path: Path) -> None:
    assert run([str(tmp_path / "missing.bpmn")])[0] == 1
    assert run([str(tmp_path)]) == (1, ["error: no .bpmn or .dmn file given"])


def test_collect_names_files_by_base_name(tmp_path: Path) -> None:
    (tmp_path / "a.bpmn").write_bytes(b"x")
    (tmp_path / "b.DMN").write_bytes(b"y")
    (tmp_path / "c.xml").write_bytes(b"z")
    assert collect([str(tmp_path)]) == {"a.bpmn": b"x", "b.DMN": b"y"}


def test_project_bpmn_folder_has_no_errors() -> None:
    files = collect([str(BPMN_FOLDER)])
    assert files
    found = [str(f) for f in lint(files) if f.severity == "error"]
    assert found == []
