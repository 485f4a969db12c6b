"""`ciiflow lint FOLDER` reads the folder's bindings.yaml with its BPMN files."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.modeler.conftest import FILES
from workflows.cli import main

Call = Callable[..., Any]


def deploy(call: Call, files: dict[str, bytes]) -> Any:
    return call("owner", "POST", "/api/v1/definitions",
                data={"files": [(io.BytesIO(data), name) for name, data in files.items()]},
                content_type="multipart/form-data")


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIIFLOW_DATABASE_URL", f"sqlite:///{tmp_path / 'lint.sqlite3'}")


def lint_folder(folder: Path) -> tuple[int, list[str]]:
    result = CliRunner().invoke(main, ["lint", str(folder)])
    return result.exit_code, [line for line in result.output.splitlines()
                              if line.startswith("error")]


def test_a_folder_with_a_bindings_file_lints_its_delegates_bound(tmp_path: Path) -> None:
    folder = tmp_path / "migrated"
    folder.mkdir()
    shutil.copy(FILES / "delegate_expression.bpmn", folder)
    code, errors = lint_folder(folder)
    assert code == 1
    assert errors[0].startswith("error: delegate_expression.bpmn#Do_Work 'Do work': "
                                "no handler registered for camunda:delegateExpression")
    (folder / "bindings.yaml").write_text("delegates:\n  ${letterService}: {topic: letters}\n")
    assert lint_folder(folder) == (0, [])


def test_the_api_deploys_a_bindings_file_with_the_bpmn_files(call: Call) -> None:
    files = {"delegate_expression.bpmn": (FILES / "delegate_expression.bpmn").read_bytes()}
    refused = deploy(call, files)
    assert refused.status_code == 422
    assert "Do_Work" in str(refused.get_json())
    files["bindings.yaml"] = b"delegates:\n  ${letterService}: {topic: letters}\n"
    deployed = deploy(call, files)
    assert deployed.status_code == 201, deployed.get_json()
    listed = call("owner", "GET", "/api/v1/definitions").get_json()["items"]
    [row] = [d for d in listed if d["key"] == "delegate_expression"]
    assert row["resource_names"] == ["bindings.yaml", "delegate_expression.bpmn"]
