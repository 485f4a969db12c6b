"""External topics that nothing serves: their tasks would wait forever.

A topic is served by a handler registered in the engine (it runs in the step)
or by a worker whose token is granted it (`ciiflow token create --name WORKER
--role worker --topic …`). Without a database (plain `ciiflow lint`) the tokens
are not known and nothing is said, since most topics are served by workers; at
deploy and on a dry run the enabled principals of the database are asked. A
warning, not an error: a worker's token is often granted after the process is
deployed, and a waiting external task is shown in the stuck list.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lxml import etree

from engine.camunda.namespaces import BPMN, CAMUNDA, tag
from engine.lint.report import Report

_TASKS = ("serviceTask", "sendTask")


def _served_by_handler(handlers: Any, topic: str) -> bool:
    lookup = getattr(handlers, "lookup", None)
    try:
        return callable(lookup) and lookup("topic", topic) is not None
    except Exception:  # noqa: BLE001 - a broken registry serves nothing
        return False


def check_topics(root: etree._Element, report: Report, handlers: Any,
                 worker_topics: Iterable[str] | None) -> None:
    if worker_topics is None:
        return
    granted = set(worker_topics)
    for local in _TASKS:
        for task in root.iter(tag(BPMN, local)):
            if (task.get(tag(CAMUNDA, "type")) or "").strip() != "external":
                continue
            topic = (task.get(tag(CAMUNDA, "topic")) or "").strip()
            if (not topic or "${" in topic or topic in granted
                    or _served_by_handler(handlers, topic)):
                continue
            report.warning(
                task.get("id"),
                f"external topic {topic!r} has no registered handler and no worker token is "
                "granted it: its tasks would wait forever; grant it to a worker (ciiflow "
                f"token create --name WORKER --role worker --topic {topic}) or correct the "
                "topic")
