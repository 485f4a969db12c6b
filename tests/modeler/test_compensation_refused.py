"""Compensation is refused at deploy, by name, on a file drawn as the Modeler draws it.

SpiffWorkflow 3.2 has no compensation (docs/camunda-constructs.md says what running it
as Camunda 7 does would take); a file that relies on it must not run without it.
"""

from __future__ import annotations

import pytest

from engine.errors import DefinitionRefused
from tests.modeler.conftest import Case, corpus


def test_compensation_boundary_and_throws_are_refused_by_name(case: Case) -> None:
    with pytest.raises(DefinitionRefused) as refused:
        case.engine.deploy(corpus("compensation.bpmn"))
    named = {f.element_id for f in refused.value.findings if f.severity == "error"
             and "bpmn:compensateEventDefinition" in f.message
             and "compensation is not run by ciiflow" in f.message}
    assert named == {"Event_Refund", "Throw_Compensate", "End_Compensate"}
    assert [d.key for d in case.engine.definitions()] == []  # nothing was stored
