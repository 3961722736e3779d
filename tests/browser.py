"""A real browser for the report's tests: Debian's chromium driven by its chromedriver through Selenium.

Selenium Manager never runs (it would download a driver): the driver's path is given explicitly.
Without selenium, every test module that imports this one is skipped, saying why; when no browser or
driver is found, `browser()` skips the test and says why.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from .conftest import ROOT

# The tests import selenium's names themselves, before asking for a browser: skip them all at once.
pytest.importorskip("selenium", reason="selenium is not installed: pip install '.[test]'")

CHROMIUM = ("chromium", "chromium-browser", "google-chrome")
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
)


def found() -> tuple[str, str] | str:
    """(browser, driver) paths, or why they cannot be used."""
    browser = next((path for name in CHROMIUM if (path := shutil.which(name))), None)
    driver = shutil.which("chromedriver") or (
        "/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver") else None
    )
    if browser is None or driver is None:
        missing = " and ".join(n for n, p in (("chromium", browser), ("chromedriver", driver)) if p is None)
        return f"{missing} not found: install Debian's chromium and chromium-driver (.ci/run does)"
    return browser, driver


@contextmanager
def browser(width: int = 1280, height: int = 900, dark: bool = False) -> Iterator[Any]:
    """A headless chromium whose page is `width` × `height` CSS pixels, with a fresh profile; skips without one."""
    paths = found()
    if isinstance(paths, str):
        pytest.skip(paths)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver_path = paths
    profile = tempfile.mkdtemp(prefix="jnap-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={width},{height}")
    if dark:
        options.add_argument("--force-dark-mode")
        options.add_argument("--blink-settings=preferredColorScheme=0")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    try:
        driver.set_window_size(width, height)
        # The window's size includes what a headless window still counts as its frame: make the page's
        # viewport exactly width × height CSS pixels, as on the device the test stands for.
        metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def artifacts() -> Path:
    """Where screenshots go: `$JNAP_TEST_ARTIFACTS`, else `test-artifacts/` at the repository's top."""
    folder = Path(os.environ.get("JNAP_TEST_ARTIFACTS") or ROOT / "test-artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def full_page_screenshot(driver: Any, path: Path, height: int | None = None, top: int = 0) -> None:
    """A screenshot of `height` pixels of the page from `top` (to its end when None), through the DevTools protocol."""
    metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
    size = metrics["cssContentSize"]
    rest = size["height"] - top
    clip = {"x": 0, "y": top, "width": size["width"], "height": min(rest, height or rest), "scale": 1}
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "clip": clip, "captureBeyondViewport": True}
    )
    import base64

    path.write_bytes(base64.b64decode(shot["data"]))
