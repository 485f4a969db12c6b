"""The OpenAPI document is valid, and a bounded fuzzing run over every operation finds no 5xx."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate

from engine import Engine
from tests.support.principals import add_principal
from tests.workflows import processes
from tests.workflows.conftest import ANNOUNCEMENT


def test_openapi_document_validates(client: Any) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    validate(spec)
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert client.get("/api/docs").status_code == 200


@pytest.mark.slow
def test_fuzzing_every_operation_finds_no_server_error(app: Flask, engine: Engine) -> None:
    engine.deploy({"cii_mini.bpmn": processes.cii_mini(), "ext.bpmn": processes.external()})
    engine.start("cii_mini", "case-1", ANNOUNCEMENT)
    engine.start("external_case", "case-2", {})
    tokens = [add_principal(engine, "fuzz-admin", "admin").token,
              add_principal(engine, "fuzz-team", "institution",
                            ["cii-team-valais-central"]).token,
              add_principal(engine, "fuzz-worker", "worker", topics=["register-case"]).token]
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20

    def fuzz(operation: Any, token: str) -> None:
        @settings(max_examples=15, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            if response.status_code >= 500 and not (
                    operation.path.endswith("/healthz") and response.status_code == 503):
                failures.append(f"{operation.label}: {response.status_code}")

        run()

    for operation in operations:
        for token in tokens:
            fuzz(operation, token)
    assert failures == []
