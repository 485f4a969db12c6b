"""A stuck row as a coordinator reads it: the drawn element, the called child, the why in words.

The query (engine.store.stuck) returns ids; this names the element from the
definition, lifts a wait inside a called process to the call activity of the
case's own process (the child then names the called element), and says the
reason in one sentence. The words carry ids, names of the drawing, groups,
topics and error texts, never case data: the same rows feed the CLI and the
dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from engine.runtime.elements import Element
from engine.runtime.readmodel import SIGNAL_PREFIX, TRIGGER_PREFIX
from engine.store.stuck import StuckRow


@dataclass(frozen=True)
class ChildWait:
    """Where a called process waits, inside the case's call activity."""

    process_key: str
    activity_id: str
    activity_name: str | None
    kind: str


@dataclass
class StuckCase:
    reason: str
    #: user_task | message | signal | trigger | external_task | incident | case |
    #: notification | job
    wait: str
    instance_id: str
    business_key: str | None
    process_key: str
    #: the element of the case's own process (the call activity for a wait in a child)
    activity_id: str | None
    activity_name: str | None
    activity_kind: str | None
    child: ChildWait | None
    task_id: str | None
    groups: list[str]
    since: datetime
    waiting_seconds: int
    incident_id: int | None
    external_task_id: str | None
    institution: str | None
    #: since when the cause lasts, where it is not the wait itself (the failing webhooks)
    cause_since: datetime | None
    #: the message name, the topic, the incident message or the last delivery error
    detail: str | None
    #: the reason in words
    message: str


def described(row: StuckRow, element: Element | None) -> StuckCase:
    """The row named from `element` (None: an element the definition does not know)."""
    own, child = _placed(row, element)
    wait, detail = _kept_wait(row.wait, row.detail)
    case = StuckCase(
        reason=row.reason, wait=wait, instance_id=row.instance_id,
        business_key=row.business_key, process_key=row.process_key,
        activity_id=own.id if own else row.activity_id,
        activity_name=own.name if own else row.task_name,
        activity_kind=own.kind if own else None, child=child, task_id=row.task_id,
        groups=row.groups, since=row.since, waiting_seconds=row.waiting_seconds,
        incident_id=row.incident_id, external_task_id=row.external_task_id,
        institution=row.institution, cause_since=row.cause_since, detail=detail,
        message="")
    return _with_message(case, row, element)


def _kept_wait(wait: str, detail: str | None) -> tuple[str, str | None]:
    """Signal and trigger waits share the message waits' table behind a prefix; the
    coordinator reads them as what they are: `signal` with its name, `trigger`."""
    if wait == "message" and detail:
        if detail.startswith(SIGNAL_PREFIX):
            return "signal", detail[len(SIGNAL_PREFIX):]
        if detail.startswith(TRIGGER_PREFIX):
            return "trigger", None
    return wait, detail


def _placed(row: StuckRow, element: Element | None) -> tuple[Element | None,
                                                              ChildWait | None]:
    if element is None or element.call_activity is None:
        return element, None
    return element.call_activity, ChildWait(element.process, element.id, element.name,
                                            element.kind)


def _label(element_id: str | None, name: str | None, kind: str | None) -> str:
    what = f"{kind} " if kind else ""
    if name:
        return f"{what}'{name}' ({element_id})"
    return f"{what}{element_id or '?'}"


def _where(case: StuckCase, element: Element | None, fallback_kind: str) -> str:
    """`user task 'Name' (Id)`, or the called element and the call activity leading there."""
    if case.child is not None:
        inner = _label(case.child.activity_id, case.child.activity_name, case.child.kind)
        outer = _label(case.activity_id, case.activity_name, case.activity_kind)
        return f"{inner} of called process {case.child.process_key}, through {outer}"
    kind = element.kind if element else fallback_kind
    return _label(case.activity_id, case.activity_name, kind)


def duration(seconds: int) -> str:
    """A waiting time in the largest whole unit: 12 days, 5 hours, 3 minutes."""
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return "less than a minute"


def _groups(groups: list[str]) -> str:
    if not groups:
        return "no candidate group"
    return f"group{'s' if len(groups) > 1 else ''} {', '.join(groups)}"


def _with_message(case: StuckCase, row: StuckRow, element: Element | None) -> StuckCase:
    waited = duration(case.waiting_seconds)
    since = case.since.strftime("%Y-%m-%d %H:%M UTC")
    where = _where(case, element, "user task" if row.wait == "user_task" else "element")
    detail = (case.detail or "").strip().splitlines()
    first = detail[0][:300] if detail else ""
    reason, wait = case.reason, case.wait
    if reason == "waiting" and wait == "message":
        text = f"waiting {waited} for message '{case.detail}' at {where}"
    elif reason == "waiting" and wait == "signal":
        text = f"waiting {waited} for signal '{case.detail}' at {where}"
    elif reason == "waiting" and wait == "trigger":
        text = (f"waiting {waited} at {where} for a trigger (a receive task without a "
                "message: `ciiflow trigger`)")
    elif reason == "waiting" and wait == "external_task":
        text = (f"waiting {waited} for an external worker on topic '{case.detail}' "
                f"at {where}")
    elif reason == "waiting" and wait == "job":
        text = f"waiting {waited} at {where} for a worker to run its job (async boundary)"
    elif reason == "incident" and wait == "job":
        text = (f"job at {where} failing ({first or 'error'}) for {waited}: "
                "a worker tries it again, then opens an incident")
    elif reason == "waiting":
        text = f"{where} ready for {waited}, not completed by {_groups(case.groups)}"
    elif reason == "overdue":
        text = f"{where} was due {since} ({waited} ago), {_groups(case.groups)}"
    elif reason == "incident":
        text = f"incident at {where} for {waited}: {first or 'no message'}"
    elif reason == "no_holder":
        text = (f"nobody can take {where}: no enabled principal holds "
                f"{_groups(case.groups)}" if case.groups
                else f"nobody can take {where}: it has no candidate group")
    elif reason == "idle":
        text = f"no step for {waited} (last change {since})"
    elif reason == "notification_failing":
        failing = case.cause_since or case.since
        text = (f"institution {case.institution} is not hearing of {where} "
                f"({_groups(case.groups)}), ready for {waited}: its webhook deliveries fail "
                f"since {failing.strftime('%Y-%m-%d %H:%M UTC')}{': ' + first if first else ''}")
    else:
        text = f"{reason} at {where} since {since}"
    case.message = text
    return case
