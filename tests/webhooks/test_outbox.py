"""The outbox: engine steps write their messages in their own transaction, routed by group."""

from __future__ import annotations

import json

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import select, update
from standardwebhooks import Webhook
from werkzeug import Request, Response

from engine import ConcurrentUpdate, Engine, ManualClock
from engine.runtime.step import Step, run_engine
from engine.store.models import Instance, Task
from tests.engine import processes
from tests.support.principals import add_principal
from webhooks.dispatcher import Dispatcher
from webhooks.models import WebhookDelivery, WebhookMessage

from .conftest import add_endpoint


def ready(engine: Engine, instance_id: str) -> list[Task]:
    with engine.sessions() as s:
        return list(s.scalars(select(Task).where(Task.instance_id == instance_id,
                                                 Task.state == "ready")))


def messages(engine: Engine) -> list[tuple[str, dict]]:
    with engine.sessions() as s:
        rows = s.execute(select(WebhookMessage.event_type, WebhookMessage.body)
                         .order_by(WebhookMessage.created_at, WebhookMessage.event_type))
        return [(t, json.loads(b)) for t, b in rows]


def test_completing_a_task_tells_the_next_institution(wengine: Engine, dispatcher: Dispatcher,
                                                      httpserver: HTTPServer) -> None:
    received: list[Request] = []

    def handler(request: Request) -> Response:
        received.append(request)
        return Response("ok")

    httpserver.expect_request("/sas", method="POST").respond_with_handler(handler)
    team = add_principal(wengine, "team-sion", "institution", ["cii-team-sion"]).id
    sas = add_principal(wengine, "sas", "institution", ["sas"]).id
    add_principal(wengine, "nobody", "institution", ["sas"])  # holds the group, no endpoint
    add_endpoint(wengine, team, httpserver.url_for("/team"), ["task.completed"])
    _, secret = add_endpoint(wengine, sas, httpserver.url_for("/sas"), ["task.ready"])

    wengine.deploy({"p.bpmn": processes.three_tasks()})
    started = wengine.start("three_tasks", "AVS 756.1234.5678.97", {"region": "sion"})
    first = ready(wengine, started.instance.id)[0]
    httpserver.expect_request("/team", method="POST").respond_with_data("ok")
    wengine.complete_task(first.id, {"name": "Jean Dupont"}, actor="team-sion")
    second = ready(wengine, started.instance.id)[0]

    assert dispatcher.run_once() == 2  # task.completed to the team, task.ready to the SAS
    assert len(received) == 1
    request = received[0]
    payload = Webhook(secret).verify(request.get_data(), dict(request.headers))
    assert payload["type"] == "task.ready"
    data = payload["data"]
    assert data["task_id"] == second.id and data["instance_id"] == started.instance.id
    assert data["activity"] == "second_task" and data["groups"] == ["sas"]
    assert data["state"] == "ready" and data["due_date"].startswith("2026-01-15T08:00:00")
    assert data["links"]["self"] == f"/api/v1/tasks/{second.id}"
    raw = request.get_data(as_text=True)
    assert "756.1234" not in raw and "Dupont" not in raw and "business_key" not in raw


def test_a_rolled_back_step_writes_no_message_and_committed_steps_have_theirs(
        wengine: Engine, clock: ManualClock) -> None:
    sas = add_principal(wengine, "sas", "institution", ["sas"]).id
    coordinator = add_principal(wengine, "coord", "coordinator", []).id
    add_endpoint(wengine, sas, "http://127.0.0.1:9/sas")
    add_endpoint(wengine, coordinator, "http://127.0.0.1:9/coord")
    wengine.deploy({"p.bpmn": processes.gateway()})
    started = wengine.start("gateway", "case-1", {})
    task = ready(wengine, started.instance.id)[0]
    assert [t for t, _ in messages(wengine)] == ["task.ready"]
    clock.advance(minutes=1)

    # the gateway fails: the completion is rolled back, an incident is opened instead
    outcome = wengine.complete_task(task.id, {"comment": "free text"}, actor="sas")
    assert outcome.incident is not None
    kinds = [t for t, _ in messages(wengine)]
    assert kinds == ["task.ready", "instance.incident"]
    incident = messages(wengine)[-1][1]["data"]
    assert incident["incident_id"] == outcome.incident.id
    assert incident["activity"] == "decision_gateway" and incident["state"] == "incident"
    # the incident's message is free text: it stays out
    assert "message" not in incident and outcome.incident.message not in json.dumps(incident)

    # a step that loses the compare-and-set writes nothing at all
    with pytest.raises(ConcurrentUpdate):
        with wengine.sessions.begin() as s:
            instance = s.get(Instance, started.instance.id)
            step = Step(wengine.runtime, s, instance)
            wf = step.load()
            s.execute(update(Instance).where(Instance.id == instance.id)
                      .values(version=Instance.version + 1)
                      .execution_options(synchronize_session=False))
            spiff = [t for t in wf.get_tasks() if str(t.id) == task.id][0]

            def action(w):  # noqa: ANN001, ANN202
                spiff.data["decision"] = "refuse"
                spiff.run()
                run_engine(w)

            step.advance(wf, action, actor="loser", operation={})
    assert [t for t, _ in messages(wengine)] == ["task.ready", "instance.incident"]

    # the retry commits: the completion and the end of the instance are announced
    clock.advance(minutes=1)
    wengine.retry_incident(outcome.incident.id, data={"decision": "refuse"}, actor="coord")
    kinds = [t for t, _ in messages(wengine)]
    assert kinds[2:] == ["instance.completed", "task.completed"]
    with wengine.sessions() as s:
        pairs = s.execute(select(WebhookMessage.event_type, WebhookDelivery.endpoint_id)
                          .join(WebhookDelivery)).all()
    by_type: dict[str, int] = {}
    for event_type, _ in pairs:
        by_type[event_type] = by_type.get(event_type, 0) + 1
    # instance.completed: the coordinator and the SAS (it held a task of the instance)
    assert by_type == {"task.ready": 1, "instance.incident": 1, "task.completed": 1,
                       "instance.completed": 2}


def test_nobody_listening_writes_nothing(wengine: Engine) -> None:
    wengine.deploy({"p.bpmn": processes.three_tasks()})
    wengine.start("three_tasks", "case-1", {"region": "sion"})
    assert messages(wengine) == []
