"""The coordinators' dashboard in Debian's Chromium, against a real served app."""

from __future__ import annotations

from pathlib import Path

from tests.engine import processes
from tests.support.chromium import CHROMIUM, needs_chromium

pytestmark = needs_chromium
HOSTILE_KEY = 'case-<img src=x onerror="document.title=1">'
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var"



def test_stuck_cases_and_incidents_are_shown_as_text(served: tuple) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, engine, clock, token = served
    engine.deploy({"p.bpmn": processes.three_tasks(), "g.bpmn": processes.gateway()})
    at_sas = engine.start("three_tasks", HOSTILE_KEY, {"region": "sion"})
    engine.complete_task(engine.tasks(instance_id=at_sas.instance.id)[0].id, {}, actor="team")
    engine.start("three_tasks", "case-2", {"region": "brig"})
    failing = engine.start("gateway", "case-3", {})
    engine.complete_task(engine.tasks(instance_id=failing.instance.id)[0].id, {}, actor="sas")
    clock.advance(days=12)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        page = browser.new_page()
        page.goto(f"{base}/dashboard")
        page.fill("#token", token)
        page.click("#token-form button")
        page.wait_for_selector("#stuck tbody tr")
        page.wait_for_selector("#incidents tbody tr")

        rows = page.locator("#stuck tbody tr")
        reasons = {rows.nth(i).get_attribute("data-reason") for i in range(rows.count())}
        assert {"waiting", "overdue", "incident", "no_holder"} <= reasons
        overdue = page.locator('#stuck tbody tr[data-reason="overdue"]')
        assert overdue.count() == 1
        assert "second_task" in overdue.inner_text() and "sas" in overdue.inner_text()
        assert "12 d" in page.locator('#stuck tbody tr[data-reason="waiting"]').first.inner_text()
        # a hostile business key is shown as text, never run as HTML
        cells = page.locator("#stuck tbody td").all_inner_texts()
        assert HOSTILE_KEY in cells
        assert page.locator("#stuck img").count() == 0 and page.title() != "1"
        incident = page.locator("#incidents tbody tr").first.inner_text()
        assert "decision_gateway" in incident and failing.instance.id in incident

        page.select_option("#reason", "overdue")
        page.click("#load")
        # the page's CSP forbids eval, so wait with selectors, not wait_for_function
        expect(page.locator("#stuck tbody tr")).to_have_count(1)
        expect(page.locator("#summary")).to_contain_text("1 stuck")
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)

        page.click("#sign-out")
        assert page.locator("#login").is_visible()
        browser.close()


def test_the_page_refuses_inline_script(served: tuple) -> None:
    import requests

    base = served[0]
    response = requests.get(f"{base}/dashboard", timeout=10)
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert requests.get(f"{base}/dashboard/static/dashboard.js", timeout=10).status_code == 200


def test_a_bad_token_gets_the_login_back(served: tuple) -> None:
    from playwright.sync_api import sync_playwright

    base = served[0]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(f"{base}/dashboard")
        page.fill("#token", "cii_not-a-token")
        page.click("#token-form button")
        page.wait_for_selector("#login", state="visible")
        assert page.locator("#board").is_hidden()
        browser.close()
