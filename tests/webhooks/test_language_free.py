"""Webhooks carry no language: a task.ready of the real ORP–BIP file names no task text.

Why: the task names and form labels are translated for readers (the API answers
in `Accept-Language`); a webhook is read by an institution's system, which
fetches the task in its own language, and its body must not depend on who
reads it, nor carry free text.
"""

from __future__ import annotations

from engine import Engine
from tests.processes import payloads as p
from tests.processes.driver import BPMN_DIR
from tests.support.principals import add_principal
from webhooks.dispatcher import Dispatcher

from .conftest import add_endpoint
from .receivers import Receiver


def test_a_task_ready_body_holds_neither_the_french_nor_the_german_name(
        wengine: Engine, dispatcher: Dispatcher) -> None:
    wengine.deploy({"orp_bip.bpmn": (BPMN_DIR / "orp_bip.bpmn").read_bytes()})
    with Receiver() as receiver:
        principal = add_principal(wengine, "orp", "institution", ["orp-haut-valais"]).id
        _, secret = add_endpoint(wengine, principal, receiver.url, ["task.ready"])
        wengine.start("orp_bip", "BIP-9", p.bip_announcement(), actor="oasi-bip/bip")
        assert dispatcher.run_once() == 1
    [record] = receiver.received
    payload = record.verify(secret)
    assert payload["type"] == "task.ready"
    assert payload["data"]["activity"] == "orp_registration_task"
    body = record.body.decode()
    for text in ("Person beim RAV anmelden", "Inscrire la personne", "anmelden", "Inscrire"):
        assert text not in body
    assert "content-language" not in record.headers
