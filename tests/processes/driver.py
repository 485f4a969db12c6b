"""Driving a case through its tasks, as institutions would: through the engine, or over HTTP.

Why a driver: every scenario test must prove three things at each step, not
only that the path exists: the task is offered to the institution that owns
it (candidate groups), the data sent is valid for the task's form as the
process owner drew it (the same marshmallow validation the HTTP API applies),
and the engine advanced without an incident. Doing that by hand in each test
would hide the path being walked. The driver also records which BPMN elements
each scenario walked, so `test_zz_coverage.py` can prove no element was left
unvisited.

`Walker` is the same driver over HTTP, for the end-to-end tests: it knows
nothing of the process, reads each task's form from the API and fills it with
valid values, the way an institution's system would, so the API (not the
engine) is what refuses a wrong group or an invalid form.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from lxml import etree
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from engine import Caller, Engine, ManualClock
from engine.runtime.step import Step
from engine.store.models import History, Task
from tests.support.principals import bearer

ROOT = Path(__file__).resolve().parents[2]
BPMN_DIR = ROOT / "bpmn"
PROCESS_FILES = {"cii_case": "cii_case.bpmn", "pai": "pai.bpmn", "orp_bip": "orp_bip.bpmn"}
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"

# Elements of a process that are not walked by a token (containers, artefacts).
_NOT_FLOW = {"laneSet", "extensionElements", "documentation", "textAnnotation", "association",
             "dataObject", "dataObjectReference", "dataStoreReference"}


def deployable_files() -> dict[str, bytes]:
    """Every process and decision file of `bpmn/`, as a process owner deploys them."""
    return {p.name: p.read_bytes() for p in sorted(BPMN_DIR.iterdir())
            if p.suffix in (".bpmn", ".dmn")}


def deploy_all(engine: Engine) -> None:
    """Deploy the real files; the scenarios walk what production runs, not test copies."""
    result = engine.deploy(deployable_files(), actor="process-owner")
    keys = {d.key for d in result.definitions}
    assert set(PROCESS_FILES) <= keys, keys


# -- the model's elements -------------------------------------------------------


@dataclass(frozen=True)
class Flow:
    id: str
    source: str
    target: str


@dataclass
class Model:
    """The flow nodes and sequence flows of one process, read from its BPMN file."""

    process: str
    nodes: dict[str, str]  # id -> BPMN element tag
    flows: dict[str, Flow]

    @classmethod
    def read(cls, process: str) -> Model:
        tree = etree.parse(str(BPMN_DIR / PROCESS_FILES[process]))
        proc = tree.find(f"{{{BPMN_NS}}}process")
        nodes: dict[str, str] = {}
        flows: dict[str, Flow] = {}
        for element in proc:
            if not isinstance(element.tag, str):
                continue
            tag = etree.QName(element).localname
            if tag in _NOT_FLOW:
                continue
            if tag == "sequenceFlow":
                flows[element.get("id")] = Flow(element.get("id"), element.get("sourceRef"),
                                                element.get("targetRef"))
            else:
                nodes[element.get("id")] = tag
        return cls(process, nodes, flows)

    def flow_between(self, source: str, target: str) -> Flow | None:
        for flow in self.flows.values():
            if flow.source == source and flow.target == target:
                return flow
        return None

    def elements(self) -> set[str]:
        return set(self.nodes) | set(self.flows)


_models: dict[str, Model] = {}


def model(process: str) -> Model:
    if process not in _models:
        _models[process] = Model.read(process)
    return _models[process]


# -- one case -------------------------------------------------------------------


@dataclass
class Case:
    """One running instance and the institution-side moves made on it."""

    engine: Engine
    instance_id: str
    process: str

    # -- reading --------------------------------------------------------------
    def ready(self) -> list[Task]:
        return self.engine.tasks(instance_id=self.instance_id, state="ready")

    def ready_ids(self) -> list[str]:
        return sorted(t.activity_id for t in self.ready())

    def task(self, activity_id: str) -> Task:
        rows = [t for t in self.ready() if t.activity_id == activity_id]
        assert len(rows) == 1, f"{activity_id} ready {len(rows)} times; ready: {self.ready_ids()}"
        return rows[0]

    @property
    def status(self) -> str:
        return self.engine.instance(self.instance_id).status

    @property
    def data(self) -> dict[str, Any]:
        return self.engine.workflow_data(self.instance_id)

    def history(self, kind: str | None = None) -> list[History]:
        with self.engine.sessions() as session:
            stmt = select(History).where(History.instance_id == self.instance_id)
            if kind:
                stmt = stmt.where(History.kind == kind)
            return list(session.scalars(stmt.order_by(History.seq)))

    def count(self, kind: str, activity_id: str) -> int:
        return sum(1 for h in self.history(kind) if h.activity_id == activity_id)

    # -- acting ---------------------------------------------------------------
    def complete(self, activity_id: str, data: Mapping[str, Any], *, group: str,
                 groups: Iterable[str] | None = None, assignee: str | None = None,
                 actor: str | None = None) -> Task:
        """Complete the one ready `activity_id` as a member of `group`, with form-valid data.

        `groups` (when given) must be exactly the task's candidate groups; `group`
        must be one of them, which is what lets that institution see and act on it.
        """
        row = self.task(activity_id)
        if groups is not None:
            assert sorted(row.candidate_groups) == sorted(groups), row.candidate_groups
        assert group in row.candidate_groups, (activity_id, row.candidate_groups, group)
        if assignee is not None:
            assert row.assignee == assignee, (activity_id, row.assignee)
        who = actor or assignee or f"{group}/agent"
        # as the institution of `group` would: visibility, claim and form are checked
        caller = Caller(name=who, role="institution", groups=(group,))
        outcome = self.engine.complete_task(row.id, dict(data), caller=caller)
        assert outcome.incident is None, outcome.incident.message
        with self.engine.sessions() as session:
            done = session.get(Task, row.id)
            assert (done.state, done.completed_by) == ("completed", who)
        return row

    def rows(self, activity_id: str) -> int:
        """How many task rows `activity_id` ever had in this case (ready, done or cancelled)."""
        return len(self.engine.tasks(instance_id=self.instance_id, state=None,
                                     activity=activity_id))

    def fires_at(self, clock: ManualClock, due: datetime, activity_id: str) -> Task:
        """The next timer is due at `due` and opens `activity_id`: not a second before, and
        one second after (SpiffWorkflow fires a timer once its due time has passed)."""
        assert self.engine.instance(self.instance_id).next_timer_at == due
        before = self.rows(activity_id)
        clock.set(due - timedelta(seconds=1))
        self.engine.run_due_timers()
        assert self.rows(activity_id) == before, f"{activity_id} opened before {due}"
        clock.set(due + timedelta(seconds=1))
        assert self.engine.run_due_timers() == 1
        assert self.rows(activity_id) == before + 1, f"{activity_id} not opened at {due}"
        return self.task(activity_id)

    # -- what was walked -------------------------------------------------------
    def visited(self) -> set[str]:
        """Flow nodes and sequence flows this case walked, from state and history.

        The workflow state holds every task SpiffWorkflow ran (completed tasks stay
        in its tree, loops included); a completed task whose nearest BPMN ancestor
        is X walked the flow X -> task. Boundary events sit under an engine-internal
        split node, hence "nearest BPMN ancestor", not "parent". History adds the
        read-model view (task_ready, task_completed, timer_fired), which must agree.
        """
        m = model(self.process)
        seen: set[str] = set()
        with self.engine.sessions() as session:
            from engine.store.models import Instance

            instance = session.get(Instance, self.instance_id)
            wf = Step(self.engine.runtime, session, instance).load()
        for task in wf.get_tasks(state=TaskState.COMPLETED):
            node = _bpmn_id(task, m)
            if node is None:
                continue
            seen.add(node)
            parent = task.parent
            while parent is not None and _bpmn_id(parent, m) is None:
                parent = parent.parent
            if parent is not None:
                flow = m.flow_between(_bpmn_id(parent, m), node)
                if flow is not None:
                    # a token left the source: a cycle timer stays waiting (then is
                    # cancelled) after it fired, so its own state never says COMPLETED
                    seen.update((flow.id, flow.source))
        for row in self.history():
            if row.kind in ("task_completed", "timer_fired") and row.activity_id:
                assert row.activity_id in m.nodes, row.activity_id
                seen.add(row.activity_id)
        return seen


def _bpmn_id(task: Any, m: Model) -> str | None:
    bpmn_id = getattr(task.task_spec, "bpmn_id", None)
    return bpmn_id if bpmn_id in m.nodes else None


# -- a scenario's record ---------------------------------------------------------


VISITED: dict[str, set[tuple[str, str]]] = {}
"""Scenario key (see `scenario_key`) -> (process, element id) pairs it walked."""

SCENARIOS: dict[str, Callable[..., None]] = {}
"""Every scenario test by name, so the coverage check can run those not yet run."""


def scenario_key(name: str, params: Mapping[str, Any]) -> str:
    """A scenario run's name: the test function and its own parameters (not the backend)."""
    return name + "".join(f"[{k}={params[k]}]" for k in sorted(params))


