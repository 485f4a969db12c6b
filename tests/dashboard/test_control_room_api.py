"""The control room's API: diagrams, a case's position, figures per activity, batches."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from engine import Engine
from tests.dashboard.conftest import Floor

DAY = 86400


def test_figures_per_activity_count_ready_overdue_incidents_and_the_median_wait(
        call: Callable[..., Any], floor: Floor) -> None:
    body = call("coordinator", "GET",
                "/api/v1/definitions/three_tasks/versions/1/activity-stats").get_json()
    figures = {a["activity_id"]: a for a in body["activities"]}
    assert set(figures) == {"first_task", "second_task"}
    # waits of 12, 8, 6 and 4 days: the median of an even count is between the middle two
    assert figures["second_task"] == {"activity_id": "second_task", "ready": 4, "overdue": 1,
                                      "incidents": 0, "median_waiting_seconds": 7 * DAY}
    assert figures["first_task"]["ready"] == 1
    assert figures["first_task"]["median_waiting_seconds"] == 12 * DAY
    gateway = call("coordinator", "GET",
                   "/api/v1/definitions/gateway/versions/1/activity-stats").get_json()
    # the failed step is undone: decide_task stays ready until the incident is retried
    assert gateway["activities"] == [
        {"activity_id": "decide_task", "ready": 3, "overdue": 0, "incidents": 0,
         "median_waiting_seconds": 12 * DAY},
        {"activity_id": "decision_gateway", "ready": 0, "overdue": 0, "incidents": 3,
         "median_waiting_seconds": None}]


def test_figures_are_for_coordinators_and_a_missing_version_is_404(
        call: Callable[..., Any], floor: Floor) -> None:
    path = "/api/v1/definitions/three_tasks/versions/1/activity-stats"
    assert call("sas", "GET", path).status_code == 403
    missing = call("coordinator", "GET", "/api/v1/definitions/three_tasks/versions/9/"
                                         "activity-stats")
    assert missing.status_code == 404
    assert missing.mimetype == "application/problem+json"


def test_the_cases_at_an_activity_are_listed_oldest_first_and_the_read_is_logged(
        call: Callable[..., Any], floor: Floor, engine: Engine) -> None:
    body = call("coordinator", "GET", "/api/v1/definitions/three_tasks/versions/1/"
                                      "activities/second_task/cases").get_json()
    assert [c["instance_id"] for c in body["items"]] == floor.second_task
    assert {c["kind"] for c in body["items"]} == {"task"}
    assert body["items"][0]["groups"] == ["sas"]
    incidents = call("coordinator", "GET", "/api/v1/definitions/gateway/versions/1/"
                                           "activities/decision_gateway/cases").get_json()
    assert sorted(c["incident_id"] for c in incidents["items"]) == sorted(floor.incidents)
    assert all(c["message"] for c in incidents["items"])
    with engine.readers() as session:
        from sqlalchemy import select

        from engine.store.access_log import AccessLog

        rows = session.scalars(select(AccessLog).where(
            AccessLog.what == "activity_cases")).all()
    assert set(rows[0].listed) == set(floor.second_task)


def test_a_case_position_names_where_it_waits_and_its_incident_message(
        call: Callable[..., Any], floor: Floor) -> None:
    at_task = call("coordinator", "GET",
                   f"/api/v1/instances/{floor.first_task[0]}/position").get_json()
    assert [w["activity_id"] for w in at_task["waiting_at"]] == ["first_task"]
    assert at_task["incidents"] == []
    failing = call("coordinator", "GET",
                   f"/api/v1/instances/{floor.incident_cases[0]}/position").get_json()
    assert failing["incidents"][0]["activity_id"] == "decision_gateway"
    assert failing["incidents"][0]["message"]
    assert failing["diagram_link"] == "/api/v1/definitions/gateway/versions/1/diagram"
    diagram = call("sas", "GET", failing["diagram_link"]).get_json()
    assert diagram["version"] == 1 and "BPMNDiagram" in diagram["xml"]
    assert 'id="decision_gateway"' in diagram["xml"]
    assert call("sas", "GET", f"/api/v1/instances/{floor.first_task[0]}/position"
                ).status_code == 403


def test_a_batch_retry_plans_then_resolves_each_incident(
        call: Callable[..., Any], floor: Floor, engine: Engine) -> None:
    selection = {"operation": "retry", "process_key": "gateway",
                 "activity_id": "decision_gateway"}
    plan = call("coordinator", "POST", "/api/v1/batches",
                json={**selection, "dry_run": True}).get_json()
    assert plan["total"] == 3 and plan["dry_run"] is True
    assert {i["status"] for i in plan["items"]} == {"planned"}
    assert {i["business_key"] for i in plan["items"]} == {"case-g0", "case-g1", "case-g2"}
    assert len(engine.incidents(status="open")) == 3  # the dry run changed nothing

    done = call("coordinator", "POST", "/api/v1/batches",
                json={**selection, "data": {"decision": "refuse"},
                      "reason": "decision was missing"}).get_json()
    assert (done["ok"], done["failed"]) == (3, 0)
    assert sorted(i["incident_id"] for i in done["items"]) == sorted(floor.incidents)
    assert len(engine.incidents(status="open")) == 0
    assert {engine.instance(i).status for i in floor.incident_cases} == {"completed"}


def test_a_batch_reports_each_item_on_its_own(
        call: Callable[..., Any], floor: Floor, engine: Engine) -> None:
    first, second, _ = floor.incidents
    done = call("coordinator", "POST", "/api/v1/batches", json={
        "operation": "retry", "incident_ids": [first, 999_999]}).get_json()
    by_id = {i["incident_id"]: i for i in done["items"]}
    # no corrected data: the gateway fails again, its incident stays open
    assert by_id[first]["status"] == "error" and by_id[first]["error"] == "FailedAgain"
    assert by_id[999_999] == {"incident_id": 999_999, "instance_id": None,
                              "business_key": None, "task_id": None, "status": "error",
                              "error": "NotFound", "detail": "no incident 999999"}
    fixed = call("coordinator", "POST", "/api/v1/batches", json={
        "operation": "retry", "incident_ids": [first, second],
        "data": {"decision": "refuse"}}).get_json()
    assert [i["status"] for i in fixed["items"]] == ["ok", "ok"]
    again = call("coordinator", "POST", "/api/v1/batches", json={
        "operation": "retry", "incident_ids": [first]}).get_json()
    assert again["items"][0]["error"] == "Conflict"


def test_a_batch_release_frees_the_claimed_tasks_of_an_activity(
        call: Callable[..., Any], floor: Floor, engine: Engine) -> None:
    claimed = [engine.tasks(instance_id=i)[0].id for i in floor.second_task[:2]]
    for task_id in claimed:
        engine.claim(task_id, "sas-agent")
    done = call("coordinator", "POST", "/api/v1/batches", json={
        "operation": "release", "process_key": "three_tasks", "version": 1,
        "activity_id": "second_task", "reason": "agent on leave"}).get_json()
    assert sorted(i["task_id"] for i in done["items"]) == sorted(claimed)
    assert done["ok"] == 2
    assert all(engine.task(t).assignee is None for t in claimed)


def test_a_batch_reassign_gives_the_tasks_new_groups(
        call: Callable[..., Any], floor: Floor, engine: Engine) -> None:
    task_ids = [engine.tasks(instance_id=i)[0].id for i in floor.second_task]
    done = call("coordinator", "POST", "/api/v1/batches", json={
        "operation": "reassign", "task_ids": task_ids, "groups": ["oai"],
        "reason": "sas overloaded"}).get_json()
    assert done["ok"] == 4
    assert {tuple(engine.task(t).candidate_groups) for t in task_ids} == {("oai",)}


def test_a_bad_batch_is_refused_naming_the_field_and_changes_nothing(
        call: Callable[..., Any], floor: Floor, engine: Engine) -> None:
    task_ids = [engine.tasks(instance_id=i)[0].id for i in floor.second_task]
    no_reason = call("coordinator", "POST", "/api/v1/batches", json={
        "operation": "reassign", "task_ids": task_ids, "groups": ["oai"]})
    assert no_reason.status_code == 422
    assert no_reason.mimetype == "application/problem+json"
    assert "reason" in no_reason.get_json()["errors"]
    no_target = call("coordinator", "POST", "/api/v1/batches", json={"operation": "retry"})
    assert no_target.status_code == 422 and "process_key" in no_target.get_json()["errors"]
    wrong = call("coordinator", "POST", "/api/v1/batches", json={"operation": "delete"})
    assert wrong.status_code == 422 and "operation" in wrong.get_json()["errors"]
    assert call("sas", "POST", "/api/v1/batches", json={
        "operation": "retry", "incident_ids": floor.incidents}).status_code == 403
    assert {tuple(engine.task(t).candidate_groups) for t in task_ids} == {("sas",)}
    assert len(engine.incidents(status="open")) == 3


def test_swagger_ui_and_the_viewer_are_served_from_here(call: Callable[..., Any],
                                                        client: Any) -> None:
    page = client.get("/api/docs").get_data(as_text=True)
    references = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert references and all(r.startswith("/") and not r.startswith("//")
                              for r in references)
    assert "http" not in page.replace("http-equiv", "")
    for reference in references:
        assert client.get(reference).status_code == 200, reference
    viewer = "/dashboard/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js"
    assert client.get(viewer).status_code == 200
    assert client.get("/dashboard/vendor/bpmn-js/../package.json").status_code == 404
    assert client.get("/dashboard/vendor/bpmn-js/bpmn-modeler.production.min.js"
                      ).status_code == 404


def test_every_control_room_page_has_the_strict_policy(client: Any) -> None:
    for path in ("/dashboard", "/dashboard/cases/some-case", "/dashboard/processes",
                 "/dashboard/processes/three_tasks"):
        response = client.get(path)
        assert response.status_code == 200, path
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self';" in csp and "style-src 'self';" in csp
        assert "unsafe" not in csp and "default-src 'none'" in csp
