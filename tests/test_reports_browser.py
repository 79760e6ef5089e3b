"""The HTML report in a real headless Chromium: it renders, its charts show, it prints to PDF.

Set ``MEDSUPPLY_SCREENSHOTS=<folder>`` to keep the screenshots and the PDF for a person to look at.
"""

from __future__ import annotations

import base64
import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from reasoner.dependency.report import build_dependency_report
from reasoner.dependency.report_html import render_html

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
                       reason="needs /usr/bin/chromium and /usr/bin/chromedriver "
                              "(apt-get install -y chromium chromium-driver)"),
]


@pytest.fixture
def browser(tmp_path: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={tmp_path / 'chromium-profile'}", "--window-size=1200,1600"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _keep(path: Path) -> None:
    folder = os.environ.get("MEDSUPPLY_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(folder) / path.name)


def test_union_list_report_renders_in_chromium_with_its_charts_and_prints(store, browser, tmp_path: Path) -> None:
    report = build_dependency_report(store, scope="union-list", on=date(2026, 11, 23))
    page = tmp_path / "dependency-report.html"
    page.write_bytes(render_html(report))
    browser.get(page.as_uri())
    assert "Supply dependency of critical medicines" in browser.find_element("tag name", "h1").text
    charts = browser.find_elements("css selector", ".chart svg")
    assert len(charts) == 3
    assert all(chart.size["height"] > 100 and chart.size["width"] > 300 for chart in charts)
    assert browser.find_elements("css selector", "span.pill.vulnerable")
    shot = tmp_path / "dependency-report-top.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
    _keep(shot)
    browser.execute_script("document.querySelectorAll('.chart')[1].scrollIntoView()")
    shot2 = tmp_path / "dependency-report-charts.png"
    browser.save_screenshot(str(shot2))
    _keep(shot2)
    pdf = browser.print_page()
    printed = tmp_path / "dependency-report.pdf"
    printed.write_bytes(base64.b64decode(pdf))
    assert printed.read_bytes().startswith(b"%PDF") and printed.stat().st_size > 20_000
    _keep(printed)
