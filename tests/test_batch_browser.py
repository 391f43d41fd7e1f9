"""The dashboard and a student's feedback page in a real browser (Debian's headless Chromium):
every image decodes, the named mistake is visible text, every link resolves, the console shows
no error, and a student's hostile file name stays text. Screenshots are saved in the test's
folder, and in ``$INITGRADE_SCREENSHOTS`` when it is set, to be looked at."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from grader.batch import BatchOptions, run_batch, write_dashboard
from tests import mistakes, notebooks

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
HOSTILE = "<img src=nowhere onerror=alert(1)>"
FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-quic", "--no-first-run", "--window-size=1280,2600",
)  # fmt: skip
IMAGES_DECODED = """
return Array.from(document.images).map(img => [img.alt, img.complete && img.naturalWidth > 0]);
"""


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
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small course graded with feedback pages, and its dashboard."""
    root = tmp_path_factory.mktemp("site")
    course = root / "course"
    course.mkdir()
    xavier = next(m for m in mistakes.MISTAKES if m.name == "he_xavier")
    he = xavier.source.replace("def he_xavier(", "def initialize_parameters_he(")
    notebooks.write(notebooks.new_generation(), course / "ada.ipynb")
    notebooks.write(notebooks.old_generation(he=he), course / "bob.ipynb")
    notebooks.write(notebooks.new_generation(he=he), course / f"{HOSTILE}.ipynb")
    (course / "broken.ipynb").write_text("{ not json")
    options = BatchOptions(workers=2, feedback_dir=root / "feedback")
    run_batch(course, root / "grades.sqlite", options, out=io.StringIO(), err=io.StringIO())
    write_dashboard(root / "grades.sqlite", root / "class.html", feedback_dir=root / "feedback")
    return root


def screenshot(driver, path: Path) -> None:
    driver.save_screenshot(str(path))
    folder = os.environ.get("INITGRADE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(folder) / path.name)


def console_errors(driver) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def visible_text(driver, text: str) -> bool:
    from selenium.webdriver.common.by import By

    found = driver.find_elements(By.XPATH, f"//*[contains(normalize-space(.), '{text}')]")
    return any(element.is_displayed() for element in found)


def open_page(driver, path: Path) -> None:
    driver.get(path.resolve().as_uri())
    driver.get_log("browser")  # (nothing before this page)
    driver.refresh()


def test_the_dashboard_in_a_browser(browser, site: Path) -> None:
    from selenium.webdriver.common.by import By

    open_page(browser, site / "class.html")
    screenshot(browser, site / "dashboard.png")
    images = browser.execute_script(IMAGES_DECODED)
    assert images == [["histogram of the students' scores", True]]
    assert visible_text(browser, "a wrong scale formula")
    assert visible_text(browser, HOSTILE), "the hostile file name should show as text"
    assert browser.find_elements(By.CSS_SELECTOR, "img[src='nowhere']") == []
    links = [a.get_attribute("href") for a in browser.find_elements(By.TAG_NAME, "a")]
    assert len(links) >= 4
    for link in links:
        assert Path(unquote(urlparse(link).path)).is_file(), link
    assert console_errors(browser) == []


def test_a_students_feedback_page_in_a_browser(browser, site: Path) -> None:
    from selenium.webdriver.common.by import By

    open_page(browser, site / "class.html")
    browser.find_element(By.XPATH, "//a[text()='bob']").click()
    screenshot(browser, site / "feedback-bob.png")
    assert browser.title == "Feedback: bob.ipynb"
    images = browser.execute_script(IMAGES_DECODED)
    assert images, "the page should show its plots"
    assert all(decoded for _alt, decoded in images), images
    assert visible_text(browser, "Likely mistake:")
    assert visible_text(browser, "(the Xavier scale)")
    box = browser.find_element(By.XPATH, "//p[contains(., '(the Xavier scale)')]")
    browser.execute_script("arguments[0].scrollIntoView();", box)
    screenshot(browser, site / "feedback-bob-mistake.png")
    assert console_errors(browser) == []


def test_every_gradable_student_has_a_notebook_page_linked_from_the_dashboard(site: Path) -> None:
    pages = sorted(p.name for p in (site / "feedback").glob("*.notebook.html"))
    students = {name.split("-")[0] for name in pages}
    assert students == {"ada", "bob", "broken", "img_src_nowhere_onerror_alert_1"}
    (broken,) = (site / "feedback").glob("broken-*.notebook.html")
    assert "could not be shown as a page" in broken.read_text(encoding="utf-8")
    dashboard = (site / "class.html").read_text(encoding="utf-8")
    for name in pages:
        assert f'<a class="notebook" href="./feedback/{name}">notebook</a>' in dashboard
        assert f'href="./feedback/{name.replace(".notebook", "")}"' in dashboard


def test_a_correct_students_plots_in_a_browser_at_desktop_and_narrow_widths(
    browser, site: Path
) -> None:
    (page,) = (site / "feedback").glob("ada-*[0-9a-f].html")
    assert page.stat().st_size <= 100 * 1024
    open_page(browser, page)
    images = browser.execute_script(IMAGES_DECODED)
    assert [alt for alt, _ in images] == ["cost and decision boundary", "activation histograms"] * 3
    assert all(decoded for _alt, decoded in images)
    sizes = browser.execute_script(
        "return Array.from(document.images).map(i => [i.naturalWidth, i.naturalHeight]);"
    )
    assert all(width > 3 * height for width, height in sizes[1::2]), "one row of histograms"
    screenshot(browser, site / "feedback-ada-desktop.png")
    phone = {"width": 390, "height": 2600, "deviceScaleFactor": 1, "mobile": True}
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", phone)
    try:
        open_page(browser, page)
        overflow = browser.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;"
        )
        assert overflow <= 0, "the page itself should not scroll sideways; only its figures do"
        screenshot(browser, site / "feedback-ada-narrow.png")
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert console_errors(browser) == []


def test_from_the_dashboard_to_a_students_notebook_and_back_to_the_checks(
    browser, site: Path
) -> None:
    from selenium.webdriver.common.by import By

    open_page(browser, site / "class.html")
    row = browser.find_element(By.XPATH, "//table[@id='students']//tr[td[1][text()='bob']]")
    row.find_element(By.CLASS_NAME, "notebook").click()
    assert browser.title == "bob.ipynb"
    mark = browser.find_element(By.ID, "graded-initialize_parameters_he")
    assert mark.is_displayed()
    screenshot(browser, site / "notebook-bob.png")
    mark.find_element(By.TAG_NAME, "a").click()
    assert browser.title == "Feedback: bob.ipynb"
    assert browser.current_url.endswith("#graded-initialize_parameters_he")
    assert visible_text(browser, "the grader made up to test your function")
    link = browser.find_element(By.PARTIAL_LINK_TEXT, "Your code for initialize_parameters_he")
    link.click()
    assert browser.title == "bob.ipynb"
    assert console_errors(browser) == []
