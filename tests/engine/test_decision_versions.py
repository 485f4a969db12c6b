"""Versions per process and per decision (issue 11 item 3), and the deploy dry run (item 2).

A process keeps its version when its own files did not change; a DMN file deploys
alone; a business rule task finds its decision by `camunda:decisionRefBinding`,
as Camunda 7 does, when it runs: so a corrected table reaches running cases.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine as SqlEngine
from sqlalchemy import func, select

from engine import Caller, Engine
from engine.store.models import Task
from tests.support.bpmn import Flow as F
from tests.support.bpmn import Node, document, user_task
from workflows.migrate import metadata

DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"
  xmlns:camunda="http://camunda.org/schema/1.0/dmn" id="Definitions_{key}" name="DRD"
  namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="{key}" name="Route" camunda:versionTag="{tag}">
    <decisionTable id="Table_{key}" hitPolicy="FIRST">
      <input id="Input_1" label="Kind">
        <inputExpression id="InputExpression_1" typeRef="string"><text>kind</text></inputExpression>
      </input>
      <output id="Output_1" label="Team" name="team" typeRef="string" />
      <rule id="Rule_1">
        <inputEntry id="UnaryTests_1"><text>-</text></inputEntry>
        <outputEntry id="LiteralExpression_1"><text>"{team}"</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>
"""


def dmn(team: str, tag: str = "v1", key: str = "route") -> bytes:
    return DMN.format(team=team, tag=tag, key=key).encode()


def process(pid: str = "routed", **binding: str) -> bytes:
    """Wait for intake, then decide the team, then a task for the team."""
    attrs = {"camunda:decisionRef": "route", "camunda:resultVariable": "team",
             "camunda:mapDecisionResult": "singleEntry",
             **{f"camunda:{k}": v for k, v in binding.items()}}
    nodes = [Node("start_event", "startEvent"), user_task("intake_task", "sas"),
             Node("route_rule", "businessRuleTask", "Route", attrs),
             user_task("work_task", "${team}"), Node("done_end", "endEvent")]
    ids = [n.id for n in nodes]
    return document(pid, nodes, [F(a, b) for a, b in zip(ids, ids[1:], strict=False)])


def team_after_intake(engine: Engine, instance_id: str) -> list[str]:
    with engine.sessions() as s:
        intake = s.scalars(select(Task).where(Task.instance_id == instance_id,
                                              Task.state == "ready")).one()
    engine.complete_task(intake.id, {}, actor="sas")
    with engine.sessions() as s:
        work = s.scalars(select(Task).where(Task.instance_id == instance_id,
                                            Task.state == "ready")).one()
    return list(work.candidate_groups)


def rows(db: SqlEngine) -> dict[str, int]:
    with db.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in metadata.sorted_tables}


def test_a_dry_run_says_what_would_change_and_writes_nothing(engine: Engine,
                                                            db: SqlEngine) -> None:
    engine.deploy({"routed.bpmn": process(), "route.dmn": dmn("sas")})
    engine.start("routed", "R-1", {})
    before = rows(db)
    plan = engine.deploy({"routed.bpmn": process(), "route.dmn": dmn("oai"),
                          "other.bpmn": process("other")}, dry_run=True)
    assert rows(db) == before
    assert plan.dry_run
    assert [(d.key, d.version, d.created) for d in plan.definitions] == [
        ("other", 1, True), ("routed", 1, False)]
    assert [(d.key, d.version, d.created) for d in plan.decisions] == [("route", 2, True)]
    assert [(d.key, d.version) for d in engine.definitions()] == [("routed", 1)]


def test_a_process_keeps_its_version_when_only_its_neighbours_change(engine: Engine) -> None:
    first = engine.deploy({"routed.bpmn": process(), "other.bpmn": process("other"),
                           "route.dmn": dmn("sas"), "unused.dmn": dmn("x", key="unused")})
    assert [(d.key, d.version) for d in first.definitions] == [("other", 1), ("routed", 1)]
    # an unused DMN file changes: its decision gets a version, no process does
    again = engine.deploy({"routed.bpmn": process(), "other.bpmn": process("other"),
                           "route.dmn": dmn("sas"), "unused.dmn": dmn("y", key="unused")})
    assert [(d.key, d.version, d.created) for d in again.definitions] == [
        ("other", 1, False), ("routed", 1, False)]
    assert [(d.key, d.version, d.created) for d in again.decisions] == [
        ("route", 1, False), ("unused", 2, True)]
    # the used table changes: `routed` (bound latest) keeps its version and finds the new
    # table when it runs; `other` now binds by deployment, so its own file changed
    changed = engine.deploy({"routed.bpmn": process(), "route.dmn": dmn("oai"),
                             "other.bpmn": process("other", decisionRefBinding="deployment")})
    assert [(d.key, d.version, d.created) for d in changed.definitions] == [
        ("other", 2, True), ("routed", 1, False)]
    # a table bound by deployment is part of the process: changing it makes a version
    bound = engine.deploy({"other.bpmn": process("other", decisionRefBinding="deployment"),
                           "route.dmn": dmn("sas")})
    assert [(d.key, d.version, d.created) for d in bound.definitions] == [("other", 3, True)]


