"""Thin event payloads: ids, type, state and links, nothing about the person.

A receiver learns *that* something happened and where to ask; it then reads
the details through the authenticated API, which checks its rights and records
the read. So a payload never holds a name, an AVS number, a form value or free
text (an incident's message is free text: it stays out).

The business key is left out too: the engine accepts any string there, and a
caller may well use a case reference that contains a name or an AVS number;
ciiflow cannot tell, so it does not send it. The process key is a model
identifier chosen by process owners and is sent.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

TASK_READY = "task.ready"
TASK_COMPLETED = "task.completed"
TASK_CANCELLED = "task.cancelled"
TASK_OVERDUE = "task.overdue"
TASK_DUE_SOON = "task.due_soon"
INSTANCE_COMPLETED = "instance.completed"
INSTANCE_INCIDENT = "instance.incident"
ENDPOINT_DISABLED = "endpoint.disabled"
PING = "ping"

#: What an endpoint may subscribe to (a ping is sent on request, to one endpoint).
EVENT_TYPES = (TASK_READY, TASK_COMPLETED, INSTANCE_COMPLETED, INSTANCE_INCIDENT,
               ENDPOINT_DISABLED, TASK_CANCELLED, TASK_OVERDUE, TASK_DUE_SOON)

API = "/api/v1"


def new_message_id() -> str:
    """A `webhook-id`: unique per message, kept on every attempt and redelivery."""
    return "msg_" + uuid.uuid4().hex


def iso(when: datetime | None) -> str | None:
    if when is None:
        return None
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def body(event_type: str, at: datetime, data: dict[str, Any]) -> str:
    """The JSON text that is signed and sent, compact and stable in key order."""
    return json.dumps({"type": event_type, "timestamp": iso(at), "data": data},
                      separators=(",", ":"), sort_keys=True)


def task_data(*, task_id: str, instance_id: str, process_key: str, activity: str,
              groups: tuple[str, ...] | list[str], state: str,
              due_at: datetime | None = None, reason: str | None = None) -> dict[str, Any]:
    """A task event's data; a cancelled task also says why (`reason`, a fixed word or
    null when unknown, never the free text a coordinator typed)."""
    data: dict[str, Any] = {
        "task_id": task_id,
        "instance_id": instance_id,
        "process": process_key,
        "activity": activity,
        "groups": list(groups),
        "due_date": iso(due_at),
        "state": state,
        "links": {"self": f"{API}/tasks/{task_id}",
                  "instance": f"{API}/instances/{instance_id}"},
    }
    if state == "cancelled":
        data["reason"] = reason
    return data


def instance_data(*, instance_id: str, process_key: str, state: str,
                  activity: str | None = None, incident_id: int | None = None
                  ) -> dict[str, Any]:
    data: dict[str, Any] = {
        "instance_id": instance_id,
        "process": process_key,
        "state": state,
        "links": {"self": f"{API}/instances/{instance_id}"},
    }
    if incident_id is not None:
        data["incident_id"] = incident_id
        data["activity"] = activity
        data["links"]["incident"] = f"{API}/incidents/{incident_id}"
    return data


def endpoint_data(*, endpoint_id: str, reason: str) -> dict[str, Any]:
    return {
        "endpoint_id": endpoint_id,
        "state": "disabled",
        "reason": reason,
        "links": {"self": f"{API}/webhooks/endpoints/{endpoint_id}"},
    }


def ping_data(*, endpoint_id: str) -> dict[str, Any]:
    return {"endpoint_id": endpoint_id, "state": "ping",
            "links": {"self": f"{API}/webhooks/endpoints/{endpoint_id}"}}
