"""The HTML report in a real browser (headless chromium), loaded from disk as a person would open it.

Skipped, with the reason, when chromium, chromedriver or selenium is missing; `.ci/run` installs them.
`JNAP_UPDATE_DOCS=1 pytest tests/test_report_browser.py` also rewrites the screenshots that the README
and docs/reports.md show (docs/report.png at a desktop width, docs/report-phone.png at a phone's).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from .browser import artifacts, browser, full_page_screenshot
from .conftest import DATA, ROOT, Run

pytestmark = pytest.mark.browser


@pytest.fixture
def report_file(run: Run, tmp_path: Path) -> Path:
    target = tmp_path / "report.html"
    result = run("report", "-r", str(DATA), "-o", str(target))
    assert result.exit_code == 0, result.output
    return target


def visible(driver: Any) -> list[tuple[str, str]]:
    """(id, status) of every action card the browser displays."""
    from selenium.webdriver.common.by import By

    cards = driver.find_elements(By.CSS_SELECTOR, "article.action")
    return [
        (card.get_attribute("id")[len("action-") :], card.get_attribute("data-status"))
        for card in cards
        if card.is_displayed()
    ]


def errors(driver: Any) -> list[str]:
    """The console's errors and warnings: a refused style or script (CSP) would be one."""
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "WARNING")]


def test_search_and_status_toggles_filter_the_actions(report_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    with browser(1280, 900) as driver:
        driver.get(report_file.as_uri())
        assert driver.title.startswith("Police–CPS Joint National Action Plan")
        form = driver.find_element(By.ID, "filters")
        assert form.is_displayed(), "the script shows the filters"
        assert len(visible(driver)) == 44
        assert driver.find_element(By.ID, "filter-count").text == "Showing all 44 actions."

        # Typing in the search box hides every action that does not match.
        search = driver.find_element(By.ID, "filter-query")
        search.send_keys("soteria")
        shown = visible(driver)
        assert 0 < len(shown) < 44
        for action_id, _ in shown:
            assert "soteria" in driver.find_element(By.ID, f"action-{action_id}").text.lower()
        assert driver.find_element(By.ID, "filter-count").text == f"Showing {len(shown)} of 44 actions."
        search.send_keys(Keys.CONTROL, "a")
        search.send_keys(Keys.DELETE)
        assert len(visible(driver)) == 44

        # A status toggle, used from the keyboard (Tab to it, Space), hides that status and no other.
        toggle = driver.find_element(By.CSS_SELECTOR, "input[name='status'][value='complete']")
        toggle.send_keys(Keys.SPACE)
        assert not toggle.is_selected()
        shown = visible(driver)
        assert shown and {status for _, status in shown} == {"in-progress", "ongoing", "transferred", "deferred"}
        assert len(shown) == 44 - 32
        # A theme whose actions are all hidden is hidden with them.
        assert not driver.find_element(By.ID, "theme-original-1").is_displayed()
        driver.find_element(By.CSS_SELECTOR, "input[name='status'][value='ongoing']").click()
        assert {status for _, status in visible(driver)} == {"in-progress", "transferred", "deferred"}

        # "Show all" puts everything back.
        driver.find_element(By.CSS_SELECTOR, "#filters button[type='reset']").click()
        assert len(visible(driver)) == 44

        # A node of the graph is a link to its action's card, followed from the keyboard.
        node = driver.find_element(By.CSS_SELECTOR, "a.node[href='#action-O23']")
        driver.execute_script("arguments[0].focus()", node)
        assert driver.switch_to.active_element == node
        node.send_keys(Keys.ENTER)
        assert driver.execute_script("return location.hash") == "#action-O23"

        assert errors(driver) == []
        driver.execute_script("window.scrollTo(0, 0)")
        shot = artifacts() / "report-desktop.png"
        full_page_screenshot(driver, shot)
        if os.environ.get("JNAP_UPDATE_DOCS"):
            full_page_screenshot(driver, ROOT / "docs" / "report.png", 1500)
    with capsys.disabled():
        print(f"\nscreenshot: {shot}")


def test_the_page_reads_on_a_phone(report_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """At a phone's width nothing is wider than the screen except inside a scrolling table."""
    with browser(390, 844) as driver:
        driver.get(report_file.as_uri())
        overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page is {overflow}px wider than a phone's screen"
        assert errors(driver) == []
        shot = artifacts() / "report-phone.png"
        full_page_screenshot(driver, shot)
        if os.environ.get("JNAP_UPDATE_DOCS"):
            full_page_screenshot(driver, ROOT / "docs" / "report-phone.png", 1700)
    with capsys.disabled():
        print(f"\nscreenshot: {shot}")


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_what_needs_attention_is_on_the_first_screen(report_file: Path, width: int, height: int) -> None:
    """Opened at a desktop's or a phone's size, the page shows the headline numbers and the start of the
    needs-attention list before any scrolling."""
    with browser(width, height) as driver:
        driver.get(report_file.as_uri())
        assert driver.execute_script("return [window.innerWidth, window.innerHeight]") == [width, height]
        bottom = driver.execute_script(
            "var r = function (q) { return document.querySelector(q).getBoundingClientRect(); };"
            "return [r('#attention-heading').bottom, r('#attention ol > li .attention-head').bottom,"
            " r('.headline').bottom];"
        )
        assert all(0 < edge <= height for edge in bottom), f"{bottom} below the first {height}px"
        assert errors(driver) == []


def test_the_table_of_counts_fits_a_phone(report_file: Path) -> None:
    """At 390 px every column of the table shows without scrolling sideways."""
    with browser(390, 844) as driver:
        driver.get(report_file.as_uri())
        region = driver.execute_script(
            "var s = document.querySelector('table.tally').parentElement; return [s.scrollWidth, s.clientWidth];"
        )
        assert region[0] <= region[1], f"the table is {region[0] - region[1]}px wider than its region"
        headers = driver.execute_script(
            "return Array.prototype.map.call(document.querySelectorAll('table.tally thead th'),"
            " function (th) { var r = th.getBoundingClientRect(); return [r.left, r.right]; });"
        )
        assert len(headers) == 8 and all(left >= 0 and right <= 390 for left, right in headers)
