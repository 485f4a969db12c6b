"""Decisions over HTTP and on the command line: their versions, and a DMN file deployed alone."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from click.testing import CliRunner

from tests.engine.test_decision_versions import dmn, process
from workflows.cli import main

Call = Callable[..., Any]


def deploy(call: Call, files: dict[str, bytes]) -> Any:
    return call("owner", "POST", "/api/v1/definitions",
                data={"files": [(io.BytesIO(data), name) for name, data in files.items()]},
                content_type="multipart/form-data")


def test_a_dmn_file_alone_makes_a_decision_version(call: Call, tokens: dict[str, str],
                                                   db_url: str, monkeypatch: Any) -> None:
    first = deploy(call, {"routed.bpmn": process(), "route.dmn": dmn("sas")})
    assert first.status_code == 201
    assert first.get_json()["decisions"] == [
        {"key": "route", "version": 1, "version_tag": "v1", "resource": "route.dmn",
         "created": True}]
    alone = deploy(call, {"route.dmn": dmn("oai", tag="v2")})
    assert alone.status_code == 201, alone.get_json()
    assert alone.get_json()["definitions"] == []
    listed = call("sas", "GET", "/api/v1/decisions/route").get_json()["items"]
    assert [(d["version"], d["version_tag"]) for d in listed] == [(1, "v1"), (2, "v2")]
    assert call("sas", "GET", "/api/v1/decisions/nope").status_code == 404
    assert len(call("coordinator", "GET", "/api/v1/decisions").get_json()["items"]) == 2
    monkeypatch.setenv("CIIFLOW_DATABASE_URL", db_url)
    printed = CliRunner().invoke(main, ["decisions", "route"])
    assert printed.exit_code == 0, printed.output
    assert [line.split()[:3] for line in printed.stdout.splitlines()[1:]] == [
        ["route", "1", "v1"], ["route", "2", "v2"]]
