"""Cases and tasks through the `ciiflow` CLI: the API's operations, with the same rules."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.workflows import processes
from tests.workflows.conftest import ANNOUNCEMENT
from workflows.cli import main


@pytest.fixture
def cli(db, db_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:  # noqa: ANN001
    monkeypatch.setenv("CIIFLOW_DATABASE_URL", db_url)
    return CliRunner()


def _row(table: str, first: str) -> list[str]:
    """The cells of the table row starting with `first` (cells are two spaces apart)."""
    lines = table.splitlines()
    assert lines[0].startswith("TASK"), table
    return next(re.split(r"\s{2,}", line) for line in lines if line.startswith(first))


def run(cli: CliRunner, *args: str) -> Result:
    return cli.invoke(main, list(args))


@pytest.fixture
def started(cli: CliRunner, tmp_path: Path) -> tuple[str, str]:
    """A deployed mini CII case, started: (instance id, id of its first ready task)."""
    (tmp_path / "mini.bpmn").write_bytes(processes.cii_mini())
    assert run(cli, "deploy", str(tmp_path)).exit_code == 0
    for name in ("team", "other"):
        created = run(cli, "token", "create", "--name", name, "--role", "institution",
                      "--group", "cii-team-valais-central")
        assert created.exit_code == 0, created.output
    out = run(cli, "start", "cii_mini", "--business-key", "c-1", "--data",
              json.dumps(ANNOUNCEMENT))
    assert out.exit_code == 0, out.output
    instance_id = out.output.split()[0]
    ready = [line.split()[1] for line in out.output.splitlines() if "ready:" in line]
    return instance_id, ready[0]


def test_complete_refuses_a_task_claimed_by_another_principal(
        cli: CliRunner, started: tuple[str, str]) -> None:
    _, task_id = started
    claimed = run(cli, "claim", task_id, "--actor", "other")
    assert claimed.exit_code == 0 and "claimed by other" in claimed.output
    refused = run(cli, "complete", task_id, "--data", '{"service": "tro"}', "--actor", "team")
    assert refused.exit_code == 1 and "claimed by other" in refused.output
    assert _row(run(cli, "tasks").output, task_id)[5] == "other"  # still ready, still held
    taken = run(cli, "claim", task_id, "--actor", "team")
    assert taken.exit_code == 1 and "claimed by other" in taken.output
    done = run(cli, "complete", task_id, "--data", '{"service": "tro"}', "--actor", "other")
    assert done.exit_code == 0, done.output
    assert task_id not in run(cli, "tasks").output


def test_complete_names_each_field_the_form_refuses(
        cli: CliRunner, started: tuple[str, str]) -> None:
    _, task_id = started
    bad = run(cli, "complete", task_id, "--data", '{"service": "golf", "x": 1}',
              "--actor", "team")
    assert bad.exit_code == 1
    assert "the form does not validate: service, x" in bad.output
    assert task_id in run(cli, "tasks").output  # nothing written


def test_cases_are_listed_read_and_their_reads_logged(
        cli: CliRunner, started: tuple[str, str]) -> None:
    instance_id, task_id = started
    listed = run(cli, "instances", "--process", "cii_mini")
    assert listed.exit_code == 0 and instance_id in listed.output and "c-1" in listed.output
    assert run(cli, "cases", "--status", "completed").output == "no case\n"
    shown = run(cli, "case", instance_id, "--actor", "coordinator-anna")
    body = json.loads(shown.output)
    assert body["status"] == "running" and body["data"]["region"] == "valais-central"
    assert [t["id"] for t in body["open_tasks"]] == [task_id]
    assert body["history"][0]["kind"] == "started"
    task = json.loads(run(cli, "task", task_id).output)
    assert task["form"][0]["id"] == "service" and task["instance_id"] == instance_id
    log = run(cli, "access-log", instance_id)
    assert "coordinator-anna" in log.output and "instance" in log.output
    assert "task " + task_id in log.output
    assert run(cli, "case", "no-such-case").exit_code == 1


def test_suspend_resume_terminate_need_a_reason(
        cli: CliRunner, started: tuple[str, str]) -> None:
    instance_id, task_id = started
    assert run(cli, "suspend", instance_id, "--actor", "anna").exit_code == 2  # no --reason
    blank = run(cli, "suspend", instance_id, "--reason", " ", "--actor", "anna")
    assert blank.exit_code == 1 and "reason" in blank.output
    suspended = run(cli, "suspend", instance_id, "--reason", "file incomplete", "--actor", "anna")
    assert suspended.output.split() == [instance_id, "suspended"]
    refused = run(cli, "complete", task_id, "--data", '{"service": "tro"}', "--actor", "team")
    assert refused.exit_code == 1 and "suspended" in refused.output
    assert run(cli, "resume", instance_id, "--reason", "complete now",
               "--actor", "anna").output.split() == [instance_id, "running"]
    assert run(cli, "terminate", instance_id, "--reason", "moved away",
               "--actor", "anna").output.split() == [instance_id, "terminated"]
    assert run(cli, "resume", instance_id, "--reason", "x", "--actor", "anna").exit_code == 1


def test_data_within_the_api_limits(cli: CliRunner, started: tuple[str, str]) -> None:
    _, task_id = started
    duplicated = run(cli, "complete", task_id, "--data", '{"service": "tro", "service": "x"}',
                     "--actor", "team")
    assert duplicated.exit_code == 2 and "service" in duplicated.output
    deep = run(cli, "complete", task_id, "--data", "[" * 100 + "]" * 100, "--actor", "team")
    assert deep.exit_code == 2 and "deeper than 64" in deep.output
    assert task_id in run(cli, "tasks").output  # nothing written


def test_release_then_another_principal_claims(
        cli: CliRunner, started: tuple[str, str]) -> None:
    instance_id, task_id = started
    assert run(cli, "claim", task_id, "--actor", "other").exit_code == 0
    released = run(cli, "release", task_id, "--reason", "wrong desk", "--actor", "anna")
    assert released.exit_code == 0, released.output
    assert released.output.split() == [task_id, "released"]
    assert _row(run(cli, "tasks").output, task_id)[5] == "-"
    taken = run(cli, "claim", task_id, "--actor", "team")
    assert taken.exit_code == 0 and "claimed by team" in taken.output
    history = json.loads(run(cli, "case", instance_id).output)["history"]
    entry = next(h for h in history if h["kind"] == "task_released")
    assert entry["actor"] == "anna"
    assert entry["detail"] == {"holder": "other", "reason": "wrong desk"}
    again = run(cli, "release", "no-such-task")
    assert again.exit_code == 1 and "no-such-task" in again.output


def test_release_of_an_unclaimed_task_is_refused(
        cli: CliRunner, started: tuple[str, str]) -> None:
    _, task_id = started
    refused = run(cli, "release", task_id)
    assert refused.exit_code == 1 and "not claimed" in refused.output


def test_reassign_needs_groups_and_a_reason(
        cli: CliRunner, started: tuple[str, str]) -> None:
    instance_id, task_id = started
    assert run(cli, "reassign", task_id, "--reason", "x").exit_code == 2  # no --group
    assert run(cli, "reassign", task_id, "--group", "sas").exit_code == 2  # no --reason
    blank = run(cli, "reassign", task_id, "--group", "sas", "--reason", " ")
    assert blank.exit_code == 1 and "reason" in blank.output
    assert "cii-team-valais-central" in run(cli, "tasks").output  # nothing written
    moved = run(cli, "reassign", task_id, "--group", "sas", "--group", "oai",
                "--reason", "SAS first", "--actor", "anna")
    assert moved.exit_code == 0, moved.output
    assert moved.output.split() == [task_id, "now", "for", "[sas,oai]"]
    assert task_id in run(cli, "tasks", "--group", "oai").output
    assert run(cli, "tasks", "--group", "cii-team-valais-central").output == "no ready task\n"
    history = json.loads(run(cli, "case", instance_id).output)["history"]
    entry = next(h for h in history if h["kind"] == "task_reassigned")
    assert entry["actor"] == "anna" and entry["detail"] == {
        "from": ["cii-team-valais-central"], "to": ["sas", "oai"], "reason": "SAS first"}
