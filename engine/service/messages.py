"""Messages: deliver a message to the case that waits for it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.runtime.messages import correlate
from engine.runtime.step import StepOutcome, merged
from engine.service.base import ServiceBase


class MessageService(ServiceBase):
    def correlate(self, message_name: str, *, business_key: str | None = None,
                  instance_id: str | None = None, payload: Mapping[str, Any] | None = None,
                  actor: str | None = None) -> StepOutcome:
        return correlate(self, message_name, business_key=business_key,  # type: ignore[arg-type]
                         instance_id=instance_id, payload=merged(payload), actor=actor)
