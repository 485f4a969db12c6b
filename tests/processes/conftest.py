"""Fixtures of the scenario tests: the real `bpmn/` files deployed on the real engine.

The `track` fixture names the scenario after its test function, so the
coverage check can tell which scenarios already walked their paths in this
session and run the others itself.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine import Engine
from tests.processes.driver import Tracker, deploy_all, scenario_key


@pytest.fixture
def deployed(cii_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    # the PAI quota must be the modelled 10 places, whatever the shell exports
    monkeypatch.delenv("CIIFLOW_PAI_QUOTA", raising=False)
    deploy_all(cii_engine)
    return cii_engine


@pytest.fixture
def track(request: pytest.FixtureRequest, deployed: Engine) -> Iterator[Tracker]:
    callspec = getattr(request.node, "callspec", None)
    params = {k: v for k, v in (callspec.params if callspec else {}).items() if k != "db_url"}
    tracker = Tracker(deployed, scenario_key(request.node.originalname, params))
    yield tracker
    if not getattr(request.node, "scenario_failed", False):
        tracker.record()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """Remember a failed call, so a half-walked path never counts towards coverage."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        item.scenario_failed = True  # type: ignore[attr-defined]
