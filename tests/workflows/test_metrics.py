"""`/metrics`: Prometheus text that prometheus-client's own parser reads, counting what
was done through the API (a completion, a step, an incident, a delivery), readable
only with the metrics token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from prometheus_client.parser import text_string_to_metric_families

from engine import Engine
from tests.engine import processes as engine_processes
from tests.support.principals import bearer
from tests.webhooks.receivers import Receiver
from tests.workflows.conftest import ANNOUNCEMENT
from webhooks import dispatcher
from workflows.app import create_app
from workflows.metrics import TOKEN_SETTING

Call = Callable[..., Any]
TOKEN = "scrape-3f9a2c"
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture
def app(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Flask:
    monkeypatch.setenv("CIIFLOW_SECRET_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("CIIFLOW_WEBHOOK_ALLOW_HOSTS", "127.0.0.1")
    monkeypatch.delenv(TOKEN_SETTING, raising=False)
    return create_app({"TESTING": True, "METRICS_TOKEN": TOKEN}, engine=engine)


def scrape(call: Call) -> Samples:
    response = call(None, "GET", "/metrics", headers=bearer(TOKEN))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.content_type.startswith("text/plain; version=")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.get_data(as_text=True))
            for s in family.samples}


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_a_completion_and_its_steps_are_counted_once_committed(deployed: Engine,
                                                               call: Call) -> None:
    started = call("orp", "POST", "/api/v1/processes/cii_mini/instances",
                   json={"business_key": "M-1", "data": ANNOUNCEMENT})
    assert started.status_code == 201
    task = call("team_central", "GET", "/api/v1/tasks").get_json()["items"][0]["id"]
    before = scrape(call)
    refused = call("team_central", "POST", f"/api/v1/tasks/{task}/complete",
                   json={"data": {"service": "nothing-of-the-list"}})
    assert refused.status_code == 422  # refused by the form: no step, no completion
    done = call("team_central", "POST", f"/api/v1/tasks/{task}/complete",
                json={"data": {"service": "tro"}})
    assert done.status_code == 200, done.get_json()
    after = scrape(call)
    assert value(after, "ciiflow_task_completions_total") - value(
        before, "ciiflow_task_completions_total") == 1
    assert value(after, "ciiflow_steps_total") - value(before, "ciiflow_steps_total") == 1
    route = "/api/v1/tasks/<string:task_id>/complete"
    assert value(after, "ciiflow_http_request_duration_seconds_count",
                 method="POST", route=route, status="200") >= 1
    assert value(after, "ciiflow_http_request_duration_seconds_count",
                 method="POST", route=route, status="422") >= 1


def test_incidents_and_stuck_cases_are_read_from_the_database(engine: Engine,
                                                              call: Call) -> None:
    engine.deploy({"g.bpmn": engine_processes.gateway()})
    assert value(scrape(call), "ciiflow_incidents_open") == 0
    started = call("coordinator", "POST", "/api/v1/processes/gateway/instances",
                   json={"business_key": "G-1", "data": {"decision": "maybe"}})
    task = started.get_json()["open_tasks"][0]["id"]
    ended_before = value(scrape(call), "ciiflow_cases_ended_total", status="completed")
    call("sas", "POST", f"/api/v1/tasks/{task}/complete", json={"data": {}})  # no flow: incident
    samples = scrape(call)
    assert value(samples, "ciiflow_incidents_open") == 1
    assert value(samples, "ciiflow_stuck_cases", reason="incident") == 1
    assert value(samples, "ciiflow_stuck_cases", reason="no_holder") == 0
    incident = call("coordinator", "GET", "/api/v1/incidents").get_json()["items"][0]["id"]
    retried = call("coordinator", "POST", f"/api/v1/incidents/{incident}/retry",
                   json={"data": {"decision": "refuse"}})
    assert retried.get_json()["instance_status"] == "completed"
    samples = scrape(call)
    assert value(samples, "ciiflow_incidents_open") == 0
    assert value(samples, "ciiflow_stuck_cases", reason="incident") == 0
    assert value(samples, "ciiflow_cases_ended_total", status="completed") - ended_before == 1


def test_deliveries_by_status_and_receiver_latency(deployed: Engine, call: Call) -> None:
    with Receiver() as receiver:
        registered = call("team_central", "POST", "/api/v1/webhooks/endpoints",
                          json={"url": receiver.url, "event_types": ["task.ready"]})
        assert registered.status_code == 201, registered.get_json()
        call("orp", "POST", "/api/v1/processes/cii_mini/instances",
             json={"business_key": "W-1", "data": ANNOUNCEMENT})
        assert value(scrape(call), "ciiflow_webhook_deliveries", status="pending") == 1
        assert dispatcher.run_once(deployed) == 1
    samples = scrape(call)
    assert value(samples, "ciiflow_webhook_deliveries", status="delivered") == 1
    assert value(samples, "ciiflow_webhook_deliveries", status="pending") == 0
    assert value(samples, "ciiflow_webhook_attempt_duration_seconds_count") == 1
    assert value(samples, "ciiflow_webhook_attempt_duration_seconds_bucket", le="+Inf") == 1
    assert value(samples, "ciiflow_webhook_attempt_duration_seconds_bucket", le="30.0") == 1


def test_only_the_metrics_token_reads(engine: Engine, app: Flask, call: Call) -> None:
    anonymous = call(None, "GET", "/metrics")
    assert anonymous.status_code == 401 and anonymous.mimetype == "application/problem+json"
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    assert call("admin", "GET", "/metrics").status_code == 401  # a principal's token is not it
    closed = create_app({"TESTING": True}, engine=engine).test_client().get(
        "/metrics", headers=bearer(TOKEN))
    assert closed.status_code == 403
    assert TOKEN_SETTING in closed.get_json()["detail"]


def test_nothing_names_a_case(deployed: Engine, call: Call) -> None:
    call("orp", "POST", "/api/v1/processes/cii_mini/instances",
         json={"business_key": "AVS-756.9217.0769.85", "data": ANNOUNCEMENT})
    text = call(None, "GET", "/metrics", headers=bearer(TOKEN)).get_data(as_text=True)
    assert "756.9217" not in text and "P-001" not in text and "cii_mini" not in text
