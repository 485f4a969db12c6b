"""`notification_failing`: an institution whose webhook receiver answers 500 is named on
the stuck cases of its groups, with since when and the last error, until it heals."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from engine import Caller, Engine, ManualClock
from tests.support.principals import add_principal
from tests.workflows import processes
from webhooks.dispatcher import Dispatcher
from webhooks.models import WebhookEndpoint

from .conftest import add_endpoint
from .receivers import Received, Receiver

ORP = Caller.operator("orp")


def failing(_: Received) -> tuple[int, dict[str, str], bytes]:
    return 500, {}, b"down for maintenance"


def test_a_failing_endpoint_names_its_institution_on_its_tasks(
        wengine: Engine, dispatcher: Dispatcher, clock: ManualClock) -> None:
    wengine.deploy({"one.bpmn": processes.one_task(group="oai"),
                    "two.bpmn": processes.one_task("two_task", group="sas")})
    with Receiver(failing) as receiver:
        oai = add_principal(wengine, "office-ai", "institution", ["oai"]).id
        add_endpoint(wengine, oai, receiver.url)
        sas = add_principal(wengine, "sas", "institution", ["sas"]).id
        add_endpoint(wengine, sas, f"{receiver.url}/never-called")
        assert wengine.stuck(reason="notification_failing").items == []
        started = wengine.start("one_task", "k-1", {}, caller=ORP)
        wengine.start("two_task", "k-2", {}, caller=ORP)
        with wengine.sessions.begin() as s:  # only the OAI's receiver is reached
            s.execute(update(WebhookEndpoint).where(WebhookEndpoint.principal_id == sas)
                      .values(status="deleted"))
        first_try = clock.now()
        assert dispatcher.run_once() >= 1
        assert receiver.received

    clock.advance(hours=2)
    [row] = wengine.stuck(reason="notification_failing").items
    assert (row.instance_id, row.institution, row.groups) == (
        started.instance.id, "office-ai", ["oai"])
    assert row.since == started.instance.started_at and row.waiting_seconds == 2 * 3600
    assert row.cause_since == first_try
    assert row.detail and "500" in row.detail
    assert row.message.startswith("institution office-ai is not hearing of user task ")
    assert "its webhook deliveries fail since " in row.message
    assert [r.reason for r in wengine.stuck(timedelta(days=10),
                                            institution="office-ai").items] == [
        "notification_failing"]
    assert wengine.stuck(reason="notification_failing", institution="sas").items == []
    assert wengine.stuck_counts()["notification_failing"] == 1

    with wengine.sessions.begin() as s:  # disabled: still failing, since it was disabled
        s.execute(update(WebhookEndpoint).where(WebhookEndpoint.principal_id == oai)
                  .values(status="disabled", disabled_at=clock.now(),
                          disabled_reason="failing", failing_since=None))
    [row] = wengine.stuck(reason="notification_failing").items
    assert row.cause_since == first_try  # the failed delivery still tells since when


def test_a_healthy_endpoint_is_no_reason(wengine: Engine, dispatcher: Dispatcher,
                                         clock: ManualClock) -> None:
    wengine.deploy({"one.bpmn": processes.one_task(group="oai")})
    with Receiver() as receiver:
        oai = add_principal(wengine, "office-ai", "institution", ["oai"]).id
        add_endpoint(wengine, oai, receiver.url)
        wengine.start("one_task", "k-1", {}, caller=ORP)
        assert dispatcher.run_once() == 1
    clock.advance(days=20)
    assert {r.reason for r in wengine.stuck().items} == {"waiting"}
