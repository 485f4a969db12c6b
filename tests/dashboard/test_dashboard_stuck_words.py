"""The dashboard shows what the stuck rows now say: the drawn name, the called element
under its call activity, the reason in words, the new reasons and filters, as text."""

from __future__ import annotations

from engine import Caller
from tests.engine.test_stuck_reasons import caller, child, receive_then_task
from tests.support.chromium import CHROMIUM, needs_chromium

pytestmark = needs_chromium



def test_names_children_and_words_are_shown(served: tuple) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, engine, clock, token = served
    engine.deploy({"caller.bpmn": caller(), "child.bpmn": child(),
                   "r.bpmn": receive_then_task()})
    engine.start("caller_case", "c-1", {}, caller=Caller.operator("orp"))
    engine.start("receive_case", "r-1", {}, caller=Caller.operator("orp"))
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
        waiting = page.locator('#stuck tbody tr[data-reason="waiting"]')
        text = " | ".join(waiting.all_inner_texts())
        assert "Préavis SAS (Call_Preavis)" in text
        assert "↳ preavis_child: Donner le préavis (Give_Preavis)" in text
        assert "waiting 12 days for message 'oai_decision' at receive task" in text
        assert page.locator("#stuck td.why").count() >= 2

        page.fill("#process", "receive_case")
        page.click("#load")
        expect(page.locator('#stuck tbody tr[data-reason="waiting"]')).to_have_count(1)
        page.select_option("#reason", "notification_failing")
        page.click("#load")
        expect(page.locator("#summary")).to_contain_text("0 stuck")
        browser.close()
