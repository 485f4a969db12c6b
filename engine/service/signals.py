"""Signals: Camunda 7's `RuntimeService.signalEventReceived(name, variables)` (REST
`POST /signal`), one operation of the engine.

The signal reaches every running case that listens for it (a catch event, a boundary
event, an event subprocess) and starts a case of every latest process whose start event
is that signal (`engine.runtime.signals`). Unlike a message, nobody listening is not an
error: the answer is then an empty list, as in Camunda.

Each case is reached in a transaction of its own, with its compare-and-set: a case
advanced by someone else meanwhile is read again and reached then, so one busy case
neither blocks nor undoes the others. A case that reached an incident is in the answer
with it.

Who reaches what follows the message rule: an institution reaches only the running
cases it took part in (one of its groups was offered a task there), and starts cases as
a start would; a coordinator reaches every case.

`trigger` is Camunda's other "signal", `RuntimeService.signal(executionId)`: it moves on
one receive task drawn without a message, in one case.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.errors import ConcurrentUpdate, NotFound
from engine.runtime import signals
from engine.runtime.signals import Reached
from engine.runtime.step import StepOutcome, merged
from engine.service.base import ServiceBase
from engine.service.caller import Caller
from engine.store.models import Definition
from engine.store.queries import took_part

#: how often a case advanced meanwhile by someone else is read again before giving up
_ATTEMPTS = 5


class SignalService(ServiceBase):
    def broadcast_signal(self, name: str, variables: Mapping[str, Any] | None = None, *,
                         actor: str | None = None,
                         caller: Caller | None = None) -> list[Reached]:
        """Deliver `name` to every case listening and start every process it starts; the
        cases reached, in that order (waiting cases oldest first, then the started)."""
        signals.check_name(name)
        data = merged(dict(variables or {}))
        actor = caller.name if caller else actor
        with self.readers() as session:
            waiting = signals.waiting_cases(self, session, name)  # type: ignore[arg-type]
            if caller is not None and not caller.reads_all:
                waiting = [case for case in waiting if caller.is_institution
                           and took_part(session, case, caller.groups)]
            starts = [(d.id, activity) for d, activity in signals.starting_definitions(
                self, session, name)]  # type: ignore[arg-type]
        reached = []
        for case in waiting:
            outcome = self._deliver(case, name, data, actor)
            if outcome is not None:
                reached.append(Reached(outcome, started=False))
        for definition_id, activity in starts:
            with self.sessions.begin() as session:
                definition = session.get(Definition, definition_id)
                outcome = signals.start(self, session, definition,  # type: ignore[arg-type]
                                        activity, name, data, actor)
                reached.append(Reached(outcome, started=True))
        return reached

    def trigger(self, instance_id: str, activity_id: str,
                variables: Mapping[str, Any] | None = None, *, actor: str | None = None,
                caller: Caller | None = None) -> StepOutcome:
        """Move on the receive task `activity_id` of one case, drawn without a message
        (Camunda's `RuntimeService.signal(executionId, variables)`). An institution may
        trigger only a case it took part in; any other is unknown to it."""
        data = merged(dict(variables or {}))
        if caller is not None:
            actor = caller.name
            if not caller.reads_all:
                with self.readers() as session:
                    if not (caller.is_institution
                            and took_part(session, instance_id, caller.groups)):
                        raise NotFound(f"no instance {instance_id}")
        with self.sessions.begin() as session:
            return signals.trigger(self, session, instance_id,  # type: ignore[arg-type]
                                   activity_id, data, actor)

    def _deliver(self, case: str, name: str, data: dict[str, Any],
                 actor: str | None) -> Any:
        for attempt in range(_ATTEMPTS):
            try:
                with self.sessions.begin() as session:
                    return signals.deliver(self, session, case,  # type: ignore[arg-type]
                                           name, data, actor)
            except ConcurrentUpdate:
                if attempt == _ATTEMPTS - 1:
                    raise
        return None
