"""The control room in Debian's Chromium, against a real served app: a case on its diagram,
a process's heatmap, bulk actions reported per case, text kept as text, nothing fetched
from another origin."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from engine import Engine, ManualClock
from tests.dashboard.conftest import Floor
from tests.engine import processes
from tests.support.chromium import CHROMIUM, needs_chromium
from tests.support.principals import add_principal
from tests.support.served import serve

pytestmark = needs_chromium
HOSTILE_KEY = 'case-<img src=x onerror="document.title=1">'
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var"


class Browser:
    """One Chromium page signed in as a coordinator, recording every request it makes."""

    def __init__(self, playwright: Any, base: str, token: str) -> None:
        self.base, self.token = base, token
        self.browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        self.page = self.browser.new_page(viewport={"width": 1300, "height": 1000})
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.errors.append(m.text)
                     if m.type == "error" and "favicon" not in m.text else None)

    def open(self, path: str) -> Any:
        self.page.goto(f"{self.base}{path}")
        if self.page.locator("#login").is_visible():
            self.page.fill("#token", self.token)
            self.page.click("#token-form button")
        return self.page

    def foreign(self) -> list[str]:
        return [u for u in self.requests
                if not u.startswith(self.base) and not u.startswith("data:")]


@pytest.fixture
def browser(engine: Engine, clock: ManualClock) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    token = add_principal(engine, "cantonal", "coordinator", ["cii-cantonal"]).token
    with serve(engine) as base, sync_playwright() as playwright:
        opened = Browser(playwright, base, token)
        yield opened
        opened.browser.close()


def _shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def test_a_case_page_draws_where_the_case_stands_and_its_incident(
        browser: Browser, engine: Engine, clock: ManualClock) -> None:
    from playwright.sync_api import expect

    engine.deploy({"p.bpmn": processes.three_tasks(), "g.bpmn": processes.gateway()})
    waiting = engine.start("three_tasks", HOSTILE_KEY, {"region": "sion"}).instance.id
    failing = engine.start("gateway", "case-g", {}).instance.id
    engine.complete_task(engine.tasks(instance_id=failing)[0].id, {}, actor="sas")
    message = engine.incidents(status="open")[0].message
    clock.advance(days=3)

    page = browser.open(f"/dashboard/cases/{waiting}")
    active = page.locator('.djs-element.ciiflow-active[data-element-id="first_task"]')
    expect(active).to_have_count(1)
    assert page.locator(".djs-element.ciiflow-active").count() == 1
    # the hostile business key is text, in the title and the facts, never HTML
    expect(page.locator("#case-key")).to_have_text(HOSTILE_KEY)
    assert page.locator("#board img").count() == 0 and page.title() != "1"
    expect(page.locator("#history tbody")).to_contain_text("task_ready")
    expect(page.locator("#data tbody")).to_contain_text("region")
    expect(page.locator("#access-log tbody")).to_contain_text("cantonal")

    page = browser.open(f"/dashboard/cases/{failing}")
    incident = page.locator('.djs-element.ciiflow-incident[data-element-id="decision_gateway"]')
    expect(incident).to_have_count(1)
    expect(page.locator(".djs-overlays .incident-overlay")).to_have_text(message)
    _shot(page, "control-room-case.png")

    # retry with corrected data from the page: the case moves on, the incident is gone
    page.fill(".incident .corrected-data", '{"decision": "refuse"}')
    page.fill(".incident .retry-reason", "decision was missing")
    page.click(".incident button.retry")
    expect(page.locator("#case-status")).to_have_text("completed")
    expect(page.locator("#incidents .empty")).to_be_visible()
    assert engine.incidents(status="open").items == []
    assert browser.foreign() == [] and browser.errors == []


def test_case_actions_suspend_release_and_reassign(
        browser: Browser, engine: Engine) -> None:
    from playwright.sync_api import expect

    engine.deploy({"p.bpmn": processes.three_tasks()})
    case = engine.start("three_tasks", "case-1", {"region": "sion"}).instance.id
    task = engine.tasks(instance_id=case)[0].id
    engine.claim(task, "team-agent")

    page = browser.open(f"/dashboard/cases/{case}")
    expect(page.locator("#tasks tbody")).to_contain_text("team-agent")
    page.click("#tasks button.release")
    expect(page.locator("#notice")).to_be_visible()
    expect(page.locator("#tasks button.release")).to_have_count(0)
    assert engine.task(task).assignee is None

    page.fill("#tasks input.groups", "oai, sas")
    page.fill("#tasks input.reason", "team away")
    page.click("#tasks button.reassign")
    expect(page.locator("#tasks tbody")).to_contain_text("oai, sas")
    assert engine.task(task).candidate_groups == ["oai", "sas"]

    page.click("#suspend")  # no reason: refused, the field named
    expect(page.locator("#error")).to_contain_text("reason")
    page.fill("#status-reason", "waiting for the court")
    page.click("#suspend")
    expect(page.locator("#case-status")).to_have_text("suspended")
    assert engine.instance(case).status == "suspended"


def test_the_process_page_shows_the_api_figures_on_the_diagram(
        browser: Browser, engine: Engine, floor: Floor) -> None:
    from playwright.sync_api import expect

    page = browser.open("/dashboard/processes/three_tasks")
    badge = page.locator('.djs-overlays .figures[data-activity="second_task"]')
    expect(badge).to_have_count(1)
    stats = requests.get(f"{browser.base}/api/v1/definitions/three_tasks/versions/1/"
                         "activity-stats", headers={"Authorization": f"Bearer {browser.token}"},
                         timeout=10).json()
    for figure in stats["activities"]:
        text = page.locator(f'.figures[data-activity="{figure["activity_id"]}"]').inner_text()
        assert f'{figure["ready"]} ready' in text
        if figure["overdue"]:
            assert f'{figure["overdue"]} overdue' in text
    assert "4 ready" in badge.inner_text() and "1 overdue" in badge.inner_text()
    assert "median 7 d" in badge.inner_text()
    # the busiest activity is the hottest
    assert page.locator('.djs-element.heat-4[data-element-id="second_task"]').count() == 1

    badge.click()
    expect(page.locator("#cases tbody tr")).to_have_count(4)
    expect(page.locator("#cases-title")).to_contain_text("second_task")
    first = page.locator("#cases tbody a").first
    assert first.get_attribute("href") == f"/dashboard/cases/{floor.second_task[0]}"
    _shot(page, "control-room-process.png")
    assert browser.foreign() == [] and browser.errors == []


def test_a_bulk_retry_resolves_three_incidents_and_reports_each(
        browser: Browser, engine: Engine, floor: Floor) -> None:
    from playwright.sync_api import expect

    page = browser.open("/dashboard/processes/gateway")
    page.locator('.figures[data-activity="decision_gateway"]').click()
    expect(page.locator("#cases tbody tr")).to_have_count(3)
    page.fill("#bulk-data", '{"decision": "refuse"}')
    page.click("#bulk-retry")
    expect(page.locator("#confirm-text")).to_contain_text("3 case(s)")
    assert len(engine.incidents(status="open")) == 3  # asked, not done
    page.click("#confirm-yes")
    expect(page.locator('#results tbody tr[data-status="ok"]')).to_have_count(3)
    expect(page.locator("#bulk-summary")).to_contain_text("3 done, 0 failed")
    keys = page.locator("#results tbody a").all_inner_texts()
    assert sorted(keys) == ["case-g0", "case-g1", "case-g2"]
    assert engine.incidents(status="open").items == []
    _shot(page, "control-room-bulk.png")


def test_a_bulk_release_reports_each_case(browser: Browser, engine: Engine,
                                          floor: Floor) -> None:
    from playwright.sync_api import expect

    tasks = [engine.tasks(instance_id=i)[0].id for i in floor.second_task]
    engine.claim(tasks[0], "sas-agent")
    engine.claim(tasks[1], "sas-agent")
    page = browser.open("/dashboard/processes/three_tasks?version=1")
    page.locator('.figures[data-activity="second_task"]').click()
    expect(page.locator("#cases tbody tr")).to_have_count(4)
    # three selected: two claimed, one not (not counted, reported on its row)
    for n in range(3):
        page.locator("#cases input.pick").nth(n).check()
    page.click("#bulk-release")
    expect(page.locator("#confirm-text")).to_contain_text("2 case(s)")
    page.click("#confirm-yes")
    expect(page.locator("#results tbody tr")).to_have_count(3)
    assert page.locator('#results tbody tr[data-status="ok"]').count() == 2
    assert "not claimed" in page.locator('#results tbody tr[data-status="error"]').inner_text()
    assert all(engine.task(t).assignee is None for t in tasks)


def test_the_board_links_each_row_to_its_case_page(browser: Browser, engine: Engine,
                                                   clock: ManualClock) -> None:
    engine.deploy({"p.bpmn": processes.three_tasks()})
    case = engine.start("three_tasks", HOSTILE_KEY, {"region": "sion"}).instance.id
    clock.advance(timedelta(days=12))
    page = browser.open("/dashboard")
    page.wait_for_selector("#stuck tbody tr")
    page.locator("#stuck tbody tr a").first.click()
    page.wait_for_selector('.djs-element.ciiflow-active[data-element-id="first_task"]')
    assert page.url == f"{browser.base}/dashboard/cases/{case}"
    assert page.locator("#case-key").inner_text() == HOSTILE_KEY
    assert browser.foreign() == []


def test_swagger_ui_loads_nothing_from_another_origin(browser: Browser) -> None:
    page = browser.page
    page.goto(f"{browser.base}/api/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "ciiflow" in page.locator(".swagger-ui .info .title").inner_text()
    assert browser.foreign() == []


def test_a_case_is_migrated_from_its_page_after_a_dry_run(
        browser: Browser, engine: Engine) -> None:
    from playwright.sync_api import expect

    engine.deploy({"p.bpmn": processes.three_tasks()})
    case = engine.start("three_tasks", "case-1", {"region": "sion"}).instance.id
    engine.deploy({"p.bpmn": processes.three_tasks(label="Done")})
    browser.token = add_principal(engine, "owner", "admin").token  # migrations: not coordinators
    page = browser.open(f"/dashboard/cases/{case}")
    expect(page.locator("#migrate-version option")).to_have_count(1)
    assert page.locator("#migrate-run").is_disabled()
    page.click("#migrate-dry-run")
    expect(page.locator("#migrate-plan")).to_contain_text("can move")
    assert engine.instance(case).definition_version == 1  # planned, not moved
    page.click("#migrate-run")
    expect(page.locator("#case-process")).to_have_text("three_tasks v2")
    assert engine.instance(case).definition_version == 2
