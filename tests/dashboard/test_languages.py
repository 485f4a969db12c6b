"""The control room in the coordinator's language, in Debian's Chromium.

A browser set to Swiss German gets the board in German, and the switch turns it
to French for the rest of the session; no page script is inline (the catalog
is a static file), and every request stays on the host.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from engine import Engine, ManualClock
from tests.engine import processes
from tests.processes.driver import BPMN_DIR
from tests.processes.payloads import bip_announcement
from tests.support.chromium import CHROMIUM, needs_chromium
from tests.support.principals import add_principal
from tests.support.served import serve

pytestmark = needs_chromium


@pytest.fixture
def served(engine: Engine, clock: ManualClock) -> Iterator[tuple[str, str]]:
    token = add_principal(engine, "cantonal", "coordinator", ["cii-cantonal"]).token
    engine.deploy({"p.bpmn": processes.three_tasks()})
    at_sas = engine.start("three_tasks", "case-1", {"region": "sion"})
    engine.complete_task(engine.tasks(instance_id=at_sas.instance.id)[0].id, {}, actor="team")
    clock.advance(days=12)  # overdue at second_task
    with serve(engine) as base:
        yield base, token


def test_a_german_browser_gets_german_and_the_switch_turns_it_french(served: tuple) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, token = served
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(locale="de-CH")
        page = context.new_page()
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        languages: list[str | None] = []
        page.on("request", lambda request: languages.append(
            request.headers.get("accept-language")) if "/api/" in request.url else None)
        page.goto(f"{base}/dashboard")
        expect(page.locator("h1")).to_have_text("Blockierte Fälle")
        assert page.locator("html").get_attribute("lang") == "de"
        expect(page.locator("#login button")).to_have_text("Anmelden")
        page.fill("#token", token)
        page.click("#token-form button")
        overdue = page.locator('#stuck tbody tr[data-reason="overdue"]')
        expect(overdue).to_have_count(1)
        expect(overdue.locator(".reason")).to_have_text("überfällig")
        expect(overdue.locator("td").nth(6)).to_have_text(re.compile(r"^\d+ T\.$"))
        expect(page.locator("#summary")).to_contain_text("3 blockiert")
        expect(page.locator("#reason option[value=overdue]")).to_have_text("überfällig")
        assert page.locator("#group").get_attribute("placeholder") == "z. B. sas"
        assert languages and set(languages) == {"de"}  # the API is asked in German too

        page.select_option("#language", "fr")
        expect(page.locator("h1")).to_have_text("Cas bloqués")
        expect(page.locator('#stuck tbody tr[data-reason="overdue"] .reason')).to_have_text(
            "en retard")  # still signed in: the token stays in the tab
        expect(page.locator("#summary")).to_contain_text("3 bloqué(s)")
        page.goto(f"{base}/dashboard")  # the choice is kept
        expect(page.locator("h1")).to_have_text("Cas bloqués")
        assert page.locator("#language").input_value() == "fr"
        assert all(url.startswith(base) for url in requests)
        browser.close()


def test_an_unknown_browser_language_gets_french(served: tuple) -> None:
    from playwright.sync_api import expect, sync_playwright

    base = served[0]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_context(locale="it-CH").new_page()
        page.goto(f"{base}/dashboard")
        expect(page.locator("h1")).to_have_text("Cas bloqués")
        browser.close()


def test_a_case_page_in_german_names_its_open_task_in_german(engine: Engine) -> None:
    from playwright.sync_api import expect, sync_playwright

    token = add_principal(engine, "cantonal", "coordinator", ["cii-cantonal"]).token
    engine.deploy({"orp_bip.bpmn": (BPMN_DIR / "orp_bip.bpmn").read_bytes()})
    case = engine.start("orp_bip", "BIP-1", bip_announcement(), actor="oasi-bip/bip")
    with serve(engine) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_context(locale="de-CH").new_page()
        page.goto(f"{base}/dashboard/cases/{case.instance.id}")
        page.fill("#token", token)
        page.click("#token-form button")
        expect(page.locator("#tasks")).to_contain_text("Person beim RAV anmelden")
        expect(page.locator("#login button")).to_have_text("Anmelden")
        assert page.locator("html").get_attribute("lang") == "de"
        page.select_option("#language", "fr")
        expect(page.locator("#tasks")).to_contain_text("Inscrire la personne à l'ORP")
        browser.close()
