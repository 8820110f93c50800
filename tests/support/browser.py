"""A real headless Chromium (Debian's `chromium` + `chromium-driver`, installed by
scripts/setup.sh) driven by Selenium, for the authorities' web panel.

Selenium is pointed at /usr/bin/chromedriver and /usr/bin/chromium explicitly and told to stay
offline, so Selenium Manager never tries to download a browser or a driver. Downloads (the
printed letter) land in a directory of the test's own.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WIDTH = 1280  # screenshots' width in CSS pixels


def available() -> bool:
    return Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()


@dataclass
class Browser:
    driver: object  # selenium.webdriver.Chrome
    base: str
    downloads: Path

    @property
    def d(self):  # type: ignore[no-untyped-def]
        return self.driver

    def open(self, path: str) -> None:
        self.d.get(f"{self.base}{path}")
        self.settle()

    def settle(self) -> None:
        """Until the document and its fonts are loaded (a screenshot before the web font
        arrives would show the fallback font)."""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            state = self.d.execute_script(
                "return document.readyState + '/' + (document.fonts ? document.fonts.status : 'loaded')")
            if state == "complete/loaded":
                return
            time.sleep(0.05)
        raise AssertionError(f"the page did not finish loading: {state}")

    def fill(self, **fields: str) -> None:
        for name, value in fields.items():
            box = self.d.find_element("name", name)
            box.clear()
            if value:
                box.send_keys(value)

    def submit(self, button_id: str) -> None:
        """Click a submit button and wait for the next page: a mark set on the old page's window
        is gone once the new document replaced it (polling an old element for staleness races
        with Chromium's DevTools: "node does not belong to the document")."""
        self.d.execute_script("window.__bdOldPage = true")
        self.d.find_element("id", button_id).click()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if not self.d.execute_script("return window.__bdOldPage === true"):
                    break
            except Exception:  # noqa: BLE001 - the page is being replaced right now
                pass
            time.sleep(0.05)
        else:
            raise AssertionError("the form's next page did not come")
        self.settle()

    def text(self) -> str:
        return str(self.d.find_element("tag name", "body").text)

    def source(self) -> str:
        return str(self.d.page_source)

    def by_id(self, element_id: str) -> str:
        return str(self.d.find_element("id", element_id).text)

    def has(self, element_id: str) -> bool:
        return bool(self.d.find_elements("id", element_id))

    def download(self, link_id: str, timeout: float = 30) -> Path:
        """Click a download link and wait for the file to be complete."""
        for old in self.downloads.iterdir():
            old.unlink()
        self.d.find_element("id", link_id).click()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = [p for p in self.downloads.iterdir() if not p.name.endswith(".crdownload")]
            if done and done[0].stat().st_size > 0:
                return done[0]
            time.sleep(0.05)
        raise AssertionError("the download did not finish")

    def screenshot(self, path: Path) -> Path:
        """The whole page, not only the window (DevTools captures beyond the viewport)."""
        import base64

        self.settle()
        overflow = self.d.execute_script(
            "const e = document.documentElement; return [e.scrollWidth, e.clientWidth,"
            " [...document.querySelectorAll('body *')].filter(x => x.getBoundingClientRect().left < 0"
            " || x.getBoundingClientRect().right > e.clientWidth).map(x => x.tagName + '.' + x.className).slice(0, 5)]")
        assert overflow[0] <= overflow[1], f"the page is wider than the window: {overflow}"
        # The viewport is made as tall as the page for the capture, then given back.
        height = int(self.d.execute_script("return document.documentElement.scrollHeight"))
        self.d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": WIDTH, "height": max(height, 600), "deviceScaleFactor": 1, "mobile": False})
        try:
            self.settle()
            shot = self.d.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
        finally:
            self.d.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))
        return path


@contextmanager
def chromium(base: str, downloads: Path) -> Iterator[Browser]:
    if not available():
        pytest.fail("Chromium is not installed (scripts/setup.sh installs chromium and chromium-driver)")
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager: never download anything
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,900", "--lang=fa-IR", "--disable-extensions",
                "--no-first-run", "--disable-background-networking"):
        options.add_argument(arg)
    downloads.mkdir(parents=True, exist_ok=True)
    options.add_experimental_option("prefs", {
        "download.default_directory": str(downloads), "download.prompt_for_download": False,
        "download.directory_upgrade": True, "safebrowsing.enabled": False})
    profile = downloads.parent / "chromium-profile"
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                               {"behavior": "allow", "downloadPath": str(downloads)})
        yield Browser(driver, base, downloads)
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