def scenario(fn: Callable[..., None]) -> Callable[..., None]:
    """Mark a test as a path through the processes whose walk counts towards coverage."""
    SCENARIOS[fn.__name__] = fn
    return fn


@dataclass
class Tracker:
    """Starts cases for one scenario and, at its end, records what they walked."""

    engine: Engine
    name: str
    cases: list[Case] = field(default_factory=list)

    def start(self, process: str, data: Mapping[str, Any], *, actor: str,
              business_key: str | None = None) -> Case:
        """Start `process` with data valid for its start-event form (the announcement)."""
        outcome = self.engine.start(process, business_key or f"{process}-{uuid.uuid4().hex[:8]}",
                                    dict(data), actor=actor)
        assert outcome.incident is None, outcome.incident.message
        case = Case(self.engine, outcome.instance.id, process)
        self.cases.append(case)
        return case

    def record(self) -> set[tuple[str, str]]:
        walked = {(c.process, element) for c in self.cases for element in c.visited()}
        VISITED.setdefault(self.name, set()).update(walked)
        return walked


# -- over HTTP -------------------------------------------------------------------


def fill(form: list[dict[str, Any]], choices: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Valid values for a form as the API describes it: first enum value, true, the minimum,
    a short text; `choices` overrides fields by id. Read-only fields are left out."""
    data: dict[str, Any] = {}
    for spec in form:
        if spec["readonly"]:
            continue
        if choices and spec["id"] in choices:
            data[spec["id"]] = choices[spec["id"]]
            continue
        kind = spec["type"]
        if kind == "enum":
            data[spec["id"]] = spec["enum"][0]["id"]
        elif kind == "boolean":
            data[spec["id"]] = True
        elif kind == "long":
            data[spec["id"]] = int(spec["min"]) if spec["min"] is not None else 1
        elif kind == "date":
            data[spec["id"]] = date(2026, 3, 1).isoformat()
        else:
            size = max(spec["minlength"] or 0, 3)
            data[spec["id"]] = "n" * min(size, spec["maxlength"] or size)
    return data


class Walker:
    """Drives cases over HTTP; each principal is named after the group it holds."""

    def __init__(self, base: str, tokens: Mapping[str, str], topics: Sequence[str] = ()) -> None:
        self.base = base
        self.tokens = dict(tokens)  # principal name (= its group) -> token
        self.topics = list(topics)  # external-task topics the "worker" principal serves
        self.http = requests.Session()

    def h(self, who: str) -> dict[str, str]:
        return bearer(self.tokens[who])

    def get(self, who: str, path: str, **kw: Any) -> Any:
        response = self.http.get(self.base + path, headers=self.h(who), timeout=30, **kw)
        assert response.status_code == 200, (path, response.text)
        return response.json()

    def post(self, who: str, path: str, body: Any, status: int = 200) -> Any:
        response = self.http.post(self.base + path, headers=self.h(who), json=body, timeout=30)
        assert response.status_code == status, (path, response.status_code, response.text)
        return response.json()

    def owner_of(self, task: dict[str, Any]) -> str:
        for group in task["candidate_groups"]:
            if group in self.tokens:
                return group
        raise AssertionError(f"no institution holds {task['candidate_groups']}")

    def run(self, instance_id: str, choices: Mapping[str, Any] | None = None,
            max_steps: int = 60) -> list[str]:
        """Complete tasks until the case ends; returns the activities in order."""
        done: list[str] = []
        for _ in range(max_steps):
            case = self.get("coordinator", f"/api/v1/instances/{instance_id}")
            if case["status"] != "running":
                assert case["status"] == "completed", case["status"]
                return done
            if self.work_external():
                continue
            assert case["open_tasks"], f"case waits with no task after {done}"
            task = case["open_tasks"][0]
            who = self.owner_of(task)
            detail = self.get(who, f"/api/v1/tasks/{task['id']}")
            self.post(who, f"/api/v1/tasks/{task['id']}/complete",
                      {"data": fill(detail["form"], choices)})
            done.append(task["activity_id"])
        raise AssertionError(f"the case did not end within {max_steps} steps: {done}")

    def work_external(self) -> bool:
        """Complete every external task the worker can lock; True when there was one."""
        if "worker" not in self.tokens:
            return False
        locked = self.post("worker", "/api/v1/external-tasks/fetch-and-lock", {
            "worker_id": "e2e", "max_tasks": 5,
            "topics": [{"name": t, "lock_duration": 60_000} for t in self.topics]})["items"]
        for item in locked:
            self.post("worker", f"/api/v1/external-tasks/{item['id']}/complete",
                      {"worker_id": "e2e", "variables": {}})
        return bool(locked)
