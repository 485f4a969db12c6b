"""Messages: deliver a message to the case that waits for it.

An institution may message only the cases it took part in (one of its groups
was offered a task of the case). For any other case it gets `NoSubscriber`,
exactly as if no case waited, so a guessed business key tells it nothing.

The message `consent_withdrawn` is the engine's own (`engine.runtime.consent`):
it closes the case wherever it stands, whatever its process drew.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.errors import NoSubscriber
from engine.runtime.consent import CONSENT_WITHDRAWN
from engine.runtime.messages import correlate
from engine.runtime.step import StepOutcome, merged
from engine.service.base import ServiceBase
from engine.service.caller import Caller
from engine.store.queries import message_targets, took_part


class MessageService(ServiceBase):
    def correlate(self, message_name: str, *, business_key: str | None = None,
                  instance_id: str | None = None, payload: Mapping[str, Any] | None = None,
                  actor: str | None = None, caller: Caller | None = None) -> StepOutcome:
        """Deliver by business key or instance id; `caller` (when given) is also the actor."""
        if message_name == CONSENT_WITHDRAWN:  # an engine rule, whatever the process drew
            return self.withdraw_consent(  # type: ignore[attr-defined]
                business_key=business_key, instance_id=instance_id, actor=actor, caller=caller)
        if caller is not None:
            self._check_may_message(caller, message_name, business_key, instance_id)
            actor = caller.name
        return correlate(self, message_name, business_key=business_key,  # type: ignore[arg-type]
                         instance_id=instance_id, payload=merged(payload), actor=actor)

    def _check_may_message(self, caller: Caller, name: str, business_key: str | None,
                           instance_id: str | None) -> None:
        if caller.reads_all:
            return
        with self.readers() as session:
            targets = message_targets(session, name, business_key=business_key,
                                      instance_id=instance_id)
            allowed = caller.is_institution and bool(targets) and all(
                took_part(session, target, caller.groups) for target in targets)
        if not allowed:
            raise NoSubscriber(f"no instance waits for message '{name}'")
