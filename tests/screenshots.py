"""Pictures of the desk for the README, taken by the browser tests when FACTCHECK_SCREENSHOTS
names a folder:

    FACTCHECK_SCREENSHOTS=docs/screenshots ./dev test tests/test_browser_review_flow.py

A picture is a band of the page as wide as the window (the tests use 1280 px), from one
element down to another, so it shows the part a step is about and stays small, rather than
the whole tall page.
"""

import base64
import os
from pathlib import Path

from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement

MARGIN = 12  # px of page kept above the first element and below the last one
MAX_HEIGHT = 1400  # a taller band is cut here: a README picture, not a scroll


def screenshots_folder() -> Path | None:
    folder = os.environ.get("FACTCHECK_SCREENSHOTS")
    return Path(folder).resolve() if folder else None


def _page_box(browser: WebDriver, element: WebElement) -> tuple[float, float]:
    """The element's top and bottom in page coordinates, whatever the scroll position."""
    return browser.execute_script(
        "const box = arguments[0].getBoundingClientRect();"
        "return [box.top + window.scrollY, box.bottom + window.scrollY];",
        element,
    )


def screenshot(
    browser: WebDriver,
    name: str,
    *,
    top: WebElement | None = None,
    bottom: WebElement | None = None,
    height: int = 900,
) -> None:
    """Save name (a .png) with the band of the page from `top` (else the page's top) to the
    bottom of `bottom` (else `height` px further down); do nothing without the folder.

    The band is taken as a person would see it: the window is made tall enough to show it
    and scrolled there, so sticky parts (the admin's sidebar) sit where they would on screen.
    """
    folder = screenshots_folder()
    if folder is None:
        return
    start = max(0, _page_box(browser, top)[0] - MARGIN) if top is not None else 0
    end = _page_box(browser, bottom)[1] + MARGIN if bottom is not None else start + height
    page_height = browser.execute_script("return document.documentElement.scrollHeight")
    end = min(end, page_height, start + MAX_HEIGHT)
    window = browser.get_window_size()
    shown_width, shown_height = browser.execute_script(
        "return [window.innerWidth, window.innerHeight]"
    )
    if shown_height < end - start:
        browser.set_window_size(window["width"], window["height"] + (end - start - shown_height))
    try:
        browser.execute_script("window.scrollTo(0, arguments[0])", start)
        # Chromium's own capture of the band, in page coordinates: Selenium's save_screenshot
        # takes the whole window, and cropping it would need an image library.
        shot = browser.execute_cdp_cmd(
            "Page.captureScreenshot",
            {
                "format": "png",
                "clip": {
                    "x": 0,
                    "y": start,
                    "width": shown_width,
                    "height": end - start,
                    "scale": 1,
                },
            },
        )
    finally:
        browser.set_window_size(window["width"], window["height"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(base64.b64decode(shot["data"]))
