"""The region report in headless Chromium, served by uvicorn on 127.0.0.1.

Needs Debian's chromium at /usr/bin/chromium (``apt-get install chromium``; ``.ci/run``
installs it) and the Playwright package. Playwright's own browser download is not used.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from servicelist.api.app import create_app
from servicelist.settings import Settings

CHROMIUM = "/usr/bin/chromium"
CHARTS = ("chart-coverage", "chart-online-share", "chart-abc-mix")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(api: TestClient, settings: Settings, engine: Engine) -> Iterator[str]:
    """Serve the seeded database with uvicorn in a thread; yield its base URL."""
    port = _free_port()
    config = uvicorn.Config(
        create_app(settings, engine), host="127.0.0.1", port=port, log_level="warning"
    )
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started and time.monotonic() < deadline and thread.is_alive():
        time.sleep(0.05)
    assert running.started, "uvicorn did not start within 30 seconds"
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=30)


def test_region_report_renders_charts(server: str, tmp_path: Path) -> None:
    if shutil.which(CHROMIUM) is None:
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package")
    sync_api = pytest.importorskip("playwright.sync_api")

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.set_default_timeout(30_000)
            response = page.goto(f"{server}/v1/regions/wales/report")
            assert response is not None
            assert response.status == 200
            assert page.title() == "Benchmark report: Wales"
            screenshot = tmp_path / "wales-report.png"
            page.screenshot(path=str(screenshot), full_page=True)
            assert screenshot.stat().st_size > 10_000

            for chart in CHARTS:
                element = page.locator(f"svg#{chart}")
                assert element.is_visible(), chart
                box = element.bounding_box()
                assert box is not None, chart
                assert box["width"] > 0, chart
                assert box["height"] > 0, chart
            members = page.locator("table#members tr").count() - 1
            bars = page.locator("svg#chart-coverage rect.bar")
            assert members >= 22
            assert bars.count() == members
            first_bar = bars.first.bounding_box()
            assert first_bar is not None
            assert first_bar["width"] > 0
            assert page.locator("table#medians tr").count() > 1
        finally:
            browser.close()