def test_a_dmn_file_deploys_alone_and_reaches_running_cases(engine: Engine) -> None:
    engine.deploy({"routed.bpmn": process(), "route.dmn": dmn("sas")})
    running = engine.start("routed", "R-1", {}).instance.id
    alone = engine.deploy({"route.dmn": dmn("oai", tag="v2")})
    assert alone.definitions == []
    assert [(d.key, d.version, d.created) for d in alone.decisions] == [("route", 2, True)]
    assert [(d.key, d.version) for d in engine.definitions()] == [("routed", 1)]
    assert team_after_intake(engine, running) == ["oai"]  # latest, the default binding
    assert [(d.version, d.version_tag) for d in engine.decision_versions("route")] == [
        (1, "v1"), (2, "v2")]


@pytest.mark.parametrize(("binding", "expected"), [
    ({"decisionRefBinding": "latest"}, ["commune-sion"]),
    ({}, ["commune-sion"]),  # latest is the default
    ({"decisionRefBinding": "deployment"}, ["sas"]),
    ({"decisionRefBinding": "version", "decisionRefVersion": "1"}, ["sas"]),
    ({"decisionRefBinding": "version", "decisionRefVersion": "3"}, ["commune-sion"]),
    ({"decisionRefBinding": "versionTag", "decisionRefVersionTag": "v2"}, ["oai"]),
])
def test_each_binding_finds_its_decision(engine: Engine, binding: dict[str, str],
                                         expected: list[str]) -> None:
    engine.deploy({"routed.bpmn": process(**binding), "route.dmn": dmn("sas", tag="v0")})
    engine.deploy({"route.dmn": dmn("oai", tag="v2")})
    engine.deploy({"route.dmn": dmn("commune-sion", tag="v3")})
    case = engine.start("routed", "R-1", {}).instance.id
    assert team_after_intake(engine, case) == expected


def test_a_version_nobody_deployed_opens_an_incident(engine: Engine) -> None:
    engine.deploy({"routed.bpmn": process(decisionRefBinding="version",
                                          decisionRefVersion="7"),
                   "route.dmn": dmn("sas")})
    case = engine.start("routed", "R-1", {}).instance.id
    with engine.sessions() as s:
        intake = s.scalars(select(Task).where(Task.instance_id == case)).one()
    outcome = engine.complete_task(intake.id, {}, actor="sas")
    assert outcome.incident is not None
    assert outcome.incident.activity_id == "route_rule"
    assert "no version 7 of decision 'route'" in outcome.incident.message
    detail = engine.case(case, Caller.operator("t"))
    assert detail.instance.status == "incident"


def test_a_binding_without_its_version_is_refused_at_deploy(engine: Engine) -> None:
    from engine.errors import DefinitionRefused

    with pytest.raises(DefinitionRefused) as refused:
        engine.deploy({"routed.bpmn": process(decisionRefBinding="version"),
                       "route.dmn": dmn("sas")})
    assert "decisionRefVersion" in str(refused.value)


def test_a_version_stored_before_the_upgrade_is_recognised(engine: Engine) -> None:
    """Versions deployed before decisions were versioned summed every DMN file of the
    bundle: their stored files, not the checksum, say whether anything changed."""
    from sqlalchemy import update

    from engine.store.models import Definition

    engine.deploy({"routed.bpmn": process(), "route.dmn": dmn("sas")})
    with engine.sessions.begin() as s:
        s.execute(update(Definition).values(checksum="0" * 64))
    again = engine.deploy({"routed.bpmn": process(), "route.dmn": dmn("sas")})
    assert [(d.version, d.created) for d in again.definitions] == [(1, False)]
