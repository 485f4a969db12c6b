"""Log lines are JSON, carry the request's id (the engine's lines too) and never a
business key, case data or token; `X-Request-Id` is taken when safe, else made."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from engine import Engine
from tests.engine import processes as engine_processes
from workflows import logs

Call = Callable[..., Any]
BUSINESS_KEY = "AVS-756.1234.5678.97"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """What the JSON handler writes, on the root logger as in production."""
    stream = io.StringIO()
    handler = logs.json_handler(stream)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_lines_are_json_with_the_request_id_and_no_key(
        engine: Engine, call: Call, tokens: dict[str, str], captured: io.StringIO) -> None:
    engine.deploy({"g.bpmn": engine_processes.gateway()})
    started = call("coordinator", "POST", "/api/v1/processes/gateway/instances",
                   json={"business_key": BUSINESS_KEY,
                         "data": {"decision": "maybe", "name": "Jeanne Exemple"}},
                   headers={"X-Request-Id": "req-start-1"})
    assert started.status_code == 201 and started.headers["X-Request-Id"] == "req-start-1"
    task = started.get_json()["open_tasks"][0]["id"]
    completed = call("sas", "POST", f"/api/v1/tasks/{task}/complete", json={"data": {}},
                     headers={"X-Request-Id": "req-complete-1"})  # no flow matches: incident
    assert completed.status_code == 200
    listed = call("coordinator", "GET", "/api/v1/instances",
                  query_string={"business_key": BUSINESS_KEY})
    made = listed.headers["X-Request-Id"]
    assert len(made) == 32

    found = lines(captured)
    assert found, "nothing was logged"
    engine_lines = [line for line in found if line["logger"] == "engine.runtime.step"]
    assert engine_lines and {line["request_id"] for line in engine_lines} == {"req-complete-1"}
    requests = {line["request_id"]: line for line in found if line["logger"] == "ciiflow.requests"}
    assert requests["req-start-1"]["route"] == "/api/v1/processes/<string:key>/instances"
    assert requests["req-start-1"]["status"] == 201
    assert requests["req-complete-1"]["method"] == "POST"
    assert requests[made]["route"] == "/api/v1/instances"  # the route, not the query string
    text = captured.getvalue()
    for secret in (BUSINESS_KEY, "756.1234", "Jeanne", tokens["coordinator"], tokens["sas"]):
        assert secret not in text


@pytest.mark.parametrize("sent", ["", "x" * 65, "a b", "id%0Aforged", "<script>", "é", "a;b"])
def test_an_unsafe_id_is_replaced(call: Call, sent: str) -> None:
    response = call(None, "GET", "/healthz", headers={"X-Request-Id": sent})
    returned = response.headers["X-Request-Id"]
    assert returned != sent and len(returned) == 32 and returned.isalnum()


def test_a_refused_request_has_its_id_too(call: Call, captured: io.StringIO) -> None:
    """Refused by the body guard, before any view: the id is still returned and logged."""
    response = call("coordinator", "POST", "/api/v1/messages", data="{not json",
                    headers={"X-Request-Id": "trace:4bf92f3577b34da6"})
    assert response.status_code == 415
    assert response.headers["X-Request-Id"] == "trace:4bf92f3577b34da6"
    line = next(line for line in lines(captured) if line["logger"] == "ciiflow.requests")
    assert line["request_id"] == "trace:4bf92f3577b34da6" and line["status"] == 415


def test_no_request_no_id(captured: io.StringIO) -> None:
    logging.getLogger("engine.runtime.timers").warning("outside any request")
    assert lines(captured)[-1]["request_id"] is None


def test_gunicorn_logging_is_json_for_its_own_loggers() -> None:
    from logging.config import dictConfig

    config = logs.gunicorn_logging()
    assert config["loggers"]["gunicorn.error"]["handlers"] == ["json"]
    stream = io.StringIO()
    config["handlers"]["json"]["stream"] = stream
    logger = logging.getLogger("gunicorn.error")
    saved = (logger.handlers[:], logger.level, logger.propagate,
             logging.getLogger().handlers[:], logging.getLogger().level)
    try:
        dictConfig(config)
        logger.info("Listening at: %s", "http://127.0.0.1:8000")
    finally:
        logger.handlers[:], logger.level, logger.propagate = saved[:3]
        logging.getLogger().handlers[:] = saved[3]
        logging.getLogger().setLevel(saved[4])
        logging.captureWarnings(False)
    assert json.loads(stream.getvalue())["message"] == "Listening at: http://127.0.0.1:8000"



def test_a_worker_logs_json_on_standard_error(capsys: pytest.CaptureFixture[str]) -> None:
    """`ciiflow worker` calls `configure`: its lines (no request: a null id) are JSON too,
    written to whatever standard error is when they are written."""
    root = logging.getLogger()
    level = root.level
    try:
        logs.configure("INFO")
        logs.configure("INFO")  # twice: still one handler
        logging.getLogger("webhooks.dispatcher").error("webhook dispatch round failed: %s",
                                                      "TimeoutError")
        logging.getLogger("spiff.task").info("State changed to READY")  # quiet
    finally:
        for handler in [h for h in root.handlers if h.get_name() == "ciiflow-json"]:
            root.removeHandler(handler)
        root.setLevel(level)
        logging.captureWarnings(False)
    [line] = capsys.readouterr().err.splitlines()
    assert json.loads(line) == {**json.loads(line), "level": "ERROR", "request_id": None,
                                "logger": "webhooks.dispatcher",
                                "message": "webhook dispatch round failed: TimeoutError"}
