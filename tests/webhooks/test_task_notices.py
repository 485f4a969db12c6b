"""`task.overdue` and `task.due_soon`: one notice per task, whichever worker sees it first.

Real parts throughout: the tasks come from real steps, the notices are claimed
on the shared database by two engines with their own connection pools (and by two
`ciiflow worker --once` processes), and what the outbox wrote is sent by the
dispatcher to a real loopback receiver.
"""

from __future__ import annotations

import os
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine as SqlEngine
from sqlalchemy import func, select

import webhooks
from engine import Engine, ManualClock
from engine.calendar import Calendars, WorkingCalendar
from engine.store.db import make_engine
from engine.store.models import History, Task
from tests.support.bpmn import Flow, Node, document, user_task
from tests.support.principals import add_principal
from webhooks.dispatcher import Dispatcher

from .conftest import add_endpoint
from .receivers import Receiver
from .test_secret_key_location import CLI, ROOT

NOTICES = ["task.overdue", "task.due_soon"]


def due_process(due: str = "${workingDays(2)}") -> bytes:
    nodes = [Node("start_event", "startEvent"),
             user_task("preavis_task", "sas", **{"camunda:dueDate": due}),
             Node("done_end", "endEvent")]
    return document("notices", nodes, [Flow("start_event", "preavis_task"),
                                       Flow("preavis_task", "done_end")])


def listening(engine: Engine, receiver: Receiver, types: list[str]) -> str:
    principal = add_principal(engine, "sas", "institution", ["sas"]).id
    _, secret = add_endpoint(engine, principal, receiver.url, types)
    return secret


def received(receiver: Receiver, secret: str) -> list[tuple[str, str, str]]:
    """(type, task id, due date) of every message, signature checked."""
    found = []
    for record in receiver.received:
        payload = record.verify(secret)
        found.append((payload["type"], payload["data"]["task_id"], payload["data"]["due_date"]))
    return sorted(found)


def notice_rows(engine: Engine, kind: str) -> list[str]:
    with engine.sessions() as s:
        return sorted(s.scalars(select(History.task_id).where(History.kind == kind)))


def ready_ids(engine: Engine) -> list[str]:
    with engine.sessions() as s:
        return sorted(s.scalars(select(Task.id).where(Task.state == "ready")))


def test_two_workers_racing_send_one_overdue_notice_per_task(
        wengine: Engine, db: SqlEngine, db_url: str, clock: ManualClock,
        dispatcher: Dispatcher) -> None:
    # a second engine on its own pool of connections: another worker on the same database
    other_db = make_engine(db_url)
    other = Engine(other_db, clock=clock)
    webhooks.install(other)
    with Receiver() as receiver:
        secret = listening(wengine, receiver, NOTICES)
        wengine.deploy({"notices.bpmn": due_process()})
        clock.set(datetime(2026, 3, 17, 9, 0, tzinfo=UTC))  # Tuesday; Thursday is 19 March
        for n in range(12):
            wengine.start("notices", f"case-{n}")
        tasks = ready_ids(wengine)
        due = datetime(2026, 3, 20, 22, 59, 59, tzinfo=UTC)  # Wed 18, (19), Fri 20
        clock.set(due)
        assert wengine.run_task_notices(due_soon_days=0) == 0  # due, not yet overdue
        clock.set(due + timedelta(seconds=1))
        start = threading.Barrier(2)

        def notice_pass(engine: Engine) -> int:
            start.wait()
            return engine.run_task_notices(due_soon_days=0, limit=100)

        with ThreadPoolExecutor(2) as pool:
            sent = list(pool.map(notice_pass, [wengine, other]))
        assert sum(sent) == len(tasks), sent
        assert wengine.run_task_notices(due_soon_days=0) == 0
        assert other.run_task_notices(due_soon_days=0) == 0
        assert dispatcher.run_once() == len(tasks)
    other_db.dispose()
    overdue = received(receiver, secret)
    assert overdue == [("task.overdue", task_id, "2026-03-20T22:59:59.000Z") for task_id in tasks]
    assert notice_rows(wengine, "task_overdue") == tasks  # one history row each
    assert ready_ids(wengine) == tasks  # a notice is not a move: the tasks stay ready


