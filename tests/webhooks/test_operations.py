"""The webhook operations' access rule: own endpoints only, admins all, others' as missing."""

from __future__ import annotations

import pytest

from engine import Engine
from engine.errors import InvalidInput, NotFound
from engine.service.caller import Caller
from tests.support.principals import add_principal
from webhooks import deliveries, manage

URL = "http://127.0.0.1:9/in"


@pytest.fixture
def callers(wengine: Engine) -> dict[str, Caller]:
    found = {}
    for name, role in (("sas", "institution"), ("oai", "institution"),
                       ("coord", "coordinator"), ("admin", "admin")):
        found[name] = Caller(name=name, role=role, groups=(name,),
                             principal_id=add_principal(wengine, name, role, [name]).id)
    return found


def test_each_caller_manages_its_own(wengine: Engine, callers: dict[str, Caller]) -> None:
    sas, oai, coord, admin = (callers[n] for n in ("sas", "oai", "coord", "admin"))
    mine = manage.register_endpoint(wengine, sas, url=URL, event_types=["task.ready"])
    theirs = manage.register_endpoint(wengine, coord, url=URL,
                                      event_types=["instance.incident"])
    assert mine.endpoint.principal == "sas" and mine.secret.startswith("whsec_")
    assert [v.id for v in manage.list_endpoints(wengine, sas)] == [mine.endpoint.id]
    assert [v.id for v in manage.list_endpoints(wengine, coord)] == [theirs.endpoint.id]
    assert manage.list_endpoints(wengine, oai) == []
    assert len(manage.list_endpoints(wengine, admin)) == 2
    assert [v.id for v in manage.list_endpoints(wengine, admin, principal="coord")] == [
        theirs.endpoint.id]

    for attempt in (lambda: manage.get_endpoint(wengine, oai, mine.endpoint.id),
                    lambda: manage.change_endpoint(wengine, coord, mine.endpoint.id,
                                                   status="disabled"),
                    lambda: manage.remove_endpoint(wengine, oai, mine.endpoint.id),
                    lambda: manage.rotate_endpoint_secret(wengine, oai, mine.endpoint.id),
                    lambda: manage.ping_endpoint(wengine, oai, mine.endpoint.id)):
        with pytest.raises(NotFound, match=f"no webhook endpoint {mine.endpoint.id}"):
            attempt()
    assert manage.get_endpoint(wengine, sas, mine.endpoint.id).status == "active"
    assert manage.get_endpoint(wengine, admin, mine.endpoint.id).principal == "sas"


def test_registering_for_someone_else(wengine: Engine, callers: dict[str, Caller]) -> None:
    with pytest.raises(InvalidInput) as refused:
        manage.register_endpoint(wengine, callers["sas"], url=URL, event_types=["task.ready"],
                                 principal="oai")
    assert refused.value.field == "principal"
    with pytest.raises(InvalidInput) as unnamed:
        manage.register_endpoint(wengine, Caller.operator("cli"), url=URL,
                                 event_types=["task.ready"])
    assert unnamed.value.field == "principal"
    made = manage.register_endpoint(wengine, Caller.operator("cli"), url=URL,
                                    event_types=["task.ready"], principal="oai")
    assert made.endpoint.principal_id == callers["oai"].principal_id
    assert manage.list_endpoints(wengine, callers["sas"]) == []


def test_unsafe_url_and_bad_input_name_the_field(wengine: Engine, callers: dict[str, Caller],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIIFLOW_WEBHOOK_ALLOW_HOSTS", "")
    with pytest.raises(InvalidInput) as unsafe:
        manage.register_endpoint(wengine, callers["sas"], url="https://10.0.0.1/",
                                 event_types=["task.ready"])
    assert str(unsafe.value).startswith("the webhook URL is refused: ")
    assert list(unsafe.value.errors) == ["url"]
    with pytest.raises(InvalidInput) as status:
        deliveries.list_deliveries(wengine, callers["sas"], status="lost")
    assert status.value.field == "status"
    assert manage.list_endpoints(wengine, callers["admin"]) == []


def test_deliveries_are_seen_and_redelivered_by_their_owner(
        wengine: Engine, callers: dict[str, Caller]) -> None:
    sas, oai = callers["sas"], callers["oai"]
    endpoint = manage.register_endpoint(wengine, sas, url=URL, event_types=["task.ready"])
    for _ in range(3):
        manage.ping_endpoint(wengine, sas, endpoint.endpoint.id)
    page = deliveries.list_deliveries(wengine, sas, limit=2)
    assert len(page.items) == 2 and page.has_more
    rest = deliveries.list_deliveries(wengine, sas, limit=2, offset=2)
    assert len(rest.items) == 1 and not rest.has_more
    assert deliveries.list_deliveries(wengine, oai).items == []
    assert len(deliveries.list_deliveries(wengine, callers["admin"]).items) == 3

    target = page.items[0].id
    with pytest.raises(NotFound, match=f"^no delivery {target}$"):
        deliveries.redeliver(wengine, oai, target)
    with pytest.raises(NotFound):
        deliveries.redeliver(wengine, sas, 2**31)
    again = deliveries.redeliver(wengine, sas, target)
    assert (again.id, again.status, again.attempts, again.event_type) == (
        target, "pending", 0, "ping")
