"""Messages: an outside event (a partner's decision) delivered to the case waiting for it."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from engine.errors import NoSubscriber
from engine.store.models import MessageSubscription

from ..access import took_part
from ..auth import COORDINATOR, INSTITUTION, current_principal, require
from ..runtime import engine
from ..schemas.operations import MessageResultSchema, MessageSchema

blp = Blueprint("messages", __name__, url_prefix="/api/v1",
                description="Correlate a message to the case that waits for it")


def _check_institution_target(args: dict[str, Any]) -> None:
    """An institution may message only cases it takes part in; others look like no case."""
    principal = current_principal()
    if principal.reads_all:
        return
    stmt = select(MessageSubscription.instance_id).where(
        MessageSubscription.message_name == args["name"])
    if args.get("instance_id"):
        stmt = stmt.where(MessageSubscription.instance_id == args["instance_id"])
    else:
        stmt = stmt.where(MessageSubscription.business_key == args["business_key"])
    with engine().readers() as session:
        targets = set(session.scalars(stmt))
        if not targets or not all(took_part(session, principal, t) for t in targets):
            raise NoSubscriber(f"no instance waits for message '{args['name']}'")


@blp.route("/messages")
class Messages(MethodView):
    @require(INSTITUTION, COORDINATOR)
    @blp.arguments(MessageSchema)
    @blp.response(200, MessageResultSchema)
    @blp.alt_response(409, description="no case waits for it, or several do")
    def post(self, args: dict[str, Any]) -> dict[str, Any]:
        """Deliver a message by business key or instance id; 409 when nobody waits for it."""
        _check_institution_target(args)
        outcome = engine().correlate(
            args["name"], business_key=args.get("business_key"),
            instance_id=args.get("instance_id"), payload=args["payload"],
            actor=current_principal().name)
        return {"instance_id": outcome.instance.id,
                "instance_status": outcome.instance.status,
                "incident_id": outcome.incident.id if outcome.incident else None}
