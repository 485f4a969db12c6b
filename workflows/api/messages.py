"""Messages: an outside event (a partner's decision) delivered to the case waiting for it.

Who may message which case is the engine's rule (`Engine.correlate` with the
caller): an institution reaches only the cases it took part in.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from ..auth import COORDINATOR, INSTITUTION, current_principal, require
from ..runtime import engine
from ..schemas.operations import MessageResultSchema, MessageSchema

blp = Blueprint("messages", __name__, url_prefix="/api/v1",
                description="Correlate a message to the case that waits for it")


@blp.route("/messages")
class Messages(MethodView):
    @require(INSTITUTION, COORDINATOR)
    @blp.arguments(MessageSchema)
    @blp.response(200, MessageResultSchema)
    @blp.alt_response(409, description="no case waits for it, or several do")
    def post(self, args: dict[str, Any]) -> dict[str, Any]:
        """Deliver a message by business key or instance id; 409 when nobody waits for it."""
        outcome = engine().correlate(
            args["name"], business_key=args.get("business_key"),
            instance_id=args.get("instance_id"), payload=args["payload"],
            caller=current_principal())
        return {"instance_id": outcome.instance.id,
                "instance_status": outcome.instance.status,
                "incident_id": outcome.incident.id if outcome.incident else None}
