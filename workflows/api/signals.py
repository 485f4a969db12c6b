"""Signals: Camunda 7's `POST /signal`, one name broadcast to every case that listens;
and the trigger of one receive task drawn without a message (`POST /execution/{id}/signal`).

Who reaches which case is the engine's rule (`Engine.broadcast_signal` with the caller),
as for messages: an institution reaches only the running cases it took part in.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from ..auth import COORDINATOR, INSTITUTION, current_principal, require
from ..runtime import engine
from ..schemas.signals import (
    SignalResultSchema,
    SignalSchema,
    TriggerResultSchema,
    TriggerSchema,
    signal_answer,
    trigger_answer,
)

blp = Blueprint("signals", __name__, url_prefix="/api/v1",
                description="Broadcast a signal to every case and process listening for it")


@blp.route("/signals")
class Signals(MethodView):
    @require(INSTITUTION, COORDINATOR)
    @blp.arguments(SignalSchema)
    @blp.response(200, SignalResultSchema)
    def post(self, args: dict[str, Any]) -> dict[str, Any]:
        """Deliver the signal to every running case waiting for it (catch, boundary and
        event-subprocess events) and start a case of every latest process whose start
        event is that signal. Nobody listening is an empty `reached` list."""
        reached = engine().broadcast_signal(args["name"], args["variables"],
                                            caller=current_principal())
        return signal_answer(reached)


@blp.route("/instances/<instance_id>/trigger")
class Trigger(MethodView):
    @require(INSTITUTION, COORDINATOR)
    @blp.arguments(TriggerSchema)
    @blp.response(200, TriggerResultSchema)
    def post(self, args: dict[str, Any], instance_id: str) -> dict[str, Any]:
        """Move on a receive task drawn without a message (Camunda's
        `POST /execution/{id}/signal`); 422 naming `activity_id` when nothing waits there."""
        outcome = engine().trigger(instance_id, args["activity_id"], args["variables"],
                                   caller=current_principal())
        return trigger_answer(outcome)
