"""Case data that would break the stored state is refused, naming the field."""

from __future__ import annotations

from datetime import date

import pytest

from engine import Engine, InvalidInput
from engine.runtime.casedata import clean
from tests.engine import processes


@pytest.mark.parametrize(("data", "field"), [
    ({"typename": "x"}, "typename"),
    ({"address": {"typename": "x"}}, "address.typename"),
    ({"__class__": 1}, "__class__"),
    ({"items": [1, {"typename": 2}]}, "items[1].typename"),
    ({"f": object()}, "f"),
    ({"f": {1: "a"}}, "f"),
])
def test_unkeepable_data_is_refused_with_its_path(data: dict, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        clean(data)
    assert refused.value.field == field


def test_plain_data_is_deep_copied() -> None:
    nested = {"address": {"city": "Sion"}, "born": date(1990, 1, 1), "n": [1, 2.5, None]}
    copied = clean(nested)
    assert copied == nested and copied["address"] is not nested["address"]


def test_a_refused_completion_changes_nothing(engine: Engine) -> None:
    engine.deploy({"p.bpmn": processes.three_tasks()})
    started = engine.start("three_tasks", "c", {"region": "sion"})
    task = engine.tasks(instance_id=started.instance.id)[0]
    before = engine.instance(started.instance.id)
    with pytest.raises(InvalidInput):
        engine.complete_task(task.id, {"note": {"typename": "Task"}}, actor="x")
    after = engine.instance(started.instance.id)
    assert (after.version, after.state) == (before.version, before.state)
    assert engine.task(task.id).state == "ready"
