"""Reminders and escalation around a task that a partner must answer in time.

Why non-interrupting timers on the task rather than a deadline job: the
partner keeps the task (SAS for its préavis, the commune for its decision);
the first timer reminds the same group, the second one tells the cantonal CII
officer, and neither cancels the work already started.

Why some deadlines count working days (``working_days``): a partner held to
"ten working days" has fewer calendar days around Easter, Ascension or
Christmas; the timers are then dates written ``${workingDays(n)}`` (the end of
the n-th working day, Valais holidays excluded), and so are the due dates of
the reminder and escalation tasks (five working days).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bpmn.tools.builder import Field, Node, Process, opt, req, user
from bpmn.tools.cii_case import lanes
from bpmn.tools.vocabulary import CASE_VARS


@dataclass
class Deadline:
    """The reminders of one task: ``prefix`` names its timers, tasks and end events."""

    prefix: str
    host: str
    lane: str  # where the reminder task sits (the host's lane, second row)
    group: str
    col: int  # column of the reminder and escalation tasks
    remind_days: int
    escalate_days: int
    reminder_name: str
    reminder_field: Field
    escalation_name: str
    working_days: bool = False  # days are working days (engine.calendar), not calendar days


def escalation_form() -> list[Field]:
    return [
        req(
            "escalation_action",
            "Action",
            "enum",
            values=[
                ("contacted", "Service contacté"),
                ("new_deadline", "Nouveau délai convenu"),
                ("other", "Autre"),
            ],
        ),
        opt("escalation_note", "Note (sans données personnelles)", maxlength=500),
    ]


def _timer(d: Deadline, what: str, days: int, slot: Literal["left", "right"]) -> Node:
    if d.working_days:
        name, timer = f"{days} j.o.", ("timeDate", f"${{workingDays({days})}}")
    else:
        name, timer = f"{days} jours", ("timeDuration", f"P{days}D")
    return Node(
        f"{d.prefix}_{what}_timer",
        "boundaryEvent",
        name,
        attached=d.host,
        slot=slot,
        cancel=False,
        timer=timer,
    )


def _follow_up_due(d: Deadline) -> str:
    return "${workingDays(5)}" if d.working_days else "P5D"


def watch(p: Process, d: Deadline) -> None:
    """Both timers on the host, then the reminder and the escalation paths."""
    p.add(_timer(d, "escalation", d.escalate_days, "left"))
    p.add(_timer(d, "reminder", d.remind_days, "right"))
    p.add(
        user(
            f"{d.prefix}_reminder_task",
            d.reminder_name,
            d.lane,
            d.col,
            1,
            groups=d.group,
            due=_follow_up_due(d),
            form=[d.reminder_field],
            expose=f"{CASE_VARS},measure_ref",
        )
    )
    p.add(Node(f"{d.prefix}_reminder_end", "endEvent", "Rappel traité", d.lane, d.col + 1, 1))
    p.add(
        user(
            f"{d.prefix}_escalation_task",
            d.escalation_name,
            lanes.CANTONAL,
            d.col,
            groups="cii-cantonal",
            due=_follow_up_due(d),
            form=escalation_form(),
            expose=f"{CASE_VARS},service,measure_ref",
        )
    )
    p.add(
        Node(
            f"{d.prefix}_escalation_end", "endEvent", "Escalade traitée", lanes.CANTONAL, d.col + 1
        )
    )


def watch_flows(p: Process, d: Deadline) -> None:
    for what in ("reminder", "escalation"):
        p.flow(f"{d.prefix}_{what}_timer", f"{d.prefix}_{what}_task")
        p.flow(f"{d.prefix}_{what}_task", f"{d.prefix}_{what}_end")
