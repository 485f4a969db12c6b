"""Every payload the outbox writes validates against its schema in docs/webhook-events.md."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

jsonschema = pytest.importorskip("jsonschema")

from webhooks import payloads  # noqa: E402

DOC = Path(__file__).resolve().parents[2] / "docs" / "webhook-events.md"
AT = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
TASK = "afcaebce-9c2c-42b2-8876-3aa670370bbe"
INSTANCE = "4574be63-d0ee-4369-8dd1-6e5eff81be19"


def schemas() -> dict[str, dict]:
    found = {}
    for block in re.findall(r"```json\n(.*?)```", DOC.read_text(), re.S):
        schema = json.loads(block)
        if "$schema" in schema:
            found[schema["$id"].rsplit("/", 1)[1].removesuffix(".json")] = schema
    return found


CASES = [
    ("task", payloads.TASK_READY, payloads.task_data(
        task_id=TASK, instance_id=INSTANCE, process_key="p", activity="a", groups=["sas"],
        state="ready", due_at=AT)),
    ("task", payloads.TASK_COMPLETED, payloads.task_data(
        task_id=TASK, instance_id=INSTANCE, process_key="p", activity="a", groups=[],
        state="completed")),
    ("task.cancelled", payloads.TASK_CANCELLED, payloads.task_data(
        task_id=TASK, instance_id=INSTANCE, process_key="p", activity="a", groups=["sas"],
        state="cancelled", reason="boundary")),
    ("task.cancelled", payloads.TASK_CANCELLED, payloads.task_data(
        task_id=TASK, instance_id=INSTANCE, process_key="p", activity="a", groups=[],
        state="cancelled")),
    ("task.overdue", payloads.TASK_OVERDUE, payloads.task_data(
        task_id=TASK, instance_id=INSTANCE, process_key="p", activity="a", groups=["sas"],
        state="ready", due_at=AT)),
    ("task.overdue", payloads.TASK_DUE_SOON, payloads.task_data(
        task_id=TASK, instance_id=INSTANCE, process_key="p", activity="a", groups=["sas"],
        state="ready", due_at=AT)),
    ("instance.completed", payloads.INSTANCE_COMPLETED, payloads.instance_data(
        instance_id=INSTANCE, process_key="p", state="completed")),
    ("instance.incident", payloads.INSTANCE_INCIDENT, payloads.instance_data(
        instance_id=INSTANCE, process_key="p", state="incident", activity="gw",
        incident_id=3)),
    ("endpoint.disabled", payloads.ENDPOINT_DISABLED, payloads.endpoint_data(
        endpoint_id="ep_" + "0" * 32, reason="gone")),
    ("ping", payloads.PING, payloads.ping_data(endpoint_id="ep_1")),
]


@pytest.mark.parametrize(("schema", "event_type", "data"), CASES)
def test_payload_matches_documented_schema(schema: str, event_type: str, data: dict) -> None:
    body = json.loads(payloads.body(event_type, AT, data))
    jsonschema.Draft202012Validator(schemas()[schema]).validate(body)
