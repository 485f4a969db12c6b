"""Signed webhooks for institutions: endpoints, transactional outbox, dispatcher, SSRF guard.

`install(engine)` subscribes the outbox writer to an engine's domain events;
`webhooks.dispatcher.run_once(...)` sends what is due. Imports only `engine`.
"""

from .outbox import install

__all__ = ["install"]