def test_two_worker_processes_send_one_overdue_notice_per_task(
        wengine: Engine, db_url: str, clock: ManualClock, tmp_path: Path,
        secret_key: str) -> None:
    """`ciiflow worker --once` twice at the same time, on the real clock: tasks due last
    week are overdue for both, each is announced once."""
    with Receiver() as receiver:
        secret = listening(wengine, receiver, NOTICES)
        wengine.deploy({"notices.bpmn": due_process()})
        clock.set(datetime.now(UTC) - timedelta(days=20))
        for n in range(8):
            wengine.start("notices", f"case-{n}")
        tasks = ready_ids(wengine)
        env = {"CIIFLOW_DATABASE_URL": db_url, "PYTHONPATH": str(ROOT),
               "CIIFLOW_SECRET_KEY": secret_key}
        workers = [subprocess.Popen([*CLI, "worker", "--once"], cwd=tmp_path,
                                    env={**os.environ, **env},
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                   for _ in range(2)]
        outputs = [w.communicate(timeout=120) for w in workers]
        assert [w.returncode for w in workers] == [0, 0], outputs
        notices = sum(int(out.split("notices: ")[1].split(",")[0]) for out, _ in outputs)
        assert notices == len(tasks), outputs
    assert [(kind, task_id) for kind, task_id, _ in received(receiver, secret)] == [
        ("task.overdue", task_id) for task_id in tasks]
    assert notice_rows(wengine, "task_overdue") == tasks


def test_due_soon_once_n_working_days_before_then_overdue_once(
        wengine: Engine, clock: ManualClock, dispatcher: Dispatcher,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIIFLOW_DUE_SOON_WORKING_DAYS", "2")
    with Receiver() as receiver:
        secret = listening(wengine, receiver, NOTICES)
        wengine.deploy({"notices.bpmn": due_process("${workingDays(10)}")})
        clock.set(datetime(2026, 5, 4, 9, 0, tzinfo=UTC))  # Monday
        wengine.start("notices", "case-1")
        [task_id] = ready_ids(wengine)
        # 10 working days with Ascension (Thu 14 May): due Tuesday 19 May, end of day
        due = datetime(2026, 5, 19, 21, 59, 59, tzinfo=UTC)
        # two working days before Tuesday is Friday 15 May: nothing on Thursday (holiday)
        clock.set(datetime(2026, 5, 14, 21, 59, 59, tzinfo=UTC))  # Thu 23:59:59 in Sion
        assert wengine.run_task_notices() == 0
        clock.set(datetime(2026, 5, 14, 22, 0, 0, tzinfo=UTC))  # Friday 00:00 in Sion
        assert wengine.run_task_notices() == 1
        assert wengine.run_task_notices() == 0
        clock.set(due - timedelta(hours=1))
        assert wengine.run_task_notices() == 0
        clock.set(due + timedelta(seconds=1))
        assert wengine.run_task_notices() == 1
        assert wengine.run_task_notices() == 0
        assert dispatcher.run_once() == 2
    assert received(receiver, secret) == [("task.due_soon", task_id, "2026-05-19T21:59:59.000Z"),
                                          ("task.overdue", task_id, "2026-05-19T21:59:59.000Z")]
    assert notice_rows(wengine, "task_due_soon") == [task_id]
    assert notice_rows(wengine, "task_overdue") == [task_id]


def test_a_suspended_case_is_not_told_overdue_until_it_resumes(
        wengine: Engine, clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> None:
    """A coordinator suspended the case: its institutions are not chased meanwhile."""
    monkeypatch.setenv("CIIFLOW_DUE_SOON_WORKING_DAYS", "0")
    wengine.deploy({"notices.bpmn": due_process("${workingDays(2)}")})
    clock.set(datetime(2026, 5, 4, 9, 0, tzinfo=UTC))  # Monday
    case = wengine.start("notices", "case-1").instance.id
    [task_id] = ready_ids(wengine)
    wengine.set_status(case, "suspend", reason="awaiting a court decision", actor="coord")
    clock.set(datetime(2026, 5, 20, 9, 0, tzinfo=UTC))  # well past Wednesday's due date
    assert wengine.run_task_notices() == 0 and notice_rows(wengine, "task_overdue") == []
    wengine.set_status(case, "resume", reason="decision received", actor="coord")
    assert wengine.run_task_notices() == 1
    assert notice_rows(wengine, "task_overdue") == [task_id]


def test_no_due_soon_when_turned_off_or_already_overdue_nor_for_a_completed_task(
        wengine: Engine, clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> None:
    wengine.deploy({"notices.bpmn": due_process("P1D")})
    clock.set(datetime(2026, 5, 4, 9, 0, tzinfo=UTC))
    [late] = wengine.tasks(instance_id=wengine.start("notices", "late").instance.id).items
    [done] = wengine.tasks(instance_id=wengine.start("notices", "done").instance.id).items
    monkeypatch.setenv("CIIFLOW_DUE_SOON_WORKING_DAYS", "0")
    assert wengine.run_task_notices() == 0  # due tomorrow, but due-soon notices are off
    monkeypatch.delenv("CIIFLOW_DUE_SOON_WORKING_DAYS")
    wengine.complete_task(done.id, {})
    clock.advance(days=2)
    assert wengine.run_task_notices() == 1  # overdue only, never due-soon afterwards
    assert notice_rows(wengine, "task_overdue") == [late.id]
    assert notice_rows(wengine, "task_due_soon") == []
    with wengine.sessions() as s:
        assert s.scalar(select(func.count()).select_from(History)
                        .where(History.task_id == done.id, History.kind.like("task_%due%"))) == 0


def test_due_soon_counts_in_the_calendar_of_the_task_institution(
        db: SqlEngine, clock: ManualClock) -> None:
    """Two tasks due on Tuesday 24 March 2026; the SAS is closed on Monday 23, the OAI works
    on the canton's calendar. Two working days before Tuesday is Thursday 19 for the SAS
    (Friday, Tuesday) but Friday 20 for the OAI (Thursday is Saint Joseph)."""
    sas_calendar = WorkingCalendar(closed=frozenset({date(2026, 3, 23)}))
    engine = Engine(db, clock=clock, calendars=Calendars(by_group={"sas": sas_calendar}))
    webhooks.install(engine)
    nodes = [Node("start_event", "startEvent"),
             user_task("ask_task", "${group}", **{"camunda:dueDate": "2026-03-24T20:00:00Z"}),
             Node("done_end", "endEvent")]
    engine.deploy({"fixed.bpmn": document("fixed", nodes, [Flow("start_event", "ask_task"),
                                                         Flow("ask_task", "done_end")])})
    clock.set(datetime(2026, 3, 16, 9, 0, tzinfo=UTC))
    [sas] = engine.tasks(instance_id=engine.start("fixed", "s", {"group": "sas"}).instance.id
                         ).items
    [oai] = engine.tasks(instance_id=engine.start("fixed", "o", {"group": "oai"}).instance.id
                         ).items
    clock.set(datetime(2026, 3, 18, 23, 0, tzinfo=UTC))  # Thursday 19, 00:00 in Sion
    assert engine.run_task_notices(due_soon_days=2) == 1
    assert notice_rows(engine, "task_due_soon") == [sas.id]
    clock.set(datetime(2026, 3, 19, 22, 59, tzinfo=UTC))  # Thursday 23:59
    assert engine.run_task_notices(due_soon_days=2) == 0
    clock.set(datetime(2026, 3, 19, 23, 0, tzinfo=UTC))  # Friday 20, 00:00
    assert engine.run_task_notices(due_soon_days=2) == 1
    assert notice_rows(engine, "task_due_soon") == sorted([sas.id, oai.id])
