"""Small processes with Camunda forms (`camunda:formData`) for the API tests."""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from tests.support.bpmn import Flow, Node, document, user_task


def form_field(id: str, type: str = "string", *, label: str | None = None,
               constraints: dict[str, str | None] | None = None,
               values: list[str] | None = None, default: str | None = None) -> str:
    attrs = f' id="{id}" label={quoteattr(label or id)} type="{type}"'
    if default is not None:
        attrs += f" defaultValue={quoteattr(default)}"
    inner = ""
    if constraints:
        rules = "".join(
            f'<camunda:constraint name="{name}"'
            + (f' config="{config}"' if config is not None else "") + " />"
            for name, config in constraints.items())
        inner += f"<camunda:validation>{rules}</camunda:validation>"
    for value in values or []:
        inner += f'<camunda:value id="{value}" name="{value.title()}" />'
    return f"<camunda:formField{attrs}>{inner}</camunda:formField>"


def extensions(*fields: str, expose: str | None = None) -> str:
    props = ""
    if expose:
        props = ('<camunda:properties><camunda:property name="ciiflow.expose" '
                 f'value="{expose}" /></camunda:properties>')
    form = f"<camunda:formData>{''.join(fields)}</camunda:formData>" if fields else ""
    return f"<bpmn:extensionElements>{props}{form}</bpmn:extensionElements>"


REGIONS = ["haut-valais", "valais-central", "bas-valais"]


def announcement_form() -> str:
    return extensions(
        form_field("region", "enum", values=REGIONS, constraints={"required": None}),
        form_field("consent", "boolean", constraints={"required": None}),
        form_field("summary", "string", constraints={"maxlength": "200"}),
        form_field("person_ref", "string", constraints={"required": None}),
    )


def cii_mini(pid: str = "cii_mini") -> bytes:
    """Announcement → triage (regional team) → préavis (SAS) → approval (commune) → end."""
    triage = extensions(
        form_field("service", "enum", values=["assessment", "tro", "decloisonnement", "cm"],
                   constraints={"required": None}),
        form_field("note", "string", constraints={"maxlength": "10", "minlength": "2"}),
        form_field("score", "long", constraints={"min": "0", "max": "10"}),
        form_field("review_date", "date"),
        form_field("region", "enum", values=REGIONS, constraints={"readonly": None}),
        expose="region,summary",
    )
    preavis = extensions(
        form_field("opinion", "enum", values=["favourable", "unfavourable", "more_info"],
                   constraints={"required": None}), expose="service")
    approval = extensions(form_field("approved", "boolean", constraints={"required": None}))
    nodes = [
        Node("announcement_start", "startEvent", "Announcement", inner=announcement_form()),
        user_task("triage_task", "cii-team-${region}", inner=triage,
                  **{"camunda:dueDate": "P5D"}),
        user_task("preavis_task", "sas", inner=preavis),
        user_task("approval_task", "commune-sion", inner=approval),
        Node("closed_end", "endEvent", "Closed"),
    ]
    flows = [Flow("announcement_start", "triage_task"), Flow("triage_task", "preavis_task"),
             Flow("preavis_task", "approval_task"), Flow("approval_task", "closed_end")]
    return document(pid, nodes, flows)


def one_task(pid: str = "one_task", group: str = "oai") -> bytes:
    """A single task with a one-field form, for races and benchmarks."""
    form = extensions(form_field("done", "boolean", constraints={"required": None}))
    nodes = [Node("begin_event", "startEvent"), user_task("work_task", group, inner=form),
             Node("finish_end", "endEvent")]
    return document(pid, nodes, [Flow("begin_event", "work_task"),
                                 Flow("work_task", "finish_end")])


def external(pid: str = "external_case", topic: str = "register-case") -> bytes:
    """An external service task (a worker fetches and locks it), then an OAI task."""
    form = extensions(form_field("done", "boolean"))
    nodes = [Node("begin_event", "startEvent"),
             Node("register_service", "serviceTask", "register",
                  attrs={"camunda:type": "external", "camunda:topic": topic}),
             user_task("after_task", "oai", inner=form), Node("finish_end", "endEvent")]
    flows = [Flow("begin_event", "register_service"), Flow("register_service", "after_task"),
             Flow("after_task", "finish_end")]
    return document(pid, nodes, flows)


def message_case(pid: str = "message_case") -> bytes:
    """Waits for the OAI decision message, then a task for the central CII team."""
    from tests.support.bpmn import message, message_ref

    form = extensions(form_field("done", "boolean"))
    nodes = [Node("begin_event", "startEvent"),
             Node("decision_received", "intermediateCatchEvent",
                  inner=message_ref("decision_message")),
             user_task("after_task", "cii-team-valais-central", inner=form),
             Node("finish_end", "endEvent")]
    flows = [Flow("begin_event", "decision_received"), Flow("decision_received", "after_task"),
             Flow("after_task", "finish_end")]
    return document(pid, nodes, flows, extra=message("decision_message", "oai_decision"))
