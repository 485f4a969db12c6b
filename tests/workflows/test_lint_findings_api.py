"""Over HTTP a deploy's findings name the element as the Modeler shows it, as the CLI does."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

FILES = Path(__file__).resolve().parents[1] / "engine" / "lint_files"


def deploy(call: Callable[..., Any], name: str, data: bytes, query: str = "") -> Any:
    return call("owner", "POST", f"/api/v1/definitions{query}",
                data={"files": [(io.BytesIO(data), name)]}, content_type="multipart/form-data")


def test_a_refused_deploy_names_each_element_by_id_and_name(call: Callable[..., Any]) -> None:
    refused = deploy(call, "declared_inputs.bpmn", (FILES / "declared_inputs.bpmn").read_bytes())
    assert refused.status_code == 422
    assert refused.content_type.startswith("application/problem+json")
    named = {(f["element_id"], f["element_name"], f["severity"])
             for f in refused.get_json()["findings"] if "reads `" in f["message"]}
    assert named == {("Flow_accept", "accepted", "error"),
                     ("Activity_review", "Review the case", "error")}


def test_a_dry_run_lists_warnings_with_the_element_name(call: Callable[..., Any]) -> None:
    source = (FILES / "declared_inputs.bpmn").read_text()
    fixed = source.replace("${regio}", "${region}").replace("amuont", "amount").replace(
        "decison", "decision")
    answer = deploy(call, "declared_inputs.bpmn", fixed.encode(), "?dry_run=true")
    assert answer.status_code == 200
    topic = [f for f in answer.get_json()["findings"] if "notify-institution" in f["message"]]
    assert [(f["element_id"], f["element_name"], f["severity"]) for f in topic] == [
        ("Activity_notify", "Notify the institution", "warning")]
