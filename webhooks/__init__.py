"""Signed webhooks for institutions: endpoints, transactional outbox, dispatcher, SSRF guard.

`install(engine)` subscribes the outbox writer to an engine's domain events and adds
the `notification_failing` stuck reason; `webhooks.dispatcher.run_once(...)` sends
what is due. Imports only `engine`.
"""

from typing import Any

from . import outbox, stuck


def install(engine: Any) -> None:
    """The outbox writer on the engine's events, and its stuck cases told of failing
    webhooks (once, however often called)."""
    outbox.install(engine)
    stuck.install(engine)


__all__ = ["install"]
