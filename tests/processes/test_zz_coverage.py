"""No element of the three process diagrams is left unwalked by the scenarios.

Why: a branch nobody walks is a branch nobody knows works; process owners
will edit these diagrams in the Modeler, and a new gateway branch or timer
without a scenario must fail here. The scenarios record what their cases
walked (flow nodes and sequence flows, from the workflow state and the
history) in `driver.VISITED`. This module's name sorts last, so in a normal
run every scenario has already recorded; a scenario that has not run in this
session (deselected with -k, reordered by a plugin) is run here on its own
SQLite database, so the check never depends on what else was selected.
"""

from __future__ import annotations

import inspect
import itertools
from typing import Any

import pytest
from sqlalchemy.pool import StaticPool

from engine import ManualClock
from engine.store.db import make_engine
from tests.conftest import make_cii_engine
from tests.processes import test_cii_case, test_orp_bip, test_pai  # noqa: F401 - registers
from tests.processes.driver import (
    PROCESS_FILES,
    SCENARIOS,
    VISITED,
    Tracker,
    deploy_all,
    model,
    scenario_key,
)
from workflows.migrate import metadata


def expanded(fn: Any) -> list[dict[str, Any]]:
    """The parameter sets pytest generates for a scenario from its parametrize marks."""
    sets: list[list[dict[str, Any]]] = []
    for mark in getattr(fn, "pytestmark", []):
        if mark.name != "parametrize":
            continue
        names = [n.strip() for n in mark.args[0].split(",")] if isinstance(
            mark.args[0], str) else list(mark.args[0])
        rows = []
        for value in mark.args[1]:
            values = value if len(names) > 1 else (value,)
            rows.append(dict(zip(names, values, strict=True)))
        sets.append(rows)
    return [dict(itertools.chain.from_iterable(d.items() for d in combo))
            for combo in itertools.product(*sets)] or [{}]


def run_scenario(fn: Any, params: dict[str, Any], key: str) -> None:
    """Run one scenario as pytest would, on a fresh in-memory SQLite database and clock."""
    db = make_engine("sqlite://", poolclass=StaticPool)
    try:
        metadata.create_all(db)
        clock = ManualClock()
        engine = make_cii_engine(db, clock)
        deploy_all(engine)
        tracker = Tracker(engine, key)
        available = {"track": tracker, "clock": clock, **params}
        fn(**{name: available[name] for name in inspect.signature(fn).parameters})
        tracker.record()
    finally:
        db.dispose()


def test_every_element_of_the_three_processes_is_walked(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CIIFLOW_PAI_QUOTA", raising=False)
    keys = []
    for name, fn in sorted(SCENARIOS.items()):
        for params in expanded(fn):
            keys.append(scenario_key(name, params))
            if keys[-1] not in VISITED:
                run_scenario(fn, params, keys[-1])
    # only the marked scenarios count: the result must not depend on what else ran
    walked = set().union(*(VISITED[key] for key in keys))
    report = []
    missing: dict[str, list[str]] = {}
    for process in PROCESS_FILES:
        elements = model(process).elements()
        seen = {element for proc, element in walked if proc == process}
        assert seen <= elements, seen - elements
        report.append(f"{process}: {len(seen)}/{len(elements)}")
        if elements - seen:
            missing[process] = sorted(elements - seen)
    assert not missing, f"unwalked elements ({', '.join(report)}): {missing}"


def test_the_walk_counts_only_what_a_case_walked() -> None:
    """The check is worth something only if the walk does not over-count: a refused
    announcement walks exactly the refusal branch, nothing of triage."""
    key = "walk-check"
    VISITED.pop(key, None)
    run_scenario(test_cii_case.test_announcement_without_consent_is_refused_with_a_reason,
                 {}, key)
    assert VISITED.pop(key) == {("cii_case", e) for e in (
        "announcement_start", "flow_announcement_start_to_consent_gw", "consent_gw",
        "consent_missing_flow", "refusal_notice_task",
        "flow_refusal_notice_task_to_announcement_refused_end", "announcement_refused_end")}
