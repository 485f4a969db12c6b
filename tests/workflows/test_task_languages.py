"""The task API in the caller's language: the real ORP–BIP file read in German and French.

Why the real file: its German names are what the Haut-Valais ORP will read, so
the test reads them through the API as an ORP's system would, with
`Accept-Language`, and checks the answer says its language.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import CliRunner

from engine import Engine
from tests.processes import payloads as p
from tests.processes.driver import BPMN_DIR, PROCESS_FILES
from tests.support.bpmn import Flow, Node, document, user_task
from tests.support.principals import add_tokens, bearer
from workflows.app import create_app
from workflows.cli import main

ORP = "orp-haut-valais"


@pytest.fixture
def ask(engine: Engine) -> Callable[..., Any]:
    """`ask("GET", path, "de")`: the JSON answer and headers, as the Haut-Valais ORP."""
    engine.deploy({name: (BPMN_DIR / name).read_bytes()
                   for name in (PROCESS_FILES["orp_bip"],)})
    token = add_tokens(engine, {"orp": ("institution", [ORP])})["orp"]
    client = create_app({"TESTING": True}, engine=engine).test_client()

    def do(method: str, path: str, language: str | None = None, **kwargs: Any) -> Any:
        headers = bearer(token) | ({"Accept-Language": language} if language else {})
        return client.open(path, method=method, headers=headers, **kwargs)

    return do


def only_task(ask: Callable[..., Any], language: str | None) -> tuple[dict[str, Any], Any]:
    response = ask("GET", "/api/v1/tasks", language)
    assert response.status_code == 200
    [task] = response.get_json()["items"]
    return task, response


def test_task_names_follow_accept_language(engine: Engine, ask: Callable[..., Any]) -> None:
    engine.start("orp_bip", "BIP-7", p.bip_announcement(), actor="oasi-bip/bip")
    german, response = only_task(ask, "de-CH,de;q=0.9,fr;q=0.5")
    assert german["name"] == "Person beim RAV anmelden"
    assert response.headers["Content-Language"] == "de"
    assert "Accept-Language" in response.headers["Vary"]
    french, response = only_task(ask, "fr")
    assert french["name"] == "Inscrire la personne à l'ORP"
    assert response.headers["Content-Language"] == "fr"
    default, _ = only_task(ask, None)
    assert default["name"] == "Inscrire la personne à l'ORP"
    english, response = only_task(ask, "en")  # no name.en drawn: the French name
    assert english["name"] == "Inscrire la personne à l'ORP"
    assert response.headers["Content-Language"] == "en"


def test_task_form_labels_and_enum_names_follow_accept_language(
        engine: Engine, ask: Callable[..., Any]) -> None:
    engine.start("orp_bip", "BIP-8", p.bip_announcement(), actor="oasi-bip/bip")
    [registration] = engine.tasks(state="ready")
    engine.complete_task(registration.id, {"registration_date": "2026-01-06",
                                           "jobroom_registered": True}, actor="orp")
    [assignment] = engine.tasks(state="ready")
    engine.complete_task(assignment.id, {"orp_counsellor": "orp.zenhaeusern",
                                         "first_meeting_date": "2026-01-12"}, actor="orp")
    [counselling] = engine.tasks(state="ready")

    german = ask("GET", f"/api/v1/tasks/{counselling.id}", "de").get_json()
    assert german["name"] == "Beraten und vermitteln"
    form = {f["id"]: f for f in german["form"]}
    assert form["placement_date"]["label"] == "Datum der Anstellung"
    assert form["placement_outcome"]["label"] == "Ergebnis"
    assert form["placement_outcome"]["enum"] == [
        {"id": "placed", "name": "Vermittelt"}, {"id": "not_placed", "name": "Nicht vermittelt"}]
    assert [v["name"] for v in form["contract_type"]["enum"]] == [
        "Unbefristet", "Befristet", "Lehre", "Keiner"]

    french = ask("GET", f"/api/v1/tasks/{counselling.id}", "fr").get_json()
    assert french["name"] == "Conseiller et placer"
    form = {f["id"]: f for f in french["form"]}
    assert form["placement_date"]["label"] == "Date d'engagement"
    assert form["placement_outcome"]["enum"] == [
        {"id": "placed", "name": "Placé·e"}, {"id": "not_placed", "name": "Non placé·e"}]
    # the completion is checked against the same enum ids whatever the language read
    done = ask("POST", f"/api/v1/tasks/{counselling.id}/complete", "de",
               json={"data": {"placement_outcome": "placed", "placement_date": "2026-04-01",
                              "contract_type": "permanent"}})
    assert done.status_code == 200, done.get_json()


def translated_process() -> bytes:
    """One task with English and German names, a blank German label, an enum."""
    inner = (
        '<bpmn:extensionElements>'
        '<camunda:formData>'
        '<camunda:formField id="decision" label="Décision" type="enum">'
        '<camunda:properties>'
        '<camunda:property id="label.de" value="Entscheid" />'
        '<camunda:property id="label.en" value="Decision" />'
        '<camunda:property id="value.yes.de" value="Ja" />'
        '<camunda:property id="value.no.de" value="  " />'
        '</camunda:properties>'
        '<camunda:value id="yes" name="Oui" /><camunda:value id="no" name="Non" />'
        '</camunda:formField>'
        '</camunda:formData>'
        '<camunda:properties>'
        '<camunda:property name="name.de" value="Entscheiden" />'
        '<camunda:property name="name.en" value="Decide" />'
        '</camunda:properties>'
        '</bpmn:extensionElements>')
    task = user_task("decide", groups=ORP, inner=inner)
    task.name = "Décider"
    nodes = [Node("start", "startEvent"), task, Node("end", "endEvent")]
    return document("translated", nodes, [Flow("start", "decide"), Flow("decide", "end")])


def test_english_and_a_blank_translation(engine: Engine, ask: Callable[..., Any]) -> None:
    engine.deploy({"translated.bpmn": translated_process()})
    engine.start("translated", "T-1")
    [task] = engine.tasks(state="ready")
    english = ask("GET", f"/api/v1/tasks/{task.id}", "en").get_json()
    assert english["name"] == "Decide"
    assert english["form"][0]["label"] == "Decision"
    assert english["form"][0]["enum"] == [{"id": "yes", "name": "Oui"},
                                          {"id": "no", "name": "Non"}]
    german = ask("GET", f"/api/v1/tasks/{task.id}", "de").get_json()
    assert german["form"][0]["enum"] == [{"id": "yes", "name": "Ja"},
                                         {"id": "no", "name": "Non"}]  # blank: French
    listed, _ = only_task(ask, "en")
    assert listed["name"] == "Decide"


def test_the_cli_reads_a_task_in_german(engine: Engine, db_url: str,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    engine.deploy({"orp_bip.bpmn": (BPMN_DIR / "orp_bip.bpmn").read_bytes()})
    engine.start("orp_bip", "BIP-10", p.bip_announcement(), actor="oasi-bip/bip")
    monkeypatch.setenv("CIIFLOW_DATABASE_URL", db_url)
    listed = CliRunner().invoke(main, ["tasks", "--language", "de"])
    assert listed.exit_code == 0 and listed.output.rstrip().endswith("Person beim RAV anmelden")
    task_id = listed.output.splitlines()[1].split()[0]
    shown = CliRunner().invoke(main, ["task", task_id, "--language", "de"])
    body = json.loads(shown.output)
    assert body["name"] == "Person beim RAV anmelden"
    assert [f["label"] for f in body["form"]] == ["Datum der Anmeldung", "Auf Job-Room angemeldet"]
    french = CliRunner().invoke(main, ["tasks"])
    assert french.output.rstrip().endswith("Inscrire la personne à l'ORP")


def test_a_case_names_its_open_tasks_and_where_it_waits_in_german(
        engine: Engine, ask: Callable[..., Any]) -> None:
    started = engine.start("orp_bip", "BIP-11", p.bip_announcement(), actor="oasi-bip/bip")
    path = f"/api/v1/instances/{started.instance.id}"
    german = ask("GET", path, "de")
    assert german.headers["Content-Language"] == "de"
    body = german.get_json()
    assert [t["name"] for t in body["open_tasks"]] == ["Person beim RAV anmelden"]
    assert [w["name"] for w in body["waiting_at"]] == ["Person beim RAV anmelden"]
    french = ask("GET", path).get_json()
    assert [t["name"] for t in french["open_tasks"]] == ["Inscrire la personne à l'ORP"]
    assert [w["name"] for w in french["waiting_at"]] == ["Inscrire la personne à l'ORP"]


def test_the_control_room_position_names_where_the_case_waits_in_german(
        engine: Engine, ask: Callable[..., Any]) -> None:
    started = engine.start("orp_bip", "BIP-12", p.bip_announcement(), actor="oasi-bip/bip")
    token = add_tokens(engine, {"coord": ("coordinator", [])})["coord"]
    client = create_app({"TESTING": True}, engine=engine).test_client()
    path = f"/api/v1/instances/{started.instance.id}/position"
    german = client.get(path, headers=bearer(token) | {"Accept-Language": "de-CH"})
    assert german.headers["Content-Language"] == "de"
    assert [w["name"] for w in german.get_json()["waiting_at"]] == ["Person beim RAV anmelden"]
    french = client.get(path, headers=bearer(token)).get_json()
    assert [w["name"] for w in french["waiting_at"]] == ["Inscrire la personne à l'ORP"]


def test_the_start_form_follows_accept_language(engine: Engine, ask: Callable[..., Any],
                                                db_url: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    response = ask("GET", "/api/v1/definitions/orp_bip/versions/1", "de")
    assert response.status_code == 200 and response.headers["Content-Language"] == "de"
    form = {f["id"]: f for f in response.get_json()["start_form"]}
    assert form["region"]["label"] == "Sozioökonomische Region"
    assert form["region"]["enum"][0] == {"id": "haut-valais", "name": "Oberwallis"}
    french = ask("GET", "/api/v1/definitions/orp_bip/versions/1").get_json()["start_form"]
    assert french[0]["label"] == "Région socio-économique"
    monkeypatch.setenv("CIIFLOW_DATABASE_URL", db_url)
    shown = CliRunner().invoke(main, ["definition", "orp_bip", "--language", "de"])
    assert json.loads(shown.output)["start_form"][0]["label"] == "Sozioökonomische Region"
