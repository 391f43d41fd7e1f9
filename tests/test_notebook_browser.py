"""Every hostile notebook of ``tests/hostile_pages.py``, rendered as a page and opened in Debian's
headless Chromium: no script runs (the title stays, ``window.pwned`` stays unset), the browser
asks for nothing (a local server the payloads point at counts every request, and the browser's
own network log shows no request but the page itself), and the console shows no error.
Screenshots go to ``$INITGRADE_SCREENSHOTS`` when it is set."""

from __future__ import annotations

import http.server
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.reports.notebook import render_notebook
from tests import hostile_pages
from tests.test_batch_browser import CHROMEDRIVER, CHROMIUM, FLAGS, console_errors

pytestmark = pytest.mark.slow
BROWSER_OWN = ("chrome://", "chrome-untrusted://", "devtools://")


class _Counter(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []  # noqa: RUF012 (one server per test module)

    def do_GET(self) -> None:
        self.requests.append(self.path)
        self.send_response(204)
        self.end_headers()

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, list[str]]]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", _Counter.requests
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip("needs Debian's chromium and chromium-driver (.ci/run installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-pages')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def requests_made(driver, page: Path) -> list[str]:
    """Every address the browser asked for, but the page itself, data: images and the
    browser's own internal pages."""
    asked = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            url = message["params"]["request"]["url"]
            if url.startswith(BROWSER_OWN):  # the browser's own pages, whatever was opened
                continue
            if url != page.resolve().as_uri() and not url.startswith("data:image/"):
                asked.append(url)
    return asked


def test_no_hostile_notebook_runs_or_loads_anything_in_a_browser(
    browser, server: tuple[str, list[str]], tmp_path: Path
) -> None:
    address, counted = server
    failures = {}
    for name, content in sorted(hostile_pages.cases(address).items()):
        page = tmp_path / f"{name}.notebook.html"
        rendered = render_notebook(json.dumps(content).encode(), title=f"{name}.ipynb")
        assert rendered.error is None, (name, rendered.error)
        page.write_text(rendered.html, encoding="utf-8")
        browser.get_log("browser")
        browser.get_log("performance")
        browser.get(page.resolve().as_uri())
        ran = browser.execute_script("return [document.title, window.pwned === undefined]")
        problems = {
            "ran": ran != [f"{name}.ipynb", True],
            "asked": requests_made(browser, page),
            "console": console_errors(browser),
        }
        if problems["ran"] or problems["asked"] or problems["console"]:
            failures[name] = problems
        folder = os.environ.get("INITGRADE_SCREENSHOTS")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            browser.save_screenshot(str(Path(folder) / f"notebook-{name}.png"))
    assert failures == {}
    assert counted == [], "the local server was asked for something"


def test_a_graded_cell_link_reaches_the_feedback_page(browser, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    from tests import notebooks

    nb = notebooks.new_generation()
    index = next(i for i, c in enumerate(nb.cells) if "def initialize_parameters_he" in c.source)
    (tmp_path / "ada.html").write_text(
        '<!doctype html><title>feedback</title><section id="graded-initialize_parameters_he">'
        "</section>"
    )
    page = tmp_path / "ada.notebook.html"
    rendered = render_notebook(
        json.dumps(nb).encode(), title="ada.ipynb",
        graded={"initialize_parameters_he": index}, feedback_href="ada.html",
    )  # fmt: skip
    page.write_text(rendered.html, encoding="utf-8")
    browser.get(page.resolve().as_uri())
    mark = browser.find_element(By.ID, "graded-initialize_parameters_he")
    assert mark.is_displayed()
    mark.find_element(By.TAG_NAME, "a").click()
    assert browser.current_url.endswith("ada.html#graded-initialize_parameters_he")
    assert browser.title == "feedback"
