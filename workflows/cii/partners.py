"""Informing the partners of a case, as the CII process's `notify-partners` topic.

The partners learn of a case's outcome through ciiflow's own channels (their
task lists and signed webhooks carry ids and links, never the person's data),
so this handler only records when the partners were informed, in the case.
"""

from __future__ import annotations

from engine.camunda.handlers import HandlerContext, HandlerRegistry


def register(registry: HandlerRegistry) -> None:
    registry.register("topic", "notify-partners", notify_partners)


def notify_partners(ctx: HandlerContext) -> dict[str, str]:
    return {"partners_informed_at": ctx.now.isoformat()}
