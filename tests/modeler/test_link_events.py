"""Link events run as Camunda 7 runs them, from Modeler files.

Camunda 7 (User Guide, BPMN 2.0 > Events > Link Events): a throw link event goes on
at the catch link event of the same name, in the same process scope; several throws
may share one catch. A link never leaves its (sub)process, so the embedded
subprocess's own `decision` link stays inside it.
"""

from __future__ import annotations

import pytest

from engine.errors import DefinitionRefused
from tests.modeler.conftest import Case, corpus


def ready(case: Case, iid: str) -> list[str]:
    return sorted(t.activity_id for t in case.ready(iid))


def _run(case: Case, iid: str, complete: bool) -> list[str]:
    """Complete tasks one by one; the activities in the order they were created."""
    order = ["Review"]
    case.complete(case.only(iid, "Review"), {"complete": complete})
    while tasks := case.ready(iid):
        assert len(tasks) == 1, [t.activity_id for t in tasks]
        order.append(tasks[0].activity_id)
        case.complete(tasks[0])
    return order


def test_a_complete_file_jumps_from_the_gateway_to_the_decision(case: Case) -> None:
    case.deploy("link_events.bpmn")
    iid = case.engine.start("link_events", "L-1", {}).instance.id
    assert ready(case, iid) == ["Review"]
    assert _run(case, iid, True) == ["Review", "Decide", "Prepare", "Archive"]
    assert case.engine.instance(iid).status == "completed"
    assert [a for a, _ in case.rows(iid)] == ["Archive", "Decide", "Prepare", "Review"]


def test_a_second_throw_of_the_same_name_reaches_the_same_catch(case: Case) -> None:
    case.deploy("link_events.bpmn")
    iid = case.engine.start("link_events", "L-2", {}).instance.id
    assert _run(case, iid, False) == ["Review", "Request_Docs", "Decide", "Prepare",
                                      "Archive"]
    assert case.engine.instance(iid).status == "completed"


def test_malformed_links_are_refused_by_name(case: Case) -> None:
    with pytest.raises(DefinitionRefused) as refused:
        case.engine.deploy(corpus("link_unmatched.bpmn"))
    errors = {(f.element_id, f.message.split(":")[0]) for f in refused.value.findings
              if f.severity == "error"}
    assert errors == {
        ("Link_Nowhere", "throw link event 'review' has no catch link event of that name "
                         "in the same process or subprocess (a link does not cross a "
                         "subprocess border); add it or rename"),
        ("Link_Twice_1", "2 catch link events are named 'decision' in this scope"),
        ("Link_Twice_2", "2 catch link events are named 'decision' in this scope"),
        ("Link_Unnamed", "link event without a name"),
        ("Link_Onward", "throw link event 'decision' has an outgoing sequence flow"),
    }
