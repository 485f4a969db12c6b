"""Signals: Camunda 7's `POST /signal`, one name broadcast to every case that listens.

Who reaches which case is the engine's rule (`Engine.broadcast_signal` with the caller),
as for messages: an institution reaches only the running cases it took part in.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from ..auth import COORDINATOR, INSTITUTION, current_principal, require
from ..runtime import engine
from ..schemas.signals import SignalResultSchema, SignalSchema, signal_answer

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
